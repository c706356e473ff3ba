// Goal predicates, evaluated on simulator state (never on pixels). One function per predicate plus
// one registry line; every tolerance is named in PREDICATE_TOLERANCES beside the code that uses it.
// The placement atoms (On, In, InRegion) hold only for an object put down and let go: at rest and
// touching neither finger (see `placed`), unless the formula being evaluated also asks for Grasped of
// it. Success additionally needs the goal to hold over a short window (sim/success.ts).
import type { Atom, Formula, ObjectKind, PredicateName, Quat, RegionSpec, Vec3 } from '../scenes/types.ts';
import { getObjectKind } from '../scenes/objects.ts';
import { centreOfMass } from '../scenes/stable-poses.ts';
import { quatRotate } from './kinematics.ts';
import type { SimWorld } from './world.ts';
import { resolveFixtureRef, type FixtureRef } from '../scenes/fixture-refs.ts';
import type { FixtureRegionDef } from '../scenes/fixture-defs.ts';
import { regionContains } from '../scenes/regions.ts';
import type { Fixture, FixturePart } from './fixtures.ts';

export const PREDICATE_TOLERANCES = {
  /** On/In/InRegion need the objects they name at rest: no point of them faster than this (m/s),
   *  bounded by |v| + |w| r (r: farthest reach of the shape from its centre of mass). */
  restSpeed: 0.01,
  /** On(a,b): a's centre may overhang b's footprint edge by this much (m). */
  onOverhang: 0.01,
  /** In(a,c): a's centre may sit this far outside the interior volume's walls (m). */
  inMargin: 0.01,
  /** Upright(a): a's z axis within this angle of vertical (rad): 15 degrees. */
  uprightAngle: (15 * Math.PI) / 180,
  /** InRegion(a,r): a must rest on the table: its origin at most this high (m). */
  onTableZ: 0.02,
};

/** What predicates may read: the physics world plus the scene's named regions. */
export interface PredicateContext {
  world: SimWorld;
  regions: Record<string, RegionSpec>;
  /** Objects the formula being evaluated asks to be Grasped: placement atoms do not ask them released
   *  or at rest (set by evalFormula; an atom evaluated alone asks every object released). */
  held?: ReadonlySet<string>;
}

type Arg = string | number;
type PredicateFn = (ctx: PredicateContext, args: Arg[]) => boolean;

function kindOf(ctx: PredicateContext, id: string): ObjectKind {
  const o = ctx.world.objects.get(id);
  if (!o) throw new Error(`predicate names unknown object "${id}"`);
  return getObjectKind(o.kind);
}

function toLocal(pos: Vec3, quat: Quat, p: Vec3): Vec3 {
  const inv: Quat = [-quat[0], -quat[1], -quat[2], quat[3]];
  return quatRotate(inv, [p[0] - pos[0], p[1] - pos[1], p[2] - pos[2]]) as Vec3;
}

/** World position of the object's bounding-box centre. */
function centre(ctx: PredicateContext, id: string): Vec3 {
  const { pos, quat } = ctx.world.objectPose(id);
  const h = kindOf(ctx, id).size[2] / 2;
  const up = quatRotate(quat, [0, 0, h]);
  return [pos[0] + up[0], pos[1] + up[1], pos[2] + up[2]];
}

/** No point of the object moves faster than restSpeed (linvel is the centre of mass's velocity). */
function atRest(ctx: PredicateContext, id: string): boolean {
  const b = ctx.world.body(id);
  const v = b.linvel(), w = b.angvel();
  return Math.hypot(v.x, v.y, v.z) + Math.hypot(w.x, w.y, w.z) * reach(kindOf(ctx, id)) <= PREDICATE_TOLERANCES.restSpeed;
}

const reaches = new WeakMap<ObjectKind, number>();
/** Farthest any point of the kind's bounding box is from its centre of mass (m). */
function reach(k: ObjectKind): number {
  let r = reaches.get(k);
  if (r === undefined) {
    const c = centreOfMass(k.shapes);
    r = Math.hypot(k.size[0] / 2 + Math.abs(c[0]), k.size[1] / 2 + Math.abs(c[1]), Math.max(c[2], k.size[2] - c[2]));
    reaches.set(k, r);
  }
  return r;
}

/**
 * Put down and let go: at rest and touching neither finger. An object the formula also asks to be
 * Grasped is exempt: it moves with the hand (and a pinched object's solver velocity jitters at a few
 * cm/s while it stays put), so Grasped judges it.
 */
function placed(ctx: PredicateContext, id: string): boolean {
  if (ctx.held?.has(id)) return true;
  if (!atRest(ctx, id)) return false;
  const c = ctx.world.contactsOf(id);
  return !c.has('finger_left') && !c.has('finger_right');
}

/** Half the object's vertical extent (its bounding box projected on the world's z axis, m). */
function verticalHalf(ctx: PredicateContext, id: string): number {
  const { quat } = ctx.world.objectPose(id);
  const s = kindOf(ctx, id).size;
  let h = 0;
  for (let i = 0; i < 3; i++) {
    const axis: Vec3 = [i === 0 ? 1 : 0, i === 1 ? 1 : 0, i === 2 ? 1 : 0];
    h += Math.abs(quatRotate(quat, axis)[2]) * s[i] / 2;
  }
  return h;
}

/** Both finger pads touch the object. */
function grasped(ctx: PredicateContext, id: string): boolean {
  const c = ctx.world.contactsOf(id);
  return c.has('finger_left') && c.has('finger_right');
}

function on(ctx: PredicateContext, [a, b]: Arg[]): boolean {
  const A = String(a), B = String(b);
  if (!ctx.world.objects.has(B)) {
    // On a fixture: resting in one of its regions (its top, a cook region, a rack's slots), touching it.
    const r = fixtureRef(ctx, B);
    // A bare fixture id means its top; a named region (a top side, a cook region, a rack's slots) means that region.
    const region = B === r.fixture.spec.id ? r.ref.def.regions.top_side ?? r.ref.region : r.ref.region;
    if (!region) return false;
    return ctx.world.contactsOf(A).has(r.fixture.spec.id) && inVolume(ctx, A, r.fixture, region) && placed(ctx, A);
  }
  const kb = kindOf(ctx, B);
  const pb = ctx.world.objectPose(B);
  const local = toLocal(pb.pos, pb.quat, centre(ctx, A));
  // The support's face that points up: its top (supportTop) when it stands upright; when it lies on
  // another face (a cube turned over), that face, and its footprint is the other two axes.
  const upLocal = toLocal([0, 0, 0], pb.quat, [0, 0, 1]);
  const upAxis = [0, 1, 2].reduce((best, i) => (Math.abs(upLocal[i]) > Math.abs(upLocal[best]) ? i : best), 2);
  const upright = upAxis === 2 && upLocal[2] > 0;
  const mid: Vec3 = [0, 0, kb.size[2] / 2];
  const m = PREDICATE_TOLERANCES.onOverhang;
  const inside = [0, 1, 2].every((i) => i === upAxis || Math.abs(local[i] - mid[i]) <= kb.size[i] / 2 + m);
  // A's bottom above the middle of B's top surface's height (a can standing beside B is not on it).
  const bottomB = upright ? pb.pos[2] : centre(ctx, B)[2] - verticalHalf(ctx, B);
  const heightB = upright ? kb.supportTop ?? kb.size[2] : 2 * verticalHalf(ctx, B);
  const above = centre(ctx, A)[2] - verticalHalf(ctx, A) >= bottomB + 0.5 * heightB - 0.005;
  return inside && above && ctx.world.contactsOf(A).has(B) && placed(ctx, A) && placed(ctx, B);
}

function inside(ctx: PredicateContext, [a, c]: Arg[]): boolean {
  const A = String(a), C = String(c);
  if (!ctx.world.objects.has(C)) {
    const r = fixtureRef(ctx, C);
    const region = r.ref.region;
    if (region?.type !== 'interior') return false;
    return inVolume(ctx, A, r.fixture, region) && placed(ctx, A);
  }
  const kc = kindOf(ctx, C);
  if (!kc.container) return false;
  const pc = ctx.world.objectPose(C);
  return centreInVolume(ctx, A, toLocal(pc.pos, pc.quat, centre(ctx, A)), kc.container) && placed(ctx, A) && placed(ctx, C);
}

/** The object's centre within a fixture region's volume (a surface region: resting on its top). */
function inVolume(ctx: PredicateContext, A: string, fx: Fixture, region: FixtureRegionDef): boolean {
  const f = fx.regionFrame(region);
  const local = toLocal(f.pos, f.quat, centre(ctx, A));
  if (region.type === 'surface') {
    // A flat volume standing on the surface, as tall as the object.
    const top = region.center[2] + region.halfExtents[2];
    const h = verticalHalf(ctx, A);
    const m = PREDICATE_TOLERANCES.onOverhang;
    return Math.abs(local[0] - region.center[0]) <= region.halfExtents[0] + m
      && Math.abs(local[1] - region.center[1]) <= region.halfExtents[1] + m
      && local[2] - h >= top - 0.01 && local[2] - h <= top + 0.02;
  }
  return centreInVolume(ctx, A, local, region);
}

/** An object's centre (given in the volume's frame) inside an interior volume, with the `inMargin` tolerance. */
function centreInVolume(ctx: PredicateContext, A: string, local: Vec3, vol: { center: Vec3; halfExtents: Vec3 }): boolean {
  const m = PREDICATE_TOLERANCES.inMargin;
  for (let i = 0; i < 2; i++) if (Math.abs(local[i] - vol.center[i]) > vol.halfExtents[i] + m) return false;
  // Vertically: centre above the floor of the volume and below its top plus the object's own half height.
  const half = kindOf(ctx, A).size[2] / 2;
  if (local[2] < vol.center[2] - vol.halfExtents[2] - m) return false;
  if (local[2] > vol.center[2] + vol.halfExtents[2] + half) return false;
  return true;
}

function yawQuat(yaw: number): Quat {
  return [0, 0, Math.sin(yaw / 2), Math.cos(yaw / 2)];
}

function upright(ctx: PredicateContext, [a]: Arg[]): boolean {
  const { quat } = ctx.world.objectPose(String(a));
  return quatRotate(quat, [0, 0, 1])[2] >= Math.cos(PREDICATE_TOLERANCES.uprightAngle);
}

function near(ctx: PredicateContext, [a, b, d]: Arg[]): boolean {
  const pa = centre(ctx, String(a)), pb = centre(ctx, String(b));
  return Math.hypot(pa[0] - pb[0], pa[1] - pb[1], pa[2] - pb[2]) <= Number(d);
}

function inRegion(ctx: PredicateContext, [a, r]: Arg[]): boolean {
  const region = ctx.regions[String(r)];
  if (!region) throw new Error(`predicate names unknown region "${r}"`);
  const { pos } = ctx.world.objectPose(String(a));
  // Inside any of the region's rectangles (LIBERO's regions may list several).
  return regionContains(region, [pos[0], pos[1]]) && pos[2] <= PREDICATE_TOLERANCES.onTableZ && placed(ctx, String(a));
}

/** The fixture an atom argument names (a fixture id, or one of its regions or parts: scenes/fixture-refs.ts). */
function fixtureRef(ctx: PredicateContext, id: Arg): { ref: FixtureRef; fixture: Fixture } {
  const ref = resolveFixtureRef(ctx.world.scene.spec.fixtures, String(id));
  if (!ref) throw new Error(`predicate names unknown object or fixture "${id}"`);
  return { ref, fixture: ctx.world.fixtures.get(ref.fixture.id)! };
}

/** The moving part an atom argument names (a drawer region names its drawer). */
function part(ctx: PredicateContext, id: Arg): FixturePart {
  const { ref, fixture } = fixtureRef(ctx, id);
  if (!ref.part) throw new Error(`"${id}" names no drawer, door, button or knob of fixture "${fixture.spec.id}"`);
  return fixture.part(ref.part.name);
}

export const PREDICATES: Record<PredicateName, PredicateFn> = {
  On: on,
  In: inside,
  Open: (ctx, [x]) => part(ctx, x).isOpen(),
  Closed: (ctx, [x]) => part(ctx, x).isClosed(),
  Grasped: (ctx, [a]) => grasped(ctx, String(a)),
  Upright: upright,
  Near: near,
  InRegion: inRegion,
  TurnedOn: (ctx, [x]) => part(ctx, x).on,
  TurnedOff: (ctx, [x]) => !part(ctx, x).on,
};

export function evalAtom(ctx: PredicateContext, atom: Atom): boolean {
  const [name, ...args] = atom;
  const fn = PREDICATES[name];
  if (!fn) throw new Error(`unknown predicate "${name}"; known: ${Object.keys(PREDICATES).join(', ')}`);
  return fn(ctx, args);
}

export function evalFormula(ctx: PredicateContext, f: Formula): boolean {
  if (!ctx.held) ctx = { ...ctx, held: graspedInFormula(f) };
  switch (f[0]) {
    case 'And':
      return (f.slice(1) as Formula[]).every((g) => evalFormula(ctx, g));
    case 'Or':
      return (f.slice(1) as Formula[]).some((g) => evalFormula(ctx, g));
    case 'Not':
      return !evalFormula(ctx, f[1] as Formula);
    default:
      return evalAtom(ctx, f as Atom);
  }
}

/** Objects a formula asks to be Grasped (outside any Not). */
function graspedInFormula(f: Formula): Set<string> {
  const out = new Set<string>();
  const walk = (g: Formula) => {
    if (g[0] === 'And' || g[0] === 'Or') (g.slice(1) as Formula[]).forEach(walk);
    else if (g[0] === 'Grasped') out.add(String(g[1]));
  };
  walk(f);
  return out;
}

/** Every atom of a formula, in order. */
export function atomsOf(f: Formula): Atom[] {
  if (f[0] === 'And' || f[0] === 'Or') return (f.slice(1) as Formula[]).flatMap(atomsOf);
  if (f[0] === 'Not') return atomsOf(f[1] as Formula);
  return [f as Atom];
}
