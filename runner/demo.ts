// The demo: the three calibration policies on the same ten-step chains plus the controlled baseline,
// one run directory each; then the shipped learned pixel policy (tiny-vla, trained by `chaingap train`)
// as a sweep: its controlled baseline, the same chains, and the chains again at a few OOD levels, so the
// report shows the collapse from single tasks to chains to OOD for a policy that sees. `chaingap demo`
// is a thin layer over this.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OodAxis } from '../scenes/ood.ts';
import { runChains, type RunProgress, type RunResult } from './chains/run.ts';
import { runSweep, SweepSpecSchema, type SweepResultSummary } from './sweep/sweep.ts';

/** Expert (ceiling), noisy expert (physics failures), bernoulli:0.95 (independent failures by construction). */
export const DEMO_POLICIES = ['expert', 'noisy-expert:0.1', 'bernoulli:0.95'] as const;

/** The learned policy the demo sweeps: shipped in the repository (policies/models/tiny-vla). */
export const DEMO_LEARNED_MODEL = 'policies/models/tiny-vla/model.onnx';
/** OOD settings the demo runs the learned policy at, one axis at a time, besides the controlled one. */
export const DEMO_LEARNED_AXES: Partial<Record<OodAxis, number[]>> = { lighting: [1], camera: [0.5], clutter: [1] };

export interface DemoOptions {
  /** Parent directory; each policy gets `<out>/<policy>`, the learned policy's sweep `<out>/tiny-vla`. */
  out: string;
  chains?: number;
  /** Steps per chain (default 10). */
  steps?: number;
  baselineEpisodes?: number;
  seed?: number;
  policies?: readonly string[];
  /** The learned policy's model (default DEMO_LEARNED_MODEL); null leaves the learned policy out. */
  learned?: string | null;
  /** Baseline episodes per task for the learned policy (default 10: it renders and runs a network). */
  learnedBaselineEpisodes?: number;
  /** Worker threads for the learned policy's sweep (default 2). */
  workers?: number;
  onProgress?: (policy: string, p: Omit<RunProgress, 'phase'> & { phase: string }) => void;
}

export interface DemoResult {
  runs: RunResult[];
  /** The learned policy's sweep (controlled and OOD cells, one shared baseline), or null. */
  learned: (SweepResultSummary & { dir: string; reportHtml: string }) | null;
}

export async function runDemo(o: DemoOptions): Promise<DemoResult> {
  const runs: RunResult[] = [];
  const chains = o.chains ?? 20, steps = o.steps ?? 10, seed = o.seed ?? 0;
  for (const policy of o.policies ?? DEMO_POLICIES) {
    runs.push(await runChains({
      out: path.join(o.out, policy.replace(/[^A-Za-z0-9._-]/g, '_')),
      policy, scene: 'kitchen', chains, steps, seed,
      baselineEpisodes: o.baselineEpisodes ?? 20, sheets: 2,
      onProgress: (p) => o.onProgress?.(policy, p),
    }));
  }
  // From the working directory in a source checkout (records keep the short path), else the installed package's copy.
  const model = o.learned !== undefined ? o.learned : existsSync(DEMO_LEARNED_MODEL) ? DEMO_LEARNED_MODEL : fileURLToPath(new URL(`../${DEMO_LEARNED_MODEL}`, import.meta.url));
  if (!model) return { runs, learned: null };
  if (!existsSync(model)) throw new Error(`demo: the learned policy ${model} is missing; it ships with the repository (git checkout policies/models/tiny-vla), or pass learned: null`);
  const policy = `onnx:${model}`;
  const spec = SweepSpecSchema.parse({
    name: 'tiny_vla_demo', policies: [policy], scene: 'kitchen', axes: DEMO_LEARNED_AXES, chains, steps, seed,
    baselineEpisodes: o.learnedBaselineEpisodes ?? 10,
  });
  const dir = path.join(o.out, 'tiny-vla');
  const r = await runSweep(spec, {
    out: dir, workers: o.workers ?? 2,
    onProgress: (done, total, resumed) => o.onProgress?.('tiny-vla', { phase: 'sweep', done, total, resumed }),
  });
  return { runs, learned: { ...r, dir, reportHtml: path.join(dir, 'report.html') } };
}
