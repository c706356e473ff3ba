// Sweeps: policies x OOD settings x chains x repeats, always with the controlled setting (every axis
// at 0), plus each policy's controlled baseline; run on a pool of worker threads (tinypool), every
// result appended to its cell's run directory as it arrives, so a killed sweep resumes. Results are
// identical for any worker count: each unit carries its own seeds. `--shard i/n` runs a fixed share.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import Tinypool from 'tinypool';
import seedrandom from 'seedrandom';
import { DEFAULT_CHAIN_STEPS, generateChains, loadChains } from '../../scenes/chains.ts';
import { OOD_AXES, activeLevels, checkLevels, type OodAxis, type OodLevels } from '../../scenes/ood.ts';
import type { ChainSpec } from '../../scenes/types.ts';
import { parsePolicy, type PolicyOpenOptions } from '../../policies/registry.ts';
import { baselineTasks, deriveSeed, policyEntry, runIdOf, saltHash, versions, CHAINGAP_VERSION, type PolicyCode } from '../chains/run.ts';
import { Env, type EnvOptions } from '../../sim/env.ts';
import { initRapier, rapierModule } from '../../sim/rapier.ts';
import { PolicyUnavailableError, type Policy } from '../../sim/policy.ts';
import { UserError } from '../../scenes/errors.ts';
import { ResultsStore, baselineKey, recordKey, ResultsError } from '../results/store.ts';
import { RECORD_MODES, recordingPath, recordingsWritten, type RecordMode } from '../view/recording.ts';
import type { FailedUnit, QueueSweepOptions } from '../queue/collector.ts';
import { DEFAULT_QUEUE_NAME, QueueError } from '../queue/queue-url.ts';
import { summarise, type RunSummary } from '../results/summary.ts';
import { combinePhysicsHealth, type PhysicsHealthSummary } from '../results/health.ts';
import { runUnit, type SweepResult, type SweepUnit } from './sweep-unit.ts';
import { writeSweepReport } from '../report/sweep-report.ts';
import { readJsonFile } from '../../scenes/json.ts';

const Level = z.number().min(0).max(1);
export const SweepSpecSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/),
  policies: z.array(z.string()).min(1),
  scene: z.string().default('kitchen'),
  /** Levels per axis; 0 is added when missing. */
  axes: z.partialRecord(z.enum(OOD_AXES), z.array(Level).min(1)).default({}),
  /**
   * one-at-a-time: each axis alone, the others at 0; grid: every combination of the listed axes;
   * random: `samples` settings, each axis at a level drawn (seeded by `seed`) from its list;
   * list: exactly the settings in `settings` (the controlled one only if listed).
   */
  design: z.enum(['one-at-a-time', 'grid', 'random', 'list']).default('one-at-a-time'),
  /** The settings of design `list`, each a map axis -> level ({} is the controlled setting). */
  settings: z.array(z.partialRecord(z.enum(OOD_AXES), Level)).optional(),
  samples: z.number().int().min(1).default(8),
  chains: z.number().int().min(1),
  /** The user's own chains (a chain file) instead of `chains` generated ones from `scene`. */
  chainFile: z.string().optional(),
  steps: z.number().int().min(1).default(DEFAULT_CHAIN_STEPS),
  repeats: z.number().int().min(1).default(1),
  mode: z.enum(['strict', 'continue']).default('strict'),
  seed: z.number().int().min(0).default(0),
  baselineEpisodes: z.number().int().min(1).default(20),
});
export type SweepSpec = z.output<typeof SweepSpecSchema>;

/** Read and check a sweep spec file (`chaingap sweep SPEC`); every problem names the file and field. */
export function loadSweepSpec(file: string): SweepSpec {
  return parseSweepSpec(readJsonFile(file, undefined, { what: 'a sweep spec (JSON; see scripts/examples/)' }), file);
}

export function parseSweepSpec(json: unknown, file: string): SweepSpec {
  const r = SweepSpecSchema.safeParse(json);
  if (!r.success) {
    const iss = r.error.issues[0];
    throw new ResultsError(`${file}: ${iss.path.join('.') || '(root)'}: ${iss.message}`);
  }
  for (const p of r.data.policies) parsePolicy(p);
  checkLevels(Object.fromEntries(Object.entries(r.data.axes).map(([a, ls]) => [a, Math.max(...ls)])) as OodLevels, `${file}: axes`);
  if ((r.data.design === 'list') !== (r.data.settings !== undefined)) {
    throw new ResultsError(`${file}: settings: ${r.data.design === 'list' ? 'design "list" needs a settings array' : 'settings are only read with design "list"'}`);
  }
  if (r.data.design === 'list' && !r.data.settings!.length) throw new ResultsError(`${file}: settings: list at least one setting`);
  return r.data;
}

/** The OOD settings of a sweep, the controlled one first. */
export function sweepSettings(spec: SweepSpec): OodLevels[] {
  const axes = Object.keys(spec.axes) as OodAxis[];
  const levels = (a: OodAxis) => [...new Set([0, ...spec.axes[a]!])].sort((x, y) => x - y);
  let settings: OodLevels[];
  if (spec.design === 'list') {
    settings = (spec.settings ?? []).map((s) => activeLevels(s as OodLevels));
  } else if (spec.design === 'grid') {
    settings = [{}];
    for (const a of axes) settings = settings.flatMap((s) => levels(a).map((l) => ({ ...s, [a]: l })));
    settings = settings.map((s) => activeLevels(s));
  } else if (spec.design === 'random') {
    const rng = seedrandom(`${spec.seed}:sweep-design`);
    settings = [{}, ...Array.from({ length: spec.samples }, () => activeLevels(Object.fromEntries(axes.map((a) => [a, levels(a)[Math.floor(rng() * levels(a).length)]])) as OodLevels))];
  } else {
    settings = [{}, ...axes.flatMap((a) => levels(a).filter((l) => l > 0).map((l) => ({ [a]: l }) as OodLevels))];
  }
  const seen = new Set<string>();
  settings = settings.filter((s) => { const k = settingKey(s); if (seen.has(k)) return false; seen.add(k); return true; });
  if (spec.design === 'list') return settings;
  return settings
    .sort((a, b) => (settingKey(a) === 'controlled' ? -1 : settingKey(b) === 'controlled' ? 1 : settingKey(a) < settingKey(b) ? -1 : 1));
}

export function settingKey(s: OodLevels): string {
  const act = activeLevels(s);
  const parts = OOD_AXES.filter((a) => a in act).map((a) => `${a}=${act[a]}`);
  return parts.length ? parts.join('+') : 'controlled';
}

const dirName = (p: string) => p.replace(/[^A-Za-z0-9._-]/g, '_');

export interface SweepOptions {
  out: string;
  /**
   * Policies given as code (see `PolicyCode` in runner/chains/run.ts), by the name the spec's `policies` lists
   * them under: `runSweep({ ...spec, policies: ['expert', 'mine'] }, { policies: { mine: myPolicy } })`.
   * The name is their identity in the sweep directory (resume). A policy object cannot cross to a worker
   * thread, so a sweep with code policies runs in this thread (workers 1, with a note on `log`). Build
   * the spec with `SweepSpecSchema.parse` (a spec file names only built-in policies).
   */
  policies?: Record<string, PolicyCode>;
  /** Env options of the code policies' env (e.g. cameras and a renderer for a policy that needs images). */
  env?: EnvOptions;
  /** Notices (workers forced to 1 for code policies); default stderr. */
  log?: (line: string) => void;
  workers?: number;
  /** With one worker, run the units in this thread instead of a worker thread (default true). */
  inProcess?: boolean;
  /** Private salt for a fresh test set (chains, layouts, policy seeds); only its hash is recorded. */
  salt?: string;
  /** Run only units whose index mod n is i (0-based). */
  shard?: { index: number; count: number };
  /** Run nothing: summarise what is recorded and count what is missing (after a merge). */
  noRun?: boolean;
  /** How workers open learned policies (ONNX device, remote timeout, preset...); plain data, sent to worker threads. */
  policyOptions?: Omit<PolicyOpenOptions, 'log'>;
  /** Called after each unit run now, with its result (the chain or baseline record). */
  onProgress?: (done: number, total: number, resumed: boolean, result?: SweepResult) => void;
  /** Wall-clock time (ms since the epoch) after which no new unit is started; the rest count as `stopped`. */
  stopAt?: number;
  /** Stop taking new units when aborted (Ctrl-C); the rest count as `stopped`, the report is written from what is recorded. */
  signal?: AbortSignal;
  /**
   * Trajectories to keep (runner/view/recording.ts): `none` (default), `failures` or `all`, one msgpack file per
   * chain run in the cell's `recordings/` (`<out>/<policy>/<setting>/recordings/`).
   */
  record?: RecordMode;
  /**
   * Run the units on `chaingap worker`s through a BullMQ queue in Redis instead of local threads
   * (runner/queue/, docs/distributed.md): this process enqueues them and collects the results into `out`.
   */
  queue?: QueueSweepOptions;
}

export interface SweepCell {
  policy: string;
  ood: OodLevels;
  setting: string;
  dir: string;
  summary: RunSummary;
}

export interface SweepResultSummary {
  name: string;
  cells: SweepCell[];
  resumed: number;
  ran: number;
  /** Units of the sweep (or shard) not recorded: with `noRun` all of them, else those `stopAt` stopped. */
  missing: number;
  /** Units not started because the `stopAt` time had passed (recorded so far: kept; the sweep resumes). */
  stopped: number;
  /** Chain runs per hour over the units run now (wall clock, all workers). */
  chainsPerHour: number;
  workers: number;
  /** Physics health over every cell's chains and each policy's baseline (counted once per policy). */
  physicsHealth: PhysicsHealthSummary;
  /** Trajectories written in this invocation (`record`): how many, and their mean size in bytes. */
  recordings: { written: number; meanBytes: number | null };
  /** Units whose queued job used up its attempts (queue only): listed in the report; a rerun retries them. */
  failed?: FailedUnit[];
  /** Queue only: results dropped because their unit was already recorded, and jobs enqueued again because Redis had lost them. */
  queue?: { url: string; name: string; duplicates: number; requeued: number };
  /** Units of the sweep (or shard) recorded, of all it has (set by runSweep). */
  units?: { recorded: number; total: number };
  /** The sweep's summary.json and report.html (set by runSweep once written). */
  files?: { summaryJson: string; reportHtml: string };
}

/** The chains a sweep runs (loaded from its chain file, or generated from its scene and seed). */
export function sweepChains(spec: SweepSpec, salt?: string): ChainSpec[] {
  return spec.chainFile ? loadChains(spec.chainFile)
    : generateChains({ scene: spec.scene, count: spec.chains, steps: spec.steps, seed: spec.seed, salt });
}

/**
 * The env seed a sweep's chain resets with: the same in every setting, for every policy and repeat (the
 * policy seed is what differs between repeats). The OOD frames of the sweep report (ood-frames.ts) use it.
 */
export function sweepChainSeed(seed: number, chainName: string, salt?: string): number {
  return salt ? deriveSeed(salt, seed, 'chain', chainName) : deriveSeed(seed, 'chain', chainName);
}

/**
 * Young-generation size of each sweep worker thread (MB; V8's default on 64-bit is 48). A control step
 * allocates many short-lived objects (Rapier's wrapper objects, poses, contact lists); with a young
 * generation twice the default fewer of them outlive two scavenges and reach the old generation, so
 * the worker scavenges and mark-compacts less.
 * Measured 2026-12-05 on a 36-chain 3-setting expert sweep: process CPU with 2 workers 47.0 -> 45.3 s,
 * its wall time 24.0 -> 23.1 s (two runs each, one worker's scavenges on 6 chains 270 -> about 175); 192 MB
 * did no better. Costs at most 48 MB more per worker.
 */
const WORKER_YOUNG_GENERATION_MB = 96;

/** Run (or resume) a sweep into `o.out`; writes `<out>/summary.json` (one summary per policy and setting) and `<out>/report.html`. */
export async function runSweep(spec: SweepSpec, o: SweepOptions): Promise<SweepResultSummary> {
  const recordMode: RecordMode = o.record ?? 'none';
  if (!RECORD_MODES.includes(recordMode)) throw new Error(`record: "${String(recordMode)}" is not one of ${RECORD_MODES.join(', ')}`);
  const chains = sweepChains(spec, o.salt);
  const seedOf = (...parts: (string | number)[]) => (o.salt ? deriveSeed(o.salt, ...parts) : deriveSeed(...parts));
  const settings = sweepSettings(spec);
  const tasks = baselineTasks(chains);
  const stores = new Map<string, ResultsStore>();
  // Every unit of the sweep in a fixed order (shards split this list by position), and whether it is recorded.
  const units: { unit: SweepUnit; done: boolean }[] = [];
  const cellDirs = new Map<string, { policy: string; ood: OodLevels; setting: string }>();
  // Code policies: the env and policy each runs in (made on first use, in this thread).
  const codeActors = new Map<string, () => Promise<{ env: Env; policy: Policy }>>();
  // Model fingerprint per policy id (queued jobs carry it; workers with other weights refuse them).
  const fingerprints = new Map<string, string | null>();
  const madeActors = new Map<string, Promise<{ env: Env; policy: Policy }>>();
  const actorOf = (policy: string) => {
    const make = codeActors.get(policy);
    if (!make) return undefined;
    let a = madeActors.get(policy);
    if (!a) madeActors.set(policy, (a = make()));
    return a;
  };
  // A new cell is claimed (config.json written) only when its first result arrives, that is once its
  // policy has opened: a model that fails to load leaves no cell behind, so the rerun with the model
  // fixed is not refused as another config. Existing cells are opened (and checked) at once.
  const unclaimed = new Map<string, unknown>();
  const claim = (cell: string): ResultsStore => {
    let store = stores.get(cell);
    if (!store) {
      store = ResultsStore.open(path.join(o.out, cell), unclaimed.get(cell)).store;
      stores.set(cell, store);
      unclaimed.delete(cell);
    }
    return store;
  };
  const nothingRecorded = { has: () => false, baseline: { has: () => false } };
  const open = (cell: string, config: unknown) => {
    unclaimed.set(cell, config);
    return existsSync(path.join(o.out, cell, 'config.json')) ? claim(cell) : nothingRecorded;
  };
  let poolTeardown: Promise<void> | undefined;
  try {
    for (const policySpec of spec.policies) {
      const code = o.policies && Object.hasOwn(o.policies, policySpec) ? o.policies[policySpec] : undefined;
      const entry = code !== undefined ? policyEntry(code, policySpec) : parsePolicy(policySpec);
      const policy = entry.id;
      fingerprints.set(policy, entry.fingerprint ?? null);
      if (code !== undefined) codeActors.set(policy, async () => {
        const host = await entry.open();
        const env = new Env(o.env);
        return { env, policy: host.make(env.privileged) };
      });
      const policyOptions = o.policyOptions;
      const base = { sweep: spec.name, policy, ...(code !== undefined ? { policyCode: true } : {}), ...(entry.fingerprint ? { policyModel: entry.fingerprint } : {}), scene: spec.chainFile ? null : spec.scene, chainFile: spec.chainFile ?? null, chains: chains.length, steps: Math.max(...chains.map((c) => c.steps.length)), seed: spec.seed, saltHash: o.salt ? saltHash(o.salt) : null, chaingap: CHAINGAP_VERSION };
      const bcell = path.join(dirName(policy), 'baseline');
      const bstore = open(bcell, { ...base, baselineEpisodes: spec.baselineEpisodes });
      const brun = runIdOf({ ...base, baseline: true });
      for (const task of tasks) for (let e = 0; e < spec.baselineEpisodes; e++) {
        const done = bstore.baseline.has(baselineKey({ task: task.name, episode: e }));
        const taskScene = chains.find((c) => c.scene === task.scene)?.sceneSpec;
        units.push({ done, unit: { kind: 'baseline', cell: bcell, runId: brun, policy, policyOptions, task, episode: e, seed: seedOf(spec.seed, 'baseline', task.name, e), ...(taskScene ? { scene: taskScene } : {}) } });
      }
      for (const ood of settings) {
        const setting = settingKey(ood);
        const cell = path.join(dirName(policy), setting);
        cellDirs.set(cell, { policy, ood, setting });
        const config = { ...base, repeats: spec.repeats, mode: spec.mode, ood };
        const store = open(cell, config);
        const runId = runIdOf(config);
        for (const chain of chains) for (let r = 0; r < spec.repeats; r++) {
          const done = store.has(recordKey({ chainId: chain.name, repeat: r }));
          units.push({ done, unit: {
            kind: 'chain', cell, runId, policy, policyOptions, chain, seed: sweepChainSeed(spec.seed, chain.name, o.salt), repeat: r,
            policySeed: seedOf(spec.seed, 'policy', chain.name, r), mode: spec.mode, ood,
            ...(recordMode !== 'none' ? { record: { mode: recordMode, dir: path.join(o.out, cell) } } : {}),
          } });
        }
      }
    }
    const share = o.shard ? units.filter((_, i) => i % o.shard!.count === o.shard!.index) : units;
    const skipped = share.filter((u) => u.done).length;
    const pending = share.filter((u) => !u.done).map((u) => u.unit);
    const mine = o.noRun ? [] : pending;
    let workers = Math.max(1, o.workers ?? 1);
    if (o.queue && codeActors.size) throw new QueueError(`policies given as code (${[...codeActors.keys()].join(', ')}) cannot be sent to queue workers: name built-in or onnx: policies, or run the sweep without a queue`);
    if (codeActors.size && workers > 1) {
      workers = 1;
      (o.log ?? ((l: string) => process.stderr.write(`${l}\n`)))('chaingap: a sweep with policies given as code runs in this thread: workers 1');
    }
    let done = 0;
    const t0 = performance.now();
    const recordedBytes: number[] = [];
    /** Record a unit's result; false if its unit was already recorded (a queued job that ran twice: dropped). */
    const accept = (r: SweepResult): boolean => {
      if (r.userError) throw r.userError.name === 'PolicyUnavailableError' ? new PolicyUnavailableError(r.userError.message) : new UserError(r.userError.message);
      const store = claim(r.cell);
      if (r.chain ? store.has(recordKey(r.chain)) : store.baseline.has(baselineKey(r.baseline!))) return false;
      if (r.recording !== undefined && r.chain) {
        // A queue worker's trajectory, written here before the record (as a local unit writes it).
        const file = recordingPath(path.join(o.out, r.cell), r.chain.chainId, r.chain.repeat);
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, Buffer.from(r.recording, 'base64'));
      }
      if (r.recordedBytes !== undefined) recordedBytes.push(r.recordedBytes);
      if (r.chain) store.append(r.chain);
      if (r.baseline) store.baseline.append(r.baseline);
      o.onProgress?.(++done, mine.length, false, r);
      return true;
    };
    let stopped = 0;
    let failed: FailedUnit[] = [];
    let queueInfo: SweepResultSummary['queue'];
    const timeLeft = () => !o.signal?.aborted && (o.stopAt === undefined || Date.now() < o.stopAt);
    if (o.queue && mine.length) {
      // Loaded only for queued sweeps (BullMQ and ioredis take a fifth of a second to import).
      const { runUnitsOnQueue } = await import('../queue/collector.ts');
      const r = await runUnitsOnQueue(mine, o.queue, {
        sweep: spec.name, saltHash: o.salt ? saltHash(o.salt) : null, fingerprints, signal: o.signal, stopAt: o.stopAt, accept,
        log: o.log ?? ((l: string) => process.stderr.write(`${l}\n`)),
      });
      stopped = r.stopped + r.failed.length;
      failed = r.failed;
      queueInfo = { url: o.queue.url, name: o.queue.name ?? DEFAULT_QUEUE_NAME, duplicates: r.duplicates, requeued: r.requeued };
    } else if (workers === 1 && (o.inProcess !== false || codeActors.size)) {
      for (const u of mine) {
        // Let the event loop turn between units, so a Ctrl-C handler can abort `signal`.
        if (o.signal) await new Promise((resolve) => setImmediate(resolve));
        if (!timeLeft()) { stopped++; continue; }
        const actor = actorOf(u.policy);
        accept(await runUnit(u, actor && (await actor)));
      }
    } else {
      // The workers instantiate Rapier from this thread's compiled module (sim/rapier.ts useRapierModule).
      await initRapier();
      const pool = new Tinypool({
        filename: fileURLToPath(new URL('./sweep-worker.mjs', import.meta.url)), minThreads: workers, maxThreads: workers, isolateWorkers: false,
        resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB }, workerData: { rapierModule: rapierModule() },
      });
      try {
        // Long units (chains) first, short ones (baseline episodes) last, so the workers finish together.
        // One feeder per worker, so a unit starts only when a worker is free (and only while time is left).
        const order = [...mine.filter((u) => u.kind === 'chain'), ...mine.filter((u) => u.kind === 'baseline')];
        let next = 0;
        const feed = async () => {
          while (next < order.length) {
            const u = order[next++];
            if (!timeLeft()) { stopped++; continue; }
            accept(await pool.run(u));
          }
        };
        await Promise.all(Array.from({ length: workers }, feed));
      } finally {
        // The workers end while the summaries and the report are made (awaited before runSweep returns):
        // their teardown took 0.15 s of a sweep's tail, with every result already recorded.
        poolTeardown = pool.destroy();
      }
    }
    // Cells with no result yet (interrupted, out of time, or `noRun`) are claimed now, for their summaries.
    for (const cell of [...unclaimed.keys()]) claim(cell);
    const seconds = (performance.now() - t0) / 1000;
    const chainUnits = Math.max(0, mine.filter((u) => u.kind === 'chain').length - stopped);
    // Summaries per cell, with the policy's baseline.
    const cells: SweepCell[] = [];
    for (const [cell, meta] of cellDirs) {
      const store = stores.get(cell)!;
      const bstore = stores.get(path.join(dirName(meta.policy), 'baseline'))!;
      const summary = summarise(
        { runId: runIdOf({ cell }), scene: spec.chainFile ?? spec.scene, policy: meta.policy, mode: spec.mode, seed: spec.seed, steps: Math.max(...chains.map((c) => c.steps.length)), repeats: spec.repeats, versions: versions() },
        store.all(), bstore.baseline.all(),
      );
      cells.push({ policy: meta.policy, ood: meta.ood, setting: meta.setting, dir: cell, summary });
    }
    const result: SweepResultSummary = {
      name: spec.name, cells, resumed: skipped, ran: mine.length - stopped, missing: o.noRun ? pending.length : stopped, stopped: stopped - failed.length,
      chainsPerHour: chainUnits && seconds > 0 ? (chainUnits * 3600) / seconds : NaN, workers,
      failed, ...(queueInfo ? { queue: queueInfo } : {}),
      physicsHealth: sweepPhysicsHealth(cells),
      recordings: recordingsWritten(recordedBytes),
      units: { recorded: share.length - (o.noRun ? pending.length : stopped), total: share.length },
    };
    const files = await writeSweepReport(o.out, result);
    await poolTeardown;
    return { ...result, files };
  } finally {
    // On an error the workers are still ended; the error that stopped the sweep is the one reported.
    await poolTeardown?.catch(() => {});
    for (const s of stores.values()) s.close();
    for (const a of madeActors.values()) await a.then(({ env, policy }) => { env.close(); return policy.close?.(); }, () => {});
  }
}

/** A sweep's physics health: every cell's chains, and each policy's baseline once (every cell of a policy shares it). */
export function sweepPhysicsHealth(cells: readonly SweepCell[]): PhysicsHealthSummary {
  const policies = [...new Set(cells.map((c) => c.policy))];
  return combinePhysicsHealth(cells.map((c) => c.summary.physicsHealth.chains), policies.map((p) => cells.find((c) => c.policy === p)!.summary.physicsHealth.baseline));
}

export interface MergeReport {
  cells: number;
  chainRecords: number;
  baselineRecords: number;
  /** Records found in more than one shard with the same outcome (kept once). */
  duplicates: number;
  /** Records found in more than one shard with different outcomes (the first is kept). */
  conflicts: string[];
  /** Units of the sweep no shard recorded. */
  missing: number;
}

/** Join shard directories of one sweep into `out`, then summarise and report it (nothing is run). */
export async function mergeSweep(spec: SweepSpec, out: string, shardDirs: string[]): Promise<{ merge: MergeReport; result: SweepResultSummary }> {
  const { existsSync, readdirSync, readFileSync, statSync } = await import('node:fs');
  const cellsOf = (dir: string): string[] => readdirSync(dir).flatMap((p) => {
    const pdir = path.join(dir, p);
    if (!statSync(pdir).isDirectory()) return [];
    return readdirSync(pdir).filter((c) => existsSync(path.join(pdir, c, 'config.json'))).map((c) => path.join(p, c));
  });
  const report: MergeReport = { cells: 0, chainRecords: 0, baselineRecords: 0, duplicates: 0, conflicts: [], missing: 0 };
  const cells = new Set(shardDirs.flatMap(cellsOf));
  for (const cell of [...cells].sort()) {
    const configs = shardDirs.map((d) => path.join(d, cell, 'config.json')).filter((f) => existsSync(f)).map((f) => readFileSync(f, 'utf8'));
    if (new Set(configs).size > 1) throw new ResultsError(`${cell}: the shards were started with different configs; they are not shards of one sweep`);
    const { store } = ResultsStore.open(path.join(out, cell), JSON.parse(configs[0]));
    try {
      const seen = new Map<string, string>();
      for (const d of shardDirs) {
        if (!existsSync(path.join(d, cell, 'config.json'))) continue;
        const { store: src } = ResultsStore.open(path.join(d, cell), JSON.parse(configs[0]), { readOnly: true });
        const take = (kind: 'chain' | 'baseline', key: string, outcome: unknown, add: () => void) => {
          const k = `${kind}:${key}`, o = JSON.stringify(outcome);
          const prev = seen.get(k);
          if (prev === undefined) {
            seen.set(k, o);
            if (!(kind === 'chain' ? store.has(key) : store.baseline.has(key))) add();
          } else if (prev === o) report.duplicates++;
          else report.conflicts.push(`${cell} ${key}`);
        };
        for (const r of src.all()) take('chain', recordKey(r), { ...r, latencyMs: 0, simMsPerStep: 0, wallMs: 0 }, () => { store.append(r); report.chainRecords++; });
        for (const r of src.baseline.all()) take('baseline', baselineKey(r), r, () => { store.baseline.append(r); report.baselineRecords++; });
        src.close();
      }
    } finally {
      store.close();
    }
    report.cells++;
  }
  const result = await runSweep(spec, { out, noRun: true });
  report.missing = result.missing;
  return { merge: report, result };
}
