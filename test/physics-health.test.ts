// Physics health in every result: the monitor flags what only the simulator can do (an object through
// the table, thrown faster than free fall explains, out of the world) and counts objects that fell off
// the table; task attempts, chain records, baseline records, run summaries, sweep and CI reports carry
// the counts; records from before it was measured load and read as "not measured", never as healthy.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateChains } from '../scenes/chains.ts';
import { findScene, findTask } from '../scenes/load.ts';
import { Env } from '../sim/env.ts';
import { HEALTH_LIMITS, PhysicsHealthMonitor, type StepHealth } from '../sim/physics-health.ts';
import type { Policy } from '../sim/policy.ts';
import { ExpertPolicy } from '../policies/expert.ts';
import { runChain } from '../runner/chains/chain.ts';
import { ciJunit, ciMarkdown } from '../runner/ci/ci-report.ts';
import type { CiResult } from '../runner/ci/ci.ts';
import { HEALTH_REASONS_KEPT, healthLine, mergeHealth, physicsHealth } from '../runner/results/health.ts';
import type { BaselineRecord, ChainRecord, HealthRecord, StepRecord } from '../runner/results/records.ts';
import { renderMarkdown, writeReports } from '../runner/report/report.ts';
import { reportRun, runChains } from '../runner/chains/run.ts';
import { ResultsStore } from '../runner/results/store.ts';
import { summarise, type RunSummary, type SummaryInput } from '../runner/results/summary.ts';
import { writeSweepReport } from '../runner/report/sweep-report.ts';
import { sweepPhysicsHealth, type SweepCell, type SweepResultSummary } from '../runner/sweep/sweep.ts';

const dirs: string[] = [];
const tmp = () => { const d = fs.mkdtempSync(path.join(os.tmpdir(), 'chaingap-health-')); dirs.push(d); return d; };
const env = new Env();
afterAll(() => {
  env.close();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const HOLD: number[] = [0, 0, 0, 0, 0, 0, -1];

describe('PhysicsHealthMonitor', () => {
  const reset = () => env.reset({ seed: 0, task: findTask('tabletop_soup_on_plate') });

  it('flags an object teleported below the table top inside the table footprint', async () => {
    await reset();
    const t = env.world.scene.spec.table;
    env.world.body('soup').setTranslation({ x: t.center[0], y: t.center[1], z: -0.03 }, true);
    // Read at once: the solver pushes a shallow intruder back out within one control step.
    const now = new PhysicsHealthMonitor(env.world).check(0);
    expect(now.unstable.join('\n')).toMatch(/^soup is 30 mm below the table top inside the table's footprint/m);
    // Deeper, under the slab, it falls on: the env's own step reports it, and the can has left the table.
    env.world.body('soup').setTranslation({ x: t.center[0], y: t.center[1], z: -0.15 }, true);
    const h = env.step(HOLD).info.health;
    expect(h.unstable.some((r) => /^soup is \d+ mm below the table top/.test(r))).toBe(true);
    expect(h.ejected).toEqual(['soup']);
  });

  it('flags an object given 5 m/s horizontally, and an object outside the world', async () => {
    await reset();
    env.world.body('soup').setLinvel({ x: 0, y: 5, z: 0 }, true);
    const h = env.step(HOLD).info.health;
    expect(h.fastestObject).toBe('soup');
    expect(h.maxExcessSpeed).toBeGreaterThan(HEALTH_LIMITS.speed);
    expect(h.unstable).toEqual([expect.stringMatching(/^soup moves at [\d.]+ m\/s, [\d.]+ m\/s more than free fall explains \(limit 2 m\/s\)$/)]);

    await reset();
    env.world.body('cheese').setTranslation({ x: 6, y: 0, z: 0.1 }, true);
    const out = new PhysicsHealthMonitor(env.world).check(0);
    expect(out.unstable).toEqual(['cheese left the world at (6.00, 0.00, 0.10) m']);
    expect(out.ejected).toEqual(['cheese']);
  });

  it('does not flag an object dropped from 0.5 m: free fall explains its speed', async () => {
    await reset();
    const b = env.world.body('soup');
    const p = b.translation();
    b.setTranslation({ x: p.x, y: p.y, z: 0.5 }, true);
    const seen: StepHealth[] = [];
    for (let i = 0; i < 30; i++) seen.push(env.step(HOLD).info.health);
    expect(seen.flatMap((h) => h.unstable)).toEqual([]);
    expect(seen.flatMap((h) => h.ejected)).toEqual([]);
    // It did fall (3.1 m/s at impact), and it is back on the table.
    expect(env.world.objectPose('soup').pos[2]).toBeLessThan(0.01);
    expect(Math.max(...seen.map((h) => h.maxExcessSpeed))).toBeLessThan(1);
  });

  it('counts an object pushed off the table edge as ejected once, and not as unstable', async () => {
    await reset();
    const t = env.world.scene.spec.table;
    const b = env.world.body('soup');
    const edge = t.center[1] + t.size[1] / 2;
    b.setTranslation({ x: 0.52, y: edge - 0.06, z: 0 }, true);
    b.setLinvel({ x: 0, y: 1, z: 0 }, true);
    const seen: StepHealth[] = [];
    for (let i = 0; i < 40; i++) seen.push(env.step(HOLD).info.health);
    expect(env.world.objectPose('soup').pos[2]).toBeLessThan(-0.7); // on the floor
    expect(seen.flatMap((h) => h.ejected)).toEqual(['soup']);
    expect(seen.flatMap((h) => h.unstable)).toEqual([]);
  });
});

describe('physics health through the runner', () => {
  it('an expert run records health on every attempted step, chain and baseline episode, and summarises to zeros', async () => {
    const out = tmp();
    const r = await runChains({ out, policy: 'expert', chains: 2, steps: 3, baselineEpisodes: 1, seed: 4 });
    const chains = fs.readFileSync(path.join(out, 'records.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as ChainRecord);
    const base = fs.readFileSync(path.join(out, 'baseline.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as BaselineRecord);
    for (const c of chains) {
      for (const s of c.steps) expect(s.health).toMatchObject({ unstableSteps: 0, penetrationSteps: 0, maxPenetration: expect.any(Number), maxExcessSpeed: expect.any(Number) });
      expect(c.health).toEqual(mergeHealth(c.steps.map((s) => s.health!)));
    }
    for (const b of base) expect(b.health).toMatchObject({ unstableSteps: 0 });
    const ph = r.summary.physicsHealth;
    const attempts = chains.reduce((n, c) => n + c.steps.length, 0);
    expect(ph.chains).toMatchObject({
      chains: 2, chainsWithUnstable: 0, measuredAttempts: attempts, unmeasuredAttempts: 0, unstableSteps: 0, penetrationSteps: 0,
      ejectedObjects: 0, contaminated: false, controlSteps: chains.reduce((n, c) => n + c.steps.reduce((m, s) => m + s.steps, 0), 0),
    });
    expect(ph.chains.maxPenetrationMm).toBeLessThan(5);
    expect(ph.baseline).toMatchObject({ episodes: base.length, episodesWithUnstable: 0, measuredAttempts: base.length, unstableSteps: 0, contaminated: false });
    expect(JSON.parse(fs.readFileSync(r.files.summaryJson, 'utf8')).physicsHealth).toEqual(ph);
    expect(fs.readFileSync(r.files.reportMd, 'utf8')).toMatch(/## Physics health\n[^]*\| verdict \| clean \| clean \|/);
  });

  it('an object driven through the table during a step makes that step unstable and the chain contaminated', async () => {
    const kitchen = findScene('kitchen');
    const chain = generateChains({ scene: kitchen, count: 1, steps: 2, seed: 4 })[0];
    const expert = new ExpertPolicy(env.privileged);
    let acts = 0;
    const clumsy: Policy = {
      id: 'clumsy',
      reset: (s) => expert.reset(s),
      act: (o) => {
        // On the 5th action of the first step, the soup can ends up under the table top (as a squeezed object does).
        if (++acts === 5) {
          const t = env.world.scene.spec.table;
          env.world.body('soup').setTranslation({ x: t.center[0], y: t.center[1], z: -0.15 }, true);
        }
        return expert.act(o);
      },
    };
    const rec = await runChain(env, clumsy, chain, { runId: 't', mode: 'continue', seed: 5, repeat: 0, policySeed: 5 });
    const h = rec.steps[0].health!;
    expect(h.unstableSteps).toBeGreaterThanOrEqual(1);
    expect(h.unstable![0]).toMatch(/^soup is \d+ mm below the table top/);
    expect(h.unstable!.length).toBeLessThanOrEqual(HEALTH_REASONS_KEPT);
    expect(h.ejected).toEqual(['soup']);
    expect(rec.health).toMatchObject({ unstableSteps: h.unstableSteps + (rec.steps[1].health?.unstableSteps ?? 0), ejected: ['soup'] });
    const s = summarise({ ...input, steps: 2 }, [rec], []);
    expect(s.physicsHealth.chains).toMatchObject({ chainsWithUnstable: 1, contaminated: true, ejectedObjects: 1 });
    expect(s.physicsHealth.chains.note).toMatch(/^CONTAMINATED by simulator artefacts/);
  });
});

// Synthetic records: what the summaries and reports make of given health.
const input: SummaryInput = { runId: 'r', scene: 'tabletop', policy: 'p', mode: 'strict', seed: 0, steps: 2, repeats: 1, versions: { chaingap: '0.1.0' } };
const clean: HealthRecord = { unstableSteps: 0, penetrationSteps: 0, maxPenetration: 0.0012, maxExcessSpeed: 0.3 };
const unstable: HealthRecord = {
  unstableSteps: 3, penetrationSteps: 2, maxPenetration: 0.0081, maxExcessSpeed: 5.2, ejected: ['soup'],
  unstable: ['soup moves at 5.20 m/s, 5.20 m/s more than free fall explains (limit 2 m/s)'],
};

function chain(id: string, healths: (HealthRecord | undefined)[]): ChainRecord {
  const steps: StepRecord[] = healths.map((h, i) => ({ index: i, task: i ? 'b' : 'a', paraphrase: 0, success: true, steps: 40, ...(h ? { health: h } : {}) }));
  const measured = healths.filter((h): h is HealthRecord => h !== undefined);
  return {
    runId: 'r', chainId: id, seed: 0, repeat: 0, policySeed: 0, policy: 'p', mode: 'strict', ood: {}, length: 2, tasks: ['a', 'b'], steps,
    latencyMs: [1], simMsPerStep: [1], wallMs: 10, ...(measured.length === healths.length ? { health: mergeHealth(measured) } : {}),
  };
}
const episode = (task: string, i: number, health?: HealthRecord): BaselineRecord => ({ runId: 'r', task, episode: i, seed: i, success: true, steps: 30, ...(health ? { health } : {}) });

describe('physics health in summaries and reports', () => {
  it('counts unstable steps, contaminated chains and ejected objects (once per chain), in summary.json and report.md', async () => {
    // The soup is reported by two steps of c2 (a record edited by hand): still one object off the table.
    const recs = [chain('c1', [clean, clean]), chain('c2', [unstable, { ...clean, ejected: ['soup'] }])];
    const base = [episode('a', 0, clean), episode('b', 0, unstable)];
    const s = summarise(input, recs, base);
    expect(s.physicsHealth.chains).toEqual({
      chains: 2, chainsWithUnstable: 1, measuredAttempts: 4, unmeasuredAttempts: 0, controlSteps: 160, unstableSteps: 3, penetrationSteps: 2,
      maxPenetrationMm: 8.1, maxExcessSpeed: 5.2, ejectedObjects: 1, contaminated: true, note: expect.stringMatching(/^CONTAMINATED by simulator artefacts: 3 control steps of 160 .* in 1 of 2 chains; 1 object left the table; 2 control steps with arm penetration > 5 mm \(deepest 8.1 mm\)/),
    });
    expect(s.physicsHealth.baseline).toMatchObject({ episodes: 2, episodesWithUnstable: 1, unstableSteps: 3, ejectedObjects: 1, contaminated: true });
    const dir = tmp();
    const files = await writeReports(dir, s);
    expect(JSON.parse(fs.readFileSync(files.summaryJson, 'utf8')).physicsHealth).toEqual(s.physicsHealth);
    const md = fs.readFileSync(files.reportMd, 'utf8');
    expect(md).toContain('| verdict | CONTAMINATED | CONTAMINATED |');
    expect(md).toContain('| sim_unstable control steps | 3 | 3 |');
    expect(md).toContain('| chain runs / episodes with sim_unstable steps | 1/2 | 1/2 |');
    expect(healthLine(s.physicsHealth)).toMatch(/^physics health: chains: CONTAMINATED .* baseline: CONTAMINATED/);

    // A clean run says so, with its counts.
    const ok = summarise(input, [chain('c1', [clean, clean])], [episode('a', 0, clean)]);
    expect(ok.physicsHealth.chains).toMatchObject({ contaminated: false, unstableSteps: 0, maxPenetrationMm: 1.2, maxExcessSpeed: 0.3 });
    expect(ok.physicsHealth.chains.note).toMatch(/^no sim_unstable control step in 80;/);
  });

  it('records written before health was measured load and summarise as not measured, not as healthy', async () => {
    const dir = tmp();
    const config = { policy: 'p', scene: 'tabletop', chains: 2, steps: 2, chainFile: null, repeats: 1, mode: 'strict', seed: 0, paraphrases: 'instruction', ood: {}, baselineEpisodes: 1, saltHash: null, chaingap: '0.1.0' };
    const { store } = ResultsStore.open(dir, config);
    // Old lines: no `health` anywhere; a step that was never attempted counts neither way.
    const old = chain('c1', [undefined, undefined]);
    store.append(old);
    store.baseline.append(episode('a', 0));
    store.baseline.append(episode('b', 0));
    store.close();
    expect(fs.readFileSync(path.join(dir, 'records.jsonl'), 'utf8')).not.toContain('health');
    const { summary } = await reportRun(dir);
    expect(summary.physicsHealth.chains).toMatchObject({ measuredAttempts: 0, unmeasuredAttempts: 2, controlSteps: 0, maxPenetrationMm: null, maxExcessSpeed: null, contaminated: null });
    expect(summary.physicsHealth.chains.note).toMatch(/^not measured/);
    expect(summary.physicsHealth.baseline).toMatchObject({ unmeasuredAttempts: 2, contaminated: null });
    const md = fs.readFileSync(path.join(dir, 'report.md'), 'utf8');
    expect(md).toContain('| verdict | not measured | not measured |');
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8')).physicsHealth).toEqual(summary.physicsHealth);

    // Resumed with new code: a new clean record does not make the run healthy; a new unstable one makes it contaminated.
    const broken: ChainRecord = { ...chain('c2', [undefined, undefined]), steps: [{ index: 0, task: 'a', paraphrase: 0, success: false, failure: 'precondition_broken', steps: 0 }] };
    const mixed = summarise(input, [old, chain('c3', [clean, clean]), broken], []);
    expect(mixed.physicsHealth.chains).toMatchObject({ measuredAttempts: 2, unmeasuredAttempts: 2, contaminated: null });
    expect(mixed.physicsHealth.chains.note).toMatch(/2 of 4 attempts not measured/);
    expect(summarise(input, [old, chain('c3', [unstable, clean])], []).physicsHealth.chains.contaminated).toBe(true);

    // The human line `chaingap report` (and `run`) prints.
    const r = spawnSync(process.execPath, ['scripts/chaingap.mjs', 'report', dir], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^physics health: chains: not measured: the 2 attempts were recorded before chaingap measured physics health\. baseline: not measured/m);
  });

  it('sweep reports count per cell, each policy\'s baseline once, and warn when contaminated', async () => {
    const base = [episode('a', 0, clean), episode('b', 0, clean)];
    const cell = (setting: string, recs: ChainRecord[]): SweepCell => ({ policy: 'p', ood: setting === 'controlled' ? {} : { clutter: 1 }, setting, dir: `p/${setting}`, summary: summarise(input, recs, base) });
    const cells = [cell('controlled', [chain('c1', [clean, clean])]), cell('clutter=1', [chain('c1', [unstable, clean])])];
    const r: SweepResultSummary = { name: 'h', cells, resumed: 0, ran: 4, missing: 0, stopped: 0, chainsPerHour: 1, workers: 1, physicsHealth: sweepPhysicsHealth(cells), recordings: { written: 0, meanBytes: null } };
    expect(r.physicsHealth.chains).toMatchObject({ chains: 2, chainsWithUnstable: 1, unstableSteps: 3, contaminated: true });
    expect(r.physicsHealth.baseline).toMatchObject({ episodes: 2, measuredAttempts: 2, contaminated: false });
    const dir = tmp();
    const out = await writeSweepReport(dir, r);
    const html = fs.readFileSync(out.reportHtml, 'utf8');
    expect(html).toContain('Physics health over all cells: chains: CONTAMINATED by simulator artefacts: 3 control steps');
    expect(html).toContain('<td>clutter=1</td><td>CONTAMINATED: 3 sim_unstable steps (1/1 chains)</td><td>3</td>');
    expect(html).toContain('<td>controlled</td><td>ok</td><td>0</td>');
    expect(JSON.parse(fs.readFileSync(out.summaryJson, 'utf8')).physicsHealth).toEqual(r.physicsHealth);

    // A `list` design (a CI suite) may leave the controlled setting out: the report is still written.
    const only = [cells[1]];
    const r2: SweepResultSummary = { ...r, cells: only, physicsHealth: sweepPhysicsHealth(only) };
    const html2 = fs.readFileSync((await writeSweepReport(tmp(), r2)).reportHtml, 'utf8');
    expect(html2).toContain('n/a (controlled setting not run)');
    expect(html2).toContain('<td>clutter=1</td><td>CONTAMINATED: 3 sim_unstable steps (1/1 chains)</td>');
  });

  it('CI Markdown and JUnit carry a warning for a contaminated suite result, and none for a clean one', () => {
    const dirty = summarise(input, [chain('c1', [unstable, clean])], [episode('a', 0, clean)]).physicsHealth;
    const tidy = summarise(input, [chain('c1', [clean, clean])], [episode('a', 0, clean)]).physicsHealth;
    const result = (ph: RunSummary['physicsHealth']): CiResult => ({
      name: 'job', policy: 'p', status: 'pass', exitCode: 0, checks: [], metrics: {},
      physicsHealth: { 'kitchen/controlled': ph.chains, 'kitchen/isolated': ph.baseline },
      rules: { alpha: 0.05, minEffect: 0.1, power: 0.8, correction: 'holm', floorRule: 'significant' }, reference: null, baselineWritten: null,
      units: { ran: 1, resumed: 0 }, recordings: { written: 0, meanBytes: null }, wallSeconds: 1, job: 'x', files: { summaryJson: '', junitXml: '', markdown: '' },
    });
    const md = ciMarkdown(result(dirty));
    expect(md).toMatch(/^> ⚠️ \*\*physics health: kitchen \/ controlled: CONTAMINATED by simulator artefacts: 3 control steps/m);
    expect(md).toContain('| kitchen / controlled | CONTAMINATED: 3 sim_unstable steps (1/1 chains) | 3 | 1/1 | 1 | 2 | 8.10 mm |');
    expect(md).toContain('| kitchen / isolated | ok | 0 | 0/1 | 0 | 0 | 1.20 mm |');
    expect(ciMarkdown(result(tidy))).not.toContain('⚠️');
    const xml = ciJunit({ name: 'job', checks: [], wallSeconds: 1, physicsHealth: result(dirty).physicsHealth });
    expect(xml).toMatch(/<testsuite name="job: kitchen\/controlled"[^>]*>\s*<system-err>WARNING: physics health: kitchen\/controlled: CONTAMINATED/);
    expect(xml).not.toContain('kitchen/isolated');
    expect(ciJunit({ name: 'job', checks: [], wallSeconds: 1, physicsHealth: result(tidy).physicsHealth })).not.toContain('WARNING');
  });
});

it('physicsHealth of no records is empty and clean', () => {
  expect(physicsHealth([], []).chains).toMatchObject({ chains: 0, measuredAttempts: 0, contaminated: false, note: 'no task was attempted' });
  expect(renderMarkdown(summarise(input, [], []))).toContain('Chains: no task was attempted. Baseline: no task was attempted.');
});
