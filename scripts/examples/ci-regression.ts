// A CI regression check from a script: load a CI config, check a candidate policy against the
// reference the config names, print the Markdown verdict and exit like `chaingap ci` (0 pass,
// 1 regression or floor broken).
//   node --import tsx scripts/examples/ci-regression.ts [config] [policy] [outDir]
// With no arguments: the shipped example job (30 ten-step kitchen chains, controlled and
// clutter+lighting) checks noisy-expert:0.15 against the expert's committed reference.
import { readFileSync } from 'node:fs';
import { loadCiConfig, runCi } from '../../index.ts';

const file = process.argv[2] ?? new URL('./chaingap.ci.json', import.meta.url).pathname;
const policy = process.argv[3] ?? 'noisy-expert:0.15';
const cfg = loadCiConfig(file);
const result = await runCi(cfg, {
  policy,
  ...(process.argv[4] ? { out: process.argv[4] } : {}),
  onProgress: ({ suite, done, total }) => { if (done === total) console.error(`${suite}: ${total} units`); },
});
console.log(readFileSync(result.files.markdown, 'utf8'));
for (const c of result.checks.filter((c) => c.kind === 'compare')) {
  console.log(`${c.id}: drop ${c.drop?.toFixed(3) ?? 'n/a'}, adjusted p ${c.pAdjusted?.toPrecision(2) ?? 'n/a'}, detects drops >= ${c.mde?.toFixed(3) ?? 'none'} -> ${c.status}`);
}
process.exitCode = result.exitCode;
