// A learned policy's model seen from chaingap: observations in, action chunks out, stateless between
// calls. The ONNX host (onnx-model.ts) and the openpi websocket client (remote-model.ts) are chunk
// models; `ChunkedPolicy` (chunked-policy.ts) turns one into a `Policy` that executes part of each chunk
// and asks again, and `serve-policy` (policy-server.ts) serves one over the openpi protocol.
import type { Observation } from '../sim/policy.ts';

/** A camera image a model needs, rendered at this size. */
export interface CameraNeed {
  camera: string;
  width: number;
  height: number;
}

export interface ChunkModel {
  /** Identity for records and configs, e.g. `onnx:policies/models/example-cnn/model.onnx`. */
  readonly id: string;
  /** Camera images each observation must carry. */
  readonly cameras: readonly CameraNeed[];
  /** Largest batch one `infer` call takes in a single model call: a number, or Infinity for a dynamic batch dimension. */
  readonly maxBatch: number;
  /** Actions the model suggests executing from each chunk before asking again (the manifest's `execute`). */
  readonly execute: number;
  /** Temporal-ensembling decay (ACT), or null for plain chunk execution. */
  readonly ensembleDecay: number | null;
  /**
   * One action chunk per observation, in the env's delta_ee action space ([T, 7] row-major, any T >= 1;
   * gripper -1 open .. +1 closed). Throws on NaN/Inf, wrong shapes, timeouts and server errors (the
   * runner labels the step `policy_error`), or `PolicyUnavailableError` when the model cannot be reached.
   */
  infer(batch: readonly Observation[]): Promise<Float32Array[]>;
  /** What `serve-policy` sends as its metadata frame. */
  metadata(): Record<string, unknown>;
  close(): Promise<void>;
}

/** Check a chunk: T x 7 finite numbers. Returns T. */
export function checkChunk(chunk: Float32Array, who: string): number {
  if (chunk.length === 0 || chunk.length % 7 !== 0) throw new Error(`${who}: action chunk has ${chunk.length} numbers, not a multiple of 7 ([T, 7])`);
  for (let i = 0; i < chunk.length; i++) {
    if (!Number.isFinite(chunk[i])) throw new Error(`${who}: action chunk entry [${Math.floor(i / 7)}, ${i % 7}] is ${chunk[i]} (NaN/Inf)`);
  }
  return chunk.length / 7;
}
