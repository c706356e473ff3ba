// Expert demonstrations from a script, as a LeRobot dataset, then a look at what was written.
//   node --import tsx scripts/examples/collect-demos.ts [outDir] [chains]
// The same from a shell: `chaingap collect --chains N -o DIR`.
import { readFileSync } from 'node:fs';
import { collectDemos } from '../../index.ts';

const out = process.argv[2] ?? 'data/example-demos';
const chains = Number(process.argv[3] ?? 2);
const r = await collectDemos({ out, chains, steps: 3, size: 64 });
console.log(`${r.episodes} episodes, ${r.frames} frames, ${(r.bytes / 1024).toFixed(0)} KiB in ${r.seconds.toFixed(1)} s`);
const info = JSON.parse(readFileSync(`${out}/meta/info.json`, 'utf8'));
console.log(`features: ${Object.entries(info.features).map(([k, f]) => `${k} ${(f as { dtype: string }).dtype}${JSON.stringify((f as { shape: number[] }).shape)}`).join(', ')}`);
