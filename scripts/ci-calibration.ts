// How often does `chaingap ci` cry wolf, and does it catch a real drop? Runs the example CI job
// (scripts/examples/chaingap.ci.json) as an experiment:
//   1. power: the expert's reference, then noisy experts at rising noise checked against it;
//   2. false alarms: a noisy expert's reference at the config's seed, then the same policy under
//      SEEDS other seeds (new chains, layouts and policy noise), each checked against that reference.
//   3. simulated: 4000 jobs of 4 independent comparisons (rates 0.9, 0.7, 0.5, 0.3; 30 vs 30 trials)
//      with no real drop, with and without Holm's correction, and with one 0.70 -> 0.35 drop.
// A well-calibrated job flags step 2 at most about alpha of the time.
//   node --import tsx scripts/ci-calibration.ts [SEEDS=20] [OUT=runs/ci-calibration]
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import seedrandom from 'seedrandom';
import { compareChecks, parseCiConfig, runCi, type Comparison } from '../index.ts';

const seeds = Number(process.argv[2] ?? 20);
const out = path.resolve(process.argv[3] ?? 'runs/ci-calibration');
const file = new URL('./examples/chaingap.ci.json', import.meta.url).pathname;
const base = JSON.parse(readFileSync(file, 'utf8'));
mkdirSync(out, { recursive: true });

function job(policy: string, seed: number, reference: string) {
  const json = structuredClone(base);
  json.policy = policy;
  json.suites[0].seed = seed;
  json.baseline = reference;
  json.out = path.join(out, `${policy.replace(/[^A-Za-z0-9.]/g, '_')}-seed${seed}`);
  json.timeBudgetMinutes = 60;
  return parseCiConfig(json, path.join(out, 'generated.ci.json'));
}

const t0 = Date.now();
const log = (s: string) => process.stderr.write(`${((Date.now() - t0) / 1000).toFixed(0)}s ${s}\n`);
const seed0 = base.suites[0].seed;
const rows: Record<string, unknown>[] = [];

// 1. Power: noisy experts against the expert's reference.
const expertRef = path.join(out, 'reference-expert.json');
let r = await runCi(job('expert', seed0, expertRef), { updateBaseline: true });
log(`expert reference written (${r.wallSeconds.toFixed(0)} s)`);
for (const sigma of [0.05, 0.1, 0.15]) {
  r = await runCi(job(`noisy-expert:${sigma}`, seed0, expertRef));
  const failed = r.checks.filter((c) => c.status === 'fail').map((c) => c.id);
  rows.push({ experiment: 'power', policy: `noisy-expert:${sigma}`, reference: 'expert', seed: seed0, status: r.status, failed, wallSeconds: r.wallSeconds });
  log(`noisy-expert:${sigma} vs expert: ${r.status} (${failed.join('; ') || 'nothing flagged'})`);
}

// 2. False alarms: the same policy under other seeds.
const policy = 'noisy-expert:0.1';
const ref = path.join(out, 'reference-noisy.json');
await runCi(job(policy, seed0, ref), { updateBaseline: true });
let flagged = 0, floorsBroken = 0, floorsBelowEstimate = 0;
for (let i = 1; i <= seeds; i++) {
  r = await runCi(job(policy, seed0 + i, ref));
  const regress = r.checks.filter((c) => c.kind === 'compare' && c.status === 'fail').map((c) => c.id);
  const floors = r.checks.filter((c) => c.kind === 'floor' && c.status === 'fail').map((c) => c.id);
  if (regress.length) flagged++;
  if (floors.length) floorsBroken++;
  // What the plain rule (floorRule "estimate") would have said: any observed rate below its floor.
  if (r.checks.some((c) => c.kind === 'floor' && c.value !== null && c.value < c.floor!)) floorsBelowEstimate++;
  const p = Object.fromEntries(r.checks.filter((c) => c.kind === 'compare').map((c) => [c.id.replace(' (vs reference)', ''), { now: c.value, ref: c.reference?.value, p: c.p, pAdjusted: c.pAdjusted }]));
  rows.push({ experiment: 'false-alarm', policy, seed: seed0 + i, regression: regress, floorsBroken: floors, comparisons: p, wallSeconds: r.wallSeconds });
  log(`seed ${seed0 + i}: ${regress.length ? `FLAGGED ${regress.join('; ')}` : 'no regression'}${floors.length ? `; floors broken: ${floors.join('; ')}` : ''}`);
}

// 3. Simulated jobs: the statistics alone, without the simulator.
const rng = seedrandom('ci-calibration');
const draw = (n: number, p: number) => { let k = 0; for (let i = 0; i < n; i++) if (rng() < p) k++; return k; };
const jobs = 4000;
const rules = { alpha: base.alpha, minEffect: 0, power: 0.8 };
let holm = 0, none = 0, caught = 0;
for (let j = 0; j < jobs; j++) {
  const items: Comparison[] = [0.9, 0.7, 0.5, 0.3].map((p, i) => ({ suite: 's', setting: 'controlled', metric: `m${i}`, current: { successes: draw(30, p), trials: 30 }, reference: { successes: draw(30, p), trials: 30 } }));
  if (compareChecks(items, { ...rules, correction: 'holm' }).some((c) => c.status === 'fail')) holm++;
  if (compareChecks(items, { ...rules, correction: 'none' }).some((c) => c.status === 'fail')) none++;
  const worse = items.map((c, i) => (i === 1 ? { ...c, current: { successes: draw(30, 0.35), trials: 30 } } : c));
  if (compareChecks(worse, { ...rules, correction: 'holm' }).find((c) => c.metric === 'm1')!.status === 'fail') caught++;
}
const simulated = { jobs, falseAlarmHolm: holm / jobs, falseAlarmUncorrected: none / jobs, dropCaught: caught / jobs };
log(`simulated: false alarms ${simulated.falseAlarmHolm} with Holm, ${simulated.falseAlarmUncorrected} without; 0.70 -> 0.35 caught ${simulated.dropCaught}`);

const summary = { seeds, alpha: base.alpha, minEffect: base.minEffect, flagged, floorsBroken, floorsBelowEstimate, rate: flagged / seeds, simulated, wallSeconds: (Date.now() - t0) / 1000, rows };
writeFileSync(path.join(out, 'result.json'), JSON.stringify(summary, null, 2) + '\n');
log(`false alarms: ${flagged}/${seeds} jobs flagged a regression (alpha ${base.alpha}); floors broken in ${floorsBroken}/${seeds} (on the estimate alone: ${floorsBelowEstimate}/${seeds}); ${path.join(out, 'result.json')}`);
