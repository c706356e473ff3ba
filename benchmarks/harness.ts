// Shared by the harnesses: `--quick` runs a harness small, only to prove it works (`npm run bench --
// --quick`, run by .ci/run; a quick run's figures mean nothing and are not written to
// benchmarks/results/), the results file, and the statistics of repeated measurements.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const QUICK = process.argv.includes('--quick');

export const RESULTS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), 'results');

/** Write benchmarks/results/<name>.json (not in a --quick run); returns the path, or null. */
export function writeResult(name: string, doc: unknown): string | null {
  if (QUICK) return null;
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = resolve(RESULTS_DIR, `${name}.json`);
  writeFileSync(file, JSON.stringify(doc, null, 2) + '\n');
  return file;
}

/** The median of a sample (the mean of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  const v = [...xs].sort((a, b) => a - b);
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
}

/** min, median and max of repeated measurements, each passed through `round`. */
export function spread(xs: readonly number[], round: (x: number) => number = (x) => x): { min: number; median: number; max: number } {
  return { min: round(Math.min(...xs)), median: round(median(xs)), max: round(Math.max(...xs)) };
}

/** Milliseconds of each of `n` awaited calls, after `warmup` untimed ones. */
export async function timeCalls(call: () => Promise<unknown>, n: number, warmup = 5): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await call();
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await call();
    ms.push(performance.now() - t0);
  }
  return ms;
}
