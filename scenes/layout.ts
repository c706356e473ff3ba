// Turning a SceneSpec into a ResolvedScene: every random choice (object centres and yaws) drawn from a
// seeded generator, overlaps rejected, fixture joint states taken from the task's init atoms.

import seedrandom from 'seedrandom';
import { SpecError } from './errors.ts';
import { FIXTURE_DEFS, partOpenValue, partRestValue } from './fixture-defs.ts';
import { partKey, refPartKey, resolveFixtureRef, sceneParts, type FixtureRef } from './fixture-refs.ts';
import { fixtureRect, pointRectDistance, rectsOverlap, type Rect } from './geometry.ts';
import { OBJECT_KINDS, footprintRadius, getObjectKind, shapesBounds } from './objects.ts';
import { axisRng, resolveOod, type OodLevels } from './ood.ts';
import { pickRegionRect } from './regions.ts';
import type { FixtureSpec, ObjectKind, ObjectPlacementSpec, Quat, ResolvedObject, ResolvedScene, SceneSpec, Shape, TaskSpec, Vec2, Vec3 } from './types.ts';

/** Where clutter may go: the reachable part of the table (x range, |y| limit), and the distractor kinds. */
export const CLUTTER_AREA = { x: [0.25, 0.8] as Vec2, yAbs: 0.42 };
export const DISTRACTOR_KINDS: readonly string[] = Object.freeze(
  Object.values(OBJECT_KINDS).filter((k) => k.graspable && k.size[2] <= 0.2 && footprintRadius(k) <= 0.06).map((k) => k.kind).sort(),
);

/** The Panda's ready pose. */
export const DEFAULT_ROBOT_INIT: readonly number[] = Object.freeze([0, -0.785398, 0, -2.356194, 0, 1.570796, 0.785398]);
/** Clearance kept between objects' bounding circles, and between objects and fixtures. */
export const PLACEMENT_MARGIN = 0.01;
/** Samples tried per object before giving up on a draw of the layout. */
export const MAX_PLACEMENT_TRIES = 200;
/** Further draws of the whole layout after one fails, before the scene is declared impossible. */
export const LAYOUT_REDRAWS = 30;
/** Height of an object's origin (bottom centre) at reset: resting on the table top. */
export const REST_Z = 0.0005;

export function yawToQuat(yaw: number): Quat {
  return [0, 0, Math.sin(yaw / 2), Math.cos(yaw / 2)];
}

/** Joint values at reset by part state key (scenes/fixture-refs.ts), from the task's init atoms (default: closed / off). */
export function fixtureInitFor(spec: SceneSpec, task?: Pick<TaskSpec, 'name' | 'init'>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of sceneParts(spec.fixtures)) out[p.key] = partRestValue(p.part);
  for (const atom of task?.init ?? []) {
    const id = atom[1];
    const ref = typeof id === 'string' ? resolveFixtureRef(spec.fixtures, id) : undefined;
    const key = ref ? refPartKey(ref) : undefined;
    if (!ref?.part || key === undefined) {
      throw new SpecError(`task "${task?.name}"`, 'init', JSON.stringify(atom), `atoms naming fixture parts of scene "${spec.name}" (a drawer, door, button or knob)`);
    }
    const open = atom[0] === 'Open' || atom[0] === 'TurnedOn';
    const closed = atom[0] === 'Closed' || atom[0] === 'TurnedOff';
    if (open) out[key] = partOpenValue(ref.part);
    else if (closed) out[key] = partRestValue(ref.part);
  }
  return out;
}

/** An object found no free spot in one draw of the layout (the whole layout is drawn again). */
class NoRoomError extends SpecError {}

interface Placed {
  id: string;
  center: Vec2;
  radius: number;
  /** Its footprint on the table (see footprintRects), for placements kept clear by footprint. */
  rects?: Rect[];
}

/**
 * An object's footprint on the table: one rectangle per shape (the shape's extent in the object's xy
 * plane, so a turned shape's is a little larger than the shape), in the world at `pos` and `yaw`.
 */
export function footprintRects(kind: Pick<ObjectKind, 'shapes'>, pos: Vec2, yaw: number): Rect[] {
  const c = Math.cos(yaw), s = Math.sin(yaw);
  return kind.shapes.map((shape) => {
    const b = shapesBounds([shape]);
    const lx = (b.min[0] + b.max[0]) / 2, ly = (b.min[1] + b.max[1]) / 2;
    return {
      center: [pos[0] + c * lx - s * ly, pos[1] + s * lx + c * ly] as Vec2,
      halfExtents: [(b.max[0] - b.min[0]) / 2, (b.max[1] - b.min[1]) / 2] as Vec2,
      yaw,
    };
  });
}

/** Heights [bottom, top] of each shape. */
function shapeHeights(shapes: readonly Shape[]): [number, number][] {
  return shapes.map((sh) => {
    const b = shapesBounds([sh]);
    return [b.min[2], b.max[2]];
  });
}

/**
 * A fixture's footprint shape by shape (its shell and its moving parts at rest), as footprintRects,
 * with each shape's heights: an object's part clashes with it only where their heights overlap too
 * (a pan's handle passes over a stove's 2.5 cm burner plate, as in LIBERO's kitchen 9).
 */
function fixtureShapeRects(f: FixtureSpec, fixtureInit: Record<string, number>): { rect: Rect; z: [number, number] }[] {
  const def = FIXTURE_DEFS[f.kind];
  // Moving parts where the task starts them: a drawer initialised open stands out of the front, a door
  // initialised open is turned about its hinge (objects must not be placed where they will be).
  const parts = def.parts.flatMap((p) => {
    const value = fixtureInit[partKey(f.id, def, p.name)] ?? partRestValue(p);
    return p.shapes.map((sh): Shape => {
      const local: Vec3 = [sh.pos?.[0] ?? 0, sh.pos?.[1] ?? 0, sh.pos?.[2] ?? 0];
      if (p.joint === 'slide') {
        return { ...sh, pos: [p.origin[0] + local[0] + p.axis[0] * value, p.origin[1] + local[1] + p.axis[1] * value, p.origin[2] + local[2] + p.axis[2] * value] };
      }
      // Hinges turn about a vertical axis (doors, knobs): rotate the shape about it by value (sign of axis z).
      const a = value * Math.sign(p.axis[2] || 1);
      const c = Math.cos(a), sn = Math.sin(a);
      const rot = yawTimes(a, 'quat' in sh && sh.quat ? sh.quat : [0, 0, 0, 1]);
      return { ...sh, pos: [p.origin[0] + c * local[0] - sn * local[1], p.origin[1] + sn * local[0] + c * local[1], p.origin[2] + local[2]], quat: rot } as Shape;
    });
  });
  const shapes = [...def.shell, ...parts];
  const z = shapeHeights(shapes);
  return footprintRects({ shapes }, f.pos, f.yaw).map((rect, i) => ({ rect, z: z[i] }));
}

/** The rotation by `yaw` about the vertical, then `q` (x, y, z, w). */
function yawTimes(yaw: number, q: Quat): Quat {
  const z = Math.sin(yaw / 2), w = Math.cos(yaw / 2);
  return [w * q[0] - z * q[1], w * q[1] + z * q[0], w * q[2] + z * q[3], w * q[3] - z * q[2]];
}

/** True when two footprints come closer than `margin` (bounding circles first, then the rectangles). */
function footprintsClash(a: Placed, b: Placed, margin: number): boolean {
  if (Math.hypot(a.center[0] - b.center[0], a.center[1] - b.center[1]) >= a.radius + b.radius + margin) return false;
  return a.rects!.some((ra) => b.rects!.some((rb) => rectsOverlap(ra, rb, margin)));
}

/**
 * Resolve a scene for `seed`. Objects on the table are placed first, in spec order; each centre is
 * uniform in its region (one of its rectangles, drawn uniformly) and each yaw uniform in its range,
 * redrawn (at most MAX_PLACEMENT_TRIES times) while the object's bounding circle (+ margin) overlaps an
 * earlier object or a fixture's footprint / swing zone (with `clearance: 'footprint'`: while its shapes'
 * footprint comes within the margin of an earlier object's or a fixture's footprint). Then
 * objects `on` or `in` something, each once what holds it is placed (see placeOnOrIn). When an object
 * finds no spot, the whole layout is drawn again (at most LAYOUT_REDRAWS times). The result lists
 * objects in spec order.
 * Deterministic: the same spec and seed give the same result.
 */
export function resolveScene(spec: SceneSpec, seed: number, task?: TaskSpec, ood: OodLevels = {}): ResolvedScene {
  if (task && task.scene !== spec.name) {
    throw new SpecError(`task "${task.name}"`, 'scene', JSON.stringify(task.scene), `the scene being resolved, "${spec.name}"`);
  }
  // Fixture placement noise has its own stream, so adding it does not reshuffle object layouts.
  const frng = seedrandom(`${seed}:fixtures`);
  const fixtures = spec.fixtures.map((f) => {
    const j = f.jitter;
    const pos: Vec2 = j ? [f.pos[0] + (2 * frng() - 1) * j.pos, f.pos[1] + (2 * frng() - 1) * j.pos] : [f.pos[0], f.pos[1]];
    return { ...f, pos, yaw: j ? f.yaw + (2 * frng() - 1) * j.yaw : f.yaw };
  });
  const fixtureZones: { id: string; rect: Rect }[] = fixtures.map((f) => ({ id: f.id, rect: fixtureRect(f, true) }));
  // The novel_objects axis first swaps targets: each graspable scene object other than a block
  // becomes, with probability L, a generated kind of about the same size (its own stream).
  const novel = axisRng(seed, 'novel_objects');
  const novelLevel = ood.novel_objects ?? 0;
  const swapped: Record<string, string> = {};
  const renamed: Record<string, { from: string; to: string }> = {};
  if (novelLevel > 0) {
    for (const o of spec.objects) {
      const base = getObjectKind(o.kind);
      if (!base.graspable || base.category === 'block' || novel() >= novelLevel) continue;
      const alt = similarNovelKind(base.size, novel);
      if (alt) {
        swapped[o.id] = alt;
        renamed[o.id] = { from: base.name, to: getObjectKind(alt).name };
      }
    }
  }

  const fixtureInit = fixtureInitFor(spec, task);
  // A layout that cannot be completed is drawn again from the start (objects placed early can leave no
  // room for later ones in tight regions, as LIBERO's are); the first draw uses the same stream as
  // before redraws existed, so layouts that work on it are unchanged.
  let placed: Placed[] = [];
  let objects: ResolvedObject[] = [];
  let first: NoRoomError | undefined;
  for (let draw = 0; ; draw++) {
    const rng = seedrandom(draw === 0 ? `${seed}:layout` : `${seed}:layout:redraw${draw}`);
    try {
      ({ placed, objects } = placeObjects(spec, seed, rng, fixtures, fixtureInit, swapped, ood));
      break;
    } catch (e) {
      if (!(e instanceof NoRoomError)) throw e;
      first ??= e;
      if (draw >= LAYOUT_REDRAWS) throw new SpecError(first.file, first.path, `${first.found}, and in ${LAYOUT_REDRAWS} redraws of the whole layout`, first.allowed);
    }
  }

  const clutter = Math.round(30 * (ood.clutter ?? 0));
  if (clutter > 0) placeDistractors(spec, seed, ood, clutter, placed, objects, fixtureZones, novel);
  const robotInit = [...(spec.robotInit ?? DEFAULT_ROBOT_INIT)];
  const resolved: ResolvedScene = { spec, seed, objects, fixtures, fixtureInit, robotInit };
  if (Object.values(ood).some((l) => (l ?? 0) > 0)) {
    const o = resolveOod(ood, seed, spec.table.color, objects.map((x) => x.id), robotInit.length);
    if (o.robotInitDelta) o.robotInitDelta.forEach((d, i) => { robotInit[i] += d; });
    if (Object.keys(renamed).length) o.renamed = renamed;
    resolved.ood = o;
  }
  return resolved;
}

/**
 * One draw of the scene's objects from `rng`: those on the table in spec order, then those on or in
 * something (placeOnOrIn). Throws a SpecError when an object finds no free spot. Result in spec order.
 */
function placeObjects(spec: SceneSpec, seed: number, rng: () => number, fixtures: FixtureSpec[], fixtureInit: Record<string, number>, swapped: Record<string, string>, ood: OodLevels): { placed: Placed[]; objects: ResolvedObject[] } {
  const placed: Placed[] = [];
  const objects: ResolvedObject[] = [];
  const zones = fixtures.map((f) => ({ id: f.id, swing: fixtureRect(f, true), footprint: fixtureRect(f, false), shapes: fixtureShapeRects(f, fixtureInit) }));
  spec.objects.forEach((o, i) => {
    if (o.region === undefined) return;
    const kindName = swapped[o.id] ?? o.kind;
    const kind = getObjectKind(kindName);
    const radius = footprintRadius(kind);
    const myHeights = shapeHeights(kind.shapes);
    const region = spec.regions[o.region];
    if (!region) {
      throw new SpecError(`scene "${spec.name}"`, `objects[${i}].region`, JSON.stringify(o.region), 'a region of the scene');
    }
    const blockers = new Map<string, number>();
    // The pose axis grows the start region and widens the yaw range.
    const grow = 0.06 * (ood.pose ?? 0);
    const widen = Math.PI * (ood.pose ?? 0);
    const yawLo = widen > 0 ? Math.max(-Math.PI, o.yaw[0] - widen) : o.yaw[0];
    const yawHi = widen > 0 ? Math.min(Math.PI, o.yaw[1] + widen) : o.yaw[1];
    for (let attempt = 0; attempt < MAX_PLACEMENT_TRIES; attempt++) {
      const rect = pickRegionRect(region, rng);
      const hx = rect.halfExtents[0] + grow, hy = rect.halfExtents[1] + grow;
      const x = rect.center[0] + (2 * rng() - 1) * hx;
      const y = rect.center[1] + (2 * rng() - 1) * hy;
      const yaw = yawLo + rng() * (yawHi - yawLo);
      const me: Placed = { id: o.id, center: [x, y], radius, rects: footprintRects(kind, [x, y], yaw) };
      const byFootprint = o.clearance === 'footprint';
      let blocker: string | undefined;
      for (const p of placed) {
        if (byFootprint ? footprintsClash(me, p, PLACEMENT_MARGIN) : Math.hypot(x - p.center[0], y - p.center[1]) < radius + p.radius + PLACEMENT_MARGIN) {
          blocker = `object "${p.id}"`;
          break;
        }
      }
      if (!blocker) {
        for (const z of zones) {
          const hit = byFootprint
            ? pointRectDistance([x, y], z.swing) < radius + PLACEMENT_MARGIN && me.rects!.some((r, k) => z.shapes.some((q) =>
              myHeights[k][0] < q.z[1] + PLACEMENT_MARGIN && q.z[0] < myHeights[k][1] + PLACEMENT_MARGIN && rectsOverlap(r, q.rect, PLACEMENT_MARGIN)))
            : pointRectDistance([x, y], z.swing) < radius + PLACEMENT_MARGIN;
          if (hit) {
            blocker = `fixture "${z.id}" (${byFootprint ? 'footprint' : 'footprint or swing zone'})`;
            break;
          }
        }
      }
      if (blocker) {
        blockers.set(blocker, (blockers.get(blocker) ?? 0) + 1);
        continue;
      }
      placed.push(me);
      objects.push({ id: o.id, kind: kindName, pos: [x, y, REST_Z], quat: yawToQuat(yaw) });
      return;
    }
    const worst = [...blockers.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([b]) => b);
    throw new NoRoomError(
      `scene "${spec.name}" (seed ${seed})`,
      `objects[${i}]`,
      `no free spot for object "${o.id}" (${o.kind}, radius ${radius.toFixed(3)} m) in region "${o.region}" after ` +
        `${MAX_PLACEMENT_TRIES} tries; blocked by ${worst.join(', ')}`,
      `a region with room for the object: move or enlarge region "${o.region}", or move what blocks it`,
    );
  });
  placeOnOrIn(spec, seed, fixtures, fixtureInit, swapped, objects, rng);
  const order = new Map(spec.objects.map((o, i) => [o.id, i]));
  objects.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  return { placed, objects };
}

/** What an `on` / `in` placement rests on or in: an object of the scene, or a fixture's region. */
export type PlacementTarget =
  | { rel: 'on' | 'in'; object: string }
  | { rel: 'on' | 'in'; fixture: FixtureRef };

/**
 * The target of an `on` / `in` placement, or why there is none: `on` an object (any kind: it stands
 * centred on its top) or a fixture surface or interior; `in` a container object or a fixture interior.
 */
export function placementTarget(spec: Pick<SceneSpec, 'objects' | 'fixtures'>, o: ObjectPlacementSpec): PlacementTarget | string {
  const rel = o.on !== undefined ? 'on' : 'in';
  const name = (o.on ?? o.in)!;
  if (name === o.id) return `"${o.id}" cannot be ${rel} itself`;
  const obj = spec.objects.find((x) => x.id === name);
  if (obj) {
    if (rel === 'in' && !getObjectKind(obj.kind).container) return `"${name}" (${obj.kind}) has no interior to put things in`;
    return { rel, object: name };
  }
  // On a bare fixture id means on its top, as in the chain model.
  const bare = spec.fixtures.find((f) => f.id === name);
  const ref = resolveFixtureRef(spec.fixtures, rel === 'on' && bare && FIXTURE_DEFS[bare.kind].regions.top_side ? `${name}_top_side` : name);
  if (!ref) return `there is no object or fixture region "${name}"`;
  if (!ref.region || !ref.regionName) return `"${name}" names a part of fixture "${ref.fixture.id}", not a region things stand ${rel}`;
  if (rel === 'in' && ref.region.type !== 'interior') return `"${name}" is a surface of fixture "${ref.fixture.id}": things go on it, not in it`;
  return { rel, fixture: ref };
}

/** A region of a fixture in the world: the centre of its volume, its half sizes and its yaw, with its part at `value`. */
export function fixtureRegionPose(f: Pick<FixtureSpec, 'pos' | 'yaw'>, ref: FixtureRef, value: number): { center: Vec3; halfExtents: Vec3; yaw: number } {
  const r = ref.region!;
  let p: Vec3 = [...r.center];
  const part = r.part ? ref.def.parts.find((x) => x.name === r.part) : undefined;
  if (part) {
    const [ax, ay, az] = part.axis;
    if (part.joint === 'slide') p = [part.origin[0] + p[0] + value * ax, part.origin[1] + p[1] + value * ay, part.origin[2] + p[2] + value * az];
    else {
      // Rodrigues: the point turned by `value` about the hinge axis through the part origin.
      const c = Math.cos(value), s = Math.sin(value), d = ax * p[0] + ay * p[1] + az * p[2];
      const cross: Vec3 = [ay * p[2] - az * p[1], az * p[0] - ax * p[2], ax * p[1] - ay * p[0]];
      p = [0, 1, 2].map((k) => part.origin[k] + p[k] * c + cross[k] * s + part.axis[k] * d * (1 - c)) as Vec3;
    }
  }
  const c = Math.cos(f.yaw), s = Math.sin(f.yaw);
  return { center: [f.pos[0] + c * p[0] - s * p[1], f.pos[1] + s * p[0] + c * p[1], p[2]], halfExtents: [...r.halfExtents], yaw: f.yaw };
}

const yawOf = (q: Quat) => 2 * Math.atan2(q[2], q[3]);

/**
 * Objects `on` or `in` something, each once what holds it is placed: on an object, centred on its top
 * (as LIBERO's ObjectBasedSampler); in a container object or on / in a fixture region, uniform over the
 * region's floor (or top) kept a footprint radius inside its walls, redrawn while it overlaps another
 * object placed in the same target. The yaw range is the world yaw, as on the table (LIBERO turns an
 * object the same way wherever it starts).
 */
function placeOnOrIn(spec: SceneSpec, seed: number, fixtures: FixtureSpec[], fixtureInit: Record<string, number>, swapped: Record<string, string>, objects: ResolvedObject[], rng: () => number): void {
  const pending = spec.objects.map((o, i) => ({ o, i })).filter(({ o }) => o.region === undefined);
  const inTarget = new Map<string, Placed[]>();
  while (pending.length) {
    const k = pending.findIndex(({ o }) => {
      const t = placementTarget(spec, o);
      return typeof t === 'string' || !('object' in t) || objects.some((x) => x.id === t.object);
    });
    if (k < 0) {
      const { o, i } = pending[0];
      throw new SpecError(`scene "${spec.name}"`, `objects[${i}]`, `"${o.id}" ${o.on !== undefined ? `on "${o.on}"` : `in "${o.in}"`}, in a cycle of objects placed on or in each other`, 'placements that end on the table or a fixture');
    }
    const [{ o, i }] = pending.splice(k, 1);
    const field = o.on !== undefined ? 'on' : 'in';
    const t = placementTarget(spec, o);
    if (typeof t === 'string') {
      if (o.on === undefined && o.in === undefined) throw new SpecError(`scene "${spec.name}"`, `objects[${i}]`, `object "${o.id}" with no region, on or in`, 'one of region, on, in');
      throw new SpecError(`scene "${spec.name}"`, `objects[${i}].${field}`, JSON.stringify(o.on ?? o.in), `an object of the scene or a fixture region (\`\${fixtureId}_\${region}\`): ${t}`);
    }
    const kindName = swapped[o.id] ?? o.kind;
    const radius = footprintRadius(getObjectKind(kindName));
    // The area to draw from (centre, half sizes along its own axes, yaw) and the height to stand at.
    let centre: Vec2, half: Vec2, yaw0: number, z: number;
    const targetName = (o.on ?? o.in)!;
    if ('object' in t) {
      const base = objects.find((x) => x.id === t.object)!;
      const bk = getObjectKind(base.kind);
      yaw0 = yawOf(base.quat);
      if (t.rel === 'in' && bk.container) {
        const c = bk.container, cs = Math.cos(yaw0), sn = Math.sin(yaw0);
        centre = [base.pos[0] + cs * c.center[0] - sn * c.center[1], base.pos[1] + sn * c.center[0] + cs * c.center[1]];
        half = [c.halfExtents[0], c.halfExtents[1]];
        z = base.pos[2] + c.center[2] - c.halfExtents[2];
      } else {
        centre = [base.pos[0], base.pos[1]];
        half = [radius, radius]; // centred: nothing to spread over
        z = base.pos[2] + (bk.supportTop ?? bk.size[2]);
      }
    } else {
      const f = fixtures.find((x) => x.id === t.fixture.fixture.id)!;
      const part = t.fixture.region!.part;
      // A drawer's interior moves with the drawer: where it is at reset (open or closed).
      const value = part ? fixtureInit[partKey(f.id, t.fixture.def, part)] ?? 0 : 0;
      const pose = fixtureRegionPose(f, t.fixture, value);
      centre = [pose.center[0], pose.center[1]];
      half = [pose.halfExtents[0], pose.halfExtents[1]];
      yaw0 = pose.yaw;
      z = t.fixture.region!.type === 'surface' ? pose.center[2] + pose.halfExtents[2] : pose.center[2] - pose.halfExtents[2];
    }
    const hx = Math.max(0, half[0] - radius), hy = Math.max(0, half[1] - radius);
    const others = inTarget.get(targetName) ?? [];
    const cs = Math.cos(yaw0), sn = Math.sin(yaw0);
    let done = false;
    for (let attempt = 0; attempt < MAX_PLACEMENT_TRIES && !done; attempt++) {
      const lx = (2 * rng() - 1) * hx, ly = (2 * rng() - 1) * hy;
      const yaw = o.yaw[0] + rng() * (o.yaw[1] - o.yaw[0]);
      const x = centre[0] + cs * lx - sn * ly, y = centre[1] + sn * lx + cs * ly;
      if (others.some((p) => Math.hypot(x - p.center[0], y - p.center[1]) < radius + p.radius + PLACEMENT_MARGIN)) continue;
      others.push({ id: o.id, center: [x, y], radius });
      objects.push({ id: o.id, kind: kindName, pos: [x, y, z + REST_Z], quat: yawToQuat(yaw) });
      done = true;
    }
    if (!done) {
      throw new NoRoomError(`scene "${spec.name}" (seed ${seed})`, `objects[${i}].${field}`,
        `no free spot for object "${o.id}" (${o.kind}, radius ${radius.toFixed(3)} m) ${field} "${targetName}" beside ${others.map((p) => `"${p.id}"`).join(', ')}`,
        `fewer or smaller objects ${field} "${targetName}"`);
    }
    inTarget.set(targetName, others);
  }
}

/** Generated kinds drawn until one is within 25% of `size` in height and in footprint (at most 300 draws). */
function similarNovelKind(size: readonly number[], rng: () => number): string | null {
  const foot = (v: readonly number[]) => [Math.min(v[0], v[1]), Math.max(v[0], v[1])];
  const [a0, a1] = foot(size);
  const near = (x: number, y: number) => x >= 0.75 * y && x <= 1.33 * y;
  for (let k = 0; k < 300; k++) {
    const kind = `novel_${Math.floor(rng() * 1_000_000)}`;
    const s = getObjectKind(kind).size;
    const [b0, b1] = foot(s);
    if (near(s[2], size[2]) && near(b0, a0) && near(b1, a1)) return kind;
  }
  return null;
}

/**
 * Clutter: `count` distractors from the library, each from the clutter stream: a share 0.4 L of them
 * 2-5 cm from an object the scene names, the rest anywhere free on the reachable table. A distractor
 * with no free spot after MAX_PLACEMENT_TRIES is left out (the count placed is what the scene holds).
 */
function placeDistractors(spec: SceneSpec, seed: number, ood: OodLevels, count: number, placed: Placed[], objects: ResolvedObject[], zones: { id: string; rect: Rect }[], novel: () => number): void {
  const level = ood.clutter ?? 0;
  const rng = axisRng(seed, 'clutter');
  // The novel_objects axis swaps library distractors for generated kinds (its own stream, after the targets).
  const novelLevel = ood.novel_objects ?? 0;
  const named = placed.slice();
  const t = spec.table;
  const x0 = Math.max(CLUTTER_AREA.x[0], t.center[0] - t.size[0] / 2 + 0.04), x1 = Math.min(CLUTTER_AREA.x[1], t.center[0] + t.size[0] / 2 - 0.04);
  const y0 = Math.max(-CLUTTER_AREA.yAbs, t.center[1] - t.size[1] / 2 + 0.04), y1 = Math.min(CLUTTER_AREA.yAbs, t.center[1] + t.size[1] / 2 - 0.04);
  for (let i = 0; i < count; i++) {
    let kind = DISTRACTOR_KINDS[Math.floor(rng() * DISTRACTOR_KINDS.length)];
    if (novelLevel > 0 && novel() < novelLevel) kind = `novel_${Math.floor(novel() * 1_000_000)}`;
    const radius = footprintRadius(getObjectKind(kind));
    const near = named.length > 0 && rng() < 0.4 * level;
    const anchor = named[Math.floor(rng() * named.length)];
    for (let attempt = 0; attempt < MAX_PLACEMENT_TRIES; attempt++) {
      let x: number, y: number;
      if (near && anchor) {
        const a = rng() * 2 * Math.PI, d = anchor.radius + radius + 0.02 + 0.03 * rng();
        x = anchor.center[0] + d * Math.cos(a);
        y = anchor.center[1] + d * Math.sin(a);
      } else {
        x = x0 + rng() * (x1 - x0);
        y = y0 + rng() * (y1 - y0);
      }
      const yaw = (2 * rng() - 1) * Math.PI;
      if (x < x0 || x > x1 || y < y0 || y > y1) continue;
      if (placed.some((p) => Math.hypot(x - p.center[0], y - p.center[1]) < radius + p.radius + PLACEMENT_MARGIN)) continue;
      if (zones.some((z) => pointRectDistance([x, y], z.rect) < radius + PLACEMENT_MARGIN)) continue;
      const id = `distractor_${String(i).padStart(2, '0')}`;
      placed.push({ id, center: [x, y], radius });
      objects.push({ id, kind, pos: [x, y, REST_Z], quat: yawToQuat(yaw) });
      break;
    }
  }
}
