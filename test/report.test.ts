// Run reports: summary.json, report.md and the offline report.html written from a summarised run,
// and the independence curve behind the S_k chart, checked on small made-up records.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BaselineRecord, ChainRecord, StepRecord } from '../runner/results/records.ts';
import { summarise, type SummaryInput } from '../runner/results/summary.ts';
import { independenceCurve } from '../runner/report/charts.ts';
import { renderMarkdown, writeReports } from '../runner/report/report.ts';

const TASKS = ['a', 'b', 'a'];

/** A strict 3-step chain over TASKS from a string like "SSF" (S success, F failure; strict stops at F). */
function chain(outcomes: string, chainId: string, repeat = 0): ChainRecord {
  const steps: StepRecord[] = [...outcomes].map((c, i) => ({
    index: i, task: TASKS[i], paraphrase: repeat % 2, success: c === 'S',
    ...(c === 'S' ? {} : { failure: i === 0 ? 'grasp_miss' as const : 'slip_drop' as const }), steps: 10,
  }));
  return { runId: 'r', chainId, seed: 0, repeat, policySeed: repeat, policy: 'p', mode: 'strict', ood: {}, length: 3, tasks: TASKS, steps, latencyMs: [1, 2, 3], simMsPerStep: [0.5, 0.7], wallMs: 1000 };
}

function baseline(task: string, outcomes: string): BaselineRecord[] {
  return [...outcomes].map((c, episode) => ({ runId: 'r', task, episode, seed: episode, success: c === 'S', ...(c === 'S' ? {} : { failure: 'grasp_miss' as const }), steps: 10 }));
}

const input = (repeats: number): SummaryInput => ({ runId: 'r', scene: 'tabletop', policy: 'p', mode: 'strict', seed: 3, steps: 3, repeats, versions: { chaingap: '0.1.0' } });
// Two chains x two repeats: S_1 = 4/4, S_2 = 3/4, S_3 = 2/4.
const records = [chain('SSS', 'c1', 0), chain('SSF', 'c1', 1), chain('SSS', 'c2', 0), chain('SF', 'c2', 1)];
const base = [...baseline('a', 'SSSF'), ...baseline('b', 'SF')]; // q_a = 0.75, q_b = 0.5
const dirs: string[] = [];
const tmp = () => { const d = fs.mkdtempSync(path.join(os.tmpdir(), 'chaingap-report-')); dirs.push(d); return d; };
afterAll(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });

/** Rows of the markdown table under `## heading`, as arrays of cells. */
function mdTable(md: string, heading: string): string[][] {
  const sec = md.split(`## ${heading}\n`)[1].split('\n## ')[0];
  return sec.split('\n').filter((l) => l.startsWith('| ')).slice(2).map((l) => l.slice(2, -2).split(' | '));
}

describe('run reports', () => {
  it('writes summary.json, report.md and an offline report.html with four charts when repeats > 1', async () => {
    const summary = summarise(input(2), records, base);
    const independence = independenceCurve(records, summary.baseline.q, 3);
    const dir = tmp();
    const out = await writeReports(dir, summary, { independence, title: 'test run' });
    expect(out).toEqual({ summaryJson: path.join(dir, 'summary.json'), reportMd: path.join(dir, 'report.md'), reportHtml: path.join(dir, 'report.html') });
    for (const f of Object.values(out)) expect(fs.existsSync(f)).toBe(true);
    expect(fs.readdirSync(dir).sort()).toEqual(['report.html', 'report.md', 'summary.json']);

    expect(JSON.parse(fs.readFileSync(out.summaryJson, 'utf8'))).toEqual(summary);

    const html = fs.readFileSync(out.reportHtml, 'utf8');
    expect(html.match(/<svg/g)).toHaveLength(4);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<link/i);
    const urls = html.match(/https?:\/\/[^\s"'<>)]*/g) ?? [];
    expect(urls.every((u) => u === 'http://www.w3.org/2000/svg' || u === 'http://www.w3.org/1999/xlink')).toBe(true);
    expect(html).toMatch(/<style>/);
    expect(html).toContain('test run');
    expect(html).toContain('measured S_k');
    expect(html).toContain('independence prod q');
    // The definitions are stated on the page and point at the repository's own docs, not a file outside it.
    expect(html).toMatch(/<h2>Definitions<\/h2>\n<p>The full definitions are in docs\/metrics\.md[^<]*S_k is the fraction of chain runs whose first k steps all succeeded/);
    expect(html).not.toContain('shared/README');
    expect(fs.existsSync('docs/metrics.md')).toBe(true);
    // Element ids are unique across the inlined charts.
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);

    const md = fs.readFileSync(out.reportMd, 'utf8');
    expect(md).toBe(renderMarkdown(summary, { independence, title: 'test run' }));
    const sk = mdTable(md, 'Compounded success S_k');
    expect(sk.map((r) => r[0])).toEqual(['1', '2', '3']);
    const s3 = summary.S[2];
    expect(s3.value).toBe(0.5);
    expect(sk[2]).toEqual(['3', '0.500', `[${s3.ci[0].toFixed(3)}, ${s3.ci[1].toFixed(3)}]`, '2/4', independence[2].toFixed(3)]);
    for (const [i, row] of sk.entries()) expect(row[1]).toBe(summary.S[i].value.toFixed(3));
    const pass = mdTable(md, 'Repeats: pass@k and pass^k');
    expect(pass[1]).toEqual(['2', summary.passAtK![2].toFixed(3), summary.passPowK![2].toFixed(3)]);
    const fails = mdTable(md, 'Failure modes');
    expect(fails).toEqual([['slip_drop', '2', '100.0%']]);
  });

  it('writes three charts (no pass@k) for a single repeat, deterministically', async () => {
    const one = [chain('SSS', 'c1'), chain('SSF', 'c2'), chain('F', 'c3')];
    const summary = summarise(input(1), one, base);
    const [d1, d2] = [tmp(), tmp()];
    const a = await writeReports(d1, summary);
    await writeReports(d2, summary);
    const html = fs.readFileSync(a.reportHtml, 'utf8');
    expect(html.match(/<svg/g)).toHaveLength(3);
    expect(html).not.toContain('pass@k');
    expect(fs.readFileSync(path.join(d2, 'report.html'), 'utf8')).toBe(html);
  });

  it('prints n/a with a reason when S_N = 0 makes C and O undefined', () => {
    const summary = summarise(input(1), [chain('F', 'c1'), chain('SF', 'c2')], base);
    const head = mdTable(renderMarkdown(summary), 'Headline');
    const row = (m: string) => head.find((r) => r[0] === m)!;
    expect(row('S_3')[1]).toBe('0.000');
    expect(row('C')[1]).toBe('n/a (S_N = 0: no chain completed all N steps)');
    expect(row('O')[1]).toMatch(/^n\/a \(S_N = 0/);
    expect(row('P_ind')[1]).toBe((0.75 * 0.5 * 0.75).toFixed(3));
  });

  it('independenceCurve is the mean over chains of the product of q over the first k tasks', () => {
    const q = { a: 0.9, b: 0.5, c: 0.8 };
    const r1 = { ...chain('SSS', 'x'), tasks: ['a', 'b', 'c'] };
    const r2 = { ...chain('SSS', 'y'), tasks: ['c', 'c', 'a'] };
    const curve = independenceCurve([r1, r2], q, 3);
    expect(curve[0]).toBeCloseTo((0.9 + 0.8) / 2, 12);
    expect(curve[1]).toBeCloseTo((0.9 * 0.5 + 0.8 * 0.8) / 2, 12);
    expect(curve[2]).toBeCloseTo((0.9 * 0.5 * 0.8 + 0.8 * 0.8 * 0.9) / 2, 12);
    // At k = N it is the summary's P_ind.
    const summary = summarise(input(2), records, base);
    expect(independenceCurve(records, summary.baseline.q, 3)[2]).toBeCloseTo(summary.baseline.P_ind, 12);
  });

  it('independenceCurve names a task that has no baseline q', () => {
    const r = { ...chain('SSS', 'x'), tasks: ['a', 'drawer_open', 'a'] };
    expect(() => independenceCurve([r], { a: 0.9 }, 3)).toThrow(/"drawer_open"/);
  });
});
