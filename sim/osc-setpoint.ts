// The `osc_pose` action mode: robosuite's OSC_POSE controller as LIBERO runs it, reduced to the
// task-space motion it aims for. Each control step a delta action sets the goal pose to the measured
// pose plus the scaled delta (robosuite's set_goal with control_delta: true), and the TCP follows
// x'' = kp (goal - x) - kd x' with kd = 2 sqrt(kp) * damping ratio, its velocity carried from step to step,
// instead of jumping the full delta as `delta_ee` does. The closed-form response gives the pose at the end
// of the control step; the arm reaches it by IK with its joints interpolated over the physics substeps.
// Gains, scaling and the measured step response: docs/libero-conventions.md.
import { quatFromAxisAngle, quatMul, quatRotationError, type Pose } from './kinematics.ts';

/** robosuite 1.4's controllers/config/osc_pose.json, which LIBERO loads (`load_controller_config(default_controller="OSC_POSE")`). */
export const OSC_POSE = {
  /** [-1, 1] (input_max 1) maps to output_max per control step: 0.05 m and 0.5 rad. */
  inputMax: 1,
  outputMax: { pos: 0.05, rot: 0.5 },
  /** Stiffness (1/s^2), position and orientation alike. robosuite's `damping` 1 is a damping ratio: kd = 2 sqrt(kp). */
  kp: 150,
} as const;

/** The response's natural frequency sqrt(kp) (rad/s); damping ratio 1 makes it critically damped (settle below). */
export const OSC_OMEGA = Math.sqrt(OSC_POSE.kp);

/** What the tracker carries between control steps (part of an env snapshot). */
export interface OscSetpointState {
  /** TCP velocity at the end of the last control step: linear (m/s) and angular (rad/s), base frame. */
  vel: number[];
  /** Where the last step started and where it should have ended (null before the first step). */
  from: Pose | null;
  expected: Pose | null;
}

/** Measured pose further than this from where the last step should have ended: the arm was held back. */
const HELD_BACK = { pos: 1e-3, rot: 0.01 };

/** One critically damped axis over `t`: error e (goal - x) and the velocity, from e0 and the velocity v0. */
function settle(e0: number, v0: number, t: number): { e: number; v: number } {
  const w = OSC_OMEGA, de0 = -v0, b = de0 + w * e0, decay = Math.exp(-w * t);
  return { e: (e0 + b * t) * decay, v: -(de0 - w * b * t) * decay };
}

export class OscSetpoint {
  private s: OscSetpointState = { vel: [0, 0, 0, 0, 0, 0], from: null, expected: null };

  constructor(private readonly controlDt: number) {}

  /**
   * The pose the TCP should reach at the end of this control step for a 7-D action (the first 6 entries
   * are read, clipped to [-1, 1]), starting from the measured pose `current`.
   */
  target(action: ArrayLike<number>, current: Pose): Pose {
    const T = this.controlDt;
    this.correctForHoldBack(current);
    const c = (x: number) => (Math.max(-OSC_POSE.inputMax, Math.min(OSC_POSE.inputMax, x)) / OSC_POSE.inputMax);
    const e0 = [0, 1, 2].map((i) => c(action[i]) * OSC_POSE.outputMax.pos).concat([3, 4, 5].map((i) => c(action[i]) * OSC_POSE.outputMax.rot));
    const out = e0.map((e, i) => settle(e, this.s.vel[i], T));
    // Moved by the goal's offset minus what is left of it; rotations as world-frame rotation vectors.
    const dp = [0, 1, 2].map((i) => e0[i] - out[i].e);
    const dr = [3, 4, 5].map((i) => e0[i] - out[i].e);
    const ang = Math.hypot(dr[0], dr[1], dr[2]);
    const quat = ang < 1e-12 ? current.quat : quatMul(quatFromAxisAngle(dr, ang), current.quat);
    const next: Pose = { pos: [current.pos[0] + dp[0], current.pos[1] + dp[1], current.pos[2] + dp[2]], quat: quat as Pose['quat'] };
    this.s = { vel: out.map((o) => o.v), from: current, expected: next };
    return next;
  }

  /**
   * When contact, a joint limit or the velocity cap kept the arm from the pose the last step aimed at,
   * the velocity it carries on is what it actually did over that step, not what the model predicted.
   */
  private correctForHoldBack(current: Pose): void {
    const { from, expected } = this.s;
    if (!from || !expected) return;
    const off = Math.hypot(current.pos[0] - expected.pos[0], current.pos[1] - expected.pos[1], current.pos[2] - expected.pos[2]);
    const offRot = Math.hypot(...quatRotationError(expected.quat, current.quat));
    if (off <= HELD_BACK.pos && offRot <= HELD_BACK.rot) return;
    const T = this.controlDt;
    const w = quatRotationError(current.quat, from.quat);
    this.s.vel = [0, 1, 2].map((i) => (current.pos[i] - from.pos[i]) / T).concat(w.map((x) => x / T));
  }

  saveState(): OscSetpointState {
    return structuredClone(this.s);
  }

  loadState(s: OscSetpointState): void {
    this.s = structuredClone(s);
  }
}
