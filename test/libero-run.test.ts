// `chaingap libero DIR`: a folder of BDDL files run as LIBERO's evaluations run them (per-task success
// with Wilson intervals, the suite's budget, 10 idle steps before the policy acts), files that do not
// import listed with their line, chains of tasks sharing a scene, and resuming an interrupted run.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { importBddl } from '../scenes/bddl.ts';
import type { Atom, TaskSpec } from '../scenes/types.ts';
import { Env } from '../sim/env.ts';
import type { Policy } from '../sim/policy.ts';
import { ExpertPolicy } from '../policies/expert.ts';
import type { PolicyEntry } from '../policies/registry.ts';
import { runTask } from '../runner/chains/episode.ts';
import { runLibero, type LiberoOptions } from '../runner/libero/libero.ts';
import { LIBERO_BUDGETS, liberoBudget, loadLiberoFolder } from '../runner/libero/libero-suite.ts';
import type { LiberoEpisodeRecord } from '../runner/libero/libero-report.ts';

const KITCHEN = new URL('./fixtures/libero/kitchen/', import.meta.url).pathname;
const BROKEN = 'TEST_SCENE2_put_the_butter_in_the_gnome.bddl';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'chaingap-libero-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Wilson 95% intervals for n = 2, computed by hand: what the table must show for 0, 1 or 2 successes. */
const WILSON_2: Record<number, [number, number]> = { 0: [0, 0.6576], 1: [0.0945, 0.9055], 2: [0.3424, 1] };

/** The expert, counting the policy calls of each task attempt (one entry per reset). */
function countingExpert(calls: number[]): PolicyEntry {
  return {
    id: 'expert', description: 'the expert, counting its calls',
    open: async () => ({
      cameras: [], close: async () => {},
      make: (p) => {
        const e = new ExpertPolicy(p);
        return { id: 'expert', reset: (s) => { calls.push(0); e.reset(s); }, act: (o) => { calls[calls.length - 1]++; return e.act(o); } };
      },
    }),
  };
}

/** A policy that only ever sends LIBERO's dummy action, counting its calls and noting the env step of the first. */
function stayPolicy(env: Env, seen: { calls: number; firstAt: number | null }): Policy {
  return { id: 'stay', reset: () => {}, act: () => { seen.firstAt ??= env.steps; seen.calls++; return [0, 0, 0, 0, 0, 0, -1]; } };
}

const read = (file: string) => fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const outcome = (r: LiberoEpisodeRecord) => [r.task, r.episode, r.seed, r.success, r.steps, r.failure ?? null];

const kitchenRun = (out: string, calls: number[], extra: Partial<LiberoOptions> = {}): LiberoOptions =>
  ({ dir: KITCHEN, out, episodes: 2, policy: countingExpert(calls), chains: { steps: 3, runs: 2 }, ...extra });

describe('chaingap libero', () => {
  const calls: number[] = [];
  let first: Awaited<ReturnType<typeof runLibero>>;

  it('runs every file N times: the success table with Wilson intervals and the suite mean; a file that does not import is listed with its line', async () => {
    first = await runLibero(kitchenRun(path.join(tmp, 'a'), calls));
    const s = first.summary;
    expect(s.files).toBe(4);
    expect(s.imported).toBe(3);
    expect(s.tasks.map((t) => [t.file, t.instruction, t.episodes])).toEqual([
      ['TEST_SCENE1_open_the_top_drawer_of_the_cabinet.bddl', 'open the top drawer of the cabinet', 2],
      ['TEST_SCENE1_put_the_butter_in_the_basket.bddl', 'put the butter in the basket', 2],
      ['TEST_SCENE1_put_the_cream_cheese_on_the_plate.bddl', 'put the cream cheese on the plate', 2],
    ]);
    for (const t of s.tasks) {
      expect(t.rate).toBe(t.successes / 2);
      expect(t.ci[0]).toBeCloseTo(WILSON_2[t.successes][0], 4);
      expect(t.ci[1]).toBeCloseTo(WILSON_2[t.successes][1], 4);
    }
    // The expert solves these tasks: a runner that failed them all would not be measuring anything.
    expect(s.mean.successes).toBeGreaterThanOrEqual(5);
    expect(s.mean.overImported).toBeCloseTo(s.tasks.reduce((a, t) => a + t.rate, 0) / 3, 12);
    expect(s.mean.overAllFiles).toBeCloseTo(s.tasks.reduce((a, t) => a + t.rate, 0) / 4, 12);
    expect(s.importFailures).toEqual([expect.objectContaining({ file: BROKEN, line: 40, error: expect.stringMatching(/line 40, column 5: found object category "garden_gnome"/) })]);
    // An unknown folder name: each task keeps its own budget, and the report says so.
    expect(s.budget).toEqual({ steps: null, source: 'task' });
    const html = fs.readFileSync(first.files.reportHtml, 'utf8');
    expect(html).toContain(`${BROKEN}:40`);
    expect(html).toContain('put the cream cheese on the plate');
    expect(html).toMatch(/not one of LIBERO&#39;s suites|not one of LIBERO's suites/);
    // Every episode is a line of results.jsonl, with 10 idle steps before the policy's steps.
    const recs = read(first.files.results) as LiberoEpisodeRecord[];
    expect(recs).toHaveLength(6);
    for (const r of recs) expect(r.idleSteps).toBe(10);
    // The policy is reset once per episode and asked once per policy step: never during the idle steps.
    expect(calls.slice(0, 6)).toEqual(recs.map((r) => r.steps));
  });

  it('chains the tasks that share a scene and reports S_k against the product of the same run\'s single-task rates', () => {
    const c = first.summary.chains!;
    expect(c.rows).toHaveLength(1);
    const row = c.rows[0];
    expect(row.scene).toBe('TEST_SCENE1');
    expect(row.tasks).toHaveLength(3);
    expect(new Set(row.tasks.map((t) => t.file)).size).toBe(3);
    expect(row.runs).toBe(2);
    expect(row.S.map((p) => p.trials)).toEqual([2, 2, 2]);
    const q = Object.fromEntries(first.summary.tasks.map((t) => [t.task, t.rate]));
    let prod = 1;
    row.tasks.forEach((t, k) => {
      prod *= q[t.task];
      expect(row.independence[k]).toBeCloseTo(prod, 12);
    });
    expect(read(first.files.chains!)).toHaveLength(2);
  });

  it('resumes an interrupted run without running finished episodes again, with the same results', async () => {
    const out = path.join(tmp, 'b');
    await expect(runLibero(kitchenRun(out, [], { onProgress: (p) => { if (p.phase === 'episodes' && p.done === 4) throw new Error('killed'); } }))).rejects.toThrow('killed');
    expect(read(path.join(out, 'results.jsonl'))).toHaveLength(4);
    const ran: string[] = [];
    const again = await runLibero(kitchenRun(out, [], { onProgress: (p) => { if (!p.resumed && p.baseline) ran.push(`${p.baseline.task}#${p.baseline.episode}`); } }));
    expect(again.resumed).toEqual({ episodes: 4, chains: 0 });
    expect(ran).toHaveLength(2);
    const recs = read(again.files.results) as LiberoEpisodeRecord[];
    expect(recs).toHaveLength(6);
    expect(recs.map(outcome)).toEqual((read(first.files.results) as LiberoEpisodeRecord[]).map(outcome));
    expect(again.summary.tasks).toEqual(first.summary.tasks);
  });

  it('a folder named libero_goal gets LIBERO\'s libero_goal budget; --budget overrides it', async () => {
    const goal = path.join(tmp, 'libero_goal');
    fs.mkdirSync(goal);
    fs.copyFileSync(path.join(KITCHEN, 'TEST_SCENE1_put_the_butter_in_the_basket.bddl'), path.join(goal, 'TEST_SCENE1_put_the_butter_in_the_basket.bddl'));
    expect(liberoBudget(goal)).toEqual({ steps: 300, source: 'suite', suite: 'libero_goal' });
    expect(loadLiberoFolder(goal, { budget: liberoBudget(goal).steps }).tasks[0].task.maxSteps).toBe(300);
    expect(liberoBudget(KITCHEN, { suite: 'libero_10' })).toEqual({ steps: 520, source: 'suite', suite: 'libero_10' });
    expect(LIBERO_BUDGETS).toEqual({ libero_spatial: 220, libero_object: 280, libero_goal: 300, libero_10: 520, libero_90: 400 });
    // Overridden: a policy that never moves gets exactly 25 policy steps after its 10 idle steps.
    const seen = { calls: 0, firstAt: null as number | null };
    const entry: PolicyEntry = { id: 'stay', description: 'never moves', open: async () => ({ cameras: [], close: async () => {}, make: () => ({ id: 'stay', reset: () => {}, act: () => { seen.calls++; return [0, 0, 0, 0, 0, 0, -1]; } }) }) };
    const r = await runLibero({ dir: goal, out: path.join(tmp, 'goal'), episodes: 1, policy: entry, budget: 25 });
    expect(r.summary.suite).toBe('libero_goal');
    expect(r.summary.budget).toEqual({ steps: 25, source: 'option' });
    expect(r.summary.tasks[0]).toMatchObject({ budget: 25, successes: 0, episodes: 1 });
    expect((read(r.files.results)[0] as LiberoEpisodeRecord).steps).toBe(25);
    expect(seen.calls).toBe(25);
  });
});

describe('idle steps (runTask idleSteps)', () => {
  const { scene, task } = importBddl(fs.readFileSync(path.join(KITCHEN, 'TEST_SCENE1_open_the_top_drawer_of_the_cabinet.bddl'), 'utf8'), 'open.bddl', 'open_drawer');
  const env = new Env();
  afterAll(() => env.close());

  it('the policy is first asked at control step 10, and the idle steps are not taken from its budget', async () => {
    const short: TaskSpec = { ...task, maxSteps: 5 };
    await env.reset({ seed: 1, task: short, scene });
    const seen = { calls: 0, firstAt: null as number | null };
    const out = await runTask(env, stayPolicy(env, seen), short, { policySeed: 1, idleSteps: 10 });
    expect(seen.firstAt).toBe(10);
    expect(seen.calls).toBe(5);
    expect(out).toMatchObject({ success: false, steps: 15 });
  });

  it('a goal that holds during the idle steps is a success at the policy\'s first step, as in openpi\'s loop', async () => {
    // The drawer starts open, so "open the drawer" holds from the reset on.
    const open: TaskSpec = { ...task, init: (task.goal[0] === 'And' ? task.goal.slice(1) : [task.goal]) as Atom[] };
    await env.reset({ seed: 1, task: open, scene });
    const seen = { calls: 0, firstAt: null as number | null };
    const out = await runTask(env, stayPolicy(env, seen), open, { policySeed: 1, idleSteps: 10 });
    expect(out).toMatchObject({ success: true, steps: 11 });
    expect(seen).toEqual({ calls: 1, firstAt: 10 });
  });
});

describe('chaingap libero (command line)', () => {
  it('prints the summary as JSON and exits 2 when no file of the folder imports', () => {
    const dir = path.join(tmp, 'broken');
    fs.mkdirSync(dir);
    fs.copyFileSync(path.join(KITCHEN, BROKEN), path.join(dir, BROKEN));
    const cli = new URL('../scripts/chaingap.mjs', import.meta.url).pathname;
    const r = spawnSync(process.execPath, [cli, 'libero', dir, '--episodes', '1', '--out', path.join(tmp, 'broken-out'), '--json'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    const s = JSON.parse(r.stdout);
    expect(s).toMatchObject({ files: 1, imported: 0, importFailures: [{ file: BROKEN, line: 40 }] });
    expect(r.stderr).toContain('no file of');
  });
});
