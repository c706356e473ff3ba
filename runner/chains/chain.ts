// Running one chain: N tasks in ONE episode without reset. Before each step the runner reads the
// symbolic state off the simulator and checks that the step is still possible; a step that is not is
// recorded as failed with `precondition_broken` and not attempted. Strict mode stops at the first
// failure (CALVIN); continue mode moves on to the next step that is still possible (recovery).
import seedrandom from 'seedrandom';
import { CHECK_MARGINS, applyGoal, sceneFacts, type SceneFacts } from '../../scenes/chain-model.ts';
import { findScene } from '../../scenes/load.ts';
import { activeLevels, type OodLevels } from '../../scenes/ood.ts';
import type { ChainSpec, SceneSpec } from '../../scenes/types.ts';
import type { Env, StepInfo } from '../../sim/env.ts';
import type { CameraImage, Policy } from '../../sim/policy.ts';
import { runTask } from './episode.ts';
import { compactHealth, mergeHealth } from '../results/health.ts';
import { perceive } from './perceive.ts';
import type { ChainRecord, StepRecord } from '../results/records.ts';
import type { ChainObserver } from '../view/recording.ts';

export type ChainMode = 'strict' | 'continue';
/** Which phrasing each step gets: always the training instruction, or a seeded draw among all phrasings. */
export type ParaphraseMode = 'instruction' | 'random';

export interface ChainRunOptions {
  runId: string;
  mode: ChainMode;
  /** Env seed: layout and fixture placement noise. Repeats of a chain share it. */
  seed: number;
  repeat: number;
  /** Policy seed; differs between repeats. */
  policySeed: number;
  paraphrases?: ParaphraseMode;
  /** OOD levels of the chain's reset (default: the controlled setting). */
  ood?: OodLevels;
  scene?: SceneSpec;
  /** Called after each step. */
  onStep?: (s: StepRecord) => void;
  /** Follows the chain's trajectory: a recorder (runner/view/recording.ts), a live stream (runner/view/live.ts) or both (`observeAll`). */
  recorder?: ChainObserver;
  /** Render this camera at the start and after each step (the env needs a renderer); frames go to `onFrame`. */
  frameCamera?: string;
  onFrame?: (img: CameraImage, afterStep: number) => void;
  /** LIBERO's wait: do-nothing control steps after the reset, before the first attempted step's policy acts (runTask's `idleSteps`; counted in that step's `steps`; default 0). */
  idleSteps?: number;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

export async function runChain(env: Env, policy: Policy, chain: ChainSpec, o: ChainRunOptions): Promise<ChainRecord> {
  const t0 = performance.now();
  const scene = o.scene ?? chain.sceneSpec ?? findScene(chain.scene);
  const facts: SceneFacts = sceneFacts(scene);
  await env.reset({ seed: o.seed, task: { ...chain.steps[0], init: chain.init }, scene, ood: o.ood });
  const pr = seedrandom(`${o.policySeed}:paraphrase`);
  const frame = (afterStep: number) => {
    if (o.frameCamera && o.onFrame) o.onFrame(env.render([o.frameCamera])[o.frameCamera], afterStep);
  };
  frame(-1);
  o.recorder?.begin(env);
  const steps: StepRecord[] = [];
  const latencyMs: number[] = [];
  const simMsPerStep: number[] = [];
  let idleSteps = o.idleSteps ?? 0;
  for (let j = 0; j < chain.steps.length; j++) {
    const task = chain.steps[j];
    // Objects the novel_objects axis swapped for generated kinds are named by their new names.
    const renamed = Object.values(env.world.scene.ood?.renamed ?? {});
    const phrasings = [task.instruction, ...task.paraphrases].map((t) => renamed.reduce((x, r) => x.split(r.from).join(r.to), t));
    // The language axis: a phrasing whose distance from the training phrasing (its rank among the
    // phrasings, scaled to [0, 1]) is at most the level; `random`: any phrasing.
    const lang = o.ood?.language ?? 0;
    const reach = o.paraphrases === 'random' ? phrasings.length - 1 : Math.floor(lang * (phrasings.length - 1) + 1e-9);
    const paraphrase = reach > 0 ? Math.floor(pr() * (reach + 1)) : 0;
    let rec: StepRecord;
    o.recorder?.stepStart(j, task.name, phrasings[paraphrase]);
    const possible = applyGoal(facts, perceive(env, facts), task.goal, CHECK_MARGINS);
    if (typeof possible === 'string') {
      rec = { index: j, task: task.name, paraphrase, success: false, failure: 'precondition_broken', steps: 0, note: possible };
    } else {
      const onControlStep = o.recorder ? (info: StepInfo) => o.recorder!.controlStep(info) : undefined;
      const out = await runTask(env, policy, task, { policySeed: o.policySeed, step: j, instruction: phrasings[paraphrase], onControlStep, idleSteps });
      idleSteps = 0;
      rec = { index: j, task: task.name, paraphrase, success: out.success, steps: out.steps };
      if (out.failure) rec.failure = out.failure;
      if (out.error) rec.note = out.error;
      if (out.disturbed.length) rec.disturbed = out.disturbed;
      rec.health = compactHealth(out.health);
      for (const x of out.policyMs) latencyMs.push(round3(x));
      for (const x of out.simMs) simMsPerStep.push(round3(x));
    }
    steps.push(rec);
    o.recorder?.stepEnd(rec.success, rec.failure);
    o.onStep?.(rec);
    frame(j);
    if (!rec.success && o.mode === 'strict') break;
  }
  o.recorder?.end?.();
  return {
    runId: o.runId, chainId: chain.name, seed: o.seed, repeat: o.repeat, policySeed: o.policySeed,
    policy: policy.id, mode: o.mode, ood: activeLevels(o.ood), length: chain.steps.length, tasks: chain.steps.map((t) => t.name),
    steps, latencyMs, simMsPerStep, wallMs: Math.round(performance.now() - t0),
    health: mergeHealth(steps.flatMap((s) => (s.health ? [s.health] : []))),
  };
}
