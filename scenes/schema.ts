// Validation of scene and task specs: zod schemas for the shapes in types.ts (strict: unknown fields are
// errors), a hand-written checker for BDDL-like formulas, and cross-reference checks between a task,
// its scene and the object library. Every check yields SpecIssues {path, found, allowed}; load.ts turns
// the first one into a SpecError naming the file.

import { z } from 'zod';
import { closestList, describe, specIssuesFromZod, valueAt, type SpecIssue } from './errors.ts';
import { FIXTURE_DEFS, FIXTURE_KINDS, isOpenable, isSwitch } from './fixture-defs.ts';
import { INIT_PREDICATE_NAMES, PREDICATE_NAMES, PREDICATE_TABLE, type ArgRole } from './predicate-table.ts';
import { fixtureRefNames, resolveFixtureRef, type FixtureRef } from './fixture-refs.ts';
import { fixtureRect, rectBounds, rectInsideAxisBox, rectsOverlap, regionRect } from './geometry.ts';
import { placementTarget } from './layout.ts';
import { regionRects } from './regions.ts';
import { OBJECT_KINDS, closestNames, lookupKind } from './objects.ts';
import type { Atom, FixtureKind, Formula, PredicateName, SceneSpec, TaskSpec, TaskType } from './types.ts';

// ---------------------------------------------------------------------------------------------
// zod building blocks. Each schema's error function returns the description of what is allowed, so a
// zod issue's message is the "allowed" part of our error.

const num = (desc: string) => z.number({ error: () => desc });

/** A number in [min, max] (both inclusive). */
const range = (desc: string, min: number, max: number) => num(desc).min(min).max(max);
/** A number in (min, max]. */
const positive = (desc: string, max: number) => num(desc).gt(0).max(max);

const ID_RE = /^[A-Za-z][A-Za-z0-9_]*$/;
const ID_DESC = 'an id: letters, digits and "_", starting with a letter';
const idString = (desc = ID_DESC) => z.string({ error: () => desc }).regex(ID_RE);
const text = (desc: string) => z.string({ error: () => desc }).min(1);

const pair = <A extends z.ZodType, B extends z.ZodType>(desc: string, a: A, b: B) => z.tuple([a, b], { error: () => desc });

function strict<S extends z.ZodRawShape>(what: string, shape: S) {
  const keys = Object.keys(shape);
  return z.strictObject(shape, {
    error: (iss) => {
      if (iss.code === 'unrecognized_keys') {
        const first = String((iss as { keys?: string[] }).keys?.[0] ?? '');
        return `the fields of ${what}: ${keys.join(', ')}${closestList(closestNames(first, keys, 1))}`;
      }
      return `${what}: a JSON object with the fields ${keys.join(', ')}`;
    },
  });
}

const TWO_PI = 2 * Math.PI;
const COORD = 5;

const rgbItem = range('a colour component between 0 and 1', 0, 1);
const RgbSchema = z.tuple([rgbItem, rgbItem, rgbItem], { error: () => 'a colour [r, g, b] with components between 0 and 1' });

const coord = (what: string) => range(`${what}: a number of metres between -${COORD} and ${COORD}`, -COORD, COORD);
const Vec2Coord = (what: string) => pair(`${what}: [x, y] in metres`, coord(`${what} x`), coord(`${what} y`));

const yawNum = (what: string) => range(`${what}: an angle in radians between -2π and 2π`, -TWO_PI, TWO_PI);

const FIXTURE_KIND_DESC = `one of ${FIXTURE_KINDS.map((k) => JSON.stringify(k)).join(', ')}`;

export const TableSchema = strict('the table', {
  size: pair('the table size [x, y] in metres',
    positive('a table size in metres, > 0 and <= 5', 5), positive('a table size in metres, > 0 and <= 5', 5)),
  center: Vec2Coord('the table centre'),
  friction: range('a friction coefficient between 0 and 2', 0, 2),
  color: RgbSchema,
});

const regionRectFields = {
  center: Vec2Coord('the region centre'),
  halfExtents: pair('the region half sizes [x, y] in metres',
    range('a half size in metres between 0 and 1', 0, 1), range('a half size in metres between 0 and 1', 0, 1)),
};
export const RegionSchema = strict('a region', {
  ...regionRectFields,
  extra: z.array(strict('a further rectangle of the region', regionRectFields), {
    error: () => 'the region\'s further rectangles: an array of {center, halfExtents}',
  }).optional(),
});

export const FixtureSchema = strict('a fixture', {
  id: idString(),
  kind: z.enum(FIXTURE_KINDS as [FixtureKind, ...FixtureKind[]], { error: () => FIXTURE_KIND_DESC }),
  pos: Vec2Coord('the fixture position'),
  yaw: yawNum('the fixture yaw'),
  jitter: strict('the fixture placement noise', {
    pos: z.number({ error: () => 'a number of metres in [0, 0.05]' }).min(0, { error: () => 'a number of metres in [0, 0.05]' }).max(0.05, { error: () => 'a number of metres in [0, 0.05]' }),
    yaw: z.number({ error: () => 'a number of radians in [0, 0.3]' }).min(0, { error: () => 'a number of radians in [0, 0.3]' }).max(0.3, { error: () => 'a number of radians in [0, 0.3]' }),
  }).optional(),
});

export const ObjectPlacementSchema = strict('an object placement', {
  id: idString(),
  kind: text('a kind from the object library (a string)'),
  region: text('the name of a region of this scene (a string)').optional(),
  on: text('what the object starts on: an object id or a fixture region like "wooden_cabinet_1_top_side" (a string)').optional(),
  in: text('what the object starts in: a container object id or a fixture interior like "wooden_cabinet_1_top_region" (a string)').optional(),
  clearance: z.literal('footprint', { error: () => '"footprint" (kept clear by its shapes, swing zones allowed), or leave the field out' }).optional(),
  yaw: pair('a yaw range [min, max] in radians', yawNum('the minimum yaw'), yawNum('the maximum yaw')),
});

const JOINT_DESC = 'a joint angle in radians between -4 and 4';

export const SceneSchema = strict('a scene', {
  name: idString('a scene name: letters, digits and "_", starting with a letter'),
  description: z.string({ error: () => 'a description (a string)' }).optional(),
  table: TableSchema,
  robotInit: z
    .array(range(JOINT_DESC, -4, 4), { error: () => 'the arm\'s initial joint angles: an array of 7 numbers (radians)' })
    .length(7)
    .optional(),
  regions: z.record(
    z.string().regex(ID_RE, { error: () => `a region name: ${ID_DESC.slice(6)}` }),
    RegionSchema,
    { error: () => 'the regions: an object mapping region names to {center, halfExtents}' },
  ),
  fixtures: z.array(FixtureSchema, { error: () => 'the fixtures: an array (may be empty)' }),
  objects: z.array(ObjectPlacementSchema, { error: () => 'the objects: an array (may be empty)' }),
});

// ---------------------------------------------------------------------------------------------
// Formulas

export const CONNECTIVES = ['And', 'Or', 'Not'] as const;

export type { ArgRole } from './predicate-table.ts';

/** Argument roles of each predicate (the predicate table's column). */
export const PREDICATE_ARGS: Record<PredicateName, readonly ArgRole[]> = Object.fromEntries(
  PREDICATE_NAMES.map((p) => [p, PREDICATE_TABLE[p].roles]),
) as Record<PredicateName, readonly ArgRole[]>;

/** Predicates allowed in a task's `init` (fixture states at reset). */
export const INIT_PREDICATES: readonly PredicateName[] = INIT_PREDICATE_NAMES;

const ROLE_WORD: Record<ArgRole, string> = {
  object: 'object id',
  support: 'object or fixture id',
  container: 'container id',
  openable: 'fixture id',
  switch: 'fixture id',
  entity: 'object or fixture id',
  graspable: 'object id',
  region: 'region name',
  distance: 'distance in metres',
};

const MAX_NEAR = 2;

function signature(p: PredicateName): string {
  return `[${[JSON.stringify(p), ...PREDICATE_ARGS[p].map((r) => ROLE_WORD[r])].join(', ')}]`;
}

const FORMULA_DESC =
  'a formula: ["And", f, ...], ["Or", f, ...], ["Not", f] or an atom such as ["On", "a", "b"]';
const HEAD_NAMES: string[] = [...CONNECTIVES, ...Object.keys(PREDICATE_ARGS)];

function checkAtomArgs(v: unknown[], path: PropertyKey[], out: SpecIssue[]): void {
  const p = v[0] as PredicateName;
  const roles = PREDICATE_ARGS[p];
  const args = v.slice(1);
  if (args.length !== roles.length) {
    out.push({
      path,
      found: `${describe(v)} with ${args.length} argument${args.length === 1 ? '' : 's'}`,
      allowed: `${p} takes ${roles.length} argument${roles.length === 1 ? '' : 's'}: ${signature(p)}`,
    });
    return;
  }
  roles.forEach((role, k) => {
    const a = args[k];
    const ap = [...path, k + 1];
    if (role === 'distance') {
      if (typeof a !== 'number' || !(a > 0) || a > MAX_NEAR) {
        out.push({ path: ap, found: describe(a), allowed: `a distance in metres, > 0 and <= ${MAX_NEAR}` });
      }
    } else if (typeof a !== 'string' || a.length === 0) {
      out.push({ path: ap, found: describe(a), allowed: `${p}'s argument ${k + 1}: ${/^[aeiou]/.test(ROLE_WORD[role]) ? 'an' : 'a'} ${ROLE_WORD[role]} (a string)` });
    }
  });
}

/** Structural check of a formula (no scene): connectives, predicate names, arity, argument types. */
export function checkFormula(v: unknown, path: PropertyKey[] = [], out: SpecIssue[] = []): SpecIssue[] {
  if (!Array.isArray(v) || v.length === 0) {
    out.push({ path, found: describe(v), allowed: FORMULA_DESC });
    return out;
  }
  const head = v[0];
  if (typeof head !== 'string' || !HEAD_NAMES.includes(head)) {
    out.push({
      path: [...path, 0],
      found: describe(head),
      allowed: `a connective or predicate name: ${HEAD_NAMES.join(', ')}` +
        (typeof head === 'string' ? closestList(closestNames(head, HEAD_NAMES, 2)) : ''),
    });
    return out;
  }
  if (head === 'And' || head === 'Or') {
    if (v.length < 2) out.push({ path, found: `${describe(v)} with no operands`, allowed: `${head} takes at least 1 formula: ["${head}", f, ...]` });
    for (let k = 1; k < v.length; k++) checkFormula(v[k], [...path, k], out);
    return out;
  }
  if (head === 'Not') {
    if (v.length !== 2) {
      out.push({ path, found: `${describe(v)} with ${v.length - 1} operands`, allowed: 'Not takes exactly 1 formula: ["Not", f]' });
      return out;
    }
    checkFormula(v[1], [...path, 1], out);
    return out;
  }
  checkAtomArgs(v, path, out);
  return out;
}

/** Structural check of a task's `init` list: fixture-state atoms only. */
export function checkInit(v: unknown, path: PropertyKey[] = [], out: SpecIssue[] = []): SpecIssue[] {
  const allowedNames = INIT_PREDICATES.join(', ');
  if (!Array.isArray(v)) {
    out.push({ path, found: describe(v), allowed: `a list of fixture-state atoms like [["Open", "cabinet"]] (may be empty)` });
    return out;
  }
  v.forEach((atom, i) => {
    const ap = [...path, i];
    if (!Array.isArray(atom) || atom.length === 0) {
      out.push({ path: ap, found: describe(atom), allowed: `an atom like ["Open", "cabinet"] with predicate ${allowedNames}` });
      return;
    }
    const head = atom[0];
    if (typeof head !== 'string' || !(INIT_PREDICATES as readonly string[]).includes(head)) {
      out.push({
        path: [...ap, 0],
        found: describe(head),
        allowed: `an init predicate: ${allowedNames}` +
          (typeof head === 'string' ? closestList(closestNames(head, INIT_PREDICATES, 2)) : ''),
      });
      return;
    }
    checkAtomArgs(atom, ap, out);
  });
  return out;
}

export const TASK_TYPES: [TaskType, ...TaskType[]] = [
  'pick_place', 'put_in', 'stack', 'open_drawer', 'close_drawer', 'open_door', 'close_door', 'press_button', 'turn_knob', 'push_to_region',
];

function addIssues(ctx: z.RefinementCtx, issues: SpecIssue[]): void {
  for (const iss of issues) {
    ctx.addIssue({ code: 'custom', path: iss.path, message: iss.allowed, params: { found: iss.found } });
  }
}

export const TaskSchema = strict('a task', {
  name: idString('a task name: letters, digits and "_", starting with a letter'),
  scene: idString('the name of the scene the task runs in'),
  type: z.enum(TASK_TYPES, { error: () => `a task type: one of ${TASK_TYPES.join(', ')}` }),
  instruction: text('the instruction: a non-empty string'),
  paraphrases: z.array(text('a paraphrase: a non-empty string'), { error: () => 'the paraphrases: an array of strings' }),
  init: z.unknown().superRefine((v, ctx) => addIssues(ctx, checkInit(v))),
  goal: z.unknown().superRefine((v, ctx) => addIssues(ctx, checkFormula(v))),
  maxSteps: num('the step budget: a whole number between 1 and 100000').int().min(1).max(100000),
  objectsOfInterest: z.array(text('an object or fixture id (a string)'), {
    error: () => 'the ids of the objects and fixtures the task names: an array of strings',
  }),
});

// Compile-time check that the schemas' outputs match the shared types.
type AssertAssignable<T, _U extends T> = true;
export type _SceneSchemaMatches = AssertAssignable<SceneSpec, z.output<typeof SceneSchema>>;
export type _TaskSchemaMatches = AssertAssignable<Omit<TaskSpec, 'goal' | 'init'>, Omit<z.output<typeof TaskSchema>, 'goal' | 'init'>>;


// ---------------------------------------------------------------------------------------------
// Scene cross-checks

const quoteList = (xs: readonly string[], max = 8): string =>
  xs.length === 0 ? '(none)' : xs.slice(0, max).join(', ') + (xs.length > max ? ', ...' : '');

const fmt = (v: number) => String(Math.round(v * 1000) / 1000);

/** Checks a structurally valid scene: library kinds, regions, ids, table bounds, fixture overlaps. */
export function checkSceneRefs(scene: SceneSpec): SpecIssue[] {
  const out: SpecIssue[] = [];
  const kinds = Object.keys(OBJECT_KINDS);
  const regionNames = Object.keys(scene.regions);
  const t = scene.table;
  const tableDesc = `x ${fmt(t.center[0] - t.size[0] / 2)}..${fmt(t.center[0] + t.size[0] / 2)}, ` +
    `y ${fmt(t.center[1] - t.size[1] / 2)}..${fmt(t.center[1] + t.size[1] / 2)}`;

  for (const [name, r] of Object.entries(scene.regions)) {
    regionRects(r).forEach((q, k) => {
      const rect = regionRect(q);
      if (!rectInsideAxisBox(rect, t.center, t.size)) {
        const [x0, x1, y0, y1] = rectBounds(rect);
        out.push({
          path: k === 0 ? ['regions', name] : ['regions', name, 'extra', k - 1],
          found: `a ${k === 0 ? 'region' : 'rectangle'} spanning x ${fmt(x0)}..${fmt(x1)}, y ${fmt(y0)}..${fmt(y1)}`,
          allowed: `a region on the table (${tableDesc})`,
        });
      }
    });
  }

  const fixtureIds = new Map<string, number>();
  scene.fixtures.forEach((f, i) => {
    const prev = fixtureIds.get(f.id);
    if (prev !== undefined) {
      out.push({ path: ['fixtures', i, 'id'], found: `${JSON.stringify(f.id)} (already the id of fixtures[${prev}])`, allowed: 'a fixture id not used by another fixture' });
    } else fixtureIds.set(f.id, i);
    const rect = fixtureRect(f, false);
    if (!rectInsideAxisBox(rect, t.center, t.size)) {
      const [x0, x1, y0, y1] = rectBounds(rect);
      out.push({
        path: ['fixtures', i, 'pos'],
        found: `${describe(f.pos)}: a ${f.kind} spanning x ${fmt(x0)}..${fmt(x1)}, y ${fmt(y0)}..${fmt(y1)}`,
        allowed: `a position that keeps the ${f.kind}'s ${FIXTURE_DEFS[f.kind].footprint.depth} x ${FIXTURE_DEFS[f.kind].footprint.width} m footprint on the table (${tableDesc})`,
      });
    }
    for (let j = 0; j < i; j++) {
      const g = scene.fixtures[j];
      // A fixture must not sit in another's footprint or swing zone.
      if (rectsOverlap(fixtureRect(f, true), fixtureRect(g, false)) || rectsOverlap(fixtureRect(f, false), fixtureRect(g, true))) {
        out.push({
          path: ['fixtures', i, 'pos'],
          found: `${describe(f.pos)}: the ${f.kind} overlaps fixtures[${j}] (${JSON.stringify(g.id)}) or its drawer/door swing zone`,
          allowed: 'a position clear of the other fixtures and of the 0.22 m zone in front of a cabinet or microwave',
        });
      }
    }
  });

  const objectIds = new Map<string, number>();
  scene.objects.forEach((o, i) => {
    const prev = objectIds.get(o.id);
    if (prev !== undefined) {
      out.push({ path: ['objects', i, 'id'], found: `${JSON.stringify(o.id)} (already the id of objects[${prev}])`, allowed: 'an object id not used by another object' });
    } else if (fixtureIds.has(o.id)) {
      out.push({ path: ['objects', i, 'id'], found: `${JSON.stringify(o.id)} (already the id of fixtures[${fixtureIds.get(o.id)}])`, allowed: 'an object id not used by a fixture' });
    } else objectIds.set(o.id, i);
    if (!lookupKind(o.kind)) {
      out.push({
        path: ['objects', i, 'kind'],
        found: JSON.stringify(o.kind),
        allowed: `a kind from the object library${closestList(closestNames(o.kind, kinds, 5))}, or novel_<id> for a generated one`,
      });
    }
    const where = (['region', 'on', 'in'] as const).filter((k) => o[k] !== undefined);
    if (where.length !== 1) {
      out.push({
        path: ['objects', i, where[1] ?? 'region'],
        found: where.length ? `both ${where.map((k) => `${k} ${JSON.stringify(o[k])}`).join(' and ')}` : 'no region, on or in',
        allowed: 'exactly one of region (a table region), on (an object or fixture surface) or in (a container or fixture interior)',
      });
    } else if (o.region !== undefined) {
      if (!Object.prototype.hasOwnProperty.call(scene.regions, o.region)) {
        out.push({
          path: ['objects', i, 'region'],
          found: JSON.stringify(o.region),
          allowed: `a region of this scene: ${quoteList(regionNames)}` +
            (regionNames.length ? closestList(closestNames(o.region, regionNames, 1)) : ''),
        });
      }
    } else {
      const target = placementTarget(scene, o);
      if (typeof target === 'string') {
        const name = (o.on ?? o.in)!;
        const candidates = [...scene.objects.map((x) => x.id).filter((id) => id !== o.id), ...fixtureRefNames(scene.fixtures)];
        out.push({
          path: ['objects', i, where[0]],
          found: `${JSON.stringify(name)}: ${target}`,
          allowed: `${where[0] === 'on' ? 'an object or a fixture surface' : 'a container object or a fixture interior'} of this scene${closestList(closestNames(name, candidates, 3))}`,
        });
      }
    }
    if (o.yaw[0] > o.yaw[1]) {
      out.push({ path: ['objects', i, 'yaw'], found: `${describe(o.yaw)} (min > max)`, allowed: 'a yaw range [min, max] with min <= max' });
    }
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Task cross-checks

interface SceneIndex {
  scene: SceneSpec;
  objects: Map<string, string>; // id -> kind
  fixtures: Map<string, FixtureKind>; // id -> kind
}

function indexScene(scene: SceneSpec): SceneIndex {
  return {
    scene,
    objects: new Map(scene.objects.map((o) => [o.id, o.kind])),
    fixtures: new Map(scene.fixtures.map((f) => [f.id, f.kind])),
  };
}

function idsWhere(ix: SceneIndex, pred: (id: string, kind: string, ref?: FixtureRef) => boolean): string[] {
  const out: string[] = [];
  for (const [id, k] of ix.objects) if (pred(id, k)) out.push(id);
  for (const name of fixtureRefNames(ix.scene.fixtures)) {
    const ref = resolveFixtureRef(ix.scene.fixtures, name)!;
    if (pred(name, ref.fixture.kind, ref)) out.push(name);
  }
  return out;
}

const isContainerKind = (kind: string) => lookupKind(kind)?.container !== undefined;
const isSupportKind = (kind: string) => lookupKind(kind)?.supportTop !== undefined || isContainerKind(kind);

/** What each argument role accepts: an object of some kind, or a fixture reference (fixture-refs.ts). */
const ROLE_RULE: Record<Exclude<ArgRole, 'distance'>, { desc: string; ok: (kind: string, ref?: FixtureRef) => boolean }> = {
  object: { desc: 'an object id', ok: (_k, r) => !r },
  graspable: { desc: 'a graspable object id', ok: (k, r) => !r && lookupKind(k)?.graspable === true },
  support: {
    desc: 'an object with a flat top or a container (plate, block, box, can, bowl, basket...), or a fixture\'s top or region (cabinet top_side, stove cook_region, wine rack...)',
    ok: (k, r) => (r ? r.region !== undefined || r.def.regions.top_side !== undefined : isSupportKind(k)),
  },
  container: {
    desc: 'a container object (bowl, basket) or a fixture region with an interior (a drawer, a caddy compartment)',
    ok: (k, r) => (r ? r.region?.type === 'interior' : isContainerKind(k)),
  },
  openable: { desc: 'a drawer or door: a cabinet, a cabinet drawer region, or a microwave', ok: (_k, r) => r?.part !== undefined && isOpenable(r.part) },
  switch: { desc: 'a switch: a button or a stove', ok: (_k, r) => r?.part !== undefined && isSwitch(r.part) },
  entity: { desc: 'an object or fixture id', ok: () => true },
  region: { desc: 'a region name', ok: () => false },
};

function checkArgRefs(atom: Atom, path: PropertyKey[], ix: SceneIndex, out: SpecIssue[]): void {
  const p = atom[0];
  const roles = PREDICATE_ARGS[p];
  const sceneName = JSON.stringify(ix.scene.name);
  roles.forEach((role, k) => {
    if (role === 'distance') return;
    const a = atom[k + 1] as string;
    const ap = [...path, k + 1];
    if (role === 'region') {
      const names = Object.keys(ix.scene.regions);
      if (!Object.prototype.hasOwnProperty.call(ix.scene.regions, a)) {
        out.push({ path: ap, found: JSON.stringify(a), allowed: `a region of scene ${sceneName}: ${quoteList(names)}${closestList(closestNames(a, names, 1))}` });
      }
      return;
    }
    const rule = ROLE_RULE[role];
    const ref = ix.objects.has(a) ? undefined : resolveFixtureRef(ix.scene.fixtures, a);
    const kind = ix.objects.get(a) ?? ref?.fixture.kind;
    const isFixture = ref !== undefined;
    if (kind === undefined) {
      const candidates = idsWhere(ix, (_id, kk, r) => rule.ok(kk, r));
      out.push({
        path: ap,
        found: `${JSON.stringify(a)} (no such id in scene ${sceneName})`,
        allowed: `${rule.desc} of scene ${sceneName}` + closestList(closestNames(a, candidates.length ? candidates : idsWhere(ix, () => true), 5)),
      });
      return;
    }
    if (!rule.ok(kind, ref)) {
      const candidates = idsWhere(ix, (_id, kk, r) => rule.ok(kk, r));
      out.push({
        path: ap,
        found: `${JSON.stringify(a)} (${isFixture ? 'a fixture' : 'an object'} of kind ${kind})`,
        allowed: `${p}'s argument ${k + 1}: ${rule.desc}; in scene ${sceneName}: ${quoteList(candidates)}`,
      });
    }
  });
  if ((p === 'On' || p === 'In' || p === 'Near') && atom[1] === atom[2]) {
    out.push({ path: [...path, 2], found: `${JSON.stringify(atom[2])} (the same id as argument 1)`, allowed: `${p} between two different ids` });
  }
}

function walkFormulaRefs(f: Formula, path: PropertyKey[], ix: SceneIndex, out: SpecIssue[]): void {
  const head = f[0];
  if (head === 'And' || head === 'Or' || head === 'Not') {
    for (let k = 1; k < f.length; k++) walkFormulaRefs(f[k] as Formula, [...path, k], ix, out);
    return;
  }
  checkArgRefs(f as Atom, path, ix, out);
}

/** Checks a structurally valid task against a (valid) scene: ids, regions, predicate argument kinds. */
export function checkTaskRefs(task: TaskSpec, scene: SceneSpec): SpecIssue[] {
  const out: SpecIssue[] = [];
  const ix = indexScene(scene);
  if (task.scene !== scene.name) {
    out.push({ path: ['scene'], found: JSON.stringify(task.scene), allowed: `the name of the scene checked against: ${JSON.stringify(scene.name)}` });
  }
  const state = new Map<string, { value: string; index: number }>();
  task.init.forEach((atom, i) => {
    checkArgRefs(atom, ['init', i], ix, out);
    const id = atom[1] as string;
    const prev = state.get(id);
    if (prev && prev.value !== atom[0]) {
      out.push({ path: ['init', i], found: `${describe(atom)} (contradicts init[${prev.index}] ${JSON.stringify(prev.value)})`, allowed: 'at most one state per fixture' });
    } else state.set(id, { value: atom[0], index: i });
  });
  walkFormulaRefs(task.goal, ['goal'], ix, out);
  const seen = new Set<string>();
  task.objectsOfInterest.forEach((id, i) => {
    if (!ix.objects.has(id) && !resolveFixtureRef(scene.fixtures, id)) {
      out.push({
        path: ['objectsOfInterest', i],
        found: `${JSON.stringify(id)} (no such id in scene ${JSON.stringify(scene.name)})`,
        allowed: `an object or fixture id of the scene${closestList(closestNames(id, idsWhere(ix, () => true), 5))}`,
      });
    } else if (seen.has(id)) {
      out.push({ path: ['objectsOfInterest', i], found: `${JSON.stringify(id)} (listed twice)`, allowed: 'each id once' });
    }
    seen.add(id);
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Entry points

export interface Checked<T> {
  value?: T;
  issues: SpecIssue[];
}

/** Validate a parsed JSON value as a scene: schema, then cross-references. */
export function checkScene(input: unknown): Checked<SceneSpec> {
  const r = SceneSchema.safeParse(input);
  if (!r.success) return { issues: specIssuesFromZod(input, r.error) };
  const scene = r.data as SceneSpec;
  const issues = checkSceneRefs(scene);
  return issues.length ? { issues } : { value: scene, issues };
}

/** Validate a parsed JSON value as a task: schema, formulas, then (with a scene) cross-references. */
export function checkTask(input: unknown, scene?: SceneSpec): Checked<TaskSpec> {
  const r = TaskSchema.safeParse(input);
  if (!r.success) return { issues: specIssuesFromZod(input, r.error) };
  const task = r.data as unknown as TaskSpec;
  const issues = scene ? checkTaskRefs(task, scene) : [];
  return issues.length ? { issues } : { value: task, issues };
}
