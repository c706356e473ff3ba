// Distributed sweep benchmark: one spec run four ways in the same process run, on fresh directories:
// locally on 1 and 2 worker threads, and through a BullMQ queue on a local redis-server (started here,
// Debian's redis-server) with 1 and then 2 `chaingap worker` processes of one thread each, repeated
// (default 3 rounds, the four ways in turn each round). Workers are started and connected before the
// clock starts (a local sweep starts its threads inside it). Three times per run: the steady rate, from
// the first unit recorded to the last (no start-up on either side: what the queue adds per unit), until
// the last unit is recorded, and until the report is written. Figures: medians, with min/median/max;
// `ratios.queue_vs_local` is the steady units per second through the queue over locally, one worker
// each; 1 vs 2 queue workers likewise; whether all runs recorded identical results (timing aside).
//
//   npm run bench:distributed [-- --quick] [-- --rounds N]   (node --import tsx benchmarks/distributed/run.ts)
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, existsSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { parseSweepSpec, runSweep } from '../../runner/sweep/sweep.ts';
import { KEY_PREFIX } from '../../runner/queue/queue-url.ts';
import { RedisServer, hasRedisServer } from '../../test/helpers/redis-server.ts';
import { QUICK, median, spread, writeResult } from '../harness.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const quick = QUICK;
const roundsAt = process.argv.indexOf('--rounds');
const rounds = roundsAt > 0 ? Number(process.argv[roundsAt + 1]) : quick ? 1 : 3;
if (!hasRedisServer) throw new Error('redis-server is not installed: apt-get install redis-server');
const spec = parseSweepSpec({
  name: 'bench-distributed', policies: ['expert'], scene: 'kitchen', axes: { lighting: [1] },
  chains: quick ? 2 : 12, steps: quick ? 2 : 5, baselineEpisodes: quick ? 1 : 2, seed: 3,
}, 'benchmarks/distributed/run.ts');

/** Every record of a sweep directory, timing fields removed, as one sorted string. */
function recordsOf(dir: string): string {
  const rows: string[] = [];
  for (const p of readdirSync(dir)) {
    if (!statSync(join(dir, p)).isDirectory()) continue;
    for (const cell of readdirSync(join(dir, p))) for (const f of ['records.jsonl', 'baseline.jsonl']) {
      const file = join(dir, p, cell, f);
      if (!existsSync(file)) continue;
      for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
        const r = JSON.parse(line);
        delete r.latencyMs; delete r.simMsPerStep; delete r.wallMs;
        rows.push(`${p}/${cell}/${f} ${JSON.stringify(r)}`);
      }
    }
  }
  return rows.sort().join('\n');
}

const redis = await RedisServer.start();
const children: ChildProcess[] = [];
const results: Record<string, { units: number; steadyMsPerUnit: number[]; toLastUnit: number[]; toReport: number[] }> = {};
const records = new Set<string>();
try {
  const run = async (label: string, o: { workers?: number; queueWorkers?: number }) => {
    const dir = mkdtempSync(join(tmpdir(), `chaingap-bench-dist-${label}-`));
    const queueName = `bench-${label}-${Object.values(results).reduce((a, x) => a + x.toReport.length, 0)}`;
    const mine: ChildProcess[] = [];
    if (o.queueWorkers) {
      for (let i = 0; i < o.queueWorkers; i++) {
        const c = spawn(process.execPath, [join(ROOT, 'scripts/chaingap.mjs'), 'worker', '--queue', redis.url, '--queue-name', queueName, '--name', `w${i}`], { stdio: 'ignore' });
        mine.push(c);
        children.push(c);
      }
      const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
      const q = new Queue(queueName, { connection, prefix: KEY_PREFIX });
      while ((await q.getWorkersCount()) < o.queueWorkers) await new Promise((r) => setTimeout(r, 100));
      await q.close();
      connection.disconnect();
      // Let each worker process finish loading (its first thread starts with the first job either way).
      await new Promise((r) => setTimeout(r, 500));
    }
    const t0 = performance.now();
    let last = t0, first = 0;
    const r = await runSweep(spec, {
      out: dir, ...(o.queueWorkers ? { queue: { url: redis.url, name: queueName } } : { workers: o.workers, inProcess: false }), log: () => {},
      onProgress: () => { last = performance.now(); first ||= last; },
    });
    const seconds = (performance.now() - t0) / 1000, toLast = (last - t0) / 1000;
    if (r.failed?.length) throw new Error(`${label}: ${r.failed.length} units failed`);
    const res = (results[label] ??= { units: r.ran, steadyMsPerUnit: [], toLastUnit: [], toReport: [] });
    res.steadyMsPerUnit.push((last - first) / (r.ran - 1));
    res.toLastUnit.push(toLast);
    res.toReport.push(seconds);
    records.add(recordsOf(dir));
    process.stderr.write(`${label}: ${r.ran} units in ${toLast.toFixed(1)} s (steady ${res.steadyMsPerUnit.at(-1)!.toFixed(0)} ms per unit), report written at ${seconds.toFixed(1)} s\n`);
    for (const c of mine) c.kill('SIGTERM');
    await Promise.all(mine.map((c) => new Promise((res) => (c.exitCode !== null ? res(null) : c.once('exit', res)))));
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < rounds; i++) {
    await run('local_1', { workers: 1 });
    await run('queue_1', { queueWorkers: 1 });
    await run('local_2', { workers: 2 });
    await run('queue_2', { queueWorkers: 2 });
  }
} finally {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await redis.stop();
}
const spread2 = (xs: number[]) => spread(xs, (x) => Number(x.toFixed(2)));
const units = results.local_1.units;
const t = (k: string) => median(results[k].steadyMsPerUnit);
const doc = {
  name: 'distributed',
  spec: { chains: spec.chains, steps: spec.steps, settings: 2, baselineEpisodes: spec.baselineEpisodes, units, rounds, quick },
  figures: {
    steady_ms_per_unit: Object.fromEntries(Object.entries(results).map(([k, v]) => [k, spread2(v.steadyMsPerUnit)])),
    seconds_to_last_unit: Object.fromEntries(Object.entries(results).map(([k, v]) => [k, spread2(v.toLastUnit)])),
    seconds_to_report: Object.fromEntries(Object.entries(results).map(([k, v]) => [k, spread2(v.toReport)])),
    overhead_ms_per_unit: Number((t('queue_1') - t('local_1')).toFixed(1)),
    identical_results: records.size === 1,
  },
  ratios: {
    queue_vs_local: Number((t('local_1') / t('queue_1')).toFixed(3)),
    queue_2_workers_vs_1: Number((t('queue_1') / t('queue_2')).toFixed(3)),
    local_2_threads_vs_1: Number((t('local_1') / t('local_2')).toFixed(3)),
  },
  env: { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, redis: 'redis-server on 127.0.0.1 (appendonly, appendfsync always)' },
};
writeResult('distributed', doc);
process.stdout.write(JSON.stringify(doc) + '\n');
if (!doc.figures.identical_results) process.exitCode = 1;
