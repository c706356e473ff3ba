// One unit of sweep work, run in a worker thread (or in-process): a chain run of one policy under one
// OOD setting, or one controlled-baseline episode. Units carry everything that decides their result
// (seeds included), so a sweep's results do not depend on which worker ran what, or how many there were.
import type { ChainSpec, SceneSpec, TaskSpec } from '../scenes/types.ts';
import type { OodLevels } from '../scenes/ood.ts';
import { Env } from '../sim/env.ts';
import type { Policy } from '../sim/policy.ts';
import { parsePolicy } from '../policies/registry.ts';
import { runChain, type ChainMode } from './chain.ts';
import { runBaselineEpisode } from './episode.ts';
import type { BaselineRecord, ChainRecord } from './records.ts';

export type SweepUnit =
  | { kind: 'chain'; cell: string; runId: string; policy: string; chain: ChainSpec; seed: number; repeat: number; policySeed: number; mode: ChainMode; ood: OodLevels }
  | { kind: 'baseline'; cell: string; runId: string; policy: string; task: TaskSpec; episode: number; seed: number; scene?: SceneSpec };

export type SweepResult = { cell: string; chain?: ChainRecord; baseline?: BaselineRecord };

const cache = new Map<string, { env: Env; policy: Policy }>();

function actorFor(spec: string): { env: Env; policy: Policy } {
  let a = cache.get(spec);
  if (!a) {
    const env = new Env();
    a = { env, policy: parsePolicy(spec).make(env.privileged) };
    cache.set(spec, a);
  }
  return a;
}

export async function runUnit(u: SweepUnit): Promise<SweepResult> {
  const { env, policy } = actorFor(u.policy);
  if (u.kind === 'chain') {
    const chain = await runChain(env, policy, u.chain, { runId: u.runId, mode: u.mode, seed: u.seed, repeat: u.repeat, policySeed: u.policySeed, ood: u.ood });
    return { cell: u.cell, chain };
  }
  return { cell: u.cell, baseline: await runBaselineEpisode(env, policy, u.task, u) };
}
