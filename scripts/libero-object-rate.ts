// How often the scripted expert moves LIBERO's objects where LIBERO's goals put them: each kind LIBERO
// moves onto a plate; a black bowl onto another (the stack rests on the lower bowl's rim); boxes into a
// black bowl; groceries into LIBERO's basket and tray; a stacked pair of bowls into the tray; the pan,
// moka pot and bowl onto the stove, the black book into each caddy compartment, things onto the shelf. `n` seeded
// episodes per problem (default 20); prints per problem the successes with the 95% Wilson interval and
// the failed seeds with their failure labels, then the total and the wall time.
//   node --import tsx scripts/libero-object-rate.ts [n] [first-seed] [name-filter]
import { LIBERO_OBJECT_KINDS } from '../scenes/libero-objects.ts';
import type { FixtureKind, Formula, SceneSpec, TaskSpec } from '../scenes/types.ts';
import { Env } from '../sim/env.ts';
import { ExpertPolicy } from '../policies/expert.ts';
import { runTask } from '../runner/chains/episode.ts';
import { wilson } from '../runner/results/stats.ts';

/** What LIBERO's goals move (the first argument of On/In in its suites' task files), by LIBERO category. */
export const LIBERO_MOVED = [
  'akita_black_bowl', 'white_bowl', 'porcelain_mug', 'red_coffee_mug', 'white_yellow_mug', 'chefmate_8_frypan', 'moka_pot',
  'black_book', 'yellow_book', 'wine_bottle', 'ketchup', 'bbq_sauce', 'salad_dressing', 'new_salad_dressing', 'milk',
  'orange_juice', 'cream_cheese', 'butter', 'chocolate_pudding', 'alphabet_soup', 'tomato_sauce', 'cookies',
];
/** What LIBERO's goals put In its basket and In its wooden tray. */
const INTO_BASKET = ['alphabet_soup', 'tomato_sauce', 'cream_cheese', 'butter', 'chocolate_pudding', 'ketchup', 'milk', 'orange_juice', 'bbq_sauce', 'salad_dressing'];
const INTO_TRAY = ['akita_black_bowl', 'alphabet_soup', 'butter', 'chocolate_pudding', 'cream_cheese', 'ketchup', 'new_salad_dressing', 'tomato_sauce'];

export interface ObjectProblem {
  name: string;
  scene: SceneSpec;
  goal: Formula;
  maxSteps: number;
  /** A further check on a success (why it is not good enough), if any. */
  check?: (env: Env) => string | null;
}

const TABLE: SceneSpec['table'] = { size: [1.0, 1.2], center: [0.5, 0], friction: 0.8, color: [0.6, 0.5, 0.4] };

/** Tilt of an object from upright (rad). */
export function tilt(env: Env, id: string): number {
  const q = env.privileged.object(id).quat;
  return Math.acos(Math.max(-1, Math.min(1, 1 - 2 * (q[0] ** 2 + q[1] ** 2))));
}

const upright = (env: Env) => (tilt(env, 'obj') < 0.1 ? null : `tilted ${tilt(env, 'obj').toFixed(2)} rad`);

/**
 * `obj` of LIBERO category `category` 30 cm from `dest` (a kind), both at any yaw; the goal `rel`(obj, dest);
 * `check` (default: it ends upright; null: none) judges a success further.
 */
export function moveProblem(category: string, dest: string, rel: 'On' | 'In' = 'On', check: ObjectProblem['check'] | null = upright): ObjectProblem {
  const kind = LIBERO_OBJECT_KINDS[category];
  // A tray is long: it goes farther back, turned across the table.
  const tray = dest === 'wooden_tray';
  return {
    name: `${rel}(${category}, ${dest})`,
    scene: {
      name: 'libero_objects', table: TABLE,
      regions: {
        a: { center: tray ? [0.42, 0.2] : [0.45, 0.15], halfExtents: [0.03, 0.03] },
        b: { center: tray ? [0.66, -0.02] : [0.5, -0.15], halfExtents: [0.03, 0.03] },
      },
      fixtures: [],
      objects: [
        { id: 'obj', kind, region: 'a', yaw: [-Math.PI, Math.PI] },
        { id: 'dest', kind: dest, region: 'b', yaw: tray ? [1.4, 1.75] : [-Math.PI, Math.PI] },
      ],
    },
    goal: [rel, 'obj', 'dest'],
    maxSteps: 400,
    ...(check ? { check } : {}),
  };
}

/**
 * `obj` of LIBERO category `category` at (0.42, -0.2) and a `fixture` (a LIBERO fixture kind, id
 * `${fixture}_1`) facing the robot at `at`; the goal `rel`(obj, `${fixture}_1_${region}`), ending upright.
 */
export function fixtureProblem(category: string, fixture: FixtureKind, region: string, rel: 'On' | 'In', at: [number, number] = [0.68, 0.2]): ObjectProblem {
  const id = `${fixture}_1`;
  return {
    name: `${rel}(${category}, ${id}_${region})`,
    scene: {
      name: 'libero_objects', table: TABLE,
      regions: { a: { center: [0.42, -0.2], halfExtents: [0.02, 0.02] } },
      fixtures: [{ id, kind: fixture, pos: at, yaw: 0 }],
      objects: [{ id: 'obj', kind: LIBERO_OBJECT_KINDS[category], region: 'a', yaw: [-Math.PI, Math.PI] }],
    },
    goal: [rel, 'obj', `${id}_${region}`],
    maxSteps: 400,
    check: upright,
  };
}

/** A black bowl set on another rests on the lower one's rim, 3.8 cm up, level. */
export const nestedOnRim = (env: Env): string | null => {
  const dz = env.privileged.object('obj').pos[2] - env.privileged.object('dest').pos[2];
  return Math.abs(dz - 0.038) < 0.004 && tilt(env, 'obj') < 0.05 ? null : `stacked ${dz.toFixed(3)} m up, tilted ${tilt(env, 'obj').toFixed(2)} rad`;
};

/** LIBERO's "stack the bowls and put them in the tray": two black bowls and the tray; On(bowl_2, bowl_1) and In(bowl_1, tray). */
export function stackInTrayProblem(): ObjectProblem {
  return {
    name: 'On(bowl_2, bowl_1) & In(bowl_1, wooden_tray)',
    scene: {
      name: 'libero_objects', table: TABLE,
      regions: {
        a: { center: [0.42, 0.2], halfExtents: [0.03, 0.03] }, b: { center: [0.42, -0.2], halfExtents: [0.03, 0.03] },
        t: { center: [0.7, 0.0], halfExtents: [0.02, 0.02] },
      },
      fixtures: [],
      objects: [
        { id: 'bowl_1', kind: 'akita_black_bowl', region: 'a', yaw: [-Math.PI, Math.PI] },
        { id: 'bowl_2', kind: 'akita_black_bowl', region: 'b', yaw: [-Math.PI, Math.PI] },
        { id: 'tray', kind: 'wooden_tray', region: 't', yaw: [1.4, 1.7] },
      ],
    },
    goal: ['And', ['On', 'bowl_2', 'bowl_1'], ['In', 'bowl_1', 'tray']],
    maxSteps: 600,
  };
}

/** Every problem measured. */
export function objectProblems(): ObjectProblem[] {
  return [
    ...LIBERO_MOVED.map((c) => moveProblem(c, 'plate')),
    moveProblem('akita_black_bowl', 'akita_black_bowl', 'On', nestedOnRim),
    ...['white_bowl', 'cream_cheese', 'butter', 'chocolate_pudding'].map((c) => moveProblem(c, 'akita_black_bowl')),
    ...INTO_BASKET.map((c) => moveProblem(c, 'woven_basket', 'In', null)),
    ...INTO_TRAY.map((c) => moveProblem(c, 'wooden_tray', 'In', null)),
    stackInTrayProblem(),
    // LIBERO's fixtures: the stove's cook region, the caddy's compartments, the shelf's top.
    ...['chefmate_8_frypan', 'moka_pot', 'akita_black_bowl'].map((c) => fixtureProblem(c, 'flat_stove', 'cook_region', 'On')),
    ...['front', 'back', 'left', 'right'].map((side) => fixtureProblem('black_book', 'desk_caddy', `${side}_contain_region`, 'In', [0.62, 0.12])),
    ...['yellow_book', 'white_bowl', 'chefmate_8_frypan'].map((c) => fixtureProblem(c, 'wooden_two_layer_shelf', 'top_side', 'On')),
  ];
}

export interface ProblemRow {
  problem: string;
  successes: number;
  n: number;
  failed: string[];
}

/** Runs each problem over seeds `firstSeed .. firstSeed + n - 1` with one env; a success that fails the problem's check counts as a failure. */
export async function measure(problems: ObjectProblem[], seeds: number[], onRow?: (r: ProblemRow) => void): Promise<ProblemRow[]> {
  const env = new Env();
  const expert = new ExpertPolicy(env.privileged);
  const rows: ProblemRow[] = [];
  try {
    for (const p of problems) {
      const task: TaskSpec = { name: 'libero_objects', scene: p.scene.name, type: 'pick_place', instruction: p.name, paraphrases: [], init: [], goal: p.goal, maxSteps: p.maxSteps, objectsOfInterest: [] };
      const row: ProblemRow = { problem: p.name, successes: 0, n: seeds.length, failed: [] };
      for (const seed of seeds) {
        await env.reset({ seed, task, scene: p.scene });
        const r = await runTask(env, expert, task, { policySeed: seed });
        const why = r.success ? p.check?.(env) ?? null : r.failure ?? 'failed';
        if (why) row.failed.push(`${seed}:${why}`);
        else row.successes++;
      }
      rows.push(row);
      onRow?.(row);
    }
  } finally {
    env.close();
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] ?? 20);
  const first = Number(process.argv[3] ?? 0);
  const filter = process.argv[4];
  const t0 = performance.now();
  const seeds = Array.from({ length: n }, (_, i) => first + i);
  const problems = objectProblems().filter((p) => !filter || p.name.includes(filter));
  const rows = await measure(problems, seeds, (r) => {
    const ci = wilson(r.successes, r.n);
    console.log(`${r.problem.padEnd(58)} ${String(r.successes).padStart(3)}/${r.n} [${(100 * ci[0]).toFixed(1)}, ${(100 * ci[1]).toFixed(1)}]%${r.failed.length ? `  failed ${r.failed.join(' ')}` : ''}`);
  });
  const ok = rows.reduce((s, r) => s + r.successes, 0), all = rows.reduce((s, r) => s + r.n, 0);
  const ci = wilson(ok, all);
  console.log(`all: ${ok}/${all} (${(100 * ok / all).toFixed(1)}%, 95% CI [${(100 * ci[0]).toFixed(1)}, ${(100 * ci[1]).toFixed(1)}]) in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}
