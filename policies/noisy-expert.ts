// A calibration policy whose failures come from physics alone: the scripted expert with Gaussian noise
// on its arm actions and a random grasp offset per pick attempt. Missed grasps, slips and knocked
// objects then happen at a rate set by sigma; there is no coin. All randomness comes from one seeded
// stream per task, so the same policy seed and chain position give the same actions.
import seedrandom from 'seedrandom';
import type { EpisodeStart, Observation, Policy } from '../sim/policy.ts';
import type { PrivilegedState } from '../sim/privileged.ts';
import { ExpertPolicy } from './expert.ts';
import type { TcpTarget } from './motion.ts';
import { UserError } from '../scenes/errors.ts';

/** Grasp-offset noise per unit sigma: horizontal std (m per axis) and yaw std (rad). */
export const GRASP_NOISE = { pos: 0.02, yaw: 0.15 };

export class NoisyExpertPolicy implements Policy {
  readonly id: string;
  private readonly expert: ExpertPolicy;
  private rng: seedrandom.PRNG = seedrandom('noisy:unset');
  /** Second normal deviate of the last Box-Muller pair, if not used yet. */
  private spare: number | null = null;

  constructor(privileged: PrivilegedState, readonly sigma: number) {
    if (!(sigma >= 0 && Number.isFinite(sigma))) throw new UserError(`noisy-expert: sigma must be a finite number >= 0, got ${sigma}`);
    this.id = `noisy-expert:${sigma}`;
    this.expert = new ExpertPolicy(privileged, {
      id: this.id,
      // sigma = 0 is the plain expert, bit for bit.
      perturbGrasp: sigma > 0 ? (t) => this.perturb(t) : undefined,
    });
  }

  /** The expert's phases that ran out of steps in the current task. */
  get timeouts(): readonly string[] {
    return this.expert.timeouts;
  }

  reset(start: EpisodeStart): void {
    this.rng = seedrandom(`noisy:${start.seed}:${start.step ?? 0}`);
    this.spare = null;
    this.expert.reset(start);
  }

  act(obs: Observation): number[] {
    const a = this.expert.act(obs);
    if (this.sigma > 0) {
      for (let i = 0; i < 6; i++) a[i] = Math.max(-1, Math.min(1, a[i] + this.sigma * this.gauss()));
      // The expert predicts where its actions take the arm (under action latency) from what was sent.
      this.expert.sent(a);
    }
    return a;
  }

  private perturb(t: TcpTarget): TcpTarget {
    const s = this.sigma * GRASP_NOISE.pos;
    return {
      pos: [t.pos[0] + s * this.gauss(), t.pos[1] + s * this.gauss(), t.pos[2]],
      yaw: t.yaw + this.sigma * GRASP_NOISE.yaw * this.gauss(),
    };
  }

  /** A standard normal deviate (Box-Muller on the seeded stream). */
  private gauss(): number {
    if (this.spare !== null) {
      const z = this.spare;
      this.spare = null;
      return z;
    }
    const u = 1 - this.rng(); // (0, 1]
    const v = this.rng();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
}
