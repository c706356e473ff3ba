// The robot state as the flat vector a learned policy is fed: the manifest's (or the remote preset's)
// layout of parts from STATE_PARTS, concatenated in order.
import { quatToRotVec } from '../sim/kinematics.ts';
import type { RobotStateObs } from '../sim/policy.ts';
import { STATE_PARTS, type StatePart } from './onnx-manifest.ts';

/** The values of one state part. */
export function statePart(state: RobotStateObs, part: StatePart): number[] {
  switch (part) {
    case 'ee_pos': return [...state.eePos];
    case 'ee_quat': return [...state.eeQuat];
    // Axis-angle vector (angle in [0, pi]), as robosuite's quat2axisangle feeds LIBERO policies.
    case 'ee_axis_angle': return quatToRotVec(state.eeQuat);
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
