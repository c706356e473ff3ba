// Demonstrations: the scripted expert runs generated chains in the controlled setting (a fresh reset
// per chain, then each step from where the previous one left the world, as chains are evaluated), and
// every step it solves becomes one episode: per control step the two camera images at the size asked
// for, the state vector of an observation preset (runner's openpi presets: `libero` by default) and the
// action sent to the env, with the step's instruction as the task. Failed steps are left out (the data
// card counts them). With `single`, each distinct task of those chains is also demonstrated alone from
// fresh resets (LIBERO's kind of demonstration, and the start the controlled baseline evaluates from), at
// seeds of their own so they never coincide with the seeds `run` evaluates at. Episodes go to a LeRobot
// dataset as they are produced (runner/data/lerobot-dataset.ts).
import { generateChains } from '../../scenes/chains.ts';
import { findScene } from '../../scenes/load.ts';
import { Env } from '../../sim/env.ts';
import type { EpisodeStart, Observation, Policy } from '../../sim/policy.ts';
import type { ActionMode } from '../../sim/controller.ts';
import { CONTROL_HZ } from '../../sim/world.ts';
import { ExpertPolicy } from '../../policies/expert.ts';
import { PRESETS, type ObsPreset } from '../../policies/obs-preset.ts';
import { stateVector } from '../../policies/state-vector.ts';
import { STATE_PARTS } from '../../policies/onnx-manifest.ts';
import { CameraSet } from '../chains/actors.ts';
import { runChain } from '../chains/chain.ts';
import { runBaselineEpisode } from '../chains/episode.ts';
import { baselineTasks, deriveSeed } from '../chains/run.ts';
import { LeRobotWriter, type DemoFrame } from './lerobot-dataset.ts';
import { UserError } from '../../scenes/errors.ts';

export interface CollectOptions {
  out: string;
  scene?: string;
  /** Chains to run (each of `steps` steps); every solved step is an episode. */
  chains?: number;
  steps?: number;
  /** Single-task episodes from a fresh reset per distinct task of the chains (default 0). */
  single?: number;
  seed?: number;
  /** Observation preset whose state layout (and frame) the dataset's `observation.state` uses (default libero). */
  preset?: string;
  /** Side of the square camera images (default 128). */
  size?: number;
  actionMode?: ActionMode;
  onProgress?: (p: { chains: number; total: number; episodes: number; frames: number }) => void;
  /** Stop taking new chains or episodes when aborted (Ctrl-C): what was collected is kept and finished; `stopped` counts the rest. */
  signal?: AbortSignal;
}

export interface CollectResult {
  dir: string;
  episodes: number;
  frames: number;
  /** Steps the expert did not solve (left out). */
  failedSteps: number;
  /** Chains found already collected (resume). */
  resumedChains: number;
  /** Chains and single-task episodes not run because `signal` was aborted (0 when complete), of `planned`. */
  stopped?: number;
  planned?: number;
  seconds: number;
  bytes: number;
}

/** The expert, with every observation it is given and every action it returns kept for the current task. */
class DemoRecorder implements Policy {
  readonly id: string;
  frames: DemoFrame[] = [];
  start: EpisodeStart | null = null;

  constructor(private readonly expert: ExpertPolicy, private readonly preset: ObsPreset) {
    this.id = expert.id;
  }

  reset(start: EpisodeStart): void | Promise<void> {
    this.start = start;
    this.frames = [];
    return this.expert.reset(start);
  }

  async act(obs: Observation): Promise<ArrayLike<number>> {
    const action = await this.expert.act(obs);
    const img = (name: string) => {
      const im = obs.images?.[name];
      if (!im) throw new Error(`collect: the observation has no ${name} image`);
      return im;
    };
    this.frames.push({
      image: img('agentview'), wristImage: img('wrist'),
      state: Array.from(stateVector(obs.state, this.preset.stateLayout, undefined, this.preset.liberoFrame)),
      action: Array.from(action),
    });
    return action;
  }
}

/** Collect expert demonstrations into a LeRobot dataset at `o.out` (resumes a partial one). */
export async function collectDemos(o: CollectOptions): Promise<CollectResult> {
  const t0 = performance.now();
  const sceneName = o.scene ?? 'kitchen';
  const scene = findScene(sceneName);
  const nChains = o.chains ?? 50, steps = o.steps ?? 10, seed = o.seed ?? 0, size = o.size ?? 128, single = o.single ?? 0;
  if (!Number.isInteger(single) || single < 0) throw new UserError(`collect: single must be a whole number of episodes per task (0 or more), got ${single}`);
  const preset = PRESETS[o.preset ?? 'libero'];
  if (!preset) throw new Error(`collect: preset "${o.preset}" is not one of ${Object.keys(PRESETS).join(', ')}`);
  if (!Number.isInteger(size) || size < 16 || size > 512) throw new UserError(`collect: size must be a whole number of pixels in 16..512, got ${size}`);
  const actionMode = o.actionMode ?? 'delta_ee';
  const writer = LeRobotWriter.open(o.out, {
    fps: CONTROL_HZ, imageSize: size, stateNames: preset.stateLayout, stateSize: preset.stateLayout.reduce((n, p) => n + STATE_PARTS[p], 0),
    actionMode,
    // The chain count is not part of it: chains are generated in a fixed order, so asking for more
    // chains later extends a collection (and a stopped one resumes).
    config: { scene: sceneName, steps, seed, preset: preset.name, size, actionMode },
  });
  const chains = generateChains({ scene, count: nChains, steps, seed });
  const tasks = baselineTasks(chains);
  const env = new Env({ actionMode, cameras: ['agentview', 'wrist'], renderer: new CameraSet([{ camera: 'agentview', width: size, height: size }, { camera: 'wrist', width: size, height: size }]) });
  const recorder = new DemoRecorder(new ExpertPolicy(env.privileged), preset);
  let failedSteps = 0, resumedChains = 0, stopped = 0;
  // Let the event loop turn (a Ctrl-C handler runs); true once interrupted.
  const interrupted = async () => (o.signal ? (await new Promise((resolve) => setImmediate(resolve)), o.signal.aborted) : false);
  try {
    for (const [i, chain] of chains.entries()) {
      if (writer.hasChain(chain.name)) { resumedChains++; continue; }
      if (await interrupted()) { stopped++; continue; }
      const episodes: { task: string; instruction: string; step: number; frames: DemoFrame[] }[] = [];
      await runChain(env, recorder, chain, {
        runId: 'collect', mode: 'strict', repeat: 0, seed: deriveSeed(seed, 'chain', chain.name), policySeed: deriveSeed(seed, 'policy', chain.name, 0),
        onStep: (s) => {
          if (s.success && recorder.start) episodes.push({ task: s.task, instruction: recorder.start.instruction, step: s.index, frames: recorder.frames });
          else failedSteps++;
          recorder.frames = [];
        },
      });
      // A chain's episodes are written together, so a resumed collection never holds half a chain.
      writer.appendChain(chain.name, episodes);
      o.onProgress?.({ chains: i + 1, total: chains.length + tasks.length * single, episodes: writer.episodes, frames: writer.frames });
    }
    let done = chains.length;
    for (let e = 0; e < single; e++) {
      for (const task of tasks) {
        done++;
        const unit = `single:${task.name}:${e}`;
        if (writer.hasChain(unit)) { resumedChains++; continue; }
        if (await interrupted()) { stopped++; continue; }
        const rec = await runBaselineEpisode(env, recorder, task, { runId: 'collect', episode: e, seed: deriveSeed(seed, 'demo', task.name, e), scene: chains.find((c) => c.scene === task.scene)?.sceneSpec });
        if (rec.success && recorder.start) writer.appendChain(unit, [{ task: task.name, instruction: recorder.start.instruction, step: 0, frames: recorder.frames }]);
        else { failedSteps++; writer.appendChain(unit, []); }
        recorder.frames = [];
        o.onProgress?.({ chains: done, total: chains.length + tasks.length * single, episodes: writer.episodes, frames: writer.frames });
      }
    }
    writer.finish({ failedSteps });
  } finally {
    env.close();
  }
  return { dir: o.out, episodes: writer.episodes, frames: writer.frames, failedSteps, resumedChains, stopped, planned: chains.length + tasks.length * single, seconds: (performance.now() - t0) / 1000, bytes: writer.bytes() };
}

