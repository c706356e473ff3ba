// The checks of a CI job: absolute floors and comparisons with the reference. A floor is broken when
// the rate is significantly below it (or, with floorRule "estimate", whenever the estimate is); a
// comparison fails only when the drop is significant AND at least the minimum effect. Significance is
// at alpha after Holm's correction over all the job's tests. Each comparison states its minimum
// detectable drop: what this job's sample sizes can and cannot see.
import { binomialCdf, holmAdjust, wilson } from '../results/stats.ts';
import { dropPValue, minimumDetectableDrop, type Counts, type ProportionTest } from './ci-compare.ts';
import type { MetricCounts } from './ci-metrics.ts';

export interface CiCheck {
  /** `<suite>/<setting>/<metric>`, with `(floor)` or `(vs reference)` telling the two kinds apart. */
  id: string;
  suite: string;
  /** `controlled`, an OOD setting key such as `clutter=0.5`, or `isolated`. */
  setting: string;
  metric: string;
  kind: 'floor' | 'compare';
  status: 'pass' | 'fail' | 'skipped';
  /** Current successes / trials, rate and 95% Wilson interval (rate null without trials). */
  successes: number;
  trials: number;
  value: number | null;
  ci: [number, number];
  floor?: number;
  reference?: { successes: number; trials: number; value: number | null };
  /** reference - current (positive: a drop). */
  drop?: number;
  test?: ProportionTest;
  /** One-sided p-value of a drop, and after Holm's correction. */
  p?: number;
  pAdjusted?: number;
  /** Smallest true drop flagged with the configured power (null: none can be at this n). */
  mde?: number | null;
  message: string;
}

export interface CheckRules {
  alpha: number;
  minEffect: number;
  power: number;
  correction: 'holm' | 'none';
  /**
   * significant: a floor is broken only when the rate is significantly below it (one-sided exact
   * binomial test, in the same Holm family as the comparisons); estimate: whenever the observed rate is
   * below it.
   */
  floorRule?: 'significant' | 'estimate';
}

const pct = (x: number) => x.toFixed(3);
const counts = (c: Counts) => `${c.successes}/${c.trials}`;

export interface Floor {
  suite: string;
  setting: string;
  metric: string;
  current: Counts | undefined;
  floor: number;
}

export interface Comparison {
  suite: string;
  setting: string;
  metric: string;
  current: Counts | undefined;
  reference: Counts | undefined;
}

/**
 * The floor and comparison checks of a job, decided together: with Holm's correction over every
 * tested check (significant floors and comparisons), a job whose policy meets its floors and has not
 * regressed fails at most alpha of the time.
 */
export function decideChecks(floors: readonly Floor[], items: readonly Comparison[], rules: CheckRules): CiCheck[] {
  const floorRule = rules.floorRule ?? 'significant';
  const testedFloors = floorRule === 'significant' ? floors.filter((f) => f.current?.trials) : [];
  const testable = items.filter((c) => c.current?.trials && c.reference?.trials);
  const raw = testable.map((c) => dropPValue(c.current!, c.reference!));
  const floorP = testedFloors.map((f) => binomialCdf(f.current!.successes, f.current!.trials, f.floor));
  const ps = [...floorP, ...raw.map((r) => r.p)];
  const adjusted = rules.correction === 'holm' ? holmAdjust(ps) : ps;
  const m = ps.length;
  // A lone drop has the smallest p-value, which Holm tests at alpha / m.
  const alphaT = rules.correction === 'holm' && m ? rules.alpha / m : rules.alpha;
  const corr = rules.correction === 'holm' ? `Holm-adjusted over ${m} tests` : 'uncorrected';

  const floorChecks = floors.map((f): CiCheck => {
    const c = f.current ?? { successes: 0, trials: 0 };
    const ci = wilson(c.successes, c.trials);
    const base = { id: `${f.suite}/${f.setting}/${f.metric} (floor)`, suite: f.suite, setting: f.setting, metric: f.metric, kind: 'floor' as const, successes: c.successes, trials: c.trials, ci, floor: f.floor };
    if (!c.trials) return { ...base, value: null, status: 'fail', message: `${f.metric} has no recorded trials, so the floor ${f.floor} is not met (the steps of this type were never reached)` };
    const v = c.successes / c.trials;
    const what = `${f.metric} = ${pct(v)} (${counts(c)}, 95% CI [${pct(ci[0])}, ${pct(ci[1])}])`;
    if (floorRule === 'estimate') return { ...base, value: v, status: v >= f.floor ? 'pass' : 'fail', message: `${what} ${v >= f.floor ? '>=' : '<'} floor ${f.floor}` };
    const i = testedFloors.indexOf(f);
    const p = floorP[i], pAdj = adjusted[i];
    const below = pAdj <= rules.alpha;
    const verdict = below ? `significantly below the floor ${f.floor}` : v >= f.floor ? `>= floor ${f.floor}` : `below the floor ${f.floor}, but not significantly: pass`;
    return { ...base, value: v, status: below ? 'fail' : 'pass', p, pAdjusted: pAdj, message: `${what} ${verdict} (one-sided exact binomial p = ${p.toPrecision(3)}, ${corr}: ${pAdj.toPrecision(3)})` };
  });

  const compared = items.map((c): CiCheck => {
    const cur = c.current ?? { successes: 0, trials: 0 };
    const base = {
      id: `${c.suite}/${c.setting}/${c.metric} (vs reference)`, suite: c.suite, setting: c.setting, metric: c.metric, kind: 'compare' as const,
      successes: cur.successes, trials: cur.trials, value: cur.trials ? cur.successes / cur.trials : null, ci: wilson(cur.successes, cur.trials),
      reference: c.reference ? { ...c.reference, value: c.reference.trials ? c.reference.successes / c.reference.trials : null } : undefined,
    };
    const i = testable.indexOf(c);
    if (i < 0) {
      const why = !c.reference ? 'the reference has no such metric' : !c.reference.trials ? 'the reference recorded no trials of it' : 'this run recorded no trials of it';
      return { ...base, status: 'skipped', message: `${c.metric}: not compared: ${why}` };
    }
    const ref = c.reference!;
    const drop = ref.successes / ref.trials - cur.successes / cur.trials;
    const { test, p } = raw[i];
    const pAdj = adjusted[testedFloors.length + i];
    const significant = pAdj <= rules.alpha;
    const big = drop >= rules.minEffect - 1e-12;
    const mde = minimumDetectableDrop(ref, cur.trials, alphaT, rules.minEffect, rules.power);
    const what = `${c.metric} ${pct(base.value!)} (${counts(cur)}) vs reference ${pct(ref.successes / ref.trials)} (${counts(ref)}): change ${drop > 0 ? '-' : '+'}${pct(Math.abs(drop))}; one-sided ${test === 'fisher' ? 'Fisher exact' : 'z'} p = ${p.toPrecision(3)} (${corr}: ${pAdj.toPrecision(3)})`;
    const sees = mde === null ? `at n = ${cur.trials} no drop can be detected` : `drops >= ${pct(mde)} are caught with ${Math.round(rules.power * 100)}% power`;
    let verdict: string;
    if (significant && big) verdict = `REGRESSION: significant at alpha ${rules.alpha} and at least the minimum effect ${rules.minEffect}`;
    else if (significant) verdict = `significant, but smaller than the minimum effect ${rules.minEffect}: not a regression`;
    else verdict = `not significant at alpha ${rules.alpha}`;
    return { ...base, status: significant && big ? 'fail' : 'pass', drop, test, p, pAdjusted: pAdj, mde, message: `${what}; ${verdict}; ${sees}` };
  });
  return [...floorChecks, ...compared];
}

/** Comparison checks alone (no floors). */
export function compareChecks(items: readonly Comparison[], rules: CheckRules): CiCheck[] {
  return decideChecks([], items, rules);
}

/** The metrics a `type:*` entry stands for: every type metric either side recorded. */
export function expandTypes(list: readonly string[], cur: MetricCounts, ref: MetricCounts | undefined): string[] {
  const out: string[] = [];
  for (const m of list) {
    if (m !== 'type:*') out.push(m);
    else out.push(...[...new Set([...Object.keys(cur), ...Object.keys(ref ?? {})])].filter((k) => k.startsWith('type:')).sort());
  }
  return [...new Set(out)];
}
