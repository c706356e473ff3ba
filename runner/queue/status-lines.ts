// What `chaingap sweep SPEC --queue URL --status` reports (read from Redis by status.ts) and how it prints:
// apart from status.ts, so the library's index can offer both without loading BullMQ and ioredis.

export interface QueueStatus {
  url: string;
  queue: string;
  sweep: string;
  /** Jobs of this sweep in Redis, by state. */
  waiting: number;
  running: number;
  /** Waiting for a retry after a failed attempt (or handed back by a refusing worker). */
  retrying: number;
  /** Finished, result not yet taken by the collector (it is running elsewhere, or was stopped). */
  finished: number;
  failed: { jobId: string; unit: string; error: string; attempts: number }[];
  /** Results taken into the sweep's run directories, per worker name. */
  collectedBy: Record<string, number>;
  collected: number;
  /** Per worker name: units running now and units collected. */
  workers: { name: string; connected: boolean; running: number; collected: number }[];
  /** Workers that refused this queue's jobs, and why. */
  refusals: Record<string, string>;
}

/** The status as lines for a terminal. */
export function statusLines(s: QueueStatus): string[] {
  const lines = [
    `sweep ${s.sweep} on queue ${s.queue} at ${s.url}`,
    `  collected ${s.collected}, running ${s.running}, waiting ${s.waiting}, retrying ${s.retrying}, finished and not yet collected ${s.finished}, failed ${s.failed.length}`,
  ];
  if (s.workers.length) {
    lines.push('  workers:');
    for (const w of s.workers) lines.push(`    ${w.name}${w.connected ? '' : ' (not connected)'}: running ${w.running}, collected ${w.collected}`);
  } else lines.push('  no worker is connected: start one with `chaingap worker --queue URL`');
  for (const f of s.failed) lines.push(`  failed: ${f.unit} after ${f.attempts} attempt(s): ${f.error}`);
  for (const [w, why] of Object.entries(s.refusals)) lines.push(`  refused by ${w}: ${why}`);
  return lines;
}
