// Recorded runs for the viewer's tests: one chain of three steps run by the Bernoulli policy (the
// expert failing chosen steps on purpose), recorded in the controlled setting and at lighting 1 with
// the same chain seed, so a failure at step 3 and a side-by-side partner both exist. The run seed is
// searched, not pinned: the first whose chain 0 has the coin pattern success, success, failure.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bernoulliCoin } from '../policies/bernoulli.ts';
import { deriveSeed, planRun, runChains, type RunOptions } from '../runner/chains/run.ts';

export const FIXTURE_P = 0.6;

export function failingAtStep3Seed(): number {
  for (let seed = 0; seed < 200; seed++) {
    const o: RunOptions = { out: '', policy: `bernoulli:${FIXTURE_P}`, chains: 1, steps: 3, seed };
    const chain = planRun(o).chains[0];
    const ps = deriveSeed(seed, 'policy', chain.name, 0);
    if ([0, 1, 2].map((k) => bernoulliCoin(ps, k, FIXTURE_P)).join() === 'true,true,false') return seed;
  }
  throw new Error('no run seed below 200 gives the coins success, success, failure');
}

/** `<root>/controlled` and `<root>/lighting` (same chain seed), both recorded with `record: 'all'`. */
export async function recordedRuns(): Promise<{ root: string; seed: number }> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'chaingap-view-'));
  const seed = failingAtStep3Seed();
  const base: RunOptions = { out: '', policy: `bernoulli:${FIXTURE_P}`, chains: 1, steps: 3, seed, baselineEpisodes: 1, record: 'all', log: () => {} };
  await runChains({ ...base, out: path.join(root, 'controlled') });
  await runChains({ ...base, out: path.join(root, 'lighting'), ood: { lighting: 1 } });
  return { root, seed };
}
