// Policy hosting benchmark, all in one run on this machine's CPU:
//  1. latency per model call of the shipped example CNN (2 cameras 64x64, state, tokens; T = 8) and of a
//     heavier variant the benchmark writes (2 cameras 128x128, 4x wider convs) at batch 1, 8 and 32:
//     p50/p95 per call and per observation;
//  2. chains per hour with each, unbatched (--batch 1) against batched (--batch 8), same chains and
//     records compared;
//  3. the remote round trip over loopback (servePolicy + the openpi client; two 64x64 images, the state
//     and the prompt per request) against the in-process call, per call.
// No GPU is lent to this project: the WebGPU/CUDA rows say so instead of giving numbers.
//
//   npm run bench:policy            (node --import tsx benchmarks/policy/run.ts)
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fakeObservation } from '../fake-observation.ts';
import { OnnxChunkModel } from '../../policies/onnx-model.ts';
import { servePolicy } from '../../policies/policy-server.ts';
import { RemoteChunkModel } from '../../policies/remote-model.ts';
import { LIBERO_PRESET } from '../../policies/obs-preset.ts';
import { runChains } from '../../runner/chains/run.ts';
import { quantile } from '../../runner/results/stats.ts';
import { HEAVY_SIZE, writeExampleModel } from '../../scripts/make-example-model.ts';
import { QUICK, writeResult, timeCalls } from '../harness.ts';

const MODEL = 'policies/models/example-cnn/model.onnx';
const log = (l: string) => process.stderr.write(`${l}\n`);

const r3 = (x: number) => Number(x.toFixed(3));
const CHAINS = QUICK ? 1 : 8;

const heavyDir = mkdtempSync(join(tmpdir(), 'chaingap-heavy-cnn-'));
writeExampleModel(heavyDir, HEAVY_SIZE);
const MODELS = { example_cnn: { path: MODEL, image: 64 }, heavy_cnn: { path: join(heavyDir, 'model.onnx'), image: HEAVY_SIZE.image } };

// 1. Latency per call at batch 1, 8, 32.
const latency: Record<string, Record<string, { p50_ms: number; p95_ms: number; p50_ms_per_obs: number }>> = {};
for (const [name, m] of Object.entries(MODELS)) {
  const loaded = await OnnxChunkModel.load(m.path, { device: 'cpu' });
  latency[name] = {};
  for (const b of [1, 8, 32]) {
    const batch = Array.from({ length: b }, (_, i) => fakeObservation(i, m.image));
    const ms = await timeCalls(() => loaded.infer(batch), QUICK ? 3 : b === 32 ? 20 : 60);
    latency[name][`batch_${b}`] = { p50_ms: r3(quantile(ms, 0.5)), p95_ms: r3(quantile(ms, 0.95)), p50_ms_per_obs: r3(quantile(ms, 0.5) / b) };
    log(`${name} batch ${b}: p50 ${quantile(ms, 0.5).toFixed(2)} ms, p95 ${quantile(ms, 0.95).toFixed(2)} ms per call (${(quantile(ms, 0.5) / b).toFixed(2)} ms per observation)`);
  }
  await loaded.close();
}

// 2. Chains per hour, unbatched against batched (the same 8 chains; outcomes are compared).
const chainsPerHour: Record<string, Record<string, number>> = {};
const identical: Record<string, boolean> = {};
for (const [name, m] of Object.entries(MODELS)) {
  chainsPerHour[name] = {};
  const outcomes: string[] = [];
  for (const batch of [1, 8]) {
    const dir = mkdtempSync(join(tmpdir(), `chaingap-bench-policy-${batch}-`));
    const t0 = performance.now();
    const r = await runChains({ out: dir, policy: `onnx:${m.path}`, chains: CHAINS, steps: QUICK ? 2 : 10, baselineEpisodes: 1, seed: 5, batch, policyOptions: { device: 'cpu' } });
    const s = (performance.now() - t0) / 1000;
    chainsPerHour[name][`batch_${batch}`] = Math.round((CHAINS * 3600) / s);
    outcomes.push(JSON.stringify(r.summary.S.map((x) => x.value)) + JSON.stringify(r.summary.failures));
    log(`${name} --batch ${batch}: ${CHAINS} chains + baseline in ${s.toFixed(1)} s: ${chainsPerHour[name][`batch_${batch}`]} chains/hour`);
    rmSync(dir, { recursive: true, force: true });
  }
  identical[name] = outcomes[0] === outcomes[1];
}
rmSync(heavyDir, { recursive: true, force: true });
const model = await OnnxChunkModel.load(MODEL, { device: 'cpu' });

// 3. Remote round trip over loopback against in-process, one observation per call. The client learns the
// model's cameras (two 64x64) from chaingap's metadata and sends those, with the state and the prompt.
const server = await servePolicy(model, { port: 0, preset: LIBERO_PRESET });
const client = await RemoteChunkModel.connect(server.url, { preset: LIBERO_PRESET });
const obs64 = [fakeObservation(0, 64)];
const inproc = await timeCalls(() => model.infer(obs64), QUICK ? 10 : 200);
const remote = await timeCalls(() => client.infer(obs64), QUICK ? 10 : 200);
await client.close();
await server.close();
await model.close();
log(`in-process: p50 ${quantile(inproc, 0.5).toFixed(2)} ms; remote over loopback: p50 ${quantile(remote, 0.5).toFixed(2)} ms, p95 ${quantile(remote, 0.95).toFixed(2)} ms`);

const doc = {
  name: 'policy',
  model: MODEL,
  figures: {
    latency_cpu: latency,
    chains_per_hour: chainsPerHour,
    batched_outcomes_identical: identical,
    remote_loopback: {
      in_process_p50_ms: r3(quantile(inproc, 0.5)),
      remote_p50_ms: r3(quantile(remote, 0.5)),
      remote_p95_ms: r3(quantile(remote, 0.95)),
      overhead_p50_ms: r3(quantile(remote, 0.5) - quantile(inproc, 0.5)),
    },
    gpu: 'not measured: no GPU is lent to this project (WebGPU needs a Vulkan adapter; CUDA needs onnxruntime-node installed with its CUDA option)',
  },
  ratios: {
    example_cnn_chains_per_hour_batch8_vs_batch1: r3(chainsPerHour.example_cnn.batch_8 / chainsPerHour.example_cnn.batch_1),
    heavy_cnn_chains_per_hour_batch8_vs_batch1: r3(chainsPerHour.heavy_cnn.batch_8 / chainsPerHour.heavy_cnn.batch_1),
    example_cnn_per_obs_latency_batch32_vs_batch1: r3(latency.example_cnn.batch_32.p50_ms_per_obs / latency.example_cnn.batch_1.p50_ms_per_obs),
    heavy_cnn_per_obs_latency_batch32_vs_batch1: r3(latency.heavy_cnn.batch_32.p50_ms_per_obs / latency.heavy_cnn.batch_1.p50_ms_per_obs),
    remote_vs_in_process_p50: r3(quantile(remote, 0.5) / quantile(inproc, 0.5)),
  },
  env: { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length },
};
writeResult('policy', doc);
process.stdout.write(JSON.stringify(doc) + '\n');
