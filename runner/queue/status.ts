// `chaingap sweep SPEC --queue URL --status`: where a distributed sweep's units are, read from Redis
// without changing anything: waiting, running (and on which worker), retrying, finished but not yet
// collected, failed (with the error), collected per worker; the workers connected; refusals.
import type { JobType } from 'bullmq';
import { DEFAULT_QUEUE_NAME, openQueue, waitForRedis, type QueueTarget } from './connection.ts';
import { describeUnit, type UnitJob } from './jobs.ts';
import { doneByKey } from './collector.ts';
import { refusalsKey } from './worker.ts';
import type { QueueStatus } from './status-lines.ts';

export { statusLines, type QueueStatus } from './status-lines.ts';

/** Read the queue's state of sweep `sweep` (its spec's name). */
export async function queueStatus(t: QueueTarget, sweep: string): Promise<QueueStatus> {
  const queueName = t.name ?? DEFAULT_QUEUE_NAME;
  const { queue, redis, close } = openQueue(t);
  try {
    await waitForRedis(redis, t.url, t.connectTimeoutMs);
    // Ids per state, then each job's name (the sweep it belongs to) in one round trip.
    const idsOf = async (types: JobType[]) => {
      const ids = await queue.getRanges(types, 0, -1, true);
      const pipe = redis.pipeline();
      for (const id of ids) pipe.hget(queue.toKey(id), 'name');
      const names = (await pipe.exec()) ?? [];
      return ids.filter((_, i) => names[i]?.[1] === sweep);
    };
    const waiting = await idsOf(['wait', 'prioritized']);
    const active = await idsOf(['active']);
    const delayed = await idsOf(['delayed']);
    const finished = await idsOf(['completed']);
    const failedIds = await idsOf(['failed']);
    const failed = [];
    for (const id of failedIds) {
      const job = await queue.getJob(id);
      if (job) failed.push({ jobId: id, unit: describeUnit((job.data as UnitJob).unit), error: job.failedReason, attempts: job.attemptsMade });
    }
    const runningBy: Record<string, number> = {};
    for (const id of active) {
      const job = await queue.getJob(id);
      const w = job?.processedBy ?? 'unknown';
      runningBy[w] = (runningBy[w] ?? 0) + 1;
    }
    const collectedBy = Object.fromEntries(Object.entries(await redis.hgetall(doneByKey(queueName, sweep))).map(([k, v]) => [k, Number(v)]));
    // BullMQ names a worker's connection `<prefix>:<queue>:w:<worker name>` (getWorkers' `rawname`).
    const connected = new Set((await queue.getWorkers()).map((w) => w.rawname ?? '').filter((n) => n.includes(':w:')).map((n) => n.slice(n.indexOf(':w:') + 3)));
    const names = [...new Set([...connected, ...Object.keys(runningBy), ...Object.keys(collectedBy)])].sort();
    return {
      url: t.url, queue: queueName, sweep,
      waiting: waiting.length, running: active.length, retrying: delayed.length, finished: finished.length, failed,
      collectedBy, collected: Object.values(collectedBy).reduce((a, b) => a + b, 0),
      workers: names.map((name) => ({ name, connected: connected.has(name), running: runningBy[name] ?? 0, collected: collectedBy[name] ?? 0 })),
      refusals: await redis.hgetall(refusalsKey(queueName)),
    };
  } finally {
    await close();
  }
}
