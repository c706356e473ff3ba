// A learned policy from a script: the shipped (untrained) example CNN run in-process on 4 episodes side
// by side (one batched model call per control tick), then served over openpi's websocket protocol and
// evaluated again through the remote client, as a policy served from a GPU box would be.
//   node --import tsx scripts/examples/learned-policy.ts [chains] [outDir] [baselineEpisodes per task, default 2]
import { LIBERO_PRESET, OnnxChunkModel, runChains, servePolicy } from '../../index.ts';

const chains = Number(process.argv[2] ?? 4);
const out = process.argv[3] ?? 'runs/learned';
const baselineEpisodes = Number(process.argv[4] ?? 2);
const MODEL = 'policies/models/example-cnn/model.onnx';

// In-process on CPU (`device: 'auto'` would try the manifest's GPU providers first and say why it fell back).
const local = await runChains({ out: `${out}/onnx`, policy: `onnx:${MODEL}`, chains, steps: 3, baselineEpisodes, seed: 1, batch: 4, policyOptions: { device: 'cpu' } });
console.log(`in-process: S_1 = ${local.summary.S[0].value.toFixed(2)}, policy latency p50 ${local.summary.latencyMs.p50.toFixed(2)} ms`);

// Served: one model, any number of evaluators (chaingap run --policy ws://..., or openpi clients).
const model = await OnnxChunkModel.load(MODEL, { device: 'cpu' });
const server = await servePolicy(model, { port: 0, preset: LIBERO_PRESET });
try {
  const remote = await runChains({ out: `${out}/remote`, policy: server.url, chains, steps: 3, baselineEpisodes, seed: 1, policyOptions: { execute: 4 } });
  console.log(`remote (${server.url}): S_1 = ${remote.summary.S[0].value.toFixed(2)}; ${server.stats().requests} requests in ${server.stats().batches} model calls`);
  const outcomes = (r: typeof local) => JSON.stringify([r.summary.S, r.summary.failures]);
  console.log(`same outcomes in-process and served: ${outcomes(local) === outcomes(remote)}`);
} finally {
  await server.close();
  await model.close();
}
