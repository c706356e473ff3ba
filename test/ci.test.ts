// `chaingap ci`: the statistics behind a regression verdict, the config's error messages, and the job
// end to end (a clearly worse policy is flagged, the same policy passes with identical counts, the
// outputs CI servers read, the time budget, and exit codes).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import seedrandom from 'seedrandom';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { binomialCdf, fisherLess, holmAdjust, normalQuantile, zLess } from '../runner/results/stats.ts';
import { dropPValue, minimumDetectableDrop, testFor } from '../runner/ci/ci-compare.ts';
import { compareChecks, decideChecks, type Comparison } from '../runner/ci/ci-checks.ts';
import { CiConfigError, loadCiConfig, parseCiConfig } from '../runner/ci/ci-config.ts';
import { CiRuntimeError, runCi } from '../runner/ci/ci.ts';
import { parseSweepSpec, sweepSettings } from '../runner/sweep/sweep.ts';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'chaingap-ci-'));
const cli = (args: string[], cwd?: string, env: Record<string, string> = {}) => spawnSync(process.execPath, [path.resolve('scripts/chaingap.mjs'), ...args], { encoding: 'utf8', cwd, env: { ...process.env, ...env } });

describe('statistics', () => {
  it('one-sided tests, quantiles, Holm and the binomial CDF match hand-computed values', () => {
    // [[1, 3], [3, 1]]: P(X <= 1) = (C(4,0)C(4,4) + C(4,1)C(4,3)) / C(8,4) = 17/70.
    expect(fisherLess(1, 4, 3, 4)).toBeCloseTo(17 / 70, 12);
    expect(fisherLess(4, 4, 0, 4)).toBeCloseTo(1, 12);
    expect(zLess(30, 100, 50, 100).p).toBeCloseTo(0.001946, 5);
    expect(zLess(50, 100, 30, 100).p).toBeCloseTo(1 - 0.001946, 5);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.326348, 5);
    expect(holmAdjust([0.01, 0.04, 0.03])).toEqual([0.03, 0.06, 0.06].map((x) => expect.closeTo(x, 12)));
    expect(binomialCdf(2, 5, 0.5)).toBeCloseTo(0.5, 12);
    expect(binomialCdf(0, 10, 0.1)).toBeCloseTo(0.9 ** 10, 12);
  });

  it('Fisher\'s exact test is used when an expected cell count is under 5, the z test otherwise', () => {
    expect(testFor({ successes: 8, trials: 8 }, { successes: 7, trials: 8 })).toBe('fisher');
    expect(testFor({ successes: 40, trials: 60 }, { successes: 45, trials: 60 })).toBe('z');
    expect(dropPValue({ successes: 2, trials: 8 }, { successes: 8, trials: 8 })).toEqual({ test: 'fisher', p: expect.closeTo(fisherLess(2, 8, 8, 8), 12) });
  });

  it('the minimum detectable drop matches the normal approximation at large n and shrinks with n', () => {
    const ref = { successes: 250, trials: 500 };
    const approx = (normalQuantile(0.95) + normalQuantile(0.8)) * Math.sqrt(2 * 0.25 / 500);
    expect(minimumDetectableDrop(ref, 500, 0.05, 0, 0.8)).toBeCloseTo(approx, 2);
    const m = [20, 50, 200].map((n) => minimumDetectableDrop({ successes: n * 0.8, trials: n }, n, 0.05, 0, 0.8)!);
    expect(m[0]).toBeGreaterThan(m[1]);
    expect(m[1]).toBeGreaterThan(m[2]);
    // A minimum effect larger than the statistical limit becomes the limit.
    expect(minimumDetectableDrop(ref, 500, 0.05, 0.2, 0.8)!).toBeGreaterThan(0.2);
    // One trial each: no outcome is ever significant.
    expect(minimumDetectableDrop({ successes: 1, trials: 1 }, 1, 0.05, 0, 0.8)).toBeNull();
  });

  it('a job of correlated-free comparisons cries wolf at most about alpha of the time (Holm), and catches a real drop', () => {
    const rng = seedrandom('ci-calibration');
    const draw = (n: number, p: number) => { let k = 0; for (let i = 0; i < n; i++) if (rng() < p) k++; return k; };
    const rates = [0.9, 0.7, 0.5, 0.3];
    const rules = { alpha: 0.05, minEffect: 0, power: 0.8 };
    const jobs = 1500;
    let holm = 0, none = 0, caught = 0;
    for (let j = 0; j < jobs; j++) {
      const items: Comparison[] = rates.map((p, i) => ({ suite: 's', setting: 'controlled', metric: `m${i}`, current: { successes: draw(30, p), trials: 30 }, reference: { successes: draw(30, p), trials: 30 } }));
      if (compareChecks(items, { ...rules, correction: 'holm' }).some((c) => c.status === 'fail')) holm++;
      if (compareChecks(items, { ...rules, correction: 'none' }).some((c) => c.status === 'fail')) none++;
      const worse = items.map((c, i) => (i === 1 ? { ...c, current: { successes: draw(30, 0.35), trials: 30 } } : c));
      if (compareChecks(worse, { ...rules, correction: 'holm' }).find((c) => c.metric === 'm1')!.status === 'fail') caught++;
    }
    // Standard error of a rate near 0.05 over 1500 jobs is 0.0056.
    expect(holm / jobs).toBeLessThanOrEqual(0.05 + 0.012);
    expect(none / jobs).toBeGreaterThan(holm / jobs);
    expect(caught / jobs).toBeGreaterThan(0.6);
  });

  it('a significant drop smaller than the minimum effect passes, and says why', () => {
    const [c] = compareChecks([{ suite: 's', setting: 'isolated', metric: 'q', current: { successes: 900, trials: 1000 }, reference: { successes: 950, trials: 1000 } }],
      { alpha: 0.05, minEffect: 0.1, power: 0.8, correction: 'holm' });
    expect(c.pAdjusted).toBeLessThan(0.001);
    expect(c.status).toBe('pass');
    expect(c.message).toMatch(/smaller than the minimum effect 0.1: not a regression/);
  });
});

it('a floor breaks when the rate is significantly below it (or, by choice, whenever the estimate is)', () => {
  const rules = { alpha: 0.05, minEffect: 0.05, power: 0.8, correction: 'holm' as const };
  const floor = (successes: number, f = 0.9) => ({ suite: 's', setting: 'controlled', metric: 'S_1', current: { successes, trials: 30 }, floor: f });
  const [near, far, perfect] = decideChecks([floor(26), floor(20), floor(29, 1)], [], rules);
  expect(near).toMatchObject({ status: 'pass', value: 26 / 30, p: expect.closeTo(binomialCdf(26, 30, 0.9), 12) });
  expect(near.message).toMatch(/below the floor 0.9, but not significantly: pass/);
  expect(far.status).toBe('fail');
  expect(far.message).toMatch(/significantly below the floor 0.9/);
  // A floor of 1 allows no failure at all.
  expect(perfect.status).toBe('fail');
  const est = decideChecks([floor(26), floor(27)], [], { ...rules, floorRule: 'estimate' });
  expect(est.map((c) => c.status)).toEqual(['fail', 'pass']);
  // Floors and comparisons share one Holm family.
  const both = decideChecks([floor(27)], [{ suite: 's', setting: 'controlled', metric: 'S_1', current: { successes: 27, trials: 30 }, reference: { successes: 29, trials: 30 } }], rules);
  expect(both[1].pAdjusted).toBeCloseTo(Math.min(1, Math.max(2 * Math.min(both[0].p!, both[1].p!), Math.max(both[0].p!, both[1].p!))), 12);
});

it('a sweep of design "list" runs exactly its settings, and needs them', () => {
  const spec = parseSweepSpec({ name: 'l', policies: ['expert'], chains: 1, design: 'list', settings: [{ clutter: 0.5 }, { clutter: 0.5, lighting: 0 }, {}] }, 's.json');
  expect(sweepSettings(spec)).toEqual([{ clutter: 0.5 }, {}]);
  expect(() => parseSweepSpec({ name: 'l', policies: ['expert'], chains: 1, design: 'list' }, 's.json')).toThrow(/s\.json: settings: design "list" needs a settings array/);
});

describe('config errors name the file and the field', () => {
  const base = { policy: 'expert', suites: [{ name: 'k', chains: 2, steps: 3 }] };
  const err = (json: unknown) => {
    try {
      parseCiConfig(json, 'ci.json');
    } catch (e) {
      expect(e).toBeInstanceOf(CiConfigError);
      return (e as Error).message;
    }
    throw new Error('no error');
  };

  it('unknown fields, at the root and nested', () => {
    expect(err({ ...base, alhpa: 0.05 })).toMatch(/^ci\.json: alhpa: unknown field; remove it \(fields here: .*alpha/);
    expect(err({ ...base, suites: [{ name: 'k', seeds: 3 }] })).toMatch(/^ci\.json: suites\[0\]\.seeds: unknown field.*seed/);
  });

  it('floors out of [0, 1], k beyond the chain length, unknown metrics and policies', () => {
    expect(err({ ...base, suites: [{ name: 'k', settings: [{ floors: { S_1: 1.2 } }] }] })).toMatch(/^ci\.json: suites\[0\]\.settings\[0\]\.floors\.S_1: must be in \[0, 1\]/);
    expect(err({ ...base, suites: [{ name: 'k', isolatedFloors: { q: -0.1 } }] })).toMatch(/suites\[0\]\.isolatedFloors\.q: must be in \[0, 1\]/);
    expect(err({ ...base, suites: [{ name: 'k', steps: 3, settings: [{ floors: { S_10: 0.5 } }] }] })).toMatch(/floors\.S_10: the chains have 3 steps, so k must be 1\.\.3/);
    expect(err({ ...base, suites: [{ name: 'k', settings: [{ floors: { 'type:fly': 0.5 } }] }] })).toMatch(/floors.*type:fly.*task type/);
    expect(err({ ...base, compare: ['S_1', 'P_ind'] })).toMatch(/compare: "P_ind" is not a metric/);
    expect(err({ ...base, policy: 'expret' })).toMatch(/^ci\.json: policy: /);
    expect(err({ ...base, alpha: 0 })).toMatch(/^ci\.json: alpha: must be in \(0, 0\.5\]/);
    expect(err({ ...base, suites: [{ name: 'k', settings: [{ ood: { glare: 0.5 } }] }] })).toMatch(/suites\[0\]\.settings\[0\]\.ood/);
  });

  it('a missing reference file is named before anything runs', async () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'ci.json'), JSON.stringify({ ...base, baseline: 'nope.json', out: 'out' }));
    const cfg = loadCiConfig(path.join(dir, 'ci.json'));
    await expect(runCi(cfg)).rejects.toThrow(/ci\.json: baseline: .*nope\.json does not exist; record one .*--update-baseline/);
    expect(fs.existsSync(path.join(dir, 'out'))).toBe(false);
  });
});

describe('the job end to end', { timeout: 240_000 }, () => {
  const dir = tmp();
  const config = {
    name: 'tiny', policy: 'expert', suites: [{ name: 'k', chains: 8, steps: 3, seed: 5, settings: [{ floors: { S_1: 0.9 } }], isolatedFloors: { q: 0.5 } }],
    baselineEpisodes: 2, compare: ['S_1', 'S_3', 'q'], baseline: 'ref.json', workers: 1, out: 'out',
  };
  fs.writeFileSync(path.join(dir, 'chaingap.ci.json'), JSON.stringify(config));
  const file = path.join(dir, 'chaingap.ci.json');

  it('records a reference only when asked, flags a clearly worse policy, and passes the same policy with identical counts', async () => {
    const ref = await runCi(loadCiConfig(file), { updateBaseline: true, out: path.join(dir, 'expert') });
    expect(ref.status).toBe('pass');
    const written = fs.readFileSync(path.join(dir, 'ref.json'), 'utf8');
    expect(JSON.parse(written).metrics['k/controlled/S_3'].trials).toBe(8);

    const bad = await runCi(loadCiConfig(file), { policy: 'noisy-expert:0.3', out: path.join(dir, 'noisy') });
    expect(bad.exitCode).toBe(1);
    const failed = bad.checks.filter((c) => c.status === 'fail').map((c) => c.id);
    expect(failed).toContain('k/controlled/S_3 (vs reference)');
    expect(fs.readFileSync(path.join(dir, 'ref.json'), 'utf8')).toBe(written);
    // JUnit: one testcase per check, failures carry the numbers.
    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' }).parse(fs.readFileSync(bad.files.junitXml, 'utf8'));
    const cases = [xml.testsuites.testsuite].flat().flatMap((s: { testcase: unknown }) => [s.testcase].flat()) as { '@name': string; failure?: { '@message': string } }[];
    expect(cases).toHaveLength(bad.checks.length);
    expect(Number(xml.testsuites['@failures'])).toBe(failed.length);
    const s3 = cases.find((c) => c['@name'] === 'S_3 not below reference')!;
    // The reference is what the expert scored (8/8, or 7/8 where a chain leaves a stack where the palm must go).
    const refS3 = JSON.parse(written).metrics['k/controlled/S_3'] as { successes: number; trials: number };
    expect(refS3.successes).toBeGreaterThanOrEqual(7);
    const refText = `${(refS3.successes / 8).toFixed(3)} \\(${refS3.successes}/8\\)`;
    expect(s3.failure!['@message']).toMatch(new RegExp(`S_3 0\\.\\d+ \\(\\d/8\\) vs reference ${refText}.*p = .*REGRESSION`));
    const md = fs.readFileSync(bad.files.markdown, 'utf8');
    expect(md).toMatch(/^## chaingap CI: tiny: ❌ fail/);
    expect(md).toMatch(new RegExp(`\\| k / controlled \\| S_3 \\| .* \\| ${refText} \\| −`));
    expect(JSON.parse(fs.readFileSync(bad.files.summaryJson, 'utf8')).status).toBe('fail');

    const same = await runCi(loadCiConfig(file), { out: path.join(dir, 'again') });
    expect(same.exitCode).toBe(0);
    expect(same.metrics).toEqual(JSON.parse(written).metrics);
    expect(same.checks.filter((c) => c.kind === 'compare').every((c) => c.drop === 0)).toBe(true);
  });

  it('a spent time budget stops the job with a clear error, keeps what was recorded, and the job resumes', async () => {
    const cfg = { ...loadCiConfig(file), timeBudgetMinutes: 1e-9 };
    const out = path.join(dir, 'budget');
    await expect(runCi(cfg, { out })).rejects.toThrow(CiRuntimeError);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8')).status).toBe('error');
    expect(fs.readFileSync(path.join(out, 'junit.xml'), 'utf8')).toMatch(/errors="1"[\s\S]*time budget/);
    const r = await runCi(loadCiConfig(file), { out });
    expect(r.exitCode).toBe(0);
  });

  it('the command line: exit 2 naming the field for a broken config, 1 for a regression, --json, and --fresh for another job', () => {
    fs.writeFileSync(path.join(dir, 'broken.json'), JSON.stringify({ ...config, suites: [{ name: 'k', settings: [{ floors: { S_1: 2 } }] }] }));
    const broken = cli(['ci', '--config', 'broken.json'], dir);
    expect(broken.status).toBe(2);
    expect(broken.stderr).toMatch(/broken\.json: suites\[0\]\.settings\[0\]\.floors\.S_1: must be in \[0, 1\]/);
    fs.writeFileSync(path.join(dir, 'noref.json'), JSON.stringify({ ...config, baseline: 'missing.json' }));
    const noref = cli(['ci', '--config', 'noref.json'], dir);
    expect(noref.status).toBe(2);
    expect(noref.stderr).toMatch(/noref\.json: baseline: .*missing\.json does not exist/);
    // The noisy run of the first test, resumed (nothing simulated): exit 1, and --json.
    const stepSummary = path.join(dir, 'step-summary.md');
    fs.writeFileSync(stepSummary, '# earlier step\n');
    const bad = cli(['ci', '--config', 'chaingap.ci.json', '--policy', 'noisy-expert:0.3', '--out', 'noisy', '--json'], dir, { GITHUB_STEP_SUMMARY: stepSummary });
    expect(bad.status).toBe(1);
    const doc = JSON.parse(bad.stdout);
    expect(doc).toMatchObject({ status: 'fail', exitCode: 1, units: { ran: 0, resumed: 32 } });
    expect(bad.stderr).toMatch(/FAIL k\/controlled\/S_3 \(vs reference\)/);
    // GitHub's step summary gets the Markdown appended, after what earlier steps wrote.
    expect(fs.readFileSync(stepSummary, 'utf8')).toMatch(/^# earlier step\n## chaingap CI: tiny: ❌ fail/);
    // Another job into that directory is refused, naming --fresh; with --fresh the noisy run is discarded and the job runs.
    fs.writeFileSync(path.join(dir, 'small.json'), JSON.stringify({ name: 'small', policy: 'noisy-expert:0.3', suites: [{ name: 'k', chains: 2, steps: 2, seed: 9, settings: [{}] }], baselineEpisodes: 1, workers: 1 }));
    const refused = cli(['ci', '--config', 'small.json', '--out', 'noisy'], dir);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/holds results of another job or policy: pass --fresh to discard them/);
    const fresh = cli(['ci', '--config', 'small.json', '--out', 'noisy', '--fresh', '--json'], dir);
    expect(fresh.status, fresh.stderr).toBe(0);
    const ran = JSON.parse(fresh.stdout) as { status: string; units: { ran: number; resumed: number } };
    expect(ran).toMatchObject({ status: 'pass', units: { resumed: 0 } });
    expect(ran.units.ran).toBeGreaterThan(2);
    // Plain progress lines (no TTY), the last one at every unit of the fresh job.
    expect(fresh.stderr).toMatch(new RegExp(`^ci k units: ${ran.units.ran}/${ran.units.ran}`, 'm'));
  });

  it('the library example checks a policy against the config\'s reference and exits like the CLI', () => {
    // The first test's expert run is resumed: nothing is simulated, and the same policy passes.
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/examples/ci-regression.ts', file, 'expert', path.join(dir, 'again')], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/## chaingap CI: tiny: ✅ pass/);
    expect(r.stdout).toMatch(/k\/controlled\/S_3 \(vs reference\): drop 0\.000, adjusted p 1\.0, detects drops >= \d\.\d{3} -> pass/);
  });
});
