// A whole run: chains (generated from a scene and a seed, or loaded from a chain file) run R times each
// with different policy seeds, plus the controlled baseline (each distinct task of the chains run alone
// from fresh LIBERO-style resets), every result appended to the run directory as it finishes, then the
// summary and the reports. Started again with the same options, a run resumes where it stopped.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { createHash } from 'node:crypto';
import seedrandom from 'seedrandom';
import { DEFAULT_CHAIN_STEPS, generateChains, loadChains } from '../../scenes/chains.ts';
import { activeLevels, checkLevels, type OodLevels } from '../../scenes/ood.ts';
import type { ChainSpec, TaskSpec } from '../../scenes/types.ts';
import type { EnvOptions } from '../../sim/env.ts';
import type { ActionMode } from '../../sim/controller.ts';
import { parsePolicy, type PolicyEntry, type PolicyHost, type PolicyOpenOptions } from '../../policies/registry.ts';
import { UserError } from '../../scenes/errors.ts';
import type { Policy } from '../../sim/policy.ts';
import type { PrivilegedState } from '../../sim/privileged.ts';
import { closeActors, makeActors, runOnLanes } from './actors.ts';
import { runChain, type ChainMode, type ParaphraseMode } from './chain.ts';
import { runBaselineEpisode } from './episode.ts';
import type { BaselineRecord, ChainRecord } from '../results/records.ts';
import { ResultsStore, baselineKey, recordKey, writeDurably } from '../results/store.ts';
import { summarise, type RunSummary } from '../results/summary.ts';
import { writeReports } from '../report/report.ts';
import { independenceCurve } from '../report/charts.ts';
import type { CameraImage } from '../../sim/policy.ts';
import { contactSheet, rgbPng } from '../../sim/render/images.ts';
import { mkdirSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { liveObserver, type LivePublisher } from '../view/live.ts';
import { ChainRecorder, observeAll, keepRecording, recordingPath, RECORD_MODES, recordingsWritten, writeRecording, type RecordMode } from '../view/recording.ts';
import { failureClips } from '../view/video.ts';

export interface RunOptions {
  /** Run directory (created; resumed when it already holds this run). */
  out: string;
  /**
   * The policy: a spec (`expert`, `bernoulli:0.95`, `noisy-expert:0.3`, `onnx:<model.onnx>`,
   * `ws://host:port`), or your own TypeScript policy (see {@link PolicyCode}): one `Policy` object, or
   * a function making one per env from its privileged state. Code policies get the same baseline,
   * reports and resume; their `id` (or `policyName`) is their identity in the run directory.
   */
  policy: string | PolicyCode;
  /**
   * Name recorded for a code policy (default: its `id`); needed for a factory function. Rerunning with
   * the same name resumes, so give a changed policy a new name (or a new `out`).
   */
  policyName?: string;
  /** How to open the policy: ONNX device, remote timeout, API key, observation preset, chunk execution. */
  policyOptions?: PolicyOpenOptions;
  /**
   * Episodes run side by side in this process (default 1). A learned policy is then called once per
   * control tick with a batch of up to this many observations.
   */
  batch?: number;
  /** Scene to generate chains in (default `kitchen`); ignored with `chainFile`. */
  scene?: string;
  /** Number of chains to generate (default 20). */
  chains?: number;
  /** Steps per generated chain (default 10). */
  steps?: number;
  /** A chain file to run instead of generated chains. */
  chainFile?: string;
  /** Runs per chain with different policy seeds (default 1). */
  repeats?: number;
  mode?: ChainMode;
  seed?: number;
  paraphrases?: ParaphraseMode;
  /** OOD levels the chains run under (the baseline always runs controlled, at level 0). */
  ood?: OodLevels;
  /** Baseline episodes per distinct task (default 20). */
  baselineEpisodes?: number;
  /** Private salt for a fresh test set (chains and layouts); only its hash is recorded. */
  salt?: string;
  env?: EnvOptions;
  /**
   * Contact sheets for the first N chains (repeat 0): the agentview frame at the start and after each
   * step, written to `<out>/sheets/<chain>.png` and shown in report.html (default 0: none, no rendering).
   */
  sheets?: number;
  /**
   * Trajectories to keep (runner/view/recording.ts): `none` (default), `failures` (chain runs with a failed
   * step) or `all`, one msgpack file per chain run in `<out>/recordings/`.
   */
  record?: RecordMode;
  /**
   * Stream every chain run to viewer pages: a LiveHub served in this thread, or the publisher of
   * `startLiveViewer` (a server in its own thread, which answers while the simulation keeps this one busy).
   */
  live?: LivePublisher;
  /** Called after each chain run and each baseline episode. */
  onProgress?: (p: RunProgress) => void;
  /** Where notices go (device fallback, reconnects, redone units); default stderr. */
  log?: (line: string) => void;
  /**
   * Stop taking new work when aborted (Ctrl-C): the units running finish, the reports are written from
   * what is recorded, and the result says how many units were `stopped`. The same call resumes.
   */
  signal?: AbortSignal;
}

/**
 * A policy given as code. A `Policy` object acts in one env at a time, so a run with it has one lane
 * (`batch` is ignored); chaingap never calls its `close`. A factory `(privileged) => Policy` is called
 * once per env (lane) and may read the simulator state, as the scripted expert does. Policies that need
 * camera images get them through `env` (`EnvOptions.cameras` and a renderer).
 */
export type PolicyCode = Policy | ((privileged: PrivilegedState) => Policy);

export interface RunProgress {
  phase: 'chains' | 'baseline';
  /** Units finished in this phase, including those found already done. */
  done: number;
  total: number;
  /** True when the unit was read back from the run directory, not run now. */
  resumed: boolean;
  chain?: ChainRecord;
  baseline?: BaselineRecord;
}

/** What a run directory's config.json holds: everything that decides the results. */
export interface RunConfig {
  policy: string;
  /** True for a policy given as code (`PolicyCode`): `policy` is then its name, not a spec. */
  policyCode?: true;
  /** ONNX policies: the first 16 hex digits of the model file's SHA-256 (absent for other policies). */
  policyModel?: string;
  scene: string;
  chains: number;
  steps: number;
  chainFile: { path: string; sha256: string } | null;
  repeats: number;
  mode: ChainMode;
  seed: number;
  paraphrases: ParaphraseMode;
  /** Active OOD levels (axes above 0) of the chains. */
  ood: OodLevels;
  baselineEpisodes: number;
  /** First 16 hex digits of the salt's SHA-256, or null: the salt itself is never written. */
  saltHash: string | null;
  chaingap: string;
  /** How the env reads actions, when not the default delta_ee (`env.actionMode`; sim/controller.ts). */
  actionMode?: ActionMode;
}

export interface RunResult {
  dir: string;
  summary: RunSummary;
  /** Chain runs and baseline episodes found already done in the directory. */
  resumed: { chains: number; baseline: number };
  /** Bytes of torn trailing records that were cut off and redone. */
  tornBytes: number;
  files: { summaryJson: string; reportMd: string; reportHtml: string };
  /** Trajectories written in this invocation (`record`): how many, and their mean size in bytes. */
  recordings: { written: number; meanBytes: number | null };
  /** Units (chain runs and baseline episodes) not run because `signal` was aborted; 0 when complete. */
  stopped: number;
  /** Chain runs recorded in the directory, of all the run has. */
  chainRuns: { recorded: number; total: number };
}

/** The entry (id, how to open) of a policy given as a spec or as code. */
export function policyEntry(policy: string | PolicyCode, policyName?: string): PolicyEntry & { code: boolean } {
  if (typeof policy === 'string') return { ...parsePolicy(policy), code: false };
  const isObject = typeof policy === 'object' && policy !== null && typeof policy.act === 'function' && typeof policy.reset === 'function';
  if (!isObject && typeof policy !== 'function') {
    throw new UserError('policy: expected a spec string, a Policy object (id, reset, act) or a function (privileged) => Policy');
  }
  const id = policyName ?? (isObject ? (policy as Policy).id : undefined);
  if (typeof id !== 'string' || !id.trim()) {
    throw new UserError(`policyName: a ${isObject ? 'Policy object without an id' : 'policy factory function'} needs a name (the run directory's identity of the policy); pass policyName`);
  }
  const make = isObject
    // A wrapper, so the run's lanes never close the caller's object.
    ? () => { const p = policy as Policy; return { id, reset: (st: Parameters<Policy['reset']>[0]) => p.reset(st), act: (ob: Parameters<Policy['act']>[0]) => p.act(ob) }; }
    : (s: PrivilegedState) => (policy as (s: PrivilegedState) => Policy)(s);
  const host: PolicyHost = { cameras: [], make, close: async () => {} };
  return { id, description: `${id} (a policy given as code)`, code: true, open: async () => host };
}

const PACKAGE = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string; dependencies: Record<string, string> };
export const CHAINGAP_VERSION: string = PACKAGE.version;
let known: Record<string, string> | undefined;

/**
 * What a run's numbers were computed with, shown in its summary and report (not part of its identity:
 * shards of one sweep may run on different machines). The simulation (Rapier's WASM, the JS) runs no
 * native code; a learned policy's model runs in onnxruntime, which picks its CPU kernels by instruction
 * set, and the same seeds gave tiny-vla other outcomes on an AVX-512 host (README, "Determinism across
 * machines"). Hence the onnxruntime version and the CPU with its widest vector extension. Read once.
 */
export function versions(): Record<string, string> {
  known ??= { chaingap: CHAINGAP_VERSION, rapier: PACKAGE.dependencies['@dimforge/rapier3d-compat'], node: process.versions.node, ...machineVersions() };
  return { ...known };
}

/** The installed onnxruntime-node's version and the CPU (model and widest x86 vector extension, from /proc/cpuinfo on Linux). */
function machineVersions(): Record<string, string> {
  const machine: Record<string, string> = {};
  try {
    machine.onnxruntime = String(JSON.parse(readFileSync(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'), 'utf8')).version);
  } catch {
    // not installed (an install without optional parts): nothing to say
  }
  const model = cpus()[0]?.model?.trim();
  let isa = '';
  try {
    const flags = new Set(/^flags\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1].split(/\s+/) ?? []);
    isa = ['avx512f', 'avx2', 'avx', 'sse4_2'].find((f) => flags.has(f)) ?? '';
  } catch {
    // not Linux: the model alone
  }
  if (model) machine.cpu = isa ? `${model} (${isa})` : model;
  return machine;
}

/** A 32-bit seed derived from parts (stable across platforms). */
export function deriveSeed(...parts: (string | number)[]): number {
  return seedrandom(parts.join(':')).int32() >>> 0;
}

/** The chains a run executes, and the config that identifies it. */
export function planRun(o: RunOptions): { chains: ChainSpec[]; config: RunConfig; entry: PolicyEntry & { code: boolean } } {
  const seed = o.seed ?? 0;
  let chains: ChainSpec[];
  let chainFile: RunConfig['chainFile'] = null;
  if (o.chainFile) {
    chains = loadChains(o.chainFile);
    chainFile = { path: o.chainFile, sha256: createHash('sha256').update(readFileSync(o.chainFile)).digest('hex') };
  } else {
    chains = generateChains({ scene: o.scene ?? 'kitchen', count: o.chains ?? 20, steps: o.steps ?? DEFAULT_CHAIN_STEPS, seed, salt: o.salt });
  }
  const entry = policyEntry(o.policy, o.policyName);
  const config: RunConfig = {
    policy: entry.id,
    ...(entry.code ? { policyCode: true as const } : {}),
    ...(entry.fingerprint ? { policyModel: entry.fingerprint } : {}),
    scene: chainFile ? [...new Set(chains.map((c) => c.scene))].join(',') : (o.scene ?? 'kitchen'),
    chains: chains.length,
    steps: Math.max(...chains.map((c) => c.steps.length)),
    chainFile,
    repeats: o.repeats ?? 1,
    mode: o.mode ?? 'strict',
    seed,
    paraphrases: o.paraphrases ?? 'instruction',
    ood: activeLevels(checkLevels(o.ood ?? {})),
    baselineEpisodes: o.baselineEpisodes ?? 20,
    saltHash: o.salt ? saltHash(o.salt) : null,
    chaingap: CHAINGAP_VERSION,
    // Absent for the default, so runs from before the option keep their ids.
    ...(o.env?.actionMode && o.env.actionMode !== 'delta_ee' ? { actionMode: o.env.actionMode } : {}),
  };
  for (const [k, v] of [['repeats', config.repeats], ['baselineEpisodes', config.baselineEpisodes]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new UserError(`${k} must be a whole number >= 1, got ${v}`);
  }
  return { chains, config, entry };
}

/** Distinct tasks of a set of chains, by name, in name order. */
export function baselineTasks(chains: readonly ChainSpec[]): TaskSpec[] {
  const m = new Map<string, TaskSpec>();
  for (const c of chains) for (const t of c.steps) if (!m.has(t.name)) m.set(t.name, t);
  return [...m.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** Run (or resume) chains and baseline into `o.out`, then write summary.json, report.md and report.html. */
export async function runChains(o: RunOptions): Promise<RunResult> {
  const { chains, config, entry } = planRun(o);
  const recordMode: RecordMode = o.record ?? 'none';
  if (!RECORD_MODES.includes(recordMode)) throw new Error(`record: "${String(recordMode)}" is not one of ${RECORD_MODES.join(', ')}`);
  const openPolicy = () => entry.open({ log: o.log, ...o.policyOptions });
  // A new directory is claimed (config.json written) only once the policy has opened: a model that fails
  // to load leaves nothing behind, so the rerun with the model fixed is not refused as another config.
  // An existing directory is checked first, so a mismatch is reported before a slow model loads.
  let host: PolicyHost | null = existsSync(path.join(o.out, 'config.json')) ? null : await openPolicy();
  let opened;
  try {
    opened = ResultsStore.open(o.out, config);
  } catch (e) {
    await host?.close();
    throw e;
  }
  const { store, tornBytes } = opened;
  const runId = runIdOf(config);
  const sheets = o.sheets ?? 0;
  const recordedBytes: number[] = [];
  const resumed = { chains: 0, baseline: 0 };
  const salted = (...parts: (string | number)[]) => (o.salt ? deriveSeed(o.salt, ...parts) : deriveSeed(...parts));
  type Unit = { kind: 'chain'; i: number; chain: ChainSpec; r: number } | { kind: 'baseline'; task: TaskSpec; e: number };
  const units: Unit[] = [];
  const total = chains.length * config.repeats;
  let done = 0;
  for (const [i, chain] of chains.entries()) {
    for (let r = 0; r < config.repeats; r++) {
      if (!store.has(recordKey({ chainId: chain.name, repeat: r }))) units.push({ kind: 'chain', i, chain, r });
      else {
        resumed.chains++;
        o.onProgress?.({ phase: 'chains', done: ++done, total, resumed: true });
      }
    }
  }
  const tasks = baselineTasks(chains);
  const btotal = tasks.length * config.baselineEpisodes;
  let bdone = 0;
  const baselineUnits: Unit[] = [];
  for (const task of tasks) {
    for (let e = 0; e < config.baselineEpisodes; e++) {
      if (!store.baseline.has(baselineKey({ task: task.name, episode: e }))) baselineUnits.push({ kind: 'baseline', task, e });
      else resumed.baseline++;
    }
  }
  let actors: ReturnType<typeof makeActors> = [];
  let stopped = 0;
  try {
    if (!(units.length + baselineUnits.length)) {
      await host?.close();
      host = null;
    } else host ??= await openPolicy();
    if (host) {
      const lanes = entry.code && typeof o.policy === 'object' ? 1 : (o.batch ?? 1);
      if (lanes < (o.batch ?? 1)) (o.log ?? ((l: string) => process.stderr.write(`${l}\n`)))('chaingap: a Policy object acts in one env at a time: batch 1 (pass a factory (privileged) => Policy for more)');
      actors = makeActors(host, lanes, o.env, sheets > 0);
    }
    let baselineStarted = false;
    const startBaseline = () => {
      if (baselineStarted) return;
      baselineStarted = true;
      for (let k = 0; k < resumed.baseline; k++) o.onProgress?.({ phase: 'baseline', done: ++bdone, total: btotal, resumed: true });
    };
    await runOnLanes(actors, [...units, ...baselineUnits], async ({ env, policy }, u) => {
      // Let the event loop turn between units (a simulation awaits only resolved promises), so a Ctrl-C
      // handler can run; once interrupted, the lanes take no new work (each remaining unit is passed over).
      if (o.signal) await new Promise((resolve) => setImmediate(resolve));
      if (o.signal?.aborted) {
        stopped++;
        return;
      }
      if (u.kind === 'chain') {
        const { chain, r } = u;
        const frames: CameraImage[] = [];
        const wantSheet = r === 0 && u.i < sheets;
        const recorder = recordMode !== 'none' ? new ChainRecorder() : undefined;
        const seed = salted(config.seed, 'chain', chain.name);
        const rec = await runChain(env, policy, chain, {
          recorder: observeAll(recorder, o.live && liveObserver(o.live, { runId, chainId: chain.name, repeat: r, seed, length: chain.steps.length })),
          runId, mode: config.mode, seed, repeat: r, policySeed: salted(config.seed, 'policy', chain.name, r),
          paraphrases: config.paraphrases, ood: config.ood,
          ...(wantSheet ? { frameCamera: 'agentview', onFrame: (img: CameraImage) => frames.push(img) } : {}),
        });
        if (wantSheet) writeSheet(o.out, chain.name, frames);
        // The trajectory is written before the record, so a record that is found on resume has its recording.
        if (recorder && keepRecording(recordMode, rec)) recordedBytes.push(writeRecording(o.out, rec, recorder));
        store.append(rec);
        o.onProgress?.({ phase: 'chains', done: ++done, total, resumed: false, chain: rec });
        return;
      }
      const rec = await runBaselineEpisode(env, policy, u.task, {
        runId, episode: u.e, seed: salted(config.seed, 'baseline', u.task.name, u.e), scene: chains.find((c) => c.scene === u.task.scene)?.sceneSpec,
      });
      store.baseline.append(rec);
      startBaseline();
      o.onProgress?.({ phase: 'baseline', done: ++bdone, total: btotal, resumed: false, baseline: rec });
    }, { log: o.log });
    startBaseline();
    const { summary, files } = await summariseRun(o.out, config, store);
    const recordings = recordingsWritten(recordedBytes);
    return { dir: o.out, summary, resumed, tornBytes, files, recordings, stopped, chainRuns: { recorded: store.all().length, total } };
  } finally {
    store.close();
    closeActors(actors);
    await host?.close();
  }
}

/** Recompute the summary and reports of a run directory from its records (`chaingap report DIR`). */
export async function reportRun(dir: string): Promise<{ summary: RunSummary; files: RunResult['files']; partial: { chains: [number, number]; baseline: number } }> {
  const config = ResultsStore.readConfig(dir) as RunConfig;
  // Read-only: a report may be made while the run is still writing, or of a run that was killed.
  const { store } = ResultsStore.open(dir, config, { readOnly: true });
  try {
    const { summary, files } = await summariseRun(dir, config, store);
    return { summary, files, partial: { chains: [store.all().length, config.chains * config.repeats], baseline: store.baseline.all().length } };
  } finally {
    store.close();
  }
}

/** A run's id: 12 hex digits of the SHA-256 of what identifies it (its config), so a resumed run keeps it. */
export function runIdOf(config: unknown): string {
  return createHash('sha256').update(JSON.stringify(config)).digest('hex').slice(0, 12);
}

/** The summary of a run directory's records, with summary.json, report.md and report.html written beside them. */
async function summariseRun(dir: string, config: RunConfig, store: ResultsStore): Promise<{ summary: RunSummary; files: RunResult['files'] }> {
  const summary = summarise(
    { runId: runIdOf(config), scene: config.scene, policy: config.policy, mode: config.mode, seed: config.seed, steps: config.steps, repeats: config.repeats, versions: versions() },
    store.all(), store.baseline.all(),
  );
  // Each sheet with the steps of its chain's first repeat (what its frames follow).
  const first = new Map(store.all().filter((r) => r.repeat === 0).map((r) => [r.chainId, r.steps]));
  const sheets = readSheets(dir).map((s) => ({ ...s, steps: first.get(s.chain)?.map((st) => ({ task: st.task, success: st.success, failure: st.failure ?? undefined })) }));
  // Clips of the last seconds before the first failure, up to 3 chain runs per label, where recorded.
  const clips = existsSync(path.join(dir, 'recordings')) ? await failureClips(dir, store.all().filter((r) => r.steps.some((st) => !st.success))) : [];
  const recorded = store.all().filter((r) => existsSync(recordingPath(dir, r.chainId, r.repeat)));
  const files = await writeReports(dir, summary, { independence: independenceFor(store.all(), summary), sheets, clips, recorded });
  return { summary, files };
}

/** The independence curve prod q over k, or undefined while some task of the chains has no baseline yet. */
function independenceFor(records: readonly ChainRecord[], summary: RunSummary): number[] | undefined {
  const q = summary.baseline.q;
  if (!records.every((r) => r.tasks.every((t) => t in q))) return undefined;
  return independenceCurve(records, q, summary.steps);
}

/** Write a chain's contact sheet (start, then after each step) to `<out>/sheets/<chain>.png`. */
function writeSheet(out: string, chain: string, frames: CameraImage[]): void {
  const dir = path.join(out, 'sheets');
  mkdirSync(dir, { recursive: true });
  writeDurably(path.join(dir, `${chain}.png`), rgbPng(contactSheet(frames, Math.min(frames.length, 6))));
}

/** The contact sheets in a run directory, by chain, as PNG bytes. */
function readSheets(out: string): { chain: string; png: Uint8Array }[] {
  const dir = path.join(out, 'sheets');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.png')).sort().map((f) => ({ chain: f.slice(0, -4), png: readFileSync(path.join(dir, f)) }));
}

/** The recorded identity of a salt: 16 hex digits of its SHA-256 (the salt cannot be read back). */
export function saltHash(salt: string): string {
  return createHash('sha256').update(`chaingap-salt:${salt}`).digest('hex').slice(0, 16);
}
