// The demo: the three calibration policies on the same ten-step chains plus the controlled baseline,
// one run directory each. `chaingap demo` is a thin layer over this.
import path from 'node:path';
import { runChains, type RunProgress, type RunResult } from './run.ts';

/** Expert (ceiling), noisy expert (physics failures), bernoulli:0.95 (independent failures by construction). */
export const DEMO_POLICIES = ['expert', 'noisy-expert:0.1', 'bernoulli:0.95'] as const;

export interface DemoOptions {
  /** Parent directory; each policy gets `<out>/<policy>`. */
  out: string;
  chains?: number;
  baselineEpisodes?: number;
  seed?: number;
  policies?: readonly string[];
  onProgress?: (policy: string, p: RunProgress) => void;
}

export async function runDemo(o: DemoOptions): Promise<RunResult[]> {
  const out: RunResult[] = [];
  for (const policy of o.policies ?? DEMO_POLICIES) {
    out.push(await runChains({
      out: path.join(o.out, policy.replace(/[^A-Za-z0-9._-]/g, '_')),
      policy, scene: 'kitchen', chains: o.chains ?? 20, steps: 10, seed: o.seed ?? 0,
      baselineEpisodes: o.baselineEpisodes ?? 20, sheets: 2,
      onProgress: (p) => o.onProgress?.(policy, p),
    }));
  }
  return out;
}
