// LIBERO's evaluation protocol from a script: a folder of BDDL files, N seeded episodes per task with
// the suite's budget and 10 idle steps, the per-task table and the suite mean; then chains of the tasks
// that share a scene against the single-task rates of the same run.
//   node --import tsx scripts/examples/libero.ts [folder] [episodes] [outDir]
// With no arguments: the small LIBERO-style folder the tests use (three tasks in one kitchen scene and a
// file that does not import), 3 episodes each.
import { liberoText, runLibero } from '../../index.ts';

const dir = process.argv[2] ?? new URL('../../test/fixtures/libero/kitchen', import.meta.url).pathname;
const episodes = Number(process.argv[3] ?? 3);
const out = process.argv[4] ?? 'runs/example-libero';

const r = await runLibero({
  dir, out, episodes, policy: 'expert', chains: { steps: 3 },
  onProgress: (p) => { if (p.done === p.total) console.error(`${p.phase}: ${p.total} done`); },
});
console.log(liberoText(r.summary));

// The same numbers as data: the weakest task, and how chains compare with independent steps.
const worst = [...r.summary.tasks].sort((a, b) => a.rate - b.rate)[0];
if (worst) console.log(`\nweakest task: "${worst.instruction}" ${worst.successes}/${worst.episodes}, 95% CI [${worst.ci.map((x) => x.toFixed(2)).join(', ')}]`);
for (const c of r.summary.chains?.rows ?? []) {
  const n = c.S.length;
  console.log(`${c.chain}: S_${n} = ${c.S[n - 1].value.toFixed(2)} measured, ${c.independence[n - 1].toFixed(2)} if its steps failed independently`);
}
console.log(`\nreport: ${r.files.reportHtml}`);
