// The run summary: every chain metric of a run (definitions: docs/metrics.md), computed from its chain records and its
// controlled-baseline records. `summary.json`, `report.md`, `report.html` and `run --json` all carry it.
import type { BaselineRecord, ChainRecord, FailureLabel } from './records.ts';
import {
  averageChainLength, chainsPerHour, compoundedSuccess, failureCounts, independencePrediction, latency, leadingSuccesses,
  perStepSuccess, promptSensitivity, recovery, repeatMetrics, type PromptSensitivity, type Proportion,
} from './metrics.ts';
import seedrandom from 'seedrandom';
import { physicsHealth, type PhysicsHealthSummary } from './health.ts';
import { quantile, quantiles, wilson } from './stats.ts';

/** Bootstrap resamples behind the intervals of P_ind, C and O. */
export const BOOTSTRAP_SAMPLES = 1000;

/** A proportion as written to JSON: `{k, value, ci}` plus the counts behind it. */
export interface SummaryProportion {
  k: number;
  value: number;
  ci: [number, number];
  successes: number;
  trials: number;
}

export interface BaselineTaskSummary {
  task: string;
  episodes: number;
  successes: number;
  value: number;
  ci: [number, number];
  failures: Partial<Record<FailureLabel, number>>;
}

export interface RunSummary {
  runId: string;
  scene: string;
  policy: string;
  mode: 'strict' | 'continue';
  seed: number;
  /** Chain runs summarised (distinct chains x repeats). */
  chains: number;
  /** Distinct chains and repeats per chain. */
  distinctChains: number;
  repeats: number;
  /** Steps per chain (N). */
  steps: number;
  /** S_k for k = 1..N. */
  S: SummaryProportion[];
  /** p_j for j = 1..N. */
  perStep: SummaryProportion[];
  avgLength: number;
  baseline: {
    /** q_t per task (the success rate of the task run alone from a fresh LIBERO-style reset). */
    q: Record<string, number>;
    tasks: BaselineTaskSummary[];
    /** Mean over tasks of q_t, weighted by how often each task appears in the chains. */
    meanQ: number;
    /** Predicted S_N under independence: mean over chain runs of prod_j q_(t_j). */
    P_ind: number;
    /** 95% percentile-bootstrap interval of P_ind (chains and baseline episodes resampled). */
    P_indCi: [number, number];
    episodesPerTask: number;
  };
  /** C = P_ind / S_N, with its 95% percentile-bootstrap interval. */
  C: number;
  /** The upper end is null (unbounded) when S_N is 0 in more than 2.5% of resamples. */
  Cci: [number, number | null];
  /** O = mean baseline success / S_N, with its 95% percentile-bootstrap interval. */
  O: number;
  Oci: [number, number | null];
  /** Failure label -> count over all failed steps. */
  failures: Partial<Record<FailureLabel, number>>;
  /** Failure label -> count per chain position (1-based index into the array). */
  failuresByStep: Partial<Record<FailureLabel, number>>[];
  /**
   * Whether the simulator, not the policy, produced some of these results: sim_unstable control steps,
   * objects off the table, arm penetrations over 5 mm, for the chains and for the baseline (runner/results/health.ts).
   */
  physicsHealth: PhysicsHealthSummary;
  /** pass@k and pass^k for k = 1..R, chain success over R repeats (present when repeats > 1). */
  passAtK?: Record<number, number>;
  passPowK?: Record<number, number>;
  promptSensitivity: PromptSensitivity[];
  /** Continue mode only: P(success at j | failure at j-1) vs P(success at j | success at j-1). */
  recovery?: { afterFailure: SummaryProportion; afterSuccess: SummaryProportion };
  /** Cost: measured wall-clock figures (these differ between otherwise identical runs). */
  latencyMs: { p50: number; p95: number };
  simMsPerStep: { p50: number; p95: number };
  wallMsPerChain: { mean: number; p50: number };
  chainsPerHour: number;
  versions: Record<string, string>;
}

/** The fields that measure time; everything else is a pure function of seeds and inputs. */
export const TIMING_FIELDS = ['latencyMs', 'simMsPerStep', 'wallMsPerChain', 'chainsPerHour'] as const;

export interface SummaryInput {
  runId: string;
  scene: string;
  policy: string;
  mode: 'strict' | 'continue';
  seed: number;
  steps: number;
  repeats: number;
  versions: Record<string, string>;
}

function out(p: Proportion): SummaryProportion {
  return { k: p.k, value: p.value, ci: p.ci, successes: p.successes, trials: p.trials };
}

/** Records in a canonical order (chain id, then repeat), so the summary never depends on finishing order. */
export function canonicalOrder<T extends Pick<ChainRecord, 'chainId' | 'repeat'>>(records: readonly T[]): T[] {
  return [...records].sort((a, b) => (a.chainId < b.chainId ? -1 : a.chainId > b.chainId ? 1 : a.repeat - b.repeat));
}

export function summarise(input: SummaryInput, chainRecords: readonly ChainRecord[], baselineRecords: readonly BaselineRecord[]): RunSummary {
  const records = canonicalOrder(chainRecords);
  const n = input.steps;
  const S = compoundedSuccess(records, n).map(out);
  const sN = S[n - 1]?.value ?? NaN;

  const byTask = new Map<string, BaselineRecord[]>();
  for (const b of [...baselineRecords].sort((x, y) => (x.task < y.task ? -1 : x.task > y.task ? 1 : x.episode - y.episode))) {
    byTask.set(b.task, [...(byTask.get(b.task) ?? []), b]);
  }
  const tasks: BaselineTaskSummary[] = [...byTask.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([task, rs]) => {
    const k = rs.filter((r) => r.success).length;
    const failures: Partial<Record<FailureLabel, number>> = {};
    for (const r of rs) if (!r.success && r.failure) failures[r.failure] = (failures[r.failure] ?? 0) + 1;
    return { task, episodes: rs.length, successes: k, value: k / rs.length, ci: wilson(k, rs.length), failures };
  });
  const q: Record<string, number> = Object.fromEntries(tasks.map((t) => [t.task, t.value]));
  const chainTasks = (r: ChainRecord) => r.tasks;
  // Until every task of the chains has a baseline (a partial run), the predictions are undefined.
  const uses = records.flatMap(chainTasks);
  const complete = uses.every((t) => t in q);
  const pInd = records.length && complete ? records.reduce((a, r) => a + independencePrediction(chainTasks(r), q), 0) / records.length : NaN;
  const meanQ = uses.length && complete ? uses.reduce((a, t) => a + q[t], 0) / uses.length : NaN;

  const failuresByStep: Partial<Record<FailureLabel, number>>[] = Array.from({ length: n }, () => ({}));
  for (const r of records) for (const s of r.steps) {
    if (!s.success && s.failure) failuresByStep[s.index][s.failure] = (failuresByStep[s.index][s.failure] ?? 0) + 1;
  }

  const boot = complete && records.length ? bootstrap(records, byTask, n) : { pInd: [NaN, NaN] as [number, number], C: [NaN, NaN] as [number, number | null], O: [NaN, NaN] as [number, number | null] };
  const simMs = records.flatMap((r) => r.simMsPerStep);
  const wall = records.map((r) => r.wallMs);
  const summary: RunSummary = {
    runId: input.runId, scene: input.scene, policy: input.policy, mode: input.mode, seed: input.seed,
    chains: records.length,
    distinctChains: new Set(records.map((r) => r.chainId)).size,
    repeats: input.repeats,
    steps: n,
    S,
    perStep: perStepSuccess(records, n).map(out),
    avgLength: averageChainLength(records),
    baseline: { q, tasks, meanQ, P_ind: pInd, P_indCi: boot.pInd, episodesPerTask: tasks.length ? Math.max(...tasks.map((t) => t.episodes)) : 0 },
    C: pInd / sN,
    Cci: boot.C,
    O: meanQ / sN,
    Oci: boot.O,
    failures: failureCounts(records),
    failuresByStep,
    physicsHealth: physicsHealth(records, baselineRecords),
    promptSensitivity: promptSensitivity(records),
    latencyMs: latency(records),
    simMsPerStep: { p50: quantile(simMs, 0.5), p95: quantile(simMs, 0.95) },
    wallMsPerChain: { mean: wall.length ? wall.reduce((a, b) => a + b, 0) / wall.length : NaN, p50: quantile(wall, 0.5) },
    chainsPerHour: chainsPerHour(records),
    versions: input.versions,
  };
  if (input.repeats > 1 && records.length) {
    const rm = repeatMetrics(records);
    summary.passAtK = rm.passAtK;
    summary.passPowK = rm.passPowK;
  }
  if (input.mode === 'continue') {
    const rc = recovery(records);
    summary.recovery = { afterFailure: out(rc.afterFailure), afterSuccess: out(rc.afterSuccess) };
  }
  return summary;
}

/** The summary without its timing fields: what must be identical between a resumed and an uninterrupted run. */
export function outcomeOf(s: RunSummary): Omit<RunSummary, (typeof TIMING_FIELDS)[number]> {
  const copy: Record<string, unknown> = { ...s };
  for (const f of TIMING_FIELDS) delete copy[f];
  return copy as Omit<RunSummary, (typeof TIMING_FIELDS)[number]>;
}

/**
 * Percentile-bootstrap 95% intervals of P_ind, C and O: each resample draws the chain runs with
 * replacement and, independently per task, that task's baseline episodes. Seeded, so deterministic.
 */
function bootstrap(records: readonly ChainRecord[], byTask: Map<string, BaselineRecord[]>, n: number) {
  const rng = seedrandom('chaingap:bootstrap');
  const draw = (k: number) => Math.floor(rng() * k);
  const tasks = [...byTask.keys()].sort();
  const okN = records.map((r) => (leadingSuccesses(r) >= n ? 1 : 0));
  const pInd: number[] = [], C: number[] = [], O: number[] = [];
  for (let b = 0; b < BOOTSTRAP_SAMPLES; b++) {
    const q: Record<string, number> = {};
    for (const t of tasks) {
      const eps = byTask.get(t)!;
      let k = 0;
      for (let i = 0; i < eps.length; i++) if (eps[draw(eps.length)].success) k++;
      q[t] = k / eps.length;
    }
    let p = 0, s = 0, qs = 0, uses = 0;
    for (let i = 0; i < records.length; i++) {
      const j = draw(records.length);
      let prod = 1;
      for (const t of records[j].tasks) {
        prod *= q[t];
        qs += q[t];
        uses++;
      }
      p += prod;
      s += okN[j];
    }
    p /= records.length;
    s /= records.length;
    pInd.push(p);
    C.push(p / s);
    O.push(qs / uses / s);
  }
  const ci = (xs: number[]): [number, number] => quantiles(xs, [0.025, 0.975]) as [number, number];
  const open = (xs: number[]): [number, number | null] => {
    const [lo, hi] = ci(xs);
    return [lo, Number.isFinite(hi) ? hi : null];
  };
  return { pInd: ci(pInd), C: open(C), O: open(O) };
}

