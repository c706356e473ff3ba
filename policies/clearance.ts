// Clearance geometry for the scripted expert. Everything on the table (objects, a container's floor
// and walls, fixture shells and their drawers and doors) becomes vertical prisms over oriented
// rectangles or discs ("blocks"), and so does the hand: two finger pads, the palm above them and
// whatever it holds. Two questions are asked of them: how high must the TCP be to travel in a straight
// horizontal line from A to B without any part of the hand passing within a margin of something
// taller (`corridorHeight`), and how do two footprints stand to each other (`gap`), which the
// container placement planner (placement.ts) builds on.
import type { ObjectKind, Quat, Shape, Vec2, Vec3 } from '../scenes/types.ts';
import type { PrivilegedState } from '../sim/privileged.ts';
import { GRIPPER } from '../sim/robot.ts';
import { FIXTURE_DEFS } from '../scenes/fixture-defs.ts';
import { quatFromAxisAngle, quatMul, quatRotate } from '../sim/kinematics.ts';

/** An oriented rectangle (centre, half extents along its own axes, yaw) or a disc on the table plane. */
export type Footprint = { c: Vec2; h: Vec2; yaw: number; r?: undefined } | { c: Vec2; r: number; h?: undefined; yaw?: undefined };

/** A vertical prism: something that occupies `fp` between heights `bottom` and `top` (m). */
export interface Block {
  /** The object or fixture it belongs to ('hand' for the hand's own parts). */
  owner: string;
  fp: Footprint;
  bottom: number;
  top: number;
}

/** The hand's geometry below the wrist, from sim/robot.ts: finger pads and the palm box above them. */
export const HAND = {
  /** Pad half sizes: along the hand's x (pad width) and its closing direction (thickness). */
  pad: [GRIPPER.padHalf[0], GRIPPER.padHalf[1]] as Vec2,
  /** Pads reach from the TCP (the fingertips) this far up. */
  padLength: 2 * GRIPPER.padHalf[2],
  /** Palm half sizes along the hand's x and its closing direction; its underside is `palmAbove` over the TCP. */
  palm: [0.03, 0.1] as Vec2,
  palmAbove: 0.1034 - 0.058,
};

// ---------------------------------------------------------------------------------------------
// Footprints

/** Signed distance from point p to a footprint: positive outside, negative inside (depth). */
export function pointDistance(p: Vec2, f: Footprint): number {
  const dx = p[0] - f.c[0], dy = p[1] - f.c[1];
  if (f.r !== undefined) return Math.hypot(dx, dy) - f.r;
  const c = Math.cos(f.yaw), s = Math.sin(f.yaw);
  const ex = Math.abs(c * dx + s * dy) - f.h[0];
  const ey = Math.abs(-s * dx + c * dy) - f.h[1];
  return ex > 0 || ey > 0 ? Math.hypot(Math.max(ex, 0), Math.max(ey, 0)) : Math.max(ex, ey);
}

// Corner scratch for `gap` (x, y interleaved; four corners each): the planner calls it millions of
// times per chain, and allocating corner and projection arrays there cost a sixth of a worker's time.
const cornersA = new Float64Array(8), cornersB = new Float64Array(8);

/** The rectangle's corners, counter-clockwise from (-x, -y) in its own frame, into `out`. */
function cornersInto(f: { c: Vec2; h: Vec2; yaw: number }, out: Float64Array): void {
  const c = Math.cos(f.yaw), s = Math.sin(f.yaw);
  for (let k = 0; k < 4; k++) {
    const lx = (k === 1 || k === 2 ? 1 : -1) * f.h[0], ly = (k >= 2 ? 1 : -1) * f.h[1];
    out[2 * k] = f.c[0] + c * lx - s * ly;
    out[2 * k + 1] = f.c[1] + s * lx + c * ly;
  }
}

/** The separation of two corner sets along the axis (ax, ay): how far apart their projections are (negative: overlap). */
function separation(ca: Float64Array, cb: Float64Array, ax: number, ay: number): number {
  let loA = Infinity, hiA = -Infinity, loB = Infinity, hiB = -Infinity;
  for (let k = 0; k < 8; k += 2) {
    const pa = ca[k] * ax + ca[k + 1] * ay, pb = cb[k] * ax + cb[k + 1] * ay;
    loA = Math.min(loA, pa); hiA = Math.max(hiA, pa);
    loB = Math.min(loB, pb); hiB = Math.max(hiB, pb);
  }
  return Math.max(loB - hiA, loA - hiB);
}

/**
 * Signed gap between two footprints: the distance between them when apart (exact for discs, the
 * largest separation along the rectangles' axes otherwise, which never exceeds the true distance),
 * minus the overlap depth when they overlap.
 */
export function gap(a: Footprint, b: Footprint): number {
  if (a.r !== undefined && b.r !== undefined) return Math.hypot(a.c[0] - b.c[0], a.c[1] - b.c[1]) - a.r - b.r;
  if (a.r !== undefined) return pointDistance(a.c, b) - a.r;
  if (b.r !== undefined) return pointDistance(b.c, a) - b.r;
  cornersInto(a, cornersA);
  cornersInto(b, cornersB);
  const ca = Math.cos(a.yaw), sa = Math.sin(a.yaw), cb = Math.cos(b.yaw), sb = Math.sin(b.yaw);
  return Math.max(
    separation(cornersA, cornersB, ca, sa), separation(cornersA, cornersB, -sa, ca),
    separation(cornersA, cornersB, cb, sb), separation(cornersA, cornersB, -sb, cb),
  );
}

/** Radius of the smallest disc about `p` that holds the footprint. */
export function reachFrom(p: Vec2, f: Footprint): number {
  const d = Math.hypot(f.c[0] - p[0], f.c[1] - p[1]);
  return f.r !== undefined ? d + f.r : d + Math.hypot(f.h[0], f.h[1]);
}

// ---------------------------------------------------------------------------------------------
// Blocks of things in the world

const UPRIGHT = Math.cos((5 * Math.PI) / 180);

/** Blocks of a list of shapes placed at a pose (box and cylinder shapes of upright things stay tight; tilted ones get their bounding box). */
export function shapeBlocks(owner: string, shapes: readonly Shape[], pos: ArrayLike<number>, quat: ArrayLike<number>): Block[] {
  const out: Block[] = [];
  for (const s of shapes) {
    const sp = s.pos ?? [0, 0, 0];
    const sq: Quat = 'quat' in s && s.quat ? s.quat : [0, 0, 0, 1];
    const q = quatMul(quat, sq);
    const off = quatRotate(quat, sp);
    const c: Vec3 = [pos[0] + off[0], pos[1] + off[1], pos[2] + off[2]];
    const he: Vec3 = s.type === 'box' ? s.halfExtents : s.type === 'sphere' ? [s.radius, s.radius, s.radius]
      : [s.radius, s.radius, s.halfHeight + (s.type === 'capsule' ? s.radius : 0)];
    const z = quatRotate(q, [0, 0, 1]);
    if (Math.abs(z[2]) >= UPRIGHT) {
      const x = quatRotate(q, [1, 0, 0]);
      const fp: Footprint = s.type === 'box' ? { c: [c[0], c[1]], h: [he[0], he[1]], yaw: Math.atan2(x[1], x[0]) } : { c: [c[0], c[1]], r: he[0] };
      out.push({ owner, fp, bottom: c[2] - he[2], top: c[2] + he[2] });
      continue;
    }
    // Tilted: the world-axis bounding box of the shape's bounding-box corners.
    const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
    for (const sx of [-1, 1]) for (const sy of [-1, 1]) for (const sz of [-1, 1]) {
      const p = quatRotate(q, [sx * he[0], sy * he[1], sz * he[2]]);
      for (let i = 0; i < 3; i++) { lo[i] = Math.min(lo[i], c[i] + p[i]); hi[i] = Math.max(hi[i], c[i] + p[i]); }
    }
    out.push({ owner, fp: { c: [(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2], h: [(hi[0] - lo[0]) / 2, (hi[1] - lo[1]) / 2], yaw: 0 }, bottom: lo[2], top: hi[2] });
  }
  return out;
}

/** An object kind's blocks with its frame origin (bottom centre) at `pos`, turned by `yaw` (upright). */
export function kindBlocks(owner: string, kind: ObjectKind, pos: Vec3, yaw: number): Block[] {
  return shapeBlocks(owner, kind.shapes, pos, quatFromAxisAngle([0, 0, 1], yaw));
}

/** Blocks of everything in the scene but the objects in `exclude`: objects, fixture shells and moving parts. */
export function sceneBlocks(state: PrivilegedState, exclude: ReadonlySet<string> = new Set()): Block[] {
  const out: Block[] = [];
  for (const id of state.objectIds()) {
    if (exclude.has(id)) continue;
    const o = state.object(id);
    out.push(...shapeBlocks(id, o.kind.shapes, o.pos, o.quat));
  }
  for (const f of state.scene.fixtures) {
    const def = FIXTURE_DEFS[f.kind];
    out.push(...shapeBlocks(f.id, def.shell, [f.pos[0], f.pos[1], 0], quatFromAxisAngle([0, 0, 1], f.yaw)));
    for (const p of def.parts) {
      const v = state.fixture(`${f.id}_${p.name}`);
      out.push(...shapeBlocks(f.id, p.shapes, v.part.pos, v.part.quat));
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The hand

/** What the hand holds, relative to the TCP: its kind, its yaw and origin offset in the hand frame, and how far below the TCP its bottom is. */
export interface Held {
  kind: ObjectKind;
  /** Object yaw minus hand yaw (rad). */
  relYaw: number;
  /** Object origin relative to the TCP, in the hand frame (m). */
  rel: Vec2;
  /** TCP height above the object's bottom (m). */
  tcpAbove: number;
}

/** The hand's x axis and closing direction (its y axis) on the table plane, for a top-down hand turned by `yaw`. */
export function handAxes(yaw: number): { x: Vec2; y: Vec2 } {
  return { x: [Math.cos(yaw), Math.sin(yaw)], y: [Math.sin(yaw), -Math.cos(yaw)] };
}

const PAD_SIDES = [-1, 1] as const;

/**
 * The hand's blocks with the TCP at `tcp`, turned by `yaw`, fingers `width` apart (between the pads),
 * holding `held` (or nothing).
 */
export function handBlocks(tcp: Vec3, yaw: number, width: number, held?: Held): Block[] {
  const { y } = handAxes(yaw);
  const off = width / 2 + HAND.pad[1];
  const out: Block[] = [];
  for (const s of PAD_SIDES) {
    out.push({ owner: 'hand', fp: { c: [tcp[0] + s * off * y[0], tcp[1] + s * off * y[1]], h: HAND.pad, yaw }, bottom: tcp[2], top: tcp[2] + HAND.padLength });
  }
  out.push({ owner: 'hand', fp: { c: [tcp[0], tcp[1]], h: HAND.palm, yaw }, bottom: tcp[2] + HAND.palmAbove, top: tcp[2] + HAND.palmAbove + 0.05 });
  if (held) out.push(...kindBlocks('held', held.kind, heldOrigin(tcp, yaw, held), yaw + held.relYaw));
  return out;
}

/** Where the held object's origin (bottom centre) is for a TCP at `tcp` turned by `yaw`. */
export function heldOrigin(tcp: Vec3, yaw: number, held: Held): Vec3 {
  const { x, y } = handAxes(yaw);
  return [tcp[0] + held.rel[0] * x[0] + held.rel[1] * y[0], tcp[1] + held.rel[0] * x[1] + held.rel[1] * y[1], tcp[2] - held.tcpAbove];
}

/** Distance from point p to the segment a-b on the table plane. */
function segmentDistance(p: Vec2, a: Vec2, b: Vec2): number {
  const dx = b[0] - a[0], dy = b[1] - a[1];
  const L2 = dx * dx + dy * dy;
  const t = L2 < 1e-12 ? 0 : Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / L2));
  return Math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy);
}

/** Distance between a footprint and the segment a-b (rectangles by sampling the segment every 5 mm). */
function footprintToSegment(f: Footprint, a: Vec2, b: Vec2): number {
  if (f.r !== undefined) return segmentDistance(f.c, a, b) - f.r;
  const n = Math.max(1, Math.ceil(Math.hypot(b[0] - a[0], b[1] - a[1]) / 0.005));
  let best = Infinity;
  for (let i = 0; i <= n; i++) {
    const t = i / n;
    best = Math.min(best, pointDistance([a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t], f));
  }
  return best;
}

export interface CorridorMargins {
  /** Horizontal distance kept between any part of the hand and anything it passes over (m). */
  xy: number;
  /** Height kept above the top of anything the hand passes over (m). */
  z: number;
}

/**
 * The lowest TCP height at which the hand, as `parts` (its blocks at the start of the move, TCP at
 * `from`), can travel horizontally from `from` to `to` (any yaw on the way: each part is swept as the
 * disc about the TCP that holds it) with every part at least `m.z` above the top of every block within
 * `m.xy` of where that part passes. At least `m.z` above the table.
 */
export function corridorHeight(parts: readonly Block[], from: Vec3, to: Vec2, blocks: readonly Block[], m: CorridorMargins): number {
  const a: Vec2 = [from[0], from[1]];
  let need = m.z;
  for (const part of parts) {
    const reach = reachFrom(a, part.fp);
    const below = from[2] - part.bottom; // how far the part reaches below the TCP
    for (const b of blocks) {
      if (b.top + m.z + below <= need) continue;
      if (footprintToSegment(b.fp, a, to) < reach + m.xy) need = b.top + m.z + below;
    }
  }
  return need;
}
