// Turning a chain step's goal atom into a task: a name, an instruction in LIBERO's plain style,
// three paraphrases (for prompt sensitivity), a step budget and the fixture init a LIBERO-style reset
// of the same task needs.
import type { SceneFacts, SymbolicState } from './chain-model.ts';
import { partKeyOf, taskTypeOf } from './chain-model.ts';
import { resolveFixtureRef } from './fixture-refs.ts';
import type { Atom, TaskSpec, TaskType } from './types.ts';

/** Control-step budget per task type (20 Hz): the shipped tasks' budgets. */
export const STEP_BUDGET: Record<TaskType, number> = {
  pick_place: 300, put_in: 300, stack: 300, push_to_region: 300,
  open_drawer: 250, close_drawer: 250, open_door: 250, close_door: 250, press_button: 250, turn_knob: 250,
};

function words(facts: SceneFacts, id: string): string {
  if (id in facts.kinds) return facts.kinds[id].name;
  const r = resolveFixtureRef(facts.scene.fixtures, id);
  if (!r) return id.replace(/_/g, ' ');
  const noun = r.def.noun;
  const name = id === r.fixture.id ? undefined : r.regionName;
  if (!name) return noun;
  if (name === 'top_side') return `top of the ${noun}`;
  if (r.part?.role === 'drawer' && r.def.parts.length > 1) return `${name.replace(/_region$/, '')} drawer of the ${noun}`;
  if (name.endsWith('_contain_region')) return `${name.replace(/_contain_region$/, '')} compartment of the ${noun}`;
  if (name === 'top_region' && r.def.kind === 'wooden_two_layer_shelf') return `upper shelf of the ${noun}`;
  if (name === 'bottom_region' && r.def.kind === 'wooden_two_layer_shelf') return `lower shelf of the ${noun}`;
  return noun;
}

function zoneWords(region: string): string {
  return region.replace(/_?zone$/, '').replace(/_/g, ' ') || region;
}

/** Phrasings per task: the training phrasing, then ten more, ordered by distance from it. */
export const PHRASINGS_PER_TASK = 11;
/**
 * Distance tiers of the phrasings, in order (two each after the training phrasing): synonyms, word
 * order, terse, verbose, and referring to objects by colour or by position instead of by name.
 */
export const PHRASING_TIERS = ['training', 'synonym', 'synonym', 'order', 'order', 'terse', 'terse', 'verbose', 'verbose', 'colour', 'position'] as const;

const COLOURS: [string, [number, number, number]][] = [
  ['red', [0.8, 0.1, 0.1]], ['green', [0.1, 0.6, 0.2]], ['blue', [0.1, 0.2, 0.8]], ['yellow', [0.95, 0.85, 0.3]],
  ['orange', [0.95, 0.5, 0.1]], ['white', [0.92, 0.92, 0.9]], ['black', [0.08, 0.08, 0.08]], ['brown', [0.5, 0.3, 0.15]],
  ['grey', [0.55, 0.55, 0.55]], ['purple', [0.5, 0.2, 0.6]], ['pink', [0.95, 0.6, 0.7]],
];

/** The nearest colour name of an object kind's colour. */
export function colourName(rgb: readonly number[]): string {
  let best = COLOURS[0][0], d = Infinity;
  for (const [name, c] of COLOURS) {
    const e = (c[0] - rgb[0]) ** 2 + (c[1] - rgb[1]) ** 2 + (c[2] - rgb[2]) ** 2;
    if (e < d) { d = e; best = name; }
  }
  return best;
}

/** Where an object starts, in words from the robot's point of view (+y is its left). */
function placeWords(facts: SceneFacts, id: string): string {
  const h = facts.home[id] ?? facts.scene.fixtures.find((f) => f.id === id)?.pos;
  if (!h) return 'on the table';
  if (h[1] > 0.12) return 'on the left';
  if (h[1] < -0.12) return 'on the right';
  return h[0] < 0.5 ? 'in front' : 'at the back';
}

function phrasings(facts: SceneFacts, atom: Atom): string[] {
  const [p, x, y] = atom;
  const A = String(x), B = y === undefined ? '' : String(y);
  const a = words(facts, A);
  const b = words(facts, B);
  const col = (id: string) => (id in facts.kinds ? `${colourName(facts.kinds[id].color)} ${facts.kinds[id].graspable ? 'thing' : 'dish'}` : words(facts, id));
  const pos = (id: string) => `${id in facts.kinds && facts.kinds[id].graspable ? 'object' : 'one'} ${placeWords(facts, id)}`;
  const type = taskTypeOf(facts, atom);
  switch (type) {
    case 'stack':
    case 'pick_place':
      return [
        type === 'stack' ? `stack the ${a} on the ${b}` : `put the ${a} on the ${b}`,
        `place the ${a} on the ${b}`, `set the ${a} down on top of the ${b}`,
        `onto the ${b}, put the ${a}`, `the ${a} goes on the ${b}`,
        `${a} on ${b}`, `${a} onto the ${b}, please`,
        `could you pick up the ${a} and carefully set it down on top of the ${b}`,
        `I would like the ${a} to end up resting on the ${b}; please move it there`,
        `put the ${col(A)} on the ${col(B)}`,
        `put the ${pos(A)} on the ${b}`,
      ];
    case 'put_in': {
      const into = b;
      const intoCol = B in facts.kinds ? col(B) : `open ${b}`;
      return [
        `put the ${a} in the ${into}`,
        `place the ${a} inside the ${into}`, `drop the ${a} into the ${into}`,
        `into the ${into}, put the ${a}`, `the ${a} goes in the ${into}`,
        `${a} in ${into}`, `${a} into the ${into}, please`,
        `could you pick up the ${a} and put it down inside the ${into}`,
        `I would like the ${a} to be stored in the ${into}; please move it there`,
        `put the ${col(A)} in the ${intoCol}`,
        `put the ${pos(A)} in the ${into}`,
      ];
    }
    case 'push_to_region': {
      const z = zoneWords(B);
      return [
        `push the ${a} to the ${z}`,
        `slide the ${a} to the ${z}`, `shove the ${a} over to the ${z}`,
        `to the ${z}, push the ${a}`, `the ${a} should be pushed to the ${z}`,
        `${a} to the ${z}`, `push ${a} ${z}`,
        `without lifting it, could you slide the ${a} along the table until it sits in the ${z} area`,
        `I would like the ${a} moved over to the ${z} side of the table by pushing it`,
        `push the ${col(A)} to the ${z}`,
        `push the ${pos(A)} to the ${z}`,
      ];
    }
    case 'open_drawer':
    case 'close_drawer': {
      const v = type === 'open_drawer' ? 'open' : 'close';
      const pull = type === 'open_drawer' ? 'pull the cabinet drawer out' : 'push the cabinet drawer in';
      return [
        `${v} the drawer of the cabinet`,
        `${v} the cabinet drawer`, pull,
        `the drawer of the cabinet, ${v} it`, `the cabinet drawer should be ${type === 'open_drawer' ? 'open' : 'closed'}`,
        `${v} drawer`, `drawer ${type === 'open_drawer' ? 'open' : 'shut'}, please`,
        `could you take hold of the handle on the cabinet and ${type === 'open_drawer' ? 'slide the drawer all the way out' : 'slide the drawer all the way back in'}`,
        `I would like the drawer of the cabinet to be ${type === 'open_drawer' ? 'open' : 'shut'}; please take care of it`,
        `${v} the drawer of the grey cabinet`,
        `${v} the drawer ${placeWords(facts, A)}`,
      ];
    }
    case 'open_door':
    case 'close_door': {
      const v = type === 'open_door' ? 'open' : 'close';
      return [
        `${v} the ${a}`,
        `${v} the door of the ${a}`, `${type === 'open_door' ? 'swing open' : 'swing shut'} the ${a} door`,
        `the ${a}, ${v} it`, `the ${a} door should be ${type === 'open_door' ? 'open' : 'closed'}`,
        `${v} ${a}`, `${a} door ${type === 'open_door' ? 'open' : 'shut'}, please`,
        `could you take hold of the handle on the ${a} door and swing it ${type === 'open_door' ? 'wide open' : 'all the way closed'}`,
        `I would like the door of the ${a} to be ${type === 'open_door' ? 'open' : 'closed'}; please take care of it`,
        `${v} the grey box's door`,
        `${v} the door of the appliance ${placeWords(facts, A)}`,
      ];
    }
    case 'turn_knob':
      return p === 'TurnedOn'
        ? [
          `turn on the ${a}`,
          `switch on the ${a}`, `turn the ${a}'s knob on`,
          `the ${a}, turn it on`, `the ${a} should be on`,
          `${a} on`, `knob of ${a} on`,
          `could you take hold of the knob of the ${a} and turn it until the ${a} is on`,
          `I would like the ${a} to be turned on; please turn its knob`,
          `turn on the black ${a}`,
          `turn on the ${a} ${placeWords(facts, A)}`,
        ]
        : [
          `turn off the ${a}`,
          `switch off the ${a}`, `turn the ${a}'s knob back off`,
          `the ${a}, turn it off`, `the ${a} should be off`,
          `${a} off`, `knob of ${a} off`,
          `could you take hold of the knob of the ${a} and turn it back until the ${a} is off`,
          `I would like the ${a} to be off; please turn its knob back`,
          `turn off the black ${a}`,
          `turn off the ${a} ${placeWords(facts, A)}`,
        ];
    case 'press_button':
      return p === 'TurnedOn'
        ? [
          `press the ${a}`,
          `push the ${a}`, `turn on the ${a}`,
          `the ${a}, press it`, `the ${a} should be switched on`,
          `${a} on`, `press ${a}`,
          `could you press down on the ${a} once so that it switches on`,
          `I would like the ${a} to be turned on; please press it`,
          `press the round grey ${a}`,
          `press the ${a} ${placeWords(facts, A)}`,
        ]
        : [
          `press the ${a} again to turn it off`,
          `turn off the ${a}`, `switch the ${a} off`,
          `the ${a}, turn it off`, `the ${a} should be switched off`,
          `${a} off`, `press ${a} to switch off`,
          `could you press down on the ${a} once more so that it switches off`,
          `I would like the ${a} to be off; please press it again`,
          `turn off the round grey ${a}`,
          `turn off the ${a} ${placeWords(facts, A)}`,
        ];
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
    if (id in facts.kinds) continue;
    const key = partKeyOf(facts, id);
    const st = key === undefined ? undefined : before.fixtures[key];
    if (key !== undefined && st && st !== 'ajar' && !init.some((a) => a[1] === key)) init.push([({ open: 'Open', closed: 'Closed', on: 'TurnedOn', off: 'TurnedOff' } as const)[st], key]);
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
    objectsOfInterest: named.filter((id) => id in facts.kinds || resolveFixtureRef(facts.scene.fixtures, id) !== undefined),
  };
}
