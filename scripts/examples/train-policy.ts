// Train a pixel policy from a script: collect a few demonstrations, train tiny-vla on them, check the ONNX
// export, then run the trained policy on one chain. A real model needs far more data and epochs (see
// docs/training.md and policies/models/tiny-vla/MODEL_CARD.md); this shows the calls.
//   node --import tsx scripts/examples/train-policy.ts [workDir]
// The same from a shell: `chaingap collect ... -o DATA`, `chaingap train --data DATA -o MODEL`, `chaingap run --policy onnx:MODEL/model.onnx`.
import path from 'node:path';
import { collectDemos, trainPolicy, runChains } from '../../index.ts';

const work = process.argv[2] ?? 'runs/example-train';
const data = path.join(work, 'demos');
const c = await collectDemos({ out: data, chains: 2, steps: 3, size: 32, single: 1 });
console.log(`dataset: ${c.episodes} episodes, ${c.frames} frames`);
const t = await trainPolicy({
  data, out: path.join(work, 'model'), epochs: 2, imageSize: 32, horizon: 4, valFraction: 0.3,
  onEpoch: (e) => console.log(`epoch ${e.epoch}: train ${e.trainLoss.toFixed(3)}, validation ${e.valLoss.toFixed(3)}, ${e.samplesPerSecond.toFixed(0)} frames/s`),
});
console.log(`model: ${t.model} (${t.parameters} parameters); ONNX vs trained network on ${t.exportCheck!.samples} held-out frames: max |diff| ${t.exportCheck!.maxAbsDiff.toExponential(1)}`);
const r = await runChains({ out: path.join(work, 'run'), policy: `onnx:${t.model}`, chains: 1, steps: 3, baselineEpisodes: 1 });
console.log(`S_1 ${r.summary.S[0].value}, baseline mean ${(Object.values(r.summary.baseline.q).reduce((a, b) => a + b, 0) / Object.keys(r.summary.baseline.q).length).toFixed(2)}`);
