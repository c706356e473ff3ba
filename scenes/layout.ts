// Turning a SceneSpec into a ResolvedScene: every random choice (object centres and yaws) drawn from a
// seeded generator, overlaps rejected, fixture joint states taken from the task's init atoms.

import seedrandom from 'seedrandom';
import { SpecError } from './errors.ts';
import { FIXTURE_CLOSED_VALUE, FIXTURE_OPEN_VALUE } from './fixtures.ts';
import { fixtureRect, pointRectDistance, type Rect } from './geometry.ts';
import { OBJECT_KINDS, footprintRadius, getObjectKind } from './objects.ts';
import { axisRng, resolveOod, type OodLevels } from './ood.ts';
import type { Quat, ResolvedObject, ResolvedScene, SceneSpec, TaskSpec, Vec2 } from './types.ts';

/** Where clutter may go: the reachable part of the table (x range, |y| limit), and the distractor kinds. */
export const CLUTTER_AREA = { x: [0.25, 0.8] as Vec2, yAbs: 0.42 };
export const DISTRACTOR_KINDS: readonly string[] = Object.freeze(
  Object.values(OBJECT_KINDS).filter((k) => k.graspable && k.size[2] <= 0.2).map((k) => k.kind).sort(),
);

/** The Panda's ready pose. */
export const DEFAULT_ROBOT_INIT: readonly number[] = Object.freeze([0, -0.785398, 0, -2.356194, 0, 1.570796, 0.785398]);
/** Clearance kept between objects' bounding circles, and between objects and fixtures. */
export const PLACEMENT_MARGIN = 0.01;
/** Samples tried per object before giving up. */
export const MAX_PLACEMENT_TRIES = 200;
/** Height of an object's origin (bottom centre) at reset: resting on the table top. */
export const REST_Z = 0.0005;

export function yawToQuat(yaw: number): Quat {
  return [0, 0, Math.sin(yaw / 2), Math.cos(yaw / 2)];
}

/** Fixture joint values at reset, from the task's init atoms (default: closed / off). */
export function fixtureInitFor(spec: SceneSpec, task?: TaskSpec): Record<string, number> {
  const out: Record<string, number> = {};
  const kinds = new Map(spec.fixtures.map((f) => [f.id, f.kind]));
  for (const f of spec.fixtures) out[f.id] = FIXTURE_CLOSED_VALUE[f.kind];
  for (const atom of task?.init ?? []) {
    const id = atom[1];
    const kind = typeof id === 'string' ? kinds.get(id) : undefined;
    if (kind === undefined) {
      throw new SpecError(`task "${task?.name}"`, 'init', JSON.stringify(atom), `atoms naming fixtures of scene "${spec.name}"`);
    }
    const open = atom[0] === 'Open' || atom[0] === 'TurnedOn';
    const closed = atom[0] === 'Closed' || atom[0] === 'TurnedOff';
    if (open) out[id as string] = FIXTURE_OPEN_VALUE[kind];
    else if (closed) out[id as string] = FIXTURE_CLOSED_VALUE[kind];
  }
  return out;
}

interface Placed {
  id: string;
  center: Vec2;
  radius: number;
}

/**
 * Resolve a scene for `seed`. Objects are placed in spec order; each centre is uniform in its region
 * and each yaw uniform in its range, redrawn (at most MAX_PLACEMENT_TRIES times) while the object's
 * bounding circle (+ margin) overlaps an earlier object or a fixture's footprint / swing zone.
 * Deterministic: the same spec and seed give the same result.
 */
export function resolveScene(spec: SceneSpec, seed: number, task?: TaskSpec, ood: OodLevels = {}): ResolvedScene {
  if (task && task.scene !== spec.name) {
    throw new SpecError(`task "${task.name}"`, 'scene', JSON.stringify(task.scene), `the scene being resolved, "${spec.name}"`);
  }
  const rng = seedrandom(`${seed}:layout`);
  // Fixture placement noise has its own stream, so adding it does not reshuffle object layouts.
  const frng = seedrandom(`${seed}:fixtures`);
  const fixtures = spec.fixtures.map((f) => {
    const j = f.jitter;
    const pos: Vec2 = j ? [f.pos[0] + (2 * frng() - 1) * j.pos, f.pos[1] + (2 * frng() - 1) * j.pos] : [f.pos[0], f.pos[1]];
    return { ...f, pos, yaw: j ? f.yaw + (2 * frng() - 1) * j.yaw : f.yaw };
  });
  const fixtureZones: { id: string; rect: Rect }[] = fixtures.map((f) => ({ id: f.id, rect: fixtureRect(f, true) }));
  const placed: Placed[] = [];
  const objects: ResolvedObject[] = [];
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

  spec.objects.forEach((o, i) => {
    const kindName = swapped[o.id] ?? o.kind;
    const kind = getObjectKind(kindName);
    const radius = footprintRadius(kind);
    const region = spec.regions[o.region];
    if (!region) {
      throw new SpecError(`scene "${spec.name}"`, `objects[${i}].region`, JSON.stringify(o.region), 'a region of the scene');
    }
    const blockers = new Map<string, number>();
    // The pose axis grows the start region and widens the yaw range.
    const grow = 0.06 * (ood.pose ?? 0);
    const hx = region.halfExtents[0] + grow, hy = region.halfExtents[1] + grow;
    const widen = Math.PI * (ood.pose ?? 0);
    const yawLo = widen > 0 ? Math.max(-Math.PI, o.yaw[0] - widen) : o.yaw[0];
    const yawHi = widen > 0 ? Math.min(Math.PI, o.yaw[1] + widen) : o.yaw[1];
    for (let attempt = 0; attempt < MAX_PLACEMENT_TRIES; attempt++) {
      const x = region.center[0] + (2 * rng() - 1) * hx;
      const y = region.center[1] + (2 * rng() - 1) * hy;
      const yaw = yawLo + rng() * (yawHi - yawLo);
      let blocker: string | undefined;
      for (const p of placed) {
        if (Math.hypot(x - p.center[0], y - p.center[1]) < radius + p.radius + PLACEMENT_MARGIN) {
          blocker = `object "${p.id}"`;
          break;
        }
      }
      if (!blocker) {
        for (const z of fixtureZones) {
          if (pointRectDistance([x, y], z.rect) < radius + PLACEMENT_MARGIN) {
            blocker = `fixture "${z.id}" (footprint or swing zone)`;
            break;
          }
        }
      }
      if (blocker) {
        blockers.set(blocker, (blockers.get(blocker) ?? 0) + 1);
        continue;
      }
      placed.push({ id: o.id, center: [x, y], radius });
      objects.push({ id: o.id, kind: kindName, pos: [x, y, REST_Z], quat: yawToQuat(yaw) });
      return;
    }
    const worst = [...blockers.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([b]) => b);
    throw new SpecError(
      `scene "${spec.name}" (seed ${seed})`,
      `objects[${i}]`,
      `no free spot for object "${o.id}" (${o.kind}, radius ${radius.toFixed(3)} m) in region "${o.region}" after ` +
        `${MAX_PLACEMENT_TRIES} tries; blocked by ${worst.join(', ')}`,
      `a region with room for the object: move or enlarge region "${o.region}", or move what blocks it`,
    );
  });

  const clutter = Math.round(30 * (ood.clutter ?? 0));
  if (clutter > 0) placeDistractors(spec, seed, ood, clutter, placed, objects, fixtureZones, novel);
  const robotInit = [...(spec.robotInit ?? DEFAULT_ROBOT_INIT)];
  const resolved: ResolvedScene = { spec, seed, objects, fixtures, fixtureInit: fixtureInitFor(spec, task), robotInit };
  if (Object.values(ood).some((l) => (l ?? 0) > 0)) {
    const o = resolveOod(ood, seed, spec.table.color, objects.map((x) => x.id), robotInit.length);
    if (o.robotInitDelta) o.robotInitDelta.forEach((d, i) => { robotInit[i] += d; });
    if (Object.keys(renamed).length) o.renamed = renamed;
    resolved.ood = o;
  }
  return resolved;
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
