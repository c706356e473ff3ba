// Running one task: the control loop shared by single episodes (from a fresh reset), chain steps (from
// wherever the previous step left the world) and the controlled baseline. It times the policy and the
// physics, traces what happens for failure labelling, and never lets a policy exception escape.
import type { SceneSpec, TaskSpec } from '../../scenes/types.ts';
import type { Env, StepInfo } from '../../sim/env.ts';
import type { Penetration } from '../../sim/world.ts';
import { quatToRotVec } from '../../sim/kinematics.ts';
import { PolicyUnavailableError, type Observation, type Policy } from '../../sim/policy.ts';
import { TaskTrace } from './failures.ts';
import { HealthTally, compactHealth, type TaskHealth } from '../results/health.ts';
import type { BaselineRecord, FailureLabel } from '../results/records.ts';
import { UserError } from '../../scenes/errors.ts';

export interface TaskOutcome {
  task: string;
  success: boolean;
  /** Control steps used. */
  steps: number;
  /** Set when the task failed. */
  failure?: FailureLabel;
  /** Set when the policy threw or returned an invalid action. */
  error?: string;
  /** Objects the task does not name that it moved or toppled (also on success: side effects). */
  disturbed: string[];
  /** Deepest arm penetration seen (the `collision` signal), or null. */
  worstPenetration: Penetration | null;
  /** Policy latency per call (ms). */
  policyMs: number[];
  /** Physics time per control step (ms). */
  simMs: number[];
  /** Physics health over the task's control steps: whether the simulator, not the policy, produced what happened. */
  health: TaskHealth;
}

export interface TaskRunOptions {
  /** The policy's seed (fixed per episode or chain run). */
  policySeed: number;
  /** Position in the chain (0 for a single episode). */
  step?: number;
  /** The instruction to give (a paraphrase); default: the task's instruction. */
  instruction?: string;
  /** Called after every control step (a trajectory recorder). */
  onControlStep?: (info: StepInfo) => void;
  /**
   * LIBERO's wait (openpi's `num_steps_wait`): control steps of the do-nothing action (`idleAction`) sent
   * before the policy is reset and first asked, so objects dropped at reset settle. As in openpi's LIBERO
   * client they come on top of the task's budget (`while t < max_steps + num_steps_wait`), a goal that holds
   * during them is not yet a success, and they count in the outcome's `steps` (default 0).
   */
  idleSteps?: number;
}

/** LIBERO's dummy action `[0]*6 + [-1]` (stay, gripper open) in the env's action layout. */
export function idleAction(env: Env): number[] {
  if (env.actionMode === 'joint') return [...env.world.robot.q, -1];
  if (env.actionMode === 'abs_ee') {
    const tcp = env.world.robot.tcp;
    return [...tcp.pos, ...quatToRotVec(tcp.quat), -1];
  }
  return [0, 0, 0, 0, 0, 0, -1];
}

/** Run `task` from the env's current state until its goal holds or its step budget is spent. */
export async function runTask(env: Env, policy: Policy, task: TaskSpec, o: TaskRunOptions): Promise<TaskOutcome> {
  const instruction = o.instruction ?? task.instruction;
  const idle = o.idleSteps ?? 0;
  if (!Number.isInteger(idle) || idle < 0) throw new UserError(`idleSteps must be a whole number >= 0, got ${idle}`);
  const given = idle ? { ...task, maxSteps: task.maxSteps + idle } : task;
  let obs: Observation = env.setTask(instruction === task.instruction ? given : { ...given, instruction });
  const policyMs: number[] = [];
  const simMs: number[] = [];
  let worst: Penetration | null = null;
  const health = new HealthTally();
  const observeStep = (info: StepInfo) => {
    simMs.push(info.simMs);
    health.add(info.health);
    o.onControlStep?.(info);
    const p = info.penetrations[0];
    if (p && (!worst || p.depth > worst.depth)) worst = p;
  };
  for (let i = 0; i < idle; i++) {
    const r = env.step(idleAction(env));
    observeStep(r.info);
    obs = r.obs;
  }
  // The trace starts where the policy takes over, so objects settling during the wait are not its doing.
  const trace = new TaskTrace(env, task.goal, task.objectsOfInterest);
  const finish = (success: boolean, error?: string): TaskOutcome => {
    if (error !== undefined) trace.policyError = error;
    const r: TaskOutcome = { task: task.name, success, steps: env.steps, disturbed: trace.disturbed(), worstPenetration: worst, policyMs, simMs, health: health.result() };
    if (!success) r.failure = trace.label();
    if (error !== undefined) r.error = error;
    return r;
  };
  try {
    await policy.reset({ seed: o.policySeed, step: o.step ?? 0, task, instruction, actionMode: env.actionMode });
  } catch (e) {
    if (e instanceof PolicyUnavailableError) throw e;
    return finish(false, `policy.reset threw: ${(e as Error).message}`);
  }
  for (;;) {
    let result;
    try {
      const t0 = performance.now();
      const action = await policy.act(obs);
      policyMs.push(performance.now() - t0);
      // Cameras are rendered only if the policy will look at the next observation.
      result = env.step(action, { images: policy.needsImages?.() ?? true });
    } catch (e) {
      // An unreachable policy says nothing about this task: the runner redoes the episode or chain.
      if (e instanceof PolicyUnavailableError) throw e;
      return finish(false, (e as Error).message);
    }
    observeStep(result.info);
    trace.observe(result.info);
    obs = result.obs;
    if (result.terminated || result.truncated) return finish(result.info.success);
  }
}

export interface EpisodeResult extends TaskOutcome {
  seed: number;
}

/** One task from a fresh seeded reset (policy seed = env seed). */
export async function runEpisode(env: Env, policy: Policy, task: TaskSpec, seed: number): Promise<EpisodeResult> {
  await env.reset({ seed, task });
  return { ...(await runTask(env, policy, task, { policySeed: seed })), seed };
}

/** One controlled-baseline episode: `task` alone from a fresh reset at `seed` (also the policy seed). */
export async function runBaselineEpisode(
  env: Env, policy: Policy, task: TaskSpec, o: { runId: string; episode: number; seed: number; scene?: SceneSpec; idleSteps?: number },
): Promise<BaselineRecord> {
  await env.reset({ seed: o.seed, task, scene: o.scene });
  const out = await runTask(env, policy, task, { policySeed: o.seed, idleSteps: o.idleSteps });
  const rec: BaselineRecord = { runId: o.runId, task: task.name, episode: o.episode, seed: o.seed, success: out.success, steps: out.steps };
  if (out.failure) rec.failure = out.failure;
  rec.health = compactHealth(out.health);
  return rec;
}
