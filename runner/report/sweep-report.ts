// The sweep report: `summary.json` (every cell's summary) and a self-contained `report.html` in three
// layers: the capability floor (each policy's controlled baseline), robustness on variants (S_N and
// step success against level for every axis, with CIs, the controlled setting as reference, a heat
// map for two-axis grids, failure labels per axis and level, prompt sensitivity), and the chains run.
// Each axis shows what its levels look like: the agentview at the reset of the sweep's first chain in
// every setting (runner/sweep/ood-frames.ts). Every cell (policy x setting) is a run directory with its own
// report.html, written here too, and every table row and heat-map cell links to it (relative links).
// The metrics are defined in docs/metrics.md.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { OOD_AXES, type OodAxis, type OodLevels } from '../../scenes/ood.ts';
import { healthCell, type BaselineHealth, type ChainsHealth } from '../results/health.ts';
import { sweepOodFrames, type OodFrame, type OodFrames, type OodFramesOptions } from '../sweep/ood-frames.ts';
import { independenceCurve, renderSvg } from './charts.ts';
import { CSS, DEFINITIONS_HTML, recordedRunsSection, writeReports, escapeHtml } from './report.ts';
import { ResultsStore } from '../results/store.ts';
import { listRecordings } from '../view/view-data.ts';
import { writeDurably } from '../results/store.ts';
import type { SweepCell, SweepResultSummary } from '../sweep/sweep.ts';
import { wilson } from '../results/stats.ts';

const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : 'n/a');

/** Step success over all attempted steps of a cell (a per-step rate that does not depend on position). */
export function stepRate(c: SweepCell): { value: number; ci: [number, number]; k: number; n: number } {
  let k = 0, n = 0;
  for (const p of c.summary.perStep) { k += p.successes; n += p.trials; }
  return { value: n ? k / n : NaN, ci: wilson(k, n), k, n };
}

/** The axis a one-axis cell varies and its level (the controlled cell is level 0 of every axis). */
function axisOf(c: SweepCell): { axis: OodAxis; level: number } | null {
  const keys = Object.keys(c.ood) as OodAxis[];
  return keys.length === 1 ? { axis: keys[0], level: c.ood[keys[0]]! } : null;
}

/** A table cell: text (escaped), or HTML made here (a link). */
type Cell = string | { html: string };

/** What a column header means, shown as its tooltip (docs/metrics.md has the full definitions). */
const HEAD_TIPS: [RegExp, string][] = [
  [/^S_\d+/, 'S_k: the fraction of chain runs whose first k steps all succeeded (every chain run counts in every k); 95% Wilson interval'],
  [/^step success/, 'successes / attempted steps over every position of the chains (in strict mode a step is attempted only after all earlier steps succeeded); 95% Wilson interval'],
  [/^mean q/, 'mean of the baseline single-task success q_t over the tasks of the chains, each task weighted by how often it appears in the chains'],
  [/^P_ind/, 'independence prediction of S_N: mean over chain runs of the product of q_t over the chain\'s tasks'],
  [/^C( |$)/, 'C = P_ind / S_N: above 1, failures compound beyond what independent steps predict; bootstrap interval'],
];

function table(head: string[], rows: Cell[][]): string {
  const cell = (c: Cell) => (typeof c === 'string' ? `<td${/\[[^\]]*\]$/.test(c) ? ' class="ci"' : ''}>${escapeHtml(c)}</td>` : `<td>${c.html}</td>`);
  const th = (h: string) => {
    const tip = HEAD_TIPS.find(([re]) => re.test(h))?.[1];
    return `<th${tip ? ` title="${escapeHtml(tip)}"` : ''}>${escapeHtml(h)}</th>`;
  };
  return `<table><thead><tr>${head.map(th).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map(cell).join('')}</tr>`).join('')}</tbody></table>`;
}

/** The relative link from the sweep's report.html to a cell's report.html (each path segment encoded). */
export function cellReportHref(cellDir: string): string {
  return [...cellDir.split(/[\\/]/), 'report.html'].map(encodeURIComponent).join('/');
}

/**
 * Write each cell's own report.html (with summary.json and report.md) into its run directory: the cell's
 * summary with its policy's baseline, and the independence curve from the cell's records. Cells without
 * a run directory (no config.json) are skipped. Returns the cell directories that have a report.
 */
export async function writeCellReports(dir: string, r: SweepResultSummary): Promise<Set<string>> {
  const written = new Set<string>();
  for (const c of r.cells) {
    const cellDir = path.join(dir, c.dir);
    if (!existsSync(path.join(cellDir, 'config.json'))) continue;
    let independence: number[] | undefined;
    try {
      const { store } = ResultsStore.open(cellDir, ResultsStore.readConfig(cellDir), { readOnly: true });
      try {
        const recs = store.all();
        const q = c.summary.baseline.q;
        if (recs.length && recs.every((x) => x.tasks.length >= c.summary.steps && x.tasks.every((t) => t in q))) independence = independenceCurve(recs, q, c.summary.steps);
      } finally {
        store.close();
      }
    } catch {
      // Unreadable records: the report is written without the independence curve (P_ind at k = N only).
    }
    await writeReports(cellDir, c.summary, { independence, title: `chaingap sweep ${r.name}: ${c.policy}, ${caption(c.ood)}` });
    written.add(c.dir);
  }
  return written;
}

/** One series per policy and metric, offset in x so that intervals at the same level do not overlap. */
export interface AxisRow {
  policy: string;
  level: number;
  metric: string;
  value: number;
  lo: number;
  hi: number;
  /** Link to the cell's report.html (relative), when it has one. */
  href?: string;
}

/**
 * The chart of one axis: S_N and step success against level, a colour per policy and a line style per
 * metric (solid S_N, dashed step success, each with its own legend drawn as a line sample), 95% Wilson
 * intervals as capped error bars, every series dodged a little in x so that bars at one level stay apart.
 */
export function axisChartSpec(axis: string, rows: readonly AxisRow[], steps: number): TopLevelSpec {
  const sN = `S_${steps}`;
  const metrics = [sN, 'step success'];
  const policies = [...new Set(rows.map((x) => x.policy))];
  const series = policies.flatMap((p) => metrics.map((m) => `${p}\u0000${m}`));
  const gap = Math.min(0.015, 0.06 / Math.max(1, series.length - 1));
  const offset = (p: string, m: string) => (series.indexOf(`${p}\u0000${m}`) - (series.length - 1) / 2) * gap;
  const values = rows.map((x) => ({ ...x, x: x.level + offset(x.policy, x.metric) }));
  const levels = [...new Set(rows.map((x) => x.level))].sort((a, b) => a - b);
  const legend = { orient: 'top' as const, direction: 'horizontal' as const, symbolType: 'stroke', symbolSize: 400, symbolStrokeWidth: 2.5, columnPadding: 16 };
  const y = { type: 'quantitative' as const, title: 'success', scale: { domain: [0, 1] } };
  return {
    width: 420, height: 240, data: { values },
    title: { text: `${axis}: success against level`, subtitle: 'level 0 is the controlled setting; bars are 95% Wilson intervals, offset slightly in x per policy and metric' },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: `${axis} level`, scale: { domain: [-0.05, 1.05], nice: false }, axis: { values: levels, format: '~g', grid: false } },
      color: { field: 'policy', type: 'nominal', title: 'policy', scale: { domain: policies }, legend },
    },
    layer: [
      { mark: { type: 'errorbar', ticks: { size: 7 }, thickness: 1.5 }, encoding: { y: { field: 'lo', ...y }, y2: { field: 'hi' } } },
      // The line alone carries the metric's dash (a point overlay would turn its legend into dots).
      { mark: { type: 'line', strokeWidth: 2 }, encoding: { y: { field: 'value', ...y }, strokeDash: { field: 'metric', type: 'nominal', title: 'metric', scale: { domain: metrics, range: [[1, 0], [6, 4]] }, legend: { ...legend, symbolStrokeColor: '#333' } } } },
      { mark: { type: 'point', filled: true, size: 40, opacity: 1 }, encoding: { y: { field: 'value', ...y }, ...(values.some((v) => v.href) ? { href: { field: 'href', type: 'nominal' as const } } : {}) } },
    ],
  };
}

/**
 * Heat map of S_N over two axes for one policy: the value printed in each cell, each cell linking to its
 * run's report.html where it has one.
 */
export function heatmapSpec(title: string, a1: string, a2: string, metric: string, cells: readonly { x: number; y: number; S: number; n: string; href?: string }[]): TopLevelSpec {
  const enc = { x: { field: 'x', type: 'ordinal' as const, title: a1 }, y: { field: 'y', type: 'ordinal' as const, title: a2, sort: 'descending' as const } };
  return {
    width: 300, height: 220, data: { values: cells.map((c) => ({ ...c, label: Number.isFinite(c.S) ? c.S.toFixed(2) : 'n/a' })) }, title,
    encoding: enc,
    layer: [
      { mark: 'rect', encoding: { color: { field: 'S', type: 'quantitative', title: metric, scale: { domain: [0, 1], scheme: 'viridis' } }, ...(cells.some((c) => c.href) ? { href: { field: 'href', type: 'nominal' as const } } : {}) } },
      { mark: { type: 'text', fontSize: 13, fontWeight: 'bold' }, encoding: { text: { field: 'label' }, color: { condition: { test: 'datum.S > 0.6', value: 'black' }, value: 'white' } } },
    ],
  };
}

/** Axes whose levels change nothing the camera sees: their frames are shown, with this line under them. */
const UNSEEN: Partial<Record<OodAxis, string>> = {
  latency: 'latency delays when actions take effect and changes nothing the camera sees: its frames show the same scene as the controlled setting.',
  physics: 'physics changes masses, friction, restitution and damping, not appearance: its frames show the same scene as the controlled setting (objects may settle a hair differently).',
  language: 'language changes the instruction, not the scene: its frames show the same scene as the controlled setting.',
};
const SEEN_NOTE: Partial<Record<OodAxis, string>> = {
  sensor_noise: 'sensor_noise frames are the reset\'s observation, with the pixel noise of that level drawn as the env draws it.',
};

/** `clutter 0.5`, `clutter 0.5 + pose 1`; the controlled setting as level 0 of `axis`. */
const caption = (ood: OodLevels, axis?: OodAxis) => {
  const parts = (Object.keys(ood) as OodAxis[]).map((a) => `${a} ${ood[a]}`);
  return parts.length ? parts.join(' + ') : axis ? `${axis} 0 (controlled)` : 'controlled (every axis 0)';
};

/** A row of frames, each captioned with its levels. */
function strip(frames: readonly OodFrame[], axis?: OodAxis): string {
  return `<div class="strip">${frames.map((f) => {
    const cap = escapeHtml(caption(f.ood, axis));
    return `<figure class="ood-frame"><img alt="${cap}" width="${f.width}" height="${f.height}" src="data:image/png;base64,${Buffer.from(f.png).toString('base64')}"><figcaption>${cap}</figcaption></figure>`;
  }).join('')}</div>`;
}

const STRIP_CSS = `
.strip { display: flex; flex-wrap: wrap; gap: 10px; margin: 8px 0 12px; }
.strip figure.ood-frame { margin: 0; }
.strip figure.ood-frame img { width: auto; max-width: none; display: block; border: 1px solid #dcdcdc; image-rendering: auto; }
.strip figure.ood-frame figcaption { text-align: center; margin: 2px 0 0; }
`;

export interface SweepReportOptions {
  /** The frames of each setting (runner/sweep/ood-frames.ts): options, or false for none (default: shown). */
  frames?: OodFramesOptions | false;
  /** Write each cell's own report.html into its run directory and link it (default true). */
  cellReports?: boolean;
}

export async function writeSweepReport(dir: string, r: SweepResultSummary, o: SweepReportOptions = {}): Promise<{ summaryJson: string; reportHtml: string }> {
  const body: string[] = [`<h1>chaingap sweep: ${escapeHtml(r.name)}</h1>`];
  // One reset and one render per setting; a report is still written when they cannot be made.
  let frames: OodFrames | null = null;
  let framesNote = '';
  const varied = r.cells.some((c) => Object.keys(c.ood).length > 0);
  if (o.frames !== false && varied) {
    try {
      frames = await sweepOodFrames(dir, r.cells, o.frames || {});
      framesNote = frames.note ?? '';
    } catch (e) {
      framesNote = `the frames could not be made: ${e instanceof Error ? e.message : String(e)}`;
    }
  }
  const frameOf = (setting: string) => frames?.frames.find((f) => f.setting === setting);
  const policies = [...new Set(r.cells.map((c) => c.policy))];
  // A `list` design (a CI suite) may leave the controlled setting out; the baseline is in every cell of a policy.
  const controlled = (p: string) => r.cells.find((c) => c.policy === p && c.setting === 'controlled');
  const anyCell = (p: string) => r.cells.find((c) => c.policy === p)!;
  // The chain length of the sweep (every cell runs the same chains), for headers: S_5 in a 5-step sweep.
  const N = Math.max(1, ...r.cells.map((c) => c.summary.steps));
  const sN = `S_${N}`;
  const reports = o.cellReports === false ? new Set<string>() : await writeCellReports(dir, r);
  const href = (c: SweepCell | undefined) => (c && reports.has(c.dir) ? cellReportHref(c.dir) : undefined);
  const link = (c: SweepCell | undefined, text: string): Cell => {
    const h = href(c);
    return h ? { html: `<a href="${escapeHtml(h)}">${escapeHtml(text)}</a>` } : text;
  };
  const ph = r.physicsHealth;
  const warn = ph.chains.contaminated || ph.baseline.contaminated;
  body.push(`<p${warn ? ' style="color:#b00020;font-weight:600"' : ''}>Physics health over all cells: chains: ${escapeHtml(ph.chains.note)}. Baseline: ${escapeHtml(ph.baseline.note)}. Per cell in "Physics health per cell" below.</p>`);
  if (r.failed?.length) {
    // Units whose queued job kept failing: not in any number above; a rerun of the sweep retries them.
    body.push(`<section><h2 style="color:#b00020">Failed units: ${r.failed.length}</h2><p style="color:#b00020">These units' jobs used up their attempts on the queue's workers; they are in no figure of this report. Run the same sweep command again to retry them.</p>`,
      table(['unit', 'attempts', 'last error', 'job id'], r.failed.map((f) => [f.unit, String(f.attempts), f.error, f.jobId])), '</section>');
  }
  if (reports.size) body.push(`<p>Each cell (a policy in a setting) is a run directory with its own report (S_k, per-step success, failures, physics health): the policy and setting cells of the tables below link to it.</p>`);

  body.push('<section><h2>1. Capability floor: the controlled baseline</h2>',
    `<p>Each task of the chains run alone from fresh LIBERO-style resets (every OOD axis at 0), and the chains themselves (${N} steps) in the controlled setting. mean q weights each task by how often it appears in the chains (the weighting O = mean q / ${sN} uses).</p>`,
    table(['policy', 'tasks', 'mean q (weighted by task use in the chains)', 'P_ind', 'S_1', `${sN} [95% CI]`, 'C [95% CI]', 'physics health (baseline)'], policies.map((p) => {
      const c = controlled(p), s = (c ?? anyCell(p)).summary, n = s.steps;
      const chainCols = c
        ? [f3(s.S[0].value), `${f3(s.S[n - 1].value)} [${f3(s.S[n - 1].ci[0])}, ${f3(s.S[n - 1].ci[1])}]`, `${f3(s.C)} [${f3(s.Cci[0])}, ${s.Cci[1] === null ? 'unbounded' : f3(s.Cci[1])}]`]
        : Array(3).fill('n/a (controlled setting not run)');
      return [link(c, p), String(s.baseline.tasks.length), f3(s.baseline.meanQ), f3(s.baseline.P_ind), ...chainCols, healthCell(s.physicsHealth.baseline)];
    })), '</section>');

  body.push('<section><h2>2. Robustness on variants</h2>');
  if (frames?.frames.length) {
    const f0 = frames.frames[0];
    body.push(`<p>Under each axis, what its levels look like: the ${escapeHtml(frames.camera)} camera at the reset of chain ${escapeHtml(frames.chain ?? '')} (repeat 0, env seed ${frames.seed}) in each setting, the start every policy's run of that chain saw (one reset and one render per setting, ${f0.width}x${f0.height}, chaingap's ray renderer on the CPU; no policy acts).${framesNote ? ` ${escapeHtml(framesNote)}.` : ''}</p>`);
  } else if (o.frames !== false && varied) {
    body.push(`<p>No frames of the settings: ${escapeHtml(framesNote || 'none were made')}.</p>`);
  }
  const axes = OOD_AXES.filter((a) => r.cells.some((c) => axisOf(c)?.axis === a));
  for (const axis of axes) {
    const rows: AxisRow[] = [];
    const trows: Cell[][] = [];
    for (const p of policies) {
      const cells = [...(controlled(p) ? [controlled(p)!] : []), ...r.cells.filter((c) => c.policy === p && axisOf(c)?.axis === axis)]
        .map((c) => ({ c, level: c.setting === 'controlled' ? 0 : axisOf(c)!.level })).sort((a, b) => a.level - b.level);
      for (const { c, level } of cells) {
        const n = c.summary.steps, s = c.summary.S[n - 1], st = stepRate(c);
        const h = href(c);
        rows.push({ policy: p, level, metric: `S_${n}`, value: s.value, lo: s.ci[0], hi: s.ci[1], ...(h ? { href: h } : {}) });
        rows.push({ policy: p, level, metric: 'step success', value: st.value, lo: st.ci[0], hi: st.ci[1], ...(h ? { href: h } : {}) });
        const fails = Object.entries(c.summary.failures).sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0)).map(([l, k]) => `${l} ${k}`).join(', ') || '-';
        trows.push([link(c, p), link(c, String(level)), `${f3(s.value)} [${f3(s.ci[0])}, ${f3(s.ci[1])}]`, `${f3(st.value)} [${f3(st.ci[0])}, ${f3(st.ci[1])}]`, f3(c.summary.C), fails, healthCell(c.summary.physicsHealth.chains)]);
      }
    }
    const spec = axisChartSpec(axis, rows, N);
    body.push(`<h3>${escapeHtml(axis)}</h3>`);
    if (frames?.frames.length) {
      const levels = [...new Map(r.cells.filter((c) => axisOf(c)?.axis === axis).map((c) => [c.setting, c])).keys()];
      const shown = ['controlled', ...levels].map(frameOf).filter((f): f is OodFrame => f !== undefined)
        .sort((a, b) => (a.ood[axis] ?? 0) - (b.ood[axis] ?? 0));
      body.push(strip(shown, axis));
      const line = UNSEEN[axis] ?? SEEN_NOTE[axis];
      if (line) body.push(`<p>${escapeHtml(line)}</p>`);
    }
    body.push(`<figure>${(await renderSvg(spec, `ax-${axis}`)).replace(/^<\?xml[^>]*>\s*/, '')}</figure>`,
      table(['policy', 'level', `${sN} [95% CI]`, 'step success [95% CI]', 'C', 'failure labels', 'physics health'], trows));
  }
  // Two-axis grids: a heat map of S_N per policy, the value in each cell, each cell linking to its run.
  const pairs = r.cells.filter((c) => Object.keys(c.ood).length === 2);
  if (pairs.length) {
    const [a1, a2] = Object.keys(pairs[0].ood) as OodAxis[];
    for (const p of policies) {
      const values = r.cells.filter((c) => c.policy === p && Object.keys(c.ood).every((k) => k === a1 || k === a2)).map((c) => {
        const s = c.summary.S[c.summary.steps - 1], h = href(c);
        return { x: c.ood[a1] ?? 0, y: c.ood[a2] ?? 0, S: s.value, n: `${s.successes}/${s.trials}`, ...(h ? { href: h } : {}) };
      });
      const spec = heatmapSpec(`${p}: ${sN} over ${a1} x ${a2}`, a1, a2, sN, values);
      body.push(`<figure>${(await renderSvg(spec, `heat-${p.replace(/\W/g, '')}`)).replace(/^<\?xml[^>]*>\s*/, '')}<figcaption>${escapeHtml(sN)} in each cell${reports.size ? '; a cell opens its run\'s report' : ''}.</figcaption></figure>`);
    }
  }
  // Settings that vary more than one axis: their frames in one row, after the controlled one.
  const combined = [...new Set(r.cells.filter((c) => Object.keys(c.ood).length > 1).map((c) => c.setting))];
  if (combined.length && frames?.frames.length) {
    const shown = ['controlled', ...combined].map(frameOf).filter((f): f is OodFrame => f !== undefined);
    body.push('<h3>Settings with more than one axis</h3>', strip(shown));
  }
  body.push('</section>');

  const ps = r.cells.flatMap((c) => c.summary.promptSensitivity.filter((x) => Object.keys(x.byParaphrase).length > 1).map((x) => [c.policy, c.setting, x.task, f3(x.min), f3(x.max), f3(x.spread)]));
  body.push('<section><h2>Prompt sensitivity</h2>', ps.length ? table(['policy', 'setting', 'task', 'min', 'max', 'spread'], ps.slice(0, 40))
    : '<p>Every step got its training phrasing (raise the language axis to vary the phrasing).</p>', '</section>');
  const hrow = (p: string, setting: string, h: ChainsHealth | BaselineHealth) => [
    p, setting, healthCell(h), String(h.unstableSteps), 'chains' in h ? `${h.chainsWithUnstable}/${h.chains}` : `${h.episodesWithUnstable}/${h.episodes}`,
    String(h.ejectedObjects), String(h.penetrationSteps), h.maxPenetrationMm === null ? 'n/a' : h.maxPenetrationMm.toFixed(2), h.maxExcessSpeed === null ? 'n/a' : h.maxExcessSpeed.toFixed(3),
    `${h.measuredAttempts}/${h.measuredAttempts + h.unmeasuredAttempts}`,
  ];
  body.push('<section><h2>Physics health per cell</h2>',
    '<p>sim_unstable control steps were produced by the simulator, not the policy (an object faster than free fall explains, inside the table or a fixture, or out of the world): a cell with any is contaminated by simulator artefacts. Objects that left the table and arm penetrations deeper than 5 mm are counted too.</p>',
    table(['policy', 'setting', 'verdict', 'sim_unstable control steps', 'chains / episodes with them', 'objects off the table', 'control steps with penetration > 5 mm', 'deepest penetration (mm)', 'fastest unexplained speed (m/s)', 'attempts measured'], [
      ...policies.map((p) => hrow(p, 'baseline', anyCell(p).summary.physicsHealth.baseline)),
      ...r.cells.map((c) => hrow(c.policy, c.setting, c.summary.physicsHealth.chains)),
    ]), '</section>');
  body.push('<section><h2>3. The chains</h2>', `<p>${escapeHtml(String(r.cells[0]?.summary.distinctChains ?? 0))} chains of up to ${escapeHtml(String(r.cells[0]?.summary.steps ?? 0))} steps (${escapeHtml(r.cells[0]?.summary.scene ?? '')}) in every setting; each cell is a run directory (summary, report, records) under this sweep's directory.</p>`,
    table(['policy', 'setting', 'directory', 'report'], r.cells.map((c) => [c.policy, c.setting, c.dir, link(c, reports.has(c.dir) ? 'report.html' : '-')])), '</section>');
  // Chain runs kept with --record, across the cells, each linking to the viewer.
  const recorded = listRecordings(dir).map((e) => ({ ...e, policy: e.policy ?? '', setting: Object.entries(e.ood).map(([a, v]) => `${a}=${v}`).join(',') || 'controlled' }));
  if (recorded.length) body.push(recordedRunsSection(recorded));
  body.push(DEFINITIONS_HTML);

  const html = `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>chaingap sweep ${escapeHtml(r.name)}</title>\n<style>${CSS}${STRIP_CSS}</style>\n</head>\n<body>\n<main>\n${body.join('\n')}\n</main>\n</body>\n</html>\n`;
  const summaryJson = path.join(dir, 'summary.json');
  const reportHtml = path.join(dir, 'report.html');
  writeDurably(summaryJson, JSON.stringify(r, null, 2) + '\n');
  writeDurably(reportHtml, html);
  return { summaryJson, reportHtml };
}
