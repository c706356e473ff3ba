// `chaingap train`.
import { type Command, Option } from 'commander';
import { UserError } from '../../scenes/errors.ts';
import { LIBERO_PROBLEMS, type LiberoProblem } from '../../policies/libero-frame.ts';
import { STATE_PARTS, type StatePart } from '../../policies/onnx-manifest.ts';
import { type CliContext, fraction, intOption, positiveNumber } from '../options.ts';
import { prepareOutDir } from '../output-paths.ts';

export function registerTrain(program: Command, ctx: CliContext): void {
  program
    .command('train')
    .description('Train the tiny-vla pixel policy by behaviour cloning on LeRobot datasets (chaingap collect): both camera images, the state and the word-tokenised instruction in, a chunk of delta_ee actions out; L1 on normalised actions, random image shifts, Adam with cosine decay, on tfjs\'s WASM backend. Seeded. Writes an ONNX policy folder (model.onnx, manifest.json, vocab.json) with loss.svg and training.json, checks the ONNX export against the trained network on held-out frames, and checkpoints every epoch: run again with the same options to resume.')
    .requiredOption('--data <dir...>', 'LeRobot dataset folder(s); their episodes are pooled')
    .requiredOption('-o, --out <dir>', 'policy folder to write, e.g. policies/models/my-vla (a checkpointed run there with the same options is resumed)')
    .option('--name <name>', 'model name in the manifest (default: the folder name)')
    .option('-s, --seed <n>', 'seed of the weights, the held-out split, batch order and augmentation', intOption('--seed'), 0)
    .option('--epochs <n>', 'passes over the training frames', intOption('--epochs', 1), 20)
    .option('--batch-size <n>', 'frames per gradient step', intOption('--batch-size', 1), 64)
    .option('--lr <x>', 'peak learning rate (Adam; cosine decay to 1% of it)', positiveNumber('--lr'), 1e-3)
    .option('--image-size <px>', 'side of the square camera images the network sees (the host renders at this size)', intOption('--image-size', 16), 64)
    .option('--horizon <n>', 'actions per predicted chunk', intOption('--horizon', 1), 8)
    .option('--execute <n>', 'actions of each chunk executed before asking again (default: horizon / 2)', intOption('--execute', 1))
    .option('--tokens <n>', 'token ids per instruction', intOption('--tokens', 1), 16)
    .option('--conv <filters>', 'filters of the three stride-2 convolutions', '16,32,32')
    .option('--hidden <n>', 'units of the fused hidden layer', intOption('--hidden', 1), 256)
    .option('--val <fraction>', 'fraction of the episodes held out for the validation loss and the export check', fraction('--val'), 0.05)
    .option('--shift <px>', 'largest random image shift (augmentation; 0: off; default image size / 16)', intOption('--shift'))
    .option('--state-layout <parts>', `state layout of datasets not collected by chaingap, comma-separated (${Object.keys(STATE_PARTS).join(', ')})`)
    .option('--libero-frame <problem>', `with --state-layout: the state is in LIBERO's frame of this problem (${LIBERO_PROBLEMS.join(', ')})`)
    .addOption(new Option('--backend <b>', 'tfjs backend (wasm falls back to cpu, saying why)').choices(['wasm', 'cpu']).default('wasm'))
    .option('--json', 'print the result as JSON')
    .action(async (o: { data: string[]; out: string; name?: string; seed: number; epochs: number; batchSize: number; lr: number; imageSize: number; horizon: number; execute?: number; tokens: number; conv: string; hidden: number; val: number; shift?: number; stateLayout?: string; liberoFrame?: string; backend: 'wasm' | 'cpu'; json?: boolean }) => {
      prepareOutDir('--out', o.out);
      const conv = o.conv.split(',').map(Number);
      if (conv.length !== 3 || !conv.every((f) => Number.isInteger(f) && f >= 1)) throw new UserError(`--conv must be three whole numbers such as 16,32,32, got "${o.conv}"`);
      const layout = o.stateLayout?.split(',').map((p) => p.trim());
      const bad = layout?.find((p) => !(p in STATE_PARTS));
      if (bad) throw new UserError(`--state-layout: "${bad}" is not a state part; use ${Object.keys(STATE_PARTS).join(', ')}`);
      if (o.liberoFrame && !(LIBERO_PROBLEMS as readonly string[]).includes(o.liberoFrame)) throw new UserError(`--libero-frame must be one of ${LIBERO_PROBLEMS.join(', ')}, got "${o.liberoFrame}"`);
      const started = Date.now();
      // Loaded here: TensorFlow.js takes half a second to import, which every other command would pay.
      const { trainPolicy } = await import('../../runner/data/train.ts');
      const r = await trainPolicy({
        data: o.data, out: o.out, name: o.name, seed: o.seed, epochs: o.epochs, batchSize: o.batchSize, lr: o.lr, imageSize: o.imageSize, horizon: o.horizon,
        execute: o.execute, tokens: o.tokens, convFilters: conv, hidden: o.hidden, valFraction: o.val, shift: o.shift, backend: o.backend,
        stateLayout: layout as StatePart[] | undefined, liberoFrame: (o.liberoFrame as LiberoProblem | undefined) ?? null,
        onBatch: (b) => { if (process.stderr.isTTY) process.stderr.write(`\repoch ${b.epoch}/${o.epochs} batch ${b.batch}/${b.batches} loss ${b.loss.toFixed(4)}   `); },
        onEpoch: (e) => process.stderr.write(`${process.stderr.isTTY ? '\r' : ''}epoch ${e.epoch}/${o.epochs}: train ${e.trainLoss.toFixed(4)}, validation ${e.valLoss.toFixed(4)}, ${e.samplesPerSecond.toFixed(0)} frames/s, ${e.seconds.toFixed(0)} s${' '.repeat(20)}\n`),
      });
      if (o.json) process.stdout.write(JSON.stringify(r) + '\n');
      else {
        process.stderr.write(`${r.model}: ${r.parameters} parameters, ${(r.modelBytes / 2 ** 20).toFixed(1)} MiB; ${r.samples.train} training and ${r.samples.val} held-out frames; trained ${(r.seconds / 60).toFixed(1)} min (this call ${((Date.now() - started) / 60000).toFixed(1)} min)\n`);
        if (r.exportCheck) process.stderr.write(`export check: ONNX against the trained network on ${r.exportCheck.samples} held-out frames, max |difference| ${r.exportCheck.maxAbsDiff.toExponential(1)}\n`);
        process.stderr.write(`run it: chaingap run --policy onnx:${r.model}\n`);
      }
    });
}
