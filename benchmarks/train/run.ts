// Training and dataset benchmark, all in one run on this machine:
//  1. dataset write speed: `collect` of 2 ten-step kitchen chains at 64x64 (expert, rendering, PNG and
//     Parquet encoding), frames per second and bytes per frame;
//  2. training throughput of the tiny-vla network (64x64x6 images, batch 64, forward + backward + Adam) on
//     tfjs's WASM backend with chaingap's Conv2D gradient kernels, against the stock 'cpu' backend measured
//     in the same run: frames per second and the ratio;
//  3. ONNX latency per call of the trained policy folder (--model, default policies/models/tiny-vla) on
//     onnxruntime's CPU provider at batch 1 and 8.
//
//   npm run bench:train            (node --import tsx benchmarks/train/run.ts [--model DIR/model.onnx])
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as tfjs from '@tensorflow/tfjs';
import { collectDemos } from '../../runner/data/collect.ts';
import { initTf } from '../../policies/train/tf-backend.ts';
import { buildVlaModel, type VlaModelSpec } from '../../policies/train/vla-model.ts';
import { OnnxChunkModel } from '../../policies/onnx-model.ts';
import { quantile } from '../../runner/results/stats.ts';
import { fakeObservation } from '../fake-observation.ts';
import { QUICK, writeResult } from '../harness.ts';

const log = (l: string) => process.stderr.write(`${l}\n`);
const r3 = (x: number) => Number(x.toFixed(3));
const arg = (name: string) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : undefined; };

// 1. Dataset write speed.
const dir = mkdtempSync(join(tmpdir(), 'chaingap-bench-collect-'));
const c = await collectDemos({ out: join(dir, 'ds'), chains: QUICK ? 1 : 2, steps: QUICK ? 2 : 10, size: 64, seed: 11 });
rmSync(dir, { recursive: true, force: true });
const collect = { chains: 2, frames: c.frames, episodes: c.episodes, seconds: r3(c.seconds), frames_per_second: r3(c.frames / c.seconds), bytes_per_frame: Math.round(c.bytes / c.frames) };
log(`collect: ${c.frames} frames in ${c.seconds.toFixed(1)} s = ${collect.frames_per_second} frames/s, ${collect.bytes_per_frame} bytes/frame`);

// 2. Training throughput, wasm (chaingap's conv gradients) against cpu.
const { tf } = await initTf();
const spec: VlaModelSpec = { imageSize: 64, stateSize: 8, tokens: 16, vocabSize: 48, horizon: 8, actionSize: 7, seed: 1 };
async function throughput(backend: 'wasm' | 'cpu', batches: number, batch = QUICK ? 4 : 64): Promise<number> {
  await tf.setBackend(backend);
  const model = buildVlaModel(tf, spec);
  const opt = tf.train.adam(1e-3);
  const x = [tf.randomUniform([batch, 64, 64, 6], -1, 1, 'float32', 1), tf.randomUniform([batch, 8], -1, 1, 'float32', 2), tf.randomUniform([batch, 16 * 48], 0, 1, 'float32', 3)];
  const y = tf.randomUniform([batch, 8, 7], -1, 1, 'float32', 4);
  const step = () => { const l = opt.minimize(() => tf.mean(tf.abs(tf.sub(model.apply(x) as tfjs.Tensor, y))) as tfjs.Scalar, true)!; l.dataSync(); l.dispose(); };
  step(); // warm-up (kernel compilation, optimizer slots)
  const t0 = performance.now();
  for (let i = 0; i < batches; i++) step();
  const fps = (batches * batch) / ((performance.now() - t0) / 1000);
  tf.dispose([...x, y]);
  model.dispose();
  opt.dispose();
  return fps;
}
const wasm = await throughput('wasm', QUICK ? 2 : 30);
const cpu = await throughput('cpu', QUICK ? 1 : 2);
await tf.setBackend('wasm');
const training = { wasm_frames_per_second: r3(wasm), cpu_frames_per_second: r3(cpu), ratio_wasm_over_cpu: r3(wasm / cpu), batch: 64, image: '64x64x6' };
log(`training: wasm ${wasm.toFixed(0)} frames/s, cpu ${cpu.toFixed(1)} frames/s: ${(wasm / cpu).toFixed(0)}x`);

// 3. ONNX latency of the trained policy.
const modelPath = arg('--model') ?? 'policies/models/tiny-vla/model.onnx';
let onnx: Record<string, { p50_ms: number; p95_ms: number }> | { skipped: string };
if (!existsSync(modelPath)) onnx = { skipped: `${modelPath} not found` };
else {
  const m = await OnnxChunkModel.load(modelPath, { device: 'cpu' });
  const size = m.cameras[0].width;
  onnx = {};
  for (const b of [1, 8]) {
    const rows = Array.from({ length: b }, (_, i) => fakeObservation(i, size));
    for (let i = 0; i < 5; i++) await m.infer(rows);
    const ms: number[] = [];
    for (let i = 0; i < (QUICK ? 5 : 100); i++) { const t0 = performance.now(); await m.infer(rows); ms.push(performance.now() - t0); }
    onnx[`batch_${b}`] = { p50_ms: r3(quantile(ms, 0.5)), p95_ms: r3(quantile(ms, 0.95)) };
    log(`onnx ${modelPath} batch ${b}: p50 ${quantile(ms, 0.5).toFixed(2)} ms, p95 ${quantile(ms, 0.95).toFixed(2)} ms per call`);
  }
  await m.close();
}

const doc = { date: new Date().toISOString(), machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version }, collect, training, onnx_latency: { model: modelPath, ...onnx } };
const written = writeResult('train', doc);
if (written) log(`written ${written}`);
process.stdout.write(JSON.stringify(doc) + '\n');
