// A learned policy as chaingap runs it: asks its chunk model (through a batch gate) for an action chunk,
// executes the first `execute` actions, then asks again; or, with temporal ensembling (ACT), asks every
// step and averages what all live chunks predict for this step, weighting the oldest most
// (w_i = exp(-decay * i), i = 0 for the oldest chunk).
import type { EpisodeStart, Observation, Policy } from '../sim/policy.ts';
import type { BatchGate } from './batch-gate.ts';
import { UserError } from '../scenes/errors.ts';

export interface ChunkedPolicyOptions {
  /** Actions to execute per chunk (default: the model's). */
  execute?: number;
  /** Temporal-ensembling decay, or null for none (default: the model's). */
  ensembleDecay?: number | null;
}

export class ChunkedPolicy implements Policy {
  readonly id: string;
  private readonly execute: number;
  private readonly decay: number | null;
  private chunk: Float32Array | null = null;
  private used = 0;
  /** Ensembling: chunks still covering future steps, with the step they were made at. */
  private live: { t0: number; chunk: Float32Array }[] = [];
  private t = 0;
  private closed = false;

  constructor(private readonly gate: BatchGate, o: ChunkedPolicyOptions = {}) {
    this.id = gate.model.id;
    this.execute = o.execute ?? gate.model.execute;
    this.decay = o.ensembleDecay === undefined ? gate.model.ensembleDecay : o.ensembleDecay;
    if (!Number.isInteger(this.execute) || this.execute < 1) throw new UserError(`execute must be a whole number >= 1, got ${this.execute}`);
    gate.join();
  }

  reset(_start: EpisodeStart): void {
    this.chunk = null;
    this.used = 0;
    this.live = [];
    this.t = 0;
  }

  /** The next act asks the model (ensembling asks every step; otherwise once the chunk's executed part is used). */
  needsImages(): boolean {
    return this.decay !== null || this.chunkDone();
  }

  private chunkDone(): boolean {
    return !this.chunk || this.used >= Math.min(this.execute, this.chunk.length / 7);
  }

  async act(obs: Observation): Promise<Float32Array> {
    if (this.decay !== null) return this.ensembled(await this.gate.request(obs));
    if (this.chunkDone()) {
      this.chunk = null;
      this.chunk = await this.gate.request(obs);
      this.used = 0;
    }
    return this.chunk!.slice(7 * this.used, 7 * ++this.used);
  }

  private ensembled(chunk: Float32Array): Float32Array {
    this.live.push({ t0: this.t, chunk });
    const out = new Float32Array(7);
    let wsum = 0;
    this.live.forEach(({ t0, chunk: c }, i) => {
      const w = Math.exp(-this.decay! * i);
      const k = this.t - t0;
      for (let j = 0; j < 7; j++) out[j] += w * c[7 * k + j];
      wsum += w;
    });
    for (let j = 0; j < 7; j++) out[j] /= wsum;
    this.t++;
    this.live = this.live.filter(({ t0, chunk: c }) => this.t - t0 < c.length / 7);
    return out;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.gate.leave();
  }
}
