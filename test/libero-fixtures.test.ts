// LIBERO's fixture kinds: every operation a hand from above can do (each drawer of both cabinets, the
// stove's knob and cook region, the wine rack, the caddy's four compartments, the tops), done by the
// scripted expert through env.step, with goals naming regions the way LIBERO's BDDL does; and the
// reference rules (bare ids, regions, parts) every layer resolves the same way.
import { describe, expect, it } from 'vitest';
import { FIXTURE_DEFS } from '../scenes/fixture-defs.ts';
import { fixtureRefNames, partKey, refPartKey, resolveFixtureRef } from '../scenes/fixture-refs.ts';
import { applyAtom, initialState, sceneFacts } from '../scenes/chain-model.ts';
import type { SceneSpec } from '../scenes/types.ts';
import { Env } from '../sim/env.ts';
import { placeObject } from './helpers/place.ts';
import { fixtureChain, libraryFixtureCases, runFixtureCase } from './helpers/libero-fixture-cases.ts';

describe('fixture references', () => {
  const fixtures = [{ id: 'wooden_cabinet_1', kind: 'wooden_cabinet' as const, pos: [0.7, 0.2] as [number, number], yaw: 0 }];

  it('a drawer region names its drawer; a bare id names the default part and region; unknown names resolve to nothing', () => {
    const mid = resolveFixtureRef(fixtures, 'wooden_cabinet_1_middle_region')!;
    expect(mid.regionName).toBe('middle_region');
    expect(mid.part?.name).toBe('middle_drawer');
    expect(refPartKey(mid)).toBe('wooden_cabinet_1_middle_drawer');
    const bare = resolveFixtureRef(fixtures, 'wooden_cabinet_1')!;
    expect([bare.regionName, bare.part?.name]).toEqual(['top_region', 'top_drawer']);
    expect(resolveFixtureRef(fixtures, 'wooden_cabinet_1_top_side')!.part).toBeUndefined();
    expect(resolveFixtureRef(fixtures, 'wooden_cabinet_1_attic')).toBeUndefined();
    expect(resolveFixtureRef(fixtures, 'wooden_cabinet')).toBeUndefined();
    expect(fixtureRefNames(fixtures)).toContain('wooden_cabinet_1_bottom_region');
    // One-part fixtures keep the fixture id as the state key (chaingap's own scenes and chains).
    expect(partKey('cabinet', FIXTURE_DEFS.cabinet, 'drawer')).toBe('cabinet');
  });

  it('the chain model opens the drawer a region names, and refuses what a hand from above cannot do', () => {
    const scene = {
      name: 's', table: { size: [1, 1.2] as [number, number], center: [0.55, 0] as [number, number], friction: 0.7, color: [0.6, 0.5, 0.3] as [number, number, number] },
      regions: { a: { center: [0.4, -0.2] as [number, number], halfExtents: [0.02, 0.02] as [number, number] } },
      fixtures: [...fixtures, { id: 'shelf_1', kind: 'wooden_two_layer_shelf' as const, pos: [0.6, -0.3] as [number, number], yaw: 0 }],
      objects: [{ id: 'butter_1', kind: 'butter', region: 'a', yaw: [0, 0] as [number, number] }],
    };
    const facts = sceneFacts(scene);
    const s0 = initialState(facts, [['Open', 'wooden_cabinet_1_bottom_region']]);
    expect(s0.fixtures).toMatchObject({ wooden_cabinet_1_bottom_drawer: 'open', wooden_cabinet_1_top_drawer: 'closed' });
    expect(applyAtom(facts, s0, ['In', 'butter_1', 'wooden_cabinet_1_top_region'])).toMatch(/drawer of "wooden_cabinet_1_top_region" is closed/);
    const s1 = applyAtom(facts, s0, ['In', 'butter_1', 'wooden_cabinet_1_bottom_region']);
    expect(typeof s1).toBe('object');
    expect(applyAtom(facts, s0, ['In', 'butter_1', 'shelf_1_bottom_region'])).toMatch(/cannot be reached from above/);
    expect(applyAtom(facts, s0, ['Open', 'wooden_cabinet_1_bottom_region'])).toMatch(/already open/);
  });

  it('a drawer opened by an init atom naming its region is open at reset, the others closed', async () => {
    const c = libraryFixtureCases().find((x) => x.name === 'wooden_cabinet_butter_in_bottom')!;
    const chain = fixtureChain(c);
    const env = new Env();
    try {
      await env.reset({ seed: 0, task: { ...chain.steps[0], init: chain.init }, scene: chain.sceneSpec });
      expect(env.holds(['Open', 'wooden_cabinet_1_bottom_region'])).toBe(true);
      expect(env.holds(['Closed', 'wooden_cabinet_1_top_region'])).toBe(true);
      expect(env.holds(['Closed', 'wooden_cabinet_1'])).toBe(true);
      expect(env.privileged.fixture('wooden_cabinet_1_bottom_region').value).toBeCloseTo(0.15, 2);
    } finally {
      env.close();
    }
  });
});

describe('InRegion with several rectangles (LIBERO\'s several :ranges)', () => {
  it('holds for a box resting in either rectangle and not between them', async () => {
    const scene = {
      name: 'two_rects', table: { size: [1, 1.2] as [number, number], center: [0.55, 0] as [number, number], friction: 0.7, color: [0.6, 0.5, 0.3] as [number, number, number] },
      regions: {
        start: { center: [0.4, -0.3] as [number, number], halfExtents: [0.01, 0.01] as [number, number] },
        goal: { center: [0.5, 0.1] as [number, number], halfExtents: [0.03, 0.03] as [number, number], extra: [{ center: [0.5, 0.3] as [number, number], halfExtents: [0.03, 0.03] as [number, number] }] },
      },
      fixtures: [],
      objects: [{ id: 'box', kind: 'butter', region: 'start', yaw: [0, 0] as [number, number] }],
    };
    const task = { name: 't', scene: 'two_rects', type: 'push_to_region' as const, instruction: 'x', paraphrases: [], init: [], goal: ['InRegion', 'box', 'goal'] as ['InRegion', string, string], maxSteps: 10, objectsOfInterest: ['box'] };
    const env = new Env();
    try {
      await env.reset({ seed: 0, task, scene });
      const settleAt = (x: number, y: number) => {
        placeObject(env, 'box', [x, y, 0.0005]);
        for (let i = 0; i < 10; i++) env.step([0, 0, 0, 0, 0, 0, -1]);
        return env.holds(['InRegion', 'box', 'goal']);
      };
      expect(settleAt(0.5, 0.3)).toBe(true);
      expect(settleAt(0.5, 0.1)).toBe(true);
      expect(settleAt(0.5, 0.2)).toBe(false);
    } finally {
      env.close();
    }
  });
});

describe('the expert on LIBERO fixtures', () => {
  for (const c of libraryFixtureCases()) {
    it(c.name, async () => {
      const r = await runFixtureCase(c, 3);
      expect(r.success, `${c.name}: ${r.label ?? ''}`).toBe(true);
    });
  }
});

describe('layouts around a drawer a task starts open', () => {
  it('objects are never placed where the open drawer stands (LIBERO places things in front of cabinets)', async () => {
    // A region right in front of the cabinet, half of it inside the bottom drawer's travel.
    const c = libraryFixtureCases().find((x) => x.name === 'wooden_cabinet_butter_in_bottom')!;
    const chain = fixtureChain({ ...c, object: { kind: 'wine_bottle', pos: [0.45, 0.2] } });
    const base = chain.sceneSpec as SceneSpec;
    const scene: SceneSpec = {
      ...base,
      regions: { obj_init: { center: [0.4, 0.2], halfExtents: [0.08, 0.1] } },
      objects: base.objects.map((o) => ({ ...o, clearance: 'footprint' as const })),
    };
    const env = new Env();
    try {
      for (let seed = 0; seed < 12; seed++) {
        await env.reset({ seed, task: { ...chain.steps[0], init: chain.init }, scene });
        expect(env.holds(['Open', 'wooden_cabinet_1_bottom_region'])).toBe(true);
        expect(env.privileged.contacts('obj').has('wooden_cabinet_1'), `seed ${seed}`).toBe(false);
        expect(env.holds(['Upright', 'obj']), `seed ${seed}`).toBe(true);
      }
    } finally {
      env.close();
    }
  });
});
