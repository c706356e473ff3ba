// One table for the goal predicates: what each argument must name (checked by the schema), whether a
// task's init may use it, its LIBERO BDDL names (the importer), the task type a single atom of it is,
// and its symbolic rule (preconditions and effect, used by the chain model to plan and check chains).
// The table is a complete Record over PredicateName, so a new predicate does not compile until every
// column is filled; its evaluation on simulator state is the one other place (sim/predicates.ts,
// also a complete Record, since scenes/ cannot import the simulator).
import type { Atom, PredicateName, TaskType } from './types.ts';
import {
  applyIn, applyInRegion, applyOn, applyOpenClosed, applySwitch, roleOf,
  type Margins, type SceneFacts, type SymbolicState,
} from './chain-model.ts';

/** What each argument position of a predicate must name. */
export type ArgRole =
  | 'object' // an object id
  | 'support' // an object that others can be put on, or a fixture's top / surface region
  | 'container' // a container object or a fixture region with an interior
  | 'openable' // a drawer or door (a fixture, or a region it gives access to)
  | 'switch' // a button or a knob
  | 'entity' // any object or fixture id
  | 'graspable' // a graspable object
  | 'region' // a region name of the scene
  | 'distance'; // a number of metres

export interface PredicateInfo {
  roles: readonly ArgRole[];
  /** Allowed in a task's `init` (fixture states at reset). */
  init: boolean;
  /** LIBERO BDDL heads that import as this predicate (case-insensitive). */
  bddl: readonly string[];
  /** The task type of a chain step asking for one atom of it (undefined: not a chain-step goal). */
  taskType?: (facts: SceneFacts, atom: Atom) => TaskType;
  /** Symbolic rule: the state after the atom is made true, or why it cannot be (undefined: not a chain-step goal). */
  apply?: (facts: SceneFacts, s: SymbolicState, atom: Atom, m: Margins) => SymbolicState | string;
}

// Arrow wrappers: chain-model.ts imports this table, so its functions are referenced at call time.
const TABLE: Record<PredicateName, PredicateInfo> = {
  On: {
    roles: ['object', 'support'], init: false, bddl: ['On'],
    taskType: (f, [, , b]) => (f.blocks.includes(String(b)) || f.stackBases.includes(String(b)) ? 'stack' : 'pick_place'),
    apply: (f, s, a, m) => applyOn(f, s, a, m),
  },
  In: {
    roles: ['object', 'container'], init: false, bddl: ['In'],
    taskType: () => 'put_in',
    apply: (f, s, a, m) => applyIn(f, s, a, m),
  },
  InRegion: {
    roles: ['object', 'region'], init: false, bddl: [],
    // Box-shaped things are pushed there; others are carried.
    taskType: (f, [, a]) => (f.pushable.includes(String(a)) ? 'push_to_region' : 'pick_place'),
    apply: (f, s, a, m) => applyInRegion(f, s, a, m),
  },
  Open: {
    roles: ['openable'], init: true, bddl: ['Open'],
    taskType: (f, [, x]) => (roleOf(f, String(x)) === 'door' ? 'open_door' : 'open_drawer'),
    apply: (f, s, a, m) => applyOpenClosed(f, s, a, m),
  },
  Closed: {
    roles: ['openable'], init: true, bddl: ['Close', 'Closed'],
    taskType: (f, [, x]) => (roleOf(f, String(x)) === 'door' ? 'close_door' : 'close_drawer'),
    apply: (f, s, a, m) => applyOpenClosed(f, s, a, m),
  },
  TurnedOn: {
    roles: ['switch'], init: true, bddl: ['TurnOn'],
    taskType: (f, [, x]) => (roleOf(f, String(x)) === 'knob' ? 'turn_knob' : 'press_button'),
    apply: (f, s, a, m) => applySwitch(f, s, a, m),
  },
  TurnedOff: {
    roles: ['switch'], init: true, bddl: ['TurnOff'],
    taskType: (f, [, x]) => (roleOf(f, String(x)) === 'knob' ? 'turn_knob' : 'press_button'),
    apply: (f, s, a, m) => applySwitch(f, s, a, m),
  },
  Grasped: { roles: ['graspable'], init: false, bddl: ['Up', 'Grasped'] },
  Upright: { roles: ['object'], init: false, bddl: [] },
  Near: { roles: ['object', 'entity', 'distance'], init: false, bddl: [] },
};
export const PREDICATE_TABLE: Readonly<Record<PredicateName, PredicateInfo>> = Object.freeze(TABLE);

export const PREDICATE_NAMES = Object.freeze(Object.keys(PREDICATE_TABLE) as PredicateName[]);
/** Predicates a chain step's goal may use. */
export const CHAIN_STEP_PREDICATES = Object.freeze(PREDICATE_NAMES.filter((p) => PREDICATE_TABLE[p].apply));
/** Predicates allowed in a task's `init`. */
export const INIT_PREDICATE_NAMES = Object.freeze(PREDICATE_NAMES.filter((p) => PREDICATE_TABLE[p].init));

/** The predicate a LIBERO BDDL head names (case-insensitive), if any. */
export function predicateForBddl(head: string): PredicateName | undefined {
  const h = head.toLowerCase();
  return PREDICATE_NAMES.find((p) => PREDICATE_TABLE[p].bddl.some((b) => b.toLowerCase() === h));
}
