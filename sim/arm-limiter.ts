// The force-limited arm. The links are kinematic bodies (exact, deterministic tracking), but a real
// Panda is torque-limited: pressed into the table, it stalls. Before each physics substep the arm's
// next joint step is checked against two things, and shortened or refused:
//
// 1. Joint torques from contact. The contact impulses Rapier applied to the arm in the last substep
//    (fingers, hand and links against dynamic bodies, plus whatever a held object is pressed against)
//    are turned into joint torques tau = J(p)^T F. A joint whose contact torque exceeds the Panda's
//    torque limit cannot push harder: while any joint is saturated, a step that does work against the
//    contact (sum tau_i dq_i < 0) is refused and the arm stalls for this substep. It moves away freely.
// 2. Fixed geometry (table, floor, fixture shells). A kinematic body gets no contact force from a fixed
//    one, so the torque test cannot see them: each moving arm collider is shape-cast along its motion
//    against fixed colliders, and the step is cut at the time of impact when it would end deeper than
//    STATIC_PENETRATION_ALLOWED (a rigid surface stalls a real arm at once).
//
// Nothing here adds state between substeps: it reads the world (contact impulses, poses), which is
// what a snapshot holds, so restore stays deterministic.
import { RAPIER } from './rapier.ts';
import { computeFrames, newFrameBuffer, PANDA_VEL_LIMIT } from './kinematics.ts';
import { ContactPairs } from './contact-pairs.ts';
import { ShapeCache } from './shapes.ts';

type RWorld = InstanceType<typeof RAPIER.World>;
type RCollider = InstanceType<typeof RAPIER.Collider>;
type RShape = InstanceType<typeof RAPIER.Shape>;
type RManifold = InstanceType<typeof RAPIER.TempContactManifold>;

/**
 * The Panda's joint torque limits (N m), joints 1..7: Franka Control Interface documentation, "Robot
 * and interface specifications", tau_max = 87, 87, 87, 87, 12, 12, 12 N m (robosuite's Panda model
 * uses +-80 / +-12 N m as actuator ranges). At the ready pose, pressing straight down with the TCP,
 * joint 6 saturates first: about PRESS_FORCE_AT_READY newtons at the fingertips (see README).
 */
export const PANDA_TORQUE_LIMIT: readonly number[] = Object.freeze([87, 87, 87, 87, 12, 12, 12]);

/**
 * The largest force (N) the arm can push with at the TCP along the world direction `dir` in
 * configuration q before a joint reaches its torque limit: min over joints of tau_max / |J_v^T dir|.
 */
export function pushForceLimit(q: ArrayLike<number>, dir: [number, number, number]): number {
  const f = computeFrames(q, newFrameBuffer());
  const t = 8 * 12;
  let best = Infinity;
  for (let i = 0; i < 7; i++) {
    const o = i * 12;
    const zx = f[o + 2], zy = f[o + 6], zz = f[o + 10];
    const rx = f[t + 3] - f[o + 3], ry = f[t + 7] - f[o + 7], rz = f[t + 11] - f[o + 11];
    const lever = Math.abs((zy * rz - zz * ry) * dir[0] + (zz * rx - zx * rz) * dir[1] + (zx * ry - zy * rx) * dir[2]);
    if (lever > 1e-9) best = Math.min(best, PANDA_TORQUE_LIMIT[i] / lever);
  }
  return best;
}

/**
 * Contact depth (m) beyond which a loaded arm yields: Rapier's contacts are soft, and a light finger pad
 * pressed at the torque limit into a light object sinks 5-10 mm, where a real pad compresses 1-2 mm.
 */
export const YIELD_DEPTH = 0.003;
/** How far (m) the contacts move along the load per substep while the arm yields (6 cm/s). */
export const YIELD_STEP = 0.00025;
/** Net contact force (N) below which the arm never yields: a grip's squeeze cancels out, an object's weight is a few N. */
export const YIELD_MIN_FORCE = 20;

/** How deep (m) a moving arm collider may end inside fixed geometry before its step is cut. */
export const STATIC_PENETRATION_ALLOWED = 0.001;

const G = 9.81;

type Vec = { x: number; y: number; z: number };
type Rot = { x: number; y: number; z: number; w: number };

/** Rotation taking frame `o` of `cur` to frame `o` of `next` (R_next R_cur^T), as a quaternion. */
function rotationDelta(cur: Float64Array, next: Float64Array, o: number): Rot {
  const m = new Array<number>(9);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      let t = 0;
      for (let k = 0; k < 3; k++) t += next[o + i * 4 + k] * cur[o + j * 4 + k];
      m[i * 3 + j] = t;
    }
  }
  const tr = m[0] + m[4] + m[8];
  if (tr > 0) {
    const s = Math.sqrt(tr + 1) * 2;
    return { w: s / 4, x: (m[7] - m[5]) / s, y: (m[2] - m[6]) / s, z: (m[3] - m[1]) / s };
  }
  if (m[0] > m[4] && m[0] > m[8]) {
    const s = Math.sqrt(1 + m[0] - m[4] - m[8]) * 2;
    return { w: (m[7] - m[5]) / s, x: s / 4, y: (m[1] + m[3]) / s, z: (m[2] + m[6]) / s };
  }
  if (m[4] > m[8]) {
    const s = Math.sqrt(1 + m[4] - m[0] - m[8]) * 2;
    return { w: (m[2] - m[6]) / s, x: (m[1] + m[3]) / s, y: s / 4, z: (m[5] + m[7]) / s };
  }
  const s = Math.sqrt(1 + m[8] - m[0] - m[4]) * 2;
  return { w: (m[3] - m[1]) / s, x: (m[2] + m[6]) / s, y: (m[5] + m[7]) / s, z: s / 4 };
}

function quatMulXyzw(a: Rot, b: Rot): Rot {
  return {
    x: a.w * b.x + a.x * b.w + a.y * b.z - a.z * b.y,
    y: a.w * b.y - a.x * b.z + a.y * b.w + a.z * b.x,
    z: a.w * b.z + a.x * b.y - a.y * b.x + a.z * b.w,
    w: a.w * b.w - a.x * b.x - a.y * b.y - a.z * b.z,
  };
}

/** What the arm touches, by part, for the limiter: which frame a collider moves with. */
export interface ArmCollider {
  collider: RCollider;
  /** Index of the link frame it moves with: 0..6 links 1..7, 7 hand (fingers move with the hand). */
  frame: number;
  /** True for the finger pads and the hand: their contact forces act at the TCP for torques. */
  effector: boolean;
  /** Farthest the collider's centre can be from its frame's origin (m): its local offset, or the finger travel. */
  reach: number;
  /** The collider's centre in its frame's coordinates, for colliders fixed to their link (not the finger pads, which ride on a joint). */
  offset?: readonly [number, number, number];
  /** Finger pads: which finger (0 left, 1 right); what both fingers touch is what the hand holds. */
  finger?: 0 | 1;
}

export interface ArmWorldView {
  readonly world: RWorld;
  /** The arm's colliders (links, hand, fingers; not the fixed base). */
  armColliders(): readonly ArmCollider[];
  /**
   * Handles of the arm colliders that received contact force in the last substep (from Rapier's
   * contact force events): only these are read, so an arm in free space costs nothing.
   */
  touching(): ReadonlySet<number>;
  /** The object a collider belongs to, if it is an object's. */
  objectOf(handle: number): string | undefined;
  /** An object's colliders. */
  objectColliders(id: string): RCollider[];
  /** True for colliders of the robot itself. */
  isRobotCollider(handle: number): boolean;
  /** World-space boxes of the fixed colliders (table, floor, fixture shells) the cast is tried against. */
  fixedBounds(): readonly Bounds[];
  dt: number;
}

/** An axis-aligned box, [min, max] per axis. */
export interface Bounds {
  min: [number, number, number];
  max: [number, number, number];
}

/** Radius of a sphere around a collider's centre that holds the whole shape (m). */
export function boundingRadius(shape: RShape): number {
  const s = shape as unknown as { halfExtents?: { x: number; y: number; z: number }; radius?: number; halfHeight?: number };
  if (s.halfExtents) return Math.hypot(s.halfExtents.x, s.halfExtents.y, s.halfExtents.z);
  return (s.radius ?? 0) + (s.halfHeight ?? 0);
}

export interface LimitReport {
  /** Fraction of the proposed step taken (1 = all of it, 0 = stalled). */
  scale: number;
  /**
   * Why it was cut: 'torque' (a joint at its limit pushing into contact), 'fixed' (about to enter fixed
   * geometry) or 'yield' (sunk deeper than YIELD_DEPTH into what it pushes: backs off by `yieldStep`).
   */
  reason: 'torque' | 'fixed' | 'yield' | null;
  /** With 'yield': the joint step to take instead (along J^T F, moving the contacts ~YIELD_STEP away). */
  yieldStep?: Float64Array;
  /** Contact torques on the joints (N m) from the last substep. */
  tau: Float64Array;
  /** Deepest penetration of an arm collider into anything that is not the robot (m), from the last substep's contacts. */
  depth: number;
}

/** Torques on joints 0..min(k, 6) from force (fx, fy, fz) at point p on the arm (`frames`: the link frames, 12 numbers each). */
function addTorques(tau: Float64Array, frames: Float64Array, fx: number, fy: number, fz: number, px: number, py: number, pz: number, k: number): void {
  for (let i = 0; i <= Math.min(k, 6); i++) {
    const o = i * 12;
    const zx = frames[o + 2], zy = frames[o + 6], zz = frames[o + 10];
    const rx = px - frames[o + 3], ry = py - frames[o + 7], rz = pz - frames[o + 11];
    // (z x r) . F
    tau[i] += (zy * rz - zz * ry) * fx + (zz * rx - zx * rz) * fy + (zx * ry - zy * rx) * fz;
  }
}

/** Whether two joint vectors are the same numbers, signs of zeros included (NaN never matches). */
function sameJoints(a: ArrayLike<number>, b: Float64Array): boolean {
  for (let i = 0; i < 7; i++) if (a[i] !== b[i] || (a[i] === 0 && 1 / a[i] !== 1 / b[i])) return false;
  return true;
}

export class ArmLimiter {
  // Link frames at the current joints and at the end of the proposed step, with the joints they were
  // computed for (NaN: none). A step taken whole ends where the next one starts, so its frames are
  // kept (swapped in) rather than computed again; the robot reads them too (framesAt).
  private cur = newFrameBuffer();
  private next = newFrameBuffer();
  private curQ = new Float64Array(7).fill(NaN);
  private qNext = new Float64Array(7).fill(NaN);
  private readonly tau = new Float64Array(7);
  private readonly yieldStep = new Float64Array(7);
  private readonly shapes = new ShapeCache();

  constructor(private readonly view: ArmWorldView) {}

  /**
   * Contact torques on the arm's joints from the last substep's contact impulses, and the deepest
   * penetration seen. `frames` holds the current link frames.
   */
  contactLoad(frames: Float64Array): { tau: Float64Array; depth: number; force: number } {
    const tau = this.tau.fill(0);
    let force = 0;
    const v = this.view;
    const invDt = 1 / v.dt;
    const tcp = 8 * 12;
    let depth = 0;
    const touching = v.touching();
    if (touching.size === 0) return { tau, depth, force };
    // Net force on the arm: a grip's two squeezing forces cancel, only a load from outside remains.
    let nx = 0, ny = 0, nz = 0;
    // Objects each finger touches, gathered on the way: what both touch is held.
    const fingerObjects: [Set<string>, Set<string>] = [new Set(), new Set()];
    for (const a of v.armColliders()) {
      const c = a.collider;
      if (!touching.has(c.handle)) continue;
      for (const other of this.pairs.of(v.world, c)) {
        if (a.finger !== undefined) {
          const id = v.objectOf(other.handle);
          if (id) fingerObjects[a.finger].add(id);
        }
        if (v.isRobotCollider(other.handle)) continue;
        const f = this.contactForce(c, other, invDt);
        // Only what pushes back counts as sunk into: a pair with no impulse (fixed geometry, which gives
        // a kinematic arm no force) is the fixed-geometry test's. Its manifold can also read deep where
        // nothing overlaps (sim/world.ts exactDepth): the hand above the cabinet's shelf edge read 20 mm,
        // and with the drawer's push that made the arm yield for the rest of the task.
        if (f.x === 0 && f.y === 0 && f.z === 0) continue;
        if (f.depth > depth) depth = f.depth;
        nx += f.x; ny += f.y; nz += f.z;
        if (a.effector) addTorques(tau, frames, f.x, f.y, f.z, frames[tcp + 3], frames[tcp + 7], frames[tcp + 11], 7);
        else {
          const p = c.translation();
          addTorques(tau, frames, f.x, f.y, f.z, p.x, p.y, p.z, a.frame);
        }
      }
    }
    // A held object passes on what it is pressed against (net of its own weight, which the arm
    // carries anyway): a block pushed into the table loads the arm through the fingers' friction.
    const held: RCollider[] = [];
    for (const id of fingerObjects[0]) if (fingerObjects[1].has(id)) held.push(...v.objectColliders(id));
    if (held.length) {
      let fx = 0, fy = 0, fz = 0;
      const bodies = new Set<number>();
      for (const c of held) {
        const body = c.parent();
        if (body && !bodies.has(body.handle)) {
          bodies.add(body.handle);
          fz -= body.mass() * G;
        }
        for (const other of this.pairs.of(v.world, c)) {
          if (v.isRobotCollider(other.handle)) continue;
          const f = this.contactForce(c, other, invDt);
          fx += f.x; fy += f.y; fz += f.z;
        }
      }
      // Only what presses the object against something beyond its weight loads the arm.
      if (fz < 0) fz = 0;
      nx += fx; ny += fy; nz += fz;
      addTorques(tau, frames, fx, fy, fz, frames[tcp + 3], frames[tcp + 7], frames[tcp + 11], 7);
    }
    force = Math.hypot(nx, ny, nz);
    return { tau, depth, force };
  }

  // Rapier's contact callbacks made once per limiter, not per query (sim/contact-pairs.ts says why).
  private readonly pairs = new ContactPairs();
  private readonly pairForce = { x: 0, y: 0, z: 0, depth: 0 };
  private pairInvDt = 0;
  private readonly addManifold = (m: RManifold, flipped: boolean): void => {
    const f = this.pairForce;
    const n = m.normal();
    // The manifold normal points from its first collider to its second; the impulse pushes the
    // first away along -n. `flipped`: `c` is the manifold's second collider.
    const sgn = flipped ? 1 : -1;
    for (let k = 0; k < m.numContacts(); k++) {
      const lam = m.contactImpulse(k) * this.pairInvDt * sgn;
      f.x += n.x * lam; f.y += n.y * lam; f.z += n.z * lam;
      f.depth = Math.max(f.depth, -m.contactDist(k));
    }
  };

  /**
   * Force (N) that `other` applied to `c` in the last substep, and the deepest contact between them (m).
   * The object returned is reused: valid until the next call.
   */
  private contactForce(c: RCollider, other: RCollider, invDt: number): { x: number; y: number; z: number; depth: number } {
    const f = this.pairForce;
    f.x = 0; f.y = 0; f.z = 0; f.depth = 0;
    this.pairInvDt = invDt;
    this.view.world.contactPair(c, other, this.addManifold);
    return f;
  }

  /**
   * Whether the collider, moved to its next pose (position and orientation), ends deeper than
   * STATIC_PENETRATION_ALLOWED inside a fixed collider and deeper than it is now.
   */
  private turnsDeeper(c: RCollider, shape: RShape, p: Vec, rot: Rot, np: Vec, nrot: Rot): boolean {
    let deeper = false;
    this.view.world.intersectionsWithShape(np, nrot, shape, (other: RCollider) => {
      const os = this.shapes.of(other);
      const ot = other.translation(), orot = other.rotation();
      const after = shape.contactShape(np, nrot, os, ot, orot, 0);
      const dAfter = after ? -after.distance : 0;
      if (dAfter <= STATIC_PENETRATION_ALLOWED) return true;
      const before = shape.contactShape(p, rot, os, ot, orot, 0);
      const dBefore = before ? -before.distance : 0;
      if (dAfter > dBefore + 1e-5) {
        deeper = true;
        return false;
      }
      return true;
    }, RAPIER.QueryFilterFlags.EXCLUDE_DYNAMIC | RAPIER.QueryFilterFlags.EXCLUDE_KINEMATIC, c.collisionGroups());
    return deeper;
  }

  /** How much of the joint step dq (this substep) the arm may take from q. */
  limit(q: ArrayLike<number>, dq: ArrayLike<number>): LimitReport {
    if (!sameJoints(q, this.curQ)) {
      if (sameJoints(q, this.qNext)) {
        [this.cur, this.next] = [this.next, this.cur];
        [this.curQ, this.qNext] = [this.qNext, this.curQ];
      } else {
        computeFrames(q, this.cur);
        for (let i = 0; i < 7; i++) this.curQ[i] = q[i];
      }
    }
    this.qNext.fill(NaN);
    const { tau, depth, force } = this.contactLoad(this.cur);
    // Loaded and sunk deeper than YIELD_DEPTH into what it pushes (soft contacts give under a
    // torque-limited push): the arm yields, moving its contacts YIELD_STEP along the load, the way a
    // torque-limited joint is back-driven, instead of holding the soft contact that deep.
    if (depth > YIELD_DEPTH && force > YIELD_MIN_FORCE) {
      let tn2 = 0;
      for (let i = 0; i < 7; i++) tn2 += tau[i] * tau[i];
      if (tn2 > 1e-12) {
        const c = (YIELD_STEP * force) / tn2;
        const step = this.yieldStep;
        // Never faster than the joints can move.
        for (let i = 0; i < 7; i++) {
          const cap = PANDA_VEL_LIMIT[i] * this.view.dt;
          step[i] = Math.max(-cap, Math.min(cap, c * tau[i]));
        }
        return { scale: 0, reason: 'yield', tau, depth, yieldStep: step };
      }
    }
    // Saturated joints cannot push harder: the step is refused when it does work against the contact
    // (power sum tau_i dq_i < 0). A step the contact does work on (moving away) is taken whole.
    let saturated = false;
    let power = 0;
    for (let i = 0; i < 7; i++) {
      if (Math.abs(tau[i]) > PANDA_TORQUE_LIMIT[i]) saturated = true;
      power += tau[i] * dq[i];
    }
    if (saturated && power < 0) return { scale: 0, reason: 'torque', tau, depth };
    for (let i = 0; i < 7; i++) this.qNext[i] = q[i] + dq[i];
    computeFrames(this.qNext, this.next);
    const scale = this.fixedGeometryScale();
    return { scale, reason: scale < 1 ? 'fixed' : null, tau, depth };
  }

  /**
   * The link frames (computeFrames layout) at joints `q` if the last `limit` call computed them (its
   * start, or the end of the step it proposed); otherwise undefined. Valid until the next `limit` call.
   */
  framesAt(q: ArrayLike<number>): Float64Array | undefined {
    if (sameJoints(q, this.qNext)) return this.next;
    if (sameJoints(q, this.curQ)) return this.cur;
    return undefined;
  }

  /**
   * The prefilter's per-collider constants (bounding radius, offset in its frame) and the fixed boxes as
   * flat arrays, made once for the arm's collider list and the world's fixed boxes (both built once).
   */
  private prefilter?: { arm: readonly ArmCollider[]; fixed: readonly Bounds[]; radius: Float64Array; onLink: Uint8Array; offset: Float64Array; boxes: Float64Array };
  private prefilterFor(arm: readonly ArmCollider[], fixed: readonly Bounds[]): NonNullable<ArmLimiter['prefilter']> {
    const p = this.prefilter;
    if (p && p.arm === arm && p.fixed === fixed) return p;
    const radius = new Float64Array(arm.length), onLink = new Uint8Array(arm.length), offset = new Float64Array(3 * arm.length);
    arm.forEach((a, i) => {
      radius[i] = boundingRadius(this.shapes.of(a.collider));
      if (a.offset) {
        onLink[i] = 1;
        offset.set(a.offset, 3 * i);
      }
    });
    const boxes = new Float64Array(6 * fixed.length);
    fixed.forEach((b, k) => boxes.set([...b.min, ...b.max], 6 * k));
    return (this.prefilter = { arm, fixed, radius, onLink, offset, boxes });
  }

  /** Largest fraction of the step that keeps every moving arm collider out of fixed geometry. */
  private fixedGeometryScale(): number {
    const v = this.view;
    const w = v.world;
    const cur = this.cur, next = this.next;
    const fixed = v.fixedBounds();
    let scale = 1;
    const arm = v.armColliders();
    const pre = this.prefilterFor(arm, fixed);
    const boxes = pre.boxes, nb = boxes.length;
    for (let i = 0; i < arm.length; i++) {
      const a = arm[i];
      const c = a.collider;
      const o = a.frame * 12;
      // Cheap test first: a sphere holding the collider, swept with it, against the fixed boxes.
      const rb = pre.radius[i];
      let margin: number, fx: number, fy: number, fz: number;
      if (pre.onLink[i]) {
        // A link collider: its centre now and after the step, from the frames alone; every point of it
        // stays within its bounding radius of a centre moving along that segment (the cast below and
        // the turn check look at no other pose), so it cannot reach a fixed box farther away than that
        // (1e-4 m kept for Rapier's single-precision poses).
        const kx = pre.offset[3 * i], ky = pre.offset[3 * i + 1], kz = pre.offset[3 * i + 2];
        fx = cur[o] * kx + cur[o + 1] * ky + cur[o + 2] * kz + cur[o + 3];
        fy = cur[o + 4] * kx + cur[o + 5] * ky + cur[o + 6] * kz + cur[o + 7];
        fz = cur[o + 8] * kx + cur[o + 9] * ky + cur[o + 10] * kz + cur[o + 11];
        const dx = next[o] * kx + next[o + 1] * ky + next[o + 2] * kz + next[o + 3] - fx;
        const dy = next[o + 4] * kx + next[o + 5] * ky + next[o + 6] * kz + next[o + 7] - fy;
        const dz = next[o + 8] * kx + next[o + 9] * ky + next[o + 10] * kz + next[o + 11] - fz;
        margin = rb + Math.sqrt(dx * dx + dy * dy + dz * dz) + 1e-4;
      } else {
        // A finger pad rides on its joint: a sphere about the hand frame's origin holding its whole travel.
        fx = cur[o + 3]; fy = cur[o + 7]; fz = cur[o + 11];
        const dx = next[o + 3] - fx, dy = next[o + 7] - fy, dz = next[o + 11] - fz;
        margin = rb + a.reach + Math.sqrt(dx * dx + dy * dy + dz * dz);
      }
      let near = false;
      for (let k = 0; k < nb; k += 6) {
        if (fx > boxes[k] - margin && fx < boxes[k + 3] + margin && fy > boxes[k + 1] - margin && fy < boxes[k + 4] + margin &&
          fz > boxes[k + 2] - margin && fz < boxes[k + 5] + margin) { near = true; break; }
      }
      if (!near) continue;
      const p = c.translation();
      // The collider's centre carried from the current to the next pose of its frame.
      const rx = p.x - cur[o + 3], ry = p.y - cur[o + 7], rz = p.z - cur[o + 11];
      // Local coordinates: R_cur^T r.
      const lx = cur[o] * rx + cur[o + 4] * ry + cur[o + 8] * rz;
      const ly = cur[o + 1] * rx + cur[o + 5] * ry + cur[o + 9] * rz;
      const lz = cur[o + 2] * rx + cur[o + 6] * ry + cur[o + 10] * rz;
      const nx = next[o] * lx + next[o + 1] * ly + next[o + 2] * lz + next[o + 3];
      const ny = next[o + 4] * lx + next[o + 5] * ly + next[o + 6] * lz + next[o + 7];
      const nz = next[o + 8] * lx + next[o + 9] * ly + next[o + 10] * lz + next[o + 11];
      const vel = { x: nx - p.x, y: ny - p.y, z: nz - p.z };
      const shape = this.shapes.of(c);
      const rot = c.rotation();
      // The collider's next orientation: the frame's rotation this substep, R_next R_cur^T, applied to it.
      const delta = rotationDelta(cur, next, o);
      // A turn sweeps a long part (the 20 cm palm) into a wall with its centre standing still, which the
      // cast along the centre's motion cannot see: when the turn moves the part's ends by more than
      // 0.1 mm, the next pose itself is checked too.
      const turn = 2 * Math.acos(Math.min(1, Math.abs(delta.w)));
      if (turn * rb > 1e-4) {
        const nextRot = quatMulXyzw(delta, rot);
        if (this.turnsDeeper(c, shape, p, rot, { x: nx, y: ny, z: nz }, nextRot)) {
          scale = 0;
          continue;
        }
      }
      if (Math.abs(vel.x) + Math.abs(vel.y) + Math.abs(vel.z) < 1e-7) continue;
      const hit = w.castShape(
        p, rot, vel, shape, 0, 1, false,
        RAPIER.QueryFilterFlags.EXCLUDE_DYNAMIC | RAPIER.QueryFilterFlags.EXCLUDE_KINEMATIC,
        c.collisionGroups(),
      );
      if (!hit || hit.time_of_impact >= scale) continue;
      // Sliding along a surface it already touches is allowed as long as it gets no deeper.
      const other = hit.collider;
      const os = this.shapes.of(other);
      const ot = other.translation(), orot = other.rotation();
      const after = shape.contactShape({ x: nx, y: ny, z: nz }, rot, os, ot, orot, 0);
      const dAfter = after ? -after.distance : 0;
      if (dAfter <= STATIC_PENETRATION_ALLOWED) continue;
      const before = shape.contactShape(p, rot, os, ot, orot, 0);
      const dBefore = before ? -before.distance : 0;
      if (dAfter <= dBefore + 1e-5) continue;
      scale = Math.max(0, hit.time_of_impact);
    }
    return scale;
  }
}
