// `chaingap libero DIR`: a folder of LIBERO BDDL files run the way LIBERO's evaluations run
// (openpi's examples/libero/main.py): per task, N episodes (default 50) from fresh seeded initial states,
// the suite's step budget (from the folder name, or `budget`), 10 do-nothing steps after each reset
// before the policy acts, success when the goal holds within the budget. Every episode is appended to
// `<out>/results.jsonl` as it finishes; started again with the same options the run resumes. Optionally,
// chains of tasks that share a scene run against the single-task rates measured by the same run.
import path from 'node:path';
import { parsePolicy, type PolicyEntry, type PolicyOpenOptions } from '../../policies/registry.ts';
import type { EnvOptions } from '../../sim/env.ts';
import type { ActionMode } from '../../sim/controller.ts';
import { PolicyUnavailableError } from '../../sim/policy.ts';
import { closeActors, makeActors, runOnLanes } from '../chains/actors.ts';
import { runChain } from '../chains/chain.ts';
import { runTask } from '../chains/episode.ts';
import { compactHealth } from '../results/health.ts';
import { planLiberoChains, type LiberoChainOptions } from './libero-chains.ts';
import {
  summariseLibero, writeLiberoReports, type LiberoEpisodeRecord, type LiberoSummary,
} from './libero-report.ts';
import { LIBERO_EPISODES, LIBERO_IDLE_STEPS, liberoBudget, loadLiberoFolder, type LiberoSuite, type LiberoTask } from './libero-suite.ts';
import type { ChainRecord } from '../results/records.ts';
import { CHAINGAP_VERSION, deriveSeed, runIdOf, versions } from '../chains/run.ts';
import { AppendLog, claimRunDir, recordKey } from '../results/store.ts';
import { UserError } from '../../scenes/errors.ts';

export interface LiberoOptions {
  /** Folder of `.bddl` files; its name (`libero_goal`, ...) picks LIBERO's budget. */
  dir: string;
  /** Results directory (created; resumed when it holds this run). */
  out: string;
  /** Episodes per task (default 50, as openpi's client). */
  episodes?: number;
  /** Policy spec (`expert`, `onnx:<model>`, `ws://host:port`, ...; default `expert`) or an entry to open. */
  policy?: string | PolicyEntry;
  policyOptions?: PolicyOpenOptions;
  /** Policy steps per episode; overrides the suite's budget. */
  budget?: number;
  /** The suite whose budget applies, instead of the one the folder name says. */
  suite?: LiberoSuite;
  /** Do-nothing steps after each reset before the policy acts (default 10, openpi's `num_steps_wait`). */
  idleSteps?: number;
  seed?: number;
  /** Stand-ins for object categories the library does not have (`import-bddl --stand-in`). */
  standIn?: boolean;
  /** Chains of tasks that share a scene (true: the defaults of LiberoChainOptions). */
  chains?: boolean | (LiberoChainOptions & { runs?: number });
  /** Episodes run side by side (default 1). */
  batch?: number;
  env?: EnvOptions;
  onProgress?: (p: LiberoProgress) => void;
  log?: (line: string) => void;
  /** Stop taking new work when aborted (Ctrl-C); the reports are written from what is recorded, `stopped` counts the rest. */
  signal?: AbortSignal;
}

export interface LiberoProgress {
  phase: 'episodes' | 'chains';
  done: number;
  total: number;
  resumed: boolean;
  baseline?: LiberoEpisodeRecord;
  chain?: ChainRecord;
}

/** What identifies a LIBERO run (its config.json). */
export interface LiberoConfig {
  command: 'libero';
  files: { file: string; sha256: string }[];
  suite: LiberoSuite | null;
  budget: number | null;
  idleSteps: number;
  episodes: number;
  seed: number;
  policy: string;
  policyModel?: string;
  /** How the env reads actions (EnvOptions.actionMode). */
  actionMode: ActionMode;
  standIn: boolean;
  chains: { steps: number; perScene: number; runs: number } | null;
  chaingap: string;
}

export interface LiberoResult {
  summary: LiberoSummary;
  /** Episodes and chain runs found already recorded. */
  resumed: { episodes: number; chains: number };
  /** Records of an earlier import of a file, which do not count (the file or the importer changed). */
  stale: number;
  tornBytes: number;
  files: { summaryJson: string; reportMd: string; reportHtml: string; results: string; chains?: string };
  /** Episodes and chain runs not run because `signal` was aborted (0 when complete), of `planned`. */
  stopped?: number;
  planned?: number;
}

const episodeKey = (r: Pick<LiberoEpisodeRecord, 'task' | 'importHash' | 'episode'>) => `${r.task}#${r.importHash}#${r.episode}`;

/** Run (or resume) a folder of BDDL files as LIBERO's evaluations do; writes results.jsonl, summary.json, report.md, report.html. */
export async function runLibero(o: LiberoOptions): Promise<LiberoResult> {
  const t0 = performance.now();
  const episodes = o.episodes ?? LIBERO_EPISODES;
  const idleSteps = o.idleSteps ?? LIBERO_IDLE_STEPS;
  const seed = o.seed ?? 0;
  if (!Number.isInteger(episodes) || episodes < 1) throw new UserError(`episodes must be a whole number >= 1, got ${episodes}`);
  if (!Number.isInteger(idleSteps) || idleSteps < 0) throw new UserError(`idleSteps must be a whole number >= 0, got ${idleSteps}`);
  const budget = liberoBudget(o.dir, { budget: o.budget, suite: o.suite });
  const folder = loadLiberoFolder(o.dir, { budget: budget.steps, standIn: o.standIn });
  const entry = typeof o.policy === 'object' ? o.policy : parsePolicy(o.policy ?? 'expert');
  const chainOpts = o.chains ? (o.chains === true ? {} : o.chains) : null;
  const plan = chainOpts ? planLiberoChains(folder.tasks, seed, chainOpts) : null;
  const chainRuns = chainOpts ? (chainOpts.runs ?? episodes) : 0;
  if (chainOpts && (!Number.isInteger(chainRuns) || chainRuns < 1)) throw new UserError(`chain runs must be a whole number >= 1, got ${chainRuns}`);

  const config: LiberoConfig = {
    command: 'libero', files: folder.files, suite: budget.suite, budget: budget.steps, idleSteps, episodes, seed,
    policy: entry.id, ...(entry.fingerprint ? { policyModel: entry.fingerprint } : {}), actionMode: o.env?.actionMode ?? 'delta_ee', standIn: Boolean(o.standIn),
    chains: chainOpts ? { steps: chainOpts.steps ?? 5, perScene: chainOpts.perScene ?? 1, runs: chainRuns } : null,
    chaingap: CHAINGAP_VERSION,
  };
  const runId = runIdOf(config);
  claimRunDir(o.out, config);
  const results = new AppendLog<LiberoEpisodeRecord>(path.join(o.out, 'results.jsonl'), episodeKey);
  const chainLog = plan ? new AppendLog<ChainRecord>(path.join(o.out, 'chains.jsonl'), recordKey) : null;
  const tornBytes = results.tornBytes + (chainLog?.tornBytes ?? 0);

  type Unit = { kind: 'episode'; t: LiberoTask; e: number } | { kind: 'chain'; i: number; r: number };
  const todo: Unit[] = [];
  const resumed = { episodes: 0, chains: 0 };
  const total = folder.tasks.length * episodes;
  for (const t of folder.tasks) {
    for (let e = 0; e < episodes; e++) {
      if (results.has(episodeKey({ task: t.name, importHash: t.importHash, episode: e }))) resumed.episodes++;
      else todo.push({ kind: 'episode', t, e });
    }
  }
  const chainTotal = (plan?.chains.length ?? 0) * chainRuns;
  for (const [i, c] of (plan?.chains ?? []).entries()) {
    for (let r = 0; r < chainRuns; r++) {
      if (chainLog!.has(recordKey({ chainId: c.name, repeat: r }))) resumed.chains++;
      else todo.push({ kind: 'chain', i, r });
    }
  }
  let done = resumed.episodes;
  let chainsDone = resumed.chains;
  for (let k = 1; k <= resumed.episodes; k++) o.onProgress?.({ phase: 'episodes', done: k, total, resumed: true });

  const host = todo.length ? await entry.open({ log: o.log, ...o.policyOptions }) : null;
  const actors = host ? makeActors(host, o.batch ?? 1, o.env) : [];
  try {
    let chainsStarted = false;
    let stopped = 0;
    await runOnLanes(actors, todo, async ({ env, policy }, u) => {
      // Let the event loop turn (a Ctrl-C handler runs); once interrupted, no new unit starts.
      if (o.signal) await new Promise((resolve) => setImmediate(resolve));
      if (o.signal?.aborted) return void stopped++;
      if (u.kind === 'episode') {
        const { t, e } = u;
        const s = deriveSeed(seed, 'libero', t.name, e);
        const w0 = performance.now();
        const rec: LiberoEpisodeRecord = {
          runId, task: t.name, episode: e, seed: s, success: false, steps: 0,
          file: t.file, importHash: t.importHash, idleSteps, wallMs: 0,
        };
        try {
          await env.reset({ seed: s, task: t.task, scene: t.scene });
        } catch (err) {
          // A scene that cannot be laid out with this seed: a failed episode, said so in the table.
          if (err instanceof PolicyUnavailableError) throw err;
          rec.error = `reset: ${(err as Error).message}`;
        }
        if (rec.error === undefined) {
          const out = await runTask(env, policy, t.task, { policySeed: s, idleSteps });
          rec.success = out.success;
          rec.steps = Math.max(0, out.steps - idleSteps);
          if (out.failure) rec.failure = out.failure;
          if (out.error !== undefined) rec.error = out.error;
          rec.health = compactHealth(out.health);
        }
        rec.wallMs = Math.round(performance.now() - w0);
        results.append(rec);
        o.onProgress?.({ phase: 'episodes', done: ++done, total, resumed: false, baseline: rec });
        return;
      }
      if (!chainsStarted) {
        chainsStarted = true;
        for (let k = 1; k <= resumed.chains; k++) o.onProgress?.({ phase: 'chains', done: k, total: chainTotal, resumed: true });
      }
      const chain = plan!.chains[u.i];
      const rec = await runChain(env, policy, chain, {
        runId, mode: 'strict', seed: deriveSeed(seed, 'libero-chain', chain.name, u.r), repeat: u.r,
        policySeed: deriveSeed(seed, 'libero-chain-policy', chain.name, u.r), idleSteps,
      });
      chainLog!.append(rec);
      o.onProgress?.({ phase: 'chains', done: ++chainsDone, total: chainTotal, resumed: false, chain: rec });
    }, { log: o.log });

    const current = new Set(folder.tasks.map((t) => `${t.name}#${t.importHash}`));
    const stale = results.all().filter((r) => !current.has(`${r.task}#${r.importHash}`)).length;
    const summary = summariseLibero({
      runId, dir: o.dir, suite: budget.suite, budget: { steps: budget.steps, source: budget.source }, idleSteps, episodes, policy: entry.id, actionMode: config.actionMode, seed,
      files: folder.files.length, importFailures: folder.failures,
      tasks: folder.tasks.map((t) => ({ file: t.file, name: t.name, instruction: t.task.instruction, maxSteps: t.task.maxSteps, importHash: t.importHash, standIns: t.standIns })),
      ...(plan ? { chains: {
        specs: plan.chains.map((c) => ({ name: c.name, scene: plan.groups[c.name], tasks: c.steps.map((s) => s.name) })),
        skipped: plan.skipped, steps: config.chains!.steps, runsPerChain: chainRuns,
      } } : {}),
      wallSeconds: (performance.now() - t0) / 1000, versions: versions(),
    }, results.all(), chainLog?.all() ?? []);
    const files = writeLiberoReports(o.out, summary);
    return {
      summary, resumed, stale, tornBytes, stopped, planned: todo.length + resumed.episodes + resumed.chains,
      files: { ...files, results: results.file, ...(chainLog ? { chains: chainLog.file } : {}) },
    };
  } finally {
    results.close();
    chainLog?.close();
    closeActors(actors);
    await host?.close();
  }
}

// The rest of the LIBERO runner's library surface, so the package index needs one line for it.
export { LIBERO_BUDGETS, LIBERO_SUITES, LIBERO_IDLE_STEPS, LIBERO_EPISODES, liberoBudget, suiteOfFolder, loadLiberoFolder, taskNameOf } from './libero-suite.ts';
export type { LiberoSuite, LiberoBudget, BudgetSource, LiberoTask, LiberoImportFailure, LiberoFolder } from './libero-suite.ts';
export { planLiberoChains, sceneGroups, liberoScenePrefix, LIBERO_CHAIN_STEPS, type LiberoChainOptions, type LiberoChainPlan } from './libero-chains.ts';
export { summariseLibero, writeLiberoReports, renderLiberoHtml, renderLiberoMarkdown, liberoText, type LiberoSummary, type LiberoEpisodeRecord, type LiberoTaskRow, type LiberoChainRow } from './libero-report.ts';
export { idleAction } from '../chains/episode.ts';
