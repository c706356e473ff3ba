// Turning a chain step's goal atom into a task: a name, an instruction in LIBERO's plain style,
// three paraphrases (for prompt sensitivity), a step budget and the fixture init a LIBERO-style reset
// of the same task needs.
import type { SceneFacts, SymbolicState } from './chain-model.ts';
import { taskTypeOf } from './chain-model.ts';
import type { Atom, TaskSpec, TaskType } from './types.ts';

/** Control-step budget per task type (20 Hz): the shipped tasks' budgets. */
export const STEP_BUDGET: Record<TaskType, number> = {
  pick_place: 300, put_in: 300, stack: 300, push_to_region: 300,
  open_drawer: 250, close_drawer: 250, open_door: 250, close_door: 250, press_button: 250,
};

function words(facts: SceneFacts, id: string): string {
  if (id in facts.kinds) return facts.kinds[id].name;
  const kind = facts.fixtureKinds[id];
  return kind === 'cabinet' ? 'drawer' : kind ?? id.replace(/_/g, ' ');
}

function zoneWords(region: string): string {
  return region.replace(/_?zone$/, '').replace(/_/g, ' ') || region;
}

/** Instruction first, then three paraphrases. */
function phrasings(facts: SceneFacts, atom: Atom): string[] {
  const [p, x, y] = atom;
  const a = words(facts, String(x));
  const b = y === undefined ? '' : words(facts, String(y));
  const type = taskTypeOf(facts, atom);
  switch (type) {
    case 'stack':
      return [`stack the ${a} on the ${b}`, `put the ${a} on top of the ${b}`, `place the ${a} onto the ${b}`, `pick up the ${a} and set it on the ${b}`];
    case 'pick_place':
      return [`put the ${a} on the ${b}`, `place the ${a} on the ${b}`, `pick up the ${a} and set it down on the ${b}`, `move the ${a} onto the ${b}`];
    case 'put_in':
      if (String(y) in facts.fixtureKinds) {
        return [`put the ${a} in the drawer`, `place the ${a} inside the open drawer`, `pick up the ${a} and put it into the cabinet drawer`, `move the ${a} into the drawer`];
      }
      return [`put the ${a} in the ${b}`, `place the ${a} inside the ${b}`, `pick up the ${a} and drop it into the ${b}`, `move the ${a} into the ${b}`];
    case 'push_to_region': {
      const z = zoneWords(String(y));
      return [`push the ${a} to the ${z}`, `slide the ${a} to the ${z} side of the table`, `push the ${a} over to the ${z} zone`, `nudge the ${a} into the ${z} area`];
    }
    case 'open_drawer':
      return ['open the drawer of the cabinet', 'pull the cabinet drawer open', 'open the drawer', 'slide the drawer of the cabinet out'];
    case 'close_drawer':
      return ['close the drawer of the cabinet', 'push the cabinet drawer shut', 'close the drawer', 'slide the open drawer back into the cabinet'];
    case 'open_door':
      return [`open the ${a}`, `open the door of the ${a}`, `pull the ${a} door open`, `swing the ${a} door open`];
    case 'close_door':
      return [`close the ${a}`, `close the door of the ${a}`, `push the ${a} door shut`, `swing the ${a} door closed`];
    case 'press_button':
      return p === 'TurnedOn'
        ? [`press the ${a}`, `push the ${a} down`, `turn on the ${a}`, `press the ${a} on the table`]
        : [`press the ${a} again to turn it off`, `turn off the ${a}`, `push the ${a} to switch it off`, `press the ${a} so that it goes off`];
  }
}

/** A task name from a goal atom: the scene, the predicate and its arguments, e.g. kitchen_in_soup_bowl. */
export function stepTaskName(facts: SceneFacts, atom: Atom): string {
  const [p, ...args] = atom;
  const verb = ({ On: 'on', In: 'in', InRegion: 'push', Open: 'open', Closed: 'close', TurnedOn: 'turn_on', TurnedOff: 'turn_off' } as Record<string, string>)[p] ?? p.toLowerCase();
  return [facts.scene.name, verb, ...args.map(String)].join('_');
}

/**
 * The task for one chain step. `before` is the symbolic state the step starts from; the task's init
 * holds the state of the fixtures it names, so that running it alone from a fresh reset (the
 * controlled baseline) starts it the way the chain does.
 */
export function stepTask(facts: SceneFacts, atom: Atom, before: SymbolicState): TaskSpec {
  const [instruction, ...paraphrases] = phrasings(facts, atom);
  const named = atom.slice(1).map(String);
  const init: Atom[] = [];
  for (const id of named) {
    const st = before.fixtures[id];
    if (st && st !== 'ajar') init.push([({ open: 'Open', closed: 'Closed', on: 'TurnedOn', off: 'TurnedOff' } as const)[st], id]);
  }
  const type = taskTypeOf(facts, atom);
  return {
    name: stepTaskName(facts, atom),
    scene: facts.scene.name,
    type,
    instruction,
    paraphrases,
    init,
    goal: atom,
    maxSteps: STEP_BUDGET[type],
    objectsOfInterest: named.filter((id) => id in facts.kinds || id in facts.fixtureKinds),
  };
}
