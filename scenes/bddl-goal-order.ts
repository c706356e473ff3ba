// The order a BDDL goal's atoms are worked in. LIBERO checks a conjunction at the end, so a file may
// list "(In x drawer) (Close drawer)" or "(On a b) (In b tray)" in any order; chaingap's expert and
// chain model work the atoms one after the other, so each atom goes after the atoms it needs:
//  - Open(d) before putting anything In / On a region that d gives access to (a drawer, a door);
//  - putting something In / On a region behind d before Close(d);
//  - moving x (In / On / InRegion with x first) before putting anything On / In x (a bowl goes into the
//    tray before another bowl is stacked on it: once stacked, it cannot be picked up).
// Atoms no rule relates (TurnOn and On-stove, two drawers) keep the file's order: a stable topological
// sort that always takes the earliest ready atom.
import { refPartKey, resolveFixtureRef } from './fixture-refs.ts';
import type { Atom, FixtureSpec } from './types.ts';

/** The part (state key) an atom argument gives access to or names, if it names a fixture part or region. */
function accessKey(fixtures: readonly FixtureSpec[], name: string | number | undefined): string | undefined {
  if (typeof name !== 'string') return undefined;
  const ref = resolveFixtureRef(fixtures, name);
  return ref ? refPartKey(ref) : undefined;
}

/** True when atom `a` must be worked before atom `b`. */
function mustPrecede(fixtures: readonly FixtureSpec[], a: Atom, b: Atom): boolean {
  const places = (x: Atom) => x[0] === 'In' || x[0] === 'On';
  if (a[0] === 'Open' && places(b)) {
    const k = accessKey(fixtures, a[1]);
    return k !== undefined && k === accessKey(fixtures, b[2]);
  }
  if (places(a) && b[0] === 'Closed') {
    const k = accessKey(fixtures, b[1]);
    return k !== undefined && k === accessKey(fixtures, a[2]);
  }
  if ((places(a) || a[0] === 'InRegion') && places(b)) return a[1] === b[2];
  return false;
}

/** The indices of `atoms` in the order they are to be worked. Cycles (which no rule above makes) keep file order. */
export function goalOrder(atoms: readonly Atom[], fixtures: readonly FixtureSpec[]): number[] {
  const n = atoms.length;
  const before: number[][] = atoms.map(() => []);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j && mustPrecede(fixtures, atoms[i], atoms[j])) before[j].push(i);
  const done = new Set<number>();
  const out: number[] = [];
  while (out.length < n) {
    let next = -1;
    for (let j = 0; j < n && next < 0; j++) if (!done.has(j) && before[j].every((i) => done.has(i))) next = j;
    if (next < 0) next = [...Array(n).keys()].find((j) => !done.has(j))!;
    done.add(next);
    out.push(next);
  }
  return out;
}
