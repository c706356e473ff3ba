// The sweep report: `summary.json` (every cell's summary) and a self-contained `report.html` in three
// layers: the capability floor (each policy's controlled baseline), robustness on variants (S_10 and
// per-step success against level for every axis, with CIs, the controlled setting as reference, a heat
// map for two-axis grids, failure labels per axis and level, prompt sensitivity), and the chains run.
// Each axis shows what its levels look like: the agentview at the reset of the sweep's first chain in
// every setting (runner/ood-frames.ts).
import path from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { OOD_AXES, type OodAxis, type OodLevels } from '../scenes/ood.ts';
import { renderSvg } from './charts.ts';
import { healthCell, type BaselineHealth, type ChainsHealth } from './health.ts';
import { sweepOodFrames, type OodFrame, type OodFrames, type OodFramesOptions } from './ood-frames.ts';
import { CSS, recordedRunsSection } from './report.ts';
import { listRecordings } from './view-data.ts';
import { writeDurably } from './store.ts';
import type { SweepCell, SweepResultSummary } from './sweep.ts';
import { wilson } from './stats.ts';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
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

function table(head: string[], rows: string[][]): string {
  const cell = (c: string) => `<td${/\[[^\]]*\]$/.test(c) ? ' class="ci"' : ''}>${esc(c)}</td>`;
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map(cell).join('')}</tr>`).join('')}</tbody></table>`;
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
    const cap = esc(caption(f.ood, axis));
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
  /** The frames of each setting (runner/ood-frames.ts): options, or false for none (default: shown). */
  frames?: OodFramesOptions | false;
}

export async function writeSweepReport(dir: string, r: SweepResultSummary, o: SweepReportOptions = {}): Promise<{ summaryJson: string; reportHtml: string }> {
  const body: string[] = [`<h1>chaingap sweep: ${esc(r.name)}</h1>`];
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
  const ph = r.physicsHealth;
  const warn = ph.chains.contaminated || ph.baseline.contaminated;
  body.push(`<p${warn ? ' style="color:#b00020;font-weight:600"' : ''}>Physics health over all cells: chains: ${esc(ph.chains.note)}. Baseline: ${esc(ph.baseline.note)}. Per cell in "Physics health per cell" below.</p>`);

  body.push('<section><h2>1. Capability floor: the controlled baseline</h2>',
    '<p>Each task of the chains run alone from fresh LIBERO-style resets (every OOD axis at 0), and the chains themselves in the controlled setting.</p>',
    table(['policy', 'tasks', 'mean q', 'P_ind', 'S_1', 'S_10 [95% CI]', 'C [95% CI]', 'physics health (baseline)'], policies.map((p) => {
      const c = controlled(p), s = (c ?? anyCell(p)).summary, n = s.steps;
      const chainCols = c
        ? [f3(s.S[0].value), `${f3(s.S[n - 1].value)} [${f3(s.S[n - 1].ci[0])}, ${f3(s.S[n - 1].ci[1])}]`, `${f3(s.C)} [${f3(s.Cci[0])}, ${s.Cci[1] === null ? 'unbounded' : f3(s.Cci[1])}]`]
        : Array(3).fill('n/a (controlled setting not run)');
      return [p, String(s.baseline.tasks.length), f3(s.baseline.meanQ), f3(s.baseline.P_ind), ...chainCols, healthCell(s.physicsHealth.baseline)];
    })), '</section>');

  body.push('<section><h2>2. Robustness on variants</h2>');
  if (frames?.frames.length) {
    const f0 = frames.frames[0];
    body.push(`<p>Under each axis, what its levels look like: the ${esc(frames.camera)} camera at the reset of chain ${esc(frames.chain ?? '')} (repeat 0, env seed ${frames.seed}) in each setting, the start every policy's run of that chain saw (one reset and one render per setting, ${f0.width}x${f0.height}, chaingap's ray renderer on the CPU; no policy acts).${framesNote ? ` ${esc(framesNote)}.` : ''}</p>`);
  } else if (o.frames !== false && varied) {
    body.push(`<p>No frames of the settings: ${esc(framesNote || 'none were made')}.</p>`);
  }
  const axes = OOD_AXES.filter((a) => r.cells.some((c) => axisOf(c)?.axis === a));
  for (const axis of axes) {
    const rows: Record<string, unknown>[] = [];
    const trows: string[][] = [];
    for (const p of policies) {
      const cells = [...(controlled(p) ? [controlled(p)!] : []), ...r.cells.filter((c) => c.policy === p && axisOf(c)?.axis === axis)]
        .map((c) => ({ c, level: c.setting === 'controlled' ? 0 : axisOf(c)!.level })).sort((a, b) => a.level - b.level);
      for (const { c, level } of cells) {
        const n = c.summary.steps, s = c.summary.S[n - 1], st = stepRate(c);
        rows.push({ policy: p, level, metric: `S_${n}`, value: s.value, lo: s.ci[0], hi: s.ci[1] });
        rows.push({ policy: p, level, metric: 'step success', value: st.value, lo: st.ci[0], hi: st.ci[1] });
        const fails = Object.entries(c.summary.failures).sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0)).map(([l, k]) => `${l} ${k}`).join(', ') || '-';
        trows.push([p, String(level), `${f3(s.value)} [${f3(s.ci[0])}, ${f3(s.ci[1])}]`, `${f3(st.value)} [${f3(st.ci[0])}, ${f3(st.ci[1])}]`, f3(c.summary.C), fails, healthCell(c.summary.physicsHealth.chains)]);
      }
    }
    const spec: TopLevelSpec = {
      width: 420, height: 220, data: { values: rows },
      title: { text: `${axis}: success against level`, subtitle: 'level 0 is the controlled setting; bars are 95% Wilson intervals' },
      encoding: { x: { field: 'level', type: 'quantitative', scale: { domain: [0, 1] } }, color: { field: 'policy', type: 'nominal' }, strokeDash: { field: 'metric', type: 'nominal' } },
      layer: [
        { mark: { type: 'line', point: true }, encoding: { y: { field: 'value', type: 'quantitative', scale: { domain: [0, 1] }, title: 'success' } } },
        { mark: 'rule', encoding: { y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } } },
      ],
    };
    body.push(`<h3>${esc(axis)}</h3>`);
    if (frames?.frames.length) {
      const levels = [...new Map(r.cells.filter((c) => axisOf(c)?.axis === axis).map((c) => [c.setting, c])).keys()];
      const shown = ['controlled', ...levels].map(frameOf).filter((f): f is OodFrame => f !== undefined)
        .sort((a, b) => (a.ood[axis] ?? 0) - (b.ood[axis] ?? 0));
      body.push(strip(shown, axis));
      const line = UNSEEN[axis] ?? SEEN_NOTE[axis];
      if (line) body.push(`<p>${esc(line)}</p>`);
    }
    body.push(`<figure>${(await renderSvg(spec, `ax-${axis}`)).replace(/^<\?xml[^>]*>\s*/, '')}</figure>`,
      table(['policy', 'level', 'S_N [95% CI]', 'step success [95% CI]', 'C', 'failure labels', 'physics health'], trows));
  }
  // Two-axis grids: a heat map of S_N per policy.
  const pairs = r.cells.filter((c) => Object.keys(c.ood).length === 2);
  if (pairs.length) {
    const [a1, a2] = Object.keys(pairs[0].ood) as OodAxis[];
    for (const p of policies) {
      const values = r.cells.filter((c) => c.policy === p && Object.keys(c.ood).every((k) => k === a1 || k === a2))
        .map((c) => ({ [a1]: c.ood[a1] ?? 0, [a2]: c.ood[a2] ?? 0, S: c.summary.S[c.summary.steps - 1].value }));
      const spec: TopLevelSpec = {
        width: 300, height: 220, data: { values }, title: `${p}: S_N over ${a1} x ${a2}`, mark: 'rect',
        encoding: { x: { field: a1, type: 'ordinal' }, y: { field: a2, type: 'ordinal' }, color: { field: 'S', type: 'quantitative', scale: { domain: [0, 1] } } },
      };
      body.push(`<figure>${(await renderSvg(spec, `heat-${p.replace(/\W/g, '')}`)).replace(/^<\?xml[^>]*>\s*/, '')}</figure>`);
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
  body.push('<section><h2>3. The chains</h2>', `<p>${esc(String(r.cells[0]?.summary.distinctChains ?? 0))} chains of up to ${esc(String(r.cells[0]?.summary.steps ?? 0))} steps (${esc(r.cells[0]?.summary.scene ?? '')}) in every setting; each cell is a run directory (summary, report, records) under this sweep's directory.</p>`,
    table(['policy', 'setting', 'directory'], r.cells.map((c) => [c.policy, c.setting, c.dir])), '</section>');
  // Chain runs kept with --record, across the cells, each linking to the viewer.
  const recorded = listRecordings(dir).map((e) => ({ ...e, policy: e.policy ?? '', setting: Object.entries(e.ood).map(([a, v]) => `${a}=${v}`).join(',') || 'controlled' }));
  if (recorded.length) body.push(recordedRunsSection(recorded));

  const html = `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>chaingap sweep ${esc(r.name)}</title>\n<style>${CSS}${STRIP_CSS}</style>\n</head>\n<body>\n<main>\n${body.join('\n')}\n</main>\n</body>\n</html>\n`;
  const summaryJson = path.join(dir, 'summary.json');
  const reportHtml = path.join(dir, 'report.html');
  writeDurably(summaryJson, JSON.stringify(r, null, 2) + '\n');
  writeDurably(reportHtml, html);
  return { summaryJson, reportHtml };
}
