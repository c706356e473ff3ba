// The sweep report as a reader uses it, from small made-up records in real cell directories (no
// simulation): headers name the sweep's own chain length, every cell links to its run's report, the
// chart legend tells the metrics apart by line style, intervals have caps and are dodged in x, and the
// two-axis heat map prints its values.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compile } from 'vega-lite';
import { afterAll, describe, expect, it } from 'vitest';
import { renderSvg } from '../runner/report/charts.ts';
import type { BaselineRecord, ChainRecord } from '../runner/results/records.ts';
import { ResultsStore } from '../runner/results/store.ts';
import { summarise } from '../runner/results/summary.ts';
import { axisChartSpec, heatmapSpec, writeSweepReport, type AxisRow } from '../runner/report/sweep-report.ts';
import { sweepPhysicsHealth, type SweepCell, type SweepResultSummary } from '../runner/sweep/sweep.ts';

const N = 5;
const TASKS = ['a', 'b', 'a', 'b', 'a'];
const dirs: string[] = [];
const tmp = () => { const d = fs.mkdtempSync(path.join(os.tmpdir(), 'chaingap-sweep-report-')); dirs.push(d); return d; };
afterAll(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });

/** A strict 5-step chain run: `ok` leading successes, then a failure (none when ok = 5). */
function chain(id: string, ok: number, policy: string, ood: Record<string, number>): ChainRecord {
  const steps = TASKS.slice(0, Math.min(N, ok + 1)).map((task, i) => ({ index: i, task, paraphrase: 0, success: i < ok, ...(i < ok ? {} : { failure: 'grasp_miss' as const }), steps: 10 }));
  return { runId: 'r', chainId: id, seed: 0, repeat: 0, policySeed: 0, policy, mode: 'strict', ood, length: N, tasks: TASKS, steps, latencyMs: [1], simMsPerStep: [0.5], wallMs: 100 };
}
const baseline: BaselineRecord[] = ['a', 'b'].flatMap((task) => [0, 1, 2, 3].map((episode) => ({ runId: 'r', task, episode, seed: episode, success: episode < 3, steps: 10 })));

/** A sweep of two policies over controlled, clutter=1, pose=1 and clutter=1+pose=1, each cell a run directory holding its records. */
function sweep(dir: string, withDirs = true): SweepResultSummary {
  const settings: Record<string, number>[] = [{}, { clutter: 1 }, { pose: 1 }, { clutter: 1, pose: 1 }];
  const cells: SweepCell[] = [];
  for (const [pi, policy] of ['alpha', 'beta'].entries()) for (const [si, ood] of settings.entries()) {
    const setting = Object.entries(ood).map(([a, v]) => `${a}=${v}`).join('+') || 'controlled';
    const recs = [0, 1, 2, 3, 4, 5].map((i) => chain(`c${i}`, Math.max(0, 5 - ((i + si + pi) % 4) * 2), policy, ood));
    const cellDir = path.join(policy, setting);
    if (withDirs) {
      const { store } = ResultsStore.open(path.join(dir, cellDir), { policy, setting });
      for (const r of recs) store.append(r);
      store.close();
    }
    cells.push({ policy, ood, setting, dir: cellDir, summary: summarise({ runId: 'r', scene: 'tabletop', policy, mode: 'strict', seed: 0, steps: N, repeats: 1, versions: {} }, recs, baseline) });
  }
  return { name: 'five', cells, resumed: 0, ran: 48, missing: 0, stopped: 0, chainsPerHour: 1, workers: 1, physicsHealth: sweepPhysicsHealth(cells), recordings: { written: 0, meanBytes: null } };
}

describe('sweep report', () => {
  it('heads the tables with the sweep\'s chain length and links every cell to its run\'s report', async () => {
    const dir = tmp();
    const r = sweep(dir);
    const html = fs.readFileSync((await writeSweepReport(dir, r, { frames: false })).reportHtml, 'utf8');
    const floor = html.split('<h2>1. Capability floor')[1].split('</section>')[0];
    expect(floor).toMatch(/<th[^>]*>S_5 \[95% CI\]<\/th>/);
    expect(html).not.toMatch(/S_10|S_N \[95% CI\]/);
    expect(html.split('<h3>clutter</h3>')[1]).toMatch(/<th[^>]*>S_5 \[95% CI\]<\/th>/);
    // mean q says how it is weighted.
    expect(floor).toMatch(/mean q \(weighted by task use in the chains\)/);

    // Each cell's report exists on disk, and the table rows link to it by a relative path.
    const hrefs = [...html.matchAll(/<a href="([^"]+)">/g)].map((m) => m[1]);
    for (const c of r.cells) {
      const rel = `${c.policy}/${encodeURIComponent(c.setting)}/report.html`;
      expect(hrefs).toContain(rel);
      expect(fs.existsSync(path.join(dir, decodeURIComponent(rel)))).toBe(true);
    }
    for (const h of hrefs) {
      expect(h).not.toMatch(/^(\/|[a-z]+:)/);
      expect(fs.existsSync(path.join(dir, decodeURIComponent(h)))).toBe(true);
    }
    // A cell's own report is the run report of that cell (S_5 of its records).
    const cell = fs.readFileSync(path.join(dir, 'alpha', 'clutter=1', 'report.html'), 'utf8');
    expect(cell).toContain('chaingap sweep five: alpha, clutter 1');
    expect(cell).toContain(r.cells[1].summary.S[N - 1].value.toFixed(3));

    // The heat map prints S_5 in each cell, and each cell links to its run.
    const at = html.indexOf('alpha: S_5 over clutter x pose');
    const heat = html.slice(html.lastIndexOf('<figure>', at), html.indexOf('</figure>', at));
    for (const c of r.cells.filter((x) => x.policy === 'alpha')) expect(heat).toContain(`>${c.summary.S[N - 1].value.toFixed(2)}</text>`);
    expect(heat).toContain('xlink:href="alpha/clutter%3D1%2Bpose%3D1/report.html"');
    // And the definitions are stated, pointing at docs/metrics.md.
    expect(html).toMatch(/<h2>Definitions<\/h2>[\s\S]*docs\/metrics\.md/);
  });

  it('links nothing where a cell has no run directory', async () => {
    const html = fs.readFileSync((await writeSweepReport(tmp(), sweep('', false), { frames: false })).reportHtml, 'utf8');
    expect(html).not.toMatch(/<a href=/);
    expect(html).toMatch(/<th[^>]*>S_5 \[95% CI\]<\/th>/);
  });

  it('the axis chart: one legend per encoding, the metric legend drawn as solid and dashed lines; capped, dodged intervals', async () => {
    const rows: AxisRow[] = ['alpha', 'beta'].flatMap((policy) => [0, 0.5, 1].flatMap((level) => [
      { policy, level, metric: 'S_5', value: 0.5, lo: 0.3, hi: 0.7 },
      { policy, level, metric: 'step success', value: 0.8, lo: 0.7, hi: 0.9 },
    ]));
    const spec = axisChartSpec('clutter', rows, N);
    const legends = (compile(spec).spec as { legends: { title: string; symbolType?: string; strokeDash?: string; encode?: { symbols?: { update?: { stroke?: { value?: string } } } } }[] }).legends;
    const metric = legends.find((l) => l.title === 'metric')!;
    expect(metric.strokeDash).toBeDefined();
    expect(metric.symbolType).toBe('stroke');
    // A transparent stroke would draw the two metrics as identical dots.
    expect(metric.encode?.symbols?.update?.stroke?.value).not.toBe('transparent');
    expect(legends.find((l) => l.title === 'policy')).toBeDefined();
    const svg = await renderSvg(spec, 't');
    const legendSvg = svg.slice(svg.indexOf("Symbol legend titled 'metric'"));
    const dashes = [...legendSvg.slice(0, legendSvg.indexOf('role-legend-title')).matchAll(/stroke-dasharray="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(dashes)).toEqual(new Set(['1,0', '6,4']));
    // Error bars with caps.
    const layers = (spec as { layer: { mark: { type: string; ticks?: unknown } }[] }).layer;
    expect(layers.find((l) => l.mark.type === 'errorbar')?.mark.ticks).toBeTruthy();
    // Dodged: the four series at one level sit at four different x, close to the level.
    const xs = ((spec.data as { values: { level: number; x: number }[] }).values).filter((v) => v.level === 0.5).map((v) => v.x);
    expect(new Set(xs).size).toBe(4);
    for (const x of xs) expect(Math.abs(x - 0.5)).toBeLessThan(0.05);
  });

  it('the heat map spec prints each value and links each cell', () => {
    const spec = heatmapSpec('p: S_5 over clutter x pose', 'clutter', 'pose', 'S_5', [{ x: 0, y: 0, S: 0.5, n: '3/6', href: 'p/controlled/report.html' }]);
    const layers = (spec as { layer: { mark: unknown; encoding: Record<string, unknown> }[] }).layer;
    expect(layers.some((l) => (l.mark as { type?: string }).type === 'text' && (l.encoding.text as { field: string }).field === 'label')).toBe(true);
    expect(layers.some((l) => 'href' in l.encoding)).toBe(true);
  });
});
