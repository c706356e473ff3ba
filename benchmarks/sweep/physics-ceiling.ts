// The machine's ceiling for a sweep's own kind of work: threads stepping chaingap's physics world at
// once. A sweep worker spends most of its time in Rapier's step (WASM: caches, memory, branch
// predictors), which two threads on two virtual CPUs may share in ways a plain arithmetic loop does not
// show (SMT siblings on the host, shared caches, a neighbour's load). Each thread builds the physics
// benchmark's tabletop30 world (30 objects, the arm sweeping over them, sleeping off), steps it
// untimed (at least 2 s of simulated time and 1 s of wall time), then as many steps as it can in a
// fixed wall-clock window. The figure is the steps per second of two threads at once over one thread
// alone: `workers2_vs_1` of a sweep over it is how much of what the machine gives two threads of
// physics the sweep gets.
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { initRapier } from '../../sim/rapier.ts';
import { PHYSICS_HZ, SimWorld } from '../../sim/world.ts';
import { SUBSTEPS, sweepJointTargets, tabletop30Scene } from '../physics/scene.ts';

/**
 * Physics steps per second of one thread stepping tabletop30 for `windowMs` after its warm-up. The
 * window starts once all `threads` threads sharing `ready` have warmed up, so their windows overlap.
 */
async function stepRate(windowMs: number, ready: Int32Array, threads: number): Promise<number> {
  await initRapier();
  const warmup = 2 * PHYSICS_HZ;
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
  while (s < warmup || performance.now() - warmStart < 1000) step();
  Atomics.add(ready, 0, 1);
  Atomics.notify(ready, 0);
  for (let v = Atomics.load(ready, 0); v < threads; v = Atomics.load(ready, 0)) Atomics.wait(ready, 0, v);
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < windowMs) {
    for (let i = 0; i < 50; i++) step();
    n += 50;
    t = performance.now();
  }
  world.free();
  return n / ((t - t0) / 1000);
}

// A source checkout runs this file through tsx: the worker registers the loader before importing it.
const WORKER_CODE = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(import.meta.url)}); });`;

/** Physics steps per second summed over `threads` threads stepping at once, each timing `windowMs`. */
function physicsRate(threads: number, windowMs: number): Promise<number> {
  const ready = new Int32Array(new SharedArrayBuffer(4));
  return Promise.all(Array.from({ length: threads }, () => new Promise<number>((resolve, reject) => {
    const w = new Worker(WORKER_CODE, { eval: true, workerData: { windowMs, ready, threads } });
    w.once('message', (m: number) => { resolve(m); void w.terminate(); });
    w.once('error', reject);
  }))).then((rates) => rates.reduce((a, b) => a + b, 0));
}

/**
 * Two threads stepping physics at once against one: `rounds` rounds, each timing 1 thread and then 2
 * (every thread builds and warms up its world before any starts its `windowMs` window, so the windows
 * of the two overlap), and the median of the rounds' ratios, so a slow phase of a shared host falls
 * within a round rather than between the two figures of a ratio.
 */
export async function machinePhysicsScaling(windowMs: number, rounds = 3): Promise<{ ratio: number; one: number; two: number }> {
  const ones: number[] = [], twos: number[] = [];
  for (let r = 0; r < rounds; r++) {
    ones.push(await physicsRate(1, windowMs));
    twos.push(await physicsRate(2, windowMs));
  }
  const mid = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return { ratio: mid(twos.map((t, i) => t / ones[i])), one: mid(ones), two: mid(twos) };
}

if (!isMainThread && parentPort && (workerData as { windowMs?: number } | undefined)?.windowMs !== undefined) {
  const { windowMs, ready, threads } = workerData as { windowMs: number; ready: Int32Array; threads: number };
  parentPort.postMessage(await stepRate(windowMs, ready, threads));
}
