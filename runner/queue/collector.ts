// The collector side of a distributed sweep: enqueue every unit not yet recorded as a BullMQ job with
// its idempotent id, then take finished jobs' results out of Redis and hand them to the sweep, which
// appends them to the same append-only run directories a local sweep writes; only then is the job
// removed from Redis. Exactly-once counting: a result whose record is already stored (a job that ran
// twice) is dropped. A job whose attempts are used up stays in Redis' failed set and is returned as
// failed, with its error, for the report; running the sweep again retries it. Jobs that vanished from
// Redis (a Redis restarted without its data) are enqueued again, so nothing is waited for forever.
import type { Job } from 'bullmq';
import type { SweepResult, SweepUnit } from '../sweep/sweep-unit.ts';
import { KEY_PREFIX, DEFAULT_QUEUE_NAME, openQueue, waitForRedis, type QueueTarget } from './connection.ts';
import { describeUnit, jobIdOf, unitJob } from './jobs.ts';
import { refusalsKey } from './worker.ts';

export interface QueueSweepOptions extends QueueTarget {
  /** Runs of a job before it counts as failed (default 3; BullMQ retries with exponential backoff from 1 s). */
  attempts?: number;
  /** How often Redis is asked for finished jobs (ms, default 200). */
  pollMs?: number;
  /** How often the collector looks for jobs Redis lost (restarted without persistence) to enqueue them again (ms, default 5000). */
  lostCheckMs?: number;
}

/** A unit whose job used up its attempts: listed in the sweep's report and summary, never dropped. */
export interface FailedUnit {
  jobId: string;
  cell: string;
  /** e.g. `expert/controlled chain kitchen-3 repeat 0` or `expert/baseline put-bowl-in-basket episode 4`. */
  unit: string;
  error: string;
  attempts: number;
}

export interface QueueRunOutcome {
  failed: FailedUnit[];
  /** Units still queued or running when the sweep stopped waiting (Ctrl-C, time budget); a rerun collects them. */
  stopped: number;
  /** Results that arrived for a unit already recorded (a job that ran twice), dropped. */
  duplicates: number;
  /** Jobs enqueued again because Redis no longer had them. */
  requeued: number;
}

/** Redis hash of units collected per worker name, for `--status`. */
export const doneByKey = (queueName: string, sweep: string) => `${KEY_PREFIX}:${queueName}:chaingap-done:${sweep}`;

interface Ctx {
  sweep: string;
  saltHash: string | null;
  /** Model fingerprint per policy id (null for policies without weights). */
  fingerprints: ReadonlyMap<string, string | null>;
  signal?: AbortSignal;
  stopAt?: number;
  log: (line: string) => void;
  /** Take a result; false when its unit is already recorded (the duplicate is dropped). */
  accept: (r: SweepResult) => boolean;
}

/** The job id and data of each unit, in order. */
export function plannedJobs(units: readonly SweepUnit[], c: Pick<Ctx, 'sweep' | 'saltHash' | 'fingerprints'>) {
  return units.map((u) => {
    const data = unitJob(u, c.sweep, c.fingerprints.get(u.policy) ?? null);
    return { id: jobIdOf(data, c.saltHash), data };
  });
}

/** Run `units` through the queue and collect their results; resolves when every unit is collected or failed (or the sweep stops waiting). */
export async function runUnitsOnQueue(units: readonly SweepUnit[], q: QueueSweepOptions, c: Ctx): Promise<QueueRunOutcome> {
  const queueName = q.name ?? DEFAULT_QUEUE_NAME;
  const attempts = Math.max(1, q.attempts ?? 3);
  const pollMs = q.pollMs ?? 200;
  const { queue, redis, close } = openQueue(q, c.log);
  const outcome: QueueRunOutcome = { failed: [], stopped: 0, duplicates: 0, requeued: 0 };
  try {
    await waitForRedis(redis, q.url, q.connectTimeoutMs);
    const planned = plannedJobs(units, c);
    const pending = new Map(planned.map((j) => [j.id, j]));
    const jobOpts = (jobId: string) => ({ jobId, attempts, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: false, removeOnFail: false });
    // Units that failed in an earlier run of this sweep: their jobs are still in the failed set; retry them.
    for (const id of await redis.zrange(queue.keys.failed, 0, -1)) {
      if (!pending.has(id)) continue;
      const job = await queue.getJob(id);
      await job?.retry('failed', { resetAttemptsMade: true });
    }
    const add = async (jobs: typeof planned) => {
      for (let i = 0; i < jobs.length; i += 500) {
        await queue.addBulk(jobs.slice(i, i + 500).map((j) => ({ name: j.data.sweep, data: j.data, opts: jobOpts(j.id) })));
      }
    };
    // Long units (chain runs) first, short ones (baseline episodes) last, as a local sweep orders them:
    // workers take jobs first in, first out, so the sweep does not end with one worker on a long chain.
    await add([...planned.filter((j) => j.data.unit.kind === 'chain'), ...planned.filter((j) => j.data.unit.kind !== 'chain')]);
    const seenRefusals = new Map<string, string>();
    let lastLostCheck = Date.now();
    const waiting = () => !c.signal?.aborted && (c.stopAt === undefined || Date.now() < c.stopAt);
    while (pending.size && waiting()) {
      // Finished jobs of this sweep: their results into the run directories, then out of Redis.
      for (const id of await redis.zrange(queue.keys.completed, 0, -1)) {
        if (!pending.has(id)) continue;
        const job: Job | undefined = await queue.getJob(id);
        if (!job) continue;
        if (c.accept(job.returnvalue as SweepResult)) await redis.hincrby(doneByKey(queueName, c.sweep), job.processedBy ?? 'unknown', 1);
        else outcome.duplicates++;
        pending.delete(id);
        await job.remove();
      }
      // Jobs that used up their attempts: failed, with the last error.
      for (const id of await redis.zrange(queue.keys.failed, 0, -1)) {
        const p = pending.get(id);
        if (!p) continue;
        const job = await queue.getJob(id);
        outcome.failed.push({ jobId: id, cell: p.data.unit.cell, unit: describeUnit(p.data.unit), error: job?.failedReason ?? 'unknown error', attempts: job?.attemptsMade ?? attempts });
        c.log(`chaingap: ${describeUnit(p.data.unit)} failed after ${job?.attemptsMade ?? attempts} attempt(s): ${job?.failedReason ?? 'unknown error'}`);
        pending.delete(id);
      }
      for (const [worker, why] of Object.entries(await redis.hgetall(refusalsKey(queueName)))) {
        if (seenRefusals.get(worker) === why) continue;
        seenRefusals.set(worker, why);
        c.log(`chaingap: worker ${worker} refused this sweep's jobs: ${why}`);
      }
      // Jobs Redis no longer has (restarted without persistence, removed by hand): enqueue them again.
      if (Date.now() - lastLostCheck > (q.lostCheckMs ?? 5000) && pending.size) {
        lastLostCheck = Date.now();
        const ids = [...pending.keys()];
        const pipe = redis.pipeline();
        for (const id of ids) pipe.exists(queue.toKey(id));
        const exists = (await pipe.exec()) ?? [];
        const lost = ids.filter((_, i) => exists[i]?.[1] === 0).map((id) => pending.get(id)!);
        if (lost.length) {
          c.log(`chaingap: ${lost.length} job(s) of this sweep were no longer in Redis; enqueued again (see docs/distributed.md on Redis persistence)`);
          outcome.requeued += lost.length;
          await add(lost);
        }
      }
      if (pending.size) await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
    outcome.stopped = pending.size;
    return outcome;
  } finally {
    await close();
  }
}
