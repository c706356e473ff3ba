// What names a queue: the `--queue` Redis URL and the BullMQ queue name, checked before anything
// connects (and without loading the Redis client, so the CLI checks options fast).
import { UserError } from '../../scenes/errors.ts';

export class QueueError extends UserError {}

/** The default BullMQ queue name; `--queue-name` picks another (one queue per team or sweep family). */
export const DEFAULT_QUEUE_NAME = 'chaingap';
/** Prefix of every key chaingap keeps in Redis. */
export const KEY_PREFIX = 'chaingap';

export interface QueueTarget {
  /** `redis://[user:password@]host:port[/db]` or `rediss://...` (TLS). */
  url: string;
  /** BullMQ queue name (default `chaingap`). */
  name?: string;
  /** How long to wait for Redis to answer at the start before failing with a clear error (ms, default 10000). */
  connectTimeoutMs?: number;
}

/** Check a `--queue` URL; the error names the option and shows the form. */
export function checkQueueUrl(url: string, what = '--queue'): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new QueueError(`${what}: "${url}" is not a URL; write redis://host:port (e.g. redis://127.0.0.1:6379)`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new QueueError(`${what}: "${url}" is not a Redis URL; write redis://host:port (or rediss:// for TLS)`);
  if (!u.hostname) throw new QueueError(`${what}: "${url}" names no host; write redis://host:port`);
  if (u.pathname && u.pathname !== '/' && !/^\/\d+$/.test(u.pathname)) throw new QueueError(`${what}: "${url}": the path must be a database number (redis://host:port/0), got "${u.pathname}"`);
  return u;
}

/** Check a queue name (it becomes part of Redis keys). */
export function checkQueueName(name: string, what = '--queue-name'): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name)) throw new QueueError(`${what}: "${name}" must be letters, digits, '.', '_' or '-' (it is part of Redis keys)`);
  return name;
}
