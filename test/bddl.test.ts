// LIBERO BDDL import: a problem file becomes a scene and a task that validate and run; unknown
// categories and syntax errors name the line and column and the closest known names.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BddlError, bddlChain, importBddl } from '../scenes/bddl.ts';
import { parseChains } from '../scenes/chains.ts';
import { SpecError } from '../scenes/errors.ts';
import { Env } from '../sim/env.ts';
import { ExpertPolicy } from '../policies/expert.ts';
import { runChain } from '../runner/chain.ts';

const text = fs.readFileSync(new URL('./fixtures/two_boxes_in_basket.bddl', import.meta.url), 'utf8');

describe('BDDL import', () => {
  it('maps regions, objects, init and goal onto a scene and a task', () => {
    const { scene, task } = importBddl(text, 'two.bddl', 'two_boxes');
    expect(scene.regions.cream_cheese_init_region).toEqual({ center: [0.5, -0.1], halfExtents: [expect.closeTo(0.02, 9), expect.closeTo(0.02, 9)] });
    expect(scene.objects.map((o) => [o.id, o.kind])).toEqual([['cream_cheese_1', 'cream_cheese'], ['butter_1', 'butter'], ['alphabet_soup_1', 'alphabet_soup'], ['basket_1', 'basket']]);
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
