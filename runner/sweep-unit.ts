// One unit of sweep work, run in a worker thread (or in-process): a chain run of one policy under one
// OOD setting, or one controlled-baseline episode. Units carry everything that decides their result
// (seeds included), so a sweep's results do not depend on which worker ran what, or how many there were.
import type { ChainSpec, SceneSpec, TaskSpec } from '../scenes/types.ts';
import type { OodLevels } from '../scenes/ood.ts';
import { Env } from '../sim/env.ts';
import type { Policy } from '../sim/policy.ts';
import { parsePolicy, type PolicyOpenOptions } from '../policies/registry.ts';
import { envOptionsFor } from './actors.ts';
import { runChain, type ChainMode } from './chain.ts';
import { runBaselineEpisode } from './episode.ts';
import type { BaselineRecord, ChainRecord } from './records.ts';

export type SweepUnit =
  | { kind: 'chain'; cell: string; runId: string; policy: string; policyOptions?: PolicyOpenOptions; chain: ChainSpec; seed: number; repeat: number; policySeed: number; mode: ChainMode; ood: OodLevels }
  | { kind: 'baseline'; cell: string; runId: string; policy: string; policyOptions?: PolicyOpenOptions; task: TaskSpec; episode: number; seed: number; scene?: SceneSpec };

export type SweepResult = { cell: string; chain?: ChainRecord; baseline?: BaselineRecord };

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

export async function runUnit(u: SweepUnit): Promise<SweepResult> {
  const { env, policy } = await actorFor(u.policy, u.policyOptions);
  if (u.kind === 'chain') {
    const chain = await runChain(env, policy, u.chain, { runId: u.runId, mode: u.mode, seed: u.seed, repeat: u.repeat, policySeed: u.policySeed, ood: u.ood });
    return { cell: u.cell, chain };
  }
  return { cell: u.cell, baseline: await runBaselineEpisode(env, policy, u.task, u) };
}
