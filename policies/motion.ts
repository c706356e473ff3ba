// Motion phases for the scripted expert: each phase names a TCP target (position + yaw of a
// top-down hand), a gripper command and a completion test; the runner turns the current phase into
// one 7-D delta end-effector action per control step, exactly what a learned policy would send.
import type { Quat, Vec3 } from '../scenes/types.ts';
import { quatFromAxisAngle, quatMul, quatRotate, quatRotationError } from '../sim/kinematics.ts';
import { DELTA_SCALE } from '../sim/controller.ts';

/** Hand pointing straight down with its x axis along world +x (the Panda's ready orientation). */
export const DOWN: Quat = [1, 0, 0, 0];

export interface TcpTarget {
  pos: Vec3;
  /** Rotation of the downward hand about world z (rad). */
  yaw: number;
  /**
   * Tilt of the hand about its closing axis, away from pointing down (rad; default 0): at pi/2 the
   * hand points horizontally along its yaw direction (how things go into a shelf layer from the front).
   */
  tilt?: number;
  /**
   * Roll of the hand about its own x axis, away from pointing down (rad; default 0): at pi/2 the hand
   * points horizontally against its closing direction and the fingers close vertically (a flat thing
   * held from above and below).
   */
  roll?: number;
}

export interface Phase {
  name: string;
  /** Called once when the phase starts (capture poses here). */
  start?: () => void;
  target: () => TcpTarget;
  /** Gripper command, -1 open .. +1 close. */
  grip: number;
  /** Largest translation per control step as a fraction of DELTA_SCALE.pos (0..1). */
  speed: number;
  /** The phase is over when this holds (checked before acting). */
  done: () => boolean;
  /** Give up on the whole plan after this many control steps in the phase. */
  maxSteps: number;
  /** Optional: called when maxSteps runs out; returning phases replaces the rest of the plan (a retry). */
  onTimeout?: () => Phase[] | null;
}

export function quatForYaw(yaw: number): Quat {
  return quatMul(quatFromAxisAngle([0, 0, 1], yaw), DOWN) as Quat;
}

/** The hand orientation a target asks for: its yaw, then its roll about the hand's x axis, then its tilt about its closing (y) axis. */
export function quatFor(t: TcpTarget): Quat {
  let q = quatForYaw(t.yaw);
  if (t.roll) q = quatMul(q, quatFromAxisAngle([1, 0, 0], t.roll)) as Quat;
  if (t.tilt) q = quatMul(q, quatFromAxisAngle([0, 1, 0], t.tilt)) as Quat;
  return q;
}

/**
 * Yaw of the hand from its quaternion, read from its closing (y) axis, which a tilt leaves level:
 * the same as `yawOf` for a hand pointing down, and defined for a hand pointing sideways.
 */
export function handYaw(q: ArrayLike<number>): number {
  const y = quatRotate(q, [0, 1, 0]);
  return Math.atan2(y[0], -y[1]);
}

/** Yaw of a downward hand from its quaternion (direction of its x axis in the xy plane). */
export function yawOf(q: ArrayLike<number>): number {
  const x = quatRotate(q, [1, 0, 0]);
  return Math.atan2(x[1], x[0]);
}

/** Wrap an angle to (-pi, pi]. */
export function wrap(a: number): number {
  let x = a % (2 * Math.PI);
  if (x <= -Math.PI) x += 2 * Math.PI;
  if (x > Math.PI) x -= 2 * Math.PI;
  return x;
}

/**
 * The yaw (mod pi, since the two fingers are symmetric) closest to `near` that makes the fingers
 * close along world direction angle `theta`. The hand's y axis is (sin yaw, -cos yaw).
 */
export function yawClosingAlong(theta: number, near = 0): number {
  return closestModPi(theta + Math.PI / 2, near);
}

/** The yaw (mod pi) closest to `near` that points the hand's x axis along direction angle `theta`. */
export function yawFacing(theta: number, near = 0): number {
  return closestModPi(theta, near);
}

function closestModPi(a: number, near: number): number {
  let best = wrap(a);
  for (const k of [-2, -1, 1, 2]) {
    const c = a + k * Math.PI;
    if (Math.abs(wrap(c - near)) < Math.abs(wrap(best - near)) && Math.abs(c) <= Math.PI * 0.75) best = c;
  }
  // Keep within the wrist's comfortable range around the ready yaw.
  if (best > Math.PI / 2 + 0.35) best -= Math.PI;
  if (best < -Math.PI / 2 - 0.35) best += Math.PI;
  return best;
}

/** One delta action that moves the TCP towards a target, capped per axis. */
export function actionTowards(cur: { pos: ArrayLike<number>; quat: ArrayLike<number> }, t: TcpTarget, grip: number, speed: number): number[] {
  const d: number[] = [t.pos[0] - cur.pos[0], t.pos[1] - cur.pos[1], t.pos[2] - cur.pos[2]];
  const n = Math.hypot(d[0], d[1], d[2]);
  const max = speed * DELTA_SCALE.pos;
  const s = n > max ? max / n : 1;
  const e = quatRotationError(quatFor(t), cur.quat);
  const rmax = 0.6;
  const rn = Math.hypot(e[0], e[1], e[2]) / DELTA_SCALE.rot;
  const rs = rn > rmax ? rmax / rn : 1;
  return [
    (d[0] * s) / DELTA_SCALE.pos, (d[1] * s) / DELTA_SCALE.pos, (d[2] * s) / DELTA_SCALE.pos,
    (e[0] * rs) / DELTA_SCALE.rot, (e[1] * rs) / DELTA_SCALE.rot, (e[2] * rs) / DELTA_SCALE.rot,
    grip,
  ];
}

export function reached(cur: { pos: ArrayLike<number>; quat: ArrayLike<number> }, t: TcpTarget, posTol: number, yawTol = 0.05): boolean {
  const d = Math.hypot(t.pos[0] - cur.pos[0], t.pos[1] - cur.pos[1], t.pos[2] - cur.pos[2]);
  const e = quatRotationError(quatFor(t), cur.quat);
  return d <= posTol && Math.hypot(e[0], e[1], e[2]) <= yawTol;
}
