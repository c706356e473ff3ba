// What a policy sees and returns. Policies see observations, never the physics world; the scripted
// expert is the one exception and reads privileged state through `PrivilegedState` (sim/privileged.ts).
import { UserError } from '../scenes/errors.ts';
import type { Quat, TaskSpec, Vec3 } from '../scenes/types.ts';
import type { ActionMode } from './controller.ts';

export interface RobotStateObs {
  /** TCP position in the base frame (m). */
  eePos: Vec3;
  /** TCP orientation, [x, y, z, w]. */
  eeQuat: Quat;
  /** Opening between the finger pads (m, 0..0.08). */
  gripperWidth: number;
  /** The 7 joint positions (rad). */
  joints: number[];
}

/** One camera's image: RGB uint8 (HWC), optional depth (m) and segmentation ids. */
export interface CameraImage {
  width: number;
  height: number;
  rgb: Uint8Array;
  depth?: Float32Array;
  segmentation?: Int32Array;
}

export interface Observation {
  state: RobotStateObs;
  instruction: string;
  /** Camera images by camera name ("agentview", "wrist"), present when the env was asked for cameras. */
  images?: Record<string, CameraImage>;
}

/** What a policy learns at the start of each episode (or each task of a chain). */
export interface EpisodeStart {
  /** The policy's seed: fixed for a whole episode or chain, different between repeats. */
  seed: number;
  /** Position of this task in its chain (0-based; 0 for a single-task episode). */
  step?: number;
  task: TaskSpec;
  instruction: string;
  actionMode: ActionMode;
}

export interface Policy {
  readonly id: string;
  /** Called at each episode start and whenever the task changes within a chain. */
  reset(start: EpisodeStart): void | Promise<void>;
  /** One action for the current observation, in the env's action mode. */
  act(obs: Observation): ArrayLike<number> | Promise<ArrayLike<number>>;
  /**
   * Whether the next `act` will read the observation's camera images (absent: always). Asked after each
   * `act`; when false the env renders nothing for that step. A chunked policy part-way through its chunk
   * answers false, so cameras are rendered only on the steps it asks its model.
   */
  needsImages?(): boolean;
  close?(): void | Promise<void>;
}

/**
 * Thrown by a policy that cannot be reached (a remote server whose connection dropped): the episode or
 * chain it interrupted says nothing about the policy, so runners redo it instead of scoring a failure.
 */
export class PolicyUnavailableError extends UserError {}
