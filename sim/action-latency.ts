// The latency OOD axis: the arm executes the action a policy sent `steps` control steps earlier (a
// policy server's inference time, a slow bus). Until the first delayed action arrives the arm holds
// still with the gripper where it is. The queue is part of an env snapshot, so a restore replays the
// same actions.
import type { ActionMode } from './controller.ts';
import { GRIPPER } from './robot.ts';
import type { SimWorld } from './world.ts';
import { UserError } from '../scenes/errors.ts';

/** The actions sent but not yet executed (oldest first). */
export interface ActionLatencyState {
  queue: number[][];
}

export class ActionLatency {
  private queue: number[][] = [];

  constructor(readonly steps: number) {
    if (!(Number.isInteger(steps) && steps >= 0)) throw new UserError(`action latency must be a whole number of control steps >= 0, got ${steps}`);
  }

  /** The action to execute now: the one sent `steps` control steps ago, or holding still before the first arrives. */
  delay(action: ArrayLike<number>, mode: ActionMode, sim: SimWorld): ArrayLike<number> {
    if (this.steps <= 0) return action;
    this.queue.push(Array.from(action));
    if (this.queue.length > this.steps) return this.queue.shift()!;
    // Delta modes hold still with a zero delta (osc_pose: the goal stays where the arm is).
    if (mode === 'delta_ee' || mode === 'osc_pose') {
      const g = 1 - (2 * sim.robot.gripperTarget) / GRIPPER.maxWidth;
      return [0, 0, 0, 0, 0, 0, g];
    }
    // Absolute modes: the oldest action sent stands in (there is no "no move" in them).
    return this.queue[0];
  }

  saveState(): ActionLatencyState {
    return { queue: this.queue.map((a) => [...a]) };
  }

  loadState(s: ActionLatencyState): void {
    this.queue = s.queue.map((a) => [...a]);
  }
}
