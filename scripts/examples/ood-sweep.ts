// An OOD sweep from a script: one policy, clutter and lighting one at a time, with the controlled
// setting and the baseline, on two worker threads; prints S_N against level per axis.
//   node --import tsx scripts/examples/ood-sweep.ts [chains] [outDir] [baselineEpisodes per task, default 3]
import { parseSweepSpec, runSweep } from '../../index.ts';

const chains = Number(process.argv[2] ?? 10);
const out = process.argv[3] ?? 'runs/example-sweep';
const baselineEpisodes = Number(process.argv[4] ?? 3);
const spec = parseSweepSpec({
  name: 'example', policies: ['noisy-expert:0.1'], scene: 'kitchen',
  axes: { clutter: [0.5, 1], lighting: [1] }, chains, steps: 5, baselineEpisodes, seed: 1,
}, 'scripts/examples/ood-sweep.ts');
const r = await runSweep(spec, { out, workers: 2 });
for (const c of r.cells) {
  const s = c.summary.S[c.summary.steps - 1];
  console.log(`${c.setting.padEnd(14)} S_${c.summary.steps} = ${s.value.toFixed(2)} [${s.ci.map((x) => x.toFixed(2)).join(', ')}]`);
}
console.log(`report: ${out}/report.html`);
