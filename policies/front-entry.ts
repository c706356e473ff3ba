// Putting a held object into a volume reached from the front (a shelf layer): how to hold it and
// how far in the hand can slide. The region's open face is at its frame's -x (every fixture's front,
// scenes/fixture-defs.ts). Three ways to hold the object are tried, as the hand holds it now:
// - level: the hand keeps pointing down and turns about the vertical so that the object's centre
//   leads along the way in (a pan pinched at its rim slides in ahead of the fingers);
// - rolled: the hand turns a quarter turn about its own x axis to point in, so that the fingers close
//   vertically: a tall thing gripped from above near its top (a book) lies flat along the way in,
//   resting on the lower finger (the pads' normal forces hold it, not their twist friction);
// - tilted: the hand turns a quarter turn about its closing axis to point in, so that the same book
//   lies along the way in on its edge, held by the pads' friction alone (it sags a few degrees).
// Rolled needs the 20 cm palm to stand upright outside the opening, so it cannot go low; tilted keeps
// the hand 6 cm tall.
// For each, the object's pose at the new hand orientation is predicted as a rigid motion, the TCP
// height is set so that its lowest point clears the layer's floor by `gap`, and the hand then slides
// in along the region's axis, in steps, until the object's centre reaches the region's centre or
// some part of the hand, or what it holds, would come within `margin` of anything else (the
// shelf's boards, other objects). The plan is kept when the centre ends inside the region.
import type { ObjectKind, Quat, Shape, Vec2, Vec3 } from '../scenes/types.ts';
import { quatConj, quatMul, quatRotate } from '../sim/kinematics.ts';
import { gap as footprintGap, HAND, handBlocks, shapeBlocks, type Block } from './clearance.ts';
import { handYaw, quatFor, wrap } from './motion.ts';

export interface FrontRegion {
  /** World pose of the region's frame (its +x points into the fixture). */
  frame: { pos: ArrayLike<number>; quat: ArrayLike<number> };
  center: Vec3;
  halfExtents: Vec3;
}

export interface HeldPose {
  kind: ObjectKind;
  pos: Vec3;
  quat: Quat;
}

export interface FrontPlan {
  mode: 'level' | 'rolled' | 'tilted';
  yaw: number;
  tilt: number;
  roll: number;
  /** TCP outside the open face, at the height it slides in at. */
  outside: Vec3;
  /** TCP where the object is let go. */
  inside: Vec3;
  /** How far in the object's centre gets, as a fraction of the way to the region's centre (1 = there). */
  reach: number;
}

/** Largest hand yaw the expert turns to (motion.ts keeps yaws within the same range). */
const WRIST_YAW = Math.PI / 2 + 0.35;

export const FRONT_ENTRY = {
  /** Height of the object's lowest point above the layer's floor as it slides in (m). */
  gap: 0.012,
  /** Least distance kept between the hand (or what it holds) and anything else while sliding (m). */
  margin: 0.004,
  /** TCP distance outside the open face where the slide starts, beyond the held object's lead (m). */
  standoff: 0.02,
  /** Sideways step between the lines of approach tried, when the one through the centre is blocked (m). */
  sideStep: 0.015,
  /** Slide step when searching how far in the hand can go (m). */
  step: 0.005,
  /** The object's centre must end at least this far inside the region's faces (m). */
  inside: 0.01,
  /** Downward pitches of the rolled hand tried, in order (rad). */
  pitches: [0, 0.3, 0.5],
  /** A way of holding that gets the centre this far in is taken without trying the next (m). */
  wellIn: 0.03,
};

/** The hand below the wrist in the TCP frame (z from the wrist to the fingertips, y the closing direction): pads, palm, flange and last links. */
function handShapes(width: number): Shape[] {
  const off = width / 2 + HAND.pad[1];
  return [
    ...[-1, 1].map((s): Shape => ({ type: 'box', halfExtents: [HAND.pad[0], HAND.pad[1], HAND.padLength / 2], pos: [0, s * off, -HAND.padLength / 2] })),
    { type: 'box', halfExtents: [HAND.palm[0], HAND.palm[1], 0.025], pos: [0, 0, -(HAND.palmAbove + 0.025)] },
    // Flange, link 7 and the end of link 6 (which hangs beside the wrist in these postures).
    { type: 'box', halfExtents: [0.06, 0.065, 0.08], pos: [0, 0, -(HAND.palmAbove + 0.05 + 0.08)] },
  ];
}

/** Blocks of the hand at TCP `tcp` turned by `quat` (pointing sideways or pitched: each part's bounding box). */
export function turnedHandBlocks(tcp: Vec3, quat: ArrayLike<number>, width: number): Block[] {
  return shapeBlocks('hand', sliced(handShapes(width)), tcp, quat);
}

/**
 * Box shapes cut into SLICES pieces along their longest side: a tilted shape's blocks are bounding
 * boxes, and those of a long box at a slant (a book carried pitched down) would fill the layer's
 * height; its pieces' boxes follow the slant.
 */
function sliced(shapes: readonly Shape[]): Shape[] {
  const out: Shape[] = [];
  for (const sh of shapes) {
    if (sh.type !== 'box') { out.push(sh); continue; }
    const h = sh.halfExtents;
    const i = h[0] >= h[1] && h[0] >= h[2] ? 0 : h[1] >= h[2] ? 1 : 2;
    const q: Quat = sh.quat ?? [0, 0, 0, 1];
    const pos = sh.pos ?? [0, 0, 0];
    for (let k = 0; k < SLICES; k++) {
      const local: Vec3 = [0, 0, 0];
      local[i] = -h[i] + (2 * k + 1) * (h[i] / SLICES);
      const off = quatRotate(q, local);
      const half: Vec3 = [h[0], h[1], h[2]];
      half[i] = h[i] / SLICES;
      out.push({ ...sh, halfExtents: half, pos: [pos[0] + off[0], pos[1] + off[1], pos[2] + off[2]] });
    }
  }
  return out;
}

const SLICES = 6;

/** The first of `blocks` that one of `parts` comes within `margin` of (overlapping heights and footprints), as "part>owner". */
export function clash(parts: readonly Block[], blocks: readonly Block[], margin: number): string | null {
  for (const p of parts) {
    for (const b of blocks) {
      if (p.bottom >= b.top + margin || b.bottom >= p.top + margin) continue;
      if (footprintGap(p.fp, b.fp) < margin) return `${p.owner}>${b.owner}`;
    }
  }
  return null;
}

/**
 * How to slide the held object into `region`, or null when neither way of holding it gets its centre
 * inside. `tcp`: the hand now (pointing down); `held`: the object's pose now; `width`: the grip opening;
 * `blocks`: everything else (not the held object).
 */
export function planFrontEntry(region: FrontRegion, tcp: { pos: Vec3; quat: Quat }, held: HeldPose, width: number, blocks: readonly Block[], why: string[] = [], only?: Pick<FrontPlan, 'mode' | 'yaw' | 'tilt' | 'roll'>): FrontPlan | null {
  const ex = quatRotate(region.frame.quat, [1, 0, 0]);
  const theta = Math.atan2(ex[1], ex[0]);
  const e: Vec2 = [Math.cos(theta), Math.sin(theta)];
  const toWorld = (p: ArrayLike<number>): Vec3 => {
    const r = quatRotate(region.frame.quat, p);
    return [region.frame.pos[0] + r[0], region.frame.pos[1] + r[1], region.frame.pos[2] + r[2]];
  };
  const goal = toWorld(region.center);
  const floor = toWorld([region.center[0], region.center[1], region.center[2] - region.halfExtents[2]])[2];
  // Centre of the object relative to its origin (its bounding box's middle, as the predicates take it).
  const centreOf = (pos: Vec3, quat: ArrayLike<number>): Vec3 => {
    const up = quatRotate(quat, [0, 0, held.kind.size[2] / 2]);
    return [pos[0] + up[0], pos[1] + up[1], pos[2] + up[2]];
  };
  const candidates: Array<Pick<FrontPlan, 'mode' | 'yaw' | 'tilt' | 'roll'>> = only ? [only] : [];
  // Level: turn so that the object's centre lies ahead of the TCP along e.
  const c0 = centreOf(held.pos, held.quat);
  const d0: Vec2 = [c0[0] - tcp.pos[0], c0[1] - tcp.pos[1]];
  const yaw0 = handYaw(tcp.quat);
  if (!only && Math.hypot(d0[0], d0[1]) > 0.02) candidates.push({ mode: 'level', yaw: wrap(yaw0 + theta - Math.atan2(d0[1], d0[0])), tilt: 0, roll: 0 });
  if (!only) {
    // Each turn either way: rolled +pi/2 takes the hand's z onto its -y (the yaw a quarter turn behind
    // theta), -pi/2 onto its +y; tilted +pi/2 onto its +x, -pi/2 onto its -x. Of the two, the one
    // within the wrist's range nearest the yaw the hand has now.
    const nearer = (a: Pick<FrontPlan, 'mode' | 'yaw' | 'tilt' | 'roll'>, b: typeof a) => {
      const ok = (c: typeof a) => Math.abs(c.yaw) <= WRIST_YAW;
      if (ok(a) !== ok(b)) return ok(a) ? a : b;
      return Math.abs(wrap(a.yaw - yaw0)) <= Math.abs(wrap(b.yaw - yaw0)) ? a : b;
    };
    // Rolled level first, then pitched down by FRONT_ENTRY.pitches (the wrist, trailing the fingertips
    // by 25 cm, then passes higher over what stands in front of the opening).
    for (const pitch of FRONT_ENTRY.pitches) {
      candidates.push(nearer(
        { mode: 'rolled', yaw: wrap(theta - Math.PI / 2), tilt: 0, roll: Math.PI / 2 - pitch },
        { mode: 'rolled', yaw: wrap(theta + Math.PI / 2), tilt: 0, roll: -(Math.PI / 2 - pitch) },
      ));
    }
    candidates.push(nearer(
      { mode: 'tilted', yaw: wrap(theta), tilt: Math.PI / 2, roll: 0 },
      { mode: 'tilted', yaw: wrap(theta + Math.PI), tilt: -Math.PI / 2, roll: 0 },
    ));
  }
  let best: FrontPlan | null = null;
  for (const cand of candidates) {
    const label = cand.mode === 'rolled' && Math.abs(Math.abs(cand.roll) - Math.PI / 2) > 1e-6 ? `rolled, pitched ${(Math.PI / 2 - Math.abs(cand.roll)).toFixed(2)} rad` : cand.mode;
    if (Math.abs(cand.yaw) > WRIST_YAW) { why.push(`${label}: the hand would turn to ${cand.yaw.toFixed(2)} rad, beyond the wrist's range`); continue; }
    // The rigid motion from the hand now to the hand at (yaw, tilt), about the TCP.
    const qT = quatFor({ pos: tcp.pos, yaw: cand.yaw, tilt: cand.tilt, roll: cand.roll });
    const dq = quatMul(qT, quatConj(tcp.quat));
    const rel = quatRotate(dq, [held.pos[0] - tcp.pos[0], held.pos[1] - tcp.pos[1], held.pos[2] - tcp.pos[2]]);
    const oq = quatMul(dq, held.quat) as Quat;
    const heldShapes = sliced(held.kind.shapes);
    const shapes = (t: Vec3) => shapeBlocks('held', heldShapes, [t[0] + rel[0], t[1] + rel[1], t[2] + rel[2]], oq);
    // TCP height: the lowest point of the object and of the finger pads `gap` above the floor.
    const probe = shapes([0, 0, 0]);
    const hand = (t: Vec3) => (cand.mode === 'level' ? handBlocks(t, cand.yaw, width) : turnedHandBlocks(t, qT, width));
    const pads = cand.mode === 'level' ? handBlocks([0, 0, 0], cand.yaw, width).slice(0, 2) : shapeBlocks('hand', handShapes(width).slice(0, 2), [0, 0, 0], qT);
    const lowest = Math.min(...probe.map((b) => b.bottom), ...pads.map((b) => b.bottom));
    const z = floor + FRONT_ENTRY.gap - lowest;
    const underside = Math.min(...hand([0, 0, z]).map((b) => b.bottom));
    if (underside < FRONT_ENTRY.margin) { why.push(`${label}: the hand would reach down to ${underside.toFixed(3)} m, into the table`); continue; }
    const cRel = centreOf(rel, oq);
    // Along e: the TCP puts the object's centre on a line parallel to the region's axis, through its
    // centre or beside it (`side`, to keep the wrist off a neighbour), keeping the object inside.
    const n: Vec2 = [-e[1], e[0]];
    const halfSide = Math.max(...probe.map((b) => reachAlong(b, n) - (cRel[0] * n[0] + cRel[1] * n[1])));
    const room = region.halfExtents[1] - halfSide - FRONT_ENTRY.margin;
    let side = 0;
    const at = (s: number): Vec3 => [goal[0] - cRel[0] + e[0] * s + n[0] * side, goal[1] - cRel[1] + e[1] * s + n[1] * side, z];
    const parts = (t: Vec3) => [...hand(t), ...shapes(t)];
    // Start with the hand and the object outside the open face by the standoff: the TCP's place along
    // the slide is s + (goal - cRel).e, the open face is at goal.e - halfExtents[0].
    const lead = Math.max(...parts([0, 0, 0]).map((b) => reachAlong(b, e)));
    let s = -region.halfExtents[0] + (cRel[0] * e[0] + cRel[1] * e[1]) - lead - FRONT_ENTRY.standoff;
    let atStart: string | null = null;
    for (const k of [0, 1, -1, 2, -2, 3, -3, 4, -4, 5, -5, 6, -6, 7, -7, 8, -8, 9, -9, 10, -10]) {
      side = k * FRONT_ENTRY.sideStep;
      if (Math.abs(side) > Math.max(room, 0)) continue;
      atStart = clash(parts(at(s)), blocks, FRONT_ENTRY.margin);
      if (!atStart) break;
    }
    if (atStart) { why.push(`${label}: in front of the opening ${atStart}`); continue; }
    const start = at(s);
    let stop: string | null = null;
    while (s + FRONT_ENTRY.step <= 0 && !(stop = clash(parts(at(s + FRONT_ENTRY.step)), blocks, FRONT_ENTRY.margin))) s += FRONT_ENTRY.step;
    // The object's centre, in the region's frame, must be inside it by `inside`.
    const depth = region.halfExtents[0] + s; // distance of the centre inside the open face
    if (depth < FRONT_ENTRY.inside) { why.push(`${label}: ${stop ?? 'nothing'} stops the slide ${(-depth).toFixed(3)} m short of the region`); continue; }
    const plan: FrontPlan = { ...cand, outside: start, inside: at(s), reach: 1 + s / region.halfExtents[0] };
    // The first way (in the order above) that gets the centre well in; else whichever gets furthest.
    if (depth >= FRONT_ENTRY.wellIn) return plan;
    why.push(`${label}: ${stop ?? 'nothing'} stops the slide with the centre ${depth.toFixed(3)} m in`);
    if (!best || plan.reach > best.reach + 0.05) best = plan;
  }
  return best;
}

/** How far a block reaches ahead of the origin along unit direction e (its farthest footprint point). */
function reachAlong(b: Block, e: Vec2): number {
  const f = b.fp;
  const c = f.c[0] * e[0] + f.c[1] * e[1];
  if (f.r !== undefined) return c + f.r;
  const ca = Math.cos(f.yaw), sa = Math.sin(f.yaw);
  return c + Math.abs(ca * e[0] + sa * e[1]) * f.h[0] + Math.abs(-sa * e[0] + ca * e[1]) * f.h[1];
}
