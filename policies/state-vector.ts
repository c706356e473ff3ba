// The robot state as the flat vector a learned policy is fed: the manifest's (or the remote preset's)
// layout of parts from STATE_PARTS, concatenated in order.
import type { RobotStateObs } from '../sim/policy.ts';
import { STATE_PARTS, type StatePart } from './onnx-manifest.ts';

/**
 * Axis-angle vector of a unit quaternion [x, y, z, w] as robosuite's quat2axisangle computes it for
 * LIBERO policies: angle 2 * atan2(|xyz|, w) in [0, 2 pi), no hemisphere flip. Unlike the log map, it is
 * continuous where w crosses 0, which is the gripper-down pose, and it survives a float32 round trip
 * through axisAngleToQuat (obs-preset.ts) at angles near pi.
 */
export function quatToAxisAngle(q: readonly number[]): [number, number, number] {
  const [x, y, z, w] = q;
  const s = Math.hypot(x, y, z);
  if (s < 1e-12) return [0, 0, 0];
  const k = (2 * Math.atan2(s, w)) / s;
  return [x * k, y * k, z * k];
}

/** The values of one state part. */
export function statePart(state: RobotStateObs, part: StatePart): number[] {
  switch (part) {
    case 'ee_pos': return [...state.eePos];
    case 'ee_quat': return [...state.eeQuat];
    case 'ee_axis_angle': return quatToAxisAngle(state.eeQuat);
    case 'gripper_width': return [state.gripperWidth];
    case 'gripper_qpos': return [state.gripperWidth / 2, -state.gripperWidth / 2];
    case 'joints': return [...state.joints];
  }
}

/** The state vector for a layout, optionally normalised as (x - mean) / std. */
export function stateVector(state: RobotStateObs, layout: readonly StatePart[], norm?: { mean?: readonly number[]; std?: readonly number[] }): Float32Array {
  const n = layout.reduce((s, p) => s + STATE_PARTS[p], 0);
  const out = new Float32Array(n);
  let k = 0;
  for (const p of layout) for (const v of statePart(state, p)) out[k++] = v;
  if (norm?.mean || norm?.std) for (let i = 0; i < n; i++) out[i] = (out[i] - (norm.mean?.[i] ?? 0)) / (norm.std?.[i] ?? 1);
  return out;
}
