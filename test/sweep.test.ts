// Sweeps: spec validation, the settings a design expands to, identical results for any worker count,
// resume, and shards that together make the whole sweep.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mergeSweep, parseSweepSpec, runSweep, settingKey, sweepSettings } from '../runner/sweep/sweep.ts';
import { outcomeOf } from '../runner/results/summary.ts';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'chaingap-sweep-'));
const small = parseSweepSpec({ name: 's', policies: ['bernoulli:0.8'], axes: { clutter: [1], lighting: [1] }, chains: 3, steps: 2, baselineEpisodes: 1, seed: 2 }, 'small.json');
const outcomes = (r: Awaited<ReturnType<typeof runSweep>>) => r.cells.map((c) => [c.policy, c.setting, outcomeOf(c.summary)]);

describe('sweep specs', () => {
  it('expand to the controlled setting plus each axis level (one at a time) or every combination (grid)', () => {
    expect(sweepSettings(small).map(settingKey)).toEqual(['controlled', 'clutter=1', 'lighting=1']);
    const grid = parseSweepSpec({ ...small, design: 'grid', axes: { clutter: [0.5, 1], pose: [1] } }, 'g.json');
    expect(sweepSettings(grid).map(settingKey)).toEqual(['controlled', 'clutter=0.5', 'clutter=0.5+pose=1', 'clutter=1', 'clutter=1+pose=1', 'pose=1']);
  });

  it('a seeded random design draws each axis level from its list, always with the controlled setting', () => {
    const spec = parseSweepSpec({ ...small, design: 'random', samples: 6, axes: { clutter: [0.5, 1], pose: [0.5, 1] } }, 'r.json');
    const a = sweepSettings(spec).map(settingKey);
    expect(a[0]).toBe('controlled');
    expect(a).toEqual(sweepSettings(spec).map(settingKey));
    for (const k of a.slice(1)) expect(k).toMatch(/^(clutter=(0\.5|1))?\+?(pose=(0\.5|1))?$/);
    expect(sweepSettings({ ...spec, seed: spec.seed + 1 }).map(settingKey)).not.toEqual(a);
  });

  it('name the file and field of a bad spec', () => {
    expect(() => parseSweepSpec({ ...small, axes: { cluter: [1] } }, 'bad.json')).toThrow(/bad\.json: axes/);
    expect(() => parseSweepSpec({ ...small, chains: 0 }, 'bad.json')).toThrow(/bad\.json: chains/);
    expect(() => parseSweepSpec({ ...small, policies: ['bogus'] }, 'bad.json')).toThrow(/unknown policy "bogus"/);
    expect(() => parseSweepSpec({ ...small, axes: { pose: [2] } }, 'bad.json')).toThrow(/bad\.json: axes/);
  });
});

describe('running a sweep', () => {
  it('gives the same results with 1 and 2 workers, resumes without rerunning, and shards add up', async () => {
    const one = await runSweep(small, { out: tmp(), workers: 1 });
    const twoDir = tmp();
    const two = await runSweep(small, { out: twoDir, workers: 2 });
    expect(outcomes(two)).toEqual(outcomes(one));
    expect(one.cells.map((c) => c.summary.chains)).toEqual([3, 3, 3]);
    const again = await runSweep(small, { out: twoDir, workers: 2 });
    expect(again.ran).toBe(0);
    expect(again.resumed).toBe(two.ran);
    expect(outcomes(again)).toEqual(outcomes(one));
    const shardDir = tmp();
    const s0 = await runSweep(small, { out: shardDir, shard: { index: 0, count: 2 } });
    const s1 = await runSweep(small, { out: shardDir, shard: { index: 1, count: 2 } });
    expect(s0.ran + s1.ran).toBe(one.ran);
    expect(outcomes(s1)).toEqual(outcomes(one));
  }, 240_000);
});

describe('merging shards', () => {
  it('joins shard directories into the whole sweep, reports gaps and keeps duplicates once', async () => {
    const whole = await runSweep(small, { out: tmp() });
    const a = tmp(), b = tmp();
    await runSweep(small, { out: a, shard: { index: 0, count: 2 } });
    await runSweep(small, { out: b, shard: { index: 1, count: 2 } });
    const half = await mergeSweep(small, tmp(), [a]);
    expect(half.merge.missing).toBeGreaterThan(0);
    const { merge, result } = await mergeSweep(small, tmp(), [a, b, a]);
    expect(merge.missing).toBe(0);
    expect(merge.conflicts).toEqual([]);
    expect(merge.chainRecords + merge.baselineRecords).toBe(whole.ran);
    expect(merge.duplicates).toBe(half.merge.chainRecords + half.merge.baselineRecords);
    expect(result.cells.map((c) => outcomeOf(c.summary))).toEqual(whole.cells.map((c) => outcomeOf(c.summary)));
  }, 240_000);
});

describe('sweeps over the user\'s own chains', () => {
  it('runs a chain file (here an imported LIBERO problem with its scene inline) under OOD settings on workers', async () => {
    const { importBddl } = await import('../scenes/bddl.ts');
    const dir = tmp();
    const { scene, task } = importBddl(fs.readFileSync('test/fixtures/two_boxes_in_basket.bddl', 'utf8'), 'two.bddl', 'two_boxes');
    const file = path.join(dir, 'chains.json');
    fs.writeFileSync(file, JSON.stringify({ name: 'two', scene, steps: [{ ...task, scene: undefined }] }));
    const spec = parseSweepSpec({ name: 'own', policies: ['expert'], axes: { clutter: [1] }, chains: 1, chainFile: file, baselineEpisodes: 1, seed: 1 }, 'own.json');
    const r = await runSweep(spec, { out: path.join(dir, 'out'), workers: 2 });
    expect(r.cells.map((c) => [c.setting, c.summary.chains])).toEqual([['controlled', 1], ['clutter=1', 1]]);
    expect(r.cells[0].summary.S[0].value).toBe(1);
    expect(r.cells[0].summary.baseline.tasks.map((t) => t.task)).toEqual(['two_boxes']);
  }, 120_000);
});
