// Chain metrics exactly as defined in docs/metrics.md ("Chain metrics"). Pure functions of records.
import type { ChainRecord, FailureLabel } from './records.ts';
import { quantile, wilson } from './stats.ts';

export interface Proportion {
  k: number;
  /** Successes and trials behind the value. */
  successes: number;
  trials: number;
  value: number;
  ci: [number, number];
}

function proportion(k: number, successes: number, trials: number): Proportion {
  return { k, successes, trials, value: trials ? successes / trials : NaN, ci: wilson(successes, trials) };
}

/** Consecutive successes from step 1 (CALVIN's chain length). */
export function leadingSuccesses(r: ChainRecord): number {
  let n = 0;
  for (const s of r.steps) {
    if (!s.success) break;
    n++;
  }
  return n;
}

/**
 * Compounded k-step success S_k for k = 1..N: the fraction of chains whose first k steps all
 * succeeded. Every chain counts in every S_k (a chain that stopped early failed its later k).
 */
export function compoundedSuccess(records: readonly ChainRecord[], n: number): Proportion[] {
  const lead = records.map(leadingSuccesses);
  return Array.from({ length: n }, (_, i) => proportion(i + 1, lead.filter((l) => l >= i + 1).length, records.length));
}

/**
 * Per-step success p_j = successes at position j / chains that reached position j, where reaching
 * position j means the first j-1 steps all succeeded (the strict-mode definition; in continue mode
 * steps after a failure are excluded here and measured by `recovery`).
 */
export function perStepSuccess(records: readonly ChainRecord[], n: number): Proportion[] {
  return Array.from({ length: n }, (_, j) => {
    const reached = records.filter((r) => leadingSuccesses(r) >= j && r.steps.length > j);
    return proportion(j + 1, reached.filter((r) => r.steps[j].success).length, reached.length);
  });
}

/** Mean number of consecutive successes from step 1. */
export function averageChainLength(records: readonly ChainRecord[]): number {
  return records.length ? records.reduce((a, r) => a + leadingSuccesses(r), 0) / records.length : NaN;
}

/** Predicted chain success if steps failed independently: prod_j q_(t_j) over the chain's tasks. */
export function independencePrediction(chainTasks: readonly string[], q: Readonly<Record<string, number>>): number {
  return chainTasks.reduce((p, t) => {
    if (!(t in q)) throw new Error(`no baseline success rate for task "${t}"`);
    return p * q[t];
  }, 1);
}

/** Compounding factor C = P_ind / S_N (> 1: failures compound beyond independence). */
export function compoundingFactor(pInd: number, sN: number): number {
  return pInd / sN;
}

/** Overestimation factor O = mean baseline success / S_N. */
export function overestimationFactor(meanBaseline: number, sN: number): number {
  return meanBaseline / sN;
}

/** log C(n, k), for exact binomial ratios without overflow. */
function logChoose(n: number, k: number): number {
  if (k < 0 || k > n) return -Infinity;
  let s = 0;
  for (let i = 1; i <= k; i++) s += Math.log(n - k + i) - Math.log(i);
  return s;
}

/** Unbiased pass@k from c successes in n runs: 1 - C(n-c, k) / C(n, k). */
export function passAtK(n: number, c: number, k: number): number {
  if (k > n) throw new Error(`pass@${k} needs at least ${k} runs, got ${n}`);
  if (n - c < k) return 1;
  return 1 - Math.exp(logChoose(n - c, k) - logChoose(n, k));
}

/** pass^k from c successes in n runs: C(c, k) / C(n, k), the chance that k runs all succeed. */
export function passPowK(n: number, c: number, k: number): number {
  if (k > n) throw new Error(`pass^${k} needs at least ${k} runs, got ${n}`);
  if (c < k) return 0;
  return Math.exp(logChoose(c, k) - logChoose(n, k));
}

/**
 * pass@k and pass^k for k = 1..R, averaged over chains, where a chain "succeeds" in a repeat when
 * all its N steps succeeded. Records are grouped by chainId; every chain needs R repeats.
 */
export function repeatMetrics(records: readonly ChainRecord[]): { passAtK: Record<number, number>; passPowK: Record<number, number> } {
  const byChain = new Map<string, ChainRecord[]>();
  for (const r of records) byChain.set(r.chainId, [...(byChain.get(r.chainId) ?? []), r]);
  const groups = [...byChain.values()];
  const n = Math.min(...groups.map((g) => g.length));
  const at: Record<number, number> = {}, pow: Record<number, number> = {};
  for (let k = 1; k <= n; k++) {
    let a = 0, p = 0;
    for (const g of groups) {
      const c = g.filter((r) => leadingSuccesses(r) === r.length).length;
      a += passAtK(g.length, c, k);
      p += passPowK(g.length, c, k);
    }
    at[k] = a / groups.length;
    pow[k] = p / groups.length;
  }
  return { passAtK: at, passPowK: pow };
}

export interface PromptSensitivity {
  task: string;
  /** Success rate per paraphrase index. */
  byParaphrase: Record<number, Proportion>;
  min: number;
  max: number;
  spread: number;
  std: number;
}

/** Success per paraphrase of each task over every attempted step: min, max, spread and (population) std. */
export function promptSensitivity(records: readonly ChainRecord[]): PromptSensitivity[] {
  const counts = new Map<string, Map<number, [number, number]>>();
  for (const r of records) for (const s of r.steps) {
    const t = counts.get(s.task) ?? new Map<number, [number, number]>();
    const c = t.get(s.paraphrase) ?? [0, 0];
    t.set(s.paraphrase, [c[0] + (s.success ? 1 : 0), c[1] + 1]);
    counts.set(s.task, t);
  }
  return [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([task, m]) => {
    const byParaphrase: Record<number, Proportion> = {};
    const rates: number[] = [];
    for (const [i, [k, n]] of [...m.entries()].sort((a, b) => a[0] - b[0])) {
      byParaphrase[i] = proportion(i, k, n);
      rates.push(k / n);
    }
    const mean = rates.reduce((a, b) => a + b, 0) / rates.length;
    const std = Math.sqrt(rates.reduce((a, b) => a + (b - mean) ** 2, 0) / rates.length);
    const min = Math.min(...rates), max = Math.max(...rates);
    return { task, byParaphrase, min, max, spread: max - min, std };
  });
}

/** Failure label -> count over all failed steps. */
export function failureCounts(records: readonly ChainRecord[]): Partial<Record<FailureLabel, number>> {
  const out: Partial<Record<FailureLabel, number>> = {};
  for (const r of records) for (const s of r.steps) {
    if (s.success) continue;
    if (!s.failure) throw new Error(`chain ${r.chainId} step ${s.index} failed without a failure label`);
    out[s.failure] = (out[s.failure] ?? 0) + 1;
  }
  return out;
}

/** Continue mode: P(success at j | failure at j-1) against P(success at j | success at j-1), over all j >= 2. */
export function recovery(records: readonly ChainRecord[]): { afterFailure: Proportion; afterSuccess: Proportion } {
  let ff = 0, fn = 0, sf = 0, sn = 0;
  for (const r of records) for (let j = 1; j < r.steps.length; j++) {
    if (r.steps[j - 1].success) {
      sn++;
      if (r.steps[j].success) sf++;
    } else {
      fn++;
      if (r.steps[j].success) ff++;
    }
  }
  return { afterFailure: proportion(0, ff, fn), afterSuccess: proportion(0, sf, sn) };
}

/** Policy latency p50/p95 over every call of every chain (ms). */
export function latency(records: readonly ChainRecord[]): { p50: number; p95: number } {
  const all = records.flatMap((r) => r.latencyMs);
  return { p50: quantile(all, 0.5), p95: quantile(all, 0.95) };
}

/** Chains per hour from the chains' wall times (one worker). */
export function chainsPerHour(records: readonly ChainRecord[]): number {
  const ms = records.reduce((a, r) => a + r.wallMs, 0);
  return ms > 0 ? (records.length * 3_600_000) / ms : NaN;
}
