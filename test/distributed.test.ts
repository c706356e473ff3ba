// Distributed sweeps through a real Redis (Debian's redis-server, started here on a free port with its own
// directory): `chaingap worker` processes take the units, the sweep collects them. In every fault case
// (two workers, a worker SIGKILLed mid-chain, Redis SIGKILLed and restarted mid-sweep, units that always
// throw) the run directories must hold exactly what an uninterrupted local sweep of the same spec holds,
// record for record (timing fields aside), and failed units must be reported.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { SweepSpecSchema, runSweep, type SweepResultSummary } from '../runner/sweep/sweep.ts';
import { queueStatus } from '../runner/queue/status.ts';
import { runCi } from '../runner/ci/ci.ts';
import { loadCiConfig } from '../runner/ci/ci-config.ts';
import { KEY_PREFIX } from '../runner/queue/queue-url.ts';
import { refusalOf, unitJob, jobIdOf } from '../runner/queue/jobs.ts';
import { RedisServer, hasRedisServer } from './helpers/redis-server.ts';
import { readRecording, recordingPath } from '../runner/view/recording.ts';

if (!hasRedisServer && process.env.CHAINGAP_CI === '1') throw new Error('redis-server is missing: .ci/run installs it with apt-get (Debian package redis-server)');

const spec = SweepSpecSchema.parse({ name: 'dist', policies: ['expert'], scene: 'kitchen', axes: { lighting: [1] }, chains: 2, steps: 2, baselineEpisodes: 1, seed: 3 });
const TIMING = new Set(['latencyMs', 'simMsPerStep', 'wallMs']);

/** Every record of a sweep directory, by cell and key, timing fields removed. */
function recordsOf(dir: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of readdirSync(dir)) {
    const pdir = path.join(dir, p);
    if (!statSync(pdir).isDirectory()) continue;
    for (const cell of readdirSync(pdir)) {
      for (const f of ['records.jsonl', 'baseline.jsonl']) {
        const file = path.join(pdir, cell, f);
        if (!existsSync(file)) continue;
        for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
          const r = JSON.parse(line);
          for (const k of TIMING) delete r[k];
          const key = `${p}/${cell}/${f}:${r.chainId ?? r.task}#${r.repeat ?? r.episode}`;
          expect(out[key], `${key} recorded twice`).toBeUndefined();
          out[key] = r;
        }
      }
    }
  }
  return out;
}

describe.skipIf(!hasRedisServer)('distributed sweeps on BullMQ + Redis', () => {
  let redis: RedisServer;
  let tmp: string;
  let local: Record<string, unknown>;
  let localSummary: SweepResultSummary;
  const children: ChildProcess[] = [];
  let n = 0;

  /** A `chaingap worker` process; its stderr is kept for the test's messages. */
  const worker = (name: string, args: string[] = []) => spawnWorker(name, `q${n}`, args);
  const spawnWorker = (name: string, queueName: string, args: string[] = []) => {
    const child = spawn(process.execPath, ['scripts/chaingap.mjs', 'worker', '--queue', redis.url, '--queue-name', queueName, '--name', name, '--lock-seconds', '2', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    child.stderr!.on('data', (d) => { log += d; });
    children.push(child);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    return { child, log: () => log, exited };
  };
  /** A queue handle of the test's own, to look at (and, once, add to) the queue. */
  const sideQueue = (queueName: string) => {
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    const q = new Queue(queueName, { connection, prefix: KEY_PREFIX });
    return Object.assign(q, { done: async () => { await q.close(); connection.disconnect(); } });
  };
  const connectedWorkers = async (queueName: string, count: number) => {
    const q = sideQueue(queueName);
    try {
      for (let i = 0; i < 200 && (await q.getWorkersCount()) < count; i++) await new Promise((r) => setTimeout(r, 100));
      expect(await q.getWorkersCount()).toBeGreaterThanOrEqual(count);
    } finally {
      await q.done();
    }
  };
  const fresh = () => {
    n++;
    return { out: path.join(tmp, `run${n}`), queueName: `q${n}` };
  };
  // One long-lived worker (two threads) on queue "shared" for the cases that do not kill workers.
  let steady: ReturnType<typeof worker> | undefined;
  const sharedQueue = async () => {
    n++;
    if (!steady) {
      steady = spawnWorker('steady', 'shared', ['--concurrency', '2']);
      await connectedWorkers('shared', 1);
    }
    return { out: path.join(tmp, `run${n}`), queueName: 'shared', w: steady };
  };

  beforeAll(async () => {
    redis = await RedisServer.start();
    tmp = mkdtempSync(path.join(os.tmpdir(), 'chaingap-dist-'));
    localSummary = await runSweep(spec, { out: path.join(tmp, 'local') });
    local = recordsOf(path.join(tmp, 'local'));
    expect(Object.keys(local).length).toBe(localSummary.units!.total);
  }, 120_000);

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await redis?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('two workers in parallel: the results equal a local run record for record, each worker did a share, --status counts them', async () => {
    const { out, queueName } = fresh();
    const a = worker('w1'), b = worker('w2');
    await connectedWorkers(queueName, 2);
    const r = await runSweep(spec, { out, queue: { url: redis.url, name: queueName }, record: 'all', log: () => {} });
    expect(r.failed).toEqual([]);
    expect(r.queue).toMatchObject({ duplicates: 0, requeued: 0 });
    expect(recordsOf(out)).toEqual(local);
    // --record: the trajectories came back through Redis and were written beside the records.
    const chainKeys = Object.keys(local).filter((k) => k.includes('/records.jsonl:'));
    expect(r.recordings.written).toBe(chainKeys.length);
    for (const k of chainKeys) {
      const [cellPath, id] = k.split('/records.jsonl:');
      const [chainId, repeat] = id.split('#');
      const rec = readRecording(recordingPath(path.join(out, cellPath), chainId, Number(repeat)));
      expect([rec.chainId, rec.repeat]).toEqual([chainId, Number(repeat)]);
    }
    expect(r.cells.map((c) => c.summary.S)).toEqual(localSummary.cells.map((c) => c.summary.S));
    const s = await queueStatus({ url: redis.url, name: queueName }, spec.name);
    expect(s.collected).toBe(localSummary.units!.total);
    expect(s.collectedBy.w1).toBeGreaterThan(0);
    expect(s.collectedBy.w2).toBeGreaterThan(0);
    expect(s).toMatchObject({ waiting: 0, running: 0, finished: 0, failed: [] });
    expect(s.workers.filter((w) => w.connected).map((w) => w.name).sort()).toEqual(['w1', 'w2']);
    a.child.kill('SIGTERM');
    b.child.kill('SIGTERM');
    expect(await a.exited).toBe(0);
    expect(await b.exited).toBe(0);
  }, 120_000);

  it('a worker SIGKILLed mid-chain: its stalled unit runs again on another worker, counted once', async () => {
    const { out, queueName } = fresh();
    const a = worker('doomed');
    await connectedWorkers(queueName, 1);
    const side = sideQueue(queueName);
    let killedWhileActive = 0;
    const sweep = runSweep(spec, { out, queue: { url: redis.url, name: queueName }, log: () => {} });
    // Kill the worker while a chain run is under way (a chain unit is active, none collected yet).
    for (let i = 0; i < 300; i++) {
      const active = await side.getJobs(['active']);
      if (active.some((j) => (j.data as { unit: { kind: string } }).unit.kind === 'chain')) {
        await new Promise((r) => setTimeout(r, 300));
        killedWhileActive = (await side.getActiveCount());
        a.child.kill('SIGKILL');
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(killedWhileActive).toBeGreaterThan(0);
    expect(await a.exited).toBe(null);
    const b = worker('rescuer');
    const r = await sweep;
    expect(r.failed).toEqual([]);
    expect(r.queue!.duplicates).toBe(0);
    expect(recordsOf(out)).toEqual(local);
    expect(b.log()).toMatch(/done expert\/.*chain/);
    await side.done();
    b.child.kill('SIGTERM');
    expect(await b.exited).toBe(0);
  }, 120_000);

  it('Redis SIGKILLed and restarted mid-sweep: no finished result is lost, the results equal a local run', async () => {
    const { out, queueName } = await sharedQueue();
    let collected = 0, restarted: Promise<void> | undefined;
    const lines: string[] = [];
    const r = await runSweep(spec, {
      out, queue: { url: redis.url, name: queueName }, log: (l) => lines.push(l),
      onProgress: (done) => {
        collected = done;
        if (done === 2 && !restarted) restarted = redis.restart();
      },
    });
    await restarted;
    expect(restarted).toBeDefined();
    expect(collected).toBe(localSummary.units!.total);
    expect(r.failed).toEqual([]);
    expect(recordsOf(out)).toEqual(local);
    expect(lines.join('\n')).toMatch(/redis .*retrying until it is back/);
    expect(lines.join('\n')).toMatch(/redis .*connected again/);
    // The append-only file (fsynced on every write) kept every job: none had to be enqueued again.
    expect(r.queue!.requeued).toBe(0);
  }, 120_000);

  it('Redis loses its data mid-sweep (FLUSHALL, as a restart without persistence): the lost jobs are enqueued again, the results equal a local run', async () => {
    const { out, queueName } = await sharedQueue();
    let flushed: Promise<unknown> | undefined;
    const lines: string[] = [];
    const admin = new Redis(redis.url);
    const r = await runSweep(spec, {
      out, queue: { url: redis.url, name: queueName, lostCheckMs: 500 }, log: (l) => lines.push(l),
      onProgress: (done) => { if (done === 2 && !flushed) flushed = admin.flushall(); },
    });
    await flushed;
    admin.disconnect();
    expect(r.queue!.requeued).toBeGreaterThan(0);
    expect(lines.join('\n')).toMatch(/job\(s\) of this sweep were no longer in Redis; enqueued again/);
    expect(r.failed).toEqual([]);
    expect(recordsOf(out)).toEqual(local);
  }, 120_000);

  it('CLI: sweep --queue killed mid-sweep resumes: the rerun collects what workers finished meanwhile; --status shows the queue', async () => {
    const { out, queueName } = await sharedQueue();
    const file = path.join(tmp, 'spec.json');
    writeFileSync(file, JSON.stringify(spec));
    const sweepArgs = ['scripts/chaingap.mjs', 'sweep', file, '--queue', redis.url, '--queue-name', queueName, '--out', out];
    const first = spawn(process.execPath, sweepArgs, { stdio: 'ignore' });
    const recorded = () => {
      try {
        return existsSync(out) ? Object.keys(recordsOf(out)).length : 0;
      } catch {
        return 0; // a line being written
      }
    };
    for (let i = 0; i < 600 && recorded() < 2; i++) await new Promise((r) => setTimeout(r, 50));
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const status = spawnSync(process.execPath, ['scripts/chaingap.mjs', 'sweep', file, '--queue', redis.url, '--queue-name', queueName, '--status'], { encoding: 'utf8' });
    expect(status.status).toBe(0);
    expect(status.stdout).toMatch(/^sweep dist on queue shared at redis:\/\/127\.0\.0\.1:\d+\n  collected \d+, running \d+, waiting \d+, retrying 0, finished and not yet collected \d+, failed 0\n  workers:\n    steady: running \d, collected \d+/);
    const rerun = spawnSync(process.execPath, [...sweepArgs, '--json'], { encoding: 'utf8' });
    expect(rerun.status, rerun.stderr).toBe(0);
    const r = JSON.parse(rerun.stdout) as SweepResultSummary;
    expect(r.resumed).toBeGreaterThanOrEqual(2);
    expect(r.resumed + r.ran).toBe(localSummary.units!.total);
    expect(recordsOf(out)).toEqual(local);
  }, 120_000);

  it('ci --queue: the job runs on the workers, records a reference, and a local job of the same config matches it exactly', async () => {
    const { out } = await sharedQueue();
    const cfgFile = path.join(tmp, 'ci.json');
    writeFileSync(cfgFile, JSON.stringify({
      name: 'dist-ci', policy: 'expert', suites: [{ name: 'k', chains: 2, steps: 2, seed: 3, settings: [{ floors: { S_1: 0.5 } }], isolatedFloors: { q: 0.5 } }],
      baselineEpisodes: 1, compare: ['S_1', 'S_2', 'q'], baseline: 'ci-ref.json', workers: 1, out: 'ci-out',
    }));
    const queued = await runCi(loadCiConfig(cfgFile), { updateBaseline: true, out: path.join(out, 'queued'), queue: { url: redis.url, name: 'shared' }, log: () => {} });
    expect(queued.status).toBe('pass');
    // The suite's sweep went through the queue (its summary says where).
    expect(JSON.parse(readFileSync(path.join(out, 'queued', 'k', 'summary.json'), 'utf8')).queue).toMatchObject({ url: redis.url, name: 'shared', duplicates: 0 });
    const local = await runCi(loadCiConfig(cfgFile), { out: path.join(out, 'local') });
    expect(local.exitCode).toBe(0);
    expect(local.metrics).toEqual(queued.metrics);
    expect(local.checks.filter((c) => c.kind === 'compare').every((c) => c.drop === 0)).toBe(true);
  }, 120_000);

  it('units that always throw use up their attempts and are listed as failed in summary.json and the report; the rest equal a local run', async () => {
    const { out, queueName } = await sharedQueue();
    // A remote policy whose server is down: every one of its units throws on every attempt.
    const down = 'ws://127.0.0.1:9';
    const two = SweepSpecSchema.parse({ ...spec, policies: ['expert', down] });
    const r = await runSweep(two, { out, queue: { url: redis.url, name: queueName, attempts: 2 }, log: () => {} });
    const perPolicy = localSummary.units!.total;
    expect(r.failed!.length).toBe(perPolicy);
    for (const f of r.failed!) {
      expect(f.unit).toMatch(/^ws___127\.0\.0\.1_9\//);
      expect(f.attempts).toBe(2);
      expect(f.error).toMatch(/127\.0\.0\.1:9/);
    }
    expect(r.units).toEqual({ recorded: perPolicy, total: 2 * perPolicy });
    const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'));
    expect(summary.failed.length).toBe(perPolicy);
    expect(readFileSync(path.join(out, 'report.html'), 'utf8')).toContain(`Failed units: ${perPolicy}`);
    const mine = recordsOf(out);
    expect(Object.fromEntries(Object.entries(mine).filter(([k]) => k.startsWith('expert/')))).toEqual(local);
    expect(Object.keys(mine).filter((k) => !k.startsWith('expert/'))).toEqual([]);
    const s = await queueStatus({ url: redis.url, name: queueName }, two.name);
    expect(s.failed.length).toBe(perPolicy);
    // SIGTERM: the shared worker finishes what it runs and exits 0.
    steady!.child.kill('SIGTERM');
    expect(await steady!.exited).toBe(0);
    steady = undefined;
  }, 120_000);

  it('the distributed-sweep example runs a worker and the sweep through the queue and prints S_N per setting', () => {
    const dir = path.join(tmp, 'example');
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/examples/distributed-sweep.ts', redis.url, dir, '1'], { encoding: 'utf8' });
    const lines = out.trim().split('\n');
    expect(lines[0]).toMatch(/^worker example-worker ran [1-9]\d* units; collected [1-9]\d*, failed 0$/);
    const summary = JSON.parse(readFileSync(path.join(dir, 'summary.json'), 'utf8')) as SweepResultSummary;
    expect(lines[0]).toContain(`ran ${summary.units!.total} units; collected ${summary.units!.total}`);
    summary.cells.forEach((c, i) => {
      const S = c.summary.S[c.summary.steps - 1];
      expect(lines[1 + i]).toBe(`${c.setting.padEnd(12)} S_${c.summary.steps} = ${S.value.toFixed(2)} [${S.ci.map((x) => x.toFixed(2)).join(', ')}]`);
    });
  }, 120_000);

  it('worker --idle-exit: a worker of a batch job exits 0 once the queue has stayed empty that long', async () => {
    const { queueName } = fresh();
    const w = spawnWorker('batch', queueName, ['--idle-exit', '1']);
    expect(await w.exited).toBe(0);
    expect(w.log()).toMatch(/batch: queue empty for 1 s; stopping\n[\s\S]*batch: 0 unit\(s\) done/);
  }, 60_000);

  it('a worker of another chaingap version refuses the job without using an attempt, says why, and exits 2', async () => {
    const { queueName } = fresh();
    const q = sideQueue(queueName);
    const unit = { kind: 'baseline' as const, cell: 'expert/baseline', runId: 'x', policy: 'expert', task: { name: 't' } as never, episode: 0, seed: 1 };
    const job = { ...unitJob(unit, 'dist', null), chaingap: '0.0.0-elsewhere' };
    expect(refusalOf(job)).toMatch(/chaingap 0\.0\.0-elsewhere.*this worker is chaingap/);
    await q.add('dist', job, { jobId: jobIdOf(job, null), attempts: 3 });
    const w = worker('old');
    expect(await w.exited).toBe(2);
    expect(w.log()).toMatch(/refus.*0\.0\.0-elsewhere/);
    const back = await q.getJob(jobIdOf(job, null));
    expect(back!.attemptsMade).toBe(0);
    expect(['delayed', 'wait']).toContain(await back!.getState());
    await q.done();
  }, 60_000);
});

describe('queue mistakes are clear errors (no Redis needed)', () => {
  it('a bad --queue URL exits 2 with one line naming the option and the form', () => {
    const r = spawnSync(process.execPath, ['scripts/chaingap.mjs', 'worker', '--queue', 'http://127.0.0.1:6379'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--queue: "http:\/\/127\.0\.0\.1:6379" is not a Redis URL; write redis:\/\/host:port/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a queue where no Redis answers fails the sweep with the URL and the fix, writing nothing', async () => {
    const out = path.join(os.tmpdir(), `chaingap-noredis-${process.pid}`);
    await expect(runSweep(spec, { out, queue: { url: 'redis://127.0.0.1:9', connectTimeoutMs: 300 }, log: () => {} }))
      .rejects.toThrow(/--queue redis:\/\/127\.0\.0\.1:9: no Redis answered within 0\.3 s; start redis-server there/);
    expect(existsSync(out)).toBe(false);
  });

  it('a worker refuses a job planned with other model weights, naming both fingerprints', () => {
    const model = 'policies/models/example-cnn/model.onnx';
    const unit = { kind: 'baseline' as const, cell: 'c', runId: 'x', policy: `onnx:${model}`, task: { name: 't' } as never, episode: 0, seed: 1 };
    const mine = refusalOf(unitJob(unit, 's', 'ffffffffffffffff'));
    expect(mine).toMatch(/weights have fingerprint [0-9a-f]{16}, the sweep was planned with ffffffffffffffff: copy the same model file to every worker/);
    const fp = /fingerprint ([0-9a-f]{16})/.exec(mine!)![1];
    expect(refusalOf(unitJob(unit, 's', fp))).toBeNull();
    // The job id changes with the weights, the salt hash and the unit, and only with them.
    const id = (fpr: string | null, salt: string | null, u = unit) => jobIdOf(unitJob(u, 's', fpr), salt);
    expect(id(fp, null)).toBe(id(fp, null));
    expect(new Set([id(fp, null), id('ffffffffffffffff', null), id(fp, 'abc'), id(fp, null, { ...unit, episode: 1 })]).size).toBe(4);
    expect(jobIdOf(unitJob(unit, 'another-name', fp), null)).toBe(id(fp, null));
  });
});
