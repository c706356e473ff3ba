// Evaluate a policy on a list of tasks, each from fresh seeded resets: per-task success with 95%
// Wilson intervals, step counts, collisions and cost. `chaingap demo` is a thin layer over this.
import type { TaskSpec } from '../../scenes/types.ts';
import { findTask, listTasks } from '../../scenes/load.ts';
import { Env, type EnvOptions } from '../../sim/env.ts';
import type { Policy } from '../../sim/policy.ts';
import type { PrivilegedState } from '../../sim/privileged.ts';
import { runEpisode, type EpisodeResult } from './episode.ts';
import { quantile, wilson } from '../results/stats.ts';

export interface TaskSummary {
  task: string;
  type: string;
  scene: string;
  episodes: number;
  successes: number;
  rate: number;
  ci: [number, number];
  meanSteps: number;
  /** Episodes in which the arm penetrated something deeper than the tolerance. */
  collisions: number;
  /** Seeds that failed, for replay. */
  failedSeeds: number[];
  msPerEpisode: number;
  simMsPerStepP50: number;
}

export interface SuiteOptions {
  tasks: TaskSpec[];
  episodes: number;
  /** First seed; episode i uses seed firstSeed + i. */
  firstSeed?: number;
  /** Builds the policy for an env (the expert needs the env's privileged state). */
  makePolicy: (privileged: PrivilegedState) => Policy;
  env?: EnvOptions;
  onEpisode?: (r: EpisodeResult, done: number, total: number) => void;
}

export async function evaluateTasks(o: SuiteOptions): Promise<TaskSummary[]> {
  const env = new Env(o.env);
  const policy = o.makePolicy(env.privileged);
  const out: TaskSummary[] = [];
  const total = o.tasks.length * o.episodes;
  let done = 0;
  try {
    for (const task of o.tasks) {
      const results: EpisodeResult[] = [];
      const t0 = performance.now();
      for (let i = 0; i < o.episodes; i++) {
        const r = await runEpisode(env, policy, task, (o.firstSeed ?? 0) + i);
        results.push(r);
        o.onEpisode?.(r, ++done, total);
      }
      const k = results.filter((r) => r.success).length;
      out.push({
        task: task.name, type: task.type, scene: task.scene, episodes: o.episodes, successes: k,
        rate: k / o.episodes, ci: wilson(k, o.episodes),
        meanSteps: results.reduce((a, r) => a + r.steps, 0) / o.episodes,
        collisions: results.filter((r) => r.worstPenetration).length,
        failedSeeds: results.filter((r) => !r.success).map((r) => r.seed),
        msPerEpisode: (performance.now() - t0) / o.episodes,
        simMsPerStepP50: quantile(results.flatMap((r) => r.simMs), 0.5),
      });
    }
  } finally {
    await policy.close?.();
    env.close();
  }
  return out;
}

/** One task per task type from the shipped baseline scenes (the first by name): `chaingap tasks`' default. */
export function demoTasks(): TaskSpec[] {
  const byType = new Map<string, TaskSpec>();
  for (const name of listTasks()) {
    const t = findTask(name);
    if (!byType.has(t.type)) byType.set(t.type, t);
  }
  return [...byType.values()];
}
