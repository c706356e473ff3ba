// Where the scripted expert sets an object down inside a container object (basket, bowl): a search
// over release poses (object position on a grid over the container's interior, hand yaw at the
// container's quarter turns) that keeps the object and the finger pads clear of the walls and of what
// is already inside, and the palm above the rim, so that nothing the hand brings in pushes, drags or
// lifts the container. A 16 x 12 cm basket does not fit two boxes side by side with finger pads between
// them; when no pose on the floor leaves room, the object may go on top of a flat-topped object
// already inside (still In the container), which `planPair` also weighs when it orders two objects
// bound for the same container.
import type { ObjectKind, Quat, Vec2, Vec3 } from '../scenes/types.ts';
import { quatRotate } from '../sim/kinematics.ts';
import { gap, handAxes, handBlocks, kindBlocks, pointDistance, type Block, type Held } from './clearance.ts';

export const PLACEMENT = {
  /** Release height of the object's bottom above what it is set on (m). */
  releaseGap: 0.012,
  /** How far the fingers open to let go (m, total): a little, so the pads do not press on the walls... */
  opening: 0.006,
  /** ...and at least this much where the pads have less room; poses are judged with this opening. */
  minOpening: 0.002,
  /** An empty basket takes its first object at one end when that leaves this much clearance (m): room for a second. */
  endClearance: 0.006,
  /** Height kept between the palm or a pad and the top of something under it at release (m). */
  zMargin: 0.005,
  /** Clearance beyond which a pose is not better for being farther from the walls (m). */
  enough: 0.02,
  /** Quality cost of setting the object on another one instead of on the floor (m of clearance). */
  stackCost: 0.016,
  /** How far an object's centre must be inside the top of what it is stacked on (m). */
  stackInset: 0.01,
  /** Poses tried, best first, for one the arm can reach. */
  reachTries: 400,
  /** Widest hand yaw the wrist is asked for (rad), as for grasps. */
  maxYaw: Math.PI / 2 + 0.3,
};

/** The container as the planner sees it: pose, kind (with its interior volume) and what is around it. */
export interface ContainerView {
  id: string;
  kind: ObjectKind;
  pos: Vec3;
  quat: Quat;
}

/** A release pose in the container's frame (so it follows the container), and how good it is. */
export interface Slot {
  /** Object origin (bottom centre) at release relative to the container origin, in its frame (m). */
  local: Vec3;
  /** Hand yaw minus the container's yaw (rad). */
  yawRel: number;
  /** Smallest gap between the object or a finger pad and the walls or another object (m; negative: overlap). */
  clearance: number;
  /** How much higher than `releaseGap` over its support the object is let go, to keep the hand clear (m). */
  drop: number;
  /** The object it is set on, or null for the container's floor. */
  on: string | null;
  /** How far to open the fingers to let go (m, total): as far as the pads have room, up to PLACEMENT.opening. */
  opening: number;
  quality: number;
}

/** What the hand will hold and how far apart its fingers are. */
export interface Carried {
  held: Held;
  width: number;
}

function yawOfQuat(q: ArrayLike<number>): number {
  const x = quatRotate(q, [1, 0, 0]);
  return Math.atan2(x[1], x[0]);
}

function wrapPi(a: number): number {
  let x = a % (2 * Math.PI);
  if (x <= -Math.PI) x += 2 * Math.PI;
  if (x > Math.PI) x -= 2 * Math.PI;
  return x;
}

/** Floor height (top of the container's bottom) and rim height, world frame. */
export function containerLevels(c: ContainerView): { floor: number; rim: number } {
  const v = c.kind.container!;
  return { floor: c.pos[2] + v.center[2] - v.halfExtents[2], rim: c.pos[2] + c.kind.size[2] };
}

/** Hand yaws to try: the container's quarter turns within the wrist's range, and the current yaw. */
function candidateYaws(containerYaw: number, current: number | null): number[] {
  const out: number[] = [];
  for (let k = 0; k < 4; k++) {
    const y = wrapPi(containerYaw + (k * Math.PI) / 2);
    if (Math.abs(y) <= PLACEMENT.maxYaw) out.push(y);
  }
  if (current !== null && !out.some((y) => Math.abs(wrapPi(y - current)) < 0.05)) out.push(current);
  return out;
}

interface Assessed {
  p: Vec2;
  yaw: number;
  bottom: number;
  tcpZ: number;
  drop: number;
  clearance: number;
  /** Smallest gap between a finger pad and anything beside it. */
  padClearance: number;
  on: string | null;
  /** The object's blocks at release (for planning what comes after it). */
  blocks: Block[];
  /** The hand's blocks at release: pads and palm. */
  hand: Block[];
  quality: number;
}

/**
 * One release pose: the object's origin at `p` (world xy), hand turned by `yaw`. Null when the object
 * would rest on a wall or on something it cannot stand on, or its centre would leave the interior.
 */
function assess(c: ContainerView, carried: Carried, p: Vec2, yaw: number, obstacles: readonly Block[], floor: number, rim: number, allowStack: boolean): Assessed | null {
  const { held, width } = carried;
  const flat = kindBlocks('held', held.kind, [p[0], p[1], 0], yaw + held.relYaw);
  // What the object would stand on.
  let support = floor;
  let on: string | null = null;
  for (const b of obstacles) {
    if (b.top <= floor + 0.001) continue;
    if (!flat.some((o) => gap(o.fp, b.fp) < 0.002)) continue;
    if (!allowStack || b.owner === c.id) return null;
    if (on !== null && on !== b.owner) return null;
    on = b.owner;
    support = Math.max(support, b.top);
  }
  if (on !== null) {
    // Stack only on a flat top, with the centre well inside it, low enough to stay In the container.
    const tops = obstacles.filter((b) => b.owner === on);
    if (tops.some((b) => b.top < support - 0.002 && flat.some((o) => gap(o.fp, b.fp) < 0.002))) return null;
    if (!tops.some((b) => Math.abs(b.top - support) < 0.002 && pointDistance(p, b.fp) <= -PLACEMENT.stackInset)) return null;
    if (support + PLACEMENT.releaseGap > rim) return null;
  }
  const bottom = support + PLACEMENT.releaseGap;
  const z0 = bottom + held.tcpAbove;
  const { x, y } = handAxes(yaw);
  const tcp: Vec3 = [p[0] - held.rel[0] * x[0] - held.rel[1] * y[0], p[1] - held.rel[0] * x[1] - held.rel[1] * y[1], z0];
  const hand = handBlocks(tcp, yaw, width + PLACEMENT.minOpening);
  // Lowest TCP that keeps every pad and the palm above what is under it.
  let tcpZ = z0;
  for (const h of hand) {
    const above = h.bottom - z0;
    for (const b of obstacles) {
      if (b.top + PLACEMENT.zMargin <= tcpZ + above) continue;
      if (gap(h.fp, b.fp) < 0.002) tcpZ = b.top + PLACEMENT.zMargin - above;
    }
  }
  const drop = tcpZ - z0;
  const objBlocks = flat.map((o) => ({ ...o, bottom: o.bottom + bottom + drop, top: o.top + bottom + drop }));
  const handAt = hand.map((h) => ({ ...h, bottom: h.bottom + drop, top: h.top + drop }));
  let clearance = Infinity, padClearance = Infinity;
  for (const part of [...objBlocks, ...handAt.slice(0, 2)]) {
    for (const b of obstacles) {
      if (b.owner === on || b.top <= part.bottom + 0.001 || b.bottom >= part.top) continue;
      const g = gap(part.fp, b.fp);
      clearance = Math.min(clearance, g);
      if (part.owner === 'hand') padClearance = Math.min(padClearance, g);
    }
  }
  return { p, yaw, bottom: bottom + drop, tcpZ, drop, clearance, padClearance, on, blocks: objBlocks, hand: handAt, quality: quality(clearance, drop, on) };
}

function quality(clearance: number, drop: number, on: string | null): number {
  return Math.min(clearance, PLACEMENT.enough) - 5 * drop - (on ? PLACEMENT.stackCost : 0);
}

/** Release poses over the interior: grid step `step` (m), yaws from `candidateYaws`. */
function candidates(c: ContainerView, carried: Carried, obstacles: readonly Block[], step: number, currentYaw: number | null, allowStack: boolean): Assessed[] {
  const v = c.kind.container!;
  const cy = yawOfQuat(c.quat);
  const { floor, rim } = containerLevels(c);
  const out: Assessed[] = [];
  const nx = Math.floor(v.halfExtents[0] / step), ny = Math.floor(v.halfExtents[1] / step);
  for (const yaw of candidateYaws(cy, currentYaw)) {
    for (let i = -nx; i <= nx; i++) {
      for (let j = -ny; j <= ny; j++) {
        const l = quatRotate(c.quat, [v.center[0] + i * step, v.center[1] + j * step, 0]);
        const a = assess(c, carried, [c.pos[0] + l[0], c.pos[1] + l[1]], yaw, obstacles, floor, rim, allowStack);
        if (a) out.push(a);
      }
    }
  }
  return out;
}

function toSlot(c: ContainerView, a: Assessed): Slot {
  const inv: Quat = [-c.quat[0], -c.quat[1], -c.quat[2], c.quat[3]];
  const local = quatRotate(inv, [a.p[0] - c.pos[0], a.p[1] - c.pos[1], a.bottom - c.pos[2]]) as Vec3;
  // Each pad moves out by half the extra opening: keep 1 mm of what room it has.
  const opening = Math.max(PLACEMENT.minOpening, Math.min(PLACEMENT.opening, PLACEMENT.minOpening + 2 * (a.padClearance - 0.001)));
  return { local, yawRel: wrapPi(a.yaw - yawOfQuat(c.quat)), clearance: a.clearance, drop: a.drop, on: a.on, opening, quality: a.quality };
}

/**
 * Prefer higher quality, then poses nearer the interior's centre (with `leaveRoom`: nearer the
 * interior's -x end, as long as the clearance stays `endClearance`, so a second object fits beside)
 * and needing less wrist turn from `currentYaw` (deterministic tie-break by order).
 */
function ranked(list: readonly Assessed[], c: ContainerView, currentYaw: number | null = null, leaveRoom = false): Assessed[] {
  const v = c.kind.container!;
  const centre = quatRotate(c.quat, v.center);
  const axis = quatRotate(c.quat, [1, 0, 0]);
  let best = -Infinity;
  if (leaveRoom) for (const a of list) best = Math.max(best, a.quality);
  const cap = leaveRoom ? Math.min(PLACEMENT.endClearance, best) : Infinity;
  // Plain loops and a module-level comparator rather than per-call closures, which V8 optimises again
  // after every full garbage collection.
  const scored: Scored[] = new Array(list.length);
  for (let i = 0; i < list.length; i++) {
    const a = list[i];
    const turn = currentYaw === null ? 0 : Math.abs(wrapPi(a.yaw - currentYaw));
    const dx = a.p[0] - c.pos[0] - centre[0], dy = a.p[1] - c.pos[1] - centre[1];
    const place = leaveRoom ? 0.01 * (dx * axis[0] + dy * axis[1]) : 0.001 * Math.hypot(dx, dy);
    scored[i] = { a, s: Math.min(a.quality, cap) - place - 0.002 * turn, i };
  }
  // The index breaks ties: candidate order is kept among equal scores.
  scored.sort(byScore);
  const out: Assessed[] = new Array(scored.length);
  for (let i = 0; i < scored.length; i++) out[i] = scored[i].a;
  return out;
}

type Scored = { a: Assessed; s: number; i: number };
const byScore = (x: Scored, y: Scored): number => y.s - x.s || x.i - y.i;

function best(list: readonly Assessed[], c: ContainerView, currentYaw: number | null = null, leaveRoom = false): Assessed | null {
  return ranked(list, c, currentYaw, leaveRoom)[0] ?? null;
}

/**
 * The best release pose for `carried` in container `c`, among `obstacles` (blocks of the container and
 * of everything near it but the carried object). `currentYaw` is the hand's yaw now (a candidate too).
 * `leaveRoom`: the container may take another object later; keep to one end. `reachable` says whether
 * the arm can get to a pose (the best of the first `reachTries` that it can is taken). Null when no
 * pose keeps the object's centre in the interior.
 */
export function planSlot(
  c: ContainerView, carried: Carried, obstacles: readonly Block[], currentYaw: number | null = null, leaveRoom = false,
  reachable: (s: Slot) => boolean = () => true,
): Slot | null {
  const list = ranked(candidates(c, carried, obstacles, 0.004, currentYaw, true), c, currentYaw, leaveRoom);
  // The best pose the arm can reach (a container at the far edge of the table has an end it cannot).
  // Reach hardly depends on the exact pose: poses within 5 mm and 0.1 rad share one answer.
  const seen = new Map<string, boolean>();
  for (const a of list.slice(0, PLACEMENT.reachTries)) {
    const s = toSlot(c, a);
    const key = `${Math.round(a.p[0] / 0.005)},${Math.round(a.p[1] / 0.005)},${Math.round(a.yaw / 0.1)},${Math.round(a.tcpZ / 0.005)}`;
    if (!seen.has(key)) seen.set(key, reachable(s));
    if (seen.get(key)) return s;
  }
  return list.length ? toSlot(c, list[0]) : null;
}

/**
 * Release poses for two objects bound for the same container, `first` set down before `second`:
 * the pair whose worse pose is best (both on the floor, or the second on top of the first). The
 * second pose is only a forecast (the first may land a little off); it is planned again when its turn
 * comes. Returns the first object's slot and the pair's quality.
 */
export function planPair(c: ContainerView, first: Carried, second: Carried, obstacles: readonly Block[]): { first: Slot; quality: number } | null {
  const step = 0.01;
  const as = candidates(c, first, obstacles, step, null, false);
  if (!as.length) return null;
  const bs = candidates(c, second, obstacles, step, null, false);
  const chosen: { a: Assessed | null; q: number } = { a: null, q: -Infinity };
  const consider = (a: Assessed, q: number) => {
    if (!chosen.a || q > chosen.q + 1e-9) { chosen.a = a; chosen.q = q; }
  };
  for (const a of as) {
    if (chosen.a && a.quality <= chosen.q) continue;
    let qb = -Infinity;
    for (const b of bs) {
      if (Math.min(a.quality, b.quality) <= qb) continue;
      // The second object must not overlap the first; its pads and the palm must clear it.
      let clearance = b.clearance;
      let drop = b.drop;
      let ok = true;
      for (const ob of b.blocks) for (const oa of a.blocks) {
        const g = gap(ob.fp, oa.fp);
        if (g < 0.002) ok = false;
        clearance = Math.min(clearance, g);
      }
      if (!ok) continue;
      for (const h of b.hand) for (const oa of a.blocks) {
        const g = gap(h.fp, oa.fp);
        if (oa.top + PLACEMENT.zMargin > h.bottom + drop && g < 0.002) drop = Math.max(drop, oa.top + PLACEMENT.zMargin - h.bottom);
        else if (oa.top > h.bottom + drop) clearance = Math.min(clearance, g);
      }
      qb = Math.max(qb, Math.min(a.quality, quality(clearance, drop, null)));
    }
    consider(a, qb);
  }
  // Or the second on top of the first, set down where it leaves the most room.
  const alone = best(as, c);
  if (alone) {
    const withFirst = [...obstacles, ...alone.blocks.map((b) => ({ ...b, owner: '__first' }))];
    const firstKind = first.held.kind;
    if (firstKind.supportTop !== undefined) {
      const top = best(candidates(c, second, withFirst, step, null, true).filter((b) => b.on === '__first'), c);
      if (top) consider(alone, Math.min(alone.quality, top.quality));
    }
  }
  return chosen.a ? { first: toSlot(c, chosen.a), quality: chosen.q } : null;
}

/** World TCP target and hand yaw for releasing at `slot` in container `c` now, holding `held`. */
export function slotTarget(c: ContainerView, slot: Slot, held: Held): { pos: Vec3; yaw: number } {
  const o = quatRotate(c.quat, slot.local);
  const yaw = wrapPi(yawOfQuat(c.quat) + slot.yawRel);
  const { x, y } = handAxes(yaw);
  const p: Vec3 = [c.pos[0] + o[0], c.pos[1] + o[1], c.pos[2] + o[2]];
  return { pos: [p[0] - held.rel[0] * x[0] - held.rel[1] * y[0], p[1] - held.rel[0] * x[1] - held.rel[1] * y[1], p[2] + held.tcpAbove], yaw };
}

/**
 * Height of the held object's origin at which, set down upright with its origin at `p` (xy) under a
 * hand turned by `yaw`, its underside first meets `support` (the support's blocks): the highest top
 * of a support block under one of its blocks, less that block's height above its origin. Null when
 * nothing of the support is under it.
 */
export function restingHeight(held: Held, p: Vec2, yaw: number, support: readonly Block[]): number | null {
  let z: number | null = null;
  for (const b of kindBlocks('held', held.kind, [p[0], p[1], 0], yaw + held.relYaw)) {
    for (const s of support) if (gap(b.fp, s.fp) < -0.001) z = Math.max(z ?? -Infinity, s.top - b.bottom);
  }
  return z;
}

const baseCentres = new WeakMap<ObjectKind, Vec2>();
/**
 * Middle (xy, object frame) of the part of a kind that stands on the table: the bounding box of the
 * shapes reaching down to its bottom. The origin for most kinds; for a pan, the pan without its handle.
 */
export function baseCentre(kind: ObjectKind): Vec2 {
  let c = baseCentres.get(kind);
  if (!c) {
    const base = kindBlocks('k', kind, [0, 0, 0], 0).filter((b) => b.bottom < 0.001);
    let lo: Vec2 = [Infinity, Infinity], hi: Vec2 = [-Infinity, -Infinity];
    for (const b of base) {
      const r = b.fp.r !== undefined ? [b.fp.r, b.fp.r] : [Math.abs(Math.cos(b.fp.yaw)) * b.fp.h[0] + Math.abs(Math.sin(b.fp.yaw)) * b.fp.h[1], Math.abs(Math.sin(b.fp.yaw)) * b.fp.h[0] + Math.abs(Math.cos(b.fp.yaw)) * b.fp.h[1]];
      lo = [Math.min(lo[0], b.fp.c[0] - r[0]), Math.min(lo[1], b.fp.c[1] - r[1])];
      hi = [Math.max(hi[0], b.fp.c[0] + r[0]), Math.max(hi[1], b.fp.c[1] + r[1])];
    }
    c = base.length ? [(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2] : [0, 0];
    baseCentres.set(kind, c);
  }
  return c;
}

/**
 * How far (m, total) the fingers may open to let go with the TCP at `tcp`, `width` apart now: up to
 * `most`, less where a finger pad would meet one of `blocks` reaching above the fingertips (1 mm
 * kept), at least PLACEMENT.minOpening.
 */
export function releaseOpening(tcp: { pos: ArrayLike<number>; yaw: number }, width: number, blocks: readonly Block[], most: number): number {
  let room = Infinity;
  for (const pad of handBlocks([tcp.pos[0], tcp.pos[1], tcp.pos[2]], tcp.yaw, width).slice(0, 2)) {
    for (const b of blocks) if (b.top > pad.bottom + 0.001) room = Math.min(room, gap(pad.fp, b.fp));
  }
  return Math.max(PLACEMENT.minOpening, Math.min(most, 2 * (room - 0.001)));
}

/**
 * The lowest TCP height, at least `z`, at which the hand at `tcp` (xy, yaw), fingers `width` apart,
 * keeps its pads and palm PLACEMENT.zMargin above each of `blocks` under them (a bowl's rim beside
 * the one finger outside the bowl it holds).
 */
export function handClearZ(tcp: { pos: ArrayLike<number>; yaw: number }, z: number, width: number, blocks: readonly Block[]): number {
  let out = z;
  for (const h of handBlocks([tcp.pos[0], tcp.pos[1], z], tcp.yaw, width)) {
    const below = z - h.bottom;
    for (const b of blocks) if (gap(h.fp, b.fp) < 0.002) out = Math.max(out, b.top + PLACEMENT.zMargin + below);
  }
  return out;
}
