// Every chain metric of docs/metrics.md ("Chain metrics", "The controlled baseline"), checked by hand on small made-up records.
import { describe, expect, it } from 'vitest';
import type { ChainRecord, StepRecord } from '../runner/results/records.ts';
import {
  averageChainLength, chainsPerHour, compoundedSuccess, compoundingFactor, failureCounts, independencePrediction,
  latency, overestimationFactor, passAtK, passPowK, perStepSuccess, promptSensitivity, recovery, repeatMetrics,
} from '../runner/results/metrics.ts';
import { fisherExact, twoProportionTest, wilson } from '../runner/results/stats.ts';

/** A chain from a string like "SSF" (S success, F failure), strict unless `mode` says otherwise. */
function chain(outcomes: string, o: Partial<ChainRecord> = {}, paraphrases: number[] = []): ChainRecord {
  const steps: StepRecord[] = [...outcomes].map((c, i) => ({
    index: i, task: `t${i}`, paraphrase: paraphrases[i] ?? 0, success: c === 'S',
    ...(c === 'S' ? {} : { failure: 'grasp_miss' as const }), steps: 10,
  }));
  return { runId: 'r', chainId: o.chainId ?? outcomes, seed: 0, repeat: 0, policySeed: 0, ood: {}, policy: 'p', mode: 'strict', length: 3, tasks: ['t0', 't1', 't2'], steps, latencyMs: [1, 2, 3], simMsPerStep: [0.5], wallMs: 1000, ...o };
}

describe('chain metrics', () => {
  // Four strict 3-step chains: SSS, SSF, SF, F.
  const recs = [chain('SSS'), chain('SSF'), chain('SF'), chain('F')];

  it('S_k counts chains whose first k steps all succeeded, over all chains', () => {
    expect(compoundedSuccess(recs, 3).map((p) => p.value)).toEqual([3 / 4, 2 / 4, 1 / 4]);
    const s3 = compoundedSuccess(recs, 3)[2];
    expect(s3.ci).toEqual(wilson(1, 4));
  });

  it('p_j divides by the chains that reached position j', () => {
    const p = perStepSuccess(recs, 3);
    expect(p.map((x) => [x.successes, x.trials])).toEqual([[3, 4], [2, 3], [1, 2]]);
  });

  it('average chain length is the mean leading run of successes', () => {
    expect(averageChainLength(recs)).toBeCloseTo((3 + 2 + 1 + 0) / 4);
  });

  it('P_ind, C and O follow their definitions', () => {
    const pInd = independencePrediction(['a', 'b', 'a'], { a: 0.9, b: 0.5 });
    expect(pInd).toBeCloseTo(0.405);
    expect(compoundingFactor(pInd, 0.25)).toBeCloseTo(1.62);
    expect(overestimationFactor(0.7, 0.25)).toBeCloseTo(2.8);
    expect(() => independencePrediction(['x'], {})).toThrow(/x/);
  });

  it('pass@k and pass^k use the unbiased combinatorial estimators', () => {
    // n = 5 runs, c = 2 successes.
    expect(passAtK(5, 2, 1)).toBeCloseTo(0.4);
    expect(passAtK(5, 2, 2)).toBeCloseTo(1 - 3 / 10);
    expect(passAtK(5, 2, 4)).toBe(1);
    expect(passPowK(5, 2, 1)).toBeCloseTo(0.4);
    expect(passPowK(5, 2, 2)).toBeCloseTo(1 / 10);
    expect(passPowK(5, 2, 3)).toBe(0);
    const reps = [
      chain('SSS', { chainId: 'a', repeat: 0 }), chain('SSF', { chainId: 'a', repeat: 1 }),
      chain('SSS', { chainId: 'b', repeat: 0 }), chain('SSS', { chainId: 'b', repeat: 1 }),
    ];
    const m = repeatMetrics(reps);
    expect(m.passAtK[1]).toBeCloseTo((0.5 + 1) / 2);
    expect(m.passAtK[2]).toBeCloseTo(1);
    expect(m.passPowK[2]).toBeCloseTo((0 + 1) / 2);
  });

  it('prompt sensitivity reports success per paraphrase with min, max, spread and std', () => {
    const r = [chain('S', {}, [0]), chain('F', {}, [1]), chain('S', {}, [1]), chain('S', {}, [0])];
    const [t0] = promptSensitivity(r);
    expect(t0.task).toBe('t0');
    expect(t0.byParaphrase[0].value).toBe(1);
    expect(t0.byParaphrase[1].value).toBe(0.5);
    expect([t0.min, t0.max, t0.spread, t0.std]).toEqual([0.5, 1, 0.5, 0.25]);
  });

  it('failure labels are counted and a failed step without one is an error', () => {
    expect(failureCounts(recs)).toEqual({ grasp_miss: 3 });
    const bad = chain('F');
    delete bad.steps[0].failure;
    expect(() => failureCounts([bad])).toThrow(/failure label/);
  });

  it('recovery compares success after a failure with success after a success (continue mode)', () => {
    const c = [chain('FSF', { mode: 'continue' }), chain('SFF', { mode: 'continue' }), chain('FFS', { mode: 'continue' })];
    const r = recovery(c);
    expect([r.afterFailure.successes, r.afterFailure.trials]).toEqual([2, 4]);
    expect([r.afterSuccess.successes, r.afterSuccess.trials]).toEqual([0, 2]);
  });

  it('cost: latency quantiles and chains per hour', () => {
    // 12 samples: four each of 1, 2, 3 ms; linear-interpolated quantiles.
    expect(latency(recs)).toEqual({ p50: 2, p95: 3 });
    expect(latency([chain("S", { latencyMs: [0, 10] })]).p95).toBeCloseTo(9.5);
    expect(chainsPerHour(recs)).toBeCloseTo(3600);
  });
});

describe('significance tests', () => {
  it('two-proportion z test matches a hand computation', () => {
    // 45/50 vs 30/50: pooled p = 0.75, se = sqrt(0.75*0.25*0.04) = 0.0866, z = 0.3/0.0866 = 3.464.
    const t = twoProportionTest(45, 50, 30, 50);
    expect(t.z).toBeCloseTo(3.4641, 3);
    expect(t.p).toBeCloseTo(0.000532, 4);
    expect(twoProportionTest(10, 20, 10, 20).p).toBeCloseTo(1);
  });

  it('Fisher exact test matches the classic tea-tasting table', () => {
    // [[3,1],[1,3]]: two-sided p = 0.4857.
    expect(fisherExact(3, 4, 1, 4)).toBeCloseTo(0.4857, 4);
    expect(fisherExact(10, 10, 0, 10)).toBeCloseTo(1.0825e-5, 8);
  });
});

describe('summary intervals', () => {
  it('C and P_ind carry bootstrap intervals that contain them, and independent steps give C near 1', async () => {
    const { summarise } = await import('../runner/results/summary.ts');
    const seedrandom = (await import('seedrandom')).default;
    const rng = seedrandom('independent');
    const recs: ChainRecord[] = Array.from({ length: 400 }, (_, i) => {
      const out = rng() < 0.8 ? (rng() < 0.8 ? 'SS' : 'SF') : 'F';
      return chain(out, { chainId: `c${i}`, length: 2, tasks: ['t0', 't1'] });
    });
    const base = ['t0', 't1'].flatMap((task) => Array.from({ length: 300 }, (_, e) => ({ runId: 'r', task, episode: e, seed: e, success: rng() < 0.8, steps: 1 })));
    const s = summarise({ runId: 'r', scene: 's', policy: 'p', mode: 'strict', seed: 0, steps: 2, repeats: 1, versions: {} }, recs, base);
    expect(s.baseline.P_indCi[0]).toBeLessThanOrEqual(s.baseline.P_ind);
    expect(s.baseline.P_indCi[1]).toBeGreaterThanOrEqual(s.baseline.P_ind);
    expect(s.Cci[0]).toBeLessThan(1);
    expect(s.Cci[1]).toBeGreaterThan(1);
    expect(s.C).toBeGreaterThan(0.85);
    expect(s.C).toBeLessThan(1.15);
    // Deterministic: the same records give the same intervals.
    expect(summarise({ runId: 'r', scene: 's', policy: 'p', mode: 'strict', seed: 0, steps: 2, repeats: 1, versions: {} }, recs, base).Cci).toEqual(s.Cci);
  });
});
