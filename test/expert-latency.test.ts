// The expert is the ceiling every sweep is read against, so it must hold up under the latency axis:
// with 1 or 2 control steps between sending an action and the arm executing it, it infers the lag from
// how the arm follows its own actions (it is never told) and still solves every task type.
import { describe, expect, it } from 'vitest';
import { Env } from '../sim/env.ts';
import { ExpertPolicy } from '../policies/expert.ts';
import { runTask } from '../runner/chains/episode.ts';
import { runChain } from '../runner/chains/chain.ts';
import { demoTasks } from '../runner/chains/suite.ts';
import { generateChains } from '../scenes/chains.ts';
import { findScene } from '../scenes/load.ts';
import { latencySteps } from '../scenes/ood.ts';

async function everyTaskType(level: number, seed: number) {
  const env = new Env();
  const expert = new ExpertPolicy(env.privileged);
  const out: { task: string; success: boolean; lag: number }[] = [];
  for (const task of demoTasks()) {
    await env.reset({ seed, task, ood: { latency: level } });
    const r = await runTask(env, expert, task, { policySeed: seed });
    out.push({ task: task.name, success: r.success, lag: expert.inferredLatency });
  }
  env.close();
  return out;
}

describe('expert under action latency', () => {
  for (const [level, seed] of [[0.25, 21], [0.5, 22]]) {
    it(`solves every task type with ${latencySteps(level)} control step(s) of latency, having inferred it`, async () => {
      for (const r of await everyTaskType(level, seed)) {
        expect(r.success, `${r.task} (seed ${seed})`).toBe(true);
        expect(r.lag, r.task).toBe(latencySteps(level));
      }
    });
  }

  it('keeps its estimate across a chain and completes it with 2 steps of latency; without latency it infers none', async () => {
    const chain = generateChains({ scene: findScene('kitchen'), count: 1, seed: 5, steps: 5 })[0];
    for (const latency of [0.5, 0]) {
      const env = new Env();
      const expert = new ExpertPolicy(env.privileged);
      const r = await runChain(env, expert, chain, { runId: 't', mode: 'strict', seed: 5, repeat: 0, policySeed: 5, ood: { latency } });
      env.close();
      expect(r.steps.map((s) => s.success), `latency ${latency}`).toEqual(chain.steps.map(() => true));
      expect(expert.inferredLatency).toBe(latencySteps(latency));
    }
  });
});
