// The tiny-vla network: an action chunk per observation, the same weights from the same seed, and on
// the WASM backend (with chaingap's conv gradients) it fits a fixed batch of demonstrations.
import { describe, expect, it } from 'vitest';
import { initTf } from '../policies/train/tf-backend.ts';
import { buildVlaModel, oneHotTokens, type VlaModelSpec } from '../policies/train/vla-model.ts';

const spec: VlaModelSpec = { imageSize: 32, stateSize: 8, tokens: 6, vocabSize: 20, horizon: 4, actionSize: 7, seed: 7 };

describe('tiny-vla model', () => {
  it('maps images, state and tokens to an action chunk; seeded; learns a fixed batch', async () => {
    const { tf, backend } = await initTf();
    expect(backend).toBe('wasm');
    const a = buildVlaModel(tf, spec), b = buildVlaModel(tf, spec), c = buildVlaModel(tf, { ...spec, seed: 8 });
    const w = (m: typeof a) => m.getWeights().map((t) => Array.from(t.dataSync()));
    expect(w(a)).toEqual(w(b));
    expect(w(a)).not.toEqual(w(c));
    const n = 8;
    const images = tf.randomUniform([n, 32, 32, 6], 0, 1, 'float32', 1);
    const state = tf.randomUniform([n, 8], -1, 1, 'float32', 2);
    const ids = Array.from({ length: n }, (_, r) => Array.from({ length: 6 }, (_, i) => (r * 7 + i * 3) % 20));
    const tokens = oneHotTokens(tf, ids, 20);
    expect(tokens.shape).toEqual([n, 6 * 20]);
    expect(Array.from(tokens.dataSync().slice(0, 20)).indexOf(1)).toBe(ids[0][0]);
    const target = tf.randomUniform([n, 4, 7], -1, 1, 'float32', 3);
    const y = a.predict([images, state, tokens]) as import('@tensorflow/tfjs').Tensor;
    expect(y.shape).toEqual([n, 4, 7]);
    a.compile({ optimizer: tf.train.adam(1e-3), loss: 'meanSquaredError' });
    const first = (await a.trainOnBatch([images, state, tokens], target)) as number;
    let last = first;
    for (let i = 0; i < 60; i++) last = (await a.trainOnBatch([images, state, tokens], target)) as number;
    expect(last).toBeLessThan(first / 2);
    tf.dispose([images, state, tokens, target, y]);
    for (const m of [a, b, c]) m.dispose();
  }, 60_000);
});
