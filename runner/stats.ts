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
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

/** Standard normal CDF (Abramowitz-Stegun 7.1.26 erf, |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/** Two-sided pooled two-proportion z test of k1/n1 against k2/n2. */
export function twoProportionTest(k1: number, n1: number, k2: number, n2: number): { z: number; p: number } {
  const p = (k1 + k2) / (n1 + n2);
  const se = Math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2));
  if (se === 0) return { z: 0, p: 1 };
  const z = (k1 / n1 - k2 / n2) / se;
  return { z, p: 2 * (1 - normalCdf(Math.abs(z))) };
}

/** Two-sided Fisher exact test of the 2x2 table [[k1, n1-k1], [k2, n2-k2]] (sums tables as or less likely). */
export function fisherExact(k1: number, n1: number, k2: number, n2: number): number {
  const K = k1 + k2, N = n1 + n2;
  const lf = (n: number) => { let s = 0; for (let i = 2; i <= n; i++) s += Math.log(i); return s; };
  const logP = (a: number) => lf(K) + lf(N - K) + lf(n1) + lf(n2) - lf(N) - lf(a) - lf(K - a) - lf(n1 - a) - lf(n2 - K + a);
  const observed = logP(k1);
  let p = 0;
  for (let a = Math.max(0, K - n2); a <= Math.min(K, n1); a++) {
    const la = logP(a);
    if (la <= observed + 1e-9) p += Math.exp(la);
  }
  return Math.min(1, p);
}
