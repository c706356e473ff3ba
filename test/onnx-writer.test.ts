// The ONNX writer and the models written with it: the tiny test models run in onnxruntime-node with the
// expected outputs and symbolic batch dim; the shipped example model loads, its manifest validates, a batch
// equals single calls, and regenerating it reproduces its files byte for byte.
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import seedrandom from 'seedrandom';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeModel } from '../policies/onnx-writer.ts';
import { loadManifest, parseManifest } from '../policies/onnx-manifest.ts';
import { EXAMPLE_DIR, writeExampleModel } from '../scripts/make-example-model.ts';
import { words } from '../policies/tokenizer.ts';
import { CHUNK_STEP, CHUNK_T, chunkModel, linearModel, mismatchModel, nanModel } from './helpers/onnx-test-models.ts';

const tmp = mkdtempSync(path.join(tmpdir(), 'chaingap-onnx-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const rng = seedrandom('onnx-writer-test');
const randoms = (n: number, scale = 1) => Float32Array.from({ length: n }, () => (rng() * 2 - 1) * scale);
const W = randoms(8 * 7);
const b = randoms(7);

/** state @ W + b for each row of a [n, 8] state. */
function expected(state: Float32Array, n: number): Float64Array {
  const out = new Float64Array(n * 7);
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < 7; j++) {
      let s = b[j];
      for (let i = 0; i < 8; i++) s += state[r * 8 + i] * W[i * 7 + j];
      out[r * 7 + j] = s;
    }
  }
  return out;
}

async function runState(file: string, state: Float32Array, n: number): Promise<ort.Tensor> {
  const session = await ort.InferenceSession.create(file);
  const r = await session.run({ state: new ort.Tensor('float32', state, [n, 8]) });
  await session.release();
  return r.actions;
}

const shapeOf = (m: ort.InferenceSession.ValueMetadata) => (m.isTensor ? m.shape : null);

/** Row `r` of a batched tensor, as a batch of one. */
function rowOf(t: ort.Tensor, r: number): ort.Tensor {
  const per = t.size / t.dims[0];
  const data = (t.data as Float32Array | BigInt64Array).slice(r * per, (r + 1) * per);
  const dims = [1, ...t.dims.slice(1)];
  return data instanceof BigInt64Array ? new ort.Tensor('int64', data, dims) : new ort.Tensor('float32', data, dims);
}

describe('onnx-writer', () => {
  it('writes IR 8, opset 17 and the producer', () => {
    const m = decodeModel(readFileSync(linearModel(path.join(tmp, 'ir'), { W, b })));
    expect(m.ir_version).toBe(8);
    expect(m.opset_import).toEqual([{ domain: '', version: 17 }]);
    expect(m.producer_name).toBe('chaingap-tests');
    expect(m.graph.input[0].type.tensor_type.shape.dim).toEqual([{ dim_param: 'batch' }, { dim_value: 8 }]);
  });

  it('a linear model gives state @ W + b with a symbolic batch dim', async () => {
    const file = linearModel(path.join(tmp, 'linear'), { W, b });
    const session = await ort.InferenceSession.create(file);
    expect(session.inputMetadata.map(shapeOf)).toEqual([['batch', 8]]);
    expect(session.outputMetadata.map(shapeOf)).toEqual([['batch', 1, 7]]);
    await session.release();
    const state = randoms(5 * 8);
    const out = await runState(file, state, 5);
    expect(out.dims).toEqual([5, 1, 7]);
    const want = expected(state, 5);
    for (let i = 0; i < want.length; i++) expect(Math.abs((out.data as Float32Array)[i] - want[i])).toBeLessThan(1e-6);
    loadManifest(file);
  });

  it('a fixed-batch model declares batch 1', async () => {
    const file = linearModel(path.join(tmp, 'fixed'), { W, b, batch: 1 });
    const session = await ort.InferenceSession.create(file);
    expect(session.inputMetadata.map(shapeOf)).toEqual([[1, 8]]);
    await session.release();
    expect(loadManifest(file).manifest.batch).toBe(1);
  });

  it('a chunk model adds t * 0.01 per step; a NaN model outputs NaN in columns 0..2', async () => {
    const state = randoms(2 * 8);
    const want = expected(state, 2);
    const chunk = await runState(chunkModel(path.join(tmp, 'chunk'), { W, b }), state, 2);
    expect(chunk.dims).toEqual([2, CHUNK_T, 7]);
    const c = chunk.data as Float32Array;
    for (let r = 0; r < 2; r++) {
      for (let t = 0; t < CHUNK_T; t++) {
        for (let j = 0; j < 7; j++) expect(Math.abs(c[(r * CHUNK_T + t) * 7 + j] - (want[r * 7 + j] + t * CHUNK_STEP))).toBeLessThan(1e-6);
      }
    }
    const nan = (await runState(nanModel(path.join(tmp, 'nan'), { W, b }), state, 2)).data as Float32Array;
    expect([...nan.slice(0, 7)].map(Number.isNaN)).toEqual([true, true, true, false, false, false, false]);
  });

  it('mismatch models: valid manifests that disagree with the model inputs', async () => {
    for (const [kind, want] of [['state', ['batch', 9]], ['image', ['batch', 3, 32, 32]]] as const) {
      const file = mismatchModel(path.join(tmp, `mismatch-${kind}`), kind);
      const { manifest } = loadManifest(file);
      const session = await ort.InferenceSession.create(file);
      expect(session.inputMetadata.map(shapeOf)).toEqual([want]);
      expect(manifest.inputs[0].shape).not.toEqual(want);
      await session.release();
    }
  });
});

describe('example-cnn', () => {
  const modelFile = path.join(EXAMPLE_DIR, 'model.onnx');

  it('loads, its manifest validates, and a batch of 8 equals 8 single calls', async () => {
    const manifest = parseManifest(JSON.parse(readFileSync(path.join(EXAMPLE_DIR, 'manifest.json'), 'utf8')), 'manifest.json');
    expect(manifest.trained).toBe(false);
    const session = await ort.InferenceSession.create(modelFile);
    expect(session.inputNames).toEqual(manifest.inputs.map((i) => i.name));
    const vocabSize = Object.keys(JSON.parse(readFileSync(path.join(EXAMPLE_DIR, 'vocab.json'), 'utf8'))).length;
    const n = 8;
    const img = () => randoms(n * 3 * 64 * 64, 2);
    const feeds = {
      agentview: new ort.Tensor('float32', img(), [n, 3, 64, 64]),
      wrist: new ort.Tensor('float32', img(), [n, 3, 64, 64]),
      state: new ort.Tensor('float32', randoms(n * 8), [n, 8]),
      tokens: new ort.Tensor('int64', BigInt64Array.from({ length: n * 16 }, () => BigInt(Math.floor(rng() * vocabSize))), [n, 16]),
    };
    const batch = (await session.run(feeds)).actions;
    expect(batch.dims).toEqual([n, 8, 7]);
    const all = batch.data as Float32Array;
    for (let r = 0; r < n; r++) {
      const row = Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, rowOf(t, r)]));
      const one = (await session.run(row)).actions.data as Float32Array;
      for (let i = 0; i < 56; i++) expect(Math.abs(one[i] - all[r * 56 + i])).toBeLessThan(1e-5);
    }
    expect(all.every((x) => Number.isFinite(x) && Math.abs(x) <= 1)).toBe(true);
    await session.release();
  });

  it('its vocabulary covers the shipped instructions', () => {
    const vocab = JSON.parse(readFileSync(path.join(EXAMPLE_DIR, 'vocab.json'), 'utf8'));
    expect(vocab['<pad>']).toBe(0);
    expect(vocab['<unk>']).toBe(1);
    for (const w of words('Put the alphabet soup in the basket; open the drawer of the cabinet', true)) expect(vocab[w]).toBeGreaterThan(1);
  });

  it('is under 2 MB and regenerates byte for byte', () => {
    const files = readdirSync(EXAMPLE_DIR).sort();
    expect(files).toEqual(['MODEL_CARD.md', 'manifest.json', 'model.onnx', 'vocab.json']);
    const dir = path.join(tmp, 'example');
    writeExampleModel(dir);
    for (const f of files) {
      expect(statSync(path.join(EXAMPLE_DIR, f)).size).toBeLessThan(2 * 1024 * 1024);
      expect(readFileSync(path.join(dir, f)).equals(readFileSync(path.join(EXAMPLE_DIR, f))), f).toBe(true);
    }
  });
});
