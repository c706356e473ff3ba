// Run reports: summary.json, report.md and a self-contained offline report.html (inline CSS and SVG
// charts, nothing fetched) from a RunSummary. One document model renders to both markdown and HTML.
import { DEFAULT_VIEW_PORT } from '../view/view-server.ts';
import fs from 'node:fs';
import path from 'node:path';
import { HEALTH_LIMITS } from '../../sim/physics-health.ts';
import { renderCharts, type ChartSvgs } from './charts.ts';
import { writeDurably } from '../results/store.ts';
import type { RunSummary, SummaryProportion } from '../results/summary.ts';

/** Text made safe inside HTML elements and quoted attributes: the one escape of every chaingap page. */
export const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export interface ReportOptions {
  /** Predicted S_k under independence for k = 1..N (`independenceCurve` in charts.ts). */
  independence?: number[];
  title?: string;
  /**
   * Contact sheets (PNG bytes) to show in report.html, inline, each with the outcome of the steps its
   * frames follow (frame 1 is the start, frame k + 1 the view after step k).
   */
  sheets?: { chain: string; png: Uint8Array; steps?: readonly { task: string; success: boolean; failure?: string }[] }[];
  /** Clips around the first failure of recorded chain runs (runner/view/video.ts failureClips), inline. */
  clips?: { chain: string; repeat: number; step: number; instruction: string; label: string; gif: Uint8Array }[];
  /** Recorded chain runs (recordings/), one row each with a link to the chain in `chaingap view`. */
  recorded?: RecordedRow[];
}

export interface RecordedRow {
  runId: string;
  chainId: string;
  repeat: number;
  steps: readonly { task: string; success: boolean; failure?: string }[];
  /** In a sweep: the cell's policy and setting. */
  policy?: string;
  setting?: string;
}

/** "Recorded chain runs": one row per recorded chain run, each linking to it in `chaingap view`. */
export function recordedRunsSection(rows: readonly RecordedRow[]): string {
  const cell = rows.some((r) => r.policy !== undefined || r.setting !== undefined);
  return ['<section>\n<h2>Recorded chain runs</h2>', '<p>Each row opens the chain in the three.js viewer: start it with <code>chaingap view DIR</code> (this report\'s directory or a folder above it; port 8737).</p>',
    `<table><thead><tr>${cell ? '<th>policy</th><th>setting</th>' : ''}<th>chain</th><th>repeat</th><th>steps</th><th>first failure</th><th>viewer</th></tr></thead><tbody>`,
    ...rows.map((r) => {
      const first = r.steps.findIndex((x) => !x.success);
      const steps = r.steps.map((x) => (x.success ? '<span class="ok">✓</span>' : '<span class="fail">✗</span>')).join(' ');
      const fail = first < 0 ? '' : `step ${first + 1}, ${escapeHtml(r.steps[first].task)}: <span class="fail">${escapeHtml(r.steps[first].failure ?? 'failed')}</span>`;
      return `<tr>${cell ? `<td>${escapeHtml(r.policy ?? '')}</td><td>${escapeHtml(r.setting ?? '')}</td>` : ''}<td>${escapeHtml(r.chainId)}</td><td class="n">${r.repeat}</td><td>${steps}</td><td>${fail}</td><td><a href="${escapeHtml(viewerLink(r))}">view</a></td></tr>`;
    }), '</tbody></table>', '</section>'].join('\n');
}

/** The viewer's address for a chain run (`chaingap view` on its default port, serving this run or a folder above it). */
export function viewerLink(r: { runId: string; chainId: string; repeat: number }, port = DEFAULT_VIEW_PORT): string {
  return `http://127.0.0.1:${port}/?run=${encodeURIComponent(r.runId)}&chain=${encodeURIComponent(r.chainId)}&repeat=${r.repeat}`;
}

/** Where every report points for the definitions of its numbers. */
export const METRICS_DOC = 'docs/metrics.md in the chaingap repository';

/**
 * The Definitions footer of the sweep and CI pages: what their numbers mean in a few lines, and where
 * the full definitions are (a report is read anywhere, so the path is named, not linked).
 */
export function definitionsHtml(extra: readonly string[] = []): string {
  const items = [
    '<b>S_k</b>: the fraction of chain runs whose first k steps all succeeded (every chain run counts in every k); S_N is the whole chain (N steps).',
    '<b>step success</b>: successes / attempted steps over all positions (in strict mode a step is attempted only when every earlier step succeeded).',
    '<b>q</b> (per task): successes / episodes of the task run alone from a fresh LIBERO-style reset, every OOD axis at 0.',
    '<b>mean q</b>: the mean of q over the tasks of the chains, each weighted by how often it appears in the chains.',
    '<b>P_ind</b>: S_N predicted if steps failed independently: the mean over chain runs of the product of q over the chain\'s tasks. <b>C</b> = P_ind / S_N (above 1: failures compound); <b>O</b> = mean q / S_N.',
    '<b>[lo, hi]</b>: 95% Wilson score interval of a proportion (P_ind, C and O: 95% percentile bootstrap).',
    ...extra,
  ];
  return `<section>\n<h2>Definitions</h2>\n<ul class="defs">${items.map((i) => `<li>${i}</li>`).join('')}</ul>\n<p>Full definitions, with the failure labels, OOD axes, modes and physics-health flags: ${escapeHtml(METRICS_DOC)}.</p>\n</section>`;
}

/** The Definitions footer with no additions. */
export const DEFINITIONS_HTML = definitionsHtml();

type Block = { p: string } | { table: { head: string[]; rows: string[][] } } | { chart: keyof ChartSvgs };
interface Section { title: string; blocks: Block[] }

const PROMPT_TOP = 10;

const ok = (v: number | undefined): v is number => typeof v === 'number' && Number.isFinite(v);
/** A rate to 3 decimals, or "n/a (reason)". */
const rate = (v: number | undefined, why = 'no data') => (ok(v) ? v.toFixed(3) : `n/a (${why})`);
const ci = (c: [number, number]) => `[${c[0].toFixed(3)}, ${c[1].toFixed(3)}]`;
const num = (v: number, digits: number, unit = '') => (ok(v) ? `${v.toFixed(digits)}${unit}` : 'n/a (not measured)');
const counts = (m: Partial<Record<string, number>>) =>
  Object.entries(m).sort(([a, x], [b, y]) => (y ?? 0) - (x ?? 0) || (a < b ? -1 : 1)).map(([k, v]) => `${k} ${v}`).join(', ') || '-';

function proportionRow(label: string, p: SummaryProportion, why: string): string[] {
  return [label, rate(p.value, why), ok(p.value) ? ci(p.ci) : '-', `${p.successes}/${p.trials}`];
}

function model(s: RunSummary, opts: ReportOptions): { title: string; sections: Section[] } {
  const n = s.steps;
  const sN = s.S[n - 1]?.value ?? NaN;
  const noChains = s.chains === 0 ? 'no chains' : '';
  const factorWhy = noChains || (sN === 0 ? 'S_N = 0: no chain completed all N steps' : 'no baseline');
  const interval = (c: [number, number | null] | undefined, digits: number) =>
    (c && ok(c[0]) ? `[${c[0].toFixed(digits)}, ${c[1] === null ? 'unbounded' : ok(c[1]) ? c[1].toFixed(digits) : 'n/a'}]` : '-');
  const factor = (v: number, c: [number, number | null] | undefined, note: string) => [ok(v) ? `${v.toFixed(2)}x` : `n/a (${factorWhy})`, interval(c, 2), note];
  const ind = opts.independence;
  if (ind && ind.length !== n) throw new Error(`independence curve has ${ind.length} values, expected ${n} (one per k = 1..N)`);
  const sections: Section[] = [];

  sections.push({ title: 'Run', blocks: [{ table: { head: ['field', 'value'], rows: [
    ['run id', s.runId], ['policy', s.policy], ['scene', s.scene], ['mode', s.mode],
    ['chains', `${s.chains} (${s.distinctChains} distinct x ${s.repeats} repeat${s.repeats === 1 ? '' : 's'})`],
    ['steps per chain (N)', String(n)], ['seed', String(s.seed)],
    ['baseline episodes per task', String(s.baseline.episodesPerTask)],
    ['versions', Object.entries(s.versions).map(([k, v]) => `${k} ${v}`).join(', ') || '-'],
  ] } }] });

  const headKs = [...new Set([1, 5, 10, n].filter((k) => k >= 1 && k <= n))].sort((a, b) => a - b);
  const sNci = s.S[n - 1]?.ci;
  const cRange = ok(s.C) && sNci && sNci[0] > 0 ? `; over S_N's CI: [${(s.baseline.P_ind / sNci[1]).toFixed(2)}, ${(s.baseline.P_ind / sNci[0]).toFixed(2)}]` : '';
  sections.push({ title: 'Headline', blocks: [{ table: { head: ['metric', 'value', '95% CI', 'note'], rows: [
    ...headKs.map((k) => { const p = s.S[k - 1]; return [`S_${k}`, rate(p.value, noChains || 'no data'), ok(p.value) ? ci(p.ci) : '-', `${p.successes}/${p.trials} chains`]; }),
    ['average chain length', ok(s.avgLength) ? s.avgLength.toFixed(2) : `n/a (${noChains || 'no data'})`, '-', `mean consecutive successes from step 1 (of ${n})`],
    ['mean baseline q', rate(s.baseline.meanQ, noChains || 'no baseline'), '-', 'weighted by task use in the chains'],
    ['P_ind', rate(s.baseline.P_ind, noChains || 'no baseline'), interval(s.baseline.P_indCi, 3), 'predicted S_N under independence (mean over chains of prod q); bootstrap CI'],
    ['C', ...factor(s.C, s.Cci, `P_ind / S_N; > 1: failures compound beyond independence; bootstrap CI over chains and baseline episodes${cRange}`)],
    ['O', ...factor(s.O, s.Oci, 'mean baseline q / S_N: how much single-task success overstates the chain; bootstrap CI')],
  ] } }] });

  const ph = s.physicsHealth;
  const mm = (v: number | null) => (v === null ? 'n/a (not measured)' : `${v.toFixed(2)} mm`);
  const ms = (v: number | null) => (v === null ? 'n/a (not measured)' : `${v.toFixed(3)} m/s`);
  const verdict = (c: boolean | null) => (c === null ? 'not measured' : c ? 'CONTAMINATED' : 'clean');
  sections.push({ title: 'Physics health', blocks: [
    { p: `Whether the simulator, not the policy, produced some of these results. A control step is sim_unstable when an object moves more than ${HEALTH_LIMITS.speed} m/s faster than free fall explains, sits inside the table or a fixture, or leaves the world; a result with such steps is contaminated by simulator artefacts. Chains: ${ph.chains.note}. Baseline: ${ph.baseline.note}.` },
    { table: { head: ['measure', 'chains', 'baseline'], rows: [
      ['verdict', verdict(ph.chains.contaminated), verdict(ph.baseline.contaminated)],
      ['task attempts measured / not measured', `${ph.chains.measuredAttempts} / ${ph.chains.unmeasuredAttempts}`, `${ph.baseline.measuredAttempts} / ${ph.baseline.unmeasuredAttempts}`],
      ['control steps measured', String(ph.chains.controlSteps), String(ph.baseline.controlSteps)],
      ['sim_unstable control steps', String(ph.chains.unstableSteps), String(ph.baseline.unstableSteps)],
      ['chain runs / episodes with sim_unstable steps', `${ph.chains.chainsWithUnstable}/${ph.chains.chains}`, `${ph.baseline.episodesWithUnstable}/${ph.baseline.episodes}`],
      ['objects that left the table', String(ph.chains.ejectedObjects), String(ph.baseline.ejectedObjects)],
      ['control steps with arm penetration > 5 mm', String(ph.chains.penetrationSteps), String(ph.baseline.penetrationSteps)],
      ['deepest arm penetration', mm(ph.chains.maxPenetrationMm), mm(ph.baseline.maxPenetrationMm)],
      ['fastest speed free fall does not explain', ms(ph.chains.maxExcessSpeed), ms(ph.baseline.maxExcessSpeed)],
    ] } },
  ] });

  sections.push({ title: 'Compounded success S_k', blocks: [
    { chart: 'compounded' },
    { table: { head: ['k', 'S_k', '95% CI', 'chains', ...(ind ? ['independence prod q'] : [])], rows: s.S.map((p) => [
      ...proportionRow(String(p.k), p, noChains || 'no data'), ...(ind ? [rate(ind[p.k - 1])] : []),
    ]) } },
  ] });

  sections.push({ title: 'Per-step success p_j', blocks: [
    { p: 'p_j = successes at position j / chains that reached position j (first j-1 steps all succeeded).' },
    { chart: 'perStep' },
    { table: { head: ['j', 'p_j', '95% CI', 'successes/reached', 'failures at j'], rows: s.perStep.map((p, i) => [
      ...proportionRow(String(p.k), p, `no chain reached step ${p.k}`), counts(s.failuresByStep[i] ?? {}),
    ]) } },
  ] });

  sections.push({ title: 'Controlled baseline q per task', blocks: [
    { p: `Each task run alone from a fresh LIBERO-style reset, ${s.baseline.episodesPerTask} episodes per task.` },
    s.baseline.tasks.length
      ? { table: { head: ['task', 'q', '95% CI', 'successes/episodes', 'failures'], rows: s.baseline.tasks.map((t) => [
        t.task, rate(t.value, 'no episodes'), t.episodes ? ci(t.ci) : '-', `${t.successes}/${t.episodes}`, counts(t.failures),
      ]) } }
      : { p: 'No baseline episodes were recorded, so P_ind, C and O are not available.' },
  ] });

  const failed = Object.values(s.failures).reduce((a: number, v) => a + (v ?? 0), 0);
  const fRows = Object.entries(s.failures).map(([label, c]) => [label, c ?? 0] as const).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  sections.push({ title: 'Failure modes', blocks: [
    { chart: 'failures' },
    fRows.length
      ? { table: { head: ['label', 'failed steps', 'share'], rows: fRows.map(([l, c]) => [l, String(c), `${((100 * c) / failed).toFixed(1)}%`]) } }
      : { p: 'No step failed.' },
  ] });

  if (s.passAtK) {
    const ks = Object.keys(s.passAtK).map(Number).sort((a, b) => a - b);
    sections.push({ title: 'Repeats: pass@k and pass^k', blocks: [
      { p: `Each chain ran ${s.repeats} times with different policy seeds. pass@k: at least one of k runs completes the chain (what leaderboards quote); pass^k: all k runs do (what production sees).` },
      { chart: 'passK' },
      { table: { head: ['k', 'pass@k', 'pass^k'], rows: ks.map((k) => [String(k), rate(s.passAtK?.[k]), rate(s.passPowK?.[k])]) } },
    ] });
  }

  if (s.recovery) {
    const r = s.recovery;
    sections.push({ title: 'Recovery (continue mode)', blocks: [{ table: { head: ['condition', 'P(success at j)', '95% CI', 'successes/trials'], rows: [
      proportionRow('after a failure at j-1', r.afterFailure, 'no step followed a failure'),
      proportionRow('after a success at j-1', r.afterSuccess, 'no step followed a success'),
    ] } }] });
  }

  const ps = [...s.promptSensitivity].sort((a, b) => b.spread - a.spread || (a.task < b.task ? -1 : 1));
  sections.push({ title: 'Prompt sensitivity', blocks: ps.length ? [
    { p: `Success per paraphrase of each task over every attempted step (0 = the training instruction). ${ps.length > PROMPT_TOP ? `Top ${PROMPT_TOP} of ${ps.length} tasks by spread.` : 'Tasks sorted by spread.'}` },
    { table: { head: ['task', 'min', 'max', 'spread', 'std', 'per paraphrase'], rows: ps.slice(0, PROMPT_TOP).map((t) => [
      t.task, rate(t.min), rate(t.max), rate(t.spread), rate(t.std),
      Object.values(t.byParaphrase).map((p) => `#${p.k}: ${rate(p.value)} (${p.successes}/${p.trials})`).join(', '),
    ]) } },
  ] : [{ p: 'No steps were attempted.' }] });

  sections.push({ title: 'Cost', blocks: [
    { table: { head: ['measure', 'value'], rows: [
      ['policy latency per call, p50 / p95', `${num(s.latencyMs.p50, 2, ' ms')} / ${num(s.latencyMs.p95, 2, ' ms')}`],
      ['sim time per control step, p50 / p95', `${num(s.simMsPerStep.p50, 3, ' ms')} / ${num(s.simMsPerStep.p95, 3, ' ms')}`],
      ['wall time per chain, mean / p50', `${num(s.wallMsPerChain.mean / 1000, 2, ' s')} / ${num(s.wallMsPerChain.p50 / 1000, 2, ' s')}`],
      ['chains per hour (one worker)', num(s.chainsPerHour, 1)],
    ] } },
  ] });

  sections.push({ title: 'Definitions', blocks: [{ p:
    `The full definitions are in ${METRICS_DOC} (metrics, failure labels, OOD axes, modes, physics health). `
    + 'S_k is the fraction of chain runs whose first k steps all succeeded (every chain run counts in every k); '
    + 'p_j is per-step success among chain runs that reached position j (their first j-1 steps all succeeded); q is a task\'s success run alone from a fresh reset (successes / baseline episodes of that task); '
    + 'mean baseline q is the mean of q over the tasks of the chains, each task weighted by how often it appears in them; P_ind is the mean over chain runs of prod_j q(t_j); '
    + 'C = P_ind / S_N and O = mean baseline q / S_N (n/a when S_N = 0); intervals on proportions are 95% Wilson score intervals, those on P_ind, C and O 95% percentile-bootstrap intervals (1000 resamples of chains and, per task, baseline episodes). '
    + 'The timing fields (latency, sim time per step, wall time per chain, chains per hour) are measured wall-clock figures and vary between otherwise identical runs; every other number is a function of the seeds and inputs.',
  }] });

  return { title: opts.title ?? `chaingap report: ${s.policy} on ${s.scene}`, sections };
}

const mdCell = (c: string) => c.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The report as markdown (charts are in report.html). */
export function renderMarkdown(summary: RunSummary, opts: ReportOptions = {}): string {
  const { title, sections } = model(summary, opts);
  const out = [`# ${title}`, '', 'Charts of these tables are in report.html (same directory).', ''];
  for (const sec of sections) {
    out.push(`## ${sec.title}`, '');
    for (const b of sec.blocks) {
      if ('p' in b) out.push(b.p, '');
      else if ('table' in b) {
        const { head, rows } = b.table;
        out.push(`| ${head.map(mdCell).join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.map(mdCell).join(' | ')} |`), '');
      }
    }
  }
  return out.join('\n');
}

const numeric = (c: string) => /^(-?[\d.]+(x|%)?|\[[\d., ]+\]|\d+\/\d+)$/.test(c);

export const CSS = `
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: #1d1d1f; margin: 0; background: #f6f7f9; }
main { max-width: 1000px; margin: 0 auto; padding: 24px 32px 48px; background: white; }
h1 { font-size: 24px; margin: 8px 0 16px; }
h2 { font-size: 18px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 1px solid #ddd; }
p { margin: 8px 0; }
table { border-collapse: collapse; margin: 8px 0 12px; font-size: 14px; }
th, td { border: 1px solid #dcdcdc; padding: 4px 10px; text-align: left; vertical-align: top; }
th { background: #f0f2f5; font-weight: 600; white-space: nowrap; }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
figure img { width: 100%; max-width: 960px; image-rendering: pixelated; }
figure.sheet img { height: auto; max-width: 100%; }
figure.clip { display: inline-block; margin: 0 1em 1em 0; max-width: 220px; vertical-align: top; }
figure.clip img { width: 192px; height: 192px; }
ol.frames { margin: 0.3em 0 0 1.4em; padding: 0; font-size: 0.9em; }
.ok { color: #1a7f37; } .fail { color: #cf222e; font-weight: 600; }
figcaption { font-size: 12px; color: #555; margin-bottom: 4px; }
td.ci { white-space: nowrap; font-variant-numeric: tabular-nums; }
ul.defs { margin: 6px 0; padding-left: 1.2em; font-size: 14px; } ul.defs li { margin: 2px 0; }
tr:nth-child(even) td { background: #fafbfc; }
figure { margin: 12px 0; }
figure svg { max-width: 100%; height: auto; display: block; }
`;

/** The report as one self-contained HTML page with the SVG charts inlined. */
export function renderHtml(summary: RunSummary, svgs: ChartSvgs, opts: ReportOptions = {}): string {
  const { title, sections } = model(summary, opts);
  const body: string[] = [`<h1>${escapeHtml(title)}</h1>`];
  for (const sec of sections) {
    body.push(`<section>\n<h2>${escapeHtml(sec.title)}</h2>`);
    for (const b of sec.blocks) {
      if ('p' in b) body.push(`<p>${escapeHtml(b.p)}</p>`);
      else if ('chart' in b) {
        const svg = svgs[b.chart];
        if (svg) body.push(`<figure>${svg.replace(/^<\?xml[^>]*>\s*/, '')}</figure>`);
      } else {
        const { head, rows } = b.table;
        // Right-align a column when every cell in it is a number, a CI or a count.
        const right = head.map((_, i) => i > 0 && rows.every((r) => numeric(r[i])));
        body.push('<table>', `<thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead>`, '<tbody>',
          ...rows.map((r) => `<tr>${r.map((c, i) => `<td${right[i] ? ' class="n"' : /^\[[^\]]*\]$/.test(c) ? ' class="ci"' : ''}>${escapeHtml(c)}</td>`).join('')}</tr>`),
          '</tbody>', '</table>');
      }
    }
    body.push('</section>');
  }
  if (opts.recorded?.length) body.push(recordedRunsSection(opts.recorded));
  if (opts.clips?.length) {
    body.push('<section>\n<h2>Failures, as recorded</h2>', '<p>The agentview camera over the last seconds of the first failed step of recorded chain runs (up to 3 per failure label), replayed from the stored poses. <code>chaingap video</code> renders a whole run.</p>');
    for (const c of opts.clips) {
      body.push(`<figure class="clip"><img alt="${escapeHtml(c.chain)} step ${c.step}" src="data:image/gif;base64,${Buffer.from(c.gif).toString('base64')}"><figcaption>${escapeHtml(c.chain)} (repeat ${c.repeat}), step ${c.step} "${escapeHtml(c.instruction)}": <span class="fail">${escapeHtml(c.label)}</span></figcaption></figure>`);
    }
    body.push('</section>');
  }
  if (opts.sheets?.length) {
    body.push('<section>\n<h2>Contact sheets</h2>', '<p>The agentview camera at the start of each chain and after each of its steps.</p>');
    for (const s of opts.sheets) {
      // Shown at twice its pixel size at most (a two-frame sheet is not stretched to the page's width).
      const { width } = pngSize(s.png);
      const frames = s.steps ? [
        '<li>start</li>',
        ...s.steps.map((st, k) => `<li>after step ${k + 1}, ${escapeHtml(st.task)}: ${st.success ? '<span class="ok">success</span>' : `<span class="fail">failed${st.failure ? ` (${escapeHtml(st.failure)})` : ''}</span>`}</li>`),
      ] : [];
      body.push(`<figure class="sheet"><figcaption>${escapeHtml(s.chain)}</figcaption><img alt="${escapeHtml(s.chain)}" style="width: min(100%, ${2 * width}px)" src="data:image/png;base64,${Buffer.from(s.png).toString('base64')}">${frames.length ? `<ol class="frames">${frames.join('')}</ol>` : ''}</figure>`);
    }
    body.push('</section>');
  }
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
${body.join('\n')}
</main>
</body>
</html>
`;
}

/** Write summary.json, report.md and report.html into `dir` (created if missing); returns their paths. */
export async function writeReports(dir: string, summary: RunSummary, opts: ReportOptions = {}): Promise<{ summaryJson: string; reportMd: string; reportHtml: string }> {
  const md = renderMarkdown(summary, opts);
  const html = renderHtml(summary, await renderCharts(summary, { independence: opts.independence }), opts);
  fs.mkdirSync(dir, { recursive: true });
  const summaryJson = path.join(dir, 'summary.json');
  const reportMd = path.join(dir, 'report.md');
  const reportHtml = path.join(dir, 'report.html');
  writeDurably(summaryJson, JSON.stringify(summary, null, 2) + '\n');
  writeDurably(reportMd, md);
  writeDurably(reportHtml, html);
  return { summaryJson, reportMd, reportHtml };
}

/** Width and height of a PNG from its IHDR chunk (bytes 16..23, big-endian). */
function pngSize(png: Uint8Array): { width: number; height: number } {
  const v = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return png.byteLength >= 24 ? { width: v.getUint32(16), height: v.getUint32(20) } : { width: 0, height: 0 };
}
