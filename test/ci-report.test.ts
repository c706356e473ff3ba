// The CI job's report.html as a reader uses it, from made-up counts (no simulation): it leads with the
// verdict and its reasons, lists each metric against the reference (reference, current, difference,
// test, floor, result), prints every metric's value in the heat map, and says how its q is weighted.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decideChecks, type CheckRules } from '../runner/ci/ci-checks.ts';
import { renderCiHtml, writeCiReport } from '../runner/ci/ci-report.ts';
import type { CiResult } from '../runner/ci/ci.ts';

const dirs: string[] = [];
const tmp = () => { const d = fs.mkdtempSync(path.join(os.tmpdir(), 'chaingap-ci-report-')); dirs.push(d); return d; };
afterAll(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });

const rules: Required<CheckRules> = { alpha: 0.05, minEffect: 0.1, power: 0.8, correction: 'holm', floorRule: 'significant' };

/** A job of one suite `k`: S_1 and S_3 in the controlled setting, q of the isolated baseline; `s3` current successes of S_3 out of 40. */
function job(s3: number, files: CiResult['files'] = { summaryJson: '', junitXml: '', markdown: '' }): CiResult {
  const cur = { 'k/controlled/S_1': { successes: 39, trials: 40 }, 'k/controlled/S_3': { successes: s3, trials: 40 }, 'k/isolated/q': { successes: 54, trials: 60 }, 'k/isolated/type:pick_place': { successes: 27, trials: 30 } };
  const ref = { 'k/controlled/S_1': { successes: 40, trials: 40 }, 'k/controlled/S_3': { successes: 36, trials: 40 }, 'k/isolated/q': { successes: 55, trials: 60 } };
  const at = (k: string) => { const [suite, setting, metric] = k.split('/'); return { suite, setting, metric }; };
  const checks = decideChecks(
    [{ ...at('k/controlled/S_1'), current: cur['k/controlled/S_1'], floor: 0.8 }],
    Object.keys(ref).map((k) => ({ ...at(k), current: cur[k as keyof typeof cur], reference: ref[k as keyof typeof ref] })),
    rules,
  );
  const failed = checks.some((c) => c.status === 'fail');
  return {
    name: 'tiny', policy: 'noisy-expert:0.3', status: failed ? 'fail' : 'pass', exitCode: failed ? 1 : 0, checks, metrics: cur, physicsHealth: {}, rules,
    reference: { file: 'ref.json', recorded: '2025-01-02T00:00:00Z', policy: 'expert', sameJob: true }, baselineWritten: null,
    units: { ran: 10, resumed: 0 }, recordings: { written: 0, meanBytes: null }, wallSeconds: 3, job: 'abc', files,
  };
}

const text = (html: string) => html.replace(/<svg[\s\S]*?<\/svg>/g, '').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

describe('CI report.html', () => {
  it('leads with the verdict and the failed comparison, with the reference and current values', async () => {
    const r = job(12);
    expect(r.status).toBe('fail');
    const html = await renderCiHtml(r);
    const main = html.slice(html.indexOf('<main>'));
    // The first thing after the title is the verdict.
    expect(main).toMatch(/^<main>\n<h1>chaingap CI: tiny<\/h1>\n<section class="verdict fail" id="verdict"><div class="word">FAIL<\/div>/);
    const verdict = text(main.slice(0, main.indexOf('</section>')));
    expect(verdict).toMatch(/1 of 4 checks failed/);
    expect(verdict).toContain('k / controlled S_3 dropped from 0.900 (36/40) in the reference to 0.300 (12/40): −0.600');
    expect(verdict).toMatch(/minimum effect 0\.1/);
    expect(main.indexOf('id="verdict"')).toBeLessThan(main.indexOf('Each metric against the reference'));

    // One row per metric: reference, current, difference, test and p, floor, result.
    const table = main.slice(main.indexOf('<h2>Each metric against'), main.indexOf('</table>', main.indexOf('<h2>Each metric against')));
    const rows = [...table.matchAll(/<tr[^>]*>(.*?)<\/tr>/g)].map((m) => [...m[1].matchAll(/<t[dh][^>]*>(.*?)<\/t[dh]>/g)].map((c) => text(c[1]).trim()));
    expect(rows[0]).toEqual(['suite / setting', 'metric', 'reference', 'current [95% CI]', 'difference', 'test, p (adjusted)', 'detects drops ≥', 'floor', 'result']);
    const row = (m: string) => rows.find((x) => x[1] === m)!;
    const s3 = r.checks.find((c) => c.metric === 'S_3')!;
    expect(row('S_3').slice(0, 5)).toEqual(['k / controlled', 'S_3', '0.900 (36/40)', `0.300 [${s3.ci[0].toFixed(3)}, ${s3.ci[1].toFixed(3)}] (12/40)`, '−0.600']);
    expect(row('S_3')[5]).toMatch(/^one-sided (Fisher's exact|two-proportion z) test: p = /);
    expect(row('S_3')[8]).toBe('FAIL');
    expect(row('S_1')[2]).toBe('1.000 (40/40)');
    expect(row('S_1')[7]).toMatch(/^0\.8: pass \(exact binomial p = /);
    expect(row('S_1')[8]).toBe('pass');
    expect(row('q').slice(2, 5)).toEqual(['0.917 (55/60)', expect.stringMatching(/^0\.900 \[/), '−0.017']);
    // The failed row is marked.
    expect(table).toMatch(/<tr class="failed"><td>k \/ controlled<\/td><td>S_3<\/td>/);
  });

  it('prints every metric\'s value in the heat map, and says how its q is weighted', async () => {
    const html = await renderCiHtml(job(12));
    const svg = html.slice(html.indexOf('<h2>Every metric</h2>'), html.indexOf('</figure>', html.indexOf('<h2>Every metric</h2>')));
    for (const [v, n] of [['0.97', '39/40'], ['0.30', '12/40'], ['0.90', '54/60'], ['0.90', '27/30']]) {
      expect(svg).toContain(`>${v}</text>`);
      expect(svg).toContain(`>${n}</text>`);
    }
    expect(text(html)).toMatch(/q is pooled over the suite's isolated-task \(baseline\) episodes/);
    expect(text(html)).toMatch(/mean q weighted by how often each task appears in the chains/);
    expect(html).toMatch(/<h2>Definitions<\/h2>[\s\S]*docs\/metrics\.md/);
  });

  it('a passing job says PASS and why; the written page links the suite\'s own pages', async () => {
    const out = tmp();
    fs.mkdirSync(path.join(out, 'k', 'p', 'controlled'), { recursive: true });
    fs.writeFileSync(path.join(out, 'k', 'report.html'), '<html></html>');
    fs.writeFileSync(path.join(out, 'k', 'p', 'controlled', 'report.html'), '<html></html>');
    const task = (t: string, value: number) => ({ task: t, value, episodes: 30, successes: value * 30, ci: [0, 1], failures: {} });
    // Task a appears in the chains three times as often as b: mean q weighted by use differs from the pooled q.
    fs.writeFileSync(path.join(out, 'k', 'summary.json'), JSON.stringify({ cells: [{ policy: 'p', setting: 'controlled', dir: 'p/controlled', ood: {}, summary: { baseline: { meanQ: 0.95 * 0.75 + 0.85 * 0.25, tasks: [task('a', 0.95), task('b', 0.85)] } } }] }));
    const r = job(35, { summaryJson: path.join(out, 'summary.json'), junitXml: '', markdown: '', reportHtml: path.join(out, 'report.html') });
    expect(r.status).toBe('pass');
    const file = await writeCiReport(r);
    expect(file).toBe(path.join(out, 'report.html'));
    const html = fs.readFileSync(file, 'utf8');
    expect(html).toMatch(/<section class="verdict pass" id="verdict"><div class="word">PASS<\/div>/);
    expect(text(html)).toMatch(/4 of 4 checks passed: 1 floor met, 3 comparisons with the reference without a regression/);
    for (const h of [...html.matchAll(/<a href="([^"]+)">/g)].map((m) => m[1]).filter((h) => h.includes('report.html'))) {
      expect(fs.existsSync(path.join(out, decodeURIComponent(h)))).toBe(true);
    }
    expect(html).toContain('<a href="k/report.html">k</a>');
    expect(html).toContain('<a href="k/p/controlled/report.html">controlled</a>');
    // Both q's, each with its weighting.
    const qTable = text(html.slice(html.indexOf('<h3>What q means here</h3>'), html.indexOf('<h3>The job</h3>')));
    expect(qTable).toContain('k 0.900 (54/60 episodes) 0.900 over 2 tasks 0.925');
  });
});
