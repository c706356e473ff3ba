// Action modes: turning a policy's action into a joint target (by damped-least-squares IK) and a
// gripper opening. The default is LIBERO/OpenVLA's 7-D delta end-effector action in the base frame,
// executed in full each control step; `osc_pose` reads the same action the way robosuite's OSC does
// (a goal the arm tracks with a critically damped response, sim/osc-setpoint.ts).
import { fk, quatFromAxisAngle, quatMul, solveIk, type Pose } from './kinematics.ts';
import type { OscSetpoint } from './osc-setpoint.ts';
import type { Robot } from './robot.ts';
import { GRIPPER } from './robot.ts';
import { UserError } from '../scenes/errors.ts';

export type ActionMode = 'delta_ee' | 'osc_pose' | 'abs_ee' | 'joint';
export const ACTION_MODES: readonly ActionMode[] = ['delta_ee', 'osc_pose', 'abs_ee', 'joint'];

/** Scaling of normalised delta actions, as in LIBERO's OSC controller: [-1, 1] maps to these per control step. */
export const DELTA_SCALE = { pos: 0.05, rot: 0.5 };

export const ACTION_DIM: Record<ActionMode, number> = { delta_ee: 7, osc_pose: 7, abs_ee: 7, joint: 8 };

export const ACTION_LAYOUT: Record<ActionMode, string> = {
  delta_ee: '[dx, dy, dz, droll, dpitch, dyaw, gripper] in [-1, 1], scaled by 0.05 m / 0.5 rad per step, base frame; gripper -1 open, +1 close',
  osc_pose: 'as delta_ee, but the scaled delta sets a goal from the current pose that the arm tracks with robosuite OSC_POSE gains (kp 150, critically damped) instead of reaching it within the step',
  abs_ee: '[x, y, z, rx, ry, rz, gripper]: TCP position (m) and axis-angle orientation (rad) in the base frame; gripper -1 open, +1 close',
  joint: '[q1..q7, gripper]: joint positions (rad); gripper -1 open, +1 close',
};

/**
 * An action of the wrong length or with a non-finite entry. The policy in use is the user's (a model, a
 * server, a TypeScript policy), so this is a mistake they fix there (the message gives the layout): a
 * `UserError`, exit 2 on the command line.
 */
export class ActionError extends UserError {}

export interface IkReport {
  posErr: number;
  rotErr: number;
  converged: boolean;
}

/** Gripper command in [-1 open, +1 close] to a commanded pad opening in metres. */
export function gripperWidthFor(g: number): number {
  const c = Math.max(-1, Math.min(1, g));
  return (GRIPPER.maxWidth * (1 - c)) / 2;
}

export function validateAction(action: ArrayLike<number>, mode: ActionMode): void {
  const n = ACTION_DIM[mode];
  if (!action || typeof action.length !== 'number' || action.length !== n) {
    throw new ActionError(`action must have ${n} numbers for mode "${mode}" (${ACTION_LAYOUT[mode]}); got ${action?.length ?? typeof action}`);
  }
  for (let i = 0; i < n; i++) {
    if (typeof action[i] !== 'number' || !Number.isFinite(action[i])) {
      throw new ActionError(`action[${i}] is ${action[i]}; every entry must be a finite number (${ACTION_LAYOUT[mode]})`);
    }
  }
}

/** The target TCP pose an end-effector action asks for. */
export function targetPoseFor(action: ArrayLike<number>, mode: 'delta_ee' | 'abs_ee', current: Pose): Pose {
  if (mode === 'abs_ee') {
    const r: [number, number, number] = [action[3], action[4], action[5]];
    const ang = Math.hypot(r[0], r[1], r[2]);
    const quat = ang < 1e-12 ? [0, 0, 0, 1] : quatFromAxisAngle([r[0] / ang, r[1] / ang, r[2] / ang], ang);
    return { pos: [action[0], action[1], action[2]], quat: quat as Pose['quat'] };
  }
  const c = (x: number) => Math.max(-1, Math.min(1, x));
  const pos: Pose['pos'] = [
    current.pos[0] + c(action[0]) * DELTA_SCALE.pos,
    current.pos[1] + c(action[1]) * DELTA_SCALE.pos,
    current.pos[2] + c(action[2]) * DELTA_SCALE.pos,
  ];
  const r = [c(action[3]) * DELTA_SCALE.rot, c(action[4]) * DELTA_SCALE.rot, c(action[5]) * DELTA_SCALE.rot];
  const ang = Math.hypot(r[0], r[1], r[2]);
  const quat = ang < 1e-12
    ? current.quat
    : quatMul(quatFromAxisAngle([r[0] / ang, r[1] / ang, r[2] / ang], ang), current.quat);
  return { pos, quat: quat as Pose['quat'] };
}

/**
 * Apply one action to the robot: sets its joint target for the next control step and its gripper.
 * `osc_pose` needs the episode's set-point tracker (it carries the arm's velocity between steps).
 */
export function applyAction(robot: Robot, action: ArrayLike<number>, mode: ActionMode, osc?: OscSetpoint): IkReport {
  validateAction(action, mode);
  if (mode === 'joint') {
    robot.setJointTarget(Array.from({ length: 7 }, (_, i) => action[i]));
    robot.setGripperWidth(gripperWidthFor(action[7]));
    return { posErr: 0, rotErr: 0, converged: true };
  }
  let target: Pose;
  // osc_pose moves a fraction of a millimetre per step near its goal: IK's default 0.1 mm tolerance
  // would leave it standing short, so it solves to a micrometre.
  let tol = {};
  if (mode === 'osc_pose') {
    if (!osc) throw new Error('applyAction: the osc_pose mode needs the set-point tracker of the episode (sim/osc-setpoint.ts)');
    target = osc.target(action, fk(robot.q));
    tol = { posTol: 1e-6, rotTol: 1e-5 };
  } else target = targetPoseFor(action, mode, fk(robot.q));
  const ik = solveIk(target, robot.q, { maxIters: mode === 'abs_ee' ? 200 : 60, ...tol });
  robot.setJointTarget(ik.q);
  robot.setGripperWidth(gripperWidthFor(action[6]));
  return { posErr: ik.posErr, rotErr: ik.rotErr, converged: ik.converged };
}
