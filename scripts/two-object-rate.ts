// How often the scripted expert solves two-object goals, and whether it moves the containers doing so:
// LIBERO-style problems imported from BDDL (both of two things in one small basket, among tall cartons
// and bottles as in LIBERO-10's living rooms; the importer test's two boxes; two mugs on two plates),
// `n` seeded episodes each (default 50). Prints per problem the success rate with its 95% Wilson
// interval, the farthest any container (basket, plate, bowl) ever moved, and the failed seeds.
//   node --import tsx scripts/two-object-rate.ts [n] [first-seed]
import fs from 'node:fs';
import { importBddl } from '../scenes/bddl.ts';
import { Env } from '../sim/env.ts';
import { ExpertPolicy } from '../policies/expert.ts';
import { runTask } from '../runner/chains/episode.ts';
import { wilson } from '../runner/results/stats.ts';
import type { Observation, Policy } from '../sim/policy.ts';

/** A LIBERO-style problem: objects `[id, category, x, y]` (region centres in the table frame, +-2 cm), a goal. */
export function twoObjectProblem(lang: string, objects: [string, string, number, number][], goal: string): string {
  const region = ([id, , x, y]: [string, string, number, number]) =>
    `(${id}_init_region (:target main_table) (:ranges ((${x - 0.02} ${y - 0.02} ${x + 0.02} ${y + 0.02}))) (:yaw_rotation ((0.0 0.0))))`;
  const contain = objects.some(([id]) => id === 'basket_1') ? '(contain_region (:target basket_1))' : '';
  return `(define (problem LIBERO_Tabletop_Manipulation) (:domain robosuite) (:language ${lang})
    (:regions ${objects.map(region).join(' ')} ${contain})
    (:fixtures main_table - table)
    (:objects ${objects.map(([id, k]) => `${id} - ${k}`).join(' ')})
    (:init ${objects.map(([id]) => `(On ${id} main_table_${id}_init_region)`).join(' ')})
    (:goal (And ${goal})))`;
}

/** Seven groceries and a basket, tall cartons and a bottle among them, as in LIBERO-10's living rooms. */
export const LIVING_ROOM: [string, string, number, number][] = [
  ['basket_1', 'basket', 0.0, 0.26], ['alphabet_soup_1', 'alphabet_soup', -0.1, -0.05], ['cream_cheese_1', 'cream_cheese', -0.15, 0.1],
  ['tomato_sauce_1', 'tomato_sauce', 0.05, -0.15], ['ketchup_1', 'ketchup', 0.1, 0.05], ['orange_juice_1', 'orange_juice', 0.16, 0.2],
  ['milk_1', 'milk', -0.16, 0.27], ['butter_1', 'butter', -0.2, -0.15],
];

const bothInBasket = (a: string, b: string, an: string, bn: string) =>
  twoObjectProblem(`put both the ${an} and the ${bn} in the basket`, LIVING_ROOM, `(In ${a} basket_1_contain_region) (In ${b} basket_1_contain_region)`);

/** The problems measured, by name. */
export function twoObjectProblems(): Record<string, string> {
  return {
    two_boxes_fixture: fs.readFileSync(new URL('../test/fixtures/two_boxes_in_basket.bddl', import.meta.url), 'utf8'),
    soup_and_sauce: bothInBasket('alphabet_soup_1', 'tomato_sauce_1', 'alphabet soup', 'tomato sauce'),
    cheese_and_butter: bothInBasket('cream_cheese_1', 'butter_1', 'cream cheese box', 'butter'),
    soup_and_cheese: bothInBasket('alphabet_soup_1', 'cream_cheese_1', 'alphabet soup', 'cream cheese box'),
    sauce_and_butter: bothInBasket('tomato_sauce_1', 'butter_1', 'tomato sauce', 'butter'),
    ketchup_and_milk: bothInBasket('ketchup_1', 'milk_1', 'ketchup', 'milk'),
    juice_and_cheese: bothInBasket('orange_juice_1', 'cream_cheese_1', 'orange juice', 'cream cheese box'),
    mugs_on_plates: twoObjectProblem('put the white mug on the left plate and put the red mug on the right plate', [
      ['plate_1', 'plate', 0.05, 0.2], ['plate_2', 'plate', 0.05, -0.2], ['porcelain_mug_1', 'porcelain_mug', -0.15, 0.05],
      ['red_coffee_mug_1', 'red_coffee_mug', -0.12, -0.12], ['chocolate_pudding_1', 'chocolate_pudding', 0.15, 0.0],
    ], '(On porcelain_mug_1 plate_1) (On red_coffee_mug_1 plate_2)'),
  };
}

export interface TwoObjectRow {
  problem: string;
  successes: number;
  n: number;
  /** Farthest any container object moved from where it started, over all episodes (m). */
  worstContainerMove: number;
  failed: { seed: number; label?: string }[];
}

export async function twoObjectRate(n: number, firstSeed = 0): Promise<TwoObjectRow[]> {
  const rows: TwoObjectRow[] = [];
  for (const [name, text] of Object.entries(twoObjectProblems())) {
    const { scene, task } = importBddl(text, `${name}.bddl`, name);
    const env = new Env();
    const expert = new ExpertPolicy(env.privileged);
    const containers = scene.objects.filter((o) => ['basket', 'plate', 'bowl', 'bowl_white'].includes(o.kind)).map((o) => o.id);
    const row: TwoObjectRow = { problem: name, successes: 0, n, worstContainerMove: 0, failed: [] };
    for (let seed = firstSeed; seed < firstSeed + n; seed++) {
      await env.reset({ seed, task, scene });
      const p = env.privileged;
      const start = new Map(containers.map((c) => [c, p.object(c).pos]));
      // Watch the containers at every control step the expert acts in.
      const watched: Policy = {
        id: expert.id,
        reset: (s) => expert.reset(s),
        act: (obs: Observation) => {
          for (const c of containers) {
            const a = start.get(c)!, b = p.object(c).pos;
            row.worstContainerMove = Math.max(row.worstContainerMove, Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]));
          }
          return expert.act(obs);
        },
      };
      const r = await runTask(env, watched, task, { policySeed: seed });
      if (r.success) row.successes++;
      else row.failed.push({ seed, label: r.failure });
    }
    env.close();
    rows.push(row);
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] ?? 50);
  const rows = await twoObjectRate(n, Number(process.argv[3] ?? 0));
  let total = 0;
  for (const r of rows) {
    const ci = wilson(r.successes, r.n);
    total += r.successes;
    console.log(`${r.problem}: ${r.successes}/${r.n} [${(100 * ci[0]).toFixed(1)}, ${(100 * ci[1]).toFixed(1)}]%, containers moved at most ${(1000 * r.worstContainerMove).toFixed(1)} mm${r.failed.length ? `; failed ${r.failed.map((f) => `${f.seed}:${f.label}`).join(' ')}` : ''}`);
  }
  const all = rows.length * n, ci = wilson(total, all);
  console.log(`all: ${total}/${all} (${(100 * total / all).toFixed(1)}%, 95% CI [${(100 * ci[0]).toFixed(1)}, ${(100 * ci[1]).toFixed(1)}])`);
}
