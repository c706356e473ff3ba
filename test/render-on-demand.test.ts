// Cameras are rendered only on the steps a policy will look: a chunked policy executing its chunk does
// not read images, so the env skips the render, and nothing else changes (same actions, same outcome,
// same sensor noise afterwards).
import { describe, expect, it } from 'vitest';
import { Env } from '../sim/env.ts';
import type { SimWorld } from '../sim/world.ts';
import type { Observation, Policy } from '../sim/policy.ts';
import { parsePolicy, type PolicyHost } from '../policies/registry.ts';
import { CameraSet } from '../runner/chains/actors.ts';
import { runTask } from '../runner/chains/episode.ts';
import { findTask } from '../scenes/load.ts';

const MODEL = 'policies/models/tiny-vla/model.onnx';

/** The policy's cameras, counting renders and keeping every action the policy took. */
async function episode(host: PolicyHost, hideNeedsImages: boolean, ood = {}) {
  const set = new CameraSet(host.cameras);
  let renders = 0;
  const counting = { render: (w: SimWorld, cams: readonly string[]) => { renders++; return set.render(w, cams); }, free: () => set.free() };
  const env = new Env({ cameras: host.cameras.map((c) => c.camera), renderer: counting });
  const inner = host.make(env.privileged);
  const actions: number[][] = [];
  const states: number[][] = [];
  let queries = 0;
  const policy: Policy = {
    id: inner.id,
    reset: (s) => inner.reset(s),
    act: async (obs: Observation) => {
      if (obs.images) queries++;
      states.push([...obs.state.eePos, obs.state.gripperWidth]);
      const a = Array.from(await inner.act(obs));
      actions.push(a);
      return a;
    },
    ...(hideNeedsImages ? {} : { needsImages: () => inner.needsImages!() }),
  };
  const task = { ...findTask('tabletop_soup_on_plate'), maxSteps: 40 };
  await env.reset({ seed: 3, task, ood });
  const out = await runTask(env, policy, task, { policySeed: 3 });
  await inner.close?.();
  env.close();
  return { out, renders, queries, actions, states };
}

describe('rendering on demand', () => {
  it('a chunked policy gets images only on the steps it asks its model; actions and outcome are those of rendering every step', async () => {
    const host = await parsePolicy(`onnx:${MODEL}`).open({ device: 'cpu', execute: 4 });
    try {
      const every = await episode(host, true);
      const onDemand = await episode(host, false);
      expect(onDemand.out.steps).toBe(40);
      expect(onDemand.actions).toEqual(every.actions);
      expect({ ...onDemand.out, policyMs: [], simMs: [] }).toEqual({ ...every.out, policyMs: [], simMs: [] });
      // Every step: the reset's and the task's first observation, then one per step (42). On demand: those two,
      // then one per model call (every 4th act: 10, the first on the task's first observation, and one after
      // the last step, which nobody reads).
      expect(every.renders).toBe(2 + 40);
      expect(every.queries).toBe(40);
      expect(onDemand.queries).toBe(10);
      expect(onDemand.renders).toBe(2 + 10);
    } finally {
      await host.close();
    }
  }, 60_000);

  it('under sensor noise the noisy states and images are the same whether or not the skipped steps were rendered', async () => {
    const host = await parsePolicy(`onnx:${MODEL}`).open({ device: 'cpu', execute: 3 });
    try {
      const every = await episode(host, true, { sensor_noise: 1 });
      const onDemand = await episode(host, false, { sensor_noise: 1 });
      expect(onDemand.renders).toBeLessThan(every.renders / 2);
      expect(onDemand.states).toEqual(every.states);
      expect(onDemand.actions).toEqual(every.actions);
    } finally {
      await host.close();
    }
  }, 60_000);

  it('a policy that does not say (the expert, any Policy without needsImages) gets images every step', async () => {
    const env = new Env({ cameras: ['agentview'], renderer: new CameraSet([{ camera: 'agentview', width: 32, height: 32 }]) });
    const expert = (await parsePolicy('expert').open()).make(env.privileged);
    const task = { ...findTask('tabletop_soup_on_plate'), maxSteps: 5 };
    await env.reset({ seed: 1, task });
    let withImages = 0;
    await runTask(env, { id: 'x', reset: (s) => expert.reset(s), act: (o) => { if (o.images?.agentview) withImages++; return expert.act(o); } }, task, { policySeed: 1 });
    expect(withImages).toBe(5);
    env.close();
  });
});
