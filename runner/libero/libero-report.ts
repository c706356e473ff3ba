// What `chaingap libero` reports: the per-task success table (Wilson 95% intervals), the suite mean,
// the files that did not import, and with chains the per-step and compounded success of each chain
// beside the independence prediction from the same run's single-task rates. summary.json, report.md,
// report.html and the printed table all come from one LiberoSummary.
import path from 'node:path';
import type { ChainRecord, BaselineRecord, FailureLabel } from '../results/records.ts';
import { compoundedSuccess, perStepSuccess } from '../results/metrics.ts';
import { physicsHealth, healthLine, type PhysicsHealthSummary } from '../results/health.ts';
import { wilson } from '../results/stats.ts';
import { CSS, escapeHtml } from '../report/report.ts';
import { writeDurably } from '../results/store.ts';
import type { SummaryProportion } from '../results/summary.ts';
import type { BudgetSource, LiberoImportFailure, LiberoSuite } from './libero-suite.ts';

/** One episode of one task file: a controlled-baseline record with where it came from. */
export interface LiberoEpisodeRecord extends BaselineRecord {
  file: string;
  /** The import the episode ran (LiberoTask.importHash); records of an older import are not counted. */
  importHash: string;
  /** `steps` counts the policy's steps; these do-nothing steps came before them. */
  idleSteps: number;
  /** Why the episode could not run or the policy failed (a reset that threw, a policy error). */
  error?: string;
  wallMs: number;
}

export interface LiberoTaskRow {
  file: string;
  task: string;
  instruction: string;
  /** Policy steps per episode. */
  budget: number;
  episodes: number;
  successes: number;
  rate: number;
  ci: [number, number];
  /** Mean policy steps of the successful episodes (NaN when none). */
  meanStepsToSuccess: number;
  failures: Partial<Record<FailureLabel, number>>;
  /** Episodes that ended in an error, and the first error. */
  errors: number;
  firstError?: string;
  standIns?: Record<string, string>;
}

export interface LiberoChainRow {
  chain: string;
  scene: string;
  tasks: { task: string; file: string; instruction: string }[];
  runs: number;
  /** Per-step success p_j (among runs whose earlier steps all succeeded). */
  perStep: SummaryProportion[];
  /** Compounded success S_k: the first k steps all succeeded. */
  S: SummaryProportion[];
  /** Prediction of S_k if steps failed independently: prod of the first k tasks' single-task rates (NaN without them). */
  independence: number[];
}

export interface LiberoSummary {
  runId: string;
  dir: string;
  suite: LiberoSuite | null;
  budget: { steps: number | null; source: BudgetSource };
  idleSteps: number;
  episodesPerTask: number;
  policy: string;
  actionMode: string;
  seed: number;
  files: number;
  imported: number;
  importFailures: LiberoImportFailure[];
  tasks: LiberoTaskRow[];
  /** Suite success: mean of the per-task rates (LIBERO's total success with equal episodes per task). */
  mean: {
    /** Over the tasks that imported (with at least one episode). */
    overImported: number;
    /** Over every file, one that did not import counting 0. */
    overAllFiles: number;
    successes: number;
    episodes: number;
    /** Wilson 95% interval of successes / episodes over the imported tasks. */
    ci: [number, number];
  };
  chains?: { rows: LiberoChainRow[]; skipped: { name: string; reason: string }[]; steps: number; runsPerChain: number };
  physicsHealth: PhysicsHealthSummary;
  /** Planned episodes and chain runs, and how many are recorded. */
  progress: { episodes: [number, number]; chainRuns: [number, number] };
  /** Wall time of this invocation, and the summed wall time of every recorded episode and chain run (s). */
  wallSeconds: number;
  recordedSeconds: number;
  versions: Record<string, string>;
}

export interface LiberoSummaryInput {
  runId: string;
  dir: string;
  suite: LiberoSuite | null;
  budget: { steps: number | null; source: BudgetSource };
  idleSteps: number;
  episodes: number;
  policy: string;
  actionMode: string;
  seed: number;
  files: number;
  importFailures: LiberoImportFailure[];
  tasks: { file: string; name: string; instruction: string; maxSteps: number; importHash: string; standIns: Record<string, string> }[];
  chains?: { specs: { name: string; scene: string; tasks: string[] }[]; skipped: { name: string; reason: string }[]; steps: number; runsPerChain: number };
  wallSeconds: number;
  versions: Record<string, string>;
}

const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const prop = (p: { k: number; value: number; ci: [number, number]; successes: number; trials: number }): SummaryProportion =>
  ({ k: p.k, value: p.value, ci: p.ci, successes: p.successes, trials: p.trials });

/** The summary of a LIBERO run from its records (those of the current imports only). */
export function summariseLibero(input: LiberoSummaryInput, episodes: readonly LiberoEpisodeRecord[], chainRecords: readonly ChainRecord[]): LiberoSummary {
  const byTask = new Map<string, LiberoEpisodeRecord[]>();
  const current = new Set(input.tasks.map((t) => `${t.name}#${t.importHash}`));
  const counted = episodes.filter((r) => current.has(`${r.task}#${r.importHash}`)).sort((a, b) => a.episode - b.episode);
  for (const r of counted) byTask.set(r.task, [...(byTask.get(r.task) ?? []), r]);
  const tasks: LiberoTaskRow[] = input.tasks.map((t) => {
    const rs = byTask.get(t.name) ?? [];
    const k = rs.filter((r) => r.success).length;
    const failures: Partial<Record<FailureLabel, number>> = {};
    for (const r of rs) if (!r.success && r.failure) failures[r.failure] = (failures[r.failure] ?? 0) + 1;
    const errs = rs.filter((r) => r.error !== undefined);
    const row: LiberoTaskRow = {
      file: t.file, task: t.name, instruction: t.instruction, budget: t.maxSteps, episodes: rs.length, successes: k,
      rate: rs.length ? k / rs.length : NaN, ci: wilson(k, rs.length),
      meanStepsToSuccess: mean(rs.filter((r) => r.success).map((r) => r.steps)), failures, errors: errs.length,
    };
    if (errs.length) row.firstError = errs[0].error;
    if (Object.keys(t.standIns).length) row.standIns = t.standIns;
    return row;
  });
  const ran = tasks.filter((t) => t.episodes > 0);
  const successes = ran.reduce((a, t) => a + t.successes, 0);
  const total = ran.reduce((a, t) => a + t.episodes, 0);
  const q: Record<string, number> = Object.fromEntries(ran.map((t) => [t.task, t.rate]));

  let chains: LiberoSummary['chains'];
  let chainRuns: [number, number] = [0, 0];
  if (input.chains) {
    const rows = input.chains.specs.map((c): LiberoChainRow => {
      const rs = chainRecords.filter((r) => r.chainId === c.name).sort((a, b) => a.repeat - b.repeat);
      const n = c.tasks.length;
      let acc = 1;
      const byName = new Map(input.tasks.map((t) => [t.name, t]));
      return {
        chain: c.name, scene: c.scene, runs: rs.length,
        tasks: c.tasks.map((name) => ({ task: name, file: byName.get(name)?.file ?? '', instruction: byName.get(name)?.instruction ?? '' })),
        perStep: perStepSuccess(rs, n).map(prop),
        S: compoundedSuccess(rs, n).map(prop),
        independence: c.tasks.map((name) => (acc *= name in q ? q[name] : NaN)),
      };
    });
    chains = { rows, skipped: input.chains.skipped, steps: input.chains.steps, runsPerChain: input.chains.runsPerChain };
    const names = new Set(input.chains.specs.map((c) => c.name));
    chainRuns = [chainRecords.filter((r) => names.has(r.chainId)).length, input.chains.specs.length * input.chains.runsPerChain];
  }
  const liveChains = chainRecords.filter((r) => chains?.rows.some((c) => c.chain === r.chainId));
  const summary: LiberoSummary = {
    runId: input.runId, dir: input.dir, suite: input.suite, budget: input.budget, idleSteps: input.idleSteps,
    episodesPerTask: input.episodes, policy: input.policy, actionMode: input.actionMode, seed: input.seed,
    files: input.files, imported: input.tasks.length, importFailures: input.importFailures, tasks,
    mean: {
      overImported: mean(ran.map((t) => t.rate)),
      overAllFiles: input.files ? tasks.reduce((a, t) => a + (t.episodes ? t.rate : 0), 0) / input.files : NaN,
      successes, episodes: total, ci: wilson(successes, total),
    },
    // Episodes whose reset threw never ran: they are neither healthy nor unmeasured physics.
    physicsHealth: physicsHealth(liveChains, counted.filter((r) => r.health)),
    progress: { episodes: [counted.length, input.tasks.length * input.episodes], chainRuns },
    wallSeconds: input.wallSeconds,
    recordedSeconds: (counted.reduce((a, r) => a + r.wallMs, 0) + liveChains.reduce((a, r) => a + r.wallMs, 0)) / 1000,
    versions: input.versions,
  };
  if (chains) summary.chains = chains;
  return summary;
}

// ------------------------------------------------------------------ rendering

type Table = { head: string[]; rows: string[][] };
type Block = { p: string } | { table: Table };

const pct = (v: number) => (Number.isFinite(v) ? `${(100 * v).toFixed(1)}%` : 'n/a');
const ci = (c: [number, number]) => `[${(100 * c[0]).toFixed(1)}, ${(100 * c[1]).toFixed(1)}]`;
const counts = (m: Partial<Record<string, number>>) =>
  Object.entries(m).sort(([a, x], [b, y]) => (y ?? 0) - (x ?? 0) || (a < b ? -1 : 1)).map(([k, v]) => `${k} ${v}`).join(', ') || '-';

/** The per-task table (also what the CLI prints). */
export function taskTable(s: LiberoSummary): Table {
  return {
    head: ['file', 'instruction', 'success', 'rate', '95% CI', 'budget', 'failures'],
    rows: [
      ...s.tasks.map((t) => [
        t.file, t.instruction, `${t.successes}/${t.episodes}`, pct(t.rate), t.episodes ? ci(t.ci) : '-', String(t.budget),
        `${counts(t.failures)}${t.errors ? `; ${t.errors} error${t.errors > 1 ? 's' : ''}: ${t.firstError}` : ''}${t.standIns ? `; stand-ins ${Object.entries(t.standIns).map(([a, b]) => `${a}->${b}`).join(', ')}` : ''}`,
      ]),
      ...s.importFailures.map((f) => [`${f.file}${f.line !== undefined ? `:${f.line}` : ''}`, `NOT IMPORTED: ${f.error.replace(path.join(s.dir, path.sep), '')}`, '-', '-', '-', '-', '-']),
    ],
  };
}

/** Files that did not import counted by the importer's reason, most files first ('' when none). */
function importReasons(s: LiberoSummary): string {
  const n = new Map<string, number>();
  for (const f of s.importFailures) n.set(f.reason ?? 'other', (n.get(f.reason ?? 'other') ?? 0) + 1);
  return [...n].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([r, k]) => `${r} ${k}`).join(', ');
}

function budgetText(s: LiberoSummary): string {
  if (s.budget.source === 'option') return `${s.budget.steps} policy steps per episode (--budget)`;
  if (s.budget.source === 'suite') return `${s.budget.steps} policy steps per episode (LIBERO's budget for ${s.suite})`;
  return `each task's own maxSteps (the folder name is not one of LIBERO's suites, so no LIBERO budget applies; pass --budget to set one)`;
}

function model(s: LiberoSummary): { title: string; blocks: Block[] } {
  const blocks: Block[] = [];
  const [done, planned] = s.progress.episodes;
  blocks.push({ table: { head: ['field', 'value'], rows: [
    ['folder', s.dir], ['suite', s.suite ?? 'unknown (not a LIBERO suite folder name)'], ['policy', s.policy], ['action mode', s.actionMode],
    ['files imported', `${s.imported}/${s.files}`], ['episodes per task', String(s.episodesPerTask)],
    ['budget', budgetText(s)], ['idle steps', `${s.idleSteps} do-nothing steps after each reset, before the policy acts (not counted in the budget)`],
    ['seed', String(s.seed)], ['episodes recorded', `${done}/${planned}${done < planned ? ' (partial: run the same command again to resume)' : ''}`],
    ['wall time', `${s.wallSeconds.toFixed(1)} s this invocation; ${s.recordedSeconds.toFixed(1)} s of recorded episodes and chain runs`],
    ['run id', s.runId], ['versions', Object.entries(s.versions).map(([k, v]) => `${k} ${v}`).join(', ')],
  ] } });
  blocks.push({ p: `Suite mean: ${pct(s.mean.overImported)} over the ${s.tasks.filter((t) => t.episodes).length} imported tasks (${s.mean.successes}/${s.mean.episodes} episodes, 95% CI ${ci(s.mean.ci)}); ${pct(s.mean.overAllFiles)} over all ${s.files} files, counting files that did not import as 0.` });
  blocks.push({ table: taskTable(s) });
  const reasons = importReasons(s);
  if (reasons) blocks.push({ p: `Files not imported, by reason: ${reasons}.` });
  blocks.push({ p: healthLine(s.physicsHealth) });
  if (s.chains) {
    const c = s.chains;
    blocks.push({ p: `Chains: tasks whose files import to the same scene, run one after another in one episode (strict: a chain stops at its first failed step), up to ${c.steps} steps, ${c.runsPerChain} runs per chain from fresh seeded initial states, ${s.idleSteps} idle steps after each reset. Measured S_k against the independence prediction prod q from the single-task rates above.` });
    for (const r of c.rows) {
      blocks.push({ p: `${r.chain} (${r.scene}), ${r.runs} runs: ${r.tasks.map((t, i) => `${i + 1}. ${t.instruction}`).join('; ')}` });
      blocks.push({ table: { head: ['k', 'task', 'p_k', 'p_k 95% CI', 'S_k', 'S_k 95% CI', 'runs', 'prod q (independence)', 'q of task'], rows: r.S.map((p, i) => {
        const q = i === 0 ? r.independence[0] : r.independence[i] / r.independence[i - 1];
        return [String(p.k), r.tasks[i].task, pct(r.perStep[i].value), r.perStep[i].trials ? ci(r.perStep[i].ci) : '-', pct(p.value), p.trials ? ci(p.ci) : '-', `${p.successes}/${p.trials}`, pct(r.independence[i]), pct(q)];
      }) } });
    }
    if (!c.rows.length) blocks.push({ p: 'No chain could be made.' });
    if (c.skipped.length) blocks.push({ table: { head: ['scene', 'no chain because'], rows: c.skipped.map((x) => [x.name, x.reason]) } });
  }
  blocks.push({ p: 'As LIBERO\'s evaluations (openpi examples/libero/main.py): each episode starts from a fresh seeded initial state; the policy gets the suite\'s step budget after the idle steps; success is the task\'s goal holding (chaingap\'s success rule, sim/success.ts) before the budget runs out; a policy error ends the episode as a failure. Intervals are 95% Wilson score intervals. Unlike LIBERO, initial states are drawn by chaingap from the BDDL regions with the episode\'s seed, not LIBERO\'s 50 stored states.' });
  return { title: `chaingap libero: ${s.policy} on ${s.suite ?? path.basename(s.dir)}`, blocks };
}

const mdCell = (c: string) => c.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderLiberoMarkdown(s: LiberoSummary): string {
  const { title, blocks } = model(s);
  const out = [`# ${title}`, ''];
  for (const b of blocks) {
    if ('p' in b) out.push(b.p, '');
    else out.push(`| ${b.table.head.map(mdCell).join(' | ')} |`, `| ${b.table.head.map(() => '---').join(' | ')} |`, ...b.table.rows.map((r) => `| ${r.map(mdCell).join(' | ')} |`), '');
  }
  return out.join('\n');
}

export function renderLiberoHtml(s: LiberoSummary): string {
  const { title, blocks } = model(s);
  const body = [`<h1>${escapeHtml(title)}</h1>`];
  for (const b of blocks) {
    if ('p' in b) body.push(`<p>${escapeHtml(b.p)}</p>`);
    else {
      body.push('<table>', `<thead><tr>${b.table.head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead>`, '<tbody>',
        ...b.table.rows.map((r) => `<tr>${r.map((c) => `<td${/^(\d+\/\d+|-?[\d.]+%|\[[\d., ]+\]|\d+)$/.test(c) ? ' class="n"' : ''}>${escapeHtml(c)}</td>`).join('')}</tr>`),
        '</tbody>', '</table>');
    }
  }
  return `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>${escapeHtml(title)}</title>\n<style>${CSS}</style>\n</head>\n<body>\n<main>\n${body.join('\n')}\n</main>\n</body>\n</html>\n`;
}

/** Write summary.json, report.md and report.html into `dir`. */
export function writeLiberoReports(dir: string, s: LiberoSummary): { summaryJson: string; reportMd: string; reportHtml: string } {
  const files = { summaryJson: path.join(dir, 'summary.json'), reportMd: path.join(dir, 'report.md'), reportHtml: path.join(dir, 'report.html') };
  writeDurably(files.summaryJson, JSON.stringify(s, null, 2) + '\n');
  writeDurably(files.reportMd, renderLiberoMarkdown(s));
  writeDurably(files.reportHtml, renderLiberoHtml(s));
  return files;
}

/** The per-task table as aligned text, with the suite mean under it (what the CLI prints). */
export function liberoText(s: LiberoSummary): string {
  const t = taskTable(s);
  const rows = t.rows.slice(0, s.tasks.length).map((r) => [r[0], r[1].length > 60 ? `${r[1].slice(0, 57)}...` : r[1], ...r.slice(2)]);
  const w = t.head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(w[i]))).join('  ');
  const out = [line(t.head), line(w.map((n) => '-'.repeat(n))), ...rows.map(line), ''];
  for (const f of s.importFailures) out.push(`not imported: ${f.error.replace(path.join(s.dir, path.sep), '')}`);
  if (s.importFailures.length) out.push(`not imported, by reason: ${importReasons(s)}`, '');
  out.push(`suite mean: ${pct(s.mean.overImported)} over ${s.tasks.filter((x) => x.episodes).length} imported tasks (${s.mean.successes}/${s.mean.episodes}, 95% CI ${ci(s.mean.ci)}); ${pct(s.mean.overAllFiles)} over all ${s.files} files (unimported = 0)`);
  out.push(`imported ${s.imported}/${s.files} files; budget: ${budgetText(s)}; ${s.idleSteps} idle steps; ${s.wallSeconds.toFixed(1)} s wall time`);
  if (s.chains) {
    for (const r of s.chains.rows) {
      const last = r.S.length - 1;
      out.push(`chain ${r.chain}: ${r.tasks.length} steps, ${r.runs} runs; S_k ${r.S.map((p) => pct(p.value)).join(' ')}; prod q ${r.independence.map(pct).join(' ')}${last >= 0 ? `; S_${last + 1} ${ci(r.S[last].ci)}` : ''}`);
    }
    if (s.chains.skipped.length) out.push(`no chain: ${s.chains.skipped.map((x) => `${x.name} (${x.reason})`).join('; ')}`);
  }
  return out.join('\n');
}
