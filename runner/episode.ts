// Run one policy on one task from a fresh reset: the unit every measurement is built from.
import type { TaskSpec } from '../scenes/types.ts';
import type { Env } from '../sim/env.ts';
import type { Penetration } from '../sim/world.ts';
import type { Policy } from '../sim/policy.ts';

export interface EpisodeResult {
  task: string;
  seed: number;
  success: boolean;
  /** Control steps used. */
  steps: number;
  /** Deepest arm penetration seen (the `collision` signal), or null. */
  worstPenetration: Penetration | null;
  /** Policy latency per call (ms). */
  policyMs: number[];
  /** Physics time per control step (ms). */
  simMs: number[];
  /** Set when the policy threw or returned an invalid action. */
  error?: string;
}

export async function runEpisode(env: Env, policy: Policy, task: TaskSpec, seed: number): Promise<EpisodeResult> {
  let { obs } = await env.reset({ seed, task });
  await policy.reset({ seed, task, instruction: task.instruction, actionMode: env.actionMode });
  const policyMs: number[] = [];
  const simMs: number[] = [];
  let worst: Penetration | null = null;
  for (;;) {
    let action: ArrayLike<number>;
    let result;
    try {
      const t0 = performance.now();
      action = await policy.act(obs);
      policyMs.push(performance.now() - t0);
      result = env.step(action);
    } catch (e) {
      return { task: task.name, seed, success: false, steps: env.steps, worstPenetration: worst, policyMs, simMs, error: (e as Error).message };
    }
    simMs.push(result.info.simMs);
    const p = result.info.penetrations[0];
    if (p && (!worst || p.depth > worst.depth)) worst = p;
    obs = result.obs;
    if (result.terminated || result.truncated) {
      return { task: task.name, seed, success: result.info.success, steps: result.info.steps, worstPenetration: worst, policyMs, simMs };
    }
  }
}
