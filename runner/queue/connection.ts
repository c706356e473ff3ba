// The Redis a distributed sweep runs through (BullMQ on ioredis): the URL users pass with `--queue`,
// checked at once, and the BullMQ queue every collector and worker of that URL and queue name shares.
// Connections never give up: while Redis is down (restarting, failing over) commands wait and are
// sent once it is back, so a sweep rides out a Redis restart.
import { Redis } from 'ioredis';
import { Queue } from 'bullmq';
import { DEFAULT_QUEUE_NAME, KEY_PREFIX, QueueError, checkQueueName, checkQueueUrl, type QueueTarget } from './queue-url.ts';

export { DEFAULT_QUEUE_NAME, KEY_PREFIX, QueueError, checkQueueName, checkQueueUrl, type QueueTarget };

const closing = new WeakSet<Redis>();

/** Close a connection made by `openRedis` (without reporting it as an outage). */
export function closeRedis(redis: Redis): void {
  closing.add(redis);
  redis.disconnect();
}

/**
 * An ioredis connection that retries forever (BullMQ needs `maxRetriesPerRequest: null`): while Redis is
 * unreachable, commands queue up and `onDown` is told once per outage.
 */
export function openRedis(url: string, onDown?: (message: string) => void): Redis {
  checkQueueUrl(url);
  const redis = new Redis(url, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    // Reconnect every 0.2 s to 2 s, for as long as it takes.
    retryStrategy: (times) => Math.min(200 * times, 2000),
    lazyConnect: false,
  });
  let down = false, wasReady = false;
  const lost = (why: string) => {
    if (!down) onDown?.(`redis ${url}: ${why}; retrying until it is back`);
    down = true;
  };
  redis.on('error', (e: Error) => lost(e.message));
  redis.on('close', () => { if (wasReady && !closing.has(redis)) lost('connection lost'); });
  redis.on('ready', () => {
    if (down) onDown?.(`redis ${url}: connected again`);
    down = false;
    wasReady = true;
  });
  return redis;
}

/** The BullMQ queue of a target, on its own connection (closed with `close`). */
export function openQueue(t: QueueTarget, onDown?: (message: string) => void): { queue: Queue; redis: Redis; close(): Promise<void> } {
  const redis = openRedis(t.url, onDown);
  const queue = new Queue(checkQueueName(t.name ?? DEFAULT_QUEUE_NAME), { connection: redis, prefix: KEY_PREFIX });
  // BullMQ re-emits connection errors on the queue; they are reported through onDown above.
  queue.on('error', () => {});
  return {
    queue, redis,
    close: async () => {
      await queue.close();
      closeRedis(redis);
    },
  };
}

/** Wait until Redis answers, or throw a clear error after `ms` (a typo in the URL should not hang a sweep). */
export async function waitForRedis(redis: Redis, url: string, ms = 10_000): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new QueueError(`--queue ${url}: no Redis answered within ${ms / 1000} s; start redis-server there (see docs/distributed.md) or fix the URL`));
    }, ms);
    const ok = () => { cleanup(); resolve(); };
    const cleanup = () => { clearTimeout(timer); redis.off('ready', ok); };
    redis.on('ready', ok);
  });
}
