// The export check `chaingap train` ends with: the written ONNX policy folder, run by onnxruntime from its
// manifest alone (images scaled and normalised as the manifest says, NCHW; state normalised by the
// manifest's mean/std; instruction ids from vocab.json through the host's own word encoder), against the
// trained tfjs network (the final checkpoint) fed the way training fed it, on held-out frames. Reports the
// largest absolute difference of the raw (normalised) action chunks.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type * as Ort from 'onnxruntime-node';
import type * as tfjs from '@tensorflow/tfjs';
import { readDemoDataset, type DemoSample } from '../../policies/train/demo-dataset.ts';
import { loadManifest, type ImageInputSpec, type InstructionInputSpec, type StateInputSpec } from '../../policies/onnx-manifest.ts';
import { instructionEncoder } from '../../policies/tokenizer.ts';
import { loadTrained, makeBatch, type TrainingRecord } from './train.ts';

export interface ExportCheck {
  samples: number;
  maxAbsDiff: number;
  meanAbsDiff: number;
}

/** Held-out frames of a training run (its validation episodes, every `stride`-th frame), at most `count`. */
export async function heldOutSamples(rec: TrainingRecord, count: number): Promise<DemoSample[]> {
  const out: DemoSample[] = [];
  const wanted = new Set(rec.result.samples.valEpisodes);
  let offset = 0;
  for (const dir of rec.config.dirs) {
    const info = JSON.parse(readFileSync(path.join(dir, 'meta', 'info.json'), 'utf8')) as { total_episodes: number };
    const local = [...wanted].filter((e) => e >= offset && e < offset + info.total_episodes).map((e) => e - offset);
    if (local.length) {
      const d = await readDemoDataset(dir, { size: rec.config.spec.imageSize, horizon: rec.config.spec.horizon, episodes: local });
      out.push(...d.samples);
    }
    offset += info.total_episodes;
  }
  const stride = Math.max(1, Math.floor(out.length / count));
  return out.filter((_, i) => i % stride === 0).slice(0, count);
}

/** Run the folder's model.onnx and the checkpointed tfjs network on `samples`; compare their chunks. */
/** onnxruntime-node, loaded by the first checkExport (the library's index should not pay for its import). */
let ort: typeof Ort;

export async function checkExport(dir: string, samples?: readonly DemoSample[], count = 100): Promise<ExportCheck> {
  ort ??= await import('onnxruntime-node');
  const rec = JSON.parse(readFileSync(path.join(dir, 'training.json'), 'utf8')) as TrainingRecord;
  const rows = samples ?? (await heldOutSamples(rec, count));
  if (!rows.length) throw new Error(`${dir}: no held-out frames to check the export on (trained with valFraction 0?)`);
  const { tf, model, prepared } = await loadTrained(dir);
  const b = makeBatch(tf, prepared, rows, rows.map((_, i) => i), 0, null);
  const y = model.predict([b.images, b.state, b.tokens]) as tfjs.Tensor;
  const want = y.dataSync() as Float32Array;
  tf.dispose([y, b.images, b.state, b.tokens, b.target, b.mask]);
  model.dispose();

  const modelPath = path.join(dir, 'model.onnx');
  const { manifest, file } = loadManifest(modelPath);
  const feeds: Record<string, Ort.Tensor> = {};
  const n = rows.length;
  for (const inp of manifest.inputs) {
    if (inp.kind === 'image') feeds[inp.name] = imageTensor(inp, rows.map((s) => (inp.camera === 'wrist' ? s.wristImage : s.image)));
    else if (inp.kind === 'state') feeds[inp.name] = stateTensor(inp, rows);
    else feeds[inp.name] = tokenTensor(inp, rows, dir, file);
  }
  const session = await ort.InferenceSession.create(readFileSync(modelPath), { executionProviders: ['cpu'], logSeverityLevel: 3 });
  try {
    const got = (await session.run(feeds))[manifest.output.name].data as Float32Array;
    if (got.length !== want.length) throw new Error(`${modelPath}: the ONNX output has ${got.length} numbers for ${n} frames, the trained network ${want.length}`);
    let max = 0, sum = 0;
    for (let i = 0; i < got.length; i++) {
      const d = Math.abs(got[i] - want[i]);
      if (!(d <= max)) max = d; // NaN propagates
      sum += d;
    }
    return { samples: n, maxAbsDiff: max, meanAbsDiff: sum / got.length };
  } finally {
    await session.release();
  }
}

function imageTensor(inp: ImageInputSpec, images: readonly Uint8Array[]): Ort.Tensor {
  const [h, w] = (inp.layout === 'NCHW' ? inp.shape.slice(2) : inp.shape.slice(1, 3)) as number[];
  const plane = h * w;
  const data = new Float32Array(images.length * plane * 3);
  images.forEach((img, r) => {
    if (img.length !== plane * 3) throw new Error(`image of ${img.length / 3} pixels for input "${inp.name}" of ${w}x${h}`);
    for (let p = 0; p < plane; p++) for (let c = 0; c < 3; c++) {
      const ch = inp.channelOrder === 'BGR' ? 2 - c : c;
      const at = inp.layout === 'NCHW' ? r * plane * 3 + c * plane + p : (r * plane + p) * 3 + c;
      data[at] = (img[p * 3 + ch] / inp.scale - inp.mean[c]) / inp.std[c];
    }
  });
  return new ort.Tensor('float32', data, inp.layout === 'NCHW' ? [images.length, 3, h, w] : [images.length, h, w, 3]);
}

function stateTensor(inp: StateInputSpec, rows: readonly DemoSample[]): Ort.Tensor {
  const k = rows[0].state.length;
  const data = new Float32Array(rows.length * k);
  rows.forEach((s, r) => s.state.forEach((v, i) => { data[r * k + i] = inp.mean && inp.std ? (v - inp.mean[i]) / inp.std[i] : v; }));
  return new ort.Tensor('float32', data, [rows.length, k]);
}

function tokenTensor(inp: InstructionInputSpec, rows: readonly DemoSample[], dir: string, manifestFile: string): Ort.Tensor {
  const enc = instructionEncoder(inp, dir, manifestFile);
  const ids = rows.flatMap((s) => enc.encode(s.instruction));
  return inp.dtype === 'int64' ? new ort.Tensor('int64', BigInt64Array.from(ids, (x) => BigInt(x)), [rows.length, enc.length]) : new ort.Tensor('int32', Int32Array.from(ids), [rows.length, enc.length]);
}
