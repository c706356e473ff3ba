// The small pixel policy chaingap trains (tiny-vla): both camera images stacked as 6 channels and
// read by three 3x3 stride-2 convolutions, the state through a dense layer, the instruction's token ids
// one-hot into a dense layer (the wasm backend has no gradient for an embedding's Gather; the ONNX export
// turns the ids into the same one-hot block with OneHot + Reshape), all concatenated into two dense layers that give a chunk of `horizon` actions.
// Every initializer is seeded, so the same seed builds the same network.
import type * as tfjs from '@tensorflow/tfjs';
import type { InitTfResult } from './tf-backend.ts';

type Tf = InitTfResult['tf'];

export interface VlaModelSpec {
  /** Side of the square images (pixels). */
  imageSize: number;
  stateSize: number;
  /** Token ids per instruction, and the vocabulary's size. */
  tokens: number;
  vocabSize: number;
  horizon: number;
  actionSize: number;
  seed: number;
  convFilters?: readonly number[];
  hidden?: number;
}

export const VLA_INPUTS = { images: 'images', state: 'state', tokens: 'tokens_onehot' } as const;

/** One instruction's token ids as the network's one-hot block [tokens * vocabSize] (ids outside the vocabulary: all zero). */
export function oneHotBlock(ids: readonly number[], vocabSize: number): Float32Array {
  const v = new Float32Array(ids.length * vocabSize);
  ids.forEach((id, i) => { if (id >= 0 && id < vocabSize) v[i * vocabSize + id] = 1; });
  return v;
}

/** Token ids [n, tokens] as the network's one-hot input [n, tokens * vocabSize]. */
export function oneHotTokens(tf: Tf, ids: readonly number[][], vocabSize: number): tfjs.Tensor2D {
  const L = ids[0]?.length ?? 0;
  const data = new Float32Array(ids.length * L * vocabSize);
  ids.forEach((r, i) => data.set(oneHotBlock(r, vocabSize), i * L * vocabSize));
  return tf.tensor2d(data, [ids.length, L * vocabSize]);
}

export function buildVlaModel(tf: Tf, s: VlaModelSpec): tfjs.LayersModel {
  let seed = s.seed;
  const init = () => tf.initializers.glorotUniform({ seed: seed++ });
  const images = tf.input({ shape: [s.imageSize, s.imageSize, 6], name: VLA_INPUTS.images });
  const state = tf.input({ shape: [s.stateSize], name: VLA_INPUTS.state });
  const tokens = tf.input({ shape: [s.tokens * s.vocabSize], name: VLA_INPUTS.tokens });
  let x: tfjs.SymbolicTensor = images;
  for (const [i, f] of (s.convFilters ?? [16, 32, 32]).entries()) {
    x = tf.layers.conv2d({ filters: f, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: init(), name: `conv${i}` }).apply(x) as tfjs.SymbolicTensor;
  }
  x = tf.layers.flatten({ name: 'flatten' }).apply(x) as tfjs.SymbolicTensor;
  x = tf.layers.dense({ units: 128, activation: 'relu', kernelInitializer: init(), name: 'vision' }).apply(x) as tfjs.SymbolicTensor;
  const st = tf.layers.dense({ units: 32, activation: 'relu', kernelInitializer: init(), name: 'state_fc' }).apply(state) as tfjs.SymbolicTensor;
  const tx = tf.layers.dense({ units: 64, activation: 'relu', kernelInitializer: init(), name: 'text_fc' }).apply(tokens) as tfjs.SymbolicTensor;
  let h = tf.layers.concatenate({ name: 'fuse' }).apply([x, st, tx]) as tfjs.SymbolicTensor;
  h = tf.layers.dense({ units: s.hidden ?? 256, activation: 'relu', kernelInitializer: init(), name: 'hidden' }).apply(h) as tfjs.SymbolicTensor;
  let out = tf.layers.dense({ units: s.horizon * s.actionSize, kernelInitializer: init(), name: 'actions_flat' }).apply(h) as tfjs.SymbolicTensor;
  out = tf.layers.reshape({ targetShape: [s.horizon, s.actionSize], name: 'actions' }).apply(out) as tfjs.SymbolicTensor;
  return tf.model({ inputs: [images, state, tokens], outputs: out, name: 'tiny_vla' });
}
