// The runnable examples in scripts/examples/: each runs as a user would run it and prints what the README says.
// (Apart from test/cli.test.ts so that the two long files run side by side.)
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

it('the library example runs', () => {
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/examples/expert-episode.ts', 'cabinet_open_drawer', '3'], { encoding: 'utf8' });
  expect(out).toMatch(/success after \d+ steps/);
});

it('the chain-sweep example runs and prints S_10 for each policy', async () => {
  const { twoProportionTest } = await import('../runner/results/stats.ts');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chaingap-example-'));
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/examples/run-chains.ts', '1', dir, '1'], { encoding: 'utf8' });
  const lines = out.trim().split('\n');
  expect(lines).toHaveLength(4);
  // One row per policy, with the numbers its run directory's summary.json holds.
  const summaries = ['expert', 'bernoulli_0.95', 'bernoulli_0.8'].map((d) => JSON.parse(fs.readFileSync(path.join(dir, d, 'summary.json'), 'utf8')));
  const s10 = (s: { steps: number; S: { value: number; ci: number[]; successes: number; trials: number }[] }) => s.S[s.steps - 1];
  ['expert', 'bernoulli:0.95', 'bernoulli:0.8'].forEach((policy, i) => {
    const s = summaries[i], S = s10(s);
    expect(S.trials).toBe(1);
    expect(lines[i]).toBe(`${policy.padEnd(16)} S_10 = ${S.value.toFixed(2)} [${S.ci.map((x: number) => x.toFixed(2)).join(', ')}]  P_ind = ${s.baseline.P_ind.toFixed(2)}  C = ${S.value > 0 ? (s.C ?? s.baseline.P_ind / S.value).toFixed(2) : 'undefined (S_10 = 0)'}`);
  });
  // The last line is the two-proportion z test of expert against bernoulli:0.8 on those S_10 counts.
  const [a, c] = [s10(summaries[0]), s10(summaries[2])];
  const t = twoProportionTest(a.successes, a.trials, c.successes, c.trials);
  expect(lines[3]).toBe(`expert vs bernoulli:0.8 on S_10: z = ${t.z.toFixed(2)}, p = ${t.p.toFixed(4)}`);
  expect(fs.existsSync(path.join(dir, 'expert', 'report.html'))).toBe(true);
}, 120_000);

it('the learned-policy example runs the example CNN in-process and served, with the same outcomes', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chaingap-learned-'));
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/examples/learned-policy.ts', '1', dir, '1'], { encoding: 'utf8' });
  expect(out).toMatch(/remote \(ws:\/\/127\.0\.0\.1:\d+\): S_1 = /);
  expect(out).toMatch(/[1-9]\d* requests in [1-9]\d* model calls/);
  expect(out).toMatch(/same outcomes in-process and served: true/);
}, 120_000);

it('the OOD sweep example runs on two workers and prints S_N per setting', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chaingap-sweep-example-'));
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/examples/ood-sweep.ts', '1', dir, '1'], { encoding: 'utf8' });
  expect(out).toMatch(/controlled +S_5 = \d\.\d\d/);
  expect(out).toMatch(/clutter=1 +S_5/);
  expect(fs.readFileSync(path.join(dir, 'report.html'), 'utf8')).toMatch(/Robustness on variants/);
}, 180_000);
