// chaingap's "tabletop30" benchmark scene: the table, the arm and 30 free objects of mixed library
// kinds (blocks, boxes, cans, bottles, fruit) laid out by hand, deterministically, on the arm's
// reachable area (x 0.3 .. 0.75, |y| <= 0.4). Some objects are stacked and many touch side by side,
// so a step carries about as many contacts as the MuJoCo anchor (../shared/anchors/mujoco/tabletop30.xml).
// Also the arm's slow joint trajectory: a lawnmower sweep over the objects at a fixed fingertip height.
//
// Every object sits exactly on what supports it (z = support top, no gap) and yaws are multiples of
// 90 degrees, so the layout's bounding boxes are exact and `checkLayout` can prove there is no overlap.
import type { Quat, ResolvedObject, ResolvedScene, SceneSpec, Vec3 } from '../../scenes/types.ts';
import { getObjectKind } from '../../scenes/objects.ts';
import { fk, PANDA_READY, solveIk, type Pose } from '../../sim/kinematics.ts';
import { CONTROL_HZ, PHYSICS_HZ } from '../../sim/world.ts';

/** Physics time step of the benchmark (s). */
export const DT = 1 / PHYSICS_HZ;
/** Physics steps per control step (the arm gets a new joint target every SUBSTEPS steps). */
export const SUBSTEPS = PHYSICS_HZ / CONTROL_HZ;

/** chaingap renders cylinders as 16-sided prisms (sim/shapes.ts); their flat faces face +-x and +-y. */
const PRISM_SIDES = 16;
const apothem = (r: number): number => r * Math.cos(Math.PI / PRISM_SIDES);

/** Sizes from the object library, so the layout follows it: a box's half extent along x (0) or y (1); a round object's side distance. */
const halfOf = (kind: string, axis: 0 | 1): number => {
  const b = getObjectKind(kind).shapes[0];
  if (b.type !== 'box') throw new Error(`tabletop30: ${kind} is not a box`);
  return b.halfExtents[axis];
};
const radiusOf = (kind: string): number => {
  const c = getObjectKind(kind).shapes[0];
  if (c.type === 'sphere') return c.radius;
  if (c.type === 'cylinder') return apothem(c.radius);
  throw new Error(`tabletop30: ${kind} is not round`);
};

const R_ALPHABET = radiusOf('alphabet_soup');
const R_CHICKEN = radiusOf('chicken_soup');
const R_TOMATO = radiusOf('tomato_sauce');
const R_KETCHUP = radiusOf('ketchup');
const R_BBQ = radiusOf('bbq_sauce');
const R_SALAD = radiusOf('salad_dressing');
const R_APPLE = radiusOf('apple');
const R_ORANGE = radiusOf('orange');
/** Pitch of the 2x2 can cluster (the larger can's diameter, so no pair overlaps). */
const R_CAN = Math.max(R_ALPHABET, R_CHICKEN);
const BLOCK = 2 * halfOf('red_block', 0);

type Placement = [id: string, kind: string, x: number, y: number, z?: number, yawDeg?: number];

// Stacked entries give a z > 0 only to say so: their height is computed from the object library.
/** x of the 2x2 can cluster's first column: its cans touch the first cookies box. */
const CANS_X = 0.425 + halfOf('cookies', 0) + R_CAN;

/** Lower y face of the butter box that leans against the second cookies box. */
const BUTTER_2_Y0 = 0.12 - halfOf('cookies', 1) - 2 * halfOf('butter', 1);

const LAYOUT: Placement[] = [
  // --- y in [-0.4, -0.25]: a block tower and a block row, a box stack with a pudding box touching
  // the blocks and the boxes, a 2x2 can cluster against the boxes with a can on top.
  ['block_1', 'red_block', 0.33, -0.37, 0],
  ['block_2', 'blue_block', 0.33, -0.37, 1],
  ['block_3', 'green_block', 0.33, -0.37, 1],
  ['block_4', 'green_block', 0.33, -0.37 + BLOCK],
  ['block_5', 'red_block', 0.33, -0.37 + 2 * BLOCK],
  ['cookies_1', 'cookies', 0.425, -0.36],
  ['cream_cheese_1', 'cream_cheese', 0.425, -0.36, 1],
  ['butter_1', 'butter', 0.425, -0.36, 1],
  ['pudding_1', 'chocolate_pudding', 0.33 + BLOCK / 2 + halfOf('chocolate_pudding', 0), -0.36 + halfOf('cookies', 1) + halfOf('chocolate_pudding', 1)],
  ['can_1', 'alphabet_soup', CANS_X, -0.365],
  ['can_2', 'chicken_soup', CANS_X + 2 * R_CAN, -0.365],
  ['can_3', 'chicken_soup', CANS_X, -0.365 + 2 * R_CAN],
  ['can_4', 'alphabet_soup', CANS_X + 2 * R_CAN, -0.365 + 2 * R_CAN],
  ['can_5', 'tomato_sauce', CANS_X, -0.365, 1],
  // --- middle band: three bottles in a touching row against the butter box below, two touching fruit
  // and a standing popcorn box against the orange.
  ['bottle_1', 'ketchup', 0.41, BUTTER_2_Y0 - R_KETCHUP],
  ['bottle_2', 'bbq_sauce', 0.41 + R_KETCHUP + R_BBQ, BUTTER_2_Y0 - R_BBQ],
  ['bottle_3', 'salad_dressing', 0.41 + R_KETCHUP + 2 * R_BBQ + R_SALAD, BUTTER_2_Y0 - R_SALAD],
  ['fruit_1', 'apple', 0.58, -0.10],
  ['fruit_2', 'orange', 0.58 + R_APPLE + R_ORANGE, -0.10],
  ['popcorn_1', 'popcorn', 0.58 + R_APPLE + 2 * R_ORANGE + halfOf('popcorn', 1), -0.10, 0, 90],
  // --- y in [0.05, 0.3]: a box stack with a butter box against it, an L of blocks and a can row
  // against the stack, an apple against the last can.
  ['cookies_2', 'cookies', 0.45, 0.12],
  ['pudding_2', 'chocolate_pudding', 0.45, 0.12, 1],
  ['butter_2', 'butter', 0.45, 0.12 - halfOf('cookies', 1) - halfOf('butter', 1)],
  ['block_6', 'blue_block', 0.34, 0.12 + halfOf('cookies', 1) + BLOCK / 2],
  ['block_7', 'red_block', 0.34, 0.12 + halfOf('cookies', 1) + BLOCK / 2, 1],
  ['block_8', 'green_block', 0.34 + BLOCK, 0.12 + halfOf('cookies', 1) + BLOCK / 2],
  ['can_6', 'alphabet_soup', 0.52 + R_ALPHABET, 0.10],
  ['can_7', 'tomato_sauce', 0.52 + R_ALPHABET, 0.10 + R_ALPHABET + R_TOMATO],
  ['can_8', 'chicken_soup', 0.52 + R_ALPHABET, 0.10 + R_ALPHABET + 2 * R_TOMATO + R_CHICKEN],
  ['fruit_3', 'apple', 0.52 + R_ALPHABET + R_CHICKEN + R_APPLE, 0.10 + R_ALPHABET + 2 * R_TOMATO + R_CHICKEN],
];

const yawQuat = (deg: number): Quat => {
  const a = (deg * Math.PI) / 180;
  return [0, 0, Math.sin(a / 2), Math.cos(a / 2)];
};

/**
 * The layout's objects. An entry with a z is stacked: it rests on the top of the highest object placed
 * before it under its centre (computed from the object library, so the stacks follow its sizes).
 */
export function tabletop30Objects(): ResolvedObject[] {
  const placed: ResolvedObject[] = [];
  for (const [id, kind, x, y, z = 0, yaw = 0] of LAYOUT) {
    let top = 0;
    if (z > 0) {
      for (const o of placed) {
        const b = objectBox(o);
        if (b.min[0] < x && x < b.max[0] && b.min[1] < y && y < b.max[1]) top = Math.max(top, b.max[2]);
      }
      if (top === 0) throw new Error(`tabletop30: ${id} is stacked on nothing`);
    }
    placed.push({ id, kind, pos: [x, y, top] as Vec3, quat: yawQuat(yaw) });
  }
  return placed;
}

/** The benchmark's resolved scene (no fixtures, no regions: everything is placed by hand). */
export function tabletop30Scene(): ResolvedScene {
  const spec: SceneSpec = {
    name: 'tabletop30',
    description: 'Physics benchmark: table, arm and 30 free objects, some stacked, many touching.',
    table: { size: [1.4, 1.2], center: [0.35, 0], friction: 0.8, color: [0.6, 0.5, 0.4] },
    robotInit: [...PANDA_READY],
    regions: {},
    fixtures: [],
    objects: [],
  };
  const objects = tabletop30Objects();
  checkLayout(objects);
  return { spec, seed: 0, objects, fixtures: [], fixtureInit: {}, robotInit: [...PANDA_READY] };
}

interface Box3 { min: Vec3; max: Vec3 }

/** World bounding box of an object placed with a yaw that is a multiple of 90 degrees (exact for prisms). */
function objectBox(o: ResolvedObject): Box3 {
  const kind = getObjectKind(o.kind);
  const min: Vec3 = [Infinity, Infinity, Infinity];
  const max: Vec3 = [-Infinity, -Infinity, -Infinity];
  // quat [0, 0, s, c]: a yaw of 90 degrees swaps x and y.
  const swap = Math.abs(o.quat[2]) > 0.5;
  for (const s of kind.shapes) {
    const p = s.pos ?? [0, 0, 0];
    let h: Vec3;
    if (s.type === 'box') h = [...s.halfExtents];
    else if (s.type === 'sphere') h = [s.radius, s.radius, s.radius];
    else if (s.type === 'cylinder') h = [apothem(s.radius), apothem(s.radius), s.halfHeight];
    else h = [s.radius, s.radius, s.halfHeight + s.radius];
    if ('quat' in s && s.quat && (s.quat[0] !== 0 || s.quat[1] !== 0 || s.quat[2] !== 0)) {
      throw new Error(`tabletop30: kind ${o.kind} has a rotated shape; the layout check only handles axis-aligned ones`);
    }
    const c: Vec3 = swap ? [p[1], p[0], p[2]] : [p[0], p[1], p[2]];
    if (swap) h = [h[1], h[0], h[2]];
    for (let i = 0; i < 3; i++) {
      min[i] = Math.min(min[i], o.pos[i] + c[i] - h[i]);
      max[i] = Math.max(max[i], o.pos[i] + c[i] + h[i]);
    }
  }
  return { min, max };
}

/**
 * Throws if two objects' boxes interpenetrate (touching is fine), if an object leaves the reachable
 * area, or if an object is neither on the table nor exactly on top of another object.
 */
export function checkLayout(objects: ResolvedObject[]): void {
  if (objects.length !== 30) throw new Error(`tabletop30 must hold 30 objects, has ${objects.length}`);
  const ids = new Set(objects.map((o) => o.id));
  if (ids.size !== objects.length) throw new Error('tabletop30: duplicate object ids');
  const boxes = objects.map(objectBox);
  const eps = 1e-9;
  for (let i = 0; i < objects.length; i++) {
    const b = boxes[i];
    const c = [(b.min[0] + b.max[0]) / 2, (b.min[1] + b.max[1]) / 2];
    if (c[0] < 0.3 || c[0] > 0.75 || Math.abs(c[1]) > 0.4 || b.min[1] < -0.4 - eps || b.max[1] > 0.4 + eps) {
      throw new Error(`tabletop30: ${objects[i].id} lies outside the reachable area x 0.3..0.75, |y| <= 0.4`);
    }
    const supported = Math.abs(b.min[2]) < eps || boxes.some((o, j) => j !== i
      && Math.abs(o.max[2] - b.min[2]) < eps
      && o.min[0] < c[0] && c[0] < o.max[0] && o.min[1] < c[1] && c[1] < o.max[1]);
    if (!supported) throw new Error(`tabletop30: ${objects[i].id} floats (its centre is over nothing at z = ${b.min[2]})`);
    for (let j = i + 1; j < objects.length; j++) {
      const o = boxes[j];
      let overlap = true;
      for (let k = 0; k < 3; k++) if (!(b.min[k] < o.max[k] - eps && o.min[k] < b.max[k] - eps)) overlap = false;
      if (overlap) throw new Error(`tabletop30: ${objects[i].id} and ${objects[j].id} overlap`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The arm's sweep

/** Fingertip (TCP) height of the sweep: clears most objects, brushes the tallest bottles and stacks. */
export const SWEEP_Z = 0.165;
/** TCP speed along the sweep (m/s): slow, like careful manipulation. */
export const SWEEP_SPEED = 0.08;
/** Lanes of the lawnmower: x of each lane; the TCP runs y = -Y .. +Y then back on the next lane. */
const LANES = [0.36, 0.48, 0.6, 0.72];
const SWEEP_Y = 0.34;

/**
 * Joint targets, one per control step (20 Hz), for `controlSteps` control steps: from the ready pose
 * the TCP (pointing down, at the ready pose's yaw) goes to the first lane, then mows the lanes back
 * and forth and loops. Solved by chaingap's IK from the previous solution; throws if a target fails.
 */
export function sweepJointTargets(controlSteps: number): number[][] {
  const ready = fk(PANDA_READY);
  const way: Vec3[] = [];
  LANES.forEach((x, i) => {
    const y0 = i % 2 === 0 ? -SWEEP_Y : SWEEP_Y;
    way.push([x, y0, SWEEP_Z], [x, -y0, SWEEP_Z]);
  });
  // Loop: back from the last lane to the first one's start.
  const loop = [...way, way[0]];
  const path: Vec3[] = [ready.pos, ...loop];
  const stepLen = SWEEP_SPEED / CONTROL_HZ;
  const out: number[][] = [];
  let q: number[] = [...PANDA_READY];
  let seg = 0;
  let along = 0;
  const segLen = (k: number) => Math.hypot(...([0, 1, 2].map((i) => path[k + 1][i] - path[k][i]) as Vec3));
  while (out.length < controlSteps) {
    along += stepLen;
    while (along > segLen(seg)) {
      along -= segLen(seg);
      seg++;
      if (seg >= path.length - 1) seg = 1; // after the approach, repeat the loop
    }
    const a = path[seg], b = path[seg + 1], t = along / segLen(seg);
    const target: Pose = { pos: [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t], quat: ready.quat };
    const ik = solveIk(target, q, { maxIters: 200 });
    if (!ik.converged) throw new Error(`sweep IK failed at control step ${out.length}: pos err ${ik.posErr}, rot err ${ik.rotErr}`);
    q = ik.q;
    out.push(q);
  }
  return out;
}
