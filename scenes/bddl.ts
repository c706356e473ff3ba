// LIBERO BDDL import: reads a problem file (`(define (problem ...) (:domain robosuite) (:language ...)
// (:regions ...) (:fixtures ...) (:objects ...) (:obj_of_interest ...) (:init ...) (:goal ...))`) and
// maps it onto a chaingap scene and task. Region ranges are (x_min y_min x_max y_max) in the table's
// frame, +x away from the robot, so they move by the table centre. LIBERO categories map onto the
// object library (same names, or the aliases below); an unknown one is an error naming the closest
// known categories, unless a stand-in is asked for. Predicates: In, On, Up (-> Grasped), Open,
// Close (-> Closed), TurnOn / TurnOff (-> TurnedOn / TurnedOff), under And. Errors name line and column.
import { SpecError } from './errors.ts';
import { OBJECT_KINDS, closestNames, getObjectKind } from './objects.ts';
import type { Atom, FixtureKind, FixtureSpec, Formula, ObjectPlacementSpec, PredicateName, SceneSpec, TaskSpec, TaskType } from './types.ts';

type Sexp = { atom: string; line: number; col: number } | { list: Sexp[]; line: number; col: number };

/** LIBERO category -> library kind, where the names differ. */
export const BDDL_ALIASES: Record<string, string> = {
  akita_black_bowl: 'bowl', black_bowl: 'bowl', white_bowl: 'bowl_white', porcelain_mug: 'mug', white_mug: 'mug',
  red_coffee_mug: 'mug_red', white_yellow_mug: 'mug', new_salad_dressing: 'salad_dressing', macaroni_and_cheese: 'cookies',
};
/** LIBERO fixture categories -> chaingap fixture kinds; tables are the scene's table. */
export const BDDL_FIXTURES: Record<string, FixtureKind | 'table'> = {
  kitchen_table: 'table', living_room_table: 'table', study_table: 'table', table: 'table',
  wooden_cabinet: 'cabinet', white_cabinet: 'cabinet', microwave: 'microwave',
};
/** Where the table centre sits in chaingap's world (the robot base is the origin). */
export const BDDL_TABLE_CENTRE: [number, number] = [0.55, 0];
/** The stand-in kind for an unknown graspable category (`standIn`), a mid-sized box. */
export const BDDL_STAND_IN = 'cookies';

export interface BddlImport {
  scene: SceneSpec;
  task: TaskSpec;
  /** Categories that got a stand-in, for the user to know. */
  standIns: Record<string, string>;
}

function tokenize(text: string, file: string): Sexp {
  let i = 0, line = 1, col = 1;
  const adv = () => { if (text[i] === '\n') { line++; col = 1; } else col++; i++; };
  const skip = () => {
    for (;;) {
      while (i < text.length && /\s/.test(text[i])) adv();
      if (text[i] === ';') { while (i < text.length && text[i] !== '\n') adv(); continue; }
      break;
    }
  };
  const read = (): Sexp => {
    skip();
    if (i >= text.length) throw new SpecError(file, '', 'the end of the file', 'a closing parenthesis', { line, column: col });
    const at = { line, col };
    if (text[i] === '(') {
      adv();
      const list: Sexp[] = [];
      for (;;) {
        skip();
        if (i >= text.length) throw new SpecError(file, '', `an unclosed "(" opened at line ${at.line}, column ${at.col}`, 'a matching ")"', { line, column: col });
        if (text[i] === ')') { adv(); return { list, ...at }; }
        list.push(read());
      }
    }
    if (text[i] === ')') throw new SpecError(file, '', 'an unexpected ")"', 'an expression', { line, column: col });
    let s = '';
    while (i < text.length && !/[\s()]/.test(text[i])) { s += text[i]; adv(); }
    return { atom: s, ...at };
  };
  const root = read();
  skip();
  if (i < text.length) throw new SpecError(file, '', 'text after the problem', 'one (define ...) expression', { line, column: col });
  return root;
}

const isList = (s: Sexp): s is Extract<Sexp, { list: Sexp[] }> => 'list' in s;
const word = (s: Sexp | undefined): string => (s && !isList(s) ? s.atom : '');
const where = (s: Sexp) => ({ line: s.line, column: s.col });

/** Parse a BDDL problem file's text into a scene and a task named `name`. */
export function importBddl(text: string, file: string, name: string, opts: { standIn?: boolean } = {}): BddlImport {
  const root = tokenize(text, file);
  if (!isList(root) || word(root.list[0]) !== 'define') throw new SpecError(file, '', 'something other than (define ...)', '(define (problem NAME) ...)', where(root));
  const sections = new Map<string, Extract<Sexp, { list: Sexp[] }>>();
  for (const s of root.list.slice(2)) if (isList(s) && word(s.list[0]).startsWith(':')) sections.set(word(s.list[0]), s);
  const need = (k: string) => {
    const s = sections.get(k);
    if (!s) throw new SpecError(file, '', `no ${k} section`, `a (${k} ...) section`, where(root));
    return s;
  };
  const language = need(':language').list.slice(1).map(word).join(' ').trim();
  const standIns: Record<string, string> = {};

  // Declarations "name - category".
  const decls = (sec: Extract<Sexp, { list: Sexp[] }>) => {
    const out: { id: string; cat: string; at: Sexp }[] = [];
    const items = sec.list.slice(1);
    for (let k = 0; k < items.length; k += 3) {
      if (k + 2 >= items.length || word(items[k + 1]) !== '-') throw new SpecError(file, '', `"${word(items[k + 1])}"`, 'declarations of the form "name - category"', where(items[k + 1] ?? items[k]));
      out.push({ id: word(items[k]), cat: word(items[k + 2]), at: items[k] });
    }
    return out;
  };
  const fixtures: FixtureSpec[] = [];
  const fixtureIds = new Map<string, FixtureKind>();
  let tableId = 'table';
  for (const d of decls(sections.get(':fixtures') ?? { list: [], line: 0, col: 0 })) {
    const kind = BDDL_FIXTURES[d.cat];
    if (!kind) {
      throw new SpecError(file, '', `fixture category "${d.cat}"`, `one of ${Object.keys(BDDL_FIXTURES).join(', ')} (closest: ${closestNames(d.cat, Object.keys(BDDL_FIXTURES), 3).join(', ')})`, where(d.at));
    }
    if (kind === 'table') tableId = d.id;
    else fixtureIds.set(d.id, kind);
  }
  const objects: { id: string; kind: string; at: Sexp }[] = [];
  const categories = [...new Set(Object.values(OBJECT_KINDS).map((k) => k.kind))];
  for (const d of decls(need(':objects'))) {
    let kind = BDDL_ALIASES[d.cat] ?? (d.cat in OBJECT_KINDS ? d.cat : undefined);
    if (!kind) {
      if (!opts.standIn) {
        throw new SpecError(file, '', `object category "${d.cat}" (of "${d.id}")`, `a category of the object library (closest: ${closestNames(d.cat, [...categories, ...Object.keys(BDDL_ALIASES)], 3).join(', ')}), or --stand-in for a stand-in`, where(d.at));
      }
      kind = BDDL_STAND_IN;
      standIns[d.cat] = kind;
    }
    objects.push({ id: d.id, kind, at: d.at });
  }

  // Regions on the table become scene regions; regions on objects or fixtures name them in goals.
  const regions: SceneSpec['regions'] = {};
  const regionYaw = new Map<string, [number, number]>();
  const regionTarget = new Map<string, string>();
  for (const r of (sections.get(':regions')?.list.slice(1) ?? []).filter(isList)) {
    const rname = word(r.list[0]);
    let target = '', ranges: number[] | null = null, yaw: [number, number] | null = null;
    for (const f of r.list.slice(1).filter(isList)) {
      const key = word(f.list[0]);
      if (key === ':target') target = word(f.list[1]);
      if (key === ':ranges' || key === ':yaw_rotation') {
        const first = (f.list[1] && isList(f.list[1]) ? f.list[1].list : []).find(isList);
        const nums = first ? first.list.map((x) => Number(word(x))) : [];
        if (nums.some((n) => !Number.isFinite(n))) throw new SpecError(file, '', `non-numeric ${key} in region "${rname}"`, 'numbers', where(f));
        if (key === ':ranges') ranges = nums;
        else yaw = [nums[0], nums[1]];
      }
    }
    regionTarget.set(rname, target);
    if (target === tableId && ranges) {
      if (ranges.length !== 4) throw new SpecError(file, '', `${ranges.length} numbers in the :ranges of "${rname}"`, '(x_min y_min x_max y_max)', where(r));
      const [x0, y0, x1, y1] = ranges;
      regions[rname] = {
        center: [BDDL_TABLE_CENTRE[0] + (x0 + x1) / 2, BDDL_TABLE_CENTRE[1] + (y0 + y1) / 2],
        halfExtents: [Math.max(0.001, Math.abs(x1 - x0) / 2), Math.max(0.001, Math.abs(y1 - y0) / 2)],
      };
      if (yaw) regionYaw.set(rname, yaw);
    }
  }
  /** The scene id a region or id stands for (basket_1_contain_region -> basket_1; cabinet_top_region -> cabinet). */
  const ids = new Set([...objects.map((o) => o.id), ...fixtureIds.keys()]);
  const resolveId = (s: string, at: Sexp): string => {
    if (ids.has(s)) return s;
    const target = regionTarget.get(s);
    if (target && ids.has(target)) return target;
    const prefix = [...ids].filter((id) => s.startsWith(`${id}_`)).sort((a, b) => b.length - a.length)[0];
    if (prefix) return prefix;
    throw new SpecError(file, '', `"${s}"`, `an object, a fixture or a region on one (known: ${[...ids].join(', ')})`, where(at));
  };

  const placements: ObjectPlacementSpec[] = [];
  const fixturePos = new Map<string, [number, number, number]>();
  const init: Atom[] = [];
  for (const a of (sections.get(':init')?.list.slice(1) ?? []).filter(isList)) {
    const p = word(a.list[0]).toLowerCase();
    const x = word(a.list[1]), y = word(a.list[2]);
    if (p === 'on') {
      const region = y.startsWith(`${tableId}_`) ? y.slice(tableId.length + 1) : y;
      if (!regions[region]) throw new SpecError(file, '', `(On ${x} ${y}) with no table region "${region}"`, 'a region declared in :regions on the table', where(a));
      const yaw = regionYaw.get(region) ?? [0, 0];
      if (fixtureIds.has(x)) {
        fixturePos.set(x, [regions[region].center[0], regions[region].center[1], yaw[0]]);
        delete regions[region];
      } else placements.push({ id: x, kind: objects.find((o) => o.id === x)?.kind ?? resolveId(x, a), region, yaw: [Math.min(...yaw), Math.max(...yaw)] });
    } else if (p === 'open' || p === 'close') {
      init.push([p === 'open' ? 'Open' : 'Closed', resolveId(x, a)]);
    } else if (p === 'turnon' || p === 'turnoff') {
      init.push([p === 'turnon' ? 'TurnedOn' : 'TurnedOff', resolveId(x, a)]);
    } else {
      throw new SpecError(file, '', `(${word(a.list[0])} ...) in :init`, 'On, Open, Close, TurnOn or TurnOff', where(a));
    }
  }
  for (const [id, kind] of fixtureIds) {
    const p = fixturePos.get(id);
    if (!p) throw new SpecError(file, '', `fixture "${id}" with no (On ${id} <table region>) in :init`, 'an init atom placing it on the table', where(root));
    // LIBERO fixtures face the robot with yaw pi; chaingap's face -x (the robot) at yaw 0.
    fixtures.push({ id, kind, pos: [p[0], p[1]], yaw: 0 });
  }

  const PRED: Record<string, PredicateName> = { in: 'In', on: 'On', up: 'Grasped', open: 'Open', close: 'Closed', turnon: 'TurnedOn', turnoff: 'TurnedOff' };
  const toAtom = (a: Sexp): Formula => {
    if (!isList(a)) throw new SpecError(file, '', `"${word(a)}" in :goal`, 'a predicate in parentheses', where(a));
    const head = word(a.list[0]).toLowerCase();
    if (head === 'and') return ['And', ...a.list.slice(1).map(toAtom)];
    const p = PRED[head];
    if (!p) throw new SpecError(file, '', `predicate "${word(a.list[0])}"`, `one of In, On, Up, Open, Close, TurnOn, TurnOff (under And)`, where(a));
    return [p, ...a.list.slice(1).map((x) => resolveId(word(x), x))] as Atom;
  };
  const goalSec = need(':goal');
  const goal = toAtom(goalSec.list[1] ?? goalSec);
  const interest = (sections.get(':obj_of_interest')?.list.slice(1) ?? []).map((x) => resolveId(word(x), x));
  const first = (goal[0] === 'And' ? goal[1] : goal) as Atom;
  const type: TaskType = first[0] === 'In' ? 'put_in' : first[0] === 'On' ? 'pick_place' : first[0] === 'Open' ? (fixtureIds.get(String(first[1])) === 'microwave' ? 'open_door' : 'open_drawer')
    : first[0] === 'Closed' ? (fixtureIds.get(String(first[1])) === 'microwave' ? 'close_door' : 'close_drawer') : 'press_button';
  for (const o of placements) getObjectKind(o.kind);
  const scene: SceneSpec = {
    name, description: `Imported from ${file} (LIBERO BDDL): ${language}`,
    table: { size: [0.9, 1.0], center: BDDL_TABLE_CENTRE, friction: 0.7, color: [0.62, 0.47, 0.33] },
    regions, fixtures, objects: placements,
  };
  const task: TaskSpec = { name, scene: name, type, instruction: language, paraphrases: [], init, goal, maxSteps: 300 * Math.max(1, goal[0] === 'And' ? goal.length - 1 : 1), objectsOfInterest: interest };
  return { scene, task, standIns };
}
