// The machine's ceiling for a sweep's own kind of work: threads stepping chaingap's physics world at
// once. A sweep worker spends most of its time in Rapier's step (WASM: caches, memory, branch
// predictors), which two threads on two virtual CPUs may share in ways a plain arithmetic loop does not
// show (SMT siblings on the host, shared caches, a neighbour's load). Each thread builds the physics
// benchmark's tabletop30 world (30 objects, the arm sweeping over them, sleeping off), steps it
// untimed (at least 2 s of simulated time and 1 s of wall time), then, on request, as many steps as it
// can in a fixed wall-clock window. The figure is the steps per second of two threads at once over one thread
// alone: `workers2_vs_1` of a sweep over it is how much of what the machine gives two threads of
// physics the sweep gets.
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { initRapier } from '../../sim/rapier.ts';
import { PHYSICS_HZ, SimWorld } from '../../sim/world.ts';
import { SUBSTEPS, sweepJointTargets, tabletop30Scene } from '../physics/scene.ts';
import { median, pinToCpu } from '../harness.ts';

/** A thread's world, built and warmed up: `time(ms)` steps it for that window and gives steps per second. */
async function warmWorld(): Promise<{ time: (windowMs: number) => number }> {
  await initRapier();
  // Enough joint targets for the fastest thread: the sweep's lawnmower path, looped.
  const targets = sweepJointTargets(6000);
  const world = await SimWorld.create(tabletop30Scene(), { sleep: false, substeps: SUBSTEPS, forceLimit: true });
  let s = 0;
  const step = (): void => {
    if (s % SUBSTEPS === 0) world.robot.setJointTarget(targets[(s / SUBSTEPS) % targets.length]);
    world.physicsStep();
    s++;
  };
  // At least 2 s of simulated time and 1 s of wall time, so V8 has tiered the hot WASM functions up.
  const warmStart = performance.now();
  while (s < 2 * PHYSICS_HZ || performance.now() - warmStart < 1000) step();
  return {
    time(windowMs) {
      let n = 0;
      const t0 = performance.now();
      let t = t0;
      while (t - t0 < windowMs) {
        for (let i = 0; i < 50; i++) step();
        n += 50;
        t = performance.now();
      }
      return n / ((t - t0) / 1000);
    },
  };
}

// A source checkout runs this file through tsx: the worker registers the loader before importing it.
const WORKER_CODE = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(import.meta.url)}); });`;

interface TimeRequest { windowMs: number; ready: Int32Array; threads: number }

/**
 * Two threads stepping physics at once against one. Two worker threads build and warm up a world each
 * and stay up; then `rounds` rounds each time thread A alone and A and B together (every thread waits
 * until all of the round's threads are ready, so their windows overlap), solo first in even rounds and
 * the pair first in odd ones. The figure is the median of the rounds' ratios: rounds a few seconds long,
 * so a slow phase of a shared host mostly falls within a round rather than between the two figures of
 * a ratio.
 */
export async function machinePhysicsScaling(windowMs: number, rounds = 9): Promise<{ ratio: number; one: number; two: number; ratios: number[] }> {
  const workers = [0, 1].map(() => new Worker(WORKER_CODE, { eval: true, workerData: { physicsCeiling: true } }));
  try {
    const failed = new Promise<never>((_, reject) => { for (const w of workers) w.once('error', reject); });
    failed.catch(() => {}); // seen through the races below; an error after the last one changes nothing
    const next = (w: Worker) => Promise.race([new Promise<number>((resolve) => w.once('message', resolve)), failed]);
    await Promise.all(workers.map(next)); // built and warmed up
    const time = async (threads: number): Promise<number> => {
      const ready = new Int32Array(new SharedArrayBuffer(4));
      const replies = workers.slice(0, threads).map((w) => {
        const reply = next(w);
        w.postMessage({ windowMs, ready, threads } satisfies TimeRequest);
        return reply;
      });
      return (await Promise.all(replies)).reduce((a, b) => a + b, 0);
    };
    const ones: number[] = [], twos: number[] = [];
    for (let r = 0; r < rounds; r++) {
      if (r % 2 === 0) { ones.push(await time(1)); twos.push(await time(2)); } else { twos.push(await time(2)); ones.push(await time(1)); }
    }
    const ratios = twos.map((t, i) => t / ones[i]);
    return { ratio: median(ratios), one: median(ones), two: median(twos), ratios };
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/**
 * One thread's physics steps per second on each CPU: a child process pinned to the CPU (taskset) warms
 * up a world and times `windowMs`, CPU after CPU, `rounds` times round; the median per CPU. Virtual
 * CPUs of a shared host need not be equal: one whose host core's other hyperthread is busy runs this
 * work slower while an arithmetic loop runs as fast on both (measured 2026-12-05: 6,617-6,653 against
 * 4,926-4,963 steps/s, while machine_threads2_vs_1 was 1.95-1.99). A sweep's single worker may run on
 * either, so 2 workers against 1 can reach (sum of the rates) / (the rate of the CPU the one ran on).
 * Null when the process cannot be pinned (no taskset, not Linux), with why.
 */
export function physicsRatePerCpu(windowMs: number, rounds = 2): { rates: number[] } | { rates: null; why: string } {
  const n = cpus().length;
  const per: number[][] = Array.from({ length: n }, () => []);
  for (let r = 0; r < rounds; r++) {
    for (let cpu = 0; cpu < n; cpu++) {
      const c = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--physics-solo', String(cpu), String(windowMs)], { encoding: 'utf8' });
      const line = c.stdout.trim().split('\n').at(-1) ?? '';
      const out = (() => { try { return JSON.parse(line) as { rate?: number; why?: string }; } catch { return null; } })();
      if (c.status !== 0 || !out) throw new Error(`physics-ceiling: the child pinned to CPU ${cpu} failed (exit ${c.status}): ${c.stderr.trim().split('\n').slice(-3).join(' | ')}`);
      if (out.why) return { rates: null, why: out.why };
      per[cpu].push(out.rate!);
    }
  }
  return { rates: per.map((xs) => Math.round(median(xs))) };
}

// A child of physicsRatePerCpu: pin to the CPU, warm up, time one window, print {rate} (or {why}).
const solo = process.argv.indexOf('--physics-solo');
if (isMainThread && solo > 0) {
  const why = pinToCpu(Number(process.argv[solo + 1]));
  if (why) process.stdout.write(`${JSON.stringify({ why })}\n`);
  else process.stdout.write(`${JSON.stringify({ rate: (await warmWorld()).time(Number(process.argv[solo + 2])) })}\n`);
}

if (!isMainThread && parentPort && (workerData as { physicsCeiling?: boolean } | undefined)?.physicsCeiling) {
  const port = parentPort;
  const world = await warmWorld();
  port.on('message', ({ windowMs, ready, threads }: TimeRequest) => {
    Atomics.add(ready, 0, 1);
    Atomics.notify(ready, 0);
    for (let v = Atomics.load(ready, 0); v < threads; v = Atomics.load(ready, 0)) Atomics.wait(ready, 0, v);
    port.postMessage(world.time(windowMs));
  });
  port.postMessage(0);
}
