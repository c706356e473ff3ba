// Report charts: vega-lite specs built from a RunSummary (S_k against the independence curve,
// per-step p_j, failure modes, pass@k against pass^k), compiled with vega-lite and rendered headless
// by vega to deterministic SVG strings (no browser, no canvas, no timestamps, ids renumbered per chart).
import type { TopLevelSpec } from 'vega-lite';
import type { ChainRecord } from '../results/records.ts';
import type { RunSummary } from '../results/summary.ts';

/** The four charts as standalone SVG documents; `passK` only when the summary has pass@k (repeats > 1). */
export interface ChartSvgs {
  compounded: string;
  perStep: string;
  failures: string;
  passK?: string;
}

export interface ChartOptions {
  /** Predicted S_k under independence for k = 1..N (see `independenceCurve`); without it only P_ind at k = N is drawn. */
  independence?: number[];
}

export const MEASURED = 'measured S_k';
export const INDEPENDENCE = 'independence prod q';
const WIDTH = 480;
const HEIGHT = 260;
const BLUE = '#1f5fa8';
const RED = '#c4412b';

const CONFIG = {
  font: 'Helvetica, Arial, sans-serif',
  background: 'white',
  padding: 8,
  view: { stroke: '#bbb' },
  title: { fontSize: 15, fontWeight: 'bold' as const, anchor: 'start' as const, offset: 10 },
  axis: { labelFontSize: 12, titleFontSize: 13, titleFontWeight: 'normal' as const, gridColor: '#e6e6e6', titlePadding: 8 },
  legend: { labelFontSize: 12, symbolSize: 120, symbolStrokeWidth: 2.5, labelLimit: 260 },
};

/**
 * Predicted S_k under independence for k = 1..n: the mean over chain runs of prod_{j<k} q[tasks[j]]
 * (at k = N this is the summary's P_ind). NaN for every k when there are no records.
 */
export function independenceCurve(records: readonly ChainRecord[], q: Readonly<Record<string, number>>, n: number): number[] {
  for (const r of records) {
    if (r.tasks.length < n) throw new Error(`independenceCurve: chain ${r.chainId} lists ${r.tasks.length} tasks, ${n} needed`);
    for (const t of r.tasks.slice(0, n)) {
      if (!(t in q)) throw new Error(`independenceCurve: no baseline success rate q for task "${t}" (chain ${r.chainId}); run its controlled baseline`);
    }
  }
  return Array.from({ length: n }, (_, i) => records.length
    ? records.reduce((a, r) => a + r.tasks.slice(0, i + 1).reduce((p, t) => p * q[t], 1), 0) / records.length
    : NaN);
}

/** Legends sit above the plot, outside the data, drawn as line samples. */
const TOP_LEGEND = { orient: 'top' as const, direction: 'horizontal' as const, symbolType: 'stroke', symbolSize: 300, columnPadding: 24, offset: 6 };
const finite = (v: number | undefined): v is number => typeof v === 'number' && Number.isFinite(v);
const ticks = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
const unitY = (title: string) => ({ field: 'value', type: 'quantitative' as const, title, scale: { domain: [0, 1] }, axis: { format: '.1f', tickCount: 5 } });

/** S_k with Wilson error bars, and the independence prediction (dashed). */
export function compoundedSpec(summary: RunSummary, opts: ChartOptions = {}): TopLevelSpec {
  const n = summary.steps;
  const ind = opts.independence;
  if (ind && ind.length !== n) throw new Error(`independence curve has ${ind.length} values, expected ${n} (one per k = 1..N)`);
  const measured = summary.S.filter((s) => finite(s.value)).map((s) => ({ k: s.k, value: s.value, lo: s.ci[0], hi: s.ci[1], series: MEASURED }));
  const predicted = ind
    ? ind.map((v, i) => ({ k: i + 1, value: v, series: INDEPENDENCE })).filter((r) => finite(r.value))
    : finite(summary.baseline.P_ind) ? [{ k: n, value: summary.baseline.P_ind, series: INDEPENDENCE }] : [];
  const color = { field: 'series', type: 'nominal' as const, title: null, scale: { domain: [MEASURED, INDEPENDENCE], range: [BLUE, RED] }, legend: TOP_LEGEND };
  return {
    width: WIDTH, height: HEIGHT, config: CONFIG,
    title: { text: 'Compounded success S_k (95% Wilson CI)', subtitle: ind ? '' : 'independence curve not supplied: P_ind shown at k = N only', subtitleFontSize: 12 },
    data: { values: [...measured, ...predicted] },
    encoding: { x: { field: 'k', type: 'quantitative', title: 'k (steps)', scale: { domain: [0.5, n + 0.5], nice: false }, axis: { values: ticks(n), format: 'd', grid: false } } },
    layer: [
      { transform: [{ filter: `datum.series === '${MEASURED}'` }], mark: { type: 'errorbar', ticks: { size: 8 }, thickness: 1.5 }, encoding: { y: { field: 'lo', type: 'quantitative', title: 'S_k' }, y2: { field: 'hi' }, color } },
      { mark: { type: 'line', strokeWidth: 2.5, point: { filled: true, size: 55 } }, encoding: { y: unitY('S_k'), color, strokeDash: { field: 'series', type: 'nominal', scale: { domain: [MEASURED, INDEPENDENCE], range: [[1, 0], [6, 4]] }, legend: TOP_LEGEND } } },
    ],
  };
}

/** p_j as bars with Wilson error bars; positions no chain reached are left out. */
export function perStepSpec(summary: RunSummary): TopLevelSpec {
  const rows = summary.perStep.filter((p) => finite(p.value)).map((p) => ({ j: p.k, value: p.value, lo: p.ci[0], hi: p.ci[1], n: `${p.successes}/${p.trials}` }));
  const x = { field: 'j', type: 'ordinal' as const, title: 'step j (position in the chain)', sort: ticks(summary.steps), scale: { domain: ticks(summary.steps) }, axis: { labelAngle: 0 } };
  return {
    width: WIDTH, height: HEIGHT, config: CONFIG,
    title: { text: 'Per-step success p_j (95% Wilson CI)', subtitle: 'successes at j / chains that reached j', subtitleFontSize: 12 },
    data: { values: rows },
    encoding: { x },
    layer: [
      { mark: { type: 'bar', color: '#8fb3dc', width: { band: 0.7 } }, encoding: { y: unitY('p_j') } },
      { mark: { type: 'errorbar', ticks: { size: 8 }, thickness: 1.5, color: '#333' }, encoding: { y: { field: 'lo', type: 'quantitative', title: 'p_j' }, y2: { field: 'hi' } } },
    ],
  };
}

/** Failure label -> count as horizontal bars, most frequent first. */
export function failuresSpec(summary: RunSummary): TopLevelSpec {
  const rows = Object.entries(summary.failures).map(([label, count]) => ({ label, count: count ?? 0 }))
    .sort((a, b) => b.count - a.count || (a.label < b.label ? -1 : 1));
  const title = { text: 'Failure modes (failed steps, all positions)' };
  if (!rows.length) {
    return { width: WIDTH, height: 60, config: CONFIG, title, data: { values: [{ t: 'no failed steps' }] }, mark: { type: 'text', fontSize: 14, color: '#555' }, encoding: { text: { field: 't' } } };
  }
  const y = { field: 'label', type: 'nominal' as const, title: null, sort: rows.map((r) => r.label), axis: { labelLimit: 200 } };
  return {
    width: WIDTH, height: { step: 26 }, config: CONFIG, title,
    data: { values: rows },
    encoding: { y, x: { field: 'count', type: 'quantitative', title: 'failed steps', axis: { format: 'd', tickMinStep: 1, tickCount: 8 }, scale: { domainMax: Math.max(...rows.map((r) => r.count)) * 1.12 } } },
    layer: [
      { mark: { type: 'bar', color: RED, opacity: 0.8 } },
      { mark: { type: 'text', align: 'left', dx: 4, fontSize: 12 }, encoding: { text: { field: 'count', type: 'quantitative' } } },
    ],
  };
}

/** pass@k (at least one of k runs succeeds) against pass^k (all k succeed), k = 1..R. */
export function passKSpec(summary: RunSummary): TopLevelSpec {
  const at = summary.passAtK ?? {}, pow = summary.passPowK ?? {};
  const ks = Object.keys(at).map(Number).sort((a, b) => a - b);
  const rows = ks.flatMap((k) => [{ k, value: at[k], series: 'pass@k' }, { k, value: pow[k], series: 'pass^k' }]).filter((r) => finite(r.value));
  const r = ks.length ? ks[ks.length - 1] : 1;
  return {
    width: WIDTH, height: HEIGHT, config: CONFIG,
    title: { text: `pass@k and pass^k over R = ${r} repeats`, subtitle: 'chain success: all N steps; mean over chains', subtitleFontSize: 12 },
    data: { values: rows },
    mark: { type: 'line', strokeWidth: 2.5, point: { filled: true, size: 55 } },
    encoding: {
      x: { field: 'k', type: 'quantitative', title: 'k (runs of the same chain)', scale: { domain: [0.5, r + 0.5], nice: false }, axis: { values: ks, format: 'd', grid: false } },
      y: unitY('chain success'),
      color: { field: 'series', type: 'nominal', title: null, scale: { domain: ['pass@k', 'pass^k'], range: [BLUE, RED] }, legend: TOP_LEGEND },
    },
  };
}

/** Renumber element ids (vega's clip ids come from a process-wide counter) so SVGs are deterministic and unique per page. */
function normaliseIds(svg: string, prefix: string): string {
  const ids = [...svg.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
  let out = svg;
  ids.forEach((id, i) => {
    const esc = id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    out = out.replace(new RegExp(`(\\sid="|url\\(#|href="#)${esc}(["\\)])`, 'g'), `$1${prefix}-${i + 1}$2`);
  });
  return out;
}

/** Compile a vega-lite spec and render it to an SVG string in Node. */
export async function renderSvg(spec: TopLevelSpec, idPrefix = 'chart'): Promise<string> {
  // Loaded on first use: vega and vega-lite take a third of a second to import, which commands that draw no chart should not pay.
  const [vega, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return normaliseIds(await view.toSVG(), idPrefix);
  } finally {
    view.finalize();
  }
}

/** All report charts for a summary. */
export async function renderCharts(summary: RunSummary, opts: ChartOptions = {}): Promise<ChartSvgs> {
  const out: ChartSvgs = {
    compounded: await renderSvg(compoundedSpec(summary, opts), 'sk'),
    perStep: await renderSvg(perStepSpec(summary), 'pj'),
    failures: await renderSvg(failuresSpec(summary), 'fail'),
  };
  if (summary.passAtK) out.passK = await renderSvg(passKSpec(summary), 'passk');
  return out;
}
