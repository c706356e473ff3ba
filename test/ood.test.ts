// OOD axes: level 0 is the controlled setting bitwise, each axis draws from its own stream, the
// level -> parameter mappings hold, visual axes leave physics alone, and bad input is refused.
import { afterAll, describe, expect, it } from 'vitest';
import { OOD_AXES, OOD_MAPPINGS, OodError, latencySteps, parseOod, resolveOod, type OodLevels } from '../scenes/ood.ts';
import { resolveScene } from '../scenes/layout.ts';
import { findScene, findTask } from '../scenes/load.ts';
import { generateChains } from '../scenes/chains.ts';
import { Env } from '../sim/env.ts';
import { ExpertPolicy } from '../policies/expert.ts';
import { runChain } from '../runner/chains/chain.ts';
import { runChains } from '../runner/chains/run.ts';
import type { Policy } from '../sim/policy.ts';
import type { TaskSpec } from '../scenes/types.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RayRenderer } from '../sim/render/renderer.ts';
import type { ChainRecord } from '../runner/results/records.ts';

const tabletop = findScene('tabletop');
const task = findTask('tabletop_soup_on_plate');
const zeros: OodLevels = Object.fromEntries(OOD_AXES.map((a) => [a, 0]));

describe('OOD levels', () => {
  it('parse axis=level lists and refuse unknown axes and levels outside [0, 1]', () => {
    expect(parseOod('clutter=0.5, lighting=1')).toEqual({ clutter: 0.5, lighting: 1 });
    expect(parseOod('')).toEqual({});
    expect(() => parseOod('cluter=0.5')).toThrow(/unknown axis "cluter".*clutter/);
    expect(() => parseOod('pose=1.5')).toThrow(/\[0, 1\]/);
    expect(() => parseOod('pose')).toThrow(OodError);
    for (const a of OOD_AXES) expect(OOD_MAPPINGS[a].length).toBeGreaterThan(20);
  });

  it('level 0 of every axis is the controlled layout, bit for bit', () => {
    for (const seed of [0, 1, 2]) expect(resolveScene(tabletop, seed, task, zeros)).toEqual(resolveScene(tabletop, seed, task));
  });

  it('each axis has its own stream: raising one does not reshuffle another', () => {
    const a = resolveScene(tabletop, 4, task, { clutter: 0.5 });
    const b = resolveScene(tabletop, 4, task, { clutter: 0.5, lighting: 1, physics: 0.7, robot_init: 1 });
    expect(b.objects).toEqual(a.objects);
    const p1 = resolveOod({ physics: 0.5 }, 4, [0.6, 0.5, 0.3], ['x', 'y']);
    const p2 = resolveOod({ physics: 0.5, camera: 1, texture: 1 }, 4, [0.6, 0.5, 0.3], ['x', 'y']);
    expect(p2.physics).toEqual(p1.physics);
  });

  it('clutter places round(30 L) distractors where there is room; pose widens start regions', () => {
    const full = resolveScene(tabletop, 5, task, { clutter: 1 });
    const half = resolveScene(tabletop, 5, task, { clutter: 0.5 });
    const n = (s: typeof full) => s.objects.filter((o) => o.id.startsWith('distractor_')).length;
    expect(n(full)).toBeGreaterThanOrEqual(24);
    expect(n(half)).toBeGreaterThanOrEqual(13);
    expect(n(half)).toBeLessThanOrEqual(15);
    let outside = 0;
    for (let seed = 0; seed < 20; seed++) {
      const s = resolveScene(tabletop, seed, task, { pose: 1 });
      for (const o of tabletop.objects) {
        const r = tabletop.regions[o.region!];
        const p = s.objects.find((x) => x.id === o.id)!.pos;
        if (Math.abs(p[0] - r.center[0]) > r.halfExtents[0] || Math.abs(p[1] - r.center[1]) > r.halfExtents[1]) outside++;
      }
    }
    expect(outside).toBeGreaterThan(20);
  });

  it('physics, robot_init and sensor levels map onto the documented ranges', () => {
    const o = resolveOod({ physics: 1, robot_init: 1, sensor_noise: 1 }, 7, [0.6, 0.5, 0.3], ['a', 'b', 'c', 'd']);
    for (const m of Object.values(o.physics!.objects)) {
      expect(m.friction).toBeGreaterThanOrEqual(0.5);
      expect(m.friction).toBeLessThanOrEqual(1.5);
      expect(m.mass).toBeGreaterThanOrEqual(0.5);
      expect(m.mass).toBeLessThanOrEqual(2);
      expect(m.restitution).toBeLessThanOrEqual(0.3);
    }
    for (const d of o.robotInitDelta!) expect(Math.abs(d)).toBeLessThanOrEqual(0.25);
    // Sensor noise is image and state noise only (as in LIBERO-Plus); latency is its own axis.
    expect(o.sensor).toEqual({ imageNoiseStd: 12, statePosStd: 0.005 });
    expect(o.actionLatency).toBe(0);
  });

  it('latency level L is round(4 L) control steps of action latency, and nothing else', () => {
    expect([0, 0.1, 0.25, 0.5, 0.75, 1].map(latencySteps)).toEqual([0, 0, 1, 2, 3, 4]);
    expect(OOD_MAPPINGS.latency).toMatch(/round\(4 L\) control steps/);
    const o = resolveOod({ latency: 0.5 }, 7, [0.6, 0.5, 0.3], ['a']);
    expect(o.actionLatency).toBe(2);
    expect(o.sensor).toBeNull();
    expect(o.render).toEqual({});
    expect(parseOod('latency=0.25')).toEqual({ latency: 0.25 });
  });
});

describe('OOD in the simulator', () => {
  const chain = generateChains({ scene: findScene('kitchen'), count: 1, seed: 3, steps: 4 })[0];
  const outcome = ({ wallMs: _w, latencyMs: _l, simMsPerStep: _s, ood: _o, ...rest }: ChainRecord) => rest;
  const run = async (ood: OodLevels, env = new Env()) => {
    const r = await runChain(env, new ExpertPolicy(env.privileged), chain, { runId: 't', mode: 'continue', seed: 2, repeat: 0, policySeed: 2, ood });
    env.close();
    return r;
  };

  it('purely visual axes leave the physics alone: the expert chain is step for step the same', async () => {
    const base = await run({});
    const visual = await run({ lighting: 1, texture: 1, camera: 1 });
    expect(outcome(visual)).toEqual(outcome(base));
    expect(visual.ood).toEqual({ lighting: 1, texture: 1, camera: 1 });
  });

  it('sensor noise is seeded: noisy state differs from the truth, and the same seed gives the same noise', async () => {
    const obsAt = async (ood: OodLevels) => {
      const env = new Env();
      const { obs } = await env.reset({ seed: 9, task, ood });
      env.close();
      return obs.state.eePos;
    };
    const clean = await obsAt({});
    const noisy = await obsAt({ sensor_noise: 1 });
    expect(noisy).not.toEqual(clean);
    expect(await obsAt({ sensor_noise: 1 })).toEqual(noisy);
    expect(Math.hypot(noisy[0] - clean[0], noisy[1] - clean[1], noisy[2] - clean[2])).toBeLessThan(0.05);
  });

  it('latency delays the arm by whole control steps; sensor noise does not delay it', async () => {
    // TCP x after each of four steps that each ask for +2.5 cm along x (true state, not the noisy observation).
    const xs = async (ood: OodLevels) => {
      const env = new Env();
      await env.reset({ seed: 9, task, ood });
      const x0 = env.privileged.tcp().pos[0];
      const out = Array.from({ length: 4 }, () => { env.step([0.5, 0, 0, 0, 0, 0, -1]); return env.privileged.tcp().pos[0] - x0; });
      env.close();
      return out;
    };
    const moved = (d: number) => d > 0.02;
    expect((await xs({})).map(moved)).toEqual([true, true, true, true]);
    expect((await xs({ sensor_noise: 1 })).map(moved)).toEqual([true, true, true, true]);
    expect((await xs({ latency: 0.25 })).map(moved)).toEqual([false, true, true, true]);
    const two = await xs({ latency: 0.5 });
    expect(two.map(moved)).toEqual([false, false, true, true]);
    expect(Math.abs(two[1])).toBeLessThan(1e-4);
  });

  it('actions in flight are part of a snapshot: a restore replays the same delayed actions', async () => {
    const env = new Env();
    await env.reset({ seed: 3, task, ood: { latency: 0.75 } });
    const act = (i: number) => [0.4 * Math.sin(i), 0.4 * Math.cos(i / 2), -0.1, 0, 0, 0.2, i % 4 < 2 ? -1 : 1];
    for (let i = 0; i < 5; i++) env.step(act(i));
    const snap = env.snapshot();
    const run = () => Array.from({ length: 6 }, (_, i) => { env.step(act(100 + i)); return [...env.privileged.tcp().pos, env.privileged.gripperWidth()]; });
    const first = run();
    env.restore(snap);
    expect(run()).toEqual(first);
    const plain = new Env();
    await plain.reset({ seed: 3, task });
    expect(() => plain.restore(snap)).toThrow(/with action latency/);
    plain.close();
    env.close();
  });

  it('lighting and camera levels change the picture', async () => {
    const shot = async (ood: OodLevels) => {
      const env = new Env({ renderer: new RayRenderer({ width: 32, height: 32 }), cameras: ['agentview'] });
      const { obs } = await env.reset({ seed: 1, task, ood });
      env.close();
      return Buffer.from(obs.images!.agentview.rgb);
    };
    const base = await shot({});
    expect((await shot({ lighting: 1 })).equals(base)).toBe(false);
    expect((await shot({ camera: 1 })).equals(base)).toBe(false);
    expect((await shot({ texture: 1 })).equals(base)).toBe(false);
    expect((await shot({})).equals(base)).toBe(true);
  });
});

describe('physics and robot_init reach the simulator', () => {
  // One env reused for every reset (a reset builds a fresh world); the same seed throughout.
  const env = new Env();
  afterAll(() => env.close());
  const SEED = 11;
  const objectIds = () => [...env.world.objects.keys()];

  /** What the Rapier world holds after a reset at these levels: per object and for the table top. */
  const bodies = async (ood: OodLevels) => {
    await env.reset({ seed: SEED, task, ood });
    const objects: Record<string, { friction: number[]; restitution: number[]; mass: number; linDamp: number; angDamp: number }> = {};
    for (const id of objectIds()) {
      const b = env.world.body(id);
      const cs = Array.from({ length: b.numColliders() }, (_, i) => b.collider(i));
      objects[id] = { friction: cs.map((c) => c.friction()), restitution: cs.map((c) => c.restitution()), mass: b.mass(), linDamp: b.linearDamping(), angDamp: b.angularDamping() };
    }
    // The table top: the 'table' collider that is not the 5 m floor slab.
    let table = NaN;
    env.world.world.forEachCollider((c: { handle: number; halfExtents(): { x: number }; friction(): number }) => {
      if (env.world.ownerOf(c.handle) === 'table' && c.halfExtents().x < 4) table = c.friction();
    });
    return { objects, table, resolved: env.world.scene.ood, ids: objectIds() };
  };

  it('ood.physics scales each body\'s friction, mass, restitution and damping and the table\'s friction as resolveOod says', async () => {
    const L = 0.8;
    const base = await bodies({});
    const ood = await bodies({ physics: L });
    expect(ood.ids).toEqual(base.ids);
    // The draws are resolveOod's for this seed, in scene object order (computed here independently).
    const want = resolveOod({ physics: L }, SEED, tabletop.table.color, base.ids).physics!;
    expect(ood.resolved!.physics).toEqual(want);
    expect(ood.table / base.table).toBeCloseTo(want.table, 5);
    let moved = 0;
    for (const id of base.ids) {
      const b = base.objects[id], o = ood.objects[id], m = want.objects[id];
      o.friction.forEach((f, i) => expect(f / b.friction[i], `${id} friction`).toBeCloseTo(m.friction, 5));
      o.restitution.forEach((r, i) => expect(r, `${id} restitution`).toBeCloseTo(Math.min(1, b.restitution[i] + m.restitution), 5));
      expect(o.mass / b.mass, `${id} mass`).toBeCloseTo(m.mass, 4);
      expect(o.linDamp / b.linDamp, `${id} linear damping`).toBeCloseTo(m.damping, 5);
      expect(o.angDamp / b.angDamp, `${id} angular damping`).toBeCloseTo(m.damping, 5);
      if (Math.abs(m.friction - 1) > 0.05 && Math.abs(m.mass - 1) > 0.05) moved++;
    }
    // Not a no-op: most objects really got other properties than the controlled reset's.
    expect(moved).toBeGreaterThan(base.ids.length / 2);
    // The same seed gives the same bodies; level 0 is the controlled world.
    expect((await bodies({ physics: L })).objects).toEqual(ood.objects);
    expect((await bodies({ physics: 0 })).objects).toEqual(base.objects);
  });

  it('robot_init moves the initial arm by the seeded per-joint delta, scaled by the level, and the EE with it', async () => {
    const start = async (ood: OodLevels, seed = SEED) => {
      const { obs } = await env.reset({ seed, task, ood });
      return { q: obs.state.joints, ee: obs.state.eePos };
    };
    const base = await start({});
    const half = await start({ robot_init: 0.5 });
    const full = await start({ robot_init: 1 });
    const dHalf = half.q.map((q, i) => q - base.q[i]);
    const dFull = full.q.map((q, i) => q - base.q[i]);
    // Exactly resolveOod's delta for this seed, within +-0.25 L rad per joint.
    const want = resolveOod({ robot_init: 1 }, SEED, tabletop.table.color, [], base.q.length).robotInitDelta!;
    dFull.forEach((d, i) => expect(d, `joint ${i}`).toBeCloseTo(want[i], 6));
    for (const d of dHalf) expect(Math.abs(d)).toBeLessThanOrEqual(0.125 + 1e-9);
    // Level L draws the same stream scaled by L: half the level, half the displacement.
    dHalf.forEach((d, i) => expect(d, `joint ${i}`).toBeCloseTo(dFull[i] / 2, 6));
    expect(Math.max(...dFull.map(Math.abs))).toBeGreaterThan(0.1);
    // The end effector starts elsewhere, further at the higher level.
    const away = (p: number[]) => Math.hypot(p[0] - base.ee[0], p[1] - base.ee[1], p[2] - base.ee[2]);
    expect(away(half.ee)).toBeGreaterThan(0.01);
    expect(away(full.ee)).toBeGreaterThan(away(half.ee));
    // Deterministic per seed; another seed draws another start.
    expect((await start({ robot_init: 1 })).q).toEqual(full.q);
    expect((await start({ robot_init: 1 }, SEED + 1)).q).not.toEqual(full.q);
  });
});

describe('the language axis and paraphrases: random', () => {
  // A policy that notes the instruction it is given (at reset and in the observation) and then gives up
  // at once (policy_error, 0 control steps): a chain in continue mode then costs resets, not runs.
  // Steps the chain runner finds impossible (nothing was done before them) are recorded without a reset.
  const listener = () => {
    const heard = new Map<number, { reset: string; obs: string; task: string }>();
    let at = 0;
    const policy: Policy = {
      id: 'listener',
      reset: (s) => { at = s.step ?? 0; heard.set(at, { reset: s.instruction, obs: '', task: s.task.name }); },
      act: (o) => { heard.get(at)!.obs = o.instruction; throw new Error('listening only'); },
    };
    return { heard, policy };
  };
  const chain = generateChains({ scene: findScene('kitchen'), count: 1, seed: 5, steps: 10 })[0];
  const phrasings = (t: TaskSpec) => [t.instruction, ...t.paraphrases];
  const env = new Env();
  afterAll(() => env.close());
  /** The phrasing index of each step (into [instruction, ...paraphrases]), checked against what the policy heard. */
  const heardIn = async (o: { ood?: OodLevels; paraphrases?: 'instruction' | 'random'; policySeed?: number }) => {
    const { heard, policy } = listener();
    const rec = await runChain(env, policy, chain, { runId: 't', mode: 'continue', seed: 4, repeat: 0, policySeed: o.policySeed ?? 7, ood: o.ood, paraphrases: o.paraphrases });
    expect(heard.size).toBeGreaterThanOrEqual(5);
    for (const [j, h] of heard) {
      const t = chain.steps[j];
      expect(h.task).toBe(t.name);
      // The policy's reset and its observation carry the same wording, one of the task's own phrasings,
      // and the record says which.
      expect(h.obs).toBe(h.reset);
      expect(phrasings(t)).toContain(h.reset);
      expect(rec.steps[j].paraphrase).toBe(phrasings(t).indexOf(h.reset));
    }
    return rec.steps.map((s) => s.paraphrase);
  };

  it('the generated tasks have a training phrasing and ten distinct paraphrases of it', () => {
    for (const t of chain.steps) expect(new Set(phrasings(t)).size).toBe(11);
  });

  it('level 0 gives the training instruction; level L draws phrasings of rank <= L (n - 1), the same for the same seed', async () => {
    expect(await heardIn({})).toEqual(Array(10).fill(0));
    expect(await heardIn({ ood: { language: 0.05 } })).toEqual(Array(10).fill(0));
    const full = await heardIn({ ood: { language: 1 } });
    expect(full.filter((p) => p > 0).length).toBeGreaterThanOrEqual(6);
    expect(new Set(full).size).toBeGreaterThanOrEqual(4);
    expect(await heardIn({ ood: { language: 1 } })).toEqual(full);
    expect(await heardIn({ ood: { language: 1 }, policySeed: 8 })).not.toEqual(full);
    // 0.3 of 10 paraphrases: ranks 0-3 only, and not only 0.
    const low = await heardIn({ ood: { language: 0.3 } });
    expect(Math.max(...low)).toBeLessThanOrEqual(3);
    expect(Math.max(...low)).toBeGreaterThan(0);
  });

  it('paraphrases: random draws from all phrasings, deterministically, in runChain and runChains', async () => {
    const a = await heardIn({ paraphrases: 'random' });
    expect(a.filter((p) => p > 0).length).toBeGreaterThanOrEqual(6);
    expect(Math.max(...a)).toBeGreaterThan(3);
    expect(await heardIn({ paraphrases: 'random' })).toEqual(a);
    // Through runChains (what `chaingap run --paraphrases random` calls): the records name the phrasing.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chaingap-paraphrase-'));
    const viaRun = async (out: string) => {
      const { policy } = listener();
      await runChains({ out: path.join(dir, out), policy, scene: 'kitchen', chains: 2, steps: 5, seed: 3, mode: 'continue', paraphrases: 'random', baselineEpisodes: 1, log: () => {} });
      return fs.readFileSync(path.join(dir, out, 'records.jsonl'), 'utf8').trim().split('\n')
        .map((l) => JSON.parse(l) as { chainId: string; steps: { paraphrase: number }[] })
        .sort((x, y) => x.chainId.localeCompare(y.chainId))
        .map((r) => r.steps.map((s) => s.paraphrase));
    };
    const r1 = await viaRun('a');
    expect(r1.flat()).toHaveLength(10);
    expect(r1.flat().filter((p) => p > 0).length).toBeGreaterThanOrEqual(5);
    expect(await viaRun('b')).toEqual(r1);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
