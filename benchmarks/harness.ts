// Shared by the harnesses: `--quick` runs a harness small, only to prove it works (`npm run bench --
// --quick`, run by .ci/run; a quick run's figures mean nothing and are not written to
// benchmarks/results/), the results file, and the statistics of repeated measurements.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

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

/** A figure to 4 significant digits, as the harnesses write them. */
export const sig4 = (x: number): number => Number(x.toPrecision(4));

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

/**
 * The machine's own speed, for reading absolute figures across runs on a shared host: loop iterations
 * per second, summed over `threads` threads spinning at once, of a fixed integer loop (median of 3
 * rounds of about 2 s, 0.2 s with --quick). A harness measures it before and after its own work; a
 * figure that moved with this number moved with the machine, not with the code. With
 * `workingSetBytes`, each iteration also updates a pseudo-random element of that many bytes per
 * thread, so the loop also measures what the threads share besides the cores: caches and memory.
 */
export async function machineLoopRate(threads = 1, workingSetBytes = 0): Promise<number> {
  const words = Math.max(1, 2 ** Math.ceil(Math.log2(Math.max(8, workingSetBytes) / 8)));
  const code = `const { parentPort } = require('node:worker_threads');
    const a = new Float64Array(${workingSetBytes > 0 ? words : 1}); const mask = a.length - 1; a.fill(1); // touched before timing: no page faults inside
    let x = 1, n = 0; const t0 = Date.now();
    while (Date.now() - t0 < ${QUICK ? 200 : 2000}) { for (let i = 0; i < 1e5; i++) { x = (x * 1103515245 + 12345) % 2147483648; ${workingSetBytes > 0 ? 'a[x & mask] += 1;' : ''} } n += 1e5; }
    parentPort.postMessage({ rate: n / ((Date.now() - t0) / 1000), x: x + a[0] });`;
  const rounds: number[] = [];
  for (let r = 0; r < 3; r++) {
    const rates = await Promise.all(Array.from({ length: threads }, () => new Promise<number>((res, rej) => {
      const w = new Worker(code, { eval: true });
      w.once('message', (m: { rate: number }) => { res(m.rate); void w.terminate(); });
      w.once('error', rej);
    })));
    rounds.push(rates.reduce((a, b) => a + b, 0));
  }
  return rounds.sort((a, b) => a - b)[1];
}

/** The CPUs each thread of this process may run on (Linux /proc), e.g. { '0': 14, '1': 1 }: threads per CPU list. */
export function threadAffinities(): Record<string, number> {
  const out: Record<string, number> = {};
  try {
    for (const t of readdirSync('/proc/self/task')) {
      const m = /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync(`/proc/self/task/${t}/status`, 'utf8'));
      if (m) out[m[1]] = (out[m[1]] ?? 0) + 1;
    }
  } catch {
    // not Linux: nothing to report
  }
  return out;
}

/**
 * Pin every thread of this process (and the threads it starts later, which inherit it) to one CPU with
 * util-linux's `taskset`. Returns null when pinned, else why not (no taskset, not Linux). Libraries
 * that set their own threads' affinity escape it: onnxruntime pins its intra-op pool one thread per
 * core, so a one-core run must also open its models with one intra-op thread; check with
 * threadAffinities() after the work.
 */
export function pinToCpu(cpu = 0): string | null {
  return pinToCpus(String(cpu));
}

/** The CPUs this process could run on before it was first pinned (taskset's list), for `unpin`. */
let unpinned: string | undefined;

/** `pinToCpu` with a CPU list as taskset reads it (`0`, `0-1`, `0,2`). */
export function pinToCpus(list: string): string | null {
  try {
    unpinned ??= execFileSync('taskset', ['-pc', String(process.pid)], { encoding: 'utf8' }).trim().split(': ').at(-1);
    execFileSync('taskset', ['-a', '-pc', list, String(process.pid)], { stdio: 'ignore' });
    return null;
  } catch (e) {
    return `taskset -a -pc ${list} failed (${(e as Error).message.split('\n')[0]})`;
  }
}

/** Undo `pinToCpu`: every thread of this process may run on the CPUs it could before. */
export function unpin(): string | null {
  return unpinned === undefined ? null : pinToCpus(unpinned);
}
