// Is a success rate lower than its reference? A one-sided two-proportion test (Fisher's exact test
// when the 2x2 table has an expected cell under 5, the pooled z test otherwise), and the minimum
// detectable drop: the smallest true drop the CI rule (significant AND at least the minimum effect)
// catches with the asked power at the reference's and the current sample sizes.
import { binomialCdf, binomialPmf, fisherLess, zLess } from '../results/stats.ts';

export interface Counts {
  successes: number;
  trials: number;
}

export type ProportionTest = 'fisher' | 'z';

/** Fisher's exact test when any expected cell count of the 2x2 table is under 5, else the z test. */
export function testFor(cur: Counts, ref: Counts): ProportionTest {
  const N = cur.trials + ref.trials, K = cur.successes + ref.successes;
  const expected = [cur.trials * K / N, cur.trials * (N - K) / N, ref.trials * K / N, ref.trials * (N - K) / N];
  return Math.min(...expected) < 5 ? 'fisher' : 'z';
}

/** One-sided p-value of "current is lower than the reference". */
export function dropPValue(cur: Counts, ref: Counts): { test: ProportionTest; p: number } {
  const test = testFor(cur, ref);
  const p = test === 'fisher'
    ? fisherLess(cur.successes, cur.trials, ref.successes, ref.trials)
    : zLess(cur.successes, cur.trials, ref.successes, ref.trials).p;
  return { test, p };
}

/** Whether the rule flags `k` current successes out of `n` against the reference at per-test level alphaT. */
function flags(k: number, n: number, ref: Counts, alphaT: number, minEffect: number): boolean {
  const drop = ref.successes / ref.trials - k / n;
  return drop >= minEffect - 1e-12 && dropPValue({ successes: k, trials: n }, ref).p <= alphaT;
}

/** The largest current success count the rule flags against `ref` (-1: none); flagging is monotone in k. */
function critical(n: number, ref: Counts, alphaT: number, minEffect: number): number {
  if (!flags(0, n, ref, alphaT, minEffect)) return -1;
  let lo = 0, hi = n + 1; // flags(lo), !flags(hi)
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (mid <= n && flags(mid, n, ref, alphaT, minEffect)) lo = mid;
    else hi = mid;
  }
  return lo;
}

/**
 * The smallest true drop d for which the rule (significant at alphaT and at least minEffect) flags a
 * current sample of n trials with probability >= power, when the reference's true rate is its observed
 * rate p0 and both samples are random: the chance is sum over reference counts k0 ~ Binomial(n0, p0) of
 * P(Binomial(n, p0 - d) <= c(k0)), c(k0) the largest count flagged against k0. Null when even a drop
 * to 0 is not flagged that often (the CI cannot see any drop at this n).
 */
export function minimumDetectableDrop(ref: Counts, n: number, alphaT: number, minEffect: number, power: number): number | null {
  if (ref.trials === 0 || n === 0) return null;
  const key = `${ref.successes}/${ref.trials}:${n}:${alphaT}:${minEffect}:${power}`;
  if (!mdeMemo.has(key)) {
    if (mdeMemo.size > 10_000) mdeMemo.clear();
    mdeMemo.set(key, computeMde(ref, n, alphaT, minEffect, power));
  }
  return mdeMemo.get(key)!;
}

const mdeMemo = new Map<string, number | null>();

function computeMde(ref: Counts, n: number, alphaT: number, minEffect: number, power: number): number | null {
  const n0 = ref.trials, p0 = ref.successes / n0;
  const sd = Math.sqrt(n0 * p0 * (1 - p0));
  const lo = Math.max(0, Math.floor(n0 * p0 - 7 * sd - 1)), hi = Math.min(n0, Math.ceil(n0 * p0 + 7 * sd + 1));
  const terms: { w: number; c: number }[] = [];
  for (let k0 = lo; k0 <= hi; k0++) {
    const w = binomialPmf(k0, n0, p0);
    if (w < 1e-12) continue;
    const c = critical(n, { successes: k0, trials: n0 }, alphaT, minEffect);
    if (c >= 0) terms.push({ w, c });
  }
  const chance = (d: number) => terms.reduce((a, t) => a + t.w * binomialCdf(t.c, n, Math.max(0, p0 - d)), 0);
  if (chance(p0) < power) return null;
  let a = 0, b = p0;
  for (let i = 0; i < 40; i++) {
    const mid = (a + b) / 2;
    if (chance(mid) >= power) b = mid;
    else a = mid;
  }
  return b;
}
