// LIBERO's frame for the end-effector state: where LIBERO's robot base stands in its world per problem
// type, and which point robosuite reports as `robot0_eef_pos`. chaingap's state is in the robot base
// frame (base at the origin, no rotation); LIBERO's robot base is translated, never rotated, so only the
// position moves. Sources and the derivation: docs/libero-conventions.md.
import type { Quat, Vec3 } from '../scenes/types.ts';
import type { RobotStateObs } from '../sim/policy.ts';
import { PANDA_FLANGE_D, PANDA_TCP_OFFSET, quatRotate } from '../sim/kinematics.ts';

/** LIBERO's problem classes (`(define (problem LIBERO_<...>_Manipulation)` in a BDDL file). */
export const LIBERO_PROBLEMS = ['tabletop', 'kitchen', 'living_room', 'study', 'coffee_table', 'floor'] as const;
export type LiberoProblem = (typeof LIBERO_PROBLEMS)[number];

/**
 * The robot base (robosuite's `robot0_base`) in LIBERO's world per problem type: the robot model's
 * `base_xpos_offset` for the problem's arena (x = -0.16 - table length / 2, or the floor's -0.6) plus,
 * for the mounted Panda, the Rethink mount's height 0.912 (robosuite: root = xpos - bottom_offset,
 * bottom_offset = mount bottom -0.922 - mount top -0.01). The table top is at z 0.90 (kitchen, tabletop),
 * about 0.87 (study), 0.41 (living room, coffee table); floor scenes stand on z = 0.
 */
export const LIBERO_ROBOT_BASE: Readonly<Record<LiberoProblem, Readonly<Vec3>>> = {
  tabletop: [-0.66, 0, 0.912],
  kitchen: [-0.66, 0, 0.912],
  study: [-0.75, 0, 0.912],
  living_room: [-0.51, 0, 0.42],
  coffee_table: [-0.51, 0, 0.41],
  floor: [-0.6, 0, 0],
};

/**
 * How far robosuite's eef site (`gripper0_grip_site`, what `robot0_eef_pos` reports) sits behind
 * chaingap's TCP along the gripper axis: link 7 -> right_hand 0.1065 + grip_site 0.097 = 0.2035 m,
 * against chaingap's flange 0.107 + TCP 0.1034 = 0.2104 m.
 */
export const LIBERO_EEF_BEHIND_TCP = PANDA_FLANGE_D + PANDA_TCP_OFFSET - (0.1065 + 0.097);

/** The TCP position in LIBERO's world frame: robosuite's eef site, robot base at LIBERO_ROBOT_BASE. */
export function liberoEefPos(state: RobotStateObs, problem: LiberoProblem): Vec3 {
  const b = LIBERO_ROBOT_BASE[problem];
  const back = quatRotate(state.eeQuat, [0, 0, -LIBERO_EEF_BEHIND_TCP]);
  return [state.eePos[0] + back[0] + b[0], state.eePos[1] + back[1] + b[1], state.eePos[2] + back[2] + b[2]];
}

/** The inverse of liberoEefPos: chaingap's TCP position (base frame) from LIBERO's eef position and orientation. */
export function tcpFromLiberoEef(pos: readonly number[], quat: Quat, problem: LiberoProblem): Vec3 {
  const b = LIBERO_ROBOT_BASE[problem];
  const back = quatRotate(quat, [0, 0, -LIBERO_EEF_BEHIND_TCP]);
  return [pos[0] - back[0] - b[0], pos[1] - back[1] - b[1], pos[2] - back[2] - b[2]];
}
