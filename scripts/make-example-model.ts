// Writes policies/models/example-cnn/: an UNTRAINED small CNN policy (random weights from a fixed seed)
// with its manifest, word vocabulary and model card, for trying the ONNX host, batching and
// `serve-policy` without training anything. Deterministic: the same files, byte for byte, every run.
//   node --import tsx scripts/make-example-model.ts [out-dir]
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import seedrandom from 'seedrandom';
import { GraphBuilder } from '../policies/onnx-writer.ts';
import { MANIFEST_FORMAT } from '../policies/onnx-manifest.ts';
import { words } from '../policies/tokenizer.ts';
import { initialState, possibleAtoms, sceneFacts } from '../scenes/chain-model.ts';
import { stepTask } from '../scenes/chain-language.ts';
import { findScene, findTask, listScenes, listTasks } from '../scenes/load.ts';

export const EXAMPLE_DIR = fileURLToPath(new URL('../policies/models/example-cnn/', import.meta.url));
export const SEED = 20240607;
/** The encoder's size: the shipped model, and a heavier one the policy benchmark writes to show batching. */
export interface ExampleSize {
  image: number;
  widths: [number, number, number];
}
export const SHIPPED_SIZE: ExampleSize = { image: 64, widths: [16, 32, 64] };
export const HEAVY_SIZE: ExampleSize = { image: 128, widths: [64, 128, 256] };
const STATE = 8;
const TOKENS = 16;
const EMBED = 32;
const HIDDEN = 256;
const CHUNK = 8;
const ACTION = 7;
const IMAGENET_MEAN = [0.485, 0.456, 0.406];
const IMAGENET_STD = [0.229, 0.224, 0.225];


/** Every instruction and paraphrase of the shipped tasks and of every chain step the shipped scenes reach. */
function allPhrasings(): string[] {
  const out: string[] = [];
  for (const name of listTasks()) {
    const t = findTask(name);
    out.push(t.instruction, ...t.paraphrases);
  }
  for (const name of listScenes()) {
    const facts = sceneFacts(findScene(name));
    const seen = new Set<string>();
    let frontier = [initialState(facts)];
    while (frontier.length) {
      const next = [];
      for (const s of frontier) {
        const key = JSON.stringify(s);
        if (seen.has(key)) continue;
        seen.add(key);
        for (const o of possibleAtoms(facts, s)) {
          const t = stepTask(facts, o.atom, s);
          out.push(t.instruction, ...t.paraphrases);
          next.push(o.next);
        }
      }
      frontier = next;
    }
  }
  return out;
}

/** `{ "<pad>": 0, "<unk>": 1, word: id, ... }`, words sorted. */
export function buildVocab(): Record<string, number> {
  const all = [...new Set(allPhrasings().flatMap((t) => words(t, true)))].sort();
  return Object.fromEntries(['<pad>', '<unk>', ...all].map((w, i) => [w, i]));
}

/**
 * `n` weights uniform in ±limit, from a stream seeded by the seed and the tensor's name (so one tensor's
 * values do not depend on the others', e.g. on the vocabulary size).
 */
function uniform(name: string, n: number, limit: number): Float32Array {
  const rng = seedrandom(`example-cnn:${SEED}:${name}`);
  return Float32Array.from({ length: n }, () => (rng() * 2 - 1) * limit);
}

/** Conv (padding keeps ceil(size / stride)) + Relu; returns the output name. */
function convRelu(g: GraphBuilder, x: string, name: string, cin: number, cout: number, k: number): string {
  const fanIn = cin * k * k;
  const w = g.initializer(`${name}.weight`, uniform(`${name}.weight`, cout * fanIn, Math.sqrt(6 / fanIn)), [cout, cin, k, k]);
  const b = g.initializer(`${name}.bias`, new Float32Array(cout), [cout]);
  const p = (k - 1) / 2;
  const y = g.node('Conv', [x, w, b], [`${name}.out`], { kernel_shape: [k, k], strides: [2, 2], pads: [p, p, p, p] });
  return g.node('Relu', [y], [`${name}.relu`]);
}

/** Gemm (x @ W + b), uniform He init (±sqrt(6 / fanIn)) before a Relu, Xavier (±sqrt(6 / (fanIn + fanOut))) otherwise. */
function dense(g: GraphBuilder, x: string, name: string, nin: number, nout: number, he: boolean): string {
  const limit = Math.sqrt(6 / (he ? nin : nin + nout));
  const w = g.initializer(`${name}.weight`, uniform(`${name}.weight`, nin * nout, limit), [nin, nout]);
  const b = g.initializer(`${name}.bias`, new Float32Array(nout), [nout]);
  return g.node('Gemm', [x, w, b], [`${name}.out`]);
}

/** One camera's encoder (own weights per camera): three strided convs, global average pool -> [batch, 64]. */
function cameraEncoder(g: GraphBuilder, cam: string, size: ExampleSize): string {
  const [w1, w2, w3] = size.widths;
  g.input(cam, 'float32', ['batch', 3, size.image, size.image]);
  let x = convRelu(g, cam, `${cam}.conv1`, 3, w1, 5);
  x = convRelu(g, x, `${cam}.conv2`, w1, w2, 3);
  x = convRelu(g, x, `${cam}.conv3`, w2, w3, 3);
  const pooled = g.node('GlobalAveragePool', [x], [`${cam}.pool`]);
  return g.node('Flatten', [pooled], [`${cam}.features`], { axis: 1 });
}

/** Mean of the tokens' embeddings (the pad row is zero) -> [batch, EMBED]. */
function instructionEncoder(g: GraphBuilder, vocab: number): string {
  g.input('tokens', 'int64', ['batch', TOKENS]);
  const table = uniform('embedding', vocab * EMBED, 1).fill(0, 0, EMBED);
  const emb = g.initializer('embedding', table, [vocab, EMBED]);
  const gathered = g.node('Gather', [emb, 'tokens'], ['tokens.embedded'], { axis: 0 });
  return g.node('ReduceMean', [gathered], ['tokens.features'], { axes: [1], keepdims: 0 });
}

/** The example policy graph. */
export function buildModel(vocabSize: number, size: ExampleSize = SHIPPED_SIZE): GraphBuilder {
  const g = new GraphBuilder();
  const agent = cameraEncoder(g, 'agentview', size);
  const wrist = cameraEncoder(g, 'wrist', size);
  g.input('state', 'float32', ['batch', STATE]);
  const state = g.node('Relu', [dense(g, 'state', 'state.fc', STATE, 32, true)], ['state.features']);
  const text = instructionEncoder(g, vocabSize);
  const cat = g.node('Concat', [agent, wrist, state, text], ['features'], { axis: 1 });
  const h = g.node('Relu', [dense(g, cat, 'head.fc1', 2 * size.widths[2] + 32 + EMBED, HIDDEN, true)], ['head.hidden']);
  const a = g.node('Tanh', [dense(g, h, 'head.fc2', HIDDEN, CHUNK * ACTION, false)], ['head.tanh']);
  const shape = g.initializer('actions.shape', new BigInt64Array([-1n, BigInt(CHUNK), BigInt(ACTION)]), [3]);
  g.node('Reshape', [a, shape], ['actions']);
  g.output('actions', 'float32', ['batch', CHUNK, ACTION]);
  return g;
}

const DESCRIPTION = `UNTRAINED: random weights from seed ${SEED}, written by scripts/make-example-model.ts. `
  + 'For trying the ONNX host, batching and serve-policy; it will not solve tasks.';

function imageInput(camera: string, image: number) {
  return {
    kind: 'image', name: camera, camera, dtype: 'float32', layout: 'NCHW', shape: ['batch', 3, image, image],
    channelOrder: 'RGB', scale: 255, mean: IMAGENET_MEAN, std: IMAGENET_STD,
  };
}

export function buildManifest(size: ExampleSize = SHIPPED_SIZE) {
  return {
    format: MANIFEST_FORMAT,
    name: 'example-cnn',
    description: DESCRIPTION,
    trained: false,
    batch: 'dynamic',
    providers: ['webgpu', 'cpu'],
    inputs: [
      imageInput('agentview', size.image),
      imageInput('wrist', size.image),
      { kind: 'state', name: 'state', dtype: 'float32', shape: ['batch', STATE], layout: ['ee_pos', 'ee_axis_angle', 'gripper_qpos'] },
      {
        kind: 'instruction', name: 'tokens', dtype: 'int64', shape: ['batch', TOKENS],
        tokenizer: { type: 'word', vocab: 'vocab.json', lowercase: true, pad: 0, unk: 1 },
      },
    ],
    output: {
      name: 'actions',
      shape: ['batch', CHUNK, ACTION],
      unnormalize: { type: 'mean_std', mean: [0, 0, 0, 0, 0, 0, 0], std: [0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 1] },
      gripper: { open: -1, close: 1 },
    },
    execute: 4,
    ensemble: null,
    actionMode: 'delta_ee',
  };
}

function modelCard(params: number, modelBytes: number, vocabSize: number): string {
  return `# example-cnn: an UNTRAINED example policy

**This model is not trained.** Its weights are random (uniform He/Xavier init from seed ${SEED}), written
by \`scripts/make-example-model.ts\`. It is here to try the ONNX host, batched inference and
\`serve-policy\` without training anything. It will not solve tasks: its actions are noise.

## Files

- \`model.onnx\`: ONNX IR 8, opset 17, ${params} parameters, ${modelBytes} bytes; dynamic batch dimension \`batch\`.
- \`manifest.json\`: how chaingap feeds the model and reads its actions (\`policies/onnx-manifest.ts\`).
- \`vocab.json\`: ${vocabSize} word ids (0 \`<pad>\`, 1 \`<unk>\`) covering every instruction and paraphrase the
  shipped scenes generate; lowercase, split on anything but letters and digits.

## Inputs

- \`agentview\`, \`wrist\`: float32 [batch, 3, 64, 64], RGB NCHW, (pixel / 255 - ImageNet mean) / ImageNet std.
- \`state\`: float32 [batch, 8]: ee_pos (3), ee_axis_angle (3), gripper_qpos (2).
- \`tokens\`: int64 [batch, 16]: word ids of the instruction, padded with 0.

## Output

- \`actions\`: float32 [batch, 8, 7]: a chunk of 8 delta-EE actions in tanh range; un-normalised with
  mean 0 and std 0.3 (motion) / 1 (gripper). chaingap executes 4 of each chunk before asking again.

## Architecture

Per camera (separate weights): Conv 3->16 k5 s2, Conv 16->32 k3 s2, Conv 32->64 k3 s2, each with Relu,
GlobalAveragePool, Flatten. State: Gemm 8->32, Relu. Tokens: embedding [${vocabSize}, 32] (pad row zero),
mean over the 16 tokens. Concat (192) -> Gemm 256 -> Relu -> Gemm 56 -> Tanh -> Reshape [batch, 8, 7].

## Regenerate

\`\`\`
node --import tsx scripts/make-example-model.ts
\`\`\`
`;
}

/** Write the four files into `dir`; returns the parameter count and model size. */
export function writeExampleModel(dir = EXAMPLE_DIR, encoder: ExampleSize = SHIPPED_SIZE): { params: number; bytes: number } {
  const vocab = buildVocab();
  const size = Object.keys(vocab).length;
  const g = buildModel(size, encoder);
  const model = g.toModel({ opset: 17, producer: 'chaingap', doc: DESCRIPTION });
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'model.onnx'), model);
  writeFileSync(path.join(dir, 'manifest.json'), `${JSON.stringify(buildManifest(encoder), null, 2)}\n`);
  writeFileSync(path.join(dir, 'vocab.json'), `${JSON.stringify(vocab, null, 2)}\n`);
  writeFileSync(path.join(dir, 'MODEL_CARD.md'), modelCard(g.parameterCount(), model.length, size));
  return { params: g.parameterCount(), bytes: model.length };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = path.resolve(process.argv[2] ?? EXAMPLE_DIR);
  const { params, bytes } = writeExampleModel(dir);
  console.log(`wrote ${dir}: ${params} parameters, model.onnx ${bytes} bytes`);
}
