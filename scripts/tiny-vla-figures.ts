// The figures of a trained pixel policy's model card, from one resumable sweep: the controlled baseline
// per task and per task type (single tasks from fresh resets, with 95% Wilson intervals), S_1..S_10, P_ind,
// C and O of the controlled ten-step chains, and S_10 at levels 0.5 and 1 of lighting, clutter, camera,
// novel_objects and language (one axis at a time). Writes <out>/figures.json and prints markdown tables.
//
//   node --import tsx scripts/tiny-vla-figures.ts [--model policies/models/tiny-vla/model.onnx] [--out runs/tiny-vla-figures]
//        [--chains 50] [--baseline-episodes 50] [--workers 2] [--seed 0]
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runSweep, SweepSpecSchema } from '../runner/sweep/sweep.ts';
import { wilson } from '../runner/results/stats.ts';
import { generateChains } from '../scenes/chains.ts';
import { findScene } from '../scenes/load.ts';
import { baselineTasks } from '../runner/chains/run.ts';

const { values: a } = parseArgs({
  options: {
    model: { type: 'string', default: 'policies/models/tiny-vla/model.onnx' },
    out: { type: 'string', default: 'runs/tiny-vla-figures' },
    chains: { type: 'string', default: '50' },
    'baseline-episodes': { type: 'string', default: '50' },
    workers: { type: 'string', default: '2' },
    seed: { type: 'string', default: '0' },
  },
});
const chains = Number(a.chains), seed = Number(a.seed);
const levels = [0.5, 1];
const spec = SweepSpecSchema.parse({
  name: 'tiny_vla_figures', policies: [`onnx:${a.model}`], scene: 'kitchen', chains, steps: 10, seed,
  axes: { lighting: levels, clutter: levels, camera: levels, novel_objects: levels, language: levels },
  baselineEpisodes: Number(a['baseline-episodes']),
});
const t0 = performance.now();
let last = 0;
const r = await runSweep(spec, {
  out: a.out!, workers: Number(a.workers),
  onProgress: (done, total) => { if (done === total || Date.now() - last > 30_000) { last = Date.now(); process.stderr.write(`${done}/${total} units, ${((performance.now() - t0) / 60000).toFixed(1)} min\n`); } },
});

const controlled = r.cells.find((c) => c.setting === 'controlled')!.summary;
const typeOf = new Map(baselineTasks(generateChains({ scene: findScene('kitchen'), count: chains, steps: 10, seed })).map((t) => [t.name, t.type]));
const byType = new Map<string, { successes: number; episodes: number; tasks: number }>();
for (const t of controlled.baseline.tasks) {
  const type = typeOf.get(t.task) ?? 'unknown';
  const x = byType.get(type) ?? { successes: 0, episodes: 0, tasks: 0 };
  x.successes += t.successes; x.episodes += t.episodes; x.tasks++;
  byType.set(type, x);
}
const types = [...byType.entries()].sort().map(([type, x]) => ({ type, ...x, rate: x.successes / x.episodes, ci: wilson(x.successes, x.episodes) }));
const typeMean = types.reduce((s, t) => s + t.rate, 0) / types.length;
const ood = r.cells.map((c) => ({ setting: c.setting, S10: c.summary.S[9], S1: c.summary.S[0], avgLength: c.summary.avgLength, failures: c.summary.failures }));
const doc = {
  model: a.model, date: new Date().toISOString(), minutes: (performance.now() - t0) / 60000, chains, baselineEpisodesPerTask: spec.baselineEpisodes, seed,
  baselineByType: types, baselineTypeMean: typeMean, baselineTaskMean: controlled.baseline.meanQ, baselineTasks: controlled.baseline.tasks,
  S: controlled.S, P_ind: controlled.baseline.P_ind, P_indCi: controlled.baseline.P_indCi, C: controlled.C, Cci: controlled.Cci, O: controlled.O, Oci: controlled.Oci,
  failures: controlled.failures, latencyMs: controlled.latencyMs, ood, physicsHealth: r.physicsHealth,
};
writeFileSync(path.join(a.out!, 'figures.json'), JSON.stringify(doc, null, 2) + '\n');

const f = (x: number) => x.toFixed(2);
const ci = (c: readonly [number, number] | readonly [number, number | null]) => `[${f(c[0])}, ${c[1] === null ? 'inf' : f(c[1])}]`;
console.log(`| task type | tasks | episodes | success [95% CI] |\n| --- | --- | --- | --- |`);
for (const t of types) console.log(`| ${t.type} | ${t.tasks} | ${t.episodes} | ${f(t.rate)} ${ci(t.ci)} |`);
console.log(`| mean over types | | | ${f(typeMean)} |\n`);
console.log(`| k | ${controlled.S.map((s) => s.k).join(' | ')} |\n| --- | ${controlled.S.map(() => '---').join(' | ')} |\n| S_k | ${controlled.S.map((s) => f(s.value)).join(' | ')} |\n`);
console.log(`P_ind ${f(controlled.baseline.P_ind)} ${ci(controlled.baseline.P_indCi)}, C ${f(controlled.C)} ${ci(controlled.Cci)}, O ${f(controlled.O)} ${ci(controlled.Oci)}\n`);
console.log(`| setting | S_1 | S_10 [95% CI] | mean chain length |\n| --- | --- | --- | --- |`);
for (const o of ood) console.log(`| ${o.setting} | ${f(o.S1.value)} | ${f(o.S10.value)} ${ci(o.S10.ci)} | ${o.avgLength.toFixed(2)} |`);
console.log(`\n${doc.minutes.toFixed(1)} min; ${path.join(a.out!, 'figures.json')}`);
