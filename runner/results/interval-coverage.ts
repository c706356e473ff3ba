// Coverage of the summary's intervals on synthetic runs with independent steps (true C = 1).
import seedrandom from 'seedrandom';
import type { BaselineRecord, ChainRecord, StepRecord } from './records.ts';
import { summarise } from './summary.ts';

export interface CoverageOptions {
  reps: number; chains: number; episodesPerTask: number; q: number; steps: number; tasks: number; seed?: string;
}

export interface CoverageResult extends CoverageOptions {
  /** Share of runs whose C interval contains 1. */
  coverageC: number;
  /** Share of runs whose P_ind interval contains the true P_ind. */
  coveragePInd: number;
  /** Share of runs whose C interval lies entirely above 1 (a false "failures compound" verdict). */
  falseCompounding: number;
  /** Share of runs whose C interval lies entirely below 1 (a false "chains beat independence" verdict). */
  falseRecovery: number;
}

/** Synthetic runs where every step succeeds independently with probability q; see scripts/interval-coverage.ts. */
export function intervalCoverage(o: CoverageOptions): CoverageResult {
  const rng = seedrandom(o.seed ?? 'chaingap:coverage');
  const taskNames = Array.from({ length: o.tasks }, (_, i) => `t${i}`);
  let inC = 0, inP = 0, above = 0, below = 0;
  for (let rep = 0; rep < o.reps; rep++) {
    const chains: ChainRecord[] = [];
    let truth = 0;
    for (let c = 0; c < o.chains; c++) {
      const tasks = Array.from({ length: o.steps }, () => taskNames[Math.floor(rng() * o.tasks)]);
      truth += o.q ** o.steps / o.chains;
      const steps: StepRecord[] = [];
      for (let i = 0; i < o.steps; i++) {
        const ok = rng() < o.q;
        steps.push({ index: i, task: tasks[i], paraphrase: 0, success: ok, ...(ok ? {} : { failure: 'grasp_miss' as const }), steps: 1 });
        if (!ok) break;
      }
      chains.push({
        runId: 'cov', chainId: `c${c}`, seed: c, repeat: 0, policySeed: 0, ood: {}, policy: 'synthetic', mode: 'strict',
        length: o.steps, tasks, steps, latencyMs: [], simMsPerStep: [], wallMs: 0,
      } as ChainRecord);
    }
    const base: BaselineRecord[] = taskNames.flatMap((task) =>
      Array.from({ length: o.episodesPerTask }, (_, e) => ({ runId: 'cov', task, episode: e, seed: e, success: rng() < o.q, steps: 1 }) as BaselineRecord));
    const s = summarise({ runId: 'cov', scene: 'synthetic', policy: 'synthetic', mode: 'strict', seed: rep, steps: o.steps, repeats: 1, versions: {} }, chains, base);
    const [lo, hi] = s.Cci;
    if (lo <= 1 && (hi === null || hi >= 1)) inC++;
    if (lo > 1) above++;
    if (hi !== null && hi < 1) below++;
    if (s.baseline.P_indCi[0] <= truth && truth <= s.baseline.P_indCi[1]) inP++;
  }
  return { ...o, coverageC: inC / o.reps, coveragePInd: inP / o.reps, falseCompounding: above / o.reps, falseRecovery: below / o.reps };
}
