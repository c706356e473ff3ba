// Chains as data: the generator only emits chains that can run start to end, deterministically; chain
// files written by hand are checked step by step, and an impossible step is an error naming it.
import { describe, expect, it } from 'vitest';
import { checkChainSolvable, generateChains, notRunnableAlone, parseChains } from '../scenes/chains.ts';
import { FILE_MARGINS, applyAtom, initialState, sceneFacts } from '../scenes/chain-model.ts';
import { PHRASINGS_PER_TASK } from '../scenes/chain-language.ts';
import { findScene } from '../scenes/load.ts';
import { SpecError } from '../scenes/errors.ts';

const kitchen = findScene('kitchen');

describe('chain generator', () => {
  const chains = generateChains({ scene: kitchen, count: 60, seed: 7 });

  it('is deterministic in the seed, and chain i does not depend on how many are asked for', () => {
    expect(generateChains({ scene: kitchen, count: 60, seed: 7 })).toEqual(chains);
    expect(generateChains({ scene: kitchen, count: 3, seed: 7 })).toEqual(chains.slice(0, 3));
    expect(generateChains({ scene: kitchen, count: 3, seed: 8 })).not.toEqual(chains.slice(0, 3));
  });

  it('takes a shipped scene by name, as runChains does; a bad name is the same SpecError as findScene\'s', () => {
    expect(generateChains({ scene: 'kitchen', count: 3, seed: 7 })).toEqual(chains.slice(0, 3));
    const err = (f: () => unknown) => { try { f(); } catch (e) { return e; } throw new Error('did not throw'); };
    const bad = err(() => generateChains({ scene: 'kitchn', count: 1, seed: 7 }));
    expect(bad).toBeInstanceOf(SpecError);
    expect((bad as Error).message).toBe((err(() => findScene('kitchn')) as Error).message);
    expect((bad as Error).message).toMatch(/kitchn.*kitchen/);
  });

  it('a private salt gives other chains, the same ones for anyone with the salt', () => {
    const salted = generateChains({ scene: kitchen, count: 5, seed: 7, salt: 'lab-secret' });
    expect(salted).toEqual(generateChains({ scene: kitchen, count: 5, seed: 7, salt: 'lab-secret' }));
    expect(salted.map((c) => c.steps.map((t) => t.name))).not.toEqual(chains.slice(0, 5).map((c) => c.steps.map((t) => t.name)));
  });

  it('emits 10-step chains that are solvable from the state the earlier steps leave, mixing task types', () => {
    const types = new Set<string>();
    for (const c of chains) {
      expect(c.steps).toHaveLength(10);
      expect(() => checkChainSolvable(c, kitchen)).not.toThrow();
      for (const t of c.steps) types.add(t.type);
    }
    expect([...types].sort()).toEqual(['close_drawer', 'open_drawer', 'pick_place', 'press_button', 'push_to_region', 'put_in', 'stack']);
  });

  it('never uses an object an earlier step put inside a container', () => {
    for (const c of chains) {
      const hidden = new Set<string>();
      for (const t of c.steps) {
        const [p, a] = t.goal as [string, string];
        if (p === 'On' || p === 'In' || p === 'InRegion') expect(hidden.has(a), `${c.name}: ${t.instruction}`).toBe(false);
        if (p === 'In') hidden.add(a);
      }
    }
  });

  it('uses only steps that can also run alone from a fresh reset (so each has a controlled baseline)', () => {
    const facts = sceneFacts(kitchen);
    for (const c of chains) for (const t of c.steps) expect(notRunnableAlone(facts, t), t.name).toBeNull();
  });

  it('gives every step ten distinct paraphrases after its training phrasing, ordered by distance tier', () => {
    for (const c of chains) for (const t of c.steps) {
      expect(t.paraphrases, t.name).toHaveLength(PHRASINGS_PER_TASK - 1);
      expect(new Set([t.instruction, ...t.paraphrases]).size, t.name).toBe(PHRASINGS_PER_TASK);
    }
    const put = chains.flatMap((c) => c.steps).find((t) => t.name === 'kitchen_on_soup_plate')!;
    expect(put.instruction).toBe('put the alphabet soup on the plate');
    expect(put.paraphrases[8]).toBe('put the red thing on the white dish');
    expect(put.paraphrases[9]).toMatch(/^put the object (at the back|in front|on the left|on the right) on the plate$/);
  });

  it('gives each step the fixture init a fresh reset of that task needs', () => {
    for (const c of chains) for (const t of c.steps) {
      if (t.type === 'close_drawer' || (t.type === 'put_in' && (t.goal as string[])[2] === 'cabinet')) expect(t.init).toEqual([['Open', 'cabinet']]);
      if (t.type === 'open_drawer') expect(t.init).toEqual([['Closed', 'cabinet']]);
    }
  });
});

describe('chain model', () => {
  const facts = sceneFacts(kitchen);
  it('knows what cannot be done and says why', () => {
    const s = initialState(facts);
    expect(applyAtom(facts, s, ['In', 'butter', 'cabinet'])).toMatch(/drawer of "cabinet" is closed/);
    expect(applyAtom(facts, s, ['In', 'soup', 'plate'])).toMatch(/not a container/);
    expect(applyAtom(facts, s, ['On', 'soup', 'red_block'])).toMatch(/not something "soup" can be put on/);
    const open = applyAtom(facts, s, ['Open', 'cabinet']);
    if (typeof open === 'string') throw new Error(open);
    expect(applyAtom(facts, open, ['In', 'soup', 'cabinet'])).toMatch(/0\.076 m tall/);
    const stacked = applyAtom(facts, s, ['On', 'red_block', 'blue_block']);
    if (typeof stacked === 'string') throw new Error(stacked);
    expect(applyAtom(facts, stacked, ['In', 'blue_block', 'bowl'])).toMatch(/"red_block" is on "blue_block"/);
    // A can is carried to a zone (not pushed), so it is possible; a soup in the open drawer cannot be closed over (file margins).
    expect(typeof applyAtom(facts, s, ['InRegion', 'soup', 'right_zone'])).toBe('object');
    const inDrawer = applyAtom(facts, open, ['In', 'soup', 'cabinet'], FILE_MARGINS);
    if (typeof inDrawer === 'string') throw new Error(inDrawer);
    expect(applyAtom(facts, inDrawer, ['Closed', 'cabinet'], FILE_MARGINS)).toMatch(/"soup" \(0\.076 m tall\) sticks out of "cabinet"/);
  });
});

describe('chain files', () => {
  it('accept shipped task names and task objects, deriving init from the chain state', () => {
    const [c] = parseChains({
      name: 'mine', scene: 'kitchen',
      steps: [
        { name: 'open_it', type: 'open_drawer', instruction: 'open the drawer', paraphrases: [], goal: ['Open', 'cabinet'], maxSteps: 250, objectsOfInterest: ['cabinet'] },
        { name: 'stash', type: 'put_in', instruction: 'put the butter in the drawer', paraphrases: [], goal: ['In', 'butter', 'cabinet'], maxSteps: 300, objectsOfInterest: ['butter', 'cabinet'] },
      ],
    }, 'mine.json');
    expect(c.steps[1].init).toEqual([['Open', 'cabinet']]);
    const shipped = parseChains({ name: 'c', scene: 'cabinet_counter', steps: ['cabinet_open_drawer', 'cabinet_press_button', 'cabinet_close_drawer'] }, 'c.json');
    expect(shipped[0].steps.map((t) => t.name)).toEqual(['cabinet_open_drawer', 'cabinet_press_button', 'cabinet_close_drawer']);
  });

  it('reject a chain that is not solvable, naming the step and the reason', () => {
    let err: unknown;
    try {
      parseChains([{ name: 'bad', scene: 'cabinet_counter', steps: ['cabinet_press_button', 'cabinet_close_drawer'] }], 'bad.json');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SpecError);
    const e = err as SpecError;
    expect(e.file).toBe('bad.json');
    expect(e.path).toBe('[0].steps[1].goal');
    expect(e.message).toMatch(/after steps 0-0 succeed: "cabinet" is already closed/);
  });

  it('reject a step that has no controlled baseline because it cannot run from a fresh reset', () => {
    const push = { name: 'p', type: 'push_to_region', instruction: 'push the red block to the right', paraphrases: [], goal: ['InRegion', 'red_block', 'right_zone'], maxSteps: 300, objectsOfInterest: ['red_block'] };
    const butterAway = { name: 'b', type: 'put_in', instruction: 'put the butter in the basket', paraphrases: [], goal: ['In', 'butter', 'basket'], maxSteps: 300, objectsOfInterest: ['butter', 'basket'] };
    const blueAway = { ...butterAway, name: 'u', instruction: 'put the blue block in the bowl', goal: ['In', 'blue_block', 'bowl'], objectsOfInterest: ['blue_block', 'bowl'] };
    expect(() => parseChains({ name: 'x', scene: 'kitchen', steps: [butterAway, blueAway, push] }, 'x.json'))
      .toThrow(/steps\[2\]\.goal.*cannot run alone from a fresh reset.*"blue_block" stands in the push path/);
  });

  it('reject unknown scenes, tasks and fields with the closest names', () => {
    expect(() => parseChains({ name: 'x', scene: 'kitchn', steps: ['a'] }, 'x.json')).toThrow(/kitchen/);
    expect(() => parseChains({ name: 'x', scene: 'cabinet_counter', steps: ['cabinet_open_drawr'] }, 'x.json')).toThrow(/steps\[0\].*cabinet_open_drawer/);
    expect(() => parseChains({ name: 'x', scene: 'kitchen', step: [] }, 'x.json')).toThrow(/step.*steps/);
  });
});
