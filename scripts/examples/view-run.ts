// Watch chains in the three.js viewer from a script: record a short run in the controlled setting and
// at lighting 1 (same chain seeds, so each chain can be shown side by side), then serve both.
//   node --import tsx scripts/examples/view-run.ts [outDir] [--live]
// With --live the second run streams to the page as it goes (open the address before it starts).
// The same from a shell: `chaingap run ... --record all`, then `chaingap view DIR`; `chaingap run ... --live`.
import path from 'node:path';
import { listRecordings, runChains, startLiveViewer, startViewer } from '../../index.ts';

const out = process.argv[2] && !process.argv[2].startsWith('--') ? process.argv[2] : 'runs/view-example';
const live = process.argv.includes('--live');
const base = { policy: 'noisy-expert:0.1', scene: 'kitchen', chains: 2, steps: 4, seed: 3, baselineEpisodes: 1, record: 'all' as const, log: () => {} };
await runChains({ ...base, out: path.join(out, 'controlled') });
if (live) {
  const viewer = await startLiveViewer({ dir: out, port: 0 });
  console.log(`live: ${viewer.url}`);
  await runChains({ ...base, out: path.join(out, 'lighting'), ood: { lighting: 1 }, live: viewer });
  await viewer.close();
} else {
  await runChains({ ...base, out: path.join(out, 'lighting'), ood: { lighting: 1 } });
}
const recs = listRecordings(out);
console.log(`${recs.length} recorded chain runs under ${out} (${recs.filter((r) => r.failed).length} with a failure)`);
const viewer = await startViewer({ dir: out, port: Number(process.env.PORT ?? 0) });
const first = recs.find((r) => r.failed) ?? recs[0];
console.log(`viewer: ${viewer.url}?path=${encodeURIComponent(first.path)}&side=1`);
if (process.env.CHAINGAP_EXAMPLE_NO_WAIT) await viewer.close();
else console.log('Ctrl-C to stop');
