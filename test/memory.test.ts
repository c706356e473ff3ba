// Rapier's WASM memory does not grow: resets free the previous world's objects (memory after 1000 resets
// within 10% of after 10), and stepping frees Rapier's temporaries (flat over expert episodes).
import { expect, it } from 'vitest';
import { Env } from '../sim/env.ts';
import { unregisteredRapierClasses, wasmMemoryBytes } from '../sim/rapier.ts';
import { ExpertPolicy } from '../policies/expert.ts';
import { runEpisode } from '../runner/chains/episode.ts';
import { findTask } from '../scenes/load.ts';

it('memory after 1000 resets is within 10% of memory after 10', async () => {
  const env = new Env();
  const tasks = [findTask('tabletop_soup_on_plate'), findTask('cabinet_open_drawer'), findTask('microwave_open_door')];
  const gc = (globalThis as { gc?: () => void }).gc;
  let wasm10 = 0, heap10 = 0;
  for (let i = 0; i < 1000; i++) {
    await env.reset({ seed: i, task: tasks[i % 3] });
    env.step([0, 0, -0.2, 0, 0, 0, i % 2 ? 1 : -1]);
    if (i === 9) {
      gc?.();
      wasm10 = wasmMemoryBytes();
      heap10 = process.memoryUsage().heapUsed;
    }
  }
  gc?.();
  const wasm1000 = wasmMemoryBytes();
  const heap1000 = process.memoryUsage().heapUsed;
  env.close();
  console.log(`Rapier WASM memory: ${(wasm10 / 1e6).toFixed(2)} MB after 10 resets, ${(wasm1000 / 1e6).toFixed(2)} MB after 1000; JS heap ${(heap10 / 1e6).toFixed(1)} -> ${(heap1000 / 1e6).toFixed(1)} MB${gc ? '' : ' (no --expose-gc: heap figure is noisy)'}`);
  expect(wasm1000).toBeLessThanOrEqual(wasm10 * 1.1);
  if (gc) expect(heap1000).toBeLessThanOrEqual(heap10 * 1.1);
});

// Rapier's temporaries (vectors, rotations, contact pairs and manifolds, contact force events, query
// shapes) are made without finalizer registrations (sim/rapier-transients.ts), so nothing but Rapier's
// own explicit frees reclaims them. Expert episodes exercise them all: contacts, grasps, the arm
// limiter's shape casts. A class whose temporaries were not freed would grow the WASM memory with
// every episode (one leaked vector per position read: +0.33 MB per episode, 1.4 -> 4.0 MB over 8).
it('Rapier temporaries are made without finalizer registrations, and WASM memory stays flat over expert episodes', async () => {
  expect([...unregisteredRapierClasses()].sort()).toEqual(['contactforceevent', 'contactmanifold', 'contactpair', 'rotation', 'shape', 'vector']);
  const env = new Env();
  const expert = new ExpertPolicy(env.privileged);
  const tasks = [findTask('tabletop_soup_on_plate'), findTask('cabinet_open_drawer')];
  let after2 = 0;
  for (let i = 0; i < 8; i++) {
    const r = await runEpisode(env, expert, tasks[i % 2], i);
    expect(r.success, `expert episode ${i} (${tasks[i % 2].name})`).toBe(true);
    if (i === 1) after2 = wasmMemoryBytes();
  }
  const after8 = wasmMemoryBytes();
  env.close();
  console.log(`Rapier WASM memory over expert episodes: ${(after2 / 1e6).toFixed(2)} MB after 2, ${(after8 / 1e6).toFixed(2)} MB after 8`);
  expect(after8).toBeLessThanOrEqual(after2 * 1.1);
});
