// Sweep scaling benchmark: the same sweep run with 1 and with 2 worker threads on fresh directories,
// in interleaved pairs (1, 2, 1, 2, ...), so a slow phase of a shared host falls on both sides of a
// ratio; chain runs per hour of each run, the ratio of each pair and min/median/max over the pairs (the
// goal on 2 cores: >= 1.8x). Two sweep sizes: the headline one, 20 chains per setting in 3 settings
// (60 chain runs and 42 baseline episodes; `--pairs N`, default 3), and a long one, 60 chains per
// setting (180 chain runs; `--long-pairs N`, default 2, 0 to skip). Each worker warms up on its own:
// it loads the code and V8 compiles its hot functions for it on background threads, per worker (about
// 4.4 s of optimising compiles per worker over the short sweep, measured with --trace-opt on
// 2026-12-05), so the short sweep shows that fixed cost and the long one what a long sweep gets. The
// results of every run of a size are compared (they must be identical). Each run also reports how many
// cores the process kept busy (process CPU time over wall time): a 1-worker sweep keeps more than one
// core busy (the main thread, V8's background compiler and garbage collector threads), which a 2-worker
// sweep on 2 cores must fit into the same two cores. A pair's ratio is exactly the product of two
// measured factors: CPU seconds per chain run with 1 worker over with 2 (`cpu_per_chain_1_vs_2_workers`:
// below 1 when two workers do more work in all, each warming up its own JIT) and cores busy with 2
// workers over with 1 (`cores_busy_2_vs_1_worker`: at most 2 / cores_busy_1_worker on 2 cores). The
// machine's own ceiling is measured before and after them: a fixed arithmetic loop on 1 and on 2
// threads at once (`machine_threads2_vs_1`), so a shared host that lends less than two whole cores
// shows in the same run; the same loop updating a 64 MB array per thread at random
// (`machine_memory_threads2_vs_1`), what two threads get when they also share the memory system; and
// threads stepping the physics benchmark's world (`machine_physics_threads2_vs_1`, physics-ceiling.ts),
// what two threads get on the work a sweep worker spends most of its time in, with one thread's rate on
// each CPU, pinned (`machine_physics_steps_per_s_per_cpu_*`): the two virtual CPUs of a shared host can
// differ on this work while the loops above see them equal (2026-12-05: 25% for a while).
// Each pair also runs the 1-worker sweep with the whole process pinned to one CPU (`cpus2_vs_1`: 2
// workers on 2 CPUs against 1 worker on 1 CPU, the textbook speedup on two cores). Unpinned, a 1-worker
// sweep is not a one-CPU run: V8 compiles and collects for it on the idle CPU, so `workers2_vs_1` is
// what a second worker thread adds on a 2-CPU machine, and `cpus2_vs_1` what a second CPU adds.
//
//   npm run bench:sweep [-- --pairs N --long-pairs N]     (node --import tsx benchmarks/sweep/run.ts)
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSweepSpec, runSweep } from '../../runner/sweep/sweep.ts';
import { outcomeOf } from '../../runner/results/summary.ts';
import { QUICK, machineLoopRate, median, pinToCpus, sig4 as round, spread, unpin, writeResult } from '../harness.ts';
import { machinePhysicsScaling, physicsRatePerCpu } from './physics-ceiling.ts';

/** The sweep of the headline figure (60 chain runs, about 35-55 s with 1 worker) and a longer one (180 chain runs). */
const sweepOf = (chains: number) => parseSweepSpec({
  name: 'bench', policies: ['expert'], scene: 'kitchen', axes: { clutter: [1], lighting: [1] },
  chains, steps: QUICK ? 2 : 10, baselineEpisodes: QUICK ? 1 : 2, seed: 3,
}, 'benchmarks/sweep/run.ts');
const SHORT_CHAINS = QUICK ? 2 : 20;
const LONG_CHAINS = QUICK ? 3 : 60;
const MEMORY_WORKING_SET = 64 << 20;
/** Timed window of each thread of the physics ceiling (ms). */
const PHYSICS_WINDOW_MS = QUICK ? 200 : 1000;
const machine: number[] = [], memory: number[] = [], physics: number[] = [];
const perCpu: (Record<string, number> | string)[] = [];
const ceiling = async () => {
  machine.push((await machineLoopRate(2)) / (await machineLoopRate(1)));
  memory.push((await machineLoopRate(2, MEMORY_WORKING_SET)) / (await machineLoopRate(1, MEMORY_WORKING_SET)));
  physics.push((await machinePhysicsScaling(PHYSICS_WINDOW_MS, QUICK ? 1 : 9)).ratio);
  const p = physicsRatePerCpu(PHYSICS_WINDOW_MS, QUICK ? 1 : 2);
  perCpu.push(p.rates ? Object.fromEntries(p.rates.map((r, i) => [`cpu${i}`, r])) : `not measured: ${p.why}`);
};
const count = (flag: string, dflt: number): number => {
  const at = process.argv.indexOf(flag);
  if (at < 0) return dflt;
  const n = Number(process.argv[at + 1]);
  if (!Number.isInteger(n) || n < 0) throw new Error(`benchmarks/sweep/run.ts: ${flag} must be a whole number >= 0 (got ${process.argv[at + 1]})`);
  return n;
};
const pairs = count('--pairs', QUICK ? 1 : 3);
const longPairs = count('--long-pairs', QUICK ? 1 : 2);
if (pairs < 1) throw new Error('benchmarks/sweep/run.ts: --pairs must be at least 1');

/**
 * One run of a pair: 1 worker pinned to one CPU (the process and all its threads; the CPU alternates
 * between pairs, as the two CPUs may differ), 1 worker, 2 workers. `oneCpu` is the textbook speedup's
 * baseline: the same work on one CPU, where V8's background compiler and the main thread must share the
 * worker's CPU instead of using the idle second one.
 */
type RunKind = 'oneCpu' | 1 | 2;
interface PairStats { ratios: number[]; cpuRatios: number[]; rates: Record<RunKind, number[]>; busy: Record<number, number[]>; cpuPerChain: Record<number, number[]>; chains: number; units: number; notPinned: string | null }
const outcomes = new Map<number, Set<string>>();
/** `n` interleaved pairs (1 worker, then 2) of the sweep with `chains` chains per setting. */
async function runPairs(chains: number, n: number): Promise<PairStats> {
  const spec = sweepOf(chains);
  const st: PairStats = { ratios: [], cpuRatios: [], rates: { oneCpu: [], 1: [], 2: [] }, busy: { 1: [], 2: [] }, cpuPerChain: { 1: [], 2: [] }, chains: 0, units: 0, notPinned: null };
  const seen = outcomes.get(chains) ?? new Set<string>();
  outcomes.set(chains, seen);
  for (let pair = 0; pair < n; pair++) {
    let oneCpuRate: number | null = null;
    for (const kind of ['oneCpu', 1, 2] as const) {
      const workers = kind === 'oneCpu' ? 1 : kind;
      const cpu = kind === 'oneCpu' ? pair % 2 : null;
      if (cpu !== null) {
        st.notPinned = pinToCpus(String(cpu));
        if (st.notPinned) continue;
      }
      const dir = mkdtempSync(join(tmpdir(), `chaingap-bench-sweep-${workers}-`));
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      // All through the worker pool, so the ratios compare like with like.
      const r = await runSweep(spec, { out: dir, workers, inProcess: false });
      const s = (performance.now() - t0) / 1000;
      const used = process.cpuUsage(cpu0);
      if (cpu !== null) unpin();
      st.chains = r.cells.reduce((a, c) => a + c.summary.chains, 0);
      st.units = r.ran;
      const rate = (st.chains * 3600) / s;
      st.rates[kind].push(rate);
      if (kind === 'oneCpu') oneCpuRate = rate;
      const busy = (used.user + used.system) / 1e6 / s;
      if (kind !== 'oneCpu') {
        st.busy[kind].push(busy);
        st.cpuPerChain[kind].push((used.user + used.system) / 1e6 / st.chains);
      }
      seen.add(JSON.stringify(r.cells.map((c) => [c.setting, outcomeOf(c.summary)])));
      const what = cpu !== null ? `1 worker on CPU ${cpu} alone` : `${workers} worker(s)`;
      process.stderr.write(`${chains} chains per setting, pair ${pair + 1}/${n}, ${what}: ${r.ran} units (${st.chains} chain runs) in ${s.toFixed(1)} s, ${rate.toFixed(0)} chain runs/hour, ${busy.toFixed(2)} cores busy\n`);
      rmSync(dir, { recursive: true, force: true });
    }
    st.ratios.push(st.rates[2][pair] / st.rates[1][pair]);
    if (oneCpuRate !== null) st.cpuRatios.push(st.rates[2][pair] / oneCpuRate);
  }
  const { cpuEfficiency, busyRatio } = factors(st);
  process.stderr.write(`${chains} chains per setting, 2 workers vs 1, per pair: ${st.ratios.map((x) => x.toFixed(2)).join(', ')} = CPU per chain 1 worker / 2 workers ${cpuEfficiency.map((x) => x.toFixed(3)).join(', ')} x cores busy 2 workers / 1 worker ${busyRatio.map((x) => x.toFixed(3)).join(', ')}\n`);
  process.stderr.write(st.notPinned ? `${chains} chains per setting, 2 CPUs vs 1: not measured (${st.notPinned})\n`
    : `${chains} chains per setting, 2 workers on 2 CPUs vs 1 worker on 1 CPU, per pair: ${st.cpuRatios.map((x) => x.toFixed(2)).join(', ')}\n`);
  return st;
}
/**
 * The ratio of a pair is exactly (CPU per chain, 1 worker / 2 workers) x (cores busy, 2 workers / 1 worker):
 * how much more work two workers do in all, and how many more cores they keep busy. Per pair.
 */
function factors(st: PairStats): { cpuEfficiency: number[]; busyRatio: number[] } {
  return {
    cpuEfficiency: st.cpuPerChain[1].map((c, i) => c / st.cpuPerChain[2][i]),
    busyRatio: st.busy[2].map((b, i) => b / st.busy[1][i]),
  };
}
/** The figures of a set of pairs, as the results file has them. */
function figuresOf(st: PairStats) {
  const { cpuEfficiency, busyRatio } = factors(st);
  return {
    chains_per_hour_1_worker: Math.round(median(st.rates[1])), chains_per_hour_2_workers: Math.round(median(st.rates[2])),
    chains_per_hour_1_worker_one_cpu: st.rates.oneCpu.length ? Math.round(median(st.rates.oneCpu)) : null,
    cores_busy_1_worker: round(median(st.busy[1])), cores_busy_2_workers: round(median(st.busy[2])),
    cpu_s_per_chain_1_worker: round(median(st.cpuPerChain[1])), cpu_s_per_chain_2_workers: round(median(st.cpuPerChain[2])),
    cpu_per_chain_1_vs_2_workers: round(median(cpuEfficiency)), cores_busy_2_vs_1_worker: round(median(busyRatio)),
    spread: {
      chains_per_hour_1_worker: spread(st.rates[1], Math.round), chains_per_hour_2_workers: spread(st.rates[2], Math.round),
      workers2_vs_1: spread(st.ratios, (x) => Number(x.toFixed(3))),
      cpus2_vs_1: st.cpuRatios.length ? spread(st.cpuRatios, (x) => Number(x.toFixed(3))) : null,
    },
    ...(st.notPinned ? { cpus2_vs_1_not_measured: st.notPinned } : {}),
  };
}

await ceiling();
const short = await runPairs(SHORT_CHAINS, pairs);
const long = longPairs ? await runPairs(LONG_CHAINS, longPairs) : null;
await ceiling();
process.stderr.write(`machine: 2 spinning threads do ${machine.map((m) => m.toFixed(2)).join(' and ')}x the work of 1 (before and after the sweeps); updating 64 MB each at random, ${memory.map((m) => m.toFixed(2)).join(' and ')}x; stepping tabletop30's physics, ${physics.map((m) => m.toFixed(2)).join(' and ')}x; one thread's physics steps/s on each CPU (pinned): ${perCpu.map((p) => (typeof p === 'string' ? p : Object.values(p).join(' / '))).join(' and ')}\n`);
const mean2 = (xs: number[]) => Number(((xs[0] + xs[1]) / 2).toFixed(3));
const doc = {
  name: 'sweep',
  setup: { pairs, chains: SHORT_CHAINS, steps: sweepOf(SHORT_CHAINS).steps, chain_runs: short.chains, units: short.units, long_pairs: longPairs, long_chains: LONG_CHAINS, long_chain_runs: long?.chains ?? null, long_units: long?.units ?? null, order: '1 worker pinned to one CPU (CPU 0 in pairs 1, 3, ..., CPU 1 in pairs 2, 4, ...), 1 worker, 2 workers, per pair; the short sweep\'s pairs, then the long one\'s' },
  figures: {
    ...figuresOf(short),
    identical_results: [...outcomes.values()].every((s) => s.size === 1),
    long: long ? figuresOf(long) : null,
    machine_threads2_vs_1_before: Number(machine[0].toFixed(3)), machine_threads2_vs_1_after: Number(machine[1].toFixed(3)),
    machine_memory_threads2_vs_1_before: Number(memory[0].toFixed(3)), machine_memory_threads2_vs_1_after: Number(memory[1].toFixed(3)),
    machine_physics_threads2_vs_1_before: Number(physics[0].toFixed(3)), machine_physics_threads2_vs_1_after: Number(physics[1].toFixed(3)),
    // Steps/s of one thread pinned to each CPU: unequal CPUs cap 2 workers against 1 (physics-ceiling.ts).
    machine_physics_steps_per_s_per_cpu_before: perCpu[0], machine_physics_steps_per_s_per_cpu_after: perCpu[1],
  },
  ratios: {
    workers2_vs_1: Number(median(short.ratios).toFixed(3)),
    workers2_vs_1_long: long ? Number(median(long.ratios).toFixed(3)) : null,
    // 2 workers on 2 CPUs against 1 worker on 1 CPU (the textbook speedup on two cores).
    cpus2_vs_1: short.cpuRatios.length ? Number(median(short.cpuRatios).toFixed(3)) : null,
    cpus2_vs_1_long: long?.cpuRatios.length ? Number(median(long.cpuRatios).toFixed(3)) : null,
    machine_threads2_vs_1: mean2(machine), machine_memory_threads2_vs_1: mean2(memory), machine_physics_threads2_vs_1: mean2(physics),
  },
  env: { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length },
};
writeResult('sweep', doc);
process.stdout.write(JSON.stringify(doc) + '\n');
