// Stable resting poses of an object kind, derived from its shapes: the ways it can lie still on a flat
// table, and which of them look the same. Perception ("is this object still usable, or lost?") and
// the knocked-over label ("was it disturbed?") judge an object's tilt against these poses instead of
// against its own z axis: a cube resting on a side face is a cube at rest, not a toppled one, while a
// can lying on its side rests stably but is not in the pose it started in.
//
// A pose is either
//  - a face: the object rests on a flat part of its hull with `up` (object frame) pointing up. Stable
//    when the centre of mass projects inside the support polygon far enough that tipping it needs at
//    least STABLE_POSES.minTip of tilt (box faces, cylinder caps: an upside-down bottle balanced on its
//    neck is not stable), or
//  - a roll: the object lies on the side of its round parts (cylinders, capsules, spheres on one
//    axis) with any `up` perpendicular to `axis`; stable when the centre of mass lies between the ends
//    of the round parts that touch the table (within minTip), whatever the roll angle.
// Poses with the same `cls` are equivalent: a rotation of the object maps its shapes onto themselves
// and one pose onto the other (the six faces of a cube, the two ends of a can, the four side walls of
// a bowl). Symmetries are looked for among the 24 rotations that permute the object's axes, about its
// centre of mass (every symmetry fixes it). Mass is spread over the shapes by volume, as the simulator
// does (sim/shapes.ts massesByVolume).
import type { ObjectKind, Quat, Shape, Vec3 } from './types.ts';

export const STABLE_POSES = {
  /** Least tilt (rad) that must tip a resting pose over for it to count as stable: 5 degrees. */
  minTip: (5 * Math.PI) / 180,
  /** Round parts whose radius is within this of the largest one on their axis touch the table when
   *  the object lies on its side (m): a jar's lid, not a bottle's neck. */
  rollRadius: 0.005,
};

export type StablePose =
  | { type: 'face'; up: Vec3; cls: number; tip: number }
  | { type: 'roll'; axis: Vec3; cls: number; tip: number };

type V = Vec3;
const dot = (a: V, b: V) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const sub = (a: V, b: V): V => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const add = (a: V, b: V): V => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
const scale = (a: V, s: number): V => [a[0] * s, a[1] * s, a[2] * s];
const cross = (a: V, b: V): V => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
const norm = (a: V) => Math.hypot(a[0], a[1], a[2]);
const unit = (a: V): V => scale(a, 1 / norm(a));
const near = (a: V, b: V, eps: number) => Math.abs(a[0] - b[0]) <= eps && Math.abs(a[1] - b[1]) <= eps && Math.abs(a[2] - b[2]) <= eps;

/** Rotate v by the unit quaternion q ([x, y, z, w]). */
export function rotateByQuat(q: Quat, v: V): V {
  const [qx, qy, qz, qw] = q;
  const tx = 2 * (qy * v[2] - qz * v[1]);
  const ty = 2 * (qz * v[0] - qx * v[2]);
  const tz = 2 * (qx * v[1] - qy * v[0]);
  return [v[0] + qw * tx + (qy * tz - qz * ty), v[1] + qw * ty + (qz * tx - qx * tz), v[2] + qw * tz + (qx * ty - qy * tx)];
}

/** The world's up direction seen in the object's frame, for an object with world orientation `quat`. */
export function upInObjectFrame(quat: Quat): Vec3 {
  return rotateByQuat([-quat[0], -quat[1], -quat[2], quat[3]], [0, 0, 1]);
}

function volume(s: Shape): number {
  switch (s.type) {
    case 'box': return 8 * s.halfExtents[0] * s.halfExtents[1] * s.halfExtents[2];
    case 'sphere': return (4 / 3) * Math.PI * s.radius ** 3;
    case 'cylinder': return Math.PI * s.radius ** 2 * 2 * s.halfHeight;
    case 'capsule': return Math.PI * s.radius ** 2 * 2 * s.halfHeight + (4 / 3) * Math.PI * s.radius ** 3;
  }
}

/** Centre of mass of the shapes, with mass spread by volume. */
export function centreOfMass(shapes: readonly Shape[]): Vec3 {
  let m = 0;
  let c: V = [0, 0, 0];
  for (const s of shapes) {
    const v = volume(s);
    m += v;
    c = add(c, scale(s.pos ?? [0, 0, 0], v));
  }
  return scale(c, 1 / m);
}

const shapeQuat = (s: Shape): Quat => ('quat' in s && s.quat ? s.quat : [0, 0, 0, 1]);
const axisOf = (s: Shape): V => rotateByQuat(shapeQuat(s), [0, 0, 1]);

const EPS = 1e-5;
const CAP_POINTS = 32;

/** Points of one shape that are lowest when `u` points up (a face's, an edge's or a rim's extreme points). */
function lowestPoints(s: Shape, u: V): { depth: number; points: V[] } {
  const c: V = s.pos ?? [0, 0, 0];
  let pts: V[] = [];
  if (s.type === 'box') {
    const q = shapeQuat(s);
    const e = s.halfExtents;
    for (const sx of [-1, 1]) for (const sy of [-1, 1]) for (const sz of [-1, 1]) pts.push(add(c, rotateByQuat(q, [sx * e[0], sy * e[1], sz * e[2]])));
  } else if (s.type === 'sphere') {
    pts = [sub(c, scale(u, s.radius))];
  } else {
    const a = axisOf(s);
    const ends = [add(c, scale(a, s.halfHeight)), sub(c, scale(a, s.halfHeight))];
    if (s.type === 'capsule') pts = ends.map((p) => sub(p, scale(u, s.radius)));
    else {
      const w = sub(u, scale(a, dot(u, a)));
      if (norm(w) < 1e-9) {
        // A cap lies flat: its whole rim touches.
        const e1 = unit(Math.abs(a[0]) < 0.9 ? cross(a, [1, 0, 0]) : cross(a, [0, 1, 0]));
        const e2 = cross(a, e1);
        for (const p of ends) {
          for (let i = 0; i < CAP_POINTS; i++) {
            const t = (2 * Math.PI * i) / CAP_POINTS;
            pts.push(add(p, add(scale(e1, s.radius * Math.cos(t)), scale(e2, s.radius * Math.sin(t)))));
          }
        }
      } else {
        const down = scale(unit(w), -s.radius);
        pts = ends.map((p) => add(p, down));
      }
    }
  }
  const depth = Math.min(...pts.map((p) => dot(p, u)));
  return { depth, points: pts.filter((p) => dot(p, u) <= depth + EPS) };
}

/** Lowest points of the whole object when `u` points up. */
function support(shapes: readonly Shape[], u: V): { depth: number; points: V[] } {
  const per = shapes.map((s) => lowestPoints(s, u));
  const depth = Math.min(...per.map((p) => p.depth));
  return { depth, points: per.filter((p) => p.depth <= depth + EPS).flatMap((p) => p.points) };
}

type P2 = [number, number];

function hull2(points: P2[]): P2[] {
  const p = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (p.length < 3) return p;
  const turn = (o: P2, a: P2, b: P2) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const lower: P2[] = [];
  for (const x of p) {
    while (lower.length >= 2 && turn(lower[lower.length - 2], lower[lower.length - 1], x) <= 1e-12) lower.pop();
    lower.push(x);
  }
  const upper: P2[] = [];
  for (const x of [...p].reverse()) {
    while (upper.length >= 2 && turn(upper[upper.length - 2], upper[upper.length - 1], x) <= 1e-12) upper.pop();
    upper.push(x);
  }
  return [...lower.slice(0, -1), ...upper.slice(0, -1)];
}

/** Signed distance from q to the boundary of a counter-clockwise convex polygon (> 0 inside). */
function insideMargin(poly: P2[], q: P2): number {
  if (poly.length < 3) return -Infinity;
  let m = Infinity;
  for (let i = 0; i < poly.length; i++) {
    const a = poly[i], b = poly[(i + 1) % poly.length];
    const ex = b[0] - a[0], ey = b[1] - a[1];
    const len = Math.hypot(ex, ey);
    if (len < 1e-12) continue;
    m = Math.min(m, (ex * (q[1] - a[1]) - ey * (q[0] - a[0])) / len);
  }
  return m;
}

/** Tilt (rad) that tips the object over when it rests with `u` up: atan(margin / height of the centre of mass). */
function faceTip(shapes: readonly Shape[], com: V, u: V): number {
  const { depth, points } = support(shapes, u);
  const e1 = unit(Math.abs(u[0]) < 0.9 ? cross(u, [1, 0, 0]) : cross(u, [0, 1, 0]));
  const e2 = cross(u, e1);
  const poly = hull2(points.map((p) => [dot(p, e1), dot(p, e2)]));
  const margin = insideMargin(poly, [dot(com, e1), dot(com, e2)]);
  return Math.atan2(margin, Math.max(1e-9, dot(com, u) - depth));
}

/** Round parts (cylinders, capsules, spheres) grouped by the line they turn about. */
function roundGroups(shapes: readonly Shape[]): { axis: V; point: V; parts: Shape[] }[] {
  const groups: { axis: V; point: V; parts: Shape[] }[] = [];
  const onLine = (g: { axis: V; point: V }, p: V) => norm(cross(sub(p, g.point), g.axis)) <= 1e-4;
  for (const s of shapes) {
    if (s.type !== 'cylinder' && s.type !== 'capsule') continue;
    const a = axisOf(s);
    const p: V = s.pos ?? [0, 0, 0];
    const g = groups.find((x) => Math.abs(Math.abs(dot(x.axis, a)) - 1) < 1e-6 && onLine(x, p));
    if (g) g.parts.push(s);
    else groups.push({ axis: a, point: p, parts: [s] });
  }
  // Spheres centred on a group's line turn with it (a ball on a foot).
  for (const s of shapes) {
    if (s.type !== 'sphere') continue;
    const g = groups.find((x) => onLine(x, s.pos ?? [0, 0, 0]));
    if (g) g.parts.push(s);
  }
  return groups;
}

/**
 * Tilt along the axis (rad) that tips an object lying on the side of this round group over, or
 * -Infinity. Parts sticking out sideways (a mug's handle) decide which roll angles it settles at, not
 * whether it lies on its side, so they are not looked at.
 */
function rollTip(com: V, g: { axis: V; point: V; parts: Shape[] }): number {
  const radius = (s: Shape) => (s as { radius: number }).radius;
  const R = Math.max(...g.parts.map(radius));
  let lo = Infinity, hi = -Infinity;
  for (const s of g.parts) {
    if (radius(s) < R - STABLE_POSES.rollRadius) continue;
    const t = dot(sub(s.pos ?? [0, 0, 0], g.point), g.axis);
    const half = s.type === 'cylinder' || s.type === 'capsule' ? s.halfHeight : 0;
    lo = Math.min(lo, t - half);
    hi = Math.max(hi, t + half);
  }
  const tc = dot(sub(com, g.point), g.axis);
  const margin = Math.min(tc - lo, hi - tc);
  const height = Math.max(1e-9, R - norm(cross(sub(com, g.point), g.axis)));
  return margin <= 0 ? -Infinity : Math.atan2(margin, height);
}

// Candidate symmetries: the 24 rotations that permute the axes (signed permutation matrices with
// determinant +1), and turns by 2 pi k / n (n <= 16) about each axis (a bowl's 12 walls), as rows.
const ROTATIONS: V[][] = (() => {
  const out: V[][] = [];
  const perms = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
  for (const p of perms) {
    for (let signs = 0; signs < 8; signs++) {
      const m: V[] = [0, 1, 2].map((r) => {
        const row: V = [0, 0, 0];
        row[p[r]] = signs & (1 << r) ? -1 : 1;
        return row;
      });
      if (dot(m[0], cross(m[1], m[2])) > 0) out.push(m);
    }
  }
  for (let axis = 0; axis < 3; axis++) {
    for (let n = 3; n <= 16; n++) {
      for (let k = 1; k < n; k++) {
        const t = (2 * Math.PI * k) / n;
        const c = Math.cos(t), s = Math.sin(t);
        const i = (axis + 1) % 3, j = (axis + 2) % 3;
        const m: V[] = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
        m[axis][axis] = 1;
        m[i][i] = c; m[i][j] = -s;
        m[j][i] = s; m[j][j] = c;
        out.push(m);
      }
    }
  }
  return out;
})();

const apply = (m: V[], v: V): V => [dot(m[0], v), dot(m[1], v), dot(m[2], v)];

/** Whether rotation `m` about `com` maps every shape onto a shape of the same kind, size and place. */
function isSymmetry(shapes: readonly Shape[], com: V, m: V[]): boolean {
  const tol = 1e-4;
  const moved = (s: Shape) => add(com, apply(m, sub(s.pos ?? [0, 0, 0], com)));
  const boxAxes = (s: Extract<Shape, { type: 'box' }>, r: (v: V) => V) =>
    [0, 1, 2].map((i) => r(rotateByQuat(shapeQuat(s), scale([i === 0 ? 1 : 0, i === 1 ? 1 : 0, i === 2 ? 1 : 0], s.halfExtents[i]))));
  return shapes.every((s) => {
    const p = moved(s);
    return shapes.some((t) => {
      if (t.type !== s.type || !near(p, t.pos ?? [0, 0, 0], tol)) return false;
      if (s.type === 'sphere' && t.type === 'sphere') return Math.abs(s.radius - t.radius) <= tol;
      if (s.type === 'box' && t.type === 'box') {
        const a = boxAxes(s, (v) => apply(m, v));
        const b = boxAxes(t, (v) => v);
        return a.every((v) => b.some((w) => near(v, w, tol) || near(v, scale(w, -1), tol)));
      }
      if ((s.type === 'cylinder' || s.type === 'capsule') && s.type === t.type) {
        const a = apply(m, axisOf(s)), b = axisOf(t as Shape);
        const tt = t as typeof s;
        return Math.abs(s.radius - tt.radius) <= tol && Math.abs(s.halfHeight - tt.halfHeight) <= tol
          && (near(a, b, tol) || near(a, scale(b, -1), tol));
      }
      return false;
    });
  });
}

const cache = new WeakMap<readonly Shape[], StablePose[]>();

/** The stable resting poses of a kind (see the top of this file), cached per kind. */
export function stablePoses(kind: Pick<ObjectKind, 'shapes'>): StablePose[] {
  const hit = cache.get(kind.shapes);
  if (hit) return hit;
  const shapes = kind.shapes;
  if (!shapes.length) throw new Error('stablePoses: a kind needs at least one shape');
  const com = centreOfMass(shapes);
  // Candidate ups: the face normals of boxes and the cap normals of cylinders.
  const ups: V[] = [];
  const addUp = (u: V) => {
    if (!ups.some((x) => near(x, u, 1e-4))) ups.push(u);
  };
  for (const s of shapes) {
    if (s.type === 'box') {
      for (const e of [[1, 0, 0], [0, 1, 0], [0, 0, 1]] as V[]) {
        const n = rotateByQuat(shapeQuat(s), e);
        addUp(n);
        addUp(scale(n, -1));
      }
    } else if (s.type === 'cylinder') {
      addUp(axisOf(s));
      addUp(scale(axisOf(s), -1));
    }
  }
  const poses: StablePose[] = [];
  for (const u of ups) {
    const tip = faceTip(shapes, com, u);
    if (tip >= STABLE_POSES.minTip) poses.push({ type: 'face', up: u, cls: -1, tip });
  }
  for (const g of roundGroups(shapes)) {
    const tip = rollTip(com, g);
    if (tip >= STABLE_POSES.minTip) poses.push({ type: 'roll', axis: g.axis, cls: -1, tip });
  }
  // Equivalence classes under the shapes' own symmetries (union-find over every symmetry found).
  const symmetries = ROTATIONS.filter((m) => isSymmetry(shapes, com, m));
  const parent = poses.map((_, i) => i);
  const root = (i: number): number => (parent[i] === i ? i : (parent[i] = root(parent[i])));
  const image = (m: V[], p: StablePose): StablePose | undefined => poses.find((q) => {
    if (p.type === 'face' && q.type === 'face') return near(apply(m, p.up), q.up, 1e-4);
    if (p.type === 'roll' && q.type === 'roll') {
      const a = apply(m, p.axis);
      return near(a, q.axis, 1e-4) || near(a, scale(q.axis, -1), 1e-4);
    }
    return false;
  });
  for (const m of symmetries) {
    for (let i = 0; i < poses.length; i++) {
      const q = image(m, poses[i]);
      if (q) parent[root(poses.indexOf(q))] = root(i);
    }
  }
  const numbers = new Map<number, number>();
  for (let i = 0; i < poses.length; i++) {
    const r = root(i);
    if (!numbers.has(r)) numbers.set(r, numbers.size);
    poses[i].cls = numbers.get(r)!;
  }
  cache.set(shapes, poses);
  return poses;
}

/** Angle (rad) between an object's current up (object frame, unit) and a stable pose. */
export function angleToPose(pose: StablePose, up: Vec3): number {
  if (pose.type === 'face') return Math.acos(Math.max(-1, Math.min(1, dot(pose.up, up))));
  return Math.asin(Math.min(1, Math.abs(dot(pose.axis, up))));
}

/** The stable pose closest to an object's orientation `quat` and the angle to it; null if the kind has none. */
export function nearestStablePose(kind: Pick<ObjectKind, 'shapes'>, quat: Quat): { pose: StablePose; angle: number } | null {
  const up = upInObjectFrame(quat);
  let best: { pose: StablePose; angle: number } | null = null;
  for (const pose of stablePoses(kind)) {
    const angle = angleToPose(pose, up);
    if (!best || angle < best.angle) best = { pose, angle };
  }
  return best;
}

/** Angle (rad) from orientation `quat` to the nearest pose of class `cls` (Infinity if there is none). */
export function angleToClass(kind: Pick<ObjectKind, 'shapes'>, cls: number, quat: Quat): number {
  const up = upInObjectFrame(quat);
  let best = Infinity;
  for (const pose of stablePoses(kind)) if (pose.cls === cls) best = Math.min(best, angleToPose(pose, up));
  return best;
}
