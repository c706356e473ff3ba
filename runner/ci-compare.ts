// Is a success rate lower than its reference? A one-sided two-proportion test (Fisher's exact test
// when the 2x2 table has an expected cell under 5, the pooled z test otherwise), and the minimum
// detectable drop: the smallest true drop the CI rule (significant AND at least the minimum effect)
// catches with the asked power, given the reference's counts and the number of current trials.
import { binomialCdf, fisherLess, zLess } from './stats.ts';

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

/**
 * The smallest true drop d (from the reference rate) for which a current sample of n trials is flagged
 * with probability >= power: the rule flags k <= c successes (c found by scanning up from 0), so the
 * chance is P(Binomial(n, p_ref - d) <= c), increasing in d. Null when no outcome is ever flagged (the
 * CI cannot see any drop at this n).
 */
export function minimumDetectableDrop(ref: Counts, n: number, alphaT: number, minEffect: number, power: number): number | null {
  if (ref.trials === 0 || n === 0) return null;
  let c = -1;
  while (c + 1 <= n && flags(c + 1, n, ref, alphaT, minEffect)) c++;
  if (c < 0) return null;
  const p0 = ref.successes / ref.trials;
  const chance = (d: number) => binomialCdf(c, n, Math.max(0, p0 - d));
  if (chance(p0) < power) return null;
  let lo = 0, hi = p0;
  for (let i = 0; i < 40; i++) {
    const mid = (lo + hi) / 2;
    if (chance(mid) >= power) hi = mid;
    else lo = mid;
  }
  return hi;
}
