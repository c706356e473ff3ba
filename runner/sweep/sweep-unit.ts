// One unit of sweep work, run in a worker thread (or in-process): a chain run of one policy under one
// OOD setting, or one controlled-baseline episode. Units carry everything that decides their result
// (seeds included), so a sweep's results do not depend on which worker ran what, or how many there were.
import { isMainThread } from 'node:worker_threads';
import Tinypool from 'tinypool';
import { UserError } from '../../scenes/errors.ts';
import type { ChainSpec, SceneSpec, TaskSpec } from '../../scenes/types.ts';
import type { OodLevels } from '../../scenes/ood.ts';
import { Env } from '../../sim/env.ts';
import type { Policy } from '../../sim/policy.ts';
import { useRapierModule } from '../../sim/rapier.ts';
import { parsePolicy, type PolicyOpenOptions } from '../../policies/registry.ts';
import { envOptionsFor } from '../chains/actors.ts';
import { runChain, type ChainMode } from '../chains/chain.ts';
import { runBaselineEpisode } from '../chains/episode.ts';
import type { BaselineRecord, ChainRecord } from '../results/records.ts';
import { ChainRecorder, keepRecording, writeRecording, type RecordMode } from '../view/recording.ts';

export type SweepUnit =
  | {
    kind: 'chain'; cell: string; runId: string; policy: string; policyOptions?: PolicyOpenOptions; chain: ChainSpec; seed: number; repeat: number; policySeed: number; mode: ChainMode; ood: OodLevels;
    /**
     * Keep the trajectory (runner/view/recording.ts) in `dir`'s recordings/ when `mode` says so; without `dir`
     * (a queue worker on another machine) the result carries the file's bytes for the collector to write.
     */
    record?: { mode: RecordMode; dir?: string };
  }
  | { kind: 'baseline'; cell: string; runId: string; policy: string; policyOptions?: PolicyOpenOptions; task: TaskSpec; episode: number; seed: number; scene?: SceneSpec };

export type SweepResult = {
  cell: string; chain?: ChainRecord; baseline?: BaselineRecord; /** Bytes of the trajectory written, if one was. */ recordedBytes?: number;
  /** The trajectory file itself (base64), when the unit had no `record.dir` to write it to. */
  recording?: string;
  /** In a worker thread, a UserError comes back as data (its class would not survive the crossing); the main thread throws it again. */
  userError?: { name: string; message: string };
};

// In a sweep's worker thread, Rapier is instantiated from the module the sweep's thread compiled (runSweep's workerData).
const shared = Tinypool.workerData as { rapierModule?: unknown } | undefined;
if (shared?.rapierModule) useRapierModule(shared.rapierModule);

const cache = new Map<string, Promise<{ env: Env; policy: Policy }>>();

/** The env and policy this thread keeps per policy spec (a learned policy's model is loaded once). */
function actorFor(spec: string, options: PolicyOpenOptions = {}): Promise<{ env: Env; policy: Policy }> {
  const key = `${spec}\u0000${JSON.stringify(options)}`;
  let a = cache.get(key);
  if (!a) {
    a = parsePolicy(spec).open(options).then((host) => {
      const env = new Env(envOptionsFor(host));
      return { env, policy: host.make(env.privileged) };
    });
    a.catch(() => cache.delete(key));
    cache.set(key, a);
  }
  return a;
}

export async function runUnit(u: SweepUnit, actor?: { env: Env; policy: Policy }): Promise<SweepResult> {
  if (isMainThread) return runUnitHere(u, actor);
  try {
    return await runUnitHere(u, actor);
  } catch (e) {
    if (e instanceof UserError) return { cell: u.cell, userError: { name: e.name, message: e.message } };
    throw e;
  }
}

async function runUnitHere(u: SweepUnit, actor?: { env: Env; policy: Policy }): Promise<SweepResult> {
  const { env, policy } = actor ?? (await actorFor(u.policy, u.policyOptions));
  if (u.kind === 'chain') {
    const recorder = u.record && u.record.mode !== 'none' ? new ChainRecorder() : undefined;
    const chain = await runChain(env, policy, u.chain, { runId: u.runId, mode: u.mode, seed: u.seed, repeat: u.repeat, policySeed: u.policySeed, ood: u.ood, recorder });
    // Written here, before the parent appends the record: a record found on resume has its recording.
    if (recorder && keepRecording(u.record!.mode, chain)) {
      if (u.record!.dir === undefined) {
        const bytes = recorder.encode(chain);
        return { cell: u.cell, chain, recordedBytes: bytes.byteLength, recording: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64') };
      }
      return { cell: u.cell, chain, recordedBytes: writeRecording(u.record!.dir, chain, recorder) };
    }
    return { cell: u.cell, chain };
  }
  return { cell: u.cell, baseline: await runBaselineEpisode(env, policy, u.task, u) };
}
