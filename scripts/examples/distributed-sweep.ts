// A sweep through a Redis queue from a script. On a cluster the two halves run on different machines:
// `chaingap worker --queue URL` (or runQueueWorker) wherever there are cores, and runSweep with `queue`
// where the results should land. Here both run in this process to show the API: one worker with two
// threads, the sweep enqueueing and collecting, then where the units ran (queueStatus) and S_N.
//   node --import tsx scripts/examples/distributed-sweep.ts redis://127.0.0.1:6379 [outDir] [chains]
import { parseSweepSpec, queueStatus, runQueueWorker, runSweep } from '../../index.ts';

const url = process.argv[2];
if (!url) throw new Error('usage: distributed-sweep.ts <redis-url> [outDir] [chains] (start one with: redis-server --port 6379)');
const out = process.argv[3] ?? 'runs/example-distributed';
const chains = Number(process.argv[4] ?? 4);
const spec = parseSweepSpec({
  name: 'example-distributed', policies: ['expert'], scene: 'kitchen',
  axes: { lighting: [1] }, chains, steps: 2, baselineEpisodes: 1, seed: 5,
}, 'scripts/examples/distributed-sweep.ts');

const stop = new AbortController();
const worker = runQueueWorker({ url, name: 'example', concurrency: 2, workerName: 'example-worker', signal: stop.signal, log: () => {} });
const r = await runSweep(spec, { out, queue: { url, name: 'example' } });
const status = await queueStatus({ url, name: 'example' }, spec.name);
stop.abort();
const w = await worker;
console.log(`worker ${w.workerName} ran ${w.done} units; collected ${status.collected}, failed ${r.failed?.length ?? 0}`);
for (const c of r.cells) {
  const s = c.summary.S[c.summary.steps - 1];
  console.log(`${c.setting.padEnd(12)} S_${c.summary.steps} = ${s.value.toFixed(2)} [${s.ci.map((x) => x.toFixed(2)).join(', ')}]`);
}
console.log(`report: ${r.files!.reportHtml}`);
