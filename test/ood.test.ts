// OOD axes: level 0 is the controlled setting bitwise, each axis draws from its own stream, the
// level -> parameter mappings hold, visual axes leave physics alone, and bad input is refused.
import { describe, expect, it } from 'vitest';
import { OOD_AXES, OOD_MAPPINGS, OodError, latencySteps, parseOod, resolveOod, type OodLevels } from '../scenes/ood.ts';
import { resolveScene } from '../scenes/layout.ts';
import { findScene, findTask } from '../scenes/load.ts';
import { generateChains } from '../scenes/chains.ts';
import { Env } from '../sim/env.ts';
import { ExpertPolicy } from '../policies/expert.ts';
import { runChain } from '../runner/chain.ts';
import { RayRenderer } from '../sim/render/renderer.ts';
import type { ChainRecord } from '../runner/records.ts';

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
