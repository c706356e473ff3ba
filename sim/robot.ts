// The Panda-like arm and its parallel gripper as Rapier bodies.
//
// The arm's links are kinematic-position bodies placed by our own forward kinematics every physics
// step: joint motion is interpolated across the control interval and capped by the Panda's joint
// velocity limits, so the arm tracks exactly and deterministically. The two fingers are dynamic bodies
// on prismatic impulse joints to the hand, driven by force-based position motors whose force we cap,
// so an object is held by finger contact friction only: nothing is welded or attached.
import type { Quat, Shape, Vec3 } from '../scenes/types.ts';
import { RAPIER } from './rapier.ts';
import { colliderDescFor } from './shapes.ts';
import {
  computeFrames, newFrameBuffer, poseOfFrame, posesOfFrames, PANDA_LOWER, PANDA_UPPER, PANDA_VEL_LIMIT, quatRotate, type Pose,
} from './kinematics.ts';
import type { ArmCollider, ArmLimiter } from './arm-limiter.ts';

type RWorld = InstanceType<typeof RAPIER.World>;
type RBody = InstanceType<typeof RAPIER.RigidBody>;
type RCollider = InstanceType<typeof RAPIER.Collider>;
type RJoint = InstanceType<typeof RAPIER.PrismaticImpulseJoint>;

/** Collision group of the robot: robot parts never collide with each other. */
const ROBOT_BIT = 0x0002;
export const ROBOT_GROUPS = (ROBOT_BIT << 16) | (0xffff & ~ROBOT_BIT);

/**
 * Extra Rapier solver iterations (on top of the world's SOLVER_ITERATIONS) for the physics steps within
 * EXTRA_ITERATION_HOLD_STEPS of one in which a finger felt a contact force: a pinched object needs 8 not
 * to creep. They are the
 * world's, not the fingers' bodies': Rapier 0.19 solves every awake body as one island, so a body's
 * additional iterations reached the whole table anyway, and they stayed after the fingers let go (the
 * island keeps the largest it has seen). Carried all the time they cost 37% of a physics step with the
 * arm sweeping through free space (benchmarks/physics).
 */
export const FINGER_EXTRA_SOLVER_ITERATIONS = 4;
/** Physics steps (0.5 s) the extra iterations stay on after a finger last felt a contact force: a grip whose force dips to zero for a step does not lose them. */
export const EXTRA_ITERATION_HOLD_STEPS = 120;

/** Gripper geometry and drive (metres, kilograms, newtons). Stated here, used by the expert. */
export const GRIPPER = {
  /** Largest opening between the finger pads. */
  maxWidth: 0.08,
  /** Finger pad half sizes: along hand x (pad width), closing direction (thickness), hand z (length). */
  padHalf: [0.011, 0.008, 0.0225] as Vec3,
  /** Pad centre distance above the TCP along the hand's z axis (the TCP is at the fingertips). */
  padCentreAboveTcp: 0.0225,
  /** Hand z of the finger joint anchors (the TCP is at 0.1034). */
  fingerZ: 0.1034 - 0.0225,
  fingerMass: 0.1,
  friction: 1.2,
  /** Squeezing force cap per finger (the real Panda hand: 70 N continuous). */
  maxForce: 40,
  stiffness: 4000,
  damping: 30,
};

/** Link geometry in each link frame (frames 1..7, then the hand), derived from the DH offsets. */
const LINK_SHAPES: Shape[][] = [
  [{ type: 'sphere', radius: 0.065 }],
  [capsuleBetween([0, 0, 0], [0, -0.316, 0], 0.06)],
  [capsuleBetween([0, 0, 0], [0.0825, 0, 0], 0.055)],
  [capsuleBetween([0, 0, 0], [-0.0825, 0, 0], 0.055)],
  [capsuleBetween([0, 0, -0.3], [0, 0, -0.04], 0.05)],
  [capsuleBetween([0, 0, 0], [0.088, 0, 0], 0.045)],
  [capsuleBetween([0, 0, 0.0], [0, 0, 0.07], 0.045)],
  // Hand: palm box between the flange and the finger roots.
  [{ type: 'box', halfExtents: [0.03, 0.1, 0.026], pos: [0, 0, 0.032] }],
];

const BASE_SHAPES: Shape[] = [capsuleBetween([0, 0, 0.06], [0, 0, 0.28], 0.07)];

function capsuleBetween(a: Vec3, b: Vec3, radius: number): Shape {
  const d: Vec3 = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
  const len = Math.hypot(d[0], d[1], d[2]);
  const mid: Vec3 = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2, (a[2] + b[2]) / 2];
  // Rotation taking +z onto d.
  const u: Vec3 = [d[0] / len, d[1] / len, d[2] / len];
  const axis: Vec3 = [-u[1], u[0], 0];
  const s = Math.hypot(axis[0], axis[1]);
  let quat: Quat = [0, 0, 0, 1];
  if (s > 1e-9) {
    const ang = Math.atan2(s, u[2]);
    const h = Math.sin(ang / 2) / s;
    quat = [axis[0] * h, axis[1] * h, 0, Math.cos(ang / 2)];
  } else if (u[2] < 0) quat = [1, 0, 0, 0];
  return { type: 'capsule', radius, halfHeight: len / 2, pos: mid, quat };
}

export interface RobotOptions {
  /** Physics substeps per control step. */
  substeps: number;
  dt: number;
}

export class Robot {
  /** Joint positions the arm is at now (what the links show). */
  readonly q = new Float64Array(7);
  /** Joint target the arm moves towards over the current control step. */
  readonly qTarget = new Float64Array(7);
  private readonly qStep = new Float64Array(7);
  private stepsLeft = 0;
  /** Commanded finger-pad opening (metres). */
  gripperTarget: number = GRIPPER.maxWidth;

  base: RBody;
  links: RBody[] = [];
  hand: RBody;
  fingers: [RBody, RBody];
  joints: [RJoint, RJoint];
  /** Every collider of the robot, for contact and penetration queries. */
  colliders: RCollider[] = [];
  /** Handle -> part name ("link3", "hand", "finger_left"...). */
  readonly partByCollider = new Map<number, string>();
  /** Link frames at `q` (computeFrames layout), and their poses when asked for (linkPoses, tcp). */
  private readonly frameBuffer = newFrameBuffer();
  private poses: Pose[] | null = null;
  private get frames(): Pose[] {
    return (this.poses ??= posesOfFrames(this.frameBuffer));
  }
  private setFrames(q: ArrayLike<number>): void {
    computeFrames(q, this.frameBuffer);
    this.poses = null;
  }
  private world: RWorld;
  private arm: ArmCollider[] | null = null;
  /** Limits each substep's joint motion by contact torques and fixed geometry (set by the world). */
  limiter: ArmLimiter | null = null;
  /** Physics substeps the arm spent stalled or slowed by contact since the counters were last taken. */
  stalls = { torque: 0, fixed: 0, yield: 0 };
  /** Deepest arm penetration seen by the limiter since last taken (m). */
  deepest = 0;
  /** Arm colliders that received contact force in the last physics step (Rapier contact force events). */
  touching = new Set<number>();

  constructor(world: RWorld, q0: ArrayLike<number>, private readonly opts: RobotOptions) {
    for (let i = 0; i < 7; i++) {
      this.q[i] = Math.min(PANDA_UPPER[i], Math.max(PANDA_LOWER[i], q0[i]));
      this.qTarget[i] = this.q[i];
    }
    this.world = world;
    this.setFrames(this.q);
    this.base = world.createRigidBody(RAPIER.RigidBodyDesc.fixed());
    this.addColliders(this.base, BASE_SHAPES, 'base');
    for (let i = 0; i < 8; i++) {
      const f = this.frames[i];
      const body = world.createRigidBody(
        RAPIER.RigidBodyDesc.kinematicPositionBased()
          .setTranslation(f.pos[0], f.pos[1], f.pos[2])
          .setRotation({ x: f.quat[0], y: f.quat[1], z: f.quat[2], w: f.quat[3] }),
      );
      this.addColliders(body, LINK_SHAPES[i], i < 7 ? `link${i + 1}` : 'hand');
      this.links.push(body);
    }
    this.hand = this.links[7];
    const left = this.makeFinger(+1);
    const right = this.makeFinger(-1);
    this.fingers = [left.body, right.body];
    this.joints = [left.joint, right.joint];
  }

  private addColliders(body: RBody, shapes: Shape[], part: string, mass?: number): void {
    for (const s of shapes) {
      const desc = colliderDescFor(s, { friction: 0.5, restitution: 0, mass })
        .setCollisionGroups(ROBOT_GROUPS)
        .setActiveCollisionTypes(RAPIER.ActiveCollisionTypes.ALL)
        .setActiveEvents(RAPIER.ActiveEvents.CONTACT_FORCE_EVENTS)
        .setContactForceEventThreshold(0);
      const c = this.world.createCollider(desc, body);
      this.colliders.push(c);
      this.partByCollider.set(c.handle, part);
    }
  }

  private makeFinger(side: 1 | -1): { body: RBody; joint: RJoint } {
    const hand = this.frames[7];
    const d = GRIPPER.maxWidth / 2;
    const local: Vec3 = [0, side * d, GRIPPER.fingerZ];
    const p = quatRotate(hand.quat, local);
    const body = this.world.createRigidBody(
      RAPIER.RigidBodyDesc.dynamic()
        .setTranslation(hand.pos[0] + p[0], hand.pos[1] + p[1], hand.pos[2] + p[2])
        .setRotation({ x: hand.quat[0], y: hand.quat[1], z: hand.quat[2], w: hand.quat[3] })
        .setCanSleep(false)
        .setCcdEnabled(false),
    );
    const [hx, hy, hz] = GRIPPER.padHalf;
    // The finger's origin is the centre of its inner pad face; the pad extends outwards. It is split
    // into an upper and a lower half so that a round object touching it along a line gets two contact
    // points a few centimetres apart: friction at both resists the object swinging about the pinch
    // axis (one point per pad would leave it free to pivot, as nothing real does).
    for (const dz of [-hz / 2, hz / 2]) {
      const desc = colliderDescFor(
        { type: 'box', halfExtents: [hx, hy, hz / 2], pos: [0, side * hy, dz] },
        { friction: GRIPPER.friction, restitution: 0, mass: GRIPPER.fingerMass / 2 },
      )
        .setCollisionGroups(ROBOT_GROUPS)
        .setFrictionCombineRule(RAPIER.CoefficientCombineRule.Max)
        .setActiveCollisionTypes(RAPIER.ActiveCollisionTypes.ALL)
        .setActiveEvents(RAPIER.ActiveEvents.CONTACT_FORCE_EVENTS)
        .setContactForceEventThreshold(0);
      const c = this.world.createCollider(desc, body);
      this.colliders.push(c);
      this.partByCollider.set(c.handle, side > 0 ? 'finger_left' : 'finger_right');
    }
    const data = RAPIER.JointData.prismatic(
      { x: 0, y: 0, z: GRIPPER.fingerZ }, { x: 0, y: 0, z: 0 }, { x: 0, y: side, z: 0 },
    );
    data.limitsEnabled = true;
    data.limits = [0, GRIPPER.maxWidth / 2];
    const joint = this.world.createImpulseJoint(data, this.hand, body, true) as RJoint;
    joint.setContactsEnabled(false);
    joint.configureMotorModel(RAPIER.MotorModel.ForceBased);
    joint.configureMotorPosition(d, GRIPPER.stiffness, GRIPPER.damping);
    return { body, joint };
  }

  /** Re-fetch Rapier objects by handle (after a world snapshot was restored into a new World). */
  rebind(world: RWorld): void {
    this.world = world;
    this.base = world.getRigidBody(this.base.handle);
    this.links = this.links.map((b) => world.getRigidBody(b.handle));
    this.hand = this.links[7];
    this.fingers = [world.getRigidBody(this.fingers[0].handle), world.getRigidBody(this.fingers[1].handle)];
    this.joints = [
      world.getImpulseJoint(this.joints[0].handle) as RJoint,
      world.getImpulseJoint(this.joints[1].handle) as RJoint,
    ];
    this.colliders = this.colliders.map((c) => world.getCollider(c.handle));
    this.arm = null;
  }

  /** The arm's moving colliders with the link frame each moves with (fingers move with the hand). */
  armColliders(): readonly ArmCollider[] {
    if (!this.arm) {
      this.arm = [];
      for (const c of this.colliders) {
        const part = this.partByCollider.get(c.handle)!;
        if (part === 'base') continue;
        const link = /^link(\d)$/.exec(part);
        const t = c.translationWrtParent() ?? { x: 0, y: 0, z: 0 };
        // Finger pads ride on their prismatic joint: offset from the hand frame up to the full travel.
        const reach = part.startsWith('finger')
          ? Math.hypot(GRIPPER.maxWidth / 2 + 2 * GRIPPER.padHalf[1], GRIPPER.fingerZ + GRIPPER.padHalf[2])
          : Math.hypot(t.x, t.y, t.z);
        const finger = part === 'finger_left' ? 0 : part === 'finger_right' ? 1 : undefined;
        this.arm.push({
          collider: c, frame: link ? Number(link[1]) - 1 : 7, effector: !link, reach,
          ...(finger === undefined ? { offset: [t.x, t.y, t.z] as const } : { finger }),
        });
      }
    }
    return this.arm;
  }

  /** Pose of link frames 1..7, hand, TCP for the current joint positions. */
  get linkPoses(): readonly Pose[] {
    return this.frames;
  }

  get tcp(): Pose {
    return this.frames[8];
  }

  /** Set a new joint target, reached by linear interpolation over the next control step (velocity-capped). */
  setJointTarget(target: ArrayLike<number>): void {
    const n = this.opts.substeps;
    let scale = 1;
    for (let i = 0; i < 7; i++) {
      const t = Math.min(PANDA_UPPER[i], Math.max(PANDA_LOWER[i], target[i]));
      this.qTarget[i] = t;
      const perStep = Math.abs(t - this.q[i]) / n;
      const cap = PANDA_VEL_LIMIT[i] * this.opts.dt;
      if (perStep > cap) scale = Math.min(scale, cap / perStep);
    }
    for (let i = 0; i < 7; i++) this.qStep[i] = ((this.qTarget[i] - this.q[i]) / n) * scale;
    this.stepsLeft = n;
  }

  /** Set the commanded opening of the finger pads (metres, clamped to 0..maxWidth). */
  setGripperWidth(width: number): void {
    this.gripperTarget = Math.min(GRIPPER.maxWidth, Math.max(0, width));
  }

  /** Current opening between the finger pads, measured from the finger bodies. */
  /**
   * Put the arm at joints `q` and the fingers `width` apart at once, without moving through the poses
   * between (a replay of a recorded frame; nothing is simulated).
   */
  placeAt(q: ArrayLike<number>, width: number): void {
    for (let i = 0; i < 7; i++) { this.q[i] = q[i]; this.qTarget[i] = q[i]; }
    this.stepsLeft = 0;
    this.setFrames(this.q);
    this.frames.slice(0, 8).forEach((f, i) => {
      this.links[i].setTranslation({ x: f.pos[0], y: f.pos[1], z: f.pos[2] }, false);
      this.links[i].setRotation({ x: f.quat[0], y: f.quat[1], z: f.quat[2], w: f.quat[3] }, false);
    });
    const hand = this.frames[7];
    this.fingers.forEach((b, k) => {
      const p = quatRotate(hand.quat, [0, (k === 0 ? 1 : -1) * width / 2, GRIPPER.fingerZ]);
      b.setTranslation({ x: hand.pos[0] + p[0], y: hand.pos[1] + p[1], z: hand.pos[2] + p[2] }, false);
      b.setRotation({ x: hand.quat[0], y: hand.quat[1], z: hand.quat[2], w: hand.quat[3] }, false);
    });
  }

  gripperWidth(): number {
    const h = this.hand.translation(), r = this.hand.rotation();
    return this.openingFrom(0, h, r) + this.openingFrom(1, h, r);
  }

  /** One finger's joint position: distance of its pad face from the hand's mid plane. */
  fingerOpening(i: 0 | 1): number {
    return this.openingFrom(i, this.hand.translation(), this.hand.rotation());
  }

  /** `fingerOpening` with the hand's pose already read (each read from Rapier allocates). */
  private openingFrom(i: 0 | 1, h: { x: number; y: number; z: number }, r: { x: number; y: number; z: number; w: number }): number {
    const side = i === 0 ? 1 : -1;
    const axis = quatRotate([r.x, r.y, r.z, r.w], [0, side, 0]);
    const f = this.fingers[i].translation();
    return (f.x - h.x) * axis[0] + (f.y - h.y) * axis[1] + (f.z - h.z) * axis[2];
  }

  /** Advance the arm's kinematic targets and finger motors by one physics step (call before world.step). */
  prePhysicsStep(): void {
    if (this.stepsLeft > 0) {
      // A torque-limited arm: the step is cut where contact would exceed the joints' torque limits
      // or drive a link into fixed geometry (sim/arm-limiter.ts).
      let s = 1;
      let back: Float64Array | undefined;
      if (this.limiter) {
        const r = this.limiter.limit(this.q, this.qStep);
        s = r.scale;
        back = r.yieldStep;
        if (r.depth > this.deepest) this.deepest = r.depth;
        if (r.reason) this.stalls[r.reason]++;
      }
      for (let i = 0; i < 7; i++) {
        this.q[i] += back ? back[i] : s * this.qStep[i];
        if (back) this.q[i] = Math.min(PANDA_UPPER[i], Math.max(PANDA_LOWER[i], this.q[i]));
      }
      this.stepsLeft--;
      if (this.stepsLeft === 0) {
        // Land exactly on the target when it was reachable within the velocity cap.
        let exact = true;
        for (let i = 0; i < 7; i++) if (Math.abs(this.q[i] - this.qTarget[i]) > 1e-9) exact = false;
        if (exact) this.q.set(this.qTarget);
      }
      // The limiter has usually computed these frames already (the end of the step it allowed).
      const frames = this.limiter?.framesAt(this.q) ?? computeFrames(this.q, this.frameBuffer);
      if (frames !== this.frameBuffer) this.frameBuffer.set(frames);
      this.poses = null;
      for (let i = 0; i < 8; i++) {
        const f = poseOfFrame(this.frameBuffer, i);
        const b = this.links[i];
        b.setNextKinematicTranslation({ x: f.pos[0], y: f.pos[1], z: f.pos[2] });
        b.setNextKinematicRotation({ x: f.quat[0], y: f.quat[1], z: f.quat[2], w: f.quat[3] });
      }
    }
    // Force-capped position drive: the motor target never sits further than maxForce/stiffness away.
    const reach = GRIPPER.maxForce / GRIPPER.stiffness;
    const goal = this.gripperTarget / 2;
    const h = this.hand.translation(), r = this.hand.rotation();
    for (const i of [0, 1] as const) {
      const d = this.openingFrom(i, h, r);
      const t = d + Math.max(-reach, Math.min(reach, goal - d));
      this.joints[i].configureMotorPosition(t, GRIPPER.stiffness, GRIPPER.damping);
    }
  }

  /** Physics steps left in which the world solves with FINGER_EXTRA_SOLVER_ITERATIONS more. */
  extraIterationSteps = 0;

  /**
   * After a physics step (once `touching` is known): a gripper told to close, or a finger that felt a
   * contact force, turns the extra iterations on for EXTRA_ITERATION_HOLD_STEPS. (Closing counts from the
   * command on, so the first contact of a grasp is already solved with them: from that contact on, a mug
   * slipped 5.0 mm instead of 2.0 in test/grasp.test.ts.)
   */
  updateExtraIterations(): void {
    if (this.gripperTarget < GRIPPER.maxWidth) {
      this.extraIterationSteps = EXTRA_ITERATION_HOLD_STEPS;
      return;
    }
    for (const h of this.touching) {
      const part = this.partByCollider.get(h);
      if (part === 'finger_left' || part === 'finger_right') {
        this.extraIterationSteps = EXTRA_ITERATION_HOLD_STEPS;
        return;
      }
    }
    if (this.extraIterationSteps > 0) this.extraIterationSteps--;
  }

  /** True when the arm has reached its joint target. */
  get settled(): boolean {
    return this.stepsLeft === 0;
  }

  /** Robot state to restore after a world snapshot is restored (bodies live in the snapshot). */
  saveState(): RobotState {
    return {
      q: Array.from(this.q), qTarget: Array.from(this.qTarget), qStep: Array.from(this.qStep),
      stepsLeft: this.stepsLeft, gripperTarget: this.gripperTarget, touching: [...this.touching],
      extraIterationSteps: this.extraIterationSteps,
    };
  }

  loadState(s: RobotState): void {
    this.q.set(s.q);
    this.qTarget.set(s.qTarget);
    this.qStep.set(s.qStep);
    this.stepsLeft = s.stepsLeft;
    this.gripperTarget = s.gripperTarget;
    this.touching = new Set(s.touching);
    this.extraIterationSteps = s.extraIterationSteps ?? 0;
    this.setFrames(this.q);
  }
}

export interface RobotState {
  q: number[];
  qTarget: number[];
  qStep: number[];
  stepsLeft: number;
  gripperTarget: number;
  /** Arm colliders in force contact after the last physics step (what the force limit reads next). */
  touching: number[];
  /** Steps left with the extra solver iterations (absent in snapshots from before they existed: 0). */
  extraIterationSteps?: number;
}
