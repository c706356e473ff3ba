// What a CI job writes for people and for CI servers: JUnit XML (one testcase per checked metric, a
// failure carrying the numbers), a Markdown summary for a pull-request comment or
// $GITHUB_STEP_SUMMARY that also says what the job could not have seen (its minimum detectable drops),
// and report.html, which leads with the verdict and each comparison with the reference. The metrics
// are defined in docs/metrics.md.
import { XMLBuilder } from 'fast-xml-parser';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { renderSvg } from '../report/charts.ts';
import type { CiCheck } from './ci-checks.ts';
import type { CiResult } from './ci.ts';
import { healthCell, type BaselineHealth, type ChainsHealth } from '../results/health.ts';
import { CSS, definitionsHtml, escapeHtml } from '../report/report.ts';
import { writeDurably } from '../results/store.ts';
import { cellReportHref } from '../report/sweep-report.ts';
import type { SweepResultSummary } from '../sweep/sweep.ts';

const f3 = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(3));

function caseName(c: CiCheck): string {
  return c.kind === 'floor' ? `${c.metric} >= ${c.floor}` : `${c.metric} not below reference`;
}

/** The warning a result contaminated by simulator artefacts carries (null when it is not). */
export function healthWarning(where: string, h: ChainsHealth | BaselineHealth): string | null {
  return h.contaminated ? `physics health: ${where}: ${h.note}` : null;
}

/**
 * JUnit XML: a testsuite per suite and setting, a testcase per check; `error` makes one erroring testcase.
 * A suite/setting whose result is contaminated by simulator artefacts gets a warning in its `system-err`.
 */
export function ciJunit(o: { name: string; checks: readonly CiCheck[]; wallSeconds: number; error?: string; physicsHealth?: Record<string, ChainsHealth | BaselineHealth> }): string {
  const groups = new Map<string, CiCheck[]>();
  for (const c of o.checks) groups.set(`${c.suite}/${c.setting}`, [...(groups.get(`${c.suite}/${c.setting}`) ?? []), c]);
  const warnings = new Map<string, string>();
  for (const [g, h] of Object.entries(o.physicsHealth ?? {})) {
    const w = healthWarning(g, h);
    if (w) {
      warnings.set(g, w);
      if (!groups.has(g)) groups.set(g, []);
    }
  }
  const count = (cs: readonly CiCheck[], s: CiCheck['status']) => cs.filter((c) => c.status === s).length;
  const suites: Record<string, unknown>[] = [...groups.entries()].map(([g, cs]) => ({
    '@name': `${o.name}: ${g}`, '@tests': cs.length, '@failures': count(cs, 'fail'), '@errors': 0, '@skipped': count(cs, 'skipped'),
    ...(warnings.has(g) ? { 'system-err': `WARNING: ${warnings.get(g)}` } : {}),
    testcase: cs.map((c) => ({
      '@classname': `chaingap.${c.suite}.${c.setting}`, '@name': caseName(c), '@time': 0,
      ...(c.status === 'fail' ? { failure: { '@message': c.message, '@type': c.kind === 'floor' ? 'floor' : 'regression', '#text': detail(c) } } : {}),
      ...(c.status === 'skipped' ? { skipped: { '@message': c.message } } : {}),
      ...(c.status === 'pass' ? { 'system-out': c.message } : {}),
    })),
  }));
  if (o.error) {
    suites.push({ '@name': `${o.name}: job`, '@tests': 1, '@failures': 0, '@errors': 1, '@skipped': 0, testcase: [{ '@classname': 'chaingap.job', '@name': 'the job ran to the end', '@time': o.wallSeconds, error: { '@message': o.error, '@type': 'error', '#text': o.error } }] });
  }
  const doc = {
    '?xml': { '@version': '1.0', '@encoding': 'UTF-8' },
    testsuites: {
      '@name': o.name, '@tests': o.checks.length + (o.error ? 1 : 0), '@failures': count(o.checks, 'fail'), '@errors': o.error ? 1 : 0,
      '@skipped': count(o.checks, 'skipped'), '@time': o.wallSeconds.toFixed(1), testsuite: suites,
    },
  };
  return new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@', format: true, suppressEmptyNode: true }).build(doc);
}

function detail(c: CiCheck): string {
  const lines = [c.message, `current: ${c.successes}/${c.trials} = ${f3(c.value)}, 95% CI [${f3(c.ci[0])}, ${f3(c.ci[1])}]`];
  if (c.floor !== undefined) lines.push(`floor: ${c.floor}`);
  if (c.reference) lines.push(`reference: ${c.reference.successes}/${c.reference.trials} = ${f3(c.reference.value)}`);
  if (c.p !== undefined) lines.push(`test: one-sided ${c.test}, p = ${c.p.toPrecision(3)}, adjusted p = ${c.pAdjusted!.toPrecision(3)}`);
  if (c.mde !== undefined) lines.push(`minimum detectable drop: ${c.mde === null ? 'none at this n' : f3(c.mde)}`);
  return lines.join('\n');
}

const mark = (s: CiCheck['status']) => (s === 'pass' ? '✅ pass' : s === 'fail' ? '❌ fail' : '⏭️ skipped');
const where = (c: CiCheck) => `${c.suite} / ${c.setting}`;
const interval = (c: CiCheck) => (c.value === null ? 'n/a' : `${f3(c.value)} [${f3(c.ci[0])}, ${f3(c.ci[1])}] (${c.successes}/${c.trials})`);

/** The Markdown summary of a finished job. */
export function ciMarkdown(r: CiResult): string {
  const floors = r.checks.filter((c) => c.kind === 'floor');
  const cmp = r.checks.filter((c) => c.kind === 'compare');
  const failed = r.checks.filter((c) => c.status === 'fail');
  const L: string[] = [];
  L.push(`## chaingap CI: ${r.name}: ${r.status === 'pass' ? '✅ pass' : '❌ fail'}`);
  L.push('');
  const ref = r.reference
    ? `compared with \`${r.reference.file.split('/').slice(-2).join('/')}\` (policy \`${r.reference.policy}\`, recorded ${r.reference.recorded.slice(0, 10)}${r.reference.sameJob ? '' : '; **recorded for a different job definition**: chains, settings or sample sizes differ'})`
    : r.baselineWritten ? `reference written to \`${r.baselineWritten.split('/').slice(-2).join('/')}\`` : 'no reference: floors only';
  const health = Object.entries(r.physicsHealth ?? {});
  const contaminated = health.filter(([, h]) => h.contaminated);
  for (const [g, h] of contaminated) L.push(`> ⚠️ **${healthWarning(g.replace('/', ' / '), h)}**`, '');
  L.push(`Policy \`${r.policy}\`; ${ref}. Regression = one-sided drop significant at alpha ${r.rules.alpha} (${r.rules.correction === 'holm' ? `Holm over ${r.checks.filter((c) => c.p !== undefined).length} tests` : 'uncorrected'}) **and** at least ${r.rules.minEffect}. ${r.units.ran} units run, ${r.units.resumed} resumed, ${r.wallSeconds.toFixed(0)} s.`);
  L.push('');
  if (failed.length) {
    L.push('**Failed:**');
    L.push('');
    for (const c of failed) L.push(`- \`${where(c)} ${c.metric}\`: ${c.message}`);
    L.push('');
  }
  if (floors.length) {
    L.push('### Floors');
    L.push('');
    L.push(r.rules.floorRule === 'significant'
      ? '_A floor is broken when the rate is significantly below it (one-sided exact binomial test, in the same Holm family)._'
      : '_A floor is broken whenever the observed rate is below it._');
    L.push('');
    L.push('| suite / setting | metric | value [95% CI] | floor | p (adjusted) | result |');
    L.push('| --- | --- | --- | --- | --- | --- |');
    for (const c of floors) L.push(`| ${where(c)} | ${c.metric} | ${interval(c)} | ${c.floor} | ${c.p === undefined ? 'n/a' : `${c.p.toPrecision(2)} (${c.pAdjusted!.toPrecision(2)})`} | ${mark(c.status)} |`);
    L.push('');
  }
  if (cmp.length) {
    L.push('### Compared with the reference');
    L.push('');
    L.push(`| suite / setting | metric | now [95% CI] | reference | change | p (adjusted) | detects drops >= (${Math.round(r.rules.power * 100)}% power) | result |`);
    L.push('| --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const c of cmp) {
      const refTxt = c.reference ? `${f3(c.reference.value)} (${c.reference.successes}/${c.reference.trials})` : 'n/a';
      const change = c.drop === undefined ? 'n/a' : `${c.drop > 0 ? '−' : '+'}${f3(Math.abs(c.drop))}`;
      const p = c.p === undefined ? 'n/a' : `${c.p.toPrecision(2)} (${c.pAdjusted!.toPrecision(2)}, ${c.test})`;
      const mde = c.mde === undefined ? 'n/a' : c.mde === null ? 'none' : f3(c.mde);
      L.push(`| ${where(c)} | ${c.metric} | ${interval(c)} | ${refTxt} | ${change} | ${p} | ${mde} | ${mark(c.status)} |`);
    }
    L.push('');
    const blind = cmp.filter((c) => c.mde === null || (c.mde !== undefined && c.mde > 0.2));
    const names = blind.slice(0, 4).map((c) => `\`${where(c)} ${c.metric}\``).join(', ') + (blind.length > 4 ? ` and ${blind.length - 4} more` : '');
    L.push(`_What this job cannot see:_ a true drop smaller than the "detects drops" column is likely to pass unnoticed.${blind.length ? ` ${blind.length} of ${cmp.length} comparisons catch only drops above 0.2, or none (${names}); more chains, repeats or baseline episodes shrink these.` : ''}`);
    L.push('');
  }
  if (health.length) {
    L.push('### Physics health');
    L.push('');
    L.push('_sim_unstable control steps were produced by the simulator, not the policy; a result with any is contaminated by simulator artefacts (reported, not checked)._');
    L.push('');
    L.push('| suite / setting | verdict | sim_unstable control steps | chains / episodes with them | objects off the table | control steps with penetration > 5 mm | deepest penetration |');
    L.push('| --- | --- | --- | --- | --- | --- | --- |');
    for (const [g, h] of health) {
      const runs = 'chains' in h ? `${h.chainsWithUnstable}/${h.chains}` : `${h.episodesWithUnstable}/${h.episodes}`;
      L.push(`| ${g.replace('/', ' / ')} | ${healthCell(h)} | ${h.unstableSteps} | ${runs} | ${h.ejectedObjects} | ${h.penetrationSteps} | ${h.maxPenetrationMm === null ? 'n/a' : `${h.maxPenetrationMm.toFixed(2)} mm`} |`);
    }
    L.push('');
  }
  return L.join('\n');
}

// ---------------------------------------------------------------------------------------------------
// report.html: the page a person opens after a CI job. It leads with the verdict (PASS/FAIL and why),
// then every metric against the reference and its floor, then a heat map of every metric with its value
// printed in each cell, then the details (what q means here, the rules, physics health, the suites' own
// pages). Self-contained: inline CSS and SVG, nothing fetched.

const p3 = (p: number | undefined) => (p === undefined ? 'n/a' : p < 0.001 ? p.toExponential(1) : p.toPrecision(2));
const signed = (x: number) => `${x < 0 ? '−' : x > 0 ? '+' : '±'}${Math.abs(x).toFixed(3)}`;
const testName = (t: CiCheck['test']) => (t === 'fisher' ? "one-sided Fisher's exact test" : t === 'z' ? 'one-sided two-proportion z test' : 'n/a');

/** A suite's own page: the sweep report its run directory holds, and the summary behind it. */
export interface CiSuitePage {
  suite: string;
  /** Relative link from the CI report to the suite's report.html. */
  href: string;
  /** The suite's sweep summary (`<out>/<suite>/summary.json`), for the q weighting and the cells' own reports. */
  sweep?: SweepResultSummary;
  /** Cells whose run directory has a report.html: `<setting>` -> relative link. */
  cellHrefs?: Record<string, string>;
}

/** One line of the verdict: why a check failed, in the reader's terms. */
export function failureReason(c: CiCheck, rules: CiResult['rules']): string {
  const where = `${c.suite} / ${c.setting} ${c.metric}`;
  if (c.kind === 'floor') {
    if (c.value === null) return `${where}: no trials recorded, so the floor ${c.floor} is not met`;
    const how = c.p === undefined ? 'below' : `significantly below (p = ${p3(c.p)}, adjusted ${p3(c.pAdjusted)} <= alpha ${rules.alpha})`;
    return `${where} = ${f3(c.value)} (${c.successes}/${c.trials}) is ${how} its floor ${c.floor}`;
  }
  const ref = c.reference!;
  return `${where} dropped from ${f3(ref.value)} (${ref.successes}/${ref.trials}) in the reference to ${f3(c.value)} (${c.successes}/${c.trials}): ${signed(-(c.drop ?? 0))}, `
    + `significant (${testName(c.test)}, p = ${p3(c.p)}, ${rules.correction === 'holm' ? 'Holm-adjusted' : 'uncorrected'} ${p3(c.pAdjusted)} <= alpha ${rules.alpha}) and at least the minimum effect ${rules.minEffect}`;
}

interface Row {
  suite: string;
  setting: string;
  metric: string;
  floor?: CiCheck;
  compare?: CiCheck;
}

/** Every checked metric once, with its comparison and its floor, in the order of the job's metrics. */
function checkRows(r: CiResult): Row[] {
  const order = Object.keys(r.metrics);
  const rows = new Map<string, Row>();
  for (const c of r.checks) {
    const k = `${c.suite}/${c.setting}/${c.metric}`;
    const row = rows.get(k) ?? { suite: c.suite, setting: c.setting, metric: c.metric };
    if (c.kind === 'floor') row.floor = c;
    else row.compare = c;
    rows.set(k, row);
  }
  const at = (k: string) => (order.indexOf(k) < 0 ? order.length : order.indexOf(k));
  return [...rows.entries()].sort((a, b) => at(a[0]) - at(b[0])).map(([, v]) => v);
}

const statusCell = (s: CiCheck['status'] | undefined) =>
  s === 'fail' ? '<span class="fail">FAIL</span>' : s === 'pass' ? '<span class="ok">pass</span>' : s === 'skipped' ? 'skipped' : '-';

/** The heat map of every metric of the job: a row per suite and setting, a column per metric, the value printed in each cell. */
export function ciHeatmapSpec(r: CiResult): TopLevelSpec | null {
  const failed = new Set(r.checks.filter((c) => c.status === 'fail').map((c) => `${c.suite}/${c.setting}/${c.metric}`));
  const rank = (m: string) => (/^S_\d+$/.test(m) ? [0, Number(m.slice(2))] : m === 'q' ? [1, 0] : [2, 0]) as [number, number];
  const rows = Object.entries(r.metrics).map(([k, c]) => {
    const parts = k.split('/');
    const metric = parts.pop()!, setting = parts.pop()!, suite = parts.join('/');
    const value = c.trials ? c.successes / c.trials : null;
    return { where: `${suite} / ${setting === 'isolated' ? 'isolated (baseline)' : setting}`, metric, value, label: value === null ? 'n/a' : value.toFixed(2), n: `${c.successes}/${c.trials}`, failed: failed.has(k) };
  });
  if (!rows.length) return null;
  const metrics = [...new Set(rows.map((x) => x.metric))].sort((a, b) => {
    const [ra, na] = rank(a), [rb, nb] = rank(b);
    return ra - rb || na - nb || (a < b ? -1 : a > b ? 1 : 0);
  });
  const wheres = [...new Set(rows.map((x) => x.where))];
  const enc = {
    x: { field: 'metric', type: 'ordinal' as const, title: null, sort: metrics, axis: { orient: 'top' as const, labelAngle: -35, labelAlign: 'left' as const } },
    y: { field: 'where', type: 'ordinal' as const, title: null, sort: wheres, axis: { labelLimit: 260 } },
  };
  return {
    width: { step: 62 }, height: { step: 34 }, data: { values: rows },
    title: { text: 'Every metric of the job (current run)', subtitle: 'value (successes/trials) in each cell; a red border marks a failed check', anchor: 'start' },
    encoding: enc,
    layer: [
      { mark: { type: 'rect', strokeWidth: 3 }, encoding: {
        color: { field: 'value', type: 'quantitative', title: 'rate', scale: { domain: [0, 1], scheme: 'viridis' } },
        stroke: { condition: { test: 'datum.failed', value: '#cf222e' }, value: null },
      } },
      { mark: { type: 'text', fontSize: 12, fontWeight: 'bold', dy: -6 }, encoding: { text: { field: 'label' }, color: { condition: { test: 'datum.value !== null && datum.value > 0.6', value: 'black' }, value: 'white' } } },
      { mark: { type: 'text', fontSize: 9, dy: 8 }, encoding: { text: { field: 'n' }, color: { condition: { test: 'datum.value !== null && datum.value > 0.6', value: 'black' }, value: 'white' } } },
    ],
    config: { view: { stroke: null } },
  } as TopLevelSpec;
}

const CI_CSS = `
.verdict { display: flex; align-items: center; gap: 18px; padding: 14px 18px; border-radius: 6px; margin: 4px 0 14px; border: 2px solid; }
.verdict.pass { background: #e9f6ec; border-color: #1a7f37; }
.verdict.fail { background: #fdecee; border-color: #cf222e; }
.verdict .word { font-size: 44px; font-weight: 800; letter-spacing: 2px; line-height: 1; }
.verdict.pass .word { color: #1a7f37; } .verdict.fail .word { color: #cf222e; }
.verdict ul { margin: 4px 0; padding-left: 1.2em; }
tr.failed td { background: #fdecee !important; }
.warn { color: #b00020; font-weight: 600; }
`;

/** The CI report as one self-contained HTML page. */
export async function renderCiHtml(r: CiResult, suites: readonly CiSuitePage[] = []): Promise<string> {
  const failed = r.checks.filter((c) => c.status === 'fail');
  const floors = r.checks.filter((c) => c.kind === 'floor');
  const cmp = r.checks.filter((c) => c.kind === 'compare');
  const skipped = r.checks.filter((c) => c.status === 'skipped');
  const tested = r.checks.filter((c) => c.p !== undefined).length;
  const rule = `a drop fails only when it is significant at alpha ${r.rules.alpha} (${r.rules.correction === 'holm' ? `Holm-adjusted over the job's ${tested} tests` : 'uncorrected'}) and at least the minimum effect ${r.rules.minEffect}`;
  const floorRule = r.rules.floorRule === 'significant' ? 'a floor is broken when the rate is significantly below it (one-sided exact binomial test, in the same Holm family)' : 'a floor is broken whenever the observed rate is below it';
  const B: string[] = [`<h1>chaingap CI: ${escapeHtml(r.name)}</h1>`];

  // 1. The verdict.
  const reasons = r.status === 'fail'
    ? failed.map((c) => `<li>${escapeHtml(failureReason(c, r.rules))}</li>`)
    : [`<li>${r.checks.length - skipped.length} of ${r.checks.length} checks passed: ${floors.length} floor${floors.length === 1 ? '' : 's'} met, ${cmp.length - skipped.length} comparison${cmp.length - skipped.length === 1 ? '' : 's'} with the reference without a regression (${escapeHtml(rule)}).${skipped.length ? ` ${skipped.length} skipped (listed below).` : ''}</li>`];
  if (!r.checks.length) reasons.push('<li>The job checked nothing: no floors and no reference to compare with.</li>');
  // What a pass cannot vouch for: comparisons whose sample sizes only catch large drops.
  const blind = cmp.filter((c) => c.mde === null || (c.mde !== undefined && c.mde > 0.2));
  if (blind.length) reasons.push(`<li>${blind.length} of ${cmp.length} comparisons catch only drops above 0.2, or none at all, at these sample sizes (${blind.slice(0, 4).map((c) => escapeHtml(`${c.suite} / ${c.setting} ${c.metric}`)).join(', ')}${blind.length > 4 ? ` and ${blind.length - 4} more` : ''}): see "detects drops ≥" below; more chains, repeats or baseline episodes shrink it.</li>`);
  B.push(`<section class="verdict ${r.status}" id="verdict"><div class="word">${r.status === 'pass' ? 'PASS' : 'FAIL'}</div><div><b>${r.status === 'pass' ? 'No floor broken and no regression against the reference.' : `${failed.length} of ${r.checks.length} checks failed:`}</b><ul>${reasons.join('')}</ul></div></section>`);
  const refLine = r.reference
    ? `Reference: <code>${escapeHtml(r.reference.file)}</code> (policy <code>${escapeHtml(r.reference.policy)}</code>, recorded ${escapeHtml(r.reference.recorded.slice(0, 10))})${r.reference.sameJob ? ', recorded for this job definition' : '; <span class="warn">recorded for a different job definition: chains, settings or sample sizes differ</span>'}.`
    : r.baselineWritten ? `Reference written by this run to <code>${escapeHtml(r.baselineWritten)}</code> (--update-baseline): floors only were checked.` : 'No reference file: floors only were checked.';
  B.push(`<p>Policy <code>${escapeHtml(r.policy)}</code>. ${refLine}</p>`);
  for (const [g, h] of Object.entries(r.physicsHealth ?? {})) {
    const w = healthWarning(g.replace('/', ' / '), h);
    if (w) B.push(`<p class="warn">⚠ ${escapeHtml(w)} (reported, not checked)</p>`);
  }

  // 2. Every metric against the reference and its floor.
  const rows = checkRows(r);
  B.push('<section><h2>Each metric against the reference and its floor</h2>',
    `<p>Difference = current − reference. Regression rule: ${escapeHtml(rule)}. Floors: ${escapeHtml(floorRule)}. "Detects drops ≥" is the smallest true drop this job catches with ${Math.round(r.rules.power * 100)}% power at these sample sizes: a smaller drop is likely to pass unnoticed.</p>`);
  if (rows.length) {
    B.push('<table><thead><tr><th>suite / setting</th><th>metric</th><th>reference</th><th>current [95% CI]</th><th>difference</th><th>test, p (adjusted)</th><th>detects drops ≥</th><th>floor</th><th>result</th></tr></thead><tbody>');
    for (const row of rows) {
      const c = row.compare, f = row.floor, any = c ?? f!;
      const cur = any.value === null ? `n/a (${any.successes}/${any.trials})` : `${f3(any.value)} [${f3(any.ci[0])}, ${f3(any.ci[1])}] (${any.successes}/${any.trials})`;
      const ref = c?.reference ? `${f3(c.reference.value)} (${c.reference.successes}/${c.reference.trials})` : c ? 'none' : 'not compared';
      const diff = c?.drop !== undefined ? signed(-c.drop) : '-';
      const test = c?.p !== undefined ? `${testName(c.test)}: p = ${p3(c.p)} (${p3(c.pAdjusted)})` : c?.status === 'skipped' ? escapeHtml(c.message.replace(/^[^:]*: /, '')) : '-';
      const mde = c?.mde === undefined ? '-' : c.mde === null ? 'none at this n' : f3(c.mde);
      const floor = f ? `${f.floor}: ${statusCell(f.status)}${f.p !== undefined ? ` (exact binomial p = ${p3(f.p)}, adjusted ${p3(f.pAdjusted)})` : ''}` : '-';
      const status = [c?.status, f?.status].includes('fail') ? 'fail' : [c?.status, f?.status].includes('pass') ? 'pass' : 'skipped';
      B.push(`<tr${status === 'fail' ? ' class="failed"' : ''}><td>${escapeHtml(`${row.suite} / ${row.setting}`)}</td><td>${escapeHtml(row.metric)}</td><td class="n">${ref}</td><td class="ci">${cur}</td><td class="n">${diff}</td><td>${test}</td><td class="n">${mde}</td><td>${floor}</td><td>${statusCell(status as CiCheck['status'])}</td></tr>`);
    }
    B.push('</tbody></table>');
  } else B.push('<p>No checks: the config sets no floors and there is no reference to compare with.</p>');
  B.push('</section>');

  // 3. The heat map of every metric, numbers in the cells.
  const spec = ciHeatmapSpec(r);
  if (spec) B.push('<section><h2>Every metric</h2>', `<figure>${(await renderSvg(spec, 'ci-heat')).replace(/^<\?xml[^>]*>\s*/, '')}</figure>`, '</section>');

  // 4. Details.
  B.push('<section><h2>Details</h2>');
  const qRows = suites.map((s) => {
    const qc = r.metrics[`${s.suite}/isolated/q`];
    const cell = s.sweep?.cells.find((c) => c.setting === 'controlled') ?? s.sweep?.cells[0];
    const tasks = cell?.summary.baseline.tasks ?? [];
    const unweighted = tasks.length ? tasks.reduce((a, t) => a + t.value, 0) / tasks.length : NaN;
    return [s.suite, qc ? `${f3(qc.successes / qc.trials)} (${qc.successes}/${qc.trials} episodes)` : 'n/a', tasks.length ? `${f3(unweighted)} over ${tasks.length} tasks` : 'n/a', cell ? f3(cell.summary.baseline.meanQ) : 'n/a'];
  }).filter((x) => x[1] !== 'n/a' || x[3] !== 'n/a');
  B.push('<h3>What q means here</h3>',
    '<p>The CI metric <b>q</b> is pooled over the suite\'s isolated-task (baseline) episodes: successes / episodes over all its tasks. Every task gets the same number of episodes, so this equals the plain mean of q_t over the distinct tasks, each task counted once. '
    + 'The suites\' sweep pages show <b>mean q</b> weighted by how often each task appears in the chains (the weighting O = mean q / S_N uses): the two differ when some tasks appear in the chains more often than others, and neither is wrong.</p>');
  if (qRows.length) B.push(`<table><thead><tr><th>suite</th><th>q, this page (pooled over episodes)</th><th>mean of q_t, each task once</th><th>mean q on the sweep page (weighted by task use in the chains)</th></tr></thead><tbody>${qRows.map((x) => `<tr>${x.map((v, i) => `<td${i ? ' class="n"' : ''}>${escapeHtml(v)}</td>`).join('')}</tr>`).join('')}</tbody></table>`);
  B.push('<h3>The job</h3>', `<ul>
<li>Rules: ${escapeHtml(rule)}; ${escapeHtml(floorRule)}; power for the detectable drop ${Math.round(r.rules.power * 100)}%.</li>
<li>${r.units.ran} units (chain runs and baseline episodes) run now, ${r.units.resumed} resumed from an earlier job; ${r.wallSeconds.toFixed(0)} s.${r.recordings.written ? ` ${r.recordings.written} chain runs recorded.` : ''}</li>
<li>Job hash <code>${escapeHtml(r.job)}</code>: two runs with the same hash ran the same chains, settings and sample sizes.</li>
<li>Files beside this page: <a href="summary.md">summary.md</a> (the pull-request comment), <a href="junit.xml">junit.xml</a> (one testcase per check), <a href="summary.json">summary.json</a>.</li>
</ul>`);
  if (suites.length) {
    B.push('<h3>The suites</h3><p>Each suite is a sweep with its own page (S_N against level, failure labels, frames of each setting), and each setting a run directory with its own report.</p><ul>');
    for (const s of suites) {
      const cells = Object.entries(s.cellHrefs ?? {}).map(([setting, h]) => `<a href="${escapeHtml(h)}">${escapeHtml(setting)}</a>`).join(', ');
      B.push(`<li><a href="${escapeHtml(s.href)}">${escapeHtml(s.suite)}</a>${cells ? `: ${cells}` : ''}</li>`);
    }
    B.push('</ul>');
  }
  const health = Object.entries(r.physicsHealth ?? {});
  if (health.length) {
    B.push('<h3>Physics health</h3><p>sim_unstable control steps were produced by the simulator, not the policy; a result with any is contaminated by simulator artefacts (reported, not checked).</p>',
      '<table><thead><tr><th>suite / setting</th><th>verdict</th><th>sim_unstable control steps</th><th>chains / episodes with them</th><th>objects off the table</th><th>control steps with penetration &gt; 5 mm</th></tr></thead><tbody>');
    for (const [g, h] of health) {
      const runs = 'chains' in h ? `${h.chainsWithUnstable}/${h.chains}` : `${h.episodesWithUnstable}/${h.episodes}`;
      B.push(`<tr><td>${escapeHtml(g.replace('/', ' / '))}</td><td>${escapeHtml(healthCell(h))}</td><td class="n">${h.unstableSteps}</td><td class="n">${runs}</td><td class="n">${h.ejectedObjects}</td><td class="n">${h.penetrationSteps}</td></tr>`);
    }
    B.push('</tbody></table>');
  }
  B.push('</section>');
  B.push(definitionsHtml([
    '<b>q</b> (CI metric): successes / episodes pooled over all isolated-task episodes of a suite (every task equally often, so the plain mean of q_t over its tasks).',
    '<b>type:&lt;t&gt;</b>: successes / recorded steps of task type t (in the chains: steps that were attempted; isolated: episodes of tasks of that type).',
    '<b>regression</b>: a one-sided drop against the reference (Fisher\'s exact test when a 2x2 cell expects under 5, else the pooled z test), significant after Holm\'s correction over every test of the job, and at least the minimum effect.',
  ]));
  return `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>chaingap CI ${escapeHtml(r.name)}: ${r.status.toUpperCase()}</title>\n<style>${CSS}${CI_CSS}</style>\n</head>\n<body>\n<main>\n${B.join('\n')}\n</main>\n</body>\n</html>\n`;
}

/** The suites' own pages under the job's results directory (`<out>/<suite>/report.html` and its cells' reports). */
export function ciSuitePages(out: string, r: CiResult): CiSuitePage[] {
  const suites = [...new Set(Object.keys(r.metrics).map((k) => k.split('/')[0]))];
  return suites.filter((s) => existsSync(path.join(out, s, 'report.html'))).map((suite) => {
    let sweep: SweepResultSummary | undefined;
    try {
      sweep = JSON.parse(readFileSync(path.join(out, suite, 'summary.json'), 'utf8')) as SweepResultSummary;
    } catch {
      sweep = undefined;
    }
    const cellHrefs: Record<string, string> = {};
    for (const c of sweep?.cells ?? []) if (existsSync(path.join(out, suite, c.dir, 'report.html'))) cellHrefs[c.setting] = `${encodeURIComponent(suite)}/${cellReportHref(c.dir)}`;
    return { suite, href: `${encodeURIComponent(suite)}/report.html`, sweep, cellHrefs };
  });
}

/** Write the job's report.html beside its summary.json (`r.files.reportHtml`, else `<dir of summary.json>/report.html`). */
export async function writeCiReport(r: CiResult): Promise<string> {
  const out = path.dirname(r.files.summaryJson);
  const file = r.files.reportHtml ?? path.join(out, 'report.html');
  writeDurably(file, await renderCiHtml(r, ciSuitePages(out, r)));
  return file;
}
