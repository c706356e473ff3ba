// Batched inference for B episodes run side by side in one process: each episode (a lane) asks for its
// next action chunk through the gate, and the gate calls the model once with every lane's observation
// when all lanes still running are waiting. Lanes that finish leave, so the last ones are not held up.
import type { Observation } from '../sim/policy.ts';
import { PolicyUnavailableError } from '../sim/policy.ts';
import type { ChunkModel } from './chunk-model.ts';

interface Pending {
  obs: Observation;
  resolve(chunk: Float32Array): void;
  reject(e: unknown): void;
}

export class BatchGate {
  private lanes = 0;
  private pending: Pending[] = [];
  private running = false;
  /** Model calls made and observations sent, for benchmarks and tests. */
  readonly stats = { calls: 0, rows: 0 };

  constructor(readonly model: ChunkModel) {}

  /** A lane starts: the gate now waits for it before calling the model. */
  join(): void {
    this.lanes++;
  }

  /** A lane is done: the gate stops waiting for it. */
  leave(): void {
    this.lanes = Math.max(0, this.lanes - 1);
    this.maybeRun();
  }

  /** The action chunk for `obs`, from the next batched model call. */
  request(obs: Observation): Promise<Float32Array> {
    return new Promise((resolve, reject) => {
      this.pending.push({ obs, resolve, reject });
      this.maybeRun();
    });
  }

  private maybeRun(): void {
    if (this.running || this.pending.length === 0 || this.pending.length < this.lanes) return;
    const batch = this.pending.splice(0);
    this.running = true;
    void this.run(batch).finally(() => {
      this.running = false;
      this.maybeRun();
    });
  }

  private async run(batch: Pending[]): Promise<void> {
    try {
      const out = await this.call(batch.map((p) => p.obs));
      batch.forEach((p, i) => p.resolve(out[i]));
    } catch (e) {
      // One bad row (NaN, a missing image) must not fail its neighbours: redo the rows one by one.
      if (batch.length === 1 || e instanceof PolicyUnavailableError) {
        for (const p of batch) p.reject(e);
        return;
      }
      for (const p of batch) {
        try {
          p.resolve((await this.call([p.obs]))[0]);
        } catch (e1) {
          p.reject(e1);
        }
      }
    }
  }

  private async call(obs: Observation[]): Promise<Float32Array[]> {
    this.stats.calls++;
    this.stats.rows += obs.length;
    const out = await this.model.infer(obs);
    if (out.length !== obs.length) throw new Error(`${this.model.id}: ${out.length} action chunks for ${obs.length} observations`);
    return out;
  }
}
