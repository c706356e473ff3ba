// The summary's bootstrap intervals of C and P_ind are calibrated: on synthetic runs whose steps fail
// independently (true C = 1), about 95% of the intervals contain the truth. If the bootstrap dropped
// the baseline's sampling error (resampling chains only) or the chains' (baseline only), coverage
// falls far below that and this fails.
import { describe, expect, it } from 'vitest';
import { intervalCoverage } from '../runner/results/interval-coverage.ts';

describe('interval coverage', () => {
  it('95% intervals of C and P_ind contain the truth in about 95% of demo-sized runs', () => {
    const r = intervalCoverage({ reps: 120, chains: 20, episodesPerTask: 20, q: 0.95, steps: 10, tasks: 12 });
    // 120 runs: the standard error of a 0.95 coverage is 0.02; 0.88 is more than three below.
    expect(r.coverageC).toBeGreaterThanOrEqual(0.88);
    expect(r.coveragePInd).toBeGreaterThanOrEqual(0.88);
    expect(r.coverageC).toBeLessThanOrEqual(0.995);
    expect(r.falseCompounding + r.falseRecovery).toBeCloseTo(1 - r.coverageC, 10);
  });
});
