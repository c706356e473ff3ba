// The object library: LIBERO-style known kinds built from primitives.
// Every kind's frame has its origin at the bottom centre of the object, z up; shapes are given in that
// frame and cylinders run along z. `size` is the exact bounding box of the shapes (computed, not typed
// in by hand), so it always agrees with the geometry.

import { isNovelKind, novelKind, NOVEL_PREFIX } from './novel-objects.ts';
import type { ContainerVolume, GraspHint, ObjectKind, Quat, Rgb, Shape, Vec3 } from './types.ts';

/** Widest thing the gripper should be asked to grasp (it opens 0 - 0.08 m). */
export const MAX_GRASP_WIDTH = 0.065;
/** Lowest allowed pad-centre height: the fingertips reach 0.02 below it and must stay above the table. */
export const MIN_GRASP_HEIGHT = 0.025;
/** Highest pad-centre height used for tall objects. */
export const MAX_GRASP_HEIGHT = 0.09;

// ---------------------------------------------------------------------------------------------
// Geometry helpers

function yawQuat(yaw: number): Quat {
  return [0, 0, Math.sin(yaw / 2), Math.cos(yaw / 2)];
}

function rotate(q: Quat, v: Vec3): Vec3 {
  const [qx, qy, qz, qw] = q;
  const [vx, vy, vz] = v;
  // t = 2 * cross(q.xyz, v); v' = v + w * t + cross(q.xyz, t)
  const tx = 2 * (qy * vz - qz * vy);
  const ty = 2 * (qz * vx - qx * vz);
  const tz = 2 * (qx * vy - qy * vx);
  return [
    vx + qw * tx + (qy * tz - qz * ty),
    vy + qw * ty + (qz * tx - qx * tz),
    vz + qw * tz + (qx * ty - qy * tx),
  ];
}

/** Corner points that bound a shape (exact for boxes, axis-aligned cylinders and spheres). */
function shapeExtremePoints(s: Shape): Vec3[] {
  const p: Vec3 = s.pos ?? [0, 0, 0];
  if (s.type === 'sphere') {
    const r = s.radius;
    return [
      [p[0] - r, p[1] - r, p[2] - r],
      [p[0] + r, p[1] + r, p[2] + r],
    ];
  }
  let he: Vec3;
  if (s.type === 'box') he = s.halfExtents;
  else if (s.type === 'cylinder') he = [s.radius, s.radius, s.halfHeight];
  else he = [s.radius, s.radius, s.halfHeight + s.radius];
  const q: Quat = s.quat ?? [0, 0, 0, 1];
  const pts: Vec3[] = [];
  for (const sx of [-1, 1]) {
    for (const sy of [-1, 1]) {
      for (const sz of [-1, 1]) {
        const c = rotate(q, [sx * he[0], sy * he[1], sz * he[2]]);
        pts.push([p[0] + c[0], p[1] + c[1], p[2] + c[2]]);
      }
    }
  }
  return pts;
}

function isIdentity(q: Quat | undefined): boolean {
  return q === undefined || (q[0] === 0 && q[1] === 0 && q[2] === 0);
}

/** Axis-aligned bounds of a list of shapes, in their frame. */
export function shapesBounds(shapes: Shape[]): { min: Vec3; max: Vec3 } {
  const min: Vec3 = [Infinity, Infinity, Infinity];
  const max: Vec3 = [-Infinity, -Infinity, -Infinity];
  for (const s of shapes) {
    for (const pt of shapeExtremePoints(s)) {
      for (let i = 0; i < 3; i++) {
        min[i] = Math.min(min[i], pt[i]);
        max[i] = Math.max(max[i], pt[i]);
      }
    }
  }
  return { min, max };
}

/**
 * Radius of the smallest circle about the object's origin (in the xy plane) that contains every shape,
 * whatever the yaw. Exact for boxes, z-aligned cylinders and spheres.
 */
export function footprintRadius(kind: Pick<ObjectKind, 'shapes'>): number {
  let r = 0;
  for (const s of kind.shapes) {
    const p: Vec3 = s.pos ?? [0, 0, 0];
    if (s.type === 'sphere' || ((s.type === 'cylinder' || s.type === 'capsule') && isIdentity(s.quat))) {
      r = Math.max(r, Math.hypot(p[0], p[1]) + s.radius);
    } else {
      for (const pt of shapeExtremePoints(s)) r = Math.max(r, Math.hypot(pt[0], pt[1]));
    }
  }
  return r;
}

const round = (v: number): number => Math.round(v * 1e6) / 1e6;

// ---------------------------------------------------------------------------------------------
// Builders

export interface Material {
  mass: number;
  friction: number;
  restitution?: number;
  color: Rgb;
}

export interface KindInput extends Material {
  kind: string;
  category: string;
  name: string;
  shapes: Shape[];
  grasp: GraspHint;
  supportTop?: number;
  container?: ContainerVolume;
  graspable: boolean;
}

export function makeKind(k: KindInput): ObjectKind {
  const { min, max } = shapesBounds(k.shapes);
  const size: Vec3 = [round(max[0] - min[0]), round(max[1] - min[1]), round(max[2] - min[2])];
  const out: ObjectKind = {
    kind: k.kind,
    category: k.category,
    name: k.name,
    shapes: k.shapes,
    size,
    mass: k.mass,
    friction: k.friction,
    restitution: k.restitution ?? 0,
    color: k.color,
    grasp: k.grasp,
    graspable: k.graspable,
  };
  if (k.supportTop !== undefined) out.supportTop = k.supportTop;
  if (k.container !== undefined) out.container = k.container;
  return out;
}

/** Pad height for a top grasp: 60-70 % of the height, clamped to [0.025, 0.09]. */
export function graspHeightFor(height: number): number {
  return round(Math.min(MAX_GRASP_HEIGHT, Math.max(MIN_GRASP_HEIGHT, 0.65 * height)));
}

export function topGrasp(height: number, axis: 'x' | 'y', symmetric: boolean, at?: number): GraspHint {
  return { type: 'top', height: at ?? graspHeightFor(height), axis, symmetric };
}

const NO_GRASP: GraspHint = { type: 'none', height: 0, axis: 'x', symmetric: true };

/** A can: one cylinder. */
function can(kind: string, name: string, radius: number, height: number, m: Material): ObjectKind {
  return makeKind({
    kind, category: kind, name, ...m,
    shapes: [{ type: 'cylinder', radius, halfHeight: height / 2, pos: [0, 0, height / 2], color: m.color }],
    grasp: topGrasp(height, 'y', true),
    supportTop: height,
    graspable: true,
  });
}

/**
 * A box-shaped package lying on the table, long side along x, grasped across y. Packages lower than
 * the lowest pad height (LIBERO's butter and cream cheese are under 2 cm) are pinched with the
 * fingertips just above the table, the pads covering all of their side.
 */
function box(kind: string, name: string, sx: number, sy: number, sz: number, m: Material, category = kind): ObjectKind {
  return makeKind({
    kind, category, name, ...m,
    shapes: [{ type: 'box', halfExtents: [sx / 2, sy / 2, sz / 2], pos: [0, 0, sz / 2], color: m.color }],
    grasp: topGrasp(sz, 'y', false),
    supportTop: sz,
    graspable: true,
  });
}

/** A carton: square box with a small ridge on top (the gable). */
function carton(kind: string, name: string, side: number, height: number, m: Material, capColor: Rgb): ObjectKind {
  const ridge = 0.015;
  const body = height - ridge;
  return makeKind({
    kind, category: kind, name, ...m,
    shapes: [
      { type: 'box', halfExtents: [side / 2, side / 2, body / 2], pos: [0, 0, body / 2], color: m.color },
      { type: 'box', halfExtents: [side / 2, 0.006, ridge / 2], pos: [0, 0, body + ridge / 2], color: capColor },
    ],
    grasp: topGrasp(height, 'y', false),
    graspable: true,
  });
}

/**
 * A bottle: a body cylinder and a narrower neck cylinder on top. LIBERO's sauce and dressing bottles
 * are flattened (their two horizontal extents differ by a third); here they are round, with the
 * diameter their mean extent.
 */
function bottle(
  kind: string, name: string,
  body: { radius: number; height: number },
  neck: { radius: number; height: number },
  m: Material, neckColor: Rgb,
): ObjectKind {
  const total = body.height + neck.height;
  // Grasp on the body: 60-70 % of the height, at most 0.09, and never above the body's shoulder.
  const h = Math.min(graspHeightFor(total), round(body.height - 0.015));
  return makeKind({
    kind, category: kind, name, ...m,
    shapes: [
      { type: 'cylinder', radius: body.radius, halfHeight: body.height / 2, pos: [0, 0, body.height / 2], color: m.color },
      { type: 'cylinder', radius: neck.radius, halfHeight: neck.height / 2, pos: [0, 0, body.height + neck.height / 2], color: neckColor },
    ],
    grasp: topGrasp(total, 'y', true, h),
    graspable: true,
  });
}

/** A mug: body cylinder (no hollow) with a box handle on +x. Grasped across the body (along y). */
function mug(kind: string, name: string, m: Material): ObjectKind {
  const r = 0.0315;
  const h = 0.085;
  return makeKind({
    kind, category: 'mug', name, ...m,
    shapes: [
      { type: 'cylinder', radius: r, halfHeight: h / 2, pos: [0, 0, h / 2], color: m.color },
      { type: 'box', halfExtents: [0.0125, 0.006, 0.025], pos: [r + 0.0105, 0, 0.045], color: m.color },
    ],
    grasp: topGrasp(h, 'y', false),
    graspable: true,
  });
}

/** A 5 cm cube for stacking. */
function block(kind: string, name: string, color: Rgb): ObjectKind {
  const s = 0.05;
  return makeKind({
    kind, category: 'block', name, mass: 0.09, friction: 0.8, color,
    shapes: [{ type: 'box', halfExtents: [s / 2, s / 2, s / 2], pos: [0, 0, s / 2], color }],
    grasp: topGrasp(s, 'x', true, s / 2),
    supportTop: s,
    graspable: true,
  });
}

/** Round fruit: a sphere on a small flat cylinder so it does not roll away. */
function fruit(kind: string, name: string, radius: number, m: Material): ObjectKind {
  return makeKind({
    kind, category: kind, name, ...m,
    shapes: [
      { type: 'sphere', radius, pos: [0, 0, radius], color: m.color },
      { type: 'cylinder', radius: radius * 0.55, halfHeight: 0.004, pos: [0, 0, 0.004], color: m.color },
    ],
    grasp: topGrasp(2 * radius, 'y', true, round(Math.max(MIN_GRASP_HEIGHT, radius))),
    graspable: true,
  });
}

/**
 * A ring of `n` thin boxes standing on the table, centred at radius `r` (wall thickness `t`), the
 * first segment centred on +x; `cx` moves the ring's centre along x.
 */
function ring(n: number, r: number, t: number, z0: number, z1: number, color: Rgb, cx = 0): Shape[] {
  const half = (r + t / 2) * Math.tan(Math.PI / n) + 0.001; // slight overlap between segments
  const shapes: Shape[] = [];
  for (let i = 0; i < n; i++) {
    const a = (2 * Math.PI * i) / n;
    shapes.push({
      type: 'box',
      halfExtents: [t / 2, round(half), (z1 - z0) / 2],
      pos: [round(cx + r * Math.cos(a)), round(r * Math.sin(a)), (z1 + z0) / 2],
      quat: yawQuat(a).map(round) as Quat,
      color,
    });
  }
  return shapes;
}

/** A bowl: a flat round base and a ring of 12 thin wall boxes. */
function bowl(kind: string, name: string, color: Rgb): ObjectKind {
  const wallR = 0.066; // wall centre radius
  const t = 0.006;
  const baseTop = 0.01;
  const height = 0.05;
  const inner = wallR - t / 2;
  const half = round((inner * Math.SQRT1_2));
  return makeKind({
    kind, category: 'bowl', name, mass: 0.3, friction: 0.8, color,
    shapes: [
      { type: 'cylinder', radius: inner + 0.001, halfHeight: baseTop / 2, pos: [0, 0, baseTop / 2], color },
      ...ring(12, wallR, t, 0, height, color),
    ],
    grasp: NO_GRASP,
    container: { center: [0, 0, (baseTop + height) / 2], halfExtents: [half, half, (height - baseTop) / 2] },
    graspable: false,
  });
}

/** A plate: a thin disc with a low rim. Things are put on its base (supportTop). */
function plate(kind: string, name: string, color: Rgb, rimR = 0.082): ObjectKind {
  const t = 0.004;
  const baseTop = 0.01;
  return makeKind({
    kind, category: 'plate', name, mass: 0.25, friction: 0.8, color,
    shapes: [
      { type: 'cylinder', radius: rimR, halfHeight: baseTop / 2, pos: [0, 0, baseTop / 2], color },
      ...ring(16, rimR, t, 0, 0.02, color),
    ],
    grasp: NO_GRASP,
    supportTop: baseTop,
    graspable: false,
  });
}

/** An open box: a floor and four walls (`ends`: the walls at +-x, which may stand higher than the sides). */
interface OpenBoxDims {
  sx: number;
  sy: number;
  /** Height of the side walls (at +-y) and of the end walls (at +-x). */
  h: number;
  ends?: number;
  t: number;
  bottom: number;
}

/** A basket or a tray: an open box that things are put In (its interior is the container volume). */
function openBox(kind: string, category: string, name: string, color: Rgb, d: OpenBoxDims, mass = 0.35): ObjectKind {
  const { sx, sy, h, t, bottom } = d;
  const ends = d.ends ?? h;
  const side = h - bottom;
  const end = ends - bottom;
  return makeKind({
    kind, category, name, mass, friction: 0.8, color,
    shapes: [
      { type: 'box', halfExtents: [sx / 2, sy / 2, bottom / 2], pos: [0, 0, bottom / 2], color },
      { type: 'box', halfExtents: [t / 2, sy / 2, end / 2], pos: [round(sx / 2 - t / 2), 0, round(bottom + end / 2)], color },
      { type: 'box', halfExtents: [t / 2, sy / 2, end / 2], pos: [round(-(sx / 2 - t / 2)), 0, round(bottom + end / 2)], color },
      { type: 'box', halfExtents: [round(sx / 2 - t), t / 2, side / 2], pos: [0, round(sy / 2 - t / 2), round(bottom + side / 2)], color },
      { type: 'box', halfExtents: [round(sx / 2 - t), t / 2, side / 2], pos: [0, round(-(sy / 2 - t / 2)), round(bottom + side / 2)], color },
    ],
    grasp: NO_GRASP,
    container: {
      center: [0, 0, round((bottom + h) / 2)],
      halfExtents: [round(sx / 2 - t), round(sy / 2 - t), round(side / 2)],
    },
    graspable: false,
  });
}

/** chaingap's basket: 16 x 12 x 7 cm. */
function basket(kind: string, name: string, color: Rgb): ObjectKind {
  return openBox(kind, 'basket', name, color, { sx: 0.16, sy: 0.12, h: 0.07, t: 0.006, bottom: 0.01 });
}

// ---------------------------------------------------------------------------------------------
// Rimmed things picked by their wall (LIBERO's bowls, mugs and frying pan)

/**
 * Reach of the gripper below the wrist, for grasp heights: the finger pads' length up from the
 * fingertips (the TCP) and the palm's underside above them. Mirrors sim/robot.ts (GRIPPER.padHalf,
 * the finger anchors; scenes/ imports nothing from sim/); test/libero-objects.test.ts checks they agree.
 */
export const HAND_REACH = { padLength: 0.045, palmAboveTcp: 0.1034 - 0.058 };

/** Thickness of the pinchable walls (m): more than the expert's grasp-miss width (4 mm). */
export const RIM_WALL = 0.006;

/**
 * A rim grasp: one finger inside the wall, one outside, closing across it at `offset` along x from
 * the object's origin. The fingertips go down to 6 mm above the floor inside (the inner finger
 * comes down over it) or 3.5 cm below the wall top, whichever is higher, and never so low that the
 * palm comes within 6 mm of the wall top. `symmetric`: the wall is a ring about the origin, and any
 * point on it will do; otherwise the pinch may move some way round the rim from `offset`, away from a
 * handle (policies/expert.ts RIM_SECTOR).
 */
export function rimGrasp(wallTop: number, floorTop: number, offset: number, symmetric: boolean): GraspHint {
  const tcp = Math.max(floorTop + 0.006, wallTop - 0.035, wallTop + 0.006 - HAND_REACH.palmAboveTcp);
  return { type: 'rim', height: round(tcp + HAND_REACH.padLength / 2), axis: 'x', symmetric, offset: round(offset) };
}

/**
 * A bowl standing on a foot (LIBERO's akita black bowl and white bowl): a solid foot, a floor disc on
 * it and a 16-segment wall up from the foot's top. Things put On it rest on the floor (supportTop); a
 * bowl put on another rests with its underside on the other's rim, its foot inside (the foot is
 * narrower than the wall's inside), which makes stacks. Picked by the rim, anywhere around it.
 */
function footedBowl(
  kind: string, name: string,
  d: { radius: number; height: number; foot: { radius: number; height: number }; floor: number },
  m: Material,
): ObjectKind {
  const t = RIM_WALL;
  const r = d.radius - t / 2;
  const floorTop = d.foot.height + d.floor;
  return makeKind({
    kind, category: 'bowl', name, ...m,
    shapes: [
      { type: 'cylinder', radius: d.foot.radius, halfHeight: d.foot.height / 2, pos: [0, 0, d.foot.height / 2], color: m.color },
      { type: 'cylinder', radius: round(r - t / 2 + 0.001), halfHeight: d.floor / 2, pos: [0, 0, round(d.foot.height + d.floor / 2)], color: m.color },
      ...ring(16, r, t, d.foot.height, d.height, m.color),
    ],
    grasp: rimGrasp(d.height, floorTop, r, true),
    supportTop: round(floorTop),
    graspable: true,
  });
}

/**
 * A hollow mug with a handle (LIBERO's porcelain, red coffee and white-yellow mugs, 9-11 cm across:
 * too wide to grasp across): a floor, a 16-segment wall, and a C-shaped handle on -x sticking out
 * `handle` metres. Picked by the rim opposite the handle.
 */
function hollowMug(
  kind: string, name: string, d: { radius: number; height: number; handle: number }, m: Material, accent: Rgb,
): ObjectKind {
  const t = RIM_WALL;
  const r = d.radius - t / 2;
  const floor = 0.008;
  const H = d.height;
  const bar = 0.01, hw = 0.006, arm = 0.01;
  const z0 = round(0.25 * H), z1 = round(0.8 * H);
  // Arms from inside the wall (2 mm overlap) out to the bar.
  const armLen = d.handle - bar + 0.002;
  const armX = round(-(d.radius - 0.002 + armLen / 2));
  return makeKind({
    kind, category: 'mug', name, ...m,
    shapes: [
      { type: 'cylinder', radius: round(r - t / 2 + 0.001), halfHeight: floor / 2, pos: [0, 0, floor / 2], color: accent },
      ...ring(16, r, t, 0, H, m.color),
      { type: 'box', halfExtents: [bar / 2, hw, round((z1 - z0) / 2)], pos: [round(-(d.radius + d.handle - bar / 2)), 0, round((z0 + z1) / 2)], color: accent },
      { type: 'box', halfExtents: [round(armLen / 2), hw, arm / 2], pos: [armX, 0, round(z0 + arm / 2)], color: accent },
      { type: 'box', halfExtents: [round(armLen / 2), hw, arm / 2], pos: [armX, 0, round(z1 - arm / 2)], color: accent },
    ],
    grasp: rimGrasp(H, floor, r, false),
    graspable: true,
  });
}

/**
 * LIBERO's chefmate 8" frying pan: a 20 cm pan (floor and 24-segment wall) with a 16 cm handle along
 * +x, the whole centred on its bounding box (the pan's centre is at x = -0.078). Picked by the rim
 * on the far side from the handle, where the pan's weight pulls least on the grip; it rests flat on
 * its floor (a stove's cook region, a shelf).
 */
function fryingPan(kind: string, name: string, m: Material, handleColor: Rgb): ObjectKind {
  const R = 0.1, t = RIM_WALL, floor = 0.006, wall = 0.045;
  const r = R - t / 2;
  const end = 0.178, cx = -0.078; // handle end and pan centre: -(cx - R) = end
  const hx0 = cx + R - 0.005; // the handle starts inside the wall
  const handle = { half: [round((end - hx0) / 2), 0.012, 0.011] as Vec3, z: 0.047 };
  return makeKind({
    kind, category: 'frying_pan', name, ...m,
    shapes: [
      { type: 'cylinder', radius: round(r - t / 2 + 0.001), halfHeight: floor / 2, pos: [cx, 0, floor / 2], color: m.color },
      ...ring(24, r, t, 0, wall, m.color, cx),
      // A short riser joins the handle to the wall top.
      { type: 'box', halfExtents: [0.01, 0.012, 0.011], pos: [round(cx + R + 0.003), 0, 0.036], color: handleColor },
      { type: 'box', halfExtents: handle.half, pos: [round((hx0 + end) / 2), 0, handle.z], color: handleColor },
    ],
    grasp: rimGrasp(wall, floor, cx - r, false),
    graspable: true,
  });
}

/**
 * LIBERO's moka pot: a square 6.4 cm body (LIBERO's is octagonal and 8 cm across one way, more than
 * the gripper takes: here it is as wide as a grasp allows, and flat where the fingers close, so the
 * pot gripped near its top does not swing), a lid knob, a handle on +x and a spout on -x. Grasped
 * across the body (along y), below the knob.
 */
function mokaPot(kind: string, name: string, m: Material, handleColor: Rgb): ObjectKind {
  const r = 0.032, body = 0.133, knob = { r: 0.008, h: 0.019 };
  return makeKind({
    kind, category: 'moka_pot', name, ...m,
    shapes: [
      { type: 'box', halfExtents: [r, r, body / 2], pos: [0, 0, body / 2], color: m.color },
      { type: 'cylinder', radius: knob.r, halfHeight: knob.h / 2, pos: [0, 0, round(body + knob.h / 2)], color: handleColor },
      // Handle: an arm out from the upper body and a grip bar down from its end.
      { type: 'box', halfExtents: [0.022, 0.006, 0.005], pos: [0.05, 0, 0.11], color: handleColor },
      { type: 'box', halfExtents: [0.0065, 0.007, 0.03], pos: [0.0765, 0, 0.085], color: handleColor },
      // Spout.
      { type: 'box', halfExtents: [0.016, 0.008, 0.008], pos: [-0.044, 0, 0.104], color: m.color },
    ],
    grasp: topGrasp(body + knob.h, 'y', false),
    graspable: true,
  });
}

/** A book standing upright on its bottom edge (as LIBERO's books stand), thin side along x, grasped across it from above. */
function book(kind: string, name: string, thick: number, width: number, height: number, m: Material): ObjectKind {
  return makeKind({
    kind, category: 'book', name, ...m,
    shapes: [{ type: 'box', halfExtents: [thick / 2, width / 2, height / 2], pos: [0, 0, height / 2], color: m.color }],
    grasp: topGrasp(height, 'x', false),
    graspable: true,
  });
}

/** A round dish (LIBERO's glazed rim porcelain ramekin): a floor and a 16-segment wall; things are set on its floor. */
function ramekin(kind: string, name: string, d: { radius: number; height: number; floor: number }, color: Rgb): ObjectKind {
  const t = RIM_WALL;
  const r = d.radius - t / 2;
  return makeKind({
    kind, category: 'ramekin', name, mass: 0.2, friction: 0.8, color,
    shapes: [
      { type: 'cylinder', radius: round(r - t / 2 + 0.001), halfHeight: d.floor / 2, pos: [0, 0, d.floor / 2], color },
      ...ring(16, r, t, 0, d.height, color),
    ],
    grasp: NO_GRASP,
    supportTop: d.floor,
    graspable: false,
  });
}

// ---------------------------------------------------------------------------------------------
// The library

// Sizes of the kinds LIBERO uses follow LIBERO's collision geometry (libero/libero/assets/*: the boxes
// of each object's XML, turned the way LIBERO places it); test/libero-objects.test.ts lists each
// reference and holds the kinds to it.
const KINDS: ObjectKind[] = [
  // Cans
  can('alphabet_soup', 'alphabet soup', 0.031, 0.076, { mass: 0.3, friction: 0.7, color: [0.85, 0.15, 0.12] }),
  can('tomato_sauce', 'tomato sauce', 0.031, 0.076, { mass: 0.22, friction: 0.7, color: [0.9, 0.45, 0.1] }),
  can('chicken_soup', 'chicken noodle soup', 0.032, 0.1, { mass: 0.3, friction: 0.7, color: [0.95, 0.85, 0.55] }),
  // Boxes
  box('cream_cheese', 'cream cheese', 0.081, 0.043, 0.018, { mass: 0.12, friction: 0.8, color: [0.75, 0.85, 0.95] }),
  box('butter', 'butter', 0.076, 0.04, 0.018, { mass: 0.12, friction: 0.8, color: [0.98, 0.9, 0.45] }),
  box('chocolate_pudding', 'chocolate pudding', 0.08, 0.046, 0.027, { mass: 0.1, friction: 0.8, color: [0.4, 0.22, 0.12] }),
  box('cookies', 'cookies', 0.083, 0.062, 0.019, { mass: 0.15, friction: 0.8, color: [0.2, 0.35, 0.75] }, 'cookies'),
  box('popcorn', 'popcorn', 0.1, 0.06, 0.13, { mass: 0.1, friction: 0.8, color: [0.95, 0.95, 0.3] }),
  // Cartons
  carton('milk', 'milk', 0.053, 0.131, { mass: 0.3, friction: 0.7, color: [0.97, 0.97, 0.97] }, [0.2, 0.45, 0.9]),
  carton('orange_juice', 'orange juice', 0.053, 0.131, { mass: 0.3, friction: 0.7, color: [1.0, 0.6, 0.05] }, [0.2, 0.6, 0.2]),
  // Bottles
  bottle('ketchup', 'ketchup', { radius: 0.025, height: 0.11 }, { radius: 0.012, height: 0.036 },
    { mass: 0.25, friction: 0.7, color: [0.75, 0.05, 0.05] }, [0.95, 0.95, 0.95]),
  bottle('bbq_sauce', 'barbecue sauce', { radius: 0.019, height: 0.065 }, { radius: 0.0115, height: 0.042 },
    { mass: 0.2, friction: 0.7, color: [0.35, 0.12, 0.05] }, [0.1, 0.1, 0.1]),
  bottle('salad_dressing', 'salad dressing', { radius: 0.022, height: 0.105 }, { radius: 0.012, height: 0.041 },
    { mass: 0.22, friction: 0.7, color: [0.55, 0.75, 0.3] }, [0.9, 0.9, 0.8]),
  bottle('new_salad_dressing', 'salad dressing', { radius: 0.022, height: 0.105 }, { radius: 0.012, height: 0.041 },
    { mass: 0.22, friction: 0.7, color: [0.85, 0.78, 0.45] }, [0.15, 0.35, 0.15]),
  bottle('wine_bottle', 'wine bottle', { radius: 0.021, height: 0.105 }, { radius: 0.008, height: 0.053 },
    { mass: 0.3, friction: 0.6, color: [0.15, 0.3, 0.15] }, [0.5, 0.05, 0.15]),
  // Mugs
  mug('mug', 'white mug', { mass: 0.18, friction: 0.7, color: [0.92, 0.92, 0.88] }),
  mug('mug_red', 'red mug', { mass: 0.18, friction: 0.7, color: [0.8, 0.1, 0.2] }),
  hollowMug('porcelain_mug', 'white mug', { radius: 0.048, height: 0.106, handle: 0.029 },
    { mass: 0.2, friction: 0.8, color: [0.94, 0.94, 0.96] }, [0.86, 0.86, 0.9]),
  hollowMug('red_coffee_mug', 'red coffee mug', { radius: 0.0465, height: 0.133, handle: 0.029 },
    { mass: 0.2, friction: 0.8, color: [0.72, 0.07, 0.09] }, [0.6, 0.05, 0.07]),
  hollowMug('white_yellow_mug', 'white yellow mug', { radius: 0.053, height: 0.103, handle: 0.029 },
    { mass: 0.2, friction: 0.8, color: [0.97, 0.96, 0.9] }, [0.98, 0.82, 0.2]),
  // Kitchenware
  fryingPan('chefmate_8_frypan', 'frying pan', { mass: 0.15, friction: 0.8, color: [0.16, 0.16, 0.17] }, [0.08, 0.06, 0.05]),
  mokaPot('moka_pot', 'moka pot', { mass: 0.25, friction: 0.8, color: [0.7, 0.7, 0.73] }, [0.05, 0.05, 0.05]),
  // Books
  book('black_book', 'black book', 0.029, 0.11, 0.134, { mass: 0.15, friction: 0.8, color: [0.1, 0.1, 0.12] }),
  book('yellow_book', 'yellow book', 0.0235, 0.098, 0.122, { mass: 0.15, friction: 0.8, color: [0.95, 0.78, 0.12] }),
  // Blocks
  block('red_block', 'red block', [0.9, 0.1, 0.1]),
  block('blue_block', 'blue block', [0.1, 0.25, 0.9]),
  block('green_block', 'green block', [0.1, 0.75, 0.2]),
  // Fruit
  fruit('apple', 'apple', 0.031, { mass: 0.15, friction: 0.8, color: [0.7, 0.05, 0.1] }),
  fruit('orange', 'orange', 0.032, { mass: 0.16, friction: 0.8, color: [1.0, 0.5, 0.0] }),
  // Containers and supports
  bowl('bowl', 'black bowl', [0.12, 0.12, 0.12]),
  bowl('bowl_white', 'white bowl', [0.95, 0.95, 0.95]),
  footedBowl('akita_black_bowl', 'black bowl', { radius: 0.0535, height: 0.05, foot: { radius: 0.035, height: 0.012 }, floor: 0.004 },
    { mass: 0.15, friction: 0.8, color: [0.07, 0.07, 0.08] }),
  footedBowl('white_bowl', 'white bowl', { radius: 0.0405, height: 0.035, foot: { radius: 0.025, height: 0.008 }, floor: 0.004 },
    { mass: 0.1, friction: 0.8, color: [0.97, 0.97, 0.95] }),
  plate('plate', 'plate', [0.88, 0.88, 0.82], 0.067),
  ramekin('glazed_rim_porcelain_ramekin', 'ramekin', { radius: 0.0445, height: 0.042, floor: 0.007 }, [0.93, 0.9, 0.84]),
  basket('basket', 'basket', [0.65, 0.45, 0.25]),
  // LIBERO's basket is 14 cm deep where chaingap's is 7; its tray 30 x 17 cm with handles at the ends.
  openBox('woven_basket', 'basket', 'basket', [0.72, 0.55, 0.33], { sx: 0.17, sy: 0.157, h: 0.142, t: 0.008, bottom: 0.012 }),
  openBox('wooden_tray', 'tray', 'wooden tray', [0.62, 0.44, 0.26], { sx: 0.296, sy: 0.166, h: 0.062, ends: 0.082, t: 0.006, bottom: 0.007 }, 0.4),
];

export const OBJECT_KINDS: Record<string, ObjectKind> = Object.freeze(
  Object.fromEntries(KINDS.map((k) => [k.kind, k])),
);

// ---------------------------------------------------------------------------------------------
// Lookup

/** Levenshtein edit distance. */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const cur = [i];
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
    }
    prev = cur;
  }
  return prev[n];
}

/**
 * The `n` candidates closest to `name` (case-insensitive): by edit distance, where a typo in a prefix
 * (`bowl_x` ~ `bowl_white`) counts as distance + 1 and containing or being contained in the name counts
 * as 1.5; ties broken alphabetically. Deterministic.
 */
export function closestNames(name: string, candidates: Iterable<string>, n = 3): string[] {
  const q = name.toLowerCase();
  const scored = [...new Set(candidates)].map((c) => {
    const lc = c.toLowerCase();
    let d = editDistance(q, lc);
    if (lc.length > q.length) d = Math.min(d, editDistance(q, lc.slice(0, q.length)) + 1);
    if (q.length > 0 && (lc.includes(q) || q.includes(lc))) d = Math.min(d, 1.5);
    return { c, d };
  });
  scored.sort((x, y) => x.d - y.d || (x.c < y.c ? -1 : x.c > y.c ? 1 : 0));
  return scored.slice(0, Math.max(0, n)).map((s) => s.c);
}

/** The kind named `kind`; throws an error naming the closest known kinds for an unknown name. */
export function getObjectKind(kind: string): ObjectKind {
  const k = Object.prototype.hasOwnProperty.call(OBJECT_KINDS, kind) ? OBJECT_KINDS[kind] : undefined;
  if (k) return k;
  if (isNovelKind(kind)) return novelKind(Number(kind.slice(NOVEL_PREFIX.length)));
  const close = closestNames(String(kind), Object.keys(OBJECT_KINDS), 3);
  throw new Error(
    `unknown object kind ${JSON.stringify(kind)}; did you mean ${close.map((c) => JSON.stringify(c)).join(', ')}? ` +
      `(known kinds: ${Object.keys(OBJECT_KINDS).sort().join(', ')})`,
  );
}

/** The kind named `kind` (library or `novel_<id>`), or undefined. */
export function lookupKind(kind: string): ObjectKind | undefined {
  try {
    return getObjectKind(kind);
  } catch {
    return undefined;
  }
}
