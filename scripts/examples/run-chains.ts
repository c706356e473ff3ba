// A sweep from a script: the same 10 ten-step chains for the expert and two Bernoulli policies,
// each with its controlled baseline, compared on S_10, P_ind and C with a two-proportion test.
//   node --import tsx scripts/examples/run-chains.ts [chains] [outDir] [baselineEpisodes per task, default 5]
import { runChains, twoProportionTest } from '../../index.ts';

const chains = Number(process.argv[2] ?? 10);
const out = process.argv[3] ?? 'runs/example';
const baselineEpisodes = Number(process.argv[4] ?? 5);

const rows = [];
for (const policy of ['expert', 'bernoulli:0.95', 'bernoulli:0.8']) {
  const { summary } = await runChains({ out: `${out}/${policy.replace(':', '_')}`, policy, scene: 'kitchen', chains, seed: 1, baselineEpisodes });
  const s10 = summary.S[summary.steps - 1];
  rows.push({ policy, s10, pInd: summary.baseline.P_ind, C: summary.C });
  console.log(`${policy.padEnd(16)} S_10 = ${s10.value.toFixed(2)} [${s10.ci.map((x) => x.toFixed(2)).join(', ')}]  P_ind = ${summary.baseline.P_ind.toFixed(2)}  C = ${Number.isFinite(summary.C) ? summary.C.toFixed(2) : 'undefined (S_10 = 0)'}`);
}
const [a, , c] = rows;
const t = twoProportionTest(a.s10.successes, a.s10.trials, c.s10.successes, c.s10.trials);
console.log(`expert vs bernoulli:0.8 on S_10: z = ${t.z.toFixed(2)}, p = ${t.p.toFixed(4)}`);
