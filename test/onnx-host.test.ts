// The ONNX host: tiny models written in the test (a linear policy with known outputs, a chunked one, one
// that outputs NaN, one whose manifest disagrees with it, a fixed batch of 1) and the shipped example CNN.
// Checks outputs, action chunking and ensembling, batching (batched = single calls), device fallback,
// tokenizers, and that failures become `policy_error` steps while the run goes on.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Observation } from '../sim/policy.ts';
import { Env } from '../sim/env.ts';
import { OnnxChunkModel } from '../policies/onnx-model.ts';
import { BatchGate } from '../policies/batch-gate.ts';
import { ChunkedPolicy } from '../policies/chunked-policy.ts';
import type { ChunkModel } from '../policies/chunk-model.ts';
import { stateVector } from '../policies/state-vector.ts';
import { instructionEncoder } from '../policies/tokenizer.ts';
import { PolicyError } from '../policies/policy-error.ts';
import { parsePolicy } from '../policies/registry.ts';
import { runTask } from '../runner/chains/episode.ts';
import { runChains } from '../runner/chains/run.ts';
import { findTask } from '../scenes/load.ts';
import { CHUNK_STEP, CHUNK_T, STATE_LAYOUT, chunkModel, linearModel, mismatchModel, nanModel } from './helpers/onnx-test-models.ts';

const tmp = mkdtempSync(path.join(tmpdir(), 'chaingap-onnx-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const dirFor = (name: string) => path.join(tmp, name);
const EXAMPLE = 'policies/models/example-cnn/model.onnx';
const quiet = { log: () => {} };

// A fixed, well-conditioned W (8 x 7) and b.
const W = Array.from({ length: 56 }, (_, i) => Math.sin(i * 0.7) * 0.3);
const b = [0.01, -0.02, 0.03, 0, 0.1, -0.1, 0.5];

function obs(seed: number): Observation {
  const s = (k: number) => Math.sin(seed * 13.1 + k * 1.7);
  const q = [s(3) * 0.3, s(4) * 0.3, s(5) * 0.3, 1];
  const n = Math.hypot(...q);
  return {
    instruction: 'put the soup on the plate',
    state: { eePos: [0.4 + 0.1 * s(0), 0.1 * s(1), 0.2 + 0.1 * s(2)], eeQuat: q.map((x) => x / n) as [number, number, number, number], gripperWidth: 0.04 + 0.03 * s(6), joints: [0, 0, 0, 0, 0, 0, 0] },
  };
}

/** state @ W + b for one observation. */
function expected(o: Observation): number[] {
  const x = stateVector(o.state, STATE_LAYOUT);
  return Array.from({ length: 7 }, (_, j) => b[j] + x.reduce((a, xi, i) => a + xi * W[i * 7 + j], 0));
}

describe('ONNX host: outputs and manifest checks', () => {
  it('a linear policy gives state @ W + b', async () => {
    const m = await OnnxChunkModel.load(linearModel(dirFor('lin'), { W, b }), quiet);
    const [chunk] = await m.infer([obs(1)]);
    expect(chunk.length).toBe(7);
    const e = expected(obs(1));
    for (let j = 0; j < 7; j++) expect(chunk[j]).toBeCloseTo(e[j], 5);
    expect(m.maxBatch).toBe(Infinity);
    await m.close();
  });

  it('a dynamic batch of 8 equals 8 single calls within 1e-5, and the gate makes one model call for 8 lanes', async () => {
    const m = await OnnxChunkModel.load(linearModel(dirFor('lin-b'), { W, b }), quiet);
    const batch = Array.from({ length: 8 }, (_, i) => obs(i));
    const together = await m.infer(batch);
    for (const [i, o] of batch.entries()) {
      const [single] = await m.infer([o]);
      for (let j = 0; j < 7; j++) expect(Math.abs(together[i][j] - single[j])).toBeLessThan(1e-5);
    }
    const gate = new BatchGate(m);
    const lanes = batch.map(() => new ChunkedPolicy(gate));
    const acts = await Promise.all(lanes.map((p, i) => p.act(batch[i])));
    expect(gate.stats).toEqual({ calls: 1, rows: 8 });
    for (const [i, a] of acts.entries()) for (let j = 0; j < 7; j++) expect(a[j]).toBeCloseTo(expected(batch[i])[j], 5);
    await m.close();
  });

  it('lane groups: lanes are dealt to the groups in turn, and one group is served without waiting for the other', async () => {
    const file = linearModel(dirFor('lin-groups'), { W, b });
    const settled = async (p: Promise<unknown>) => Promise.race([p.then(() => true), new Promise((r) => setTimeout(() => r(false), 200))]);
    // One group: lanes 0 and 2 asking wait for lanes 1 and 3, which are still stepping their envs.
    const single = await parsePolicy(`onnx:${file}`).open({ ...quiet, laneGroups: 1 });
    const s = [0, 1, 2, 3].map(() => single.make(undefined as never));
    expect(await settled(Promise.all([s[0].act(obs(0)), s[2].act(obs(2))]))).toBe(false);
    await Promise.all([s[1].act(obs(1)), s[3].act(obs(3))]);
    expect(single.gates!.map((g) => g.stats)).toEqual([{ calls: 1, rows: 4 }]);
    // Two groups: 0 and 2 form one, served at once; 1 and 3 the other.
    const two = await parsePolicy(`onnx:${file}`).open({ ...quiet, laneGroups: 2 });
    const t = [0, 1, 2, 3].map(() => two.make(undefined as never));
    const a = await Promise.all([t[0].act(obs(0)), t[2].act(obs(2))]);
    expect(two.gates!.map((g) => g.stats)).toEqual([{ calls: 1, rows: 2 }, { calls: 0, rows: 0 }]);
    const c = await Promise.all([t[1].act(obs(1)), t[3].act(obs(3))]);
    expect(two.gates!.map((g) => g.stats)).toEqual([{ calls: 1, rows: 2 }, { calls: 1, rows: 2 }]);
    for (const [i, act] of [a[0], c[0], a[1], c[1]].entries()) for (let j = 0; j < 7; j++) expect(act[j]).toBeCloseTo(expected(obs(i))[j], 5);
    await expect(parsePolicy(`onnx:${file}`).open({ ...quiet, laneGroups: 0 })).rejects.toThrow(/laneGroups must be a whole number >= 1, got 0/);
    await single.close();
    await two.close();
  });

  it('a fixed batch of 1 is called once per observation', async () => {
    const m = await OnnxChunkModel.load(linearModel(dirFor('lin-1'), { W, b, batch: 1 }), quiet);
    expect(m.maxBatch).toBe(1);
    const gate = new BatchGate(m);
    const lanes = [0, 1, 2].map(() => new ChunkedPolicy(gate));
    await Promise.all(lanes.map((p, i) => p.act(obs(i))));
    expect(gate.stats).toEqual({ calls: 1, rows: 3 });
    const out = await m.infer([obs(0), obs(1), obs(2)]);
    expect(out.map((c) => Array.from(c))).toEqual((await Promise.all([0, 1, 2].map(async (i) => (await m.infer([obs(i)]))[0]))).map((c) => Array.from(c)));
    await m.close();
  });

  it('a manifest that disagrees with the model names the input and both shapes', async () => {
    await expect(OnnxChunkModel.load(mismatchModel(dirFor('mis-s'), 'state'), quiet)).rejects.toThrow(/input "state".*manifest says shape \[batch, 8\].*model has \[batch, 9\]/);
    await expect(OnnxChunkModel.load(mismatchModel(dirFor('mis-i'), 'image'), quiet)).rejects.toThrow(/input "agentview".*\[batch, 3, 64, 64\].*\[batch, 3, 32, 32\]/);
  });

  it('bad manifests and paths are PolicyErrors naming the file and field', async () => {
    const dir = dirFor('bad-manifest');
    const model = linearModel(dir, { W, b });
    const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ ...manifest, execute: 0 }));
    await expect(OnnxChunkModel.load(model, quiet)).rejects.toThrow(/manifest\.json: execute: /);
    writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ ...manifest, bogus: 1 }));
    await expect(OnnxChunkModel.load(model, quiet)).rejects.toThrow(PolicyError);
    expect(() => parsePolicy('onnx:nope/model.onnx')).toThrow(/no such model file "nope\/model.onnx"/);
    expect(() => parsePolicy('onnx:')).toThrow(/missing the model path/);
  });

  it('a GPU device request falls back to CPU with one line saying why', async () => {
    for (const device of ['webgpu', 'cuda'] as const) {
      const lines: string[] = [];
      const m = await OnnxChunkModel.load(linearModel(dirFor(`dev-${device}`), { W, b }), { device, log: (l) => lines.push(l) });
      // No GPU is lent to this project; on a machine with one, the provider would be used instead.
      expect(m.device).toBe('cpu');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`running model.onnx on cpu; ${device}: `));
      await m.close();
    }
  });
});

describe('action chunks', () => {
  it('executes `execute` actions of each chunk, then asks again', async () => {
    const m = await OnnxChunkModel.load(chunkModel(dirFor('chunk'), { W, b }), quiet);
    expect(m.execute).toBe(2);
    const gate = new BatchGate(m);
    const p = new ChunkedPolicy(gate);
    const e0 = expected(obs(0));
    const e2 = expected(obs(2));
    const a = [] as number[][];
    for (let t = 0; t < 4; t++) a.push(Array.from(await p.act(obs(t))));
    // Steps 0, 1 come from the chunk made at obs(0) (rows 0, 1); steps 2, 3 from the chunk made at obs(2).
    for (let j = 0; j < 7; j++) {
      expect(a[0][j]).toBeCloseTo(e0[j], 5);
      expect(a[1][j]).toBeCloseTo(e0[j] + CHUNK_STEP, 5);
      expect(a[2][j]).toBeCloseTo(e2[j], 5);
      expect(a[3][j]).toBeCloseTo(e2[j] + CHUNK_STEP, 5);
    }
    expect(gate.stats.calls).toBe(2);
    p.reset({ seed: 0, task: findTask('tabletop_soup_on_plate'), instruction: '', actionMode: 'delta_ee' });
    await p.act(obs(9));
    expect(gate.stats.calls).toBe(3); // a new task starts with a new chunk
    await m.close();
  });

  it('temporal ensembling averages the live chunks, oldest weighted most', async () => {
    // A fake model whose k-th chunk is constant k+1 in every entry, T = 3.
    let k = 0;
    const fake: ChunkModel = {
      id: 'fake', cameras: [], maxBatch: Infinity, execute: 1, ensembleDecay: 0.5,
      infer: async (batch) => batch.map(() => new Float32Array(21).fill(++k)),
      metadata: () => ({}), close: async () => {},
    };
    const p = new ChunkedPolicy(new BatchGate(fake));
    const got = [] as number[];
    for (let t = 0; t < 5; t++) got.push((await p.act(obs(t)))[0]);
    const w = (i: number) => Math.exp(-0.5 * i);
    const avg = (vals: number[]) => vals.reduce((a, v, i) => a + w(i) * v, 0) / vals.reduce((a, _, i) => a + w(i), 0);
    // Step t sees chunks made at max(0, t-2)..t (T = 3), values t-1.., oldest first.
    expect(got[0]).toBeCloseTo(1, 6);
    expect(got[1]).toBeCloseTo(avg([1, 2]), 6);
    expect(got[2]).toBeCloseTo(avg([1, 2, 3]), 6);
    expect(got[3]).toBeCloseTo(avg([2, 3, 4]), 6);
    expect(got[4]).toBeCloseTo(avg([3, 4, 5]), 6);
  });
});

describe('tokenizers', () => {
  it('a word vocabulary maps words, unknown words and padding', () => {
    const dir = dirFor('tok');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'vocab.json'), JSON.stringify({ '<pad>': 0, '<unk>': 1, put: 2, the: 3, soup: 4 }));
    const enc = instructionEncoder({ kind: 'instruction', name: 'tokens', dtype: 'int64', shape: ['batch', 6], tokenizer: { type: 'word', vocab: 'vocab.json', lowercase: true, pad: 0, unk: 1 } }, dir, 'manifest.json');
    expect(enc.encode('Put the SOUP, then wobble')).toEqual([2, 3, 4, 1, 1, 0]);
    expect(enc.encode('put the soup put the soup put')).toEqual([2, 3, 4, 2, 3, 4]);
  });

  it('a Hugging Face tokenizer.json is read with @huggingface/tokenizers', () => {
    const dir = dirFor('hf');
    mkdirSync(dir, { recursive: true });
    const tokenizer = {
      version: '1.0', truncation: null, padding: null,
      added_tokens: ['[PAD]', '[UNK]'].map((content, id) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })), normalizer: { type: 'Lowercase' },
      pre_tokenizer: { type: 'Whitespace' }, post_processor: null, decoder: null,
      model: { type: 'WordPiece', vocab: { '[PAD]': 0, '[UNK]': 1, open: 2, the: 3, drawer: 4 }, unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100 },
    };
    writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify(tokenizer));
    const enc = instructionEncoder({ kind: 'instruction', name: 'tokens', dtype: 'int64', shape: ['batch', 5], tokenizer: { type: 'hf', file: 'tokenizer.json', pad: 0 } }, dir, 'manifest.json');
    expect(enc.encode('Open the drawer now')).toEqual([2, 3, 4, 1, 0]);
  });
});

describe('failures become policy_error steps', () => {
  it('a model that outputs NaN fails the step with policy_error and the message', async () => {
    const m = await OnnxChunkModel.load(nanModel(dirFor('nan'), { W, b }), quiet);
    const env = new Env();
    const task = findTask('tabletop_soup_on_plate');
    await env.reset({ seed: 1, task });
    const out = await runTask(env, new ChunkedPolicy(new BatchGate(m)), task, { policySeed: 1 });
    expect(out.success).toBe(false);
    expect(out.failure).toBe('policy_error');
    expect(out.error).toMatch(/NaN/);
    env.close();
    await m.close();
  });
});

describe('the example CNN through the runner', () => {
  it('runs chains with cameras, batched or not, in one lane group or two, with the same records', async () => {
    const run = (batch: number, out: string, laneGroups = 1) => runChains({
      out: dirFor(out), policy: `onnx:${EXAMPLE}`, chains: 2, steps: 2, baselineEpisodes: 1, seed: 3, batch, policyOptions: { device: 'cpu', laneGroups },
    });
    const one = await run(1, 'ex-1');
    // Three lanes in two groups: one group's two lanes share a model call, the other's lane calls alone.
    const three = await run(3, 'ex-3', 2);
    // Records without timings, in chain order: batching changes neither actions nor outcomes.
    const records = (dir: string) => readFileSync(path.join(dir, 'records.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l))
      .map(({ latencyMs: _l, simMsPerStep: _s, wallMs: _w, ...r }) => r).sort((x, y) => (x.chainId < y.chainId ? -1 : 1));
    expect(records(three.dir)).toEqual(records(one.dir));
    expect(records(one.dir)).toHaveLength(2);
    expect(one.summary.policy).toBe(`onnx:${EXAMPLE}`);
    expect(JSON.parse(readFileSync(path.join(one.dir, 'config.json'), 'utf8')).policyModel).toMatch(/^[0-9a-f]{16}$/);
    // A learned policy's outcomes depend on onnxruntime's CPU kernels: the summary and its report name the
    // onnxruntime that ran the model and the CPU, which the run's identity (config.json) leaves out.
    const installed = JSON.parse(readFileSync('node_modules/onnxruntime-node/package.json', 'utf8')).version;
    expect(one.summary.versions.onnxruntime).toBe(installed);
    expect(one.summary.versions.cpu).toContain(cpus()[0].model.trim());
    expect(JSON.parse(readFileSync(path.join(one.dir, 'config.json'), 'utf8'))).not.toHaveProperty('cpu');
    expect(readFileSync(one.files.reportHtml, 'utf8')).toContain(`onnxruntime ${installed}`);
  }, 120_000);
});

describe('image resizing', () => {
  it('a box filter averages the source pixels each output pixel covers; the same size is untouched', async () => {
    const { resizeRgb } = await import('../policies/image-resize.ts');
    const rgb = new Uint8Array(4 * 4 * 3);
    for (let p = 0; p < 16; p++) rgb.fill(p * 10, p * 3, p * 3 + 3);
    const small = resizeRgb({ width: 4, height: 4, rgb }, 2, 2);
    // Top-left 2x2 block holds pixels 0, 1, 4, 5 -> mean 25 (x10 /10).
    expect(Array.from(small.rgb.subarray(0, 3))).toEqual([25, 25, 25]);
    expect(small.rgb[3 * 3]).toBe(Math.round((10 * (10 + 11 + 14 + 15)) / 4));
    const same = { width: 4, height: 4, rgb };
    expect(resizeRgb(same, 4, 4)).toBe(same);
  });
});
