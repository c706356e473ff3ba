// Interval estimates for proportions.

/** 95% Wilson score interval for k successes out of n trials ([0, 1] when n = 0). */
export function wilson(k: number, n: number, z = 1.959963984540054): [number, number] {
  if (n === 0) return [0, 1];
  const p = k / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/** The q-quantile (0..1) of a list of numbers by linear interpolation; NaN for an empty list. */
export function quantile(xs: readonly number[], q: number): number {
  return quantiles(xs, [q])[0];
}

/** `quantile` at several levels, sorting the list once (a bootstrap interval reads two of its draws). */
export function quantiles(xs: readonly number[], qs: readonly number[]): number[] {
  if (xs.length === 0) return qs.map(() => NaN);
  const s = [...xs].sort((a, b) => a - b);
  return qs.map((q) => {
    const pos = (s.length - 1) * q;
    const lo = Math.floor(pos), hi = Math.ceil(pos);
    return s[lo] + (s[hi] - s[lo]) * (pos - lo);
  });
}

/** Standard normal CDF (Abramowitz-Stegun 7.1.26 erf, |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

let lfTable = new Float64Array([0, 0]);

/** ln(n!) for n = 0..max (at least): one table, grown on demand and shared by every test. */
function logFactorials(max: number): Float64Array {
  if (max >= lfTable.length) {
    const t = new Float64Array(Math.max(max + 1, 2 * lfTable.length));
    t.set(lfTable);
    for (let i = lfTable.length; i < t.length; i++) t[i] = t[i - 1] + Math.log(i);
    lfTable = t;
  }
  return lfTable;
}

/** The pooled two-proportion z statistic of k1/n1 against k2/n2 (null when the pooled variance is 0). */
function pooledZ(k1: number, n1: number, k2: number, n2: number): number | null {
  const p = (k1 + k2) / (n1 + n2);
  const se = Math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2));
  return se === 0 ? null : (k1 / n1 - k2 / n2) / se;
}

/** Two-sided pooled two-proportion z test of k1/n1 against k2/n2. */
export function twoProportionTest(k1: number, n1: number, k2: number, n2: number): { z: number; p: number } {
  const z = pooledZ(k1, n1, k2, n2);
  return z === null ? { z: 0, p: 1 } : { z, p: 2 * (1 - normalCdf(Math.abs(z))) };
}

/** ln P(X = a) for the first row's successes X of a 2x2 table with row sizes n1, n2 and K successes in all. */
function hypergeometricLogPmf(a: number, K: number, n1: number, n2: number): number {
  const lf = logFactorials(n1 + n2);
  return lf[K] + lf[n1 + n2 - K] + lf[n1] + lf[n2] - lf[n1 + n2] - lf[a] - lf[K - a] - lf[n1 - a] - lf[n2 - K + a];
}

/** Two-sided Fisher exact test of the 2x2 table [[k1, n1-k1], [k2, n2-k2]] (sums tables as or less likely). */
export function fisherExact(k1: number, n1: number, k2: number, n2: number): number {
  const K = k1 + k2;
  const observed = hypergeometricLogPmf(k1, K, n1, n2);
  let p = 0;
  for (let a = Math.max(0, K - n2); a <= Math.min(K, n1); a++) {
    const la = hypergeometricLogPmf(a, K, n1, n2);
    if (la <= observed + 1e-9) p += Math.exp(la);
  }
  return Math.min(1, p);
}

/** Inverse of the standard normal CDF (Acklam's rational approximation, relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) return p === 0 ? -Infinity : p === 1 ? Infinity : NaN;
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - lo) return -normalQuantile(1 - p);
  const q = p - 0.5, r = q * q;
  return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/**
 * One-sided Fisher exact test that the first proportion is lower: P(X <= k1) where X is the first
 * row's successes under the hypergeometric law of the 2x2 table [[k1, n1-k1], [k2, n2-k2]] with its
 * margins fixed.
 */
export function fisherLess(k1: number, n1: number, k2: number, n2: number): number {
  const K = k1 + k2;
  let p = 0;
  for (let a = Math.max(0, K - n2); a <= k1; a++) p += Math.exp(hypergeometricLogPmf(a, K, n1, n2));
  return Math.min(1, p);
}

/** One-sided pooled two-proportion z test that k1/n1 is lower than k2/n2: p = Phi(z). */
export function zLess(k1: number, n1: number, k2: number, n2: number): { z: number; p: number } {
  const z = pooledZ(k1, n1, k2, n2);
  return z === null ? { z: 0, p: 1 } : { z, p: normalCdf(z) };
}

/** P(X = k) for X ~ Binomial(n, p). */
export function binomialPmf(k: number, n: number, p: number): number {
  if (k < 0 || k > n) return 0;
  if (p <= 0) return k === 0 ? 1 : 0;
  if (p >= 1) return k === n ? 1 : 0;
  const lf = logFactorials(n);
  return Math.exp(lf[n] - lf[k] - lf[n - k] + k * Math.log(p) + (n - k) * Math.log1p(-p));
}

/** P(X <= k) for X ~ Binomial(n, p). */
export function binomialCdf(k: number, n: number, p: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  let s = 0;
  for (let i = 0; i <= k; i++) s += binomialPmf(i, n, p);
  return Math.min(1, s);
}

/**
 * Holm's step-down adjustment: adjusted p-values (monotone, capped at 1) that keep the chance of any
 * false rejection among the family at most alpha when each is compared with alpha.
 */
export function holmAdjust(ps: readonly number[]): number[] {
  const m = ps.length;
  const order = ps.map((p, i) => [p, i] as const).sort((a, b) => a[0] - b[0]);
  const adj = new Array<number>(m);
  let running = 0;
  order.forEach(([p, i], rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    adj[i] = running;
  });
  return adj;
}
