// A calibration policy with a known per-step success probability: the scripted expert, which either
// solves each task or fails it on purpose (physically, through env.step), decided by a coin drawn
// from the policy seed and the chain position alone. Over a chain the steps' intents are i.i.d.
// Bernoulli(p), so S_k should come out near p^k and the compounding factor near 1.
import seedrandom from 'seedrandom';
import type { EpisodeStart, Observation, Policy } from '../sim/policy.ts';
import type { PrivilegedState } from '../sim/privileged.ts';
import { ExpertPolicy } from './expert.ts';
import { UserError } from '../scenes/errors.ts';

/**
 * Whether the Bernoulli policy means to succeed at chain position `step` for policy seed `seed`: a
 * uniform draw from `seedrandom("bernoulli:<seed>:<step>")` below `p`. Depends on nothing else (no
 * timing, no physics); the same draw serves every p, so runs at different p are coupled.
 */
export function bernoulliCoin(seed: number, step: number, p: number): boolean {
  return seedrandom(`bernoulli:${seed}:${step}`)() < p;
}

export class BernoulliPolicy implements Policy {
  readonly id: string;
  private readonly expert: ExpertPolicy;

  constructor(privileged: PrivilegedState, readonly p: number) {
    if (!(p >= 0 && p <= 1)) throw new UserError(`bernoulli: p must be a number in [0, 1], got ${p}`);
    this.id = `bernoulli:${p}`;
    this.expert = new ExpertPolicy(privileged, {
      id: this.id,
      sabotageStep: (start) => !bernoulliCoin(start.seed, start.step ?? 0, p),
    });
  }

  /** Whether the current task is being failed on purpose. */
  get sabotaged(): boolean {
    return this.expert.sabotaged;
  }

  /** The expert's phases that ran out of steps in the current task. */
  get timeouts(): readonly string[] {
    return this.expert.timeouts;
  }

  reset(start: EpisodeStart): void {
    this.expert.reset(start);
  }

  act(obs: Observation): number[] {
    return this.expert.act(obs);
  }
}
