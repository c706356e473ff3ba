// Tiny ONNX policies with known outputs for tests, written with policies/onnx-writer.ts into a folder as
// `model.onnx` + `manifest.json`: a linear map of the state (dynamic or fixed batch of 1), the same with an
// action chunk of 4, one that outputs NaN, and ones whose manifest disagrees with the model's inputs.
// Each builder returns the model's path.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { GraphBuilder, type Dim } from '../../policies/onnx-writer.ts';
import { MANIFEST_FORMAT } from '../../policies/onnx-manifest.ts';

export const STATE_LAYOUT = ['ee_pos', 'ee_axis_angle', 'gripper_qpos'] as const;
export const STATE_DIM = 8;
/** Chunk length of `chunkModel`, and what each later action adds: actions[t] = state @ W + b + t * CHUNK_STEP. */
export const CHUNK_T = 4;
export const CHUNK_STEP = 0.01;

export interface LinearOptions {
  /** [8, 7] row-major. */
  W: ArrayLike<number>;
  /** [7]. */
  b: ArrayLike<number>;
  /** 'dynamic' (default): a symbolic "batch" dim; 1: a fixed batch of one. */
  batch?: 'dynamic' | 1;
}

const batchDim = (batch: 'dynamic' | 1 = 'dynamic'): Dim => (batch === 'dynamic' ? 'batch' : 1);

function stateInput(batch: 'dynamic' | 1 | undefined, dim = STATE_DIM) {
  return { kind: 'state', name: 'state', dtype: 'float32', shape: [batchDim(batch), dim], layout: [...STATE_LAYOUT] };
}

/** Write the model and its manifest into `dir`; returns the model path. */
function save(dir: string, g: GraphBuilder, manifest: Record<string, unknown>): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'model.onnx');
  writeFileSync(file, g.toModel({ producer: 'chaingap-tests' }));
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return file;
}

function manifest(name: string, batch: 'dynamic' | 1 | undefined, inputs: unknown[], t: number, execute: number) {
  return {
    format: MANIFEST_FORMAT, name, description: 'test model', trained: false, batch: batch ?? 'dynamic', providers: ['cpu'],
    inputs, output: { name: 'actions', shape: [batchDim(batch), t, 7], unnormalize: { type: 'none' } }, execute, ensemble: null,
  };
}

/** y = state @ W + b ([batch, 7]) on a graph with a state input of `dim` numbers; returns y's name. */
function linear(g: GraphBuilder, o: Omit<LinearOptions, 'batch'>, batch: Dim, dim = STATE_DIM): string {
  g.input('state', 'float32', [batch, dim]);
  const W = g.initializer('W', Float32Array.from(o.W), [dim, 7]);
  const b = g.initializer('b', Float32Array.from(o.b), [7]);
  return g.node('Gemm', ['state', W, b], ['y']);
}

/** Reshape `x` to [batch, t, 7] as the output `actions`. */
function actionsOut(g: GraphBuilder, x: string, batch: Dim, t: number): void {
  const shape = g.initializer('actions.shape', new BigInt64Array([-1n, BigInt(t), 7n]), [3]);
  g.node('Reshape', [x, shape], ['actions']);
  g.output('actions', 'float32', [batch, t, 7]);
}

/** actions [batch, 1, 7] = state @ W + b; manifest: unnormalize none, execute 1. */
export function linearModel(dir: string, o: LinearOptions): string {
  const g = new GraphBuilder();
  actionsOut(g, linear(g, o, batchDim(o.batch)), batchDim(o.batch), 1);
  return save(dir, g, manifest('linear', o.batch, [stateInput(o.batch)], 1, 1));
}

/** actions [batch, 4, 7], actions[t] = state @ W + b + t * 0.01; manifest: execute 2. */
export function chunkModel(dir: string, o: LinearOptions): string {
  const g = new GraphBuilder();
  const y = g.node('Reshape', [linear(g, o, batchDim(o.batch)), g.initializer('y.shape', new BigInt64Array([-1n, 1n, 7n]), [3])], ['y3']);
  const steps = g.initializer('steps', Float32Array.from({ length: CHUNK_T }, (_, t) => t * CHUNK_STEP), [CHUNK_T, 1]);
  g.node('Add', [y, steps], ['actions']);
  g.output('actions', 'float32', [batchDim(o.batch), CHUNK_T, 7]);
  return save(dir, g, manifest('chunk', o.batch, [stateInput(o.batch)], CHUNK_T, 2));
}

/** Like `linearModel`, but action columns 0..2 are NaN (multiplied by 0 / 0). */
export function nanModel(dir: string, o: LinearOptions): string {
  const g = new GraphBuilder();
  const mask = g.initializer('mask', Float32Array.from([0, 0, 0, 1, 1, 1, 1]), [7]);
  const nanMask = g.node('Div', [mask, mask], ['nan_mask']);
  actionsOut(g, g.node('Mul', [linear(g, o, batchDim(o.batch)), nanMask], ['y_nan']), batchDim(o.batch), 1);
  return save(dir, g, manifest('nan', o.batch, [stateInput(o.batch)], 1, 1));
}

/**
 * A model whose manifest disagrees with it. 'state': the model takes state [batch, 9], the manifest says
 * [batch, 8]. 'image': the model takes `agentview` [batch, 3, 32, 32] (actions from its mean colour), the
 * manifest says 64x64.
 */
export function mismatchModel(dir: string, kind: 'state' | 'image'): string {
  const g = new GraphBuilder();
  if (kind === 'state') {
    actionsOut(g, linear(g, { W: new Float32Array(9 * 7), b: new Float32Array(7) }, 'batch', 9), 'batch', 1);
    return save(dir, g, manifest('mismatch-state', 'dynamic', [stateInput('dynamic')], 1, 1));
  }
  g.input('agentview', 'float32', ['batch', 3, 32, 32]);
  const pooled = g.node('Flatten', [g.node('GlobalAveragePool', ['agentview'], ['pooled'])], ['colour'], { axis: 1 });
  const W = g.initializer('W', new Float32Array(3 * 7).fill(0.1), [3, 7]);
  const b = g.initializer('b', new Float32Array(7), [7]);
  actionsOut(g, g.node('Gemm', [pooled, W, b], ['y']), 'batch', 1);
  const image = {
    kind: 'image', name: 'agentview', camera: 'agentview', dtype: 'float32', layout: 'NCHW', shape: ['batch', 3, 64, 64],
  };
  return save(dir, g, manifest('mismatch-image', 'dynamic', [image], 1, 1));
}
