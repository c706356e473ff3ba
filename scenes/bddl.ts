// LIBERO BDDL import: a problem file (scenes/bddl-parse.ts reads it) becomes a chaingap scene and task.
//  - The scene by problem type: the table variant, and where LIBERO's region coordinates land
//    (scenes/libero-tables.ts). Regions on the table become scene regions (every :ranges rectangle);
//    regions on fixtures keep their names as `${fixtureId}_${region}` (a drawer, a top side, a
//    compartment: scenes/fixture-refs.ts); regions on objects (a basket's contain_region) name the object.
//  - :init: (On fixture table_region) places a fixture (its yaw mapped per kind: scenes/libero-fixtures.ts;
//    the region's size and yaw range become placement noise); (On obj table_region) places an object
//    in that region; (On obj other_obj | fixture_region) and (In obj container | fixture_interior) start
//    it on / in that; objects are turned by their category's LIBERO rotation (scenes/libero-objects.ts);
//    Open / Close / TurnOn / TurnOff set fixture parts at reset. Categories map by LIBERO's vocabulary.
//  - :goal: In, On, Up (-> Grasped), Open, Close (-> Closed), TurnOn / TurnOff (-> TurnedOn / TurnedOff),
//    under And; On / In a table region -> InRegion. Atoms are ordered by what they need
//    (scenes/bddl-goal-order.ts), then checked with the chain model from the initial state.
// Every error is a BddlError naming the file's line and column and a `reason` that groups it.
import { parseBddl, isList, word, where, type Sexp } from './bddl-parse.ts';
import { goalOrder } from './bddl-goal-order.ts';
import { LIBERO_MARGINS, applyAtom, initialState, sceneFacts, taskTypeOf } from './chain-model.ts';
import { parseChains } from './chains.ts';
import { SpecError } from './errors.ts';
import { FIXTURE_DEFS, FIXTURE_KINDS } from './fixture-defs.ts';
import { resolveScene } from './layout.ts';
import { LIBERO_FIXTURES, liberoFixturePos, liberoFixtureYaw } from './libero-fixtures.ts';
import { LIBERO_INIT_YAW, LIBERO_ORIGIN, LIBERO_OBJECT_KINDS, liberoKind } from './libero-objects.ts';
import { LIBERO_SETTINGS } from './libero-tables.ts';
import { OBJECT_KINDS, closestNames } from './objects.ts';
import type { Atom, FixtureKind, FixtureSpec, ObjectPlacementSpec, PredicateName, RegionRect, RegionSpec, SceneSpec, TaskSpec, Vec2 } from './types.ts';

/** The stand-in kind for an unknown graspable category (`standIn`), a mid-sized box. */
export const BDDL_STAND_IN = 'cookies';
/** Seeds the layout is resolved with at import, so a placement that cannot be made fails here, not in a run. */
export const IMPORT_LAYOUT_SEEDS = 5;
/** Control steps per goal atom. */
export const STEPS_PER_ATOM = 300;

/** An import error: a SpecError at a BDDL line and column, with a short key that groups errors of one cause. */
export class BddlError extends SpecError {
  readonly reason: string;
  constructor(reason: string, file: string, found: string, allowed: string, at: Sexp) {
    super(file, '', found, allowed, where(at));
    this.reason = reason;
  }
}

export interface BddlImport {
  scene: SceneSpec;
  task: TaskSpec;
  /** Categories that got a stand-in, for the user to know. */
  standIns: Record<string, string>;
}

/** A one-step chain file for an import: the scene inline, the fixture init at the chain's start (the runner resets with it). */
export function bddlChain(r: BddlImport): { name: string; rules: 'libero'; scene: SceneSpec; init: Atom[]; steps: Omit<TaskSpec, 'scene'>[] } {
  const { scene: _scene, ...step } = r.task;
  return { name: r.task.name, rules: 'libero', scene: r.scene, init: r.task.init, steps: [step] };
}

const PREDICATES: Record<string, PredicateName> = { in: 'In', on: 'On', up: 'Grasped', open: 'Open', close: 'Closed', turnon: 'TurnedOn', turnoff: 'TurnedOff' };

/** Parse a BDDL problem file's text into a scene and a task named `name`. Throws BddlError / SpecError. */
export function importBddl(text: string, file: string, name: string, opts: { standIn?: boolean } = {}): BddlImport {
  const p = parseBddl(text, file);
  const fail = (reason: string, found: string, allowed: string, at: Sexp): never => { throw new BddlError(reason, file, found, allowed, at); };

  // The setting and its work surface.
  const setting = LIBERO_SETTINGS[p.problem];
  if (!setting) {
    fail(`problem type "${p.problem}"`, `problem type "${p.problem}"`, `one of ${Object.keys(LIBERO_SETTINGS).join(', ')}${hint(p.problem, Object.keys(LIBERO_SETTINGS))}`, p.problemAt);
  }
  const surfaces = new Set(Object.values(LIBERO_SETTINGS).map((s) => s.surface));
  let tableId: string | undefined;
  const fixtureKinds = new Map<string, FixtureKind>();
  const fixtureCategory = new Map<string, string>();
  for (const d of p.fixtures) {
    if (surfaces.has(d.category)) {
      if (d.category !== setting.surface) fail(`work surface "${d.category}" in a ${p.problem}`, `the work surface "${d.category}" in a ${p.problem} problem`, `its own work surface, "${setting.surface}"`, d.at);
      if (tableId !== undefined) fail('two work surfaces', `a second work surface "${d.id}"`, 'one', d.at);
      tableId = d.id;
      continue;
    }
    const kind = LIBERO_FIXTURES[d.category]?.kind;
    if (!kind || !FIXTURE_KINDS.includes(kind)) {
      const known = [...Object.keys(LIBERO_FIXTURES), setting.surface];
      fail(`fixture category "${d.category}"`, `fixture category "${d.category}" (of "${d.id}")`, `one of ${known.join(', ')}${hint(d.category, known)}`, d.at);
    }
    fixtureKinds.set(d.id, kind);
    fixtureCategory.set(d.id, d.category);
  }

  // Objects.
  const standIns: Record<string, string> = {};
  const objectKinds = new Map<string, string>();
  const objectCategory = new Map(p.objects.map((d) => [d.id, d.category]));
  const categories = [...new Set(Object.values(OBJECT_KINDS).map((k) => k.kind))];
  for (const d of p.objects) {
    // LIBERO's categories by its vocabulary (scenes/libero-objects.ts), then any kind of the library by name.
    let kind = liberoKind(d.category) ?? (d.category in OBJECT_KINDS ? d.category : undefined);
    if (!kind) {
      if (!opts.standIn) {
        fail(`object category "${d.category}"`, `object category "${d.category}" (of "${d.id}")`,
          `a LIBERO object category or a kind of the object library${hint(d.category, [...Object.keys(LIBERO_OBJECT_KINDS), ...categories], 3)}, or --stand-in for a stand-in`, d.at);
      }
      kind = BDDL_STAND_IN;
      standIns[d.category] = kind;
    }
    objectKinds.set(d.id, kind!);
  }

  // Regions: on the table -> scene regions; on fixtures -> `${fixture}_${region}`; on objects -> the object.
  const regions: Record<string, RegionSpec> = {};
  const regionYaw = new Map<string, Vec2>();
  const regionAt = new Map<string, Sexp>();
  /** A name an atom may use for a region that is not on the table, and what it stands for. */
  const named = new Map<string, string>();
  const [ox, oy] = setting.regionOrigin;
  for (const r of p.regions) {
    if (r.target === tableId) {
      if (!r.ranges.length) fail('table region without :ranges', `table region "${r.name}" without :ranges`, '(:ranges ((x_min y_min x_max y_max) ...))', r.at);
      const rects = r.ranges.map(([x0, y0, x1, y1]) => ({
        center: [round(ox + (x0 + x1) / 2), round(oy + (y0 + y1) / 2)] as Vec2,
        halfExtents: [Math.max(0.001, round((x1 - x0) / 2)), Math.max(0.001, round((y1 - y0) / 2))] as Vec2,
      }));
      regions[r.name] = rects.length > 1 ? { ...rects[0], extra: rects.slice(1) } : rects[0];
      // LIBERO keeps the last :yaw_rotation pair of a region (bddl_utils.py), as here.
      const [a, b] = r.yaws.length ? r.yaws[r.yaws.length - 1] : [0, 0];
      regionYaw.set(r.name, [Math.min(a, b), Math.max(a, b)]);
      regionAt.set(r.name, r.at);
    } else if (fixtureKinds.has(r.target)) {
      const def = FIXTURE_DEFS[fixtureKinds.get(r.target)!];
      if (!def.regions[r.name]) {
        fail(`${def.kind} region "${r.name}"`, `region "${r.name}" on the ${def.kind} "${r.target}"`, `a region of a ${def.kind}: ${Object.keys(def.regions).join(', ') || '(none)'}`, r.at);
      }
      named.set(`${r.target}_${r.name}`, `${r.target}_${r.name}`);
    } else if (objectKinds.has(r.target)) {
      named.set(`${r.target}_${r.name}`, r.target);
    } else {
      fail('region target', `region "${r.name}" on "${r.target}"`, `the table "${tableId ?? setting.surface}", a fixture or an object of the file${hint(r.target, [...fixtureKinds.keys(), ...objectKinds.keys()])}`, r.at);
    }
  }
  const tableRegion = (s: string): string | undefined => {
    if (tableId === undefined || !s.startsWith(`${tableId}_`)) return undefined;
    const r = s.slice(tableId.length + 1);
    return regions[r] ? r : undefined;
  };
  const known = () => [...objectKinds.keys(), ...fixtureKinds.keys(), ...named.keys(), ...Object.keys(regions).map((r) => `${tableId}_${r}`)];
  /** What an atom argument names: an object, a fixture or fixture region (kept as written), or a table region. */
  const resolve = (x: Sexp): { id: string; table?: string } => {
    const s = word(x);
    if (!s) fail('malformed atom', isList(x) ? 'a parenthesised expression' : 'nothing', 'a name', x);
    if (objectKinds.has(s) || fixtureKinds.has(s)) return { id: s };
    const n = named.get(s);
    if (n) return { id: n };
    const t = tableRegion(s);
    if (t) return { id: t, table: t };
    // A fixture region the file did not declare under :regions, but the fixture has.
    for (const [fid, kind] of fixtureKinds) if (s.startsWith(`${fid}_`) && FIXTURE_DEFS[kind].regions[s.slice(fid.length + 1)]) return { id: s };
    return fail('unknown name', `"${s}"`, `an object, a fixture or a region of the file${hint(s, known())}`, x);
  };

  // :init.
  const fixtures: FixtureSpec[] = [];
  const fixtureAt = new Map<string, Sexp>();
  const placements = new Map<string, ObjectPlacementSpec>();
  const placementAt = new Map<string, Sexp>();
  const usedForFixtures = new Set<string>();
  const init: Atom[] = [];
  const initAt: Sexp[] = [];
  for (const a of p.init) {
    const head = word(a.list[0]).toLowerCase();
    const args = a.list.slice(1);
    if (head === 'on' || head === 'in') {
      if (args.length !== 2) fail('malformed atom', `(${word(a.list[0])} ...) with ${args.length} arguments`, `(${word(a.list[0])} thing where)`, a);
      const x = word(args[0]);
      const target = resolve(args[1]);
      if (fixtureKinds.has(x)) {
        if (head !== 'on' || !target.table) fail('fixture placement', `(${word(a.list[0])} ${x} ${word(args[1])})`, `a fixture On a region of the table "${tableId}"`, a);
        if (fixtureAt.has(x)) fail('placed twice', `a second placement of "${x}"`, 'one placement per fixture', a);
        const r = regions[target.table!];
        const [y0, y1] = regionYaw.get(target.table!)!;
        const jitterPos = Math.min(0.05, r.halfExtents[0], r.halfExtents[1]);
        const jitterYaw = Math.min(0.3, (y1 - y0) / 2);
        const cat = fixtureCategory.get(x)!;
        const f: FixtureSpec = { id: x, kind: fixtureKinds.get(x)!, pos: liberoFixturePos(cat, r.center, (y0 + y1) / 2), yaw: liberoFixtureYaw(cat, (y0 + y1) / 2) };
        if (jitterPos > 0.001 || jitterYaw > 0) f.jitter = { pos: round(jitterPos > 0.001 ? jitterPos : 0), yaw: round(jitterYaw) };
        fixtures.push(f);
        fixtureAt.set(x, a);
        usedForFixtures.add(target.table!);
        continue;
      }
      if (!objectKinds.has(x)) fail('unknown name', `"${x}"`, `an object or fixture of the file${hint(x, [...objectKinds.keys(), ...fixtureKinds.keys()])}`, args[0] ?? a);
      if (placements.has(x)) fail('placed twice', `a second placement of "${x}" (the first at line ${placementAt.get(x)!.line})`, 'one placement per object', a);
      // LIBERO turns an object by its category's own rotation wherever it starts, not by the region's
      // :yaw_rotation (that is for fixtures); a category outside LIBERO's vocabulary takes the region's.
      const cat = objectCategory.get(x)!;
      const catYaw = Object.prototype.hasOwnProperty.call(LIBERO_INIT_YAW, cat) ? LIBERO_INIT_YAW[cat] : undefined;
      const o: ObjectPlacementSpec = { id: x, kind: objectKinds.get(x)!, yaw: catYaw ? [catYaw[0], catYaw[1]] : [0, 0] };
      if (target.table) {
        o.region = target.table;
        if (!catYaw) o.yaw = regionYaw.get(target.table)!;
        // LIBERO places the model origin in the region; chaingap's origin is the box centre: shift a region
        // only this object uses (with a fixed yaw) by where LIBERO's origin sits in the kind (LIBERO_ORIGIN).
        const off = LIBERO_ORIGIN[cat];
        if (off && o.yaw[0] === o.yaw[1] && ![...placements.values()].some((q) => q.region === target.table)) {
          const c = Math.cos(o.yaw[0]), sn = Math.sin(o.yaw[0]);
          const dx = -(c * off[0] - sn * off[1]), dy = -(sn * off[0] + c * off[1]);
          const r = regions[target.table];
          const move = (q: RegionRect): RegionRect => ({ ...q, center: [round(q.center[0] + dx), round(q.center[1] + dy)] });
          regions[target.table] = { ...move(r), ...(r.extra ? { extra: r.extra.map(move) } : {}) };
        }
        // LIBERO keeps objects apart by small fixed radii and nothing clear of where drawers open.
        o.clearance = 'footprint';
      } else if (head === 'on') o.on = target.id;
      else o.in = target.id;
      placements.set(x, o);
      placementAt.set(x, a);
    } else if (head === 'open' || head === 'close' || head === 'turnon' || head === 'turnoff') {
      if (args.length !== 1) fail('malformed atom', `(${word(a.list[0])} ...) with ${args.length} arguments`, `(${word(a.list[0])} fixture)`, a);
      const t = resolve(args[0]);
      if (objectKinds.has(t.id) || t.table) fail(`${head} of an object`, `(${word(a.list[0])} ${word(args[0])})`, 'a fixture, or a drawer / door region of one', a);
      init.push([head === 'open' ? 'Open' : head === 'close' ? 'Closed' : head === 'turnon' ? 'TurnedOn' : 'TurnedOff', t.id]);
      initAt.push(a);
    } else {
      fail(`init predicate "${head}"`, `(${word(a.list[0])} ...) in :init`, 'On, In, Open, Close, TurnOn or TurnOff', a);
    }
  }
  for (const [id] of fixtureKinds) if (!fixtureAt.has(id)) fail('fixture not placed', `fixture "${id}" with no (On ${id} <table region>) in :init`, 'an init atom placing it on the table', p.fixtures.find((d) => d.id === id)!.at);
  for (const d of p.objects) if (!placements.has(d.id)) fail('object not placed', `object "${d.id}" with no (On ...) or (In ...) in :init`, 'an init atom placing it', d.at);
  for (const r of usedForFixtures) delete regions[r];
  const objects = p.objects.map((d) => placements.get(d.id)!);

  // :goal, ordered by what each atom needs.
  const goalAtoms: { atom: Atom; at: Sexp }[] = [];
  const collect = (g: Sexp): void => {
    if (!isList(g) || !g.list.length) return fail('malformed goal', `"${word(g) || '()'}" in :goal`, 'a predicate in parentheses', g);
    const head = word(g.list[0]).toLowerCase();
    if (head === 'and') { g.list.slice(1).forEach(collect); return; }
    const pred = PREDICATES[head];
    if (!pred) return fail(`goal predicate "${head}"`, `predicate "${word(g.list[0])}" in :goal`, 'one of In, On, Up, Open, Close, TurnOn, TurnOff (under And)', g);
    const arity = pred === 'In' || pred === 'On' ? 2 : 1;
    if (g.list.length - 1 !== arity) return fail('malformed atom', `(${word(g.list[0])} ...) with ${g.list.length - 1} arguments`, `${arity} argument${arity > 1 ? 's' : ''}`, g);
    const args = g.list.slice(1).map(resolve);
    if (args[0].table) return fail('table region as a thing', `the table region "${word(g.list[1])}" as the thing ${pred} moves`, 'an object or a fixture', g.list[1]);
    if (args[1]?.table) {
      if (usedForFixtures.has(args[1].table)) return fail('fixture region as goal', `"${word(g.list[2])}", where a fixture stands`, 'a table region no fixture stands in', g.list[2]);
      goalAtoms.push({ atom: ['InRegion', args[0].id, args[1].table], at: g });
    } else goalAtoms.push({ atom: [pred, ...args.map((x) => x.id)] as Atom, at: g });
  };
  collect(p.goal);
  if (!goalAtoms.length) fail('empty goal', 'a goal with no atoms', 'at least one atom', p.goal);
  const ordered = goalOrder(goalAtoms.map((g) => g.atom), fixtures).map((i) => goalAtoms[i]);
  const goal: Atom | ['And', ...Atom[]] = ordered.length === 1 ? ordered[0].atom : ['And', ...ordered.map((g) => g.atom)];

  const scene: SceneSpec = {
    name, description: `Imported from ${file} (LIBERO BDDL, ${p.problem}): ${p.language}`,
    table: setting.table, regions, fixtures, objects,
  };
  const owner = (x: Sexp): string => {
    const id = resolve(x).id;
    if (objectKinds.has(id) || fixtureKinds.has(id)) return id;
    const f = [...fixtureKinds.keys()].filter((fid) => id.startsWith(`${fid}_`)).sort((a, b) => b.length - a.length)[0];
    return f ?? fail('object of interest', `"${word(x)}" in :obj_of_interest`, 'an object or a fixture', x);
  };
  const interest = [...new Set(p.objectsOfInterest.map(owner))];
  const facts = sceneFacts(scene);
  const task: TaskSpec = {
    name, scene: name, type: taskTypeOf(facts, ordered[0].atom), instruction: p.language, paraphrases: [], init, goal,
    maxSteps: STEPS_PER_ATOM * ordered.length, objectsOfInterest: interest,
  };
  const out: BddlImport = { scene, task, standIns };

  // Checks, each naming the BDDL line: the scene and task validate, every goal atom can be made true
  // after the earlier ones, and the layout resolves.
  const locate = (e: SpecError): Sexp => {
    // Paths from the chain check start "scene." or "steps[0]."; the layout's start at the scene's fields.
    const path = e.path.replace(/^scene\./, '');
    let m: RegExpExecArray | null;
    if ((m = /^regions(?:\.|\[")(\w+)/.exec(path))) return regionAt.get(m[1]) ?? p.root;
    if ((m = /^objects\[(\d+)\]/.exec(path))) return placementAt.get(objects[Number(m[1])]?.id) ?? p.root;
    if ((m = /^fixtures\[(\d+)\]/.exec(path))) return fixtureAt.get(fixtures[Number(m[1])]?.id) ?? p.root;
    if ((m = /init\[(\d+)\]/.exec(path))) return initAt[Number(m[1])] ?? p.root;
    if (/goal/.test(path)) return p.goal;
    return p.root;
  };
  const rethrow = (e: unknown, reason: (se: SpecError) => string): never => {
    if (!(e instanceof SpecError) || e instanceof BddlError) throw e;
    return fail(reason(e), e.found, e.allowed, locate(e));
  };
  try {
    parseChains(JSON.parse(JSON.stringify(bddlChain(out))), file);
  } catch (e) {
    // Infeasible goals are reported per atom below, with the atom's own line.
    if (!(e instanceof SpecError && /\.goal$/.test(e.path) && /not possible|cannot run alone/.test(e.found))) rethrow(e, (se) => `scene check: ${groupText(se.allowed)}`);
  }
  let state = initialState(facts, init);
  for (const g of ordered) {
    const r = applyAtom(facts, state, g.atom, LIBERO_MARGINS);
    if (typeof r === 'string') {
      const earlier = g === ordered[0] ? 'from the initial state' : 'after the goal atoms before it';
      fail(`infeasible ${g.atom[0]}: ${groupText(r)}`, `${sexpText(g.at)}, which chaingap cannot make true ${earlier}: ${r}`,
        'a goal each of whose atoms chaingap can make true in turn (atoms are worked In / On before Close, Open before In)', g.at);
    }
    state = r as Exclude<typeof r, string>;
  }
  for (let seed = 0; seed < IMPORT_LAYOUT_SEEDS; seed++) {
    try {
      resolveScene(scene, seed, task);
    } catch (e) {
      rethrow(e, (se) => `layout: ${groupText(se.found.replace(/ after \d+ tries/, ''))}`);
    }
  }
  return out;
}

const round = (x: number) => Math.round(x * 1e9) / 1e9;

function hint(name: string, names: string[], n = 1): string {
  const c = closestNames(name, names, n);
  return c.length ? ` (closest: ${c.join(', ')})` : '';
}

/** A BDDL expression as written (whitespace normalised). */
function sexpText(x: Sexp): string {
  return isList(x) ? `(${x.list.map(sexpText).join(' ')})` : x.atom;
}

/** An error sentence with its names, sizes and counts blanked, so errors of one cause group together. */
export function groupText(s: string): string {
  return s.replace(/"[^"]*"/g, '"_"').replace(/\d+(\.\d+)?/g, 'N');
}


/** A task / scene / chain name from a BDDL file's name: letters, digits and "_", starting with a letter. */
export function bddlTaskName(file: string): string {
  return (file.split('/').pop() ?? 'bddl').replace(/\.bddl$/i, '').replace(/[^A-Za-z0-9_]/g, '_').replace(/^[^A-Za-z]+/, 'task_');
}
