// The robot state as the flat vector a learned policy is fed: the manifest's (or the remote preset's)
// layout of parts from STATE_PARTS, concatenated in order. Pose parts are in chaingap's robot base frame,
// or in LIBERO's world frame when a LIBERO problem type is given (policies/libero-frame.ts).
import type { Quat } from '../scenes/types.ts';
import type { RobotStateObs } from '../sim/policy.ts';
import { liberoEefPos, type LiberoProblem } from './libero-frame.ts';
import { STATE_PARTS, type StatePart } from './onnx-manifest.ts';

/**
 * q or -q, whichever lies in LIBERO's hemisphere: x >= 0 (x = 0: w >= 0). The reference is the gripper
 * pointing down and facing +x, [1, 0, 0, 0]. MuJoCo's eef quaternion in LIBERO lives there (the
 * axis-angle x component is 1.5..3.3 over LIBERO's data); the sign changes only where x crosses 0,
 * with the gripper yawed 180 degrees from facing +x or pointing up. chaingap's own quaternions keep
 * w >= 0 and so flip sign where w crosses 0, which is exactly the gripper-down pose.
 */
export function liberoHemisphere(q: readonly number[]): Quat {
  const keep = q[0] > 0 || (q[0] === 0 && q[3] >= 0);
  return keep ? [q[0], q[1], q[2], q[3]] : [-q[0], -q[1], -q[2], -q[3]];
}

/**
 * Axis-angle vector of a unit quaternion [x, y, z, w] as robosuite's quat2axisangle computes it for
 * LIBERO policies (angle 2 * atan2(|xyz|, w) in [0, 2 pi)), taken in LIBERO's hemisphere
 * (liberoHemisphere): continuous through the gripper-down pose, x component near +pi there, as in
 * LIBERO's data. It survives a float32 round trip through axisAngleToQuat (obs-preset.ts) at angles near pi.
 */
export function quatToAxisAngle(q: readonly number[]): [number, number, number] {
  const [x, y, z, w] = liberoHemisphere(q);
  const s = Math.hypot(x, y, z);
  if (s < 1e-12) return [0, 0, 0];
  const k = (2 * Math.atan2(s, w)) / s;
  return [x * k, y * k, z * k];
}

/** The values of one state part; pose parts in LIBERO's world frame for `libero` (else the base frame). */
export function statePart(state: RobotStateObs, part: StatePart, libero?: LiberoProblem): number[] {
  switch (part) {
    case 'ee_pos': return libero ? liberoEefPos(state, libero) : [...state.eePos];
    case 'ee_quat': return libero ? liberoHemisphere(state.eeQuat) : [...state.eeQuat];
    case 'ee_axis_angle': return quatToAxisAngle(state.eeQuat);
    case 'gripper_width': return [state.gripperWidth];
    case 'gripper_qpos': return [state.gripperWidth / 2, -state.gripperWidth / 2];
    case 'joints': return [...state.joints];
  }
}

/** The state vector for a layout, optionally normalised as (x - mean) / std, pose parts as in statePart. */
export function stateVector(
  state: RobotStateObs, layout: readonly StatePart[], norm?: { mean?: readonly number[]; std?: readonly number[] }, libero?: LiberoProblem,
): Float32Array {
  const n = layout.reduce((s, p) => s + STATE_PARTS[p], 0);
  const out = new Float32Array(n);
  let k = 0;
  for (const p of layout) for (const v of statePart(state, p, libero)) out[k++] = v;
  if (norm?.mean || norm?.std) for (let i = 0; i < n; i++) out[i] = (out[i] - (norm.mean?.[i] ?? 0)) / (norm.std?.[i] ?? 1);
  return out;
}
