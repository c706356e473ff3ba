// The expert does not drag containers: it rises above whatever is near its way before moving
// sideways, and sets two objects down in one small basket (or two mugs on two plates) without pushing
// the containers or spilling the first object. Two-object goals are imported LIBERO-style problems.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importBddl } from '../scenes/bddl.ts';
import type { Vec3 } from '../scenes/types.ts';
import { Env } from '../sim/env.ts';
import { ExpertPolicy } from '../policies/expert.ts';
import { corridorHeight, handBlocks, kindBlocks } from '../policies/clearance.ts';
import { getObjectKind } from '../scenes/objects.ts';
import { LIVING_ROOM, twoObjectProblem as problem } from '../scripts/two-object-rate.ts';

/** Run the expert on an imported problem: success, how far each object ever got from where it started, and where each ended. */
async function run(text: string, seed: number) {
  const { scene, task } = importBddl(text, 'p.bddl', 'p');
  const env = new Env();
  const expert = new ExpertPolicy(env.privileged);
  let { obs } = await env.reset({ seed, task, scene });
  expert.reset({ seed, task, instruction: task.instruction, actionMode: 'delta_ee' });
  const p = env.privileged;
  const start = new Map(p.objectIds().map((id) => [id, p.object(id).pos]));
  const moved = new Map(p.objectIds().map((id) => [id, 0]));
  let success = false;
  for (let i = 0; i < task.maxSteps && !success; i++) {
    const r = env.step(expert.act(obs));
    obs = r.obs;
    success = r.info.success;
    for (const id of p.objectIds()) {
      const a = start.get(id)!, b = p.object(id).pos;
      moved.set(id, Math.max(moved.get(id)!, Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2])));
    }
  }
  const settled = new Map(p.objectIds().map((id) => [id, p.object(id).pos]));
  env.close();
  return { success, moved, settled, start };
}

describe('expert clearance', () => {
  it('a tall object beside the way raises the corridor above its top; one far off does not', () => {
    const tcp: Vec3 = [0.4, -0.2, 0.1];
    const hand = handBlocks(tcp, 0, 0.05);
    const milk = getObjectKind('milk');
    const near = kindBlocks('milk', milk, [0.5, -0.03, 0], 0);
    const far = kindBlocks('milk', milk, [0.5, 0.3, 0], 0);
    const m = { xy: 0.02, z: 0.03 };
    expect(corridorHeight(hand, tcp, [0.6, 0.1], near, m)).toBeCloseTo(milk.size[2] + m.z, 6);
    expect(corridorHeight(hand, tcp, [0.6, 0.1], far, m)).toBe(m.z);
    // Holding a 10 cm can, the can's bottom must clear the carton too.
    const soup = getObjectKind('alphabet_soup');
    const held = handBlocks(tcp, 0, 0.064, { kind: soup, relYaw: 0, rel: [0, 0], tcpAbove: 0.0425 });
    expect(corridorHeight(held, tcp, [0.6, 0.1], near, m)).toBeCloseTo(milk.size[2] + m.z + 0.0425, 6);
  });

  it('puts both boxes of the imported problem in the basket without moving the basket or the soup beside it', async () => {
    const text = fs.readFileSync(new URL('./fixtures/two_boxes_in_basket.bddl', import.meta.url), 'utf8');
    for (const seed of [0, 3]) {
      const r = await run(text, seed);
      expect(r.success, `seed ${seed}`).toBe(true);
      expect(r.moved.get('basket_1')!, `seed ${seed}: basket moved`).toBeLessThan(0.01);
      expect(r.moved.get('alphabet_soup_1')!, `seed ${seed}: soup moved`).toBeLessThan(0.01);
    }
  });

  // Seed 13 puts the soup where the palm would land on it over the cheese's nominal grasp.
  it('soup and cream cheese among tall cartons: both in the small basket, nothing else disturbed', async () => {
    const text = problem('put both the alphabet soup and the cream cheese box in the basket', LIVING_ROOM,
      '(In alphabet_soup_1 basket_1_contain_region) (In cream_cheese_1 basket_1_contain_region)');
    for (const seed of [1, 13]) {
      const r = await run(text, seed);
      expect(r.success, `seed ${seed}`).toBe(true);
      for (const [id, d] of r.moved) {
        if (id === 'alphabet_soup_1' || id === 'cream_cheese_1') continue;
        expect(d, `seed ${seed}: ${id} moved`).toBeLessThan(0.01);
      }
    }
  });

  it('two mugs on two plates: the plates stay put and the first mug stays on its plate', async () => {
    const text = problem('put the white mug on the left plate and put the red mug on the right plate', [
      ['plate_1', 'plate', 0.05, 0.2], ['plate_2', 'plate', 0.05, -0.2], ['porcelain_mug_1', 'porcelain_mug', -0.15, 0.05],
      ['red_coffee_mug_1', 'red_coffee_mug', -0.12, -0.12], ['chocolate_pudding_1', 'chocolate_pudding', 0.15, 0.0],
    ], '(On porcelain_mug_1 plate_1) (On red_coffee_mug_1 plate_2)');
    for (const seed of [1, 2]) {
      const r = await run(text, seed);
      expect(r.success, `seed ${seed}`).toBe(true);
      expect(r.moved.get('plate_1')!).toBeLessThan(0.01);
      expect(r.moved.get('plate_2')!).toBeLessThan(0.01);
      const mug = r.settled.get('porcelain_mug_1')!, plate = r.settled.get('plate_1')!;
      expect(Math.hypot(mug[0] - plate[0], mug[1] - plate[1]), `seed ${seed}: first mug off its plate`).toBeLessThan(0.04);
    }
  });
});
