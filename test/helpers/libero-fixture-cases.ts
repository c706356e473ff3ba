// One small scene per operation of LIBERO's fixture kinds, for the expert: a fixture facing the robot,
// one object to carry, and a one-step chain whose goal names the fixture the way LIBERO's BDDL does
// (`wooden_cabinet_1_top_region`, `flat_stove_1_cook_region`, ...). Used by the fixture test and by
// scripts/libero-fixture-rate.ts.
import { parseChains } from '../../scenes/chains.ts';
import type { Atom, ChainSpec, FixtureKind, Formula, SceneSpec } from '../../scenes/types.ts';
import { Env } from '../../sim/env.ts';
import { ExpertPolicy } from '../../policies/expert.ts';
import { runChain } from '../../runner/chains/chain.ts';

export interface FixtureCase {
  name: string;
  fixture: FixtureKind;
  /** Fixture position and yaw. */
  at?: [number, number, number];
  object?: { kind: string; pos?: [number, number]; yaw?: number };
  init: Atom[];
  goal: Formula;
  /** Check the chain under LIBERO's rules (scenes/chain-model.ts LIBERO_MARGINS: shelf layers are reached from the front). */
  rules?: 'libero';
}

function scene(c: FixtureCase): SceneSpec {
  const [x, y, yaw] = c.at ?? [0.68, 0.2, 0];
  const obj = c.object;
  return {
    name: c.name,
    table: { size: [1.0, 1.2], center: [0.55, 0], friction: 0.7, color: [0.62, 0.47, 0.33] },
    regions: obj ? { obj_init: { center: obj.pos ?? [0.42, -0.2], halfExtents: [0.02, 0.02] } } : {},
    fixtures: [{ id: `${c.fixture}_1`, kind: c.fixture, pos: [x, y], yaw }],
    objects: obj ? [{ id: 'obj', kind: obj.kind, region: 'obj_init', yaw: [obj.yaw ?? 0, obj.yaw ?? 0] }] : [],
  };
}

export function fixtureChain(c: FixtureCase): ChainSpec {
  const s = scene(c);
  const raw = {
    name: c.name, scene: s, init: c.init, ...(c.rules ? { rules: c.rules } : {}),
    steps: [{ name: c.name, type: 'pick_place', instruction: c.name.replace(/_/g, ' '), paraphrases: [], init: c.init, goal: c.goal, maxSteps: 400, objectsOfInterest: [] }],
  };
  const [chain] = parseChains(JSON.parse(JSON.stringify(raw)), `${c.name}.json`);
  return chain;
}

export async function runFixtureCase(c: FixtureCase, seed: number): Promise<{ success: boolean; steps: number; label?: string }> {
  const chain = fixtureChain(c);
  const env = new Env();
  try {
    const r = await runChain(env, new ExpertPolicy(env.privileged), chain, { runId: 'fixture', mode: 'strict', seed, repeat: 0, policySeed: seed });
    const st = r.steps[0];
    return { success: st.success, steps: st.steps, label: st.failure ?? undefined };
  } finally {
    env.close();
  }
}

/** Every operation of LIBERO's fixture kinds that the expert does (from above, or into a shelf layer from the front). */
export function libraryFixtureCases(): FixtureCase[] {
  const out: FixtureCase[] = [];
  for (const kind of ['wooden_cabinet', 'white_cabinet'] as const) {
    const f = `${kind}_1`;
    for (const level of ['top', 'middle', 'bottom']) {
      out.push({ name: `${kind}_open_${level}`, fixture: kind, init: [], goal: ['Open', `${f}_${level}_region`] });
      out.push({ name: `${kind}_close_${level}`, fixture: kind, init: [['Open', `${f}_${level}_region`]], goal: ['Closed', `${f}_${level}_region`] });
    }
    out.push({ name: `${kind}_butter_in_top`, fixture: kind, object: { kind: 'butter' }, init: [['Open', `${f}_top_region`]], goal: ['In', 'obj', `${f}_top_region`] });
    out.push({ name: `${kind}_butter_in_bottom`, fixture: kind, object: { kind: 'butter' }, init: [['Open', `${f}_bottom_region`]], goal: ['In', 'obj', `${f}_bottom_region`] });
    out.push({ name: `${kind}_butter_on_top_side`, fixture: kind, object: { kind: 'butter' }, init: [], goal: ['On', 'obj', `${f}_top_side`] });
  }
  // LIBERO stands its cabinets sideways on either side of the table, fronts towards the centre line.
  for (const [side, y, yaw] of [['right', -0.3, -Math.PI / 2], ['left', 0.29, Math.PI / 2]] as const) {
    for (const level of ['top', 'middle', 'bottom']) {
      out.push({ name: `wooden_cabinet_${side}_open_${level}`, fixture: 'wooden_cabinet', at: [0.66, y, yaw], init: [], goal: ['Open', `wooden_cabinet_1_${level}_region`] });
    }
  }
  out.push({ name: 'stove_turn_on', fixture: 'flat_stove', init: [], goal: ['TurnedOn', 'flat_stove_1'] });
  out.push({ name: 'stove_turn_off', fixture: 'flat_stove', init: [['TurnedOn', 'flat_stove_1']], goal: ['TurnedOff', 'flat_stove_1'] });
  out.push({ name: 'stove_butter_on_cook_region', fixture: 'flat_stove', object: { kind: 'butter' }, init: [], goal: ['On', 'obj', 'flat_stove_1_cook_region'] });
  out.push({ name: 'wine_rack_bottle_in_top_region', fixture: 'wine_rack', object: { kind: 'wine_bottle' }, init: [], goal: ['On', 'obj', 'wine_rack_1_top_region'] });
  for (const side of ['left', 'right', 'front', 'back']) {
    out.push({ name: `caddy_butter_in_${side}`, fixture: 'desk_caddy', at: [0.62, 0.12, 0], object: { kind: 'butter' }, init: [], goal: ['In', 'obj', `desk_caddy_1_${side}_contain_region`] });
  }
  out.push({ name: 'shelf_butter_on_top_side', fixture: 'wooden_two_layer_shelf', object: { kind: 'butter' }, init: [], goal: ['On', 'obj', 'wooden_two_layer_shelf_1_top_side'] });
  // Into a shelf layer from the front (the shelf on the robot's right, facing the table's centre line).
  // A pan beside the shelf, its handle away from it: the rim opposite the handle is too near the shelf
  // for the palm, so the expert first pushes the pan away (KITCHEN_SCENE9's layout, moved).
  out.push({ name: 'shelf_pan_beside_it_on_top_side', fixture: 'wooden_two_layer_shelf', at: [0.62, -0.3, -Math.PI / 2], object: { kind: 'chefmate_8_frypan', pos: [0.6, 0.03], yaw: Math.PI / 2 }, init: [], goal: ['On', 'obj', 'wooden_two_layer_shelf_1_top_side'] });
  out.push({ name: 'shelf_book_in_top_region', fixture: 'wooden_two_layer_shelf', at: [0.62, -0.3, -Math.PI / 2], object: { kind: 'black_book', pos: [0.5, 0.08], yaw: 0 }, init: [], goal: ['In', 'obj', 'wooden_two_layer_shelf_1_top_region'], rules: 'libero' });
  return out;
}
