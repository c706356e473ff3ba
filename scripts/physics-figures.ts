// Physics-health figures of a policy on seeded kitchen chains: sim_unstable steps, objects ejected from
// the table, control steps with an arm penetration deeper than 5 mm, the worst penetration and object
// speed beyond free fall, and the failure-label distribution. Counts every control step of the chains
// (the baseline is not run). `--no-force-limit` runs the unstoppable kinematic arm of earlier versions.
//
//   node --import tsx scripts/physics-figures.ts --policy noisy-expert:0.15 --chains 200 [--seed 0] [--no-force-limit]
import { Command } from 'commander';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Env, type StepResult } from '../sim/env.ts';
import { runChains } from '../runner/chains/run.ts';
import { PENETRATION_TOLERANCE } from '../sim/world.ts';

const opts = new Command()
  .option('--policy <spec>', 'policy spec', 'noisy-expert:0.15')
  .option('--chains <n>', 'chains', (v) => Number(v), 200)
  .option('--seed <n>', 'seed of the chain set', (v) => Number(v), 0)
  .option('--no-force-limit', 'the unstoppable kinematic arm (comparison only)')
  .parse()
  .opts<{ policy: string; chains: number; seed: number; forceLimit: boolean }>();

const health = {
  episodes: 0, episodesWithUnstable: 0, controlSteps: 0, unstableSteps: 0, ejected: 0, penetrationSteps: 0,
  maxPenetrationMm: 0, maxExcessSpeed: 0, examples: [] as string[],
};
// An episode is everything from one reset to the next (a chain, or a baseline episode).
let unstableThisEpisode = false;
const reset = Env.prototype.reset;
Env.prototype.reset = function (this: Env, o) {
  health.episodes++;
  unstableThisEpisode = false;
  return reset.call(this, o);
};
const step = Env.prototype.step;
Env.prototype.step = function (this: Env, action: ArrayLike<number>): StepResult {
  const r = step.call(this, action);
  const h = r.info.health;
  health.controlSteps++;
  if (h.unstable.length) {
    health.unstableSteps++;
    if (!unstableThisEpisode) health.episodesWithUnstable++;
    unstableThisEpisode = true;
    if (health.examples.length < 5) health.examples.push(h.unstable[0]);
  }
  health.ejected += h.ejected.length;
  if (h.maxPenetration > PENETRATION_TOLERANCE) health.penetrationSteps++;
  health.maxPenetrationMm = Math.max(health.maxPenetrationMm, h.maxPenetration * 1000);
  health.maxExcessSpeed = Math.max(health.maxExcessSpeed, h.maxExcessSpeed);
  return r;
};

const out = mkdtempSync(join(tmpdir(), 'chaingap-physics-figures-'));
const t0 = performance.now();
const res = await runChains({
  out, policy: opts.policy, chains: opts.chains, seed: opts.seed, baselineEpisodes: 1,
  env: { forceLimit: opts.forceLimit } as never, log: () => {},
});
const s = res.summary as unknown as { S: { k: number; value: number }[]; failures: Record<string, number> };
rmSync(out, { recursive: true, force: true });
const doc = {
  policy: opts.policy, chains: opts.chains, seed: opts.seed, forceLimit: opts.forceLimit,
  S_10: s.S[s.S.length - 1]?.value, failures: s.failures,
  health: { ...health, maxPenetrationMm: Math.round(health.maxPenetrationMm * 10) / 10, maxExcessSpeed: Math.round(health.maxExcessSpeed * 100) / 100 },
  wallS: Math.round((performance.now() - t0) / 1000),
};
process.stdout.write(`${JSON.stringify(doc)}\n`);
