// A plain-data description of a built Rapier world, read generically through Rapier's public API:
// every rigid body (type, pose, velocities, mass, damping), every collider (shape and its parameters,
// pose relative to its parent body, material, collision filtering) and every impulse joint. Other
// engines (raw-rapier.ts, mjcf.ts) are fed from this list, so they step exactly the same content.
//
// A few settings cannot be read back through Rapier's JS API (a body's "can sleep" flag, a joint's
// motor model/target/gains, the contact natural frequency); the caller states them in `DescribeHints`
// and the description says which values came from hints.
import { RAPIER } from '../../sim/rapier.ts';

type RWorld = InstanceType<typeof RAPIER.World>;
type RCollider = InstanceType<typeof RAPIER.Collider>;
type RBody = InstanceType<typeof RAPIER.RigidBody>;
type RJoint = InstanceType<typeof RAPIER.ImpulseJoint>;

export type V3 = [number, number, number];
/** [x, y, z, w], Rapier's order. */
export type Q4 = [number, number, number, number];

export type BodyType = 'fixed' | 'dynamic' | 'kinematic_position' | 'kinematic_velocity';

export interface BodyDesc {
  /** Rapier handle in the described world (bodies are listed in handle order). */
  handle: number;
  type: BodyType;
  pos: V3;
  quat: Q4;
  linvel: V3;
  angvel: V3;
  /** Total mass from the colliders (0 for fixed and kinematic bodies). */
  mass: number;
  linearDamping: number;
  angularDamping: number;
  gravityScale: number;
  dominance: number;
  ccd: boolean;
  /** Extra solver iterations for this body's island. */
  additionalSolverIterations: number;
  /** From hints (Rapier cannot report it); undefined when no hint was given. */
  canSleep?: boolean;
  /** Optional label from hints (e.g. "link3", "cookies_1"). */
  name?: string;
}

/** Shapes in Rapier's conventions: capsules and cylinders run along the collider's local y axis. */
export type ShapeDesc =
  | { type: 'ball'; radius: number }
  | { type: 'cuboid'; halfExtents: V3 }
  | { type: 'capsule'; radius: number; halfHeight: number }
  | { type: 'cylinder'; radius: number; halfHeight: number }
  /** Convex hull of `vertices` (flat xyz list, collider frame); `indices` are the hull's triangles. */
  | { type: 'convex'; vertices: number[]; indices: number[] };

export interface ColliderDesc {
  handle: number;
  /** Index into WorldDesc.bodies of the parent body, or -1 for a parentless collider. */
  body: number;
  shape: ShapeDesc;
  /** Pose relative to the parent body (world pose when parentless). */
  pos: V3;
  quat: Q4;
  friction: number;
  restitution: number;
  /** RAPIER.CoefficientCombineRule values (0 Average, 1 Min, 2 Multiply, 3 Max). */
  frictionCombine: number;
  restitutionCombine: number;
  /** Mass of this collider (what its body's mass was built from). */
  mass: number;
  /** Rapier InteractionGroups: membership in the high 16 bits, filter in the low 16. */
  collisionGroups: number;
  solverGroups: number;
  activeCollisionTypes: number;
  activeEvents: number;
  activeHooks: number;
  sensor: boolean;
  contactSkin: number;
}

export interface MotorDesc {
  model: 'acceleration' | 'force';
  target: number;
  stiffness: number;
  damping: number;
}

export interface JointDesc {
  handle: number;
  type: 'prismatic' | 'revolute' | 'fixed' | 'other';
  /** Indices into WorldDesc.bodies. */
  body1: number;
  body2: number;
  anchor1: V3;
  anchor2: V3;
  /** Joint axis in body1's frame (x axis of the joint frame); prismatic/revolute only. */
  axis1?: V3;
  axis2?: V3;
  limits?: [number, number];
  contactsEnabled: boolean;
  /** From hints: Rapier cannot report a joint's motor. */
  motor?: MotorDesc;
}

export interface WorldDesc {
  gravity: V3;
  dt: number;
  solverIterations: number;
  internalPgsIterations: number;
  lengthUnit: number;
  normalizedAllowedLinearError: number;
  normalizedPredictionDistance: number;
  minIslandSize: number;
  maxCcdSubsteps: number;
  /** Read back for checking: derived by Rapier from the contact natural frequency and dt. */
  contactErp: number;
  /** From hints (Rapier has a setter only); undefined means Rapier's default. */
  contactNaturalFrequency?: number;
  bodies: BodyDesc[];
  colliders: ColliderDesc[];
  joints: JointDesc[];
  /** Which fields came from hints rather than from the world itself. */
  hinted: string[];
}

export interface DescribeHints {
  /** Rapier's contact natural frequency of the world, in Hz. */
  contactNaturalFrequency?: number;
  /** Body handle -> can sleep. */
  canSleep?: (bodyHandle: number) => boolean | undefined;
  /** Joint handle -> its motor. */
  motor?: (jointHandle: number) => MotorDesc | undefined;
  /** Body handle -> label. */
  bodyName?: (bodyHandle: number) => string | undefined;
}

const v3 = (v: { x: number; y: number; z: number }): V3 => [v.x, v.y, v.z];
const q4 = (q: { x: number; y: number; z: number; w: number }): Q4 => [q.x, q.y, q.z, q.w];

export function quatRotate(q: Q4, v: V3): V3 {
  const [qx, qy, qz, qw] = q;
  const tx = 2 * (qy * v[2] - qz * v[1]);
  const ty = 2 * (qz * v[0] - qx * v[2]);
  const tz = 2 * (qx * v[1] - qy * v[0]);
  return [
    v[0] + qw * tx + (qy * tz - qz * ty),
    v[1] + qw * ty + (qz * tx - qx * tz),
    v[2] + qw * tz + (qx * ty - qy * tx),
  ];
}

export function quatMul(a: Q4, b: Q4): Q4 {
  return [
    a[3] * b[0] + a[0] * b[3] + a[1] * b[2] - a[2] * b[1],
    a[3] * b[1] - a[0] * b[2] + a[1] * b[3] + a[2] * b[0],
    a[3] * b[2] + a[0] * b[1] - a[1] * b[0] + a[2] * b[3],
    a[3] * b[3] - a[0] * b[0] - a[1] * b[1] - a[2] * b[2],
  ];
}

/**
 * Rapier stores a joint's frame as an f32 quaternion, so an axis created as (0, 1, 0) reads back as
 * (3e-8, 0.99999997, 0). Components below 1e-6 are that rounding: zero them and renormalise, so the
 * axis is rebuilt exactly as it was given.
 */
function cleanAxis(a: V3): V3 {
  const c = a.map((x) => (Math.abs(x) < 1e-6 ? 0 : x)) as V3;
  const n = Math.hypot(c[0], c[1], c[2]);
  return [c[0] / n, c[1] / n, c[2] / n];
}

function bodyType(t: number): BodyType {
  switch (t) {
    case RAPIER.RigidBodyType.Fixed: return 'fixed';
    case RAPIER.RigidBodyType.Dynamic: return 'dynamic';
    case RAPIER.RigidBodyType.KinematicPositionBased: return 'kinematic_position';
    case RAPIER.RigidBodyType.KinematicVelocityBased: return 'kinematic_velocity';
    default: throw new Error(`describe: unknown rigid body type ${t}`);
  }
}

function shapeOf(c: RCollider): ShapeDesc {
  const t = c.shapeType();
  switch (t) {
    case RAPIER.ShapeType.Ball:
      return { type: 'ball', radius: c.radius() };
    case RAPIER.ShapeType.Cuboid:
      return { type: 'cuboid', halfExtents: v3(c.halfExtents()) };
    case RAPIER.ShapeType.Capsule:
      return { type: 'capsule', radius: c.radius(), halfHeight: c.halfHeight() };
    case RAPIER.ShapeType.Cylinder:
      return { type: 'cylinder', radius: c.radius(), halfHeight: c.halfHeight() };
    case RAPIER.ShapeType.ConvexPolyhedron:
      return { type: 'convex', vertices: Array.from(c.vertices()), indices: Array.from(c.indices() ?? []) };
    default:
      throw new Error(`describe: collider ${c.handle} has shape type ${RAPIER.ShapeType[t] ?? t}, which this benchmark does not export`);
  }
}

function jointType(t: number): JointDesc['type'] {
  if (t === RAPIER.JointType.Prismatic) return 'prismatic';
  if (t === RAPIER.JointType.Revolute) return 'revolute';
  if (t === RAPIER.JointType.Fixed) return 'fixed';
  return 'other';
}

/** Walk a built world into plain data. Bodies, colliders and joints are listed in handle order. */
export function describeWorld(world: RWorld, hints: DescribeHints = {}): WorldDesc {
  const hinted = new Set<string>();
  const bodies: BodyDesc[] = [];
  const bodyIndex = new Map<number, number>();
  world.forEachRigidBody((b: RBody) => {
    const canSleep = hints.canSleep?.(b.handle);
    if (canSleep !== undefined) hinted.add('bodies[].canSleep');
    const name = hints.bodyName?.(b.handle);
    const d: BodyDesc = {
      handle: b.handle,
      type: bodyType(b.bodyType()),
      pos: v3(b.translation()),
      quat: q4(b.rotation()),
      linvel: v3(b.linvel()),
      angvel: v3(b.angvel()),
      mass: b.mass(),
      linearDamping: b.linearDamping(),
      angularDamping: b.angularDamping(),
      gravityScale: b.gravityScale(),
      dominance: b.dominanceGroup(),
      ccd: b.isCcdEnabled(),
      additionalSolverIterations: b.additionalSolverIterations(),
    };
    if (canSleep !== undefined) d.canSleep = canSleep;
    if (name !== undefined) d.name = name;
    bodies.push(d);
  });
  bodies.sort((a, b) => a.handle - b.handle);
  bodies.forEach((b, i) => bodyIndex.set(b.handle, i));

  const colliders: ColliderDesc[] = [];
  world.forEachCollider((c: RCollider) => {
    const parent = c.parent();
    const pos = parent ? c.translationWrtParent()! : c.translation();
    const rot = parent ? c.rotationWrtParent()! : c.rotation();
    colliders.push({
      handle: c.handle,
      body: parent ? bodyIndex.get(parent.handle)! : -1,
      shape: shapeOf(c),
      pos: v3(pos),
      quat: q4(rot),
      friction: c.friction(),
      restitution: c.restitution(),
      frictionCombine: c.frictionCombineRule(),
      restitutionCombine: c.restitutionCombineRule(),
      mass: c.mass(),
      collisionGroups: c.collisionGroups(),
      solverGroups: c.solverGroups(),
      activeCollisionTypes: c.activeCollisionTypes(),
      activeEvents: c.activeEvents(),
      activeHooks: c.activeHooks(),
      sensor: c.isSensor(),
      contactSkin: c.contactSkin(),
    });
  });
  colliders.sort((a, b) => a.handle - b.handle);

  const joints: JointDesc[] = [];
  world.impulseJoints.forEach((j: RJoint) => {
    const type = jointType(j.type());
    const d: JointDesc = {
      handle: j.handle,
      type,
      body1: bodyIndex.get(j.body1().handle)!,
      body2: bodyIndex.get(j.body2().handle)!,
      anchor1: v3(j.anchor1()),
      anchor2: v3(j.anchor2()),
      contactsEnabled: j.contactsEnabled(),
    };
    if (type === 'prismatic' || type === 'revolute') {
      const u = j as InstanceType<typeof RAPIER.UnitImpulseJoint>;
      // The joint frame's x axis is the free axis.
      d.axis1 = cleanAxis(quatRotate(q4(j.frameX1()), [1, 0, 0]));
      d.axis2 = cleanAxis(quatRotate(q4(j.frameX2()), [1, 0, 0]));
      if (u.limitsEnabled()) d.limits = [u.limitsMin(), u.limitsMax()];
    }
    const motor = hints.motor?.(j.handle);
    if (motor) {
      d.motor = motor;
      hinted.add('joints[].motor');
    }
    joints.push(d);
  });
  joints.sort((a, b) => a.handle - b.handle);

  const ip = world.integrationParameters;
  if (hints.contactNaturalFrequency !== undefined) hinted.add('contactNaturalFrequency');
  const g = world.gravity;
  const desc: WorldDesc = {
    gravity: [g.x, g.y, g.z],
    dt: world.timestep,
    solverIterations: ip.numSolverIterations,
    internalPgsIterations: ip.numInternalPgsIterations,
    lengthUnit: ip.lengthUnit,
    normalizedAllowedLinearError: ip.normalizedAllowedLinearError,
    normalizedPredictionDistance: ip.normalizedPredictionDistance,
    minIslandSize: ip.minIslandSize,
    maxCcdSubsteps: ip.maxCcdSubsteps,
    contactErp: ip.contact_erp,
    bodies,
    colliders,
    joints,
    hinted: [...hinted].sort(),
  };
  if (hints.contactNaturalFrequency !== undefined) desc.contactNaturalFrequency = hints.contactNaturalFrequency;
  return desc;
}

/** One-line census of a description, for progress output. */
export function summarize(d: WorldDesc): string {
  const count = (t: BodyType) => d.bodies.filter((b) => b.type === t).length;
  const shapes = new Map<string, number>();
  for (const c of d.colliders) shapes.set(c.shape.type, (shapes.get(c.shape.type) ?? 0) + 1);
  return `${d.bodies.length} bodies (${count('fixed')} fixed, ${count('dynamic')} dynamic, ` +
    `${count('kinematic_position') + count('kinematic_velocity')} kinematic), ${d.colliders.length} colliders ` +
    `(${[...shapes].map(([k, n]) => `${n} ${k}`).join(', ')}), ${d.joints.length} joints`;
}
