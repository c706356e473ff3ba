// The symbolic model behind chains: where each object is (home, on/in something, in a zone, lost) and
// which state each fixture is in, the preconditions of every goal atom a chain step may ask for, and
// its effect. The generator only emits chains this model can run start to end; hand-written chains are
// checked with it; the runner checks the next step against the state it perceives in the simulator.
//
// Rules (what makes a step possible):
//  - On(a, b) / In(a, c): `a` is graspable, is on the table or on a support (not inside a container,
//    not lost) and has nothing on it; `b` is a support (plate-like) or, for stacking, a block resting
//    on the table, and has nothing on it; `c` is an empty container object or a fixture region with an
//    interior (a drawer's, open; a compartment); a drawer closes only over things that fit under the
//    shell (its region's itemMaxHeight). Things put inside containers stay there (taking them out is not
//    a skill of the expert).
//  - InRegion(a, zone): `a` is box-shaped, on the table and has nothing on it; the zone is a region no
//    object starts in, holds nothing, and the straight push path passes clear of every other object.
//  - Open/Closed(f), TurnedOn/TurnedOff(f): the fixture is in the other state.
//  - Every object step works at least HAND_CLEARANCE away from an open drawer or door's swing zone.
// Planning keeps these margins; checking a step against the state perceived in the simulator
// (`CHECK_MARGINS`) only asks that paths and work points are not actually blocked, since real
// positions carry layout noise the plan's nominal positions do not.
import { closestNames, footprintRadius, getObjectKind } from './objects.ts';
import { FIXTURE_DEFS, isOpenable, isSwitch, type PartRole } from './fixture-defs.ts';
import { refPartKey, refRegionKey, regionKey, resolveFixtureRef, sceneParts, sceneRegions } from './fixture-refs.ts';
import { fixtureRect, pointRectDistance } from './geometry.ts';
import type { Atom, FixtureKind, Formula, ObjectKind, SceneSpec, TaskType, Vec2 } from './types.ts';
import { CHAIN_STEP_PREDICATES, PREDICATE_TABLE } from './predicate-table.ts';

/** Distance kept between an object step's work points and an open fixture's swing zone (m). */
export const HAND_CLEARANCE = 0.05;
/** Clearance between a push path and any other object's footprint (m). */
export const PUSH_CLEARANCE = 0.04;

export interface Margins {
  hand: number;
  push: number;
  /** 'single': every container takes one object; 'by-size': a basket takes two (BASKET_CAPACITY). */
  capacity: 'single' | 'by-size';
  /** Put into a drawer only what fits under its shell when it closes (generated chains keep drawers closable;
   *  files may put a bottle in an open drawer, as LIBERO does, and only closing it over the bottle is refused). */
  closable: boolean;
  /** A box whose straight push path is blocked is carried to the zone instead (files; generated chains push). */
  carryBlocked: boolean;
  /** A fixture already in the asked state is a step already done (LIBERO checks the end state), not an impossible one. */
  doneIfTrue: boolean;
  /** Only what a hand from above can do: no putting things into a shelf layer or a microwave (reached from
   *  the front). LIBERO's problems ask for that; a policy may do it, chaingap's expert does not. */
  fromAbove: boolean;
}
/** Objects a basket holds side by side (the expert fills its two halves). */
export const BASKET_CAPACITY = 2;
/** Margins when generating chains (one object per container keeps generated chains simple). */
export const PLAN_MARGINS: Margins = Object.freeze({ hand: HAND_CLEARANCE, push: PUSH_CLEARANCE, capacity: 'single', closable: true, carryBlocked: false, doneIfTrue: false, fromAbove: true });
/** Margins for chains written by hand (a basket takes two things, as in LIBERO). */
export const FILE_MARGINS: Margins = Object.freeze({ hand: HAND_CLEARANCE, push: PUSH_CLEARANCE, capacity: 'by-size', closable: false, carryBlocked: false, doneIfTrue: false, fromAbove: true });
/**
 * Margins for LIBERO's problems (BDDL import, `chaingap libero --chains`): work right beside an open
 * drawer or door is allowed (LIBERO's layouts put things there; work inside its swing zone is not), and
 * a box whose push path is blocked is carried, as LIBERO's "put X to the left of Y" means, and a fixture
 * already in the asked state counts as done (LIBERO checks the end state: KITCHEN_SCENE8 asks to turn
 * on a stove that starts on).
 */
export const LIBERO_MARGINS: Margins = Object.freeze({ hand: 0, push: PUSH_CLEARANCE, capacity: 'by-size', closable: false, carryBlocked: true, doneIfTrue: true, fromAbove: false });
/** Margins when checking a step against the perceived state of the simulator. */
export const CHECK_MARGINS: Margins = Object.freeze({ hand: 0, push: 0, capacity: 'by-size', closable: false, carryBlocked: true, doneIfTrue: false, fromAbove: false });

export type Place =
  /** On the table where the scene put it, or (perceived from the simulator) standing on the table at `pos`. */
  | { at: 'home'; pos?: Vec2 }
  | { at: 'region'; region: string }
  | { at: 'on'; target: string }
  | { at: 'in'; target: string }
  /** Toppled, off the table or otherwise unusable. */
  | { at: 'lost' };

/** 'ajar' (a drawer or door neither open nor closed) is only ever perceived, never planned. */
export type SymbolicFixtureState = 'open' | 'closed' | 'ajar' | 'on' | 'off';

export interface SymbolicState {
  objects: Record<string, Place>;
  fixtures: Record<string, SymbolicFixtureState>;
}

/** What the model knows about a scene, derived once from its spec. */
export interface SceneFacts {
  scene: SceneSpec;
  kinds: Record<string, ObjectKind>;
  fixtureKinds: Record<string, FixtureKind>;
  /** Moving parts of fixtures by state key (scenes/fixture-refs.ts): drawers, doors, buttons, knobs. */
  parts: Record<string, { fixtureId: string; role: PartRole; switch: boolean }>;
  /** Fixture regions by key: drawers' interiors, tops, compartments, cook regions. */
  fixtureRegions: Record<string, { fixtureId: string; type: 'interior' | 'surface'; access?: string; itemMaxHeight?: number; closedAbove: boolean }>;
  graspable: string[];
  /** Objects others can be put on: non-graspable supports (plates). */
  supports: string[];
  /** Blocks: graspable, stackable on each other. */
  blocks: string[];
  /** Other graspable things with a top to put things on (LIBERO's footed bowls): stacked on like blocks. */
  stackBases: string[];
  containers: string[];
  /** Box-shaped graspables that can be pushed. */
  pushable: string[];
  /** Regions no object starts in: push targets. */
  zones: string[];
  home: Record<string, Vec2>;
  /** Objects the scene starts on or in something (a bowl on a plate, a box in a drawer). */
  startOn: Record<string, Place>;
}

export function sceneFacts(scene: SceneSpec): SceneFacts {
  const kinds: Record<string, ObjectKind> = {};
  const home: Record<string, Vec2> = {};
  const startOn: Record<string, Place> = {};
  for (const o of scene.objects) kinds[o.id] = getObjectKind(o.kind);
  // Objects that start on or in something stand where it stands (resolved after the others).
  const fixtureAt = (ref: string): Vec2 | undefined => {
    const r = resolveFixtureRef(scene.fixtures, ref);
    return r ? [r.fixture.pos[0], r.fixture.pos[1]] : undefined;
  };
  for (let pass = 0; pass < 4; pass++) {
    for (const o of scene.objects) {
      if (home[o.id]) continue;
      if (o.region !== undefined) home[o.id] = [...scene.regions[o.region].center] as Vec2;
      else {
        const t = (o.on ?? o.in)!;
        const at = home[t] ?? fixtureAt(t);
        if (at) home[o.id] = [...at] as Vec2;
      }
    }
  }
  for (const o of scene.objects) {
    home[o.id] ??= [scene.table.center[0], scene.table.center[1]];
    if (o.on !== undefined || o.in !== undefined) {
      const t = (o.on ?? o.in)!;
      const r = resolveFixtureRef(scene.fixtures, t);
      const key = r ? (o.on !== undefined && t === r.fixture.id && r.def.regions.top_side ? regionKey(t, r.def, 'top_side') : refRegionKey(r) ?? t) : t;
      startOn[o.id] = o.on !== undefined ? { at: 'on', target: key } : { at: 'in', target: key };
    }
  }
  const ids = scene.objects.map((o) => o.id);
  const used = new Set(scene.objects.map((o) => o.region));
  return {
    scene, kinds, home, startOn,
    fixtureKinds: Object.fromEntries(scene.fixtures.map((f) => [f.id, f.kind])),
    parts: Object.fromEntries(sceneParts(scene.fixtures).map((p) => [p.key, { fixtureId: p.fixtureId, role: p.part.role, switch: isSwitch(p.part) }])),
    fixtureRegions: Object.fromEntries(sceneRegions(scene.fixtures).map((r) => [r.key, {
      fixtureId: r.fixtureId, type: r.region.type, access: r.accessKey, itemMaxHeight: r.region.itemMaxHeight, closedAbove: r.region.closedAbove ?? false,
    }])),
    graspable: ids.filter((id) => kinds[id].graspable),
    supports: ids.filter((id) => !kinds[id].graspable && kinds[id].supportTop !== undefined && !kinds[id].container),
    blocks: ids.filter((id) => kinds[id].graspable && kinds[id].category === 'block'),
    stackBases: ids.filter((id) => kinds[id].graspable && kinds[id].category !== 'block' && kinds[id].supportTop !== undefined && !kinds[id].container),
    containers: ids.filter((id) => kinds[id].container !== undefined),
    pushable: ids.filter((id) => kinds[id].graspable && kinds[id].shapes.every((s) => s.type === 'box')),
    zones: Object.keys(scene.regions).filter((r) => !used.has(r)).sort(),
  };
}

/** The state at the start of a chain: every object at home, fixtures closed/off unless `init` says otherwise. */
export function initialState(facts: SceneFacts, init: readonly Atom[] = []): SymbolicState {
  const objects: Record<string, Place> = {};
  for (const id of Object.keys(facts.kinds)) objects[id] = facts.startOn[id] ?? { at: 'home' };
  const fixtures: Record<string, SymbolicFixtureState> = {};
  for (const [key, p] of Object.entries(facts.parts)) fixtures[key] = p.switch ? 'off' : 'closed';
  for (const [p, id] of init) {
    const s = ({ Open: 'open', Closed: 'closed', TurnedOn: 'on', TurnedOff: 'off' } as const)[p as 'Open'];
    const key = typeof id === 'string' ? partKeyOf(facts, id) : undefined;
    if (s && key !== undefined && key in fixtures) fixtures[key] = s;
  }
  return { objects, fixtures };
}

/** The atoms a chain step's goal asks for, in order. Chains use conjunctions of atoms only. */
export function goalSequence(f: Formula): Atom[] | string {
  if (f[0] === 'And') {
    const out: Atom[] = [];
    for (const g of f.slice(1) as Formula[]) {
      const r = goalSequence(g);
      if (typeof r === 'string') return r;
      out.push(...r);
    }
    return out;
  }
  if (f[0] === 'Or' || f[0] === 'Not') return `${f[0]} is not supported in chain steps (use a single atom or an And of atoms)`;
  return [f as Atom];
}

/** Table position of an object in a state (where it or what holds it stands). */
export function positionOf(facts: SceneFacts, s: SymbolicState, id: string, depth = 0): Vec2 {
  const p = s.objects[id];
  if (depth > 8) return facts.home[id];
  if (p.at === 'home' && p.pos) return p.pos;
  if (p.at === 'region') return [...facts.scene.regions[p.region].center] as Vec2;
  if ((p.at === 'on' || p.at === 'in') && p.target in s.objects) return positionOf(facts, s, p.target, depth + 1);
  const region = (p.at === 'in' || p.at === 'on') ? facts.fixtureRegions[p.target] : undefined;
  if (region) {
    const f = facts.scene.fixtures.find((x) => x.id === region.fixtureId)!;
    return [f.pos[0], f.pos[1]];
  }
  return facts.home[id];
}

/** The state key of the part an atom argument names (a drawer region names its drawer), if any. */
export function partKeyOf(facts: SceneFacts, ref: string): string | undefined {
  const r = resolveFixtureRef(facts.scene.fixtures, ref);
  return r ? refPartKey(r) : undefined;
}

/** The key of the fixture region an atom argument names (`rel` On: a bare fixture id means its top). */
export function regionKeyOf(facts: SceneFacts, ref: string, rel: 'On' | 'In'): string | undefined {
  const r = resolveFixtureRef(facts.scene.fixtures, ref);
  if (!r) return undefined;
  if (rel === 'On' && ref === r.fixture.id && r.def.regions.top_side) return regionKey(ref, r.def, 'top_side');
  return refRegionKey(r);
}

function heldBy(s: SymbolicState, target: string, rel: 'on' | 'in'): string | undefined {
  return Object.keys(s.objects).find((id) => {
    const p = s.objects[id];
    return p.at === rel && p.target === target;
  });
}

function describePlace(p: Place): string {
  switch (p.at) {
    case 'home': return 'at its start position';
    case 'region': return `in region "${p.region}"`;
    case 'on': return `on "${p.target}"`;
    case 'in': return `inside "${p.target}"`;
    case 'lost': return 'lost (toppled or off the table)';
  }
}

/** Why `a` cannot be picked up now, or null. */
function notPickable(facts: SceneFacts, s: SymbolicState, a: string): string | null {
  if (!(a in s.objects)) return `there is no object "${a}"${hint(a, Object.keys(s.objects))}`;
  if (!facts.kinds[a].graspable) return `"${a}" (${facts.kinds[a].kind}) cannot be grasped`;
  const p = s.objects[a];
  if (p.at === 'in' || p.at === 'lost') return `"${a}" is ${describePlace(p)}`;
  const top = heldBy(s, a, 'on');
  if (top) return `"${top}" is on "${a}"`;
  return null;
}

function hint(name: string, names: string[]): string {
  const c = closestNames(name, names, 1);
  return c.length ? ` (did you mean "${c[0]}"?)` : '';
}

/** Why an object step working at `points` would run into an open drawer or door, or null. */
function blockedBySwing(facts: SceneFacts, s: SymbolicState, points: Vec2[], m: Margins, except?: string): string | null {
  for (const f of facts.scene.fixtures) {
    const open = Object.entries(facts.parts).some(([key, p]) => p.fixtureId === f.id && !p.switch && (s.fixtures[key] === 'open' || s.fixtures[key] === 'ajar'));
    if (f.id === except || !open) continue;
    const zone = fixtureRect(f, true);
    for (const p of points) {
      if (pointRectDistance(p, zone) < m.hand || pointRectDistance(p, zone) === 0) return `the open ${f.kind} "${f.id}" is in the way (its swing zone is within ${m.hand} m of the work)`;
    }
  }
  return null;
}

function segmentPointDistance(a: Vec2, b: Vec2, p: Vec2): number {
  const dx = b[0] - a[0], dy = b[1] - a[1];
  const t = Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / (dx * dx + dy * dy || 1)));
  return Math.hypot(a[0] + t * dx - p[0], a[1] + t * dy - p[1]);
}

/** The state with object `id` moved to `place`. */
function withObject(s: SymbolicState, id: string, place: Place): SymbolicState {
  return { objects: { ...s.objects, [id]: place }, fixtures: s.fixtures };
}

/** On(a, b): put a graspable object on a support, a block, or a fixture's top or surface region. */
export function applyOn(facts: SceneFacts, s: SymbolicState, atom: Atom, m: Margins = PLAN_MARGINS): SymbolicState | string {
  const [, ...args] = atom;
  const a = String(args[0]);
  const b = String(args[1]);
  const why = notPickable(facts, s, a);
  if (why) return why;
  if (a === b) return `"${a}" cannot go on itself`;
  const onRegion = b in s.objects ? undefined : regionKeyOf(facts, b, 'On');
  if (onRegion !== undefined) {
    const r = facts.fixtureRegions[onRegion];
    if (r.closedAbove && m.fromAbove) return `"${b}" cannot be reached from above`;
    if (s.objects[a].at === 'on' && (s.objects[a] as { target: string }).target === onRegion) return `"${a}" is already on "${b}"`;
    const blocked = blockedBySwing(facts, s, [positionOf(facts, s, a)], m, r.fixtureId);
    if (blocked) return blocked;
    return withObject(s, a, { at: 'on', target: onRegion });
  }
  if (!(b in s.objects)) return `there is no object "${b}" to put things on${hint(b, [...Object.keys(s.objects), ...Object.keys(facts.fixtureRegions)])}`;
  const isSupport = facts.supports.includes(b);
  const isStack = (facts.blocks.includes(b) && facts.blocks.includes(a)) || facts.stackBases.includes(b);
  if (!isSupport && !isStack) return `"${b}" (${facts.kinds[b].kind}) is not something "${a}" can be put on`;
  const pb = s.objects[b];
  // A block stands on the table to be stacked on; a bowl may also stand in a tray or basket (LIBERO's "stack the bowls in the tray").
  const standing = pb.at === 'home' || pb.at === 'region' || (pb.at === 'in' && facts.stackBases.includes(b));
  if (isStack && !standing) return `"${b}" is ${describePlace(pb)}, not standing on the table`;
  const other = heldBy(s, b, 'on');
  if (other) return `"${other}" is already on "${b}"`;
  if (s.objects[a].at === 'on' && (s.objects[a] as { target: string }).target === b) return `"${a}" is already on "${b}"`;
  const blocked = blockedBySwing(facts, s, [positionOf(facts, s, a), positionOf(facts, s, b)], m);
  if (blocked) return blocked;
  return withObject(s, a, { at: 'on', target: b });
}

/** In(a, c): put a graspable object into a container object or a fixture region with an interior. */
export function applyIn(facts: SceneFacts, s: SymbolicState, atom: Atom, m: Margins = PLAN_MARGINS): SymbolicState | string {
  const [, ...args] = atom;
  const a = String(args[0]);
  const c = String(args[1]);
  const why = notPickable(facts, s, a);
  if (why) return why;
  const inRegion = c in s.objects ? undefined : regionKeyOf(facts, c, 'In');
  if (inRegion !== undefined) {
    const r = facts.fixtureRegions[inRegion];
    if (r.type !== 'interior') return `"${c}" has no inside to put things in`;
    if (r.closedAbove && m.fromAbove) return `"${c}" cannot be reached from above (things go in from the front)`;
    if (r.access && s.fixtures[r.access] !== 'open') return `the ${facts.parts[r.access].role} of "${c}" is ${s.fixtures[r.access] === 'ajar' ? 'only ajar' : 'closed'}`;
    const h = facts.kinds[a].size[2];
    if (m.closable && r.itemMaxHeight !== undefined && h > r.itemMaxHeight) return `"${a}" is ${h.toFixed(3)} m tall; "${c}" closes over things up to ${r.itemMaxHeight.toFixed(3)} m`;
    const inside = heldBy(s, inRegion, 'in');
    if (inside) return `"${c}" already holds "${inside}"`;
    const blocked = blockedBySwing(facts, s, [positionOf(facts, s, a)], m, r.fixtureId);
    if (blocked) return blocked;
    return withObject(s, a, { at: 'in', target: inRegion });
  }
  if (!(c in s.objects)) return `there is no container "${c}"${hint(c, [...facts.containers, ...Object.keys(facts.fixtureRegions)])}`;
  if (!facts.containers.includes(c)) return `"${c}" (${facts.kinds[c].kind}) is not a container`;
  const cap = m.capacity === 'by-size' && facts.kinds[c].category === 'basket' ? BASKET_CAPACITY : 1;
  const inside = Object.keys(s.objects).filter((id) => { const q = s.objects[id]; return q.at === 'in' && q.target === c; });
  if (inside.length >= cap) return `"${c}" is full (${inside.map((x) => `"${x}"`).join(', ')} already in it)`;
  const blocked = blockedBySwing(facts, s, [positionOf(facts, s, a), positionOf(facts, s, c)], m);
  if (blocked) return blocked;
  return withObject(s, a, { at: 'in', target: c });
}

/** InRegion(a, zone): push a box-shaped object, or carry another, into a free zone of the table. */
export function applyInRegion(facts: SceneFacts, s: SymbolicState, atom: Atom, m: Margins = PLAN_MARGINS): SymbolicState | string {
  const [, ...args] = atom;
  const a = String(args[0]);
  const r = String(args[1]);
  const why = notPickable(facts, s, a);
  if (why) return why;
  if (!facts.zones.includes(r)) return `"${r}" is not a free zone of the scene (zones: ${facts.zones.join(', ') || 'none'})`;
  const pa = s.objects[a];
  if (pa.at === 'region' && pa.region === r) return `"${a}" is already in "${r}"`;
  const occupant = Object.keys(s.objects).find((id) => id !== a && s.objects[id].at === 'region' && (s.objects[id] as { region: string }).region === r);
  if (occupant) return `"${occupant}" already fills "${r}"`;
  const from = positionOf(facts, s, a);
  const to = facts.scene.regions[r].center;
  // Box-shaped things are pushed along the table; others (a mug, a bowl) are carried there (LIBERO's
  // "put the mug to the front of ..."), and so, in files, is a box whose push path is blocked.
  if (facts.pushable.includes(a)) {
    if (pa.at === 'on') return `"${a}" is on "${pa.target}", not on the table`;
    const blocker = pushBlocker(facts, s, a, from, to, m.push);
    if (blocker && !m.carryBlocked) return `"${blocker}" stands in the push path of "${a}" to "${r}"`;
  }
  const blocked = blockedBySwing(facts, s, [from, to], m);
  if (blocked) return blocked;
  return withObject(s, a, { at: 'region', region: r });
}

/** The first object standing in the straight push path of `a` from `from` to `to` (footprints plus `margin`), if any. */
export function pushBlocker(facts: SceneFacts, s: SymbolicState, a: string, from: Vec2, to: Vec2, margin: number): string | undefined {
  const ra = footprintRadius(facts.kinds[a]);
  for (const id of Object.keys(s.objects)) {
    if (id === a || s.objects[id].at === 'lost') continue;
    const p = positionOf(facts, s, id);
    if (segmentPointDistance(from, to, p) < ra + footprintRadius(facts.kinds[id]) + margin) return id;
  }
  return undefined;
}

/** Open(x) / Closed(x): slide a drawer or swing a door; `x` names it or a region it gives access to. */
export function applyOpenClosed(facts: SceneFacts, s: SymbolicState, atom: Atom, m: Margins = PLAN_MARGINS): SymbolicState | string {
  const [name, ...args] = atom;
  const a = String(args[0]);
  const key = partKeyOf(facts, a);
  if (key === undefined || facts.parts[key].switch) return `there is no drawer or door "${a}"${hint(a, Object.keys(facts.parts).filter((k) => !facts.parts[k].switch))}`;
  const want = name === 'Open' ? 'open' : 'closed';
  if (s.fixtures[key] === want) return m.doneIfTrue ? s : `"${a}" is already ${want}`;
  if (want === 'closed') {
    // Things in a drawer it opens onto must pass under the shell as it closes.
    for (const [rk, r] of Object.entries(facts.fixtureRegions)) {
      if (r.access !== key || r.itemMaxHeight === undefined) continue;
      for (const [id, p] of Object.entries(s.objects)) {
        const h = facts.kinds[id].size[2];
        if (p.at === 'in' && p.target === rk && h > r.itemMaxHeight) return `"${id}" (${h.toFixed(3)} m tall) sticks out of "${rk}", which closes over things up to ${r.itemMaxHeight.toFixed(3)} m`;
      }
    }
  }
  return { objects: s.objects, fixtures: { ...s.fixtures, [key]: want } };
}

/** TurnedOn(x) / TurnedOff(x): press a button or turn a knob. */
export function applySwitch(facts: SceneFacts, s: SymbolicState, atom: Atom, m: Margins = PLAN_MARGINS): SymbolicState | string {
  const [name, ...args] = atom;
  const a = String(args[0]);
  const key = partKeyOf(facts, a);
  if (key === undefined || !facts.parts[key].switch) return `there is no switch "${a}"${hint(a, Object.keys(facts.parts).filter((k) => facts.parts[k].switch))}`;
  const want = name === 'TurnedOn' ? 'on' : 'off';
  if (s.fixtures[key] === want) return m.doneIfTrue ? s : `"${a}" is already ${want}`;
  return { objects: s.objects, fixtures: { ...s.fixtures, [key]: want } };
}

/**
 * Apply one goal atom to a state. Returns the new state, or the reason the atom cannot be made true
 * from this state (a sentence naming the objects involved). Each predicate's rule is its entry in the
 * predicate table (scenes/predicate-table.ts).
 */
export function applyAtom(facts: SceneFacts, s: SymbolicState, atom: Atom, m: Margins = PLAN_MARGINS): SymbolicState | string {
  const def = (PREDICATE_TABLE as Record<string, (typeof PREDICATE_TABLE)[keyof typeof PREDICATE_TABLE] | undefined>)[atom[0]];
  if (!def?.apply) return `${atom[0]} is not a goal a chain step can ask for (use ${CHAIN_STEP_PREDICATES.join(', ')})`;
  return def.apply(facts, s, atom, m);
}

/** Apply a step's whole goal; the first atom that cannot be made true gives the reason. */
export function applyGoal(facts: SceneFacts, s: SymbolicState, goal: Formula, m: Margins = PLAN_MARGINS): SymbolicState | string {
  const atoms = goalSequence(goal);
  if (typeof atoms === 'string') return atoms;
  let cur = s;
  for (const atom of atoms) {
    const r = applyAtom(facts, cur, atom, m);
    if (typeof r === 'string') return r;
    cur = r;
  }
  return cur;
}

/** The task type a single goal atom corresponds to (the predicate table's rule). */
export function taskTypeOf(facts: SceneFacts, atom: Atom): TaskType {
  return PREDICATE_TABLE[atom[0]].taskType?.(facts, atom) ?? 'pick_place';
}

export function roleOf(facts: SceneFacts, ref: string): PartRole | undefined {
  const key = partKeyOf(facts, ref);
  return key === undefined ? undefined : facts.parts[key].role;
}

/** Every atom that is possible from `s`, with the state it leads to, in a fixed order. */
export function possibleAtoms(facts: SceneFacts, s: SymbolicState): { atom: Atom; next: SymbolicState }[] {
  const cands: Atom[] = [];
  for (const a of facts.graspable) {
    for (const b of [...facts.supports, ...facts.blocks]) cands.push(['On', a, b]);
    for (const c of facts.containers) cands.push(['In', a, c]);
    for (const [r, reg] of Object.entries(facts.fixtureRegions)) if (reg.type === 'interior' && reg.access && !reg.closedAbove) cands.push(['In', a, r]);
    // Generated chains push box-shaped things to zones (carrying others there is for files, as LIBERO's).
    if (facts.pushable.includes(a)) for (const z of facts.zones) cands.push(['InRegion', a, z]);
  }
  for (const [key, p] of Object.entries(facts.parts)) {
    if (p.switch) cands.push(['TurnedOn', key], ['TurnedOff', key]);
    else cands.push(['Open', key], ['Closed', key]);
  }
  const out: { atom: Atom; next: SymbolicState }[] = [];
  for (const atom of cands) {
    const r = applyAtom(facts, s, atom);
    if (typeof r !== 'string') out.push({ atom, next: r });
  }
  return out;
}
