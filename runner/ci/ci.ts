// `chaingap ci`: a regression job for CI. Runs a config's fixed, seeded chains under its OOD settings
// (each suite a sweep of one policy, on worker threads, resumable), plus the isolated-task baseline,
// then checks absolute floors and compares every chosen metric with a reference recorded earlier.
// Writes summary.json, junit.xml, summary.md and report.html; the caller turns the status into an exit code
// (0 pass, 1 regression or floor broken; errors throw).
import { UserError } from '../../scenes/errors.ts';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { TaskType } from '../../scenes/types.ts';
import { loadPreset } from '../../policies/obs-preset.ts';
import { PolicyError } from '../../policies/policy-error.ts';
import { parsePolicy, type PolicyOpenOptions } from '../../policies/registry.ts';
import { CHAINGAP_VERSION } from '../chains/run.ts';
import { ResultsError, ResultsStore, writeDurably } from '../results/store.ts';
import { runSweep, settingKey, sweepChains, type SweepSpec } from '../sweep/sweep.ts';
import type { QueueSweepOptions } from '../queue/collector.ts';
import type { SweepResult } from '../sweep/sweep-unit.ts';
import type { OodLevels } from '../../scenes/ood.ts';
import { CiConfigError, type ResolvedCiConfig } from './ci-config.ts';
import { CI_BASELINE_FORMAT, readCiBaseline, writeCiBaseline, type CiBaseline } from './ci-baseline.ts';
import { chainMetrics, isolatedMetrics, type MetricCounts } from './ci-metrics.ts';
import { decideChecks, expandTypes, type Comparison, type Floor } from './ci-checks.ts';
import type { CiCheck } from './ci-checks.ts';
import { ciJunit, ciMarkdown, writeCiReport } from './ci-report.ts';
import type { BaselineHealth, ChainsHealth } from '../results/health.ts';
import type { RecordMode } from '../view/recording.ts';

/** The job could not finish (time budget spent); what was recorded is kept and the job resumes. */
export class CiRuntimeError extends UserError {}

/** The job was interrupted (`signal`): what was recorded is kept (the same command resumes), each suite's report written. */
export class CiInterrupted extends Error {
  constructor(readonly recorded: number, readonly total: number, readonly reports: string[]) {
    super(`interrupted: ${recorded} of ${total} units recorded`);
    this.name = 'CiInterrupted';
  }
}

export interface CiOptions {
  /** Policy spec to check instead of the config's `policy`. */
  policy?: string;
  /** Write the reference file (the config's `baseline`) from this run instead of comparing with it. */
  updateBaseline?: boolean;
  /** Results directory instead of the config's `out`. */
  out?: string;
  /** Discard results a previous job left in the results directory (they are resumed otherwise). */
  fresh?: boolean;
  /** Worker threads instead of the config's `workers`. */
  workers?: number;
  /**
   * Trajectories to keep (runner/view/recording.ts): `none` (default), `failures` (what a failed job's reader
   * wants to watch) or `all`; in each suite's cell directories under `recordings/`.
   */
  record?: RecordMode;
  /** Called after each unit (a chain run or an isolated-task episode) of each suite. */
  /** After each unit: counts, whether it was found already recorded, and its result (for running success rates). */
  onProgress?: (p: { suite: string; done: number; total: number; resumed: boolean; result?: SweepResult }) => void;
  /** Notices (device fallback, reconnects); default stderr. */
  log?: (line: string) => void;
  /** Stop taking new units when aborted (Ctrl-C): throws `CiInterrupted` once the suites' reports are written. */
  signal?: AbortSignal;
  /** Run the units on `chaingap worker`s through Redis (as `runSweep`'s `queue`); units that keep failing make the job an error. */
  queue?: QueueSweepOptions;
}

export interface CiResult {
  name: string;
  policy: string;
  /** pass: every check passed; fail: a floor was broken or a regression found. */
  status: 'pass' | 'fail';
  /** Exit code for the command line: 0 pass, 1 fail. */
  exitCode: 0 | 1;
  checks: CiCheck[];
  /** Every metric's counts, `<suite>/<setting>/<metric>`. */
  metrics: Record<string, { successes: number; trials: number }>;
  /**
   * Physics health per `<suite>/<setting>` (the chains) and `<suite>/isolated` (the baseline): a result with
   * `contaminated` true was partly produced by simulator artefacts (sim_unstable control steps). It is
   * reported, not checked: it does not change `status`.
   */
  physicsHealth: Record<string, ChainsHealth | BaselineHealth>;
  rules: { alpha: number; minEffect: number; power: number; correction: 'holm' | 'none'; floorRule: 'significant' | 'estimate' };
  /** The reference compared with (null with --update-baseline or no `baseline`). */
  reference: { file: string; recorded: string; policy: string; sameJob: boolean } | null;
  /** The reference file written by --update-baseline. */
  baselineWritten: string | null;
  /** Chain runs and isolated episodes run now, and found already recorded. */
  units: { ran: number; resumed: number };
  /** Trajectories written in this invocation (`record`): how many, and their mean size in bytes. */
  recordings: { written: number; meanBytes: number | null };
  wallSeconds: number;
  /** Hash of what decides the results besides the policy: equal hashes are like-for-like comparisons. */
  job: string;
  /** report.html: the verdict, each comparison with the reference, every metric (optional for results made by hand). */
  files: { summaryJson: string; junitXml: string; markdown: string; reportHtml?: string };
  /** Each suite's sweep report (`<out>/<suite>/report.html`). */
  suiteReports?: string[];
}

/** The sweep spec of one suite: one policy, exactly the suite's OOD settings. */
export function suiteSweepSpec(cfg: ResolvedCiConfig, i: number): SweepSpec {
  const s = cfg.suites[i];
  return {
    name: s.name, policies: [cfg.policy], scene: s.scene, axes: {}, design: 'list', samples: 1,
    settings: s.settings.map((st) => st.ood as OodLevels), chains: s.chains, ...(s.chainPath ? { chainFile: s.chainPath } : {}),
    steps: s.steps, repeats: cfg.repeats, mode: cfg.mode, seed: s.seed, baselineEpisodes: cfg.baselineEpisodes,
  };
}

/** What makes two runs of a job like-for-like (everything but the policy). */
export function jobHash(cfg: ResolvedCiConfig): string {
  const suites = cfg.suites.map((s) => ({
    name: s.name, scene: s.chainPath ? null : s.scene, chains: s.chainPath ? null : s.chains, steps: s.steps, seed: s.seed,
    chainFile: s.chainPath ? createHash('sha256').update(readFileSync(s.chainPath)).digest('hex') : null,
    settings: s.settings.map((st) => settingKey(st.ood as OodLevels)),
  }));
  return createHash('sha256').update(JSON.stringify({ suites, repeats: cfg.repeats, mode: cfg.mode, baselineEpisodes: cfg.baselineEpisodes })).digest('hex').slice(0, 16);
}

function policyOptionsOf(cfg: ResolvedCiConfig): Omit<PolicyOpenOptions, 'log'> {
  const o = cfg.policyOptions;
  let preset;
  try {
    preset = o.preset === undefined ? undefined : loadPreset(o.preset, path.dirname(path.resolve(cfg.file)));
  } catch (e) {
    if (e instanceof PolicyError) throw new CiConfigError(`${cfg.file}: policyOptions.preset: ${e.message}`);
    throw e;
  }
  const apiKey = process.env.CHAINGAP_API_KEY;
  return {
    ...(o.device ? { device: o.device } : {}), ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}), ...(preset ? { preset } : {}),
    ...(o.execute ? { execute: o.execute } : {}), ...(o.ensembleDecay !== undefined ? { ensembleDecay: o.ensembleDecay } : {}),
    ...(apiKey ? { apiKey } : {}),
  };
}

/** Run the job, check it, write summary.json, junit.xml and summary.md into the results directory. */
export async function runCi(config: ResolvedCiConfig, o: CiOptions = {}): Promise<CiResult> {
  const t0 = Date.now();
  const cfg = o.policy ? { ...config, policy: o.policy } : config;
  const out = o.out ? path.resolve(o.out) : cfg.outPath;
  const files = { summaryJson: path.join(out, 'summary.json'), junitXml: path.join(out, 'junit.xml'), markdown: path.join(out, 'summary.md'), reportHtml: path.join(out, 'report.html') };
  if (o.updateBaseline && !cfg.baselinePath) throw new CiConfigError(`${cfg.file}: baseline: --update-baseline writes the file this field names; add e.g. "baseline": "chaingap-baseline.json"`);
  // Before anything runs: the reference must be readable, and hold every metric compared.
  const reference = !o.updateBaseline && cfg.baselinePath ? readCiBaseline(cfg.baselinePath, cfg.file) : null;
  const policyOptions = policyOptionsOf(cfg);
  let entry;
  try {
    entry = parsePolicy(cfg.policy);
  } catch (e) {
    throw new CiConfigError(`${o.policy ? '--policy' : `${cfg.file}: policy`}: ${(e as Error).message}`);
  }
  const job = jobHash(cfg);
  const plans = cfg.suites.map((s, i) => {
    const spec = suiteSweepSpec(cfg, i);
    const chains = sweepChains(spec);
    const types = new Map<string, TaskType>();
    for (const c of chains) for (const t of c.steps) types.set(t.name, t.type);
    const steps = Math.max(...chains.map((c) => c.steps.length));
    const present = new Set([...types.values()].map((t) => `type:${t}`));
    const at = `${cfg.file}: suites[${i}]`;
    const checkMetric = (m: string, where: string) => {
      const k = /^S_(\d+)$/.exec(m);
      if (k && Number(k[1]) > steps) throw new CiConfigError(`${where}: the chains have ${steps} steps, so k must be 1..${steps}`);
      if (m.startsWith('type:') && m !== 'type:*' && !present.has(m)) throw new CiConfigError(`${where}: no task of this suite's chains has type ${m.slice(5)} (types here: ${[...present].map((p) => p.slice(5)).join(', ')})`);
    };
    s.settings.forEach((st, j) => { for (const m of Object.keys(st.floors)) checkMetric(m, `${at}.settings[${j}].floors.${m}`); });
    for (const m of Object.keys(s.isolatedFloors)) checkMetric(m, `${at}.isolatedFloors.${m}`);
    const compareChain = [...new Set(cfg.compared[i].chain.map((m) => (m === 'S_N' ? `S_${steps}` : m)))];
    for (const m of compareChain) checkMetric(m, `${cfg.file}: compare: ${m} (suite ${s.name})`);
    if (reference) {
      const need = [
        ...s.settings.flatMap((st) => compareChain.filter((m) => m.startsWith('S_')).map((m) => `${s.name}/${settingKey(st.ood as OodLevels)}/${m}`)),
        ...cfg.compared[i].isolated.filter((m) => m === 'q').map((m) => `${s.name}/isolated/${m}`),
      ];
      const missing = need.filter((id) => !(id in reference.metrics));
      if (missing.length) throw new CiConfigError(`${cfg.file}: baseline: ${cfg.baselinePath} has no ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ` (and ${missing.length - 3} more)` : ''}; it was recorded for another job: record it again with --update-baseline`);
    }
    return { spec, typeOf: (t: string) => types.get(t)!, steps, compareChain, dir: path.join(out, s.name) };
  });
  if (o.fresh) {
    for (const p of plans) rmSync(p.dir, { recursive: true, force: true });
    for (const f of Object.values(files)) rmSync(f, { force: true });
  }

  mkdirSync(out, { recursive: true });
  const stopAt = t0 + cfg.timeBudgetMinutes * 60_000;
  const units = { ran: 0, resumed: 0 };
  const recorded = { count: 0, bytes: 0 };
  const metrics: Record<string, MetricCounts> = {};
  const physicsHealth: Record<string, ChainsHealth | BaselineHealth> = {};
  let stopped = 0, planned = 0;
  const failedUnits: string[] = [];
  const suiteReports: string[] = [];
  for (const [i, plan] of plans.entries()) {
    const s = cfg.suites[i];
    const r = await runSweep(plan.spec, {
      out: plan.dir, workers: o.workers ?? cfg.workers, stopAt, policyOptions, record: o.record, signal: o.signal, queue: o.queue, log: o.log,
      onProgress: (done, total, resumed, result) => o.onProgress?.({ suite: s.name, done, total, resumed, result }),
    }).catch((e) => {
      if (e instanceof ResultsError && /differs|another/.test(e.message)) throw new ResultsError(`${e.message}; ${plan.dir} holds results of another job or policy: pass --fresh to discard them, or choose another --out`);
      throw e;
    });
    units.ran += r.ran;
    units.resumed += r.resumed;
    recorded.count += r.recordings.written;
    recorded.bytes += r.recordings.written * (r.recordings.meanBytes ?? 0);
    stopped += r.stopped;
    failedUnits.push(...(r.failed ?? []).map((f) => `${s.name}: ${f.unit}: ${f.error}`));
    if (r.files) suiteReports.push(r.files.reportHtml);
    planned += r.ran + r.resumed + r.stopped;
    for (const cell of r.cells) {
      physicsHealth[`${s.name}/${cell.setting}`] = cell.summary.physicsHealth.chains;
      const dir = path.join(plan.dir, cell.dir);
      const { store } = ResultsStore.open(dir, ResultsStore.readConfig(dir), { readOnly: true });
      try {
        metrics[`${s.name}/${cell.setting}`] = chainMetrics(store.all(), plan.steps, plan.typeOf);
      } finally {
        store.close();
      }
    }
    const bdir = path.join(plan.dir, path.dirname(r.cells[0].dir), 'baseline');
    const { store } = ResultsStore.open(bdir, ResultsStore.readConfig(bdir), { readOnly: true });
    try {
      metrics[`${s.name}/isolated`] = isolatedMetrics(store.baseline.all(), plan.typeOf);
      physicsHealth[`${s.name}/isolated`] = r.cells[0].summary.physicsHealth.baseline;
    } finally {
      store.close();
    }
  }
  if (stopped && o.signal?.aborted) throw new CiInterrupted(planned - stopped, planned, suiteReports);
  if (failedUnits.length) {
    const msg = `${failedUnits.length} unit(s) failed on the queue's workers after every attempt, so the checks cannot be trusted: ${failedUnits.slice(0, 3).join('; ')}${failedUnits.length > 3 ? ` (and ${failedUnits.length - 3} more; see the suites' report.html)` : ''}; the recorded ones are kept in ${out}: fix the cause and run the same command again to retry them`;
    writeDurably(files.summaryJson, JSON.stringify({ name: cfg.name, policy: entry.id, status: 'error', message: msg, units, failedUnits }, null, 2) + '\n');
    writeDurably(files.junitXml, ciJunit({ name: cfg.name, checks: [], wallSeconds: (Date.now() - t0) / 1000, error: msg }));
    throw new CiRuntimeError(msg);
  }
  if (stopped) {
    const msg = `the time budget of ${cfg.timeBudgetMinutes} min ran out with ${stopped} of ${planned} units not run; the ${planned - stopped} recorded are kept in ${out}: run the same command again to resume, or raise timeBudgetMinutes in ${cfg.file}`;
    writeDurably(files.summaryJson, JSON.stringify({ name: cfg.name, policy: entry.id, status: 'error', message: msg, units }, null, 2) + '\n');
    writeDurably(files.junitXml, ciJunit({ name: cfg.name, checks: [], wallSeconds: (Date.now() - t0) / 1000, error: msg }));
    throw new CiRuntimeError(msg);
  }

  const flat: Record<string, { successes: number; trials: number }> = {};
  for (const [where, m] of Object.entries(metrics)) for (const [k, c] of Object.entries(m)) flat[`${where}/${k}`] = c;
  const refMetrics = (where: string): MetricCounts | undefined => {
    if (!reference) return undefined;
    const pre = `${where}/`;
    return Object.fromEntries(Object.entries(reference.metrics).filter(([k]) => k.startsWith(pre)).map(([k, c]) => [k.slice(pre.length), c]));
  };
  const floors: Floor[] = [];
  const comparisons: Comparison[] = [];
  cfg.suites.forEach((s, i) => {
    const places = [
      ...s.settings.map((st) => ({ setting: settingKey(st.ood as OodLevels), floors: st.floors as Record<string, number>, compare: plans[i].compareChain })),
      { setting: 'isolated', floors: s.isolatedFloors as Record<string, number>, compare: cfg.compared[i].isolated },
    ];
    for (const p of places) {
      const cur = metrics[`${s.name}/${p.setting}`];
      for (const [m, f] of Object.entries(p.floors)) floors.push({ suite: s.name, setting: p.setting, metric: m, current: cur[m], floor: f });
      if (reference) {
        const ref = refMetrics(`${s.name}/${p.setting}`);
        for (const m of expandTypes(p.compare, cur, ref)) comparisons.push({ suite: s.name, setting: p.setting, metric: m, current: cur[m], reference: ref?.[m] });
      }
    }
  });
  const rules = { alpha: cfg.alpha, minEffect: cfg.minEffect, power: cfg.power, correction: cfg.correction, floorRule: cfg.floorRule };
  const checks = decideChecks(floors, comparisons, rules);
  const failed = checks.some((c) => c.status === 'fail');

  let baselineWritten: string | null = null;
  if (o.updateBaseline) {
    const b: CiBaseline = {
      format: CI_BASELINE_FORMAT, name: cfg.name, policy: entry.id, ...(entry.fingerprint ? { policyModel: entry.fingerprint } : {}),
      job, recorded: new Date().toISOString(), chaingap: CHAINGAP_VERSION, metrics: flat,
    };
    writeCiBaseline(cfg.baselinePath!, b);
    baselineWritten = cfg.baselinePath!;
  }
  const result: CiResult = {
    name: cfg.name, policy: entry.id, status: failed ? 'fail' : 'pass', exitCode: failed ? 1 : 0, checks, metrics: flat, physicsHealth, rules,
    reference: reference && cfg.baselinePath ? { file: cfg.baselinePath, recorded: reference.recorded, policy: reference.policy, sameJob: reference.job === job } : null,
    baselineWritten, units, recordings: { written: recorded.count, meanBytes: recorded.count ? Math.round(recorded.bytes / recorded.count) : null }, wallSeconds: (Date.now() - t0) / 1000, job, files, suiteReports,
  };
  writeDurably(files.summaryJson, JSON.stringify(result, null, 2) + '\n');
  writeDurably(files.junitXml, ciJunit({ name: cfg.name, checks, wallSeconds: result.wallSeconds, physicsHealth }));
  writeDurably(files.markdown, ciMarkdown(result));
  await writeCiReport(result);
  return result;
}
