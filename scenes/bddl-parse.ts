// Reading a LIBERO BDDL problem file: the s-expression reader (every node keeps its line and column,
// so later errors can name them) and the problem's sections as plain records: the problem type,
// the language, the regions with every :ranges rectangle and :yaw_rotation pair, the fixture and
// object declarations (several names may share one category: `plate_1 plate_2 - plate`), the objects
// of interest and the :init / :goal expressions. Nothing here knows chaingap's scenes.
import { SpecError } from './errors.ts';

export type Sexp = SexpAtom | SexpList;
export interface SexpAtom { atom: string; line: number; col: number }
export interface SexpList { list: Sexp[]; line: number; col: number }

export const isList = (s: Sexp | undefined): s is SexpList => s !== undefined && 'list' in s;
/** The text of an atom, '' for a list or nothing. */
export const word = (s: Sexp | undefined): string => (s && !isList(s) ? s.atom : '');
/** SpecError's location of a node. */
export const where = (s: Sexp): { line: number; column: number } => ({ line: s.line, column: s.col });

/** Parse one s-expression (comments start with ';'). Errors name the line and column. */
export function readSexp(text: string, file: string): Sexp {
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

/** A region of the :regions section. */
export interface BddlRegion {
  name: string;
  /** What the region is on: the table fixture, another fixture or an object. */
  target: string;
  /** Every :ranges rectangle, (x_min y_min x_max y_max) relative to the workspace centre. */
  ranges: [number, number, number, number][];
  /** Every :yaw_rotation pair (min max), radians. */
  yaws: [number, number][];
  at: SexpList;
}

/** One declared name and its category. */
export interface BddlDecl { id: string; category: string; at: SexpAtom }

export interface BddlProblem {
  /** The problem type, e.g. "LIBERO_Kitchen_Tabletop_Manipulation". */
  problem: string;
  problemAt: Sexp;
  language: string;
  regions: BddlRegion[];
  fixtures: BddlDecl[];
  objects: BddlDecl[];
  objectsOfInterest: SexpAtom[];
  init: SexpList[];
  /** The goal expression, e.g. (And (In a b) (Close c)). */
  goal: Sexp;
  root: SexpList;
}

/** Parse a BDDL problem file into its sections. Errors name the line and column. */
export function parseBddl(text: string, file: string): BddlProblem {
  const root = readSexp(text, file);
  if (!isList(root) || word(root.list[0]) !== 'define') throw new SpecError(file, '', 'something other than (define ...)', '(define (problem NAME) ...)', where(root));
  const head = root.list[1];
  if (!isList(head) || word(head.list[0]) !== 'problem' || !word(head.list[1])) {
    throw new SpecError(file, '', 'no (problem NAME) after define', '(define (problem LIBERO_Kitchen_Tabletop_Manipulation) ...)', where(head ?? root));
  }
  const sections = new Map<string, SexpList>();
  for (const s of root.list.slice(2)) if (isList(s) && word(s.list[0]).startsWith(':')) sections.set(word(s.list[0]), s);
  const need = (k: string) => {
    const s = sections.get(k);
    if (!s) throw new SpecError(file, '', `no ${k} section`, `a (${k} ...) section`, where(root));
    return s;
  };
  const numbers = (s: Sexp, what: string, n: number): number[] => {
    if (!isList(s) || s.list.length !== n) throw new SpecError(file, '', `${isList(s) ? `${s.list.length} numbers` : `"${word(s)}"`} in ${what}`, `(${n} numbers) in parentheses`, where(s));
    const out = s.list.map((x) => Number(word(x)));
    const bad = out.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new SpecError(file, '', `"${word(s.list[bad]) || '(...)'}" in ${what}`, 'a number', where(s.list[bad]));
    return out;
  };
  const regions: BddlRegion[] = [];
  for (const r of sections.get(':regions')?.list.slice(1) ?? []) {
    if (!isList(r) || !word(r.list[0])) throw new SpecError(file, '', `"${word(r) || '(...)'}" in :regions`, '(region_name (:target NAME) (:ranges (...)) (:yaw_rotation (...)))', where(r));
    const name = word(r.list[0]);
    const region: BddlRegion = { name, target: '', ranges: [], yaws: [], at: r };
    for (const f of r.list.slice(1)) {
      if (!isList(f)) continue;
      const key = word(f.list[0]);
      if (key === ':target') region.target = word(f.list[1]);
      else if (key === ':ranges' || key === ':yaw_rotation') {
        const body = f.list[1];
        if (!isList(body)) throw new SpecError(file, '', `${key} of region "${name}" without its list`, `(${key} ((...) ...))`, where(f));
        for (const item of body.list) {
          if (key === ':ranges') {
            const [x0, y0, x1, y1] = numbers(item, `the :ranges of region "${name}"`, 4);
            if (x1 < x0 || y1 < y0) throw new SpecError(file, '', `the rectangle (${x0} ${y0} ${x1} ${y1}) in region "${name}"`, '(x_min y_min x_max y_max) with x_min <= x_max and y_min <= y_max', where(item));
            region.ranges.push([x0, y0, x1, y1]);
          } else {
            const [a, b] = numbers(item, `the :yaw_rotation of region "${name}"`, 2);
            region.yaws.push([a, b]);
          }
        }
      }
    }
    if (!region.target) throw new SpecError(file, '', `region "${name}" without a :target`, '(:target NAME) naming the table, a fixture or an object', where(r));
    regions.push(region);
  }
  // Declarations: names, then "-", then their category; repeated.
  const decls = (sec: SexpList | undefined): BddlDecl[] => {
    const out: BddlDecl[] = [];
    let names: SexpAtom[] = [];
    const items = sec?.list.slice(1) ?? [];
    for (let k = 0; k < items.length; k++) {
      const it = items[k];
      if (isList(it)) throw new SpecError(file, '', 'a parenthesised expression among declarations', 'declarations of the form "name ... - category"', where(it));
      if (it.atom === '-') {
        const cat = items[k + 1];
        if (!names.length) throw new SpecError(file, '', '"-" with no name before it', 'declarations of the form "name ... - category"', where(it));
        if (!cat || isList(cat) || cat.atom === '-') throw new SpecError(file, '', `no category after "-"`, 'declarations of the form "name ... - category"', where(cat ?? it));
        for (const n of names) out.push({ id: n.atom, category: cat.atom, at: n });
        names = [];
        k++;
      } else names.push(it);
    }
    if (names.length) throw new SpecError(file, '', `"${names[0].atom}" with no "- category" after it`, 'declarations of the form "name ... - category"', where(names[0]));
    return out;
  };
  const seen = new Map<string, BddlDecl>();
  const fixtures = decls(sections.get(':fixtures'));
  const objects = decls(need(':objects'));
  for (const d of [...fixtures, ...objects]) {
    const prev = seen.get(d.id);
    if (prev) throw new SpecError(file, '', `"${d.id}" declared twice (first at line ${prev.at.line})`, 'each name declared once', where(d.at));
    seen.set(d.id, d);
  }
  const goalSec = need(':goal');
  if (!goalSec.list[1]) throw new SpecError(file, '', 'an empty :goal', '(:goal (And (...) ...))', where(goalSec));
  const init: SexpList[] = [];
  for (const a of sections.get(':init')?.list.slice(1) ?? []) {
    if (!isList(a)) throw new SpecError(file, '', `"${word(a)}" in :init`, 'atoms in parentheses, e.g. (On plate_1 kitchen_table_plate_region)', where(a));
    init.push(a);
  }
  return {
    problem: word(head.list[1]),
    problemAt: head.list[1],
    language: need(':language').list.slice(1).map(word).join(' ').trim(),
    regions,
    fixtures,
    objects,
    objectsOfInterest: (sections.get(':obj_of_interest')?.list.slice(1) ?? []).filter((x): x is SexpAtom => !isList(x)),
    init,
    goal: goalSec.list[1],
    root,
  };
}
