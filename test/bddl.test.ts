// LIBERO BDDL import: a problem file becomes a scene and a task that validate and run; unknown
// categories and syntax errors name the line and column and the closest known names.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BddlError, bddlChain, importBddl } from '../scenes/bddl.ts';
import { parseChains } from '../scenes/chains.ts';
import { SpecError } from '../scenes/errors.ts';
import { Env } from '../sim/env.ts';
import { ExpertPolicy } from '../policies/expert.ts';
import { runChain } from '../runner/chains/chain.ts';
import { goalOrder } from '../scenes/bddl-goal-order.ts';
import { liberoFixtureYaw } from '../scenes/libero-fixtures.ts';
import { initialState, applyAtom, sceneFacts, FILE_MARGINS } from '../scenes/chain-model.ts';
import { PLACEMENT_MARGIN, resolveScene } from '../scenes/layout.ts';
import { footprintRadius, getObjectKind } from '../scenes/objects.ts';
import { parseScene } from '../scenes/load.ts';
import { evalAtom } from '../sim/predicates.ts';
import type { Atom, RegionSpec, SceneSpec } from '../scenes/types.ts';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';

const text = fs.readFileSync(new URL('./fixtures/two_boxes_in_basket.bddl', import.meta.url), 'utf8');

describe('BDDL import', () => {
  it('maps regions, objects, init and goal onto a scene and a task', () => {
    const { scene, task } = importBddl(text, 'two.bddl', 'two_boxes');
    expect(scene.regions.cream_cheese_init_region).toEqual({ center: [0.5, -0.1], halfExtents: [expect.closeTo(0.02, 9), expect.closeTo(0.02, 9)] });
    expect(scene.objects.map((o) => [o.id, o.kind])).toEqual([['cream_cheese_1', 'cream_cheese'], ['butter_1', 'butter'], ['alphabet_soup_1', 'alphabet_soup'], ['basket_1', 'woven_basket']]);
    expect(task.goal).toEqual(['And', ['In', 'cream_cheese_1', 'basket_1'], ['In', 'butter_1', 'basket_1']]);
    expect(task.instruction).toBe('put the cream cheese and the butter in the basket');
    expect(task.objectsOfInterest).toEqual(['cream_cheese_1', 'butter_1', 'basket_1']);
  });

  it('runs: the expert puts both boxes in the basket', async () => {
    const { scene, task } = importBddl(text, 'two.bddl', 'two_boxes');
    const [chain] = parseChains(JSON.parse(JSON.stringify(bddlChain({ scene, task, standIns: {} }))), 'two.json');
    const env = new Env();
    const r = await runChain(env, new ExpertPolicy(env.privileged), chain, { runId: 't', mode: 'strict', seed: 1, repeat: 0, policySeed: 1 });
    env.close();
    expect(r.steps[0].success).toBe(true);
  });

  it('names an unknown category with the closest known ones, unless a stand-in is asked for', () => {
    const bad = text.replace('butter_1 - butter', 'butter_1 - buttr');
    let e: SpecError | undefined;
    try { importBddl(bad, 'bad.bddl', 'x'); } catch (x) { e = x as SpecError; }
    expect(e).toBeInstanceOf(SpecError);
    expect(e!.message).toMatch(/bad\.bddl: line 28, column 5: found object category "buttr".*closest: butter/);
    const ok = importBddl(bad, 'bad.bddl', 'x', { standIn: true });
    expect(ok.standIns).toEqual({ buttr: 'cookies' });
  });

  it('names the line and column of a syntax error', () => {
    expect(() => importBddl(text.replace('(:goal', ':goal)'), 'broken.bddl', 'x')).toThrow(/broken\.bddl: line \d+, column \d+/);
    expect(() => importBddl('(define (problem p) (:domain robosuite)', 'open.bddl', 'x')).toThrow(/open\.bddl: line 1, column \d+: found an unclosed "\("/);
  });
});

const fixture = (name: string) => fs.readFileSync(new URL(`./fixtures/bddl/${name}.bddl`, import.meta.url), 'utf8');
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

describe('BDDL import in LIBERO\'s vocabulary', () => {
  it('several names per declaration, every :ranges rectangle, yaw of objects and fixtures, the kitchen table', () => {
    const { scene, task } = importBddl(fixture('kitchen_two_plates'), 'two_plates.bddl', 'two_plates');
    expect(scene.objects.map((o) => [o.id, o.kind])).toEqual([['plate_1', 'plate'], ['plate_2', 'plate'], ['popcorn_1', 'popcorn'], ['butter_1', 'butter']]);
    // LIBERO's kitchen: a 1.0 x 1.2 table whose centre, LIBERO's region origin, is 0.66 m in front of the robot.
    expect(scene.table).toMatchObject({ size: [1.0, 1.2], center: [0.66, 0] });
    expect(scene.regions.plate_left_init_region.center).toEqual([0.55, 0.25]);
    const cc = scene.regions.popcorn_init_region;
    expect(cc.center).toEqual([0.38, -0.1]);
    expect(cc.extra).toEqual([{ center: [0.9, 0], halfExtents: [0.02, 0.02] }]);
    // LIBERO turns a butter by its category's rotation (long side along x), whatever its region says;
    // a kind outside LIBERO's vocabulary takes its region's :yaw_rotation.
    expect(scene.objects.find((o) => o.id === 'butter_1')!.yaw).toEqual([0, 0]);
    expect(scene.objects.find((o) => o.id === 'popcorn_1')!.yaw).toEqual([0.5, 1.0]);
    // The cabinet at LIBERO yaw pi has its drawers (model -y) towards +y, the table's centre line: chaingap yaw -pi/2;
    // its top side's centre, 1.6 cm behind LIBERO's model origin, is where chaingap's cabinet is centred.
    expect(scene.fixtures).toEqual([{ id: 'wooden_cabinet_1', kind: 'wooden_cabinet', pos: [expect.closeTo(0.66 - 0.00354, 9), expect.closeTo(-0.3 - 0.01567, 9)], yaw: expect.closeTo(-Math.PI / 2, 9), jitter: { pos: 0.01, yaw: 0 } }]);
    expect(task.goal).toEqual(['On', 'butter_1', 'plate_2']);
    // Resets draw the popcorn from both rectangles, never elsewhere, and yaw within its range.
    const seen = [0, 0];
    for (let seed = 0; seed < 60; seed++) {
      const o = resolveScene(scene, seed, task).objects.find((x) => x.id === 'popcorn_1')!;
      const k = [cc, ...cc.extra!].findIndex((r) => Math.abs(o.pos[0] - r.center[0]) <= r.halfExtents[0] + 1e-9 && Math.abs(o.pos[1] - r.center[1]) <= r.halfExtents[1] + 1e-9);
      expect(k).toBeGreaterThanOrEqual(0);
      seen[k]++;
      const yaw = 2 * Math.atan2(o.quat[2], o.quat[3]);
      expect(yaw).toBeGreaterThanOrEqual(0.5 - 1e-9);
      expect(yaw).toBeLessThanOrEqual(1.0 + 1e-9);
    }
    expect(Math.min(...seen)).toBeGreaterThan(10);
  });

  it('starts things on other objects and on fixture surfaces; the chain model knows what is on what', async () => {
    const { scene, task } = importBddl(fixture('kitchen_stacked'), 'stacked.bddl', 'stacked');
    expect(scene.objects.find((o) => o.id === 'akita_black_bowl_1')).toMatchObject({ on: 'plate_1' });
    expect(scene.objects.find((o) => o.id === 'butter_1')).toMatchObject({ on: 'wooden_cabinet_1_top_side' });
    const env = new Env();
    await env.reset({ seed: 2, task, scene });
    const bowl = env.world.objectPose('akita_black_bowl_1').pos, plate = env.world.objectPose('plate_1').pos;
    expect(Math.hypot(bowl[0] - plate[0], bowl[1] - plate[1])).toBeLessThan(0.01);
    expect(bowl[2]).toBeGreaterThan(plate[2] + 0.005);
    expect(evalAtom({ world: env.world, regions: scene.regions }, ['On', 'butter_1', 'wooden_cabinet_1_top_side'])).toBe(true);
    expect(env.world.objectPose('butter_1').pos[2]).toBeGreaterThan(0.2);
    env.close();
    const facts = sceneFacts(scene);
    const s0 = initialState(facts, task.init);
    expect(s0.objects.akita_black_bowl_1).toEqual({ at: 'on', target: 'plate_1' });
    expect(applyAtom(facts, s0, ['On', 'cream_cheese_1', 'plate_1'], FILE_MARGINS)).toMatch(/akita_black_bowl_1.*plate_1/);
  });

  it('maps each LIBERO fixture\'s yaw by where its model has its front', () => {
    // Fronts: cabinets, microwave, shelf, wine rack at model -y; the caddy's front compartment at -x; the stove's burner +x of its knob.
    expect(liberoFixtureYaw('white_cabinet', 0)).toBeCloseTo(Math.PI / 2, 9); // at y > 0, drawers towards -y
    expect(liberoFixtureYaw('microwave', Math.PI)).toBeCloseTo(-Math.PI / 2, 9); // at y < 0, door towards +y
    expect(liberoFixtureYaw('desk_caddy', Math.PI)).toBeCloseTo(Math.PI, 9);
    expect(liberoFixtureYaw('flat_stove', 0)).toBeCloseTo(-Math.PI / 2, 9);
    // A bare fixture id as what something starts on means its top side.
    const text = fixture('kitchen_stacked').replace('(On butter_1 wooden_cabinet_1_top_side)', '(On butter_1 wooden_cabinet_1)');
    const { scene, task } = importBddl(text, 'bare.bddl', 'bare');
    expect(resolveScene(scene, 0, task).objects.find((o) => o.id === 'butter_1')!.pos[2]).toBeGreaterThan(0.2);
  });

  it('an open drawer at reset is open in the simulator, a thing in a drawer starts in it, and In goes before Close', async () => {
    const text = fixture('kitchen_drawers');
    const r = importBddl(text, 'drawers.bddl', 'drawers');
    expect(r.task.init).toEqual([['Open', 'wooden_cabinet_1_top_region']]);
    expect(r.task.goal).toEqual(['And', ['In', 'cream_cheese_1', 'wooden_cabinet_1_top_region'], ['Closed', 'wooden_cabinet_1_top_region']]);
    expect(r.task.objectsOfInterest).toEqual(['cream_cheese_1', 'wooden_cabinet_1']);
    expect(r.scene.objects.find((o) => o.id === 'butter_1')).toMatchObject({ in: 'wooden_cabinet_1_middle_region' });
    // The chain file carries the init where the runner reads it: the chain's start.
    const [chain] = parseChains(JSON.parse(JSON.stringify(bddlChain(r))), 'drawers.json');
    expect(chain.init).toEqual([['Open', 'wooden_cabinet_1_top_region']]);
    const env = new Env();
    await env.reset({ seed: 1, task: { ...chain.steps[0], init: chain.init }, scene: chain.sceneSpec! });
    const ctx = { world: env.world, regions: r.scene.regions };
    expect(evalAtom(ctx, ['Open', 'wooden_cabinet_1_top_region'])).toBe(true);
    expect(evalAtom(ctx, ['Closed', 'wooden_cabinet_1_middle_region'])).toBe(true);
    expect(evalAtom(ctx, ['In', 'butter_1', 'wooden_cabinet_1_middle_region'])).toBe(true);
    env.close();
    // Written In-first with the drawer closed, Open is moved before In.
    const closed = text.replace('    (Open wooden_cabinet_1_top_region)\n', '')
      .replace('(And (Close wooden_cabinet_1_top_region) (In cream_cheese_1 wooden_cabinet_1_top_region))', '(And (In cream_cheese_1 wooden_cabinet_1_top_region) (Open wooden_cabinet_1_top_region))');
    expect(importBddl(closed, 'closed.bddl', 'closed').task.goal).toEqual(['And', ['Open', 'wooden_cabinet_1_top_region'], ['In', 'cream_cheese_1', 'wooden_cabinet_1_top_region']]);
  });

  it('orders goal atoms by what they need and keeps the file order otherwise', () => {
    const { scene } = importBddl(fixture('kitchen_drawers'), 'drawers.bddl', 'drawers');
    const order = (atoms: Atom[]) => goalOrder(atoms, scene.fixtures).map((i) => atoms[i]);
    // Stack then place the stack: the bottom bowl moves first.
    expect(order([['On', 'bowl_2', 'bowl_1'], ['In', 'bowl_1', 'tray_1']])).toEqual([['In', 'bowl_1', 'tray_1'], ['On', 'bowl_2', 'bowl_1']]);
    // Two drawers: each In goes between its own drawer's Open and Close; no rule, file order.
    expect(order([['Closed', 'wooden_cabinet_1_top_region'], ['Open', 'wooden_cabinet_1_middle_region'], ['In', 'a', 'wooden_cabinet_1_middle_region'], ['In', 'b', 'wooden_cabinet_1_top_region']]))
      .toEqual([['Open', 'wooden_cabinet_1_middle_region'], ['In', 'a', 'wooden_cabinet_1_middle_region'], ['In', 'b', 'wooden_cabinet_1_top_region'], ['Closed', 'wooden_cabinet_1_top_region']]);
    expect(order([['TurnedOn', 'stove_1'], ['On', 'pot', 'stove_1_cook_region']])).toEqual([['TurnedOn', 'stove_1'], ['On', 'pot', 'stove_1_cook_region']]);
  });

  it('a table region in a goal becomes InRegion; the living-room table and the floor at LIBERO\'s positions', () => {
    const lr = importBddl(fixture('living_room_beside_plate'), 'lr.bddl', 'lr');
    expect(lr.task.goal).toEqual(['InRegion', 'cream_cheese_1', 'plate_right_region']);
    expect(lr.scene.table).toMatchObject({ size: [0.7, 1.6], center: [0.51, 0] });
    expect(lr.scene.regions.plate_right_region).toEqual({ center: [0.51, -0.1], halfExtents: [0.04, 0.04] });
    const fl = importBddl(fixture('floor_basket'), 'floor.bddl', 'floor');
    // The floor: LIBERO's robot stands on it 0.6 m behind the region origin; modelled as a 1.2 x 1.6 m patch.
    expect(fl.scene.table).toMatchObject({ size: [1.2, 1.6], center: [0.7, 0] });
    expect(fl.scene.regions.butter_region.center).toEqual([0.5, -0.1]);
    expect(fl.task.goal).toEqual(['In', 'butter_1', 'basket_1']);
  });

  it('an impossible goal fails at import, naming the goal atom\'s BDDL line', () => {
    const text = fixture('infeasible_plate_in_basket');
    let e: BddlError | undefined;
    try { importBddl(text, 'infeasible.bddl', 'x'); } catch (x) { e = x as BddlError; }
    expect(e).toBeInstanceOf(BddlError);
    expect(e!.line).toBe(lineOf(text, '(In plate_1 basket_1_contain_region)'));
    expect(e!.message).toMatch(/^infeasible\.bddl: line \d+, column 7: found \(In plate_1 basket_1_contain_region\).*"plate_1" \(plate\) cannot be grasped/);
    expect(e!.reason).toMatch(/^infeasible In/);
  });

  it('a layout that cannot be made fails at import naming the placement\'s line, not the chain file', () => {
    const text = fixture('kitchen_two_plates').replace('(-0.12 0.24 -0.1 0.26)', '(0.08 0.18 0.1 0.2)');
    let e: SpecError | undefined;
    try { importBddl(text, 'overlap.bddl', 'x'); } catch (x) { e = x as SpecError; }
    expect(e!.message).toMatch(/^overlap\.bddl: line \d+, column \d+: found no free spot for object "plate_2"/);
    expect(e!.line).toBe(lineOf(text, '(On plate_2 kitchen_table_plate_left_init_region)'));
    expect(e!.message).not.toMatch(/\.json/);
  });

  it('LIBERO layouts: objects may start where a drawer opens, and tight layouts are drawn again as a whole', () => {
    // The cream cheese right where the cabinet's drawers slide out (LIBERO does not keep that clear).
    const text = fixture('kitchen_drawers').replace('(-0.26 0.08 -0.22 0.12)', '(-0.02 -0.02 0.02 0.02)');
    const { scene, task } = importBddl(text, 'in_front.bddl', 'in_front');
    expect(scene.objects.find((o) => o.id === 'cream_cheese_1')!.clearance).toBe('footprint');
    const strict = { ...scene, objects: scene.objects.map(({ clearance: _c, ...o }) => o) };
    expect(() => resolveScene(strict, 0, task)).toThrow(/no free spot for object "cream_cheese_1".*swing zone/);
    // Two butters in LIBERO's front / back regions 0.1 m apart: only some draws of the first leave room for the second.
    const two = importBddl(fixture('kitchen_two_plates'), 'two.bddl', 'two').scene;
    two.regions.front = { center: [0.66, 0.2], halfExtents: [0.025, 0.025] };
    two.regions.back = { center: [0.56, 0.2], halfExtents: [0.025, 0.025] };
    two.objects = two.objects.filter((o) => o.kind !== 'plate' && o.id !== 'butter_1');
    two.objects.push({ id: 'butter_1', kind: 'butter', region: 'front', yaw: [0, 0] }, { id: 'butter_2', kind: 'butter', region: 'back', yaw: [0, 0] });
    for (let seed = 0; seed < 20; seed++) {
      const [a, b] = ['butter_1', 'butter_2'].map((id) => resolveScene(two, seed).objects.find((o) => o.id === id)!.pos);
      expect(Math.hypot(a[0] - b[0], a[1] - b[1])).toBeGreaterThanOrEqual(2 * footprintRadius(getObjectKind('butter')) + PLACEMENT_MARGIN - 1e-9);
    }
  });

  it('placements kept clear by footprint: a pan\'s handle beside a box, where bounding circles would clash', () => {
    const base = importBddl(fixture('kitchen_two_plates'), 'two.bddl', 'two').scene;
    const scene: SceneSpec = {
      ...base, fixtures: [],
      regions: { pan: { center: [0.6, 0], halfExtents: [0.001, 0.001] }, box: { center: [0.7, 0.08], halfExtents: [0.001, 0.001] } },
      objects: [
        { id: 'pan', kind: 'chefmate_8_frypan', region: 'pan', yaw: [0, 0], clearance: 'footprint' },
        { id: 'butter', kind: 'butter', region: 'box', yaw: [0, 0], clearance: 'footprint' },
      ],
    };
    // The handle runs along +x from the pan's origin; the butter sits 5 cm to its side.
    expect(resolveScene(scene, 0).objects.map((o) => o.id)).toEqual(['pan', 'butter']);
    const circles = { ...scene, objects: scene.objects.map(({ clearance: _c, ...o }) => o) };
    expect(() => resolveScene(circles, 0)).toThrow(/no free spot for object "butter".*blocked by object "pan"/);
    // Turned so that the handle points at the butter, the footprints clash too.
    const turned = { ...scene, regions: { ...scene.regions, box: { center: [0.74, 0], halfExtents: [0.001, 0.001] } as RegionSpec } };
    expect(() => resolveScene(turned, 0)).toThrow(/no free spot for object "butter".*blocked by object "pan"/);
  });

  it('scene files check placements on / in and every rectangle of a region', () => {
    const { scene } = importBddl(fixture('kitchen_stacked'), 'stacked.bddl', 'stacked');
    const bad = (edit: (s: any) => void) => {
      const s = JSON.parse(JSON.stringify(scene));
      edit(s);
      return () => parseScene(s, 'stacked.json');
    };
    expect(() => parseScene(JSON.parse(JSON.stringify(scene)), 'stacked.json')).not.toThrow();
    expect(bad((s) => { s.objects[0].region = 'plate_init_region'; })).toThrow(/objects\[0\]\.on: found both region "plate_init_region" and on "plate_1"; allowed: exactly one of region/);
    expect(bad((s) => { s.objects[0].on = 'plate_3'; })).toThrow(/objects\[0\]\.on: found "plate_3": there is no object or fixture region "plate_3"; allowed: an object or a fixture surface .*closest: plate_1/);
    expect(bad((s) => { delete s.objects[0].on; s.objects[0].in = 'wooden_cabinet_1_top_side'; })).toThrow(/objects\[0\]\.in: found "wooden_cabinet_1_top_side": .*a surface/);
    expect(bad((s) => { s.regions.plate_init_region.extra = [{ center: [1.4, 0], halfExtents: [0.02, 0.02] }]; })).toThrow(/regions\.plate_init_region\.extra\[0\]: found a rectangle spanning x 1\.38\.\.1\.42/);
  });

  it('chaingap import-bddl DIR --out DIR converts every file it can, one line each, and exits 2 when one failed', () => {
    const src = fs.mkdtempSync(path.join(os.tmpdir(), 'chaingap-bddl-dir-'));
    for (const f of ['kitchen_drawers', 'floor_basket', 'infeasible_plate_in_basket']) fs.writeFileSync(path.join(src, `${f}.bddl`), fixture(f));
    const out = path.join(src, 'out');
    const r = spawnSync(process.execPath, ['scripts/chaingap.mjs', 'import-bddl', src, '--out', out], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines.filter((l) => l.startsWith('ok    '))).toHaveLength(2);
    expect(lines.find((l) => l.startsWith('FAIL  '))).toMatch(/infeasible_plate_in_basket\.bddl: line \d+, column \d+/);
    expect(lines[lines.length - 1]).toBe(`imported 2 of 3 files into ${out}; 1 failed`);
    expect(fs.readdirSync(out).sort()).toEqual(['floor_basket.json', 'kitchen_drawers.json']);
    const chain = JSON.parse(fs.readFileSync(path.join(out, 'kitchen_drawers.json'), 'utf8'));
    expect(chain.init).toEqual([['Open', 'wooden_cabinet_1_top_region']]);
    expect(parseChains(chain, 'kitchen_drawers.json')).toHaveLength(1);
    // One file still converts on its own.
    const one = spawnSync(process.execPath, ['scripts/chaingap.mjs', 'import-bddl', path.join(src, 'floor_basket.bddl'), '--out', path.join(src, 'one.json')], { encoding: 'utf8' });
    expect(one.status, one.stderr).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(src, 'one.json'), 'utf8')).steps[0].goal).toEqual(['In', 'butter_1', 'basket_1']);
  }, 60_000);
});
