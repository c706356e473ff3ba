// `chaingap worker`: takes sweep units from a BullMQ queue and runs them on worker threads (the same
// sweep-worker.mjs a local sweep uses, so a unit's result does not depend on where it ran), returning
// each result through Redis. The main thread only talks to Redis, so job locks are renewed while a long
// chain runs; a worker killed mid-chain lets its lock lapse and another worker's stalled-job check puts
// the job back (BullMQ), so every unit runs at least once. Jobs planned by another chaingap version or
// with other model weights are handed back untouched and the worker stops with the reason.
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import Tinypool from 'tinypool';
import { DelayedError, Queue, Worker, type Job } from 'bullmq';
import type { PolicyOpenOptions } from '../../policies/registry.ts';
import type { SweepResult, SweepUnit } from '../sweep/sweep-unit.ts';
import { DEFAULT_QUEUE_NAME, KEY_PREFIX, checkQueueName, closeRedis, openRedis, waitForRedis, type QueueTarget } from './connection.ts';
import { describeUnit, refusalOf, type UnitJob } from './jobs.ts';

export interface QueueWorkerOptions extends QueueTarget {
  /** Units run at once, each on its own worker thread (default 1). */
  concurrency?: number;
  /** This worker's name in `--status` (default host:pid). */
  workerName?: string;
  /** How long a job's lock lasts without renewal (ms, default 30000): how soon a killed worker's job is taken again. */
  lockMs?: number;
  /** How this worker opens learned policies (ONNX device...); overrides what the collector planned. */
  policyOptions?: Omit<PolicyOpenOptions, 'log'>;
  /** Stop once the queue has had no waiting, delayed or running job for this long (ms); default: run until stopped. */
  idleExitMs?: number;
  /** Stop taking jobs (the running ones finish and are returned) when aborted. */
  signal?: AbortSignal;
  /** One line per event (start, each finished or failed unit, refusals, Redis outages); default stderr. */
  log?: (line: string) => void;
}

export interface QueueWorkerSummary {
  workerName: string;
  /** Units run and returned. */
  done: number;
  /** Units that threw (BullMQ retries them until their attempts are used up). */
  failed: number;
  /** Why this worker stopped taking jobs, if it refused one (another version or other weights). */
  refused: string | null;
}

/** The Redis hash where workers leave why they refused a job (the collector prints it). */
export const refusalsKey = (queueName: string) => `${KEY_PREFIX}:${queueName}:chaingap-refusals`;

/** Run a queue worker until `signal` aborts, it refuses a job, or (with `idleExitMs`) the queue stays empty. */
export async function runQueueWorker(o: QueueWorkerOptions): Promise<QueueWorkerSummary> {
  const log = o.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const queueName = checkQueueName(o.name ?? DEFAULT_QUEUE_NAME);
  const concurrency = Math.max(1, o.concurrency ?? 1);
  const workerName = o.workerName ?? `${os.hostname()}:${process.pid}`;
  const lockMs = o.lockMs ?? 30_000;
  const redis = openRedis(o.url, log);
  await waitForRedis(redis, o.url, o.connectTimeoutMs).catch((e) => { closeRedis(redis); throw e; });
  const pool = new Tinypool({ filename: fileURLToPath(new URL('../sweep/sweep-worker.mjs', import.meta.url)), minThreads: concurrency, maxThreads: concurrency, isolateWorkers: false });
  const summary: QueueWorkerSummary = { workerName, done: 0, failed: 0, refused: null };
  let running = 0, lastBusy = Date.now();
  let stopping: Promise<void> | undefined;
  let worker: Worker | undefined;
  let closed!: () => void;
  const whenClosed = new Promise<void>((resolve) => { closed = resolve; });
  const stop = () => (stopping ??= worker!.close().then(closed, closed));

  worker = new Worker(queueName, async (job: Job, token?: string) => {
    const data = job.data as UnitJob;
    const why = refusalOf(data);
    if (why) {
      // Hand the job back untouched (no attempt used) for a worker that can run it, and stop taking jobs.
      await job.moveToDelayed(Date.now() + 1000, token);
      if (!summary.refused) {
        summary.refused = why;
        log(`chaingap worker ${workerName}: refusing ${describeUnit(data.unit)} of sweep ${data.sweep}: ${why}; this worker stops`);
        await redis.hset(refusalsKey(queueName), workerName, why);
        setImmediate(() => void stop());
      }
      throw new DelayedError();
    }
    running++;
    try {
      const unit: SweepUnit = { ...data.unit, policyOptions: { ...data.unit.policyOptions, ...o.policyOptions } };
      const r = (await pool.run(unit)) as SweepResult;
      if (r.userError) throw new Error(`${r.userError.name}: ${r.userError.message}`);
      return r;
    } finally {
      running--;
      lastBusy = Date.now();
    }
  }, {
    connection: redis, prefix: KEY_PREFIX, concurrency, name: workerName,
    lockDuration: lockMs, stalledInterval: Math.max(1000, Math.round(lockMs / 2)),
    // A job may lose its worker twice (killed, machine lost) before it counts as failing on its own.
    maxStalledCount: 2,
  });
  worker.on('completed', (job: Job) => {
    summary.done++;
    log(`chaingap worker ${workerName}: done ${describeUnit((job.data as UnitJob).unit)} (${summary.done} so far)`);
  });
  worker.on('failed', (job: Job | undefined, err: Error) => {
    if (err instanceof DelayedError || err.name === 'DelayedError') return;
    summary.failed++;
    log(`chaingap worker ${workerName}: failed ${job ? describeUnit((job.data as UnitJob).unit) : 'a job'} (attempt ${job?.attemptsMade ?? '?'}): ${err.message}`);
  });
  worker.on('error', () => {}); // connection errors: reported once per outage by openRedis

  const onAbort = () => void stop();
  o.signal?.addEventListener('abort', onAbort);
  log(`chaingap worker ${workerName}: serving queue ${queueName} at ${o.url} with ${concurrency} thread(s)`);
  let idleTimer: NodeJS.Timeout | undefined;
  const counter = o.idleExitMs !== undefined ? new Queue(queueName, { connection: redis, prefix: KEY_PREFIX }) : undefined;
  counter?.on('error', () => {});
  if (o.idleExitMs !== undefined) {
    const idleMs = o.idleExitMs;
    idleTimer = setInterval(() => {
      if (running || stopping || Date.now() - lastBusy < idleMs) return;
      counter!.getJobCounts('wait', 'delayed', 'active', 'prioritized', 'waiting-children').then((c: Record<string, number>) => {
        if (Object.values(c).every((n) => n === 0) && !running && Date.now() - lastBusy >= idleMs) {
          log(`chaingap worker ${workerName}: queue empty for ${idleMs / 1000} s; stopping`);
          void stop();
        } else if (Object.values(c).some((n) => n > 0)) lastBusy = Date.now(); // work is queued (maybe for other workers): not idle
      }, () => {});
    }, Math.min(1000, idleMs));
  }
  try {
    await whenClosed;
  } finally {
    if (idleTimer) clearInterval(idleTimer);
    await counter?.close();
    o.signal?.removeEventListener('abort', onAbort);
    await pool.destroy();
    closeRedis(redis);
  }
  return summary;
}
