// `chaingap train`: behaviour cloning of the tiny-vla network on LeRobot datasets of demonstrations
// (`chaingap collect`), as LIBERO-trained policies are trained: both camera images, the state and the
// tokenised instruction in, a chunk of the next `horizon` actions out, an L1 loss on actions normalised by
// the data's mean/std with the chunk rows past an episode's end masked out (LeRobot's action_is_pad), random
// image shifts as augmentation, Adam with a cosine learning-rate decay. Everything random (weights, episode
// split, batch order, shifts) comes from the seed, so the same data, options and seed give the same model
// bytes. After every epoch the weights and Adam's moments are saved; a stopped run resumes at the next epoch
// and ends identical to an uninterrupted one. The result is a folder the ONNX host runs:
// model.onnx + manifest.json + vocab.json, with loss.svg and training.json (options, per-epoch losses, times).
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import seedrandom from 'seedrandom';
import type * as tfjs from '@tensorflow/tfjs';
import { readDemoDataset, type DemoSample } from '../../policies/train/demo-dataset.ts';
import { buildVocab, encodeWords, PAD_ID, UNK_ID } from '../../policies/train/vocab.ts';
import { initTf, type InitTfResult, type TfBackendName } from '../../policies/train/tf-backend.ts';
import { buildVlaModel, oneHotBlock, type VlaModelSpec } from '../../policies/train/vla-model.ts';
import { exportVlaOnnx, VLA_ONNX } from '../../policies/train/onnx-export.ts';
import { MANIFEST_FORMAT, parseManifest, STATE_PARTS, type StatePart } from '../../policies/onnx-manifest.ts';
import { PRESETS } from '../../policies/obs-preset.ts';
import type { LiberoProblem } from '../../policies/libero-frame.ts';
import { renderSvg } from '../report/charts.ts';
import { checkExport, type ExportCheck } from './export-check.ts';
import { UserError } from '../../scenes/errors.ts';

export interface TrainOptions {
  /** LeRobot dataset folders (v2.x, chaingap's feature keys); their episodes are pooled. */
  data: string | readonly string[];
  /** Output folder (a policy folder: model.onnx, manifest.json, vocab.json, ...). */
  out: string;
  name?: string;
  seed?: number;
  epochs?: number;
  batchSize?: number;
  /** Peak learning rate (Adam), decayed by a cosine to 1% of it over the run. */
  lr?: number;
  /** Side of the square images the network sees (the host renders the cameras at this size). */
  imageSize?: number;
  /** Actions per predicted chunk, and how many of them the host executes before asking again. */
  horizon?: number;
  execute?: number;
  /** Token ids per instruction. */
  tokens?: number;
  convFilters?: readonly number[];
  hidden?: number;
  /** Fraction of the episodes held out for the validation loss. */
  valFraction?: number;
  /** Largest random image shift in pixels (augmentation; 0 turns it off). Default: imageSize / 16. */
  shift?: number;
  /** State layout and frame of datasets not collected by chaingap (chaingap's own say so in meta/chaingap.json). */
  stateLayout?: readonly StatePart[];
  liberoFrame?: LiberoProblem | null;
  backend?: TfBackendName;
  /** Stop after this many epochs of this call (the run resumes later); for tests and time-boxed jobs. */
  stopAfter?: number;
  onEpoch?: (e: EpochLog) => void;
  onBatch?: (p: { epoch: number; batch: number; batches: number; loss: number }) => void;
}

export interface EpochLog {
  epoch: number;
  trainLoss: number;
  valLoss: number;
  lr: number;
  seconds: number;
  samplesPerSecond: number;
}

export interface TrainResult {
  out: string;
  model: string;
  epochs: EpochLog[];
  /** Training wall time over all epochs, including those of earlier (resumed) calls. */
  seconds: number;
  samples: { train: number; val: number; episodes: number; valEpisodes: number[] };
  parameters: number;
  modelBytes: number;
  /** False when stopAfter stopped it before the last epoch (nothing exported yet). */
  finished: boolean;
  /** The exported model against the trained network on held-out frames (finished runs). */
  exportCheck?: ExportCheck;
  backend: string;
}

/** Where a dataset's state comes from: its layout and frame. */
function stateSource(dir: string, o: TrainOptions, width: number): { layout: StatePart[]; liberoFrame: LiberoProblem | null } {
  const own = path.join(dir, 'meta', 'chaingap.json');
  if (o.stateLayout) {
    const n = o.stateLayout.reduce((s, p) => s + STATE_PARTS[p], 0);
    if (n !== width) throw new Error(`train: stateLayout ${o.stateLayout.join('+')} has ${n} numbers but ${dir}'s observation.state has ${width}`);
    return { layout: [...o.stateLayout], liberoFrame: o.liberoFrame ?? null };
  }
  if (!existsSync(own)) throw new Error(`${dir}: not collected by chaingap (no meta/chaingap.json), so its state layout is unknown; pass stateLayout (--state-layout ee_pos,ee_axis_angle,gripper_qpos) and liberoFrame if it is in LIBERO's frame`);
  const cfg = JSON.parse(readFileSync(own, 'utf8')) as { config: { preset?: string; actionMode?: string } };
  const preset = PRESETS[cfg.config.preset ?? ''];
  if (!preset) throw new Error(`${own}: config.preset "${cfg.config.preset}" is not a known observation preset (${Object.keys(PRESETS).join(', ')})`);
  if (cfg.config.actionMode && cfg.config.actionMode !== 'delta_ee') throw new Error(`${own}: actions were recorded in action mode ${cfg.config.actionMode}; the ONNX host executes delta_ee chunks, so collect with --action-mode delta_ee`);
  return { layout: [...preset.stateLayout], liberoFrame: preset.liberoFrame ?? null };
}

interface Norm { mean: number[]; std: number[] }

function moments(rows: Iterable<ArrayLike<number>>, width: number, minStd: number): Norm {
  const sum = new Float64Array(width), sq = new Float64Array(width);
  let n = 0;
  for (const r of rows) {
    n++;
    for (let i = 0; i < width; i++) { sum[i] += r[i]; sq[i] += r[i] * r[i]; }
  }
  const mean = [...sum].map((s) => s / n);
  const std = [...sq].map((s, i) => Math.max(Math.sqrt(Math.max(s / n - mean[i] * mean[i], 0)), minStd));
  return { mean: mean.map((x) => Math.fround(x)), std: std.map((x) => Math.fround(x)) };
}

/** Per-channel pixel moments (0..1 scale) of RGB HWC images. */
function imageMoments(images: readonly Uint8Array[]): Norm {
  const sum = [0, 0, 0], sq = [0, 0, 0];
  let n = 0;
  for (const im of images) {
    for (let i = 0; i < im.length; i += 3) for (let c = 0; c < 3; c++) { const v = im[i + c] / 255; sum[c] += v; sq[c] += v * v; }
    n += im.length / 3;
  }
  const mean = sum.map((s) => s / n);
  return { mean: mean.map((x) => Math.fround(x)), std: sq.map((s, c) => Math.fround(Math.max(Math.sqrt(Math.max(s / n - mean[c] ** 2, 0)), 1e-3))) };
}

const fnv = (s: string) => {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
};

/** Pixels of an RGB HWC image shifted by (dx, dy), edges repeated, normalised into `out` at channel offset `c0` of 6. */
function putImage(out: Float32Array, base: number, img: Uint8Array, S: number, dx: number, dy: number, c0: number, norm: Norm): void {
  for (let y = 0; y < S; y++) {
    const sy = Math.min(S - 1, Math.max(0, y + dy));
    for (let x = 0; x < S; x++) {
      const sx = Math.min(S - 1, Math.max(0, x + dx));
      const si = (sy * S + sx) * 3, di = base + (y * S + x) * 6 + c0;
      for (let c = 0; c < 3; c++) out[di + c] = (img[si + c] / 255 - norm.mean[c]) / norm.std[c];
    }
  }
}

export interface Prepared {
  spec: VlaModelSpec;
  vocab: Record<string, number>;
  oneHot: (instruction: string) => Float32Array;
  norms: { agentview: Norm; wrist: Norm; state: Norm; action: Norm };
}

/** Float tensors of a batch: images [B,S,S,6] (agentview then wrist), normalised state, one-hot tokens, targets and the pad mask. */
export function makeBatch(tf: Tf, p: Prepared, samples: readonly DemoSample[], idx: readonly number[], shift: number, rng: (() => number) | null) {
  const { spec, norms } = p;
  const S = spec.imageSize, B = idx.length, H = spec.horizon, A = spec.actionSize;
  const images = new Float32Array(B * S * S * 6);
  const state = new Float32Array(B * spec.stateSize);
  const tokens = new Float32Array(B * spec.tokens * spec.vocabSize);
  const target = new Float32Array(B * H * A);
  const mask = new Float32Array(B * H);
  const d = () => (rng && shift ? Math.floor(rng() * (2 * shift + 1)) - shift : 0);
  idx.forEach((k, b) => {
    const s = samples[k];
    putImage(images, b * S * S * 6, s.image, S, d(), d(), 0, norms.agentview);
    putImage(images, b * S * S * 6, s.wristImage, S, d(), d(), 3, norms.wrist);
    for (let i = 0; i < spec.stateSize; i++) state[b * spec.stateSize + i] = (s.state[i] - norms.state.mean[i]) / norms.state.std[i];
    tokens.set(p.oneHot(s.instruction), b * spec.tokens * spec.vocabSize);
    for (let h = 0; h < H; h++) {
      mask[b * H + h] = s.pad[h] ? 0 : 1;
      for (let a = 0; a < A; a++) target[(b * H + h) * A + a] = (s.actions[h * A + a] - norms.action.mean[a]) / norms.action.std[a];
    }
  });
  return {
    images: tf.tensor4d(images, [B, S, S, 6]), state: tf.tensor2d(state, [B, spec.stateSize]),
    tokens: tf.tensor2d(tokens, [B, spec.tokens * spec.vocabSize]), target: tf.tensor3d(target, [B, H, A]), mask: tf.tensor3d(mask, [B, H, 1]),
  };
}

/** Masked L1 over the chunk: mean |prediction - target| over the rows that are not padding. */
function maskedL1(tf: Tf, y: tfjs.Tensor, target: tfjs.Tensor, mask: tfjs.Tensor, A: number): tfjs.Scalar {
  return tf.div(tf.sum(tf.mul(tf.abs(tf.sub(y, target)), mask)), tf.mul(tf.maximum(tf.sum(mask), 1), A)) as tfjs.Scalar;
}

/** A seeded permutation of 0..n-1. */
function permutation(n: number, rng: () => number): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) { const j = Math.floor(rng() * (i + 1)); [a[i], a[j]] = [a[j], a[i]]; }
  return a;
}

type Tf = InitTfResult['tf'];

const CHECKPOINT = 'checkpoint';

interface CheckpointState { config: unknown; policy: PolicyInfo; epoch: number; log: EpochLog[]; adamBetaPowers?: number[]; weights: { name: string; shape: number[] }[]; optimizer: { name: string; shape: number[] }[] }

/** Adam's running beta1^t and beta2^t (tfjs keeps them as variables it does not save). */
function adamBetaPowers(opt: tfjs.Optimizer): tfjs.Variable[] | null {
  const a = opt as unknown as { accBeta1?: tfjs.Variable; accBeta2?: tfjs.Variable };
  return a.accBeta1 && a.accBeta2 ? [a.accBeta1, a.accBeta2] : null;
}

async function saveCheckpoint(out: string, model: tfjs.LayersModel, opt: tfjs.Optimizer, state: Omit<CheckpointState, 'weights' | 'optimizer'>): Promise<void> {
  const dir = path.join(out, CHECKPOINT);
  mkdirSync(dir, { recursive: true });
  const ws = model.getWeights();
  const os = await opt.getWeights();
  const parts = [...ws.map((t) => t.dataSync() as Float32Array), ...os.map((n) => n.tensor.dataSync() as Float32Array)];
  const total = parts.reduce((s, p) => s + p.length, 0);
  const buf = new Float32Array(total);
  let k = 0;
  for (const p of parts) { buf.set(p, k); k += p.length; }
  // Written beside and renamed, so a stop mid-write leaves the previous epoch's checkpoint whole.
  writeFileSync(path.join(dir, 'weights.bin.tmp'), Buffer.from(buf.buffer));
  const st: CheckpointState = { ...state, adamBetaPowers: adamBetaPowers(opt)?.map((v) => (v.dataSync() as Float32Array)[0]), weights: ws.map((t, i) => ({ name: `w${i}`, shape: t.shape })), optimizer: os.map((n) => ({ name: n.name, shape: n.tensor.shape })) };
  writeFileSync(path.join(dir, 'state.json.tmp'), JSON.stringify(st));
  renameSync(path.join(dir, 'weights.bin.tmp'), path.join(dir, 'weights.bin'));
  renameSync(path.join(dir, 'state.json.tmp'), path.join(dir, 'state.json'));
}

async function loadCheckpoint(tf: Tf, out: string, config: unknown, model: tfjs.LayersModel, opt: tfjs.Optimizer | null): Promise<CheckpointState | null> {
  const dir = path.join(out, CHECKPOINT);
  if (!existsSync(path.join(dir, 'state.json'))) return null;
  const st = JSON.parse(readFileSync(path.join(dir, 'state.json'), 'utf8')) as CheckpointState;
  if (config !== null && JSON.stringify(st.config) !== JSON.stringify(config)) {
    throw new Error(`${path.join(dir, 'state.json')}: a training run with other data or options is checkpointed in ${out}; use another --out, or the same options to resume it`);
  }
  const b = readFileSync(path.join(dir, 'weights.bin'));
  const all = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  let k = 0;
  const take = (shape: number[]) => {
    const n = shape.reduce((a, c) => a * c, 1);
    const t = tf.tensor(all.subarray(k, k + n), shape);
    k += n;
    return t;
  };
  const ws = st.weights.map((w) => take(w.shape));
  model.setWeights(ws);
  tf.dispose(ws);
  if (opt) {
    await opt.setWeights(st.optimizer.map((o) => ({ name: o.name, tensor: take(o.shape) })));
    // setWeights recomputes beta^t with pow(); the running products training kept differ in the last bit,
    // and the resumed run would drift from the uninterrupted one.
    const powers = adamBetaPowers(opt);
    if (powers && st.adamBetaPowers) powers.forEach((v, i) => v.assign(tf.scalar(st.adamBetaPowers![i])));
  }
  return st;
}

/** What training.json holds. */
export interface TrainingRecord {
  config: { dirs: string[]; frames: number; seed: number; epochs: number; spec: VlaModelSpec; [k: string]: unknown };
  norms: Prepared['norms'];
  vocabSize: number;
  backend: string;
  result: Omit<TrainResult, 'epochs'>;
  log: EpochLog[];
}

/** The trained tfjs network of a finished training folder (its last checkpoint), with what feeds it. */
export async function loadTrained(dir: string, backend?: TfBackendName): Promise<{ tf: Tf; model: tfjs.LayersModel; prepared: Prepared; record: TrainingRecord }> {
  const file = path.join(dir, 'training.json');
  if (!existsSync(file)) throw new Error(`${dir}: no training.json; give the folder \`chaingap train --out\` wrote`);
  const record = JSON.parse(readFileSync(file, 'utf8')) as TrainingRecord;
  const { tf } = await initTf({ backend });
  const spec = record.config.spec;
  const vocab = JSON.parse(readFileSync(path.join(dir, 'vocab.json'), 'utf8')) as Record<string, number>;
  const model = buildVlaModel(tf, spec);
  if (!(await loadCheckpoint(tf, dir, null, model, null))) throw new Error(`${dir}: no ${CHECKPOINT}/state.json beside training.json`);
  return { tf, model, prepared: { spec, vocab, oneHot: oneHotFor(vocab, spec), norms: record.norms }, record };
}

/** Each instruction's one-hot token block, as the network takes it (memoised). */
function oneHotFor(vocab: Record<string, number>, spec: VlaModelSpec): (instruction: string) => Float32Array {
  const cache = new Map<string, Float32Array>();
  return (ins) => {
    let v = cache.get(ins);
    if (!v) cache.set(ins, (v = oneHotBlock(encodeWords(vocab, ins, spec.tokens), spec.vocabSize)));
    return v;
  };
}

/** What the policy folder is written from, besides the weights. */
interface PolicyInfo {
  name: string;
  spec: VlaModelSpec;
  norms: Prepared['norms'];
  vocab: Record<string, number>;
  source: { layout: StatePart[]; liberoFrame: LiberoProblem | null };
  execute: number;
  episodes: number;
  frames: number;
  datasets: string[];
}

/** model.onnx, manifest.json and vocab.json of a tiny-vla network: a folder the ONNX host runs. */
function writePolicyFolder(out: string, model: tfjs.LayersModel, p: PolicyInfo): { bytes: Uint8Array; parameters: number } {
  const { spec, norms, source } = p;
  const { bytes, parameters } = exportVlaOnnx(model, spec, {
    doc: `tiny-vla "${p.name}" trained by chaingap train`,
    metadata: { chaingap_train: JSON.stringify({ seed: spec.seed, frames: p.frames, episodes: p.episodes }) },
  });
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'model.onnx'), bytes);
  writeFileSync(path.join(out, 'vocab.json'), JSON.stringify(p.vocab, null, 1) + '\n');
  const S = spec.imageSize;
  const image = (camera: string, inp: string, n: Norm) => ({ kind: 'image', name: inp, camera, dtype: 'float32', layout: 'NCHW', shape: ['batch', 3, S, S], channelOrder: 'RGB', scale: 255, mean: n.mean, std: n.std });
  const manifest = {
    format: MANIFEST_FORMAT, name: p.name,
    description: `tiny-vla trained by chaingap train on ${p.episodes} episodes (${p.frames} frames) of ${p.datasets.join(', ')}: both cameras at ${S}x${S}, ${source.layout.join('+')} state, word-tokenised instruction; a chunk of ${spec.horizon} delta_ee actions.`,
    trained: true, batch: 'dynamic', providers: ['cpu'],
    inputs: [
      image('agentview', VLA_ONNX.agentview, norms.agentview), image('wrist', VLA_ONNX.wrist, norms.wrist),
      { kind: 'state', name: VLA_ONNX.state, dtype: 'float32', shape: ['batch', spec.stateSize], layout: source.layout, ...(source.liberoFrame ? { liberoFrame: source.liberoFrame } : {}), mean: norms.state.mean, std: norms.state.std },
      { kind: 'instruction', name: VLA_ONNX.tokens, dtype: 'int64', shape: ['batch', spec.tokens], tokenizer: { type: 'word', vocab: 'vocab.json', lowercase: true, pad: PAD_ID, unk: UNK_ID } },
    ],
    output: { name: VLA_ONNX.actions, shape: ['batch', spec.horizon, spec.actionSize], unnormalize: { type: 'mean_std', mean: norms.action.mean, std: norms.action.std }, gripper: { open: -1, close: 1 } },
    execute: p.execute, ensemble: null, actionMode: 'delta_ee',
  };
  parseManifest(manifest, path.join(out, 'manifest.json'));
  writeFileSync(path.join(out, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  return { bytes, parameters };
}

/**
 * A policy folder (model.onnx, manifest.json, vocab.json) at `to` from the latest checkpoint of the training
 * run in `dir`, finished or not: to evaluate a run while it trains. Returns the epoch it holds.
 */
export async function exportCheckpoint(dir: string, to: string): Promise<{ epoch: number; model: string }> {
  const file = path.join(dir, CHECKPOINT, 'state.json');
  if (!existsSync(file)) throw new Error(`${dir}: no ${CHECKPOINT}/state.json; give the --out of a training run that finished at least one epoch`);
  const st = JSON.parse(readFileSync(file, 'utf8')) as CheckpointState;
  const { tf } = await initTf();
  const model = buildVlaModel(tf, st.policy.spec);
  await loadCheckpoint(tf, dir, null, model, null);
  writePolicyFolder(to, model, st.policy);
  model.dispose();
  return { epoch: st.epoch, model: path.join(to, 'model.onnx') };
}

/** A line chart of the per-epoch train and validation losses, as SVG. */
async function lossChart(log: readonly EpochLog[], title: string): Promise<string> {
  const values = log.flatMap((e) => [{ epoch: e.epoch, loss: e.trainLoss, split: 'train' }, { epoch: e.epoch, loss: e.valLoss, split: 'validation' }]);
  return renderSvg({
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json', title, width: 480, height: 260, data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch' },
      y: { field: 'loss', type: 'quantitative', title: 'L1 on normalised actions', scale: { zero: false } },
      color: { field: 'split', type: 'nominal', title: null },
    },
  }, 'loss');
}

/** Train (or resume training) a tiny-vla policy and write it as an ONNX policy folder. */
export async function trainPolicy(o: TrainOptions): Promise<TrainResult> {
  const dirs = typeof o.data === 'string' ? [o.data] : [...o.data];
  if (!dirs.length) throw new Error('train: no dataset given (--data DIR)');
  const seed = o.seed ?? 0, epochs = o.epochs ?? 20, batchSize = o.batchSize ?? 64, lr = o.lr ?? 1e-3;
  const imageSize = o.imageSize ?? 64, horizon = o.horizon ?? 8, execute = o.execute ?? Math.max(1, Math.floor(horizon / 2)), L = o.tokens ?? 16;
  const valFraction = o.valFraction ?? 0.05, shift = o.shift ?? Math.round(imageSize / 16);
  for (const [k, v, lo] of [['epochs', epochs, 1], ['batchSize', batchSize, 1], ['imageSize', imageSize, 16], ['horizon', horizon, 1], ['execute', execute, 1], ['tokens', L, 1]] as const) {
    if (!Number.isInteger(v) || v < lo) throw new UserError(`train: ${k} must be a whole number >= ${lo}, got ${v}`);
  }
  if (execute > horizon) throw new UserError(`train: execute (${execute}) must not exceed horizon (${horizon})`);
  if (!(valFraction >= 0 && valFraction < 1)) throw new UserError(`train: valFraction must be in [0, 1), got ${valFraction}`);
  const name = o.name ?? path.basename(path.resolve(o.out));
  const { tf, backend } = await initTf({ backend: o.backend });

  // Data: every dataset read at the model's image size, chunks of `horizon` actions.
  const samples: DemoSample[] = [];
  let source: ReturnType<typeof stateSource> | null = null;
  let episodes = 0;
  for (const dir of dirs) {
    const d = await readDemoDataset(dir, { size: imageSize, horizon });
    const width = d.info.features['observation.state'].shape[0];
    const src = stateSource(dir, o, width);
    if (source && JSON.stringify(source) !== JSON.stringify(src)) throw new Error(`${dir}: its state is ${src.layout.join('+')} (${src.liberoFrame ?? 'base'} frame) but ${dirs[0]}'s is ${source.layout.join('+')} (${source.liberoFrame ?? 'base'} frame); pool datasets collected with one preset`);
    source = src;
    for (const s of d.samples) samples.push({ ...s, episode: s.episode + episodes });
    episodes += d.info.total_episodes;
  }
  if (!samples.length) throw new Error(`train: ${dirs.join(', ')} hold no frames`);
  const stateSize = samples[0].state.length, actionSize = samples[0].actions.length / horizon;
  if (actionSize !== 7) throw new Error(`train: actions have ${actionSize} numbers; the ONNX host executes 7 (delta position, delta rotation, gripper)`);

  // Episode split: a seeded shuffle of the episode ids; the first valFraction of them are held out.
  const rngSplit = seedrandom(`${seed}/split`);
  const epIds = permutation(episodes, rngSplit);
  const nVal = valFraction > 0 ? Math.max(1, Math.round(episodes * valFraction)) : 0;
  const valEpisodes = new Set(epIds.slice(0, nVal));
  const train = samples.map((_, i) => i).filter((i) => !valEpisodes.has(samples[i].episode));
  const val = samples.map((_, i) => i).filter((i) => valEpisodes.has(samples[i].episode));
  if (!train.length) throw new Error('train: every episode is held out; lower valFraction or give more data');

  const vocab = buildVocab(new Set(samples.map((s) => s.instruction)));
  const vocabSize = Object.keys(vocab).length;
  const spec: VlaModelSpec = { imageSize, stateSize, tokens: L, vocabSize, horizon, actionSize, seed, convFilters: o.convFilters, hidden: o.hidden };
  const trainSamples = train.map((i) => samples[i]);
  const norms = {
    agentview: imageMoments(trainSamples.filter((_, i) => i % 7 === 0).map((s) => s.image)),
    wrist: imageMoments(trainSamples.filter((_, i) => i % 7 === 0).map((s) => s.wristImage)),
    state: moments(trainSamples.map((s) => s.state), stateSize, 1e-3),
    // Action moments over the executed rows (the first of each chunk covers every frame once).
    action: moments(trainSamples.map((s) => s.actions.subarray(0, actionSize)), actionSize, 1e-3),
  };
  const prepared: Prepared = { spec, vocab, oneHot: oneHotFor(vocab, spec), norms };

  const config = { dirs: dirs.map((d) => path.resolve(d)), frames: samples.length, seed, epochs, batchSize, lr, spec, valFraction, shift, execute, source };
  const policy: PolicyInfo = { name, spec, norms, vocab, source: source!, execute, episodes, frames: samples.length, datasets: dirs.map((d) => path.basename(path.resolve(d))) };
  mkdirSync(o.out, { recursive: true });
  const model = buildVlaModel(tf, spec);
  const opt = tf.train.adam(lr);
  const setLr = (x: number) => { (opt as unknown as { learningRate: number }).learningRate = x; };
  const resumed = await loadCheckpoint(tf, o.out, config, model, opt);
  const log: EpochLog[] = resumed ? [...resumed.log] : [];
  const batches = Math.ceil(train.length / batchSize);
  const totalSteps = epochs * batches;
  const lrAt = (step: number) => lr * (0.01 + 0.99 * 0.5 * (1 + Math.cos((Math.PI * step) / totalSteps)));

  const valLoss = (): number => {
    if (!val.length) return NaN;
    let sum = 0, n = 0;
    for (let i = 0; i < val.length; i += 256) {
      const idx = val.slice(i, i + 256);
      const b = makeBatch(tf, prepared, samples, idx, 0, null);
      const l = tf.tidy(() => maskedL1(tf, model.predict([b.images, b.state, b.tokens]) as tfjs.Tensor, b.target, b.mask, actionSize));
      sum += l.dataSync()[0] * idx.length; n += idx.length;
      tf.dispose([l, b.images, b.state, b.tokens, b.target, b.mask]);
    }
    return sum / n;
  };

  let ran = 0;
  for (let epoch = log.length; epoch < epochs; epoch++) {
    if (o.stopAfter !== undefined && ran >= o.stopAfter) break;
    const t0 = performance.now();
    const rng = seedrandom(`${seed}/epoch/${epoch}`);
    const order = permutation(train.length, rng).map((i) => train[i]);
    let sum = 0;
    for (let b = 0; b < batches; b++) {
      setLr(lrAt(epoch * batches + b));
      const idx = order.slice(b * batchSize, (b + 1) * batchSize);
      const t = makeBatch(tf, prepared, samples, idx, shift, rng);
      const loss = opt.minimize(() => maskedL1(tf, model.apply([t.images, t.state, t.tokens]) as tfjs.Tensor, t.target, t.mask, actionSize), true)!;
      const v = loss.dataSync()[0];
      tf.dispose([loss, t.images, t.state, t.tokens, t.target, t.mask]);
      if (!Number.isFinite(v)) throw new Error(`train: the loss became ${v} at epoch ${epoch + 1}, batch ${b + 1}; lower the learning rate (--lr)`);
      sum += v * idx.length;
      o.onBatch?.({ epoch: epoch + 1, batch: b + 1, batches, loss: v });
    }
    const seconds = (performance.now() - t0) / 1000;
    const e: EpochLog = { epoch: epoch + 1, trainLoss: sum / train.length, valLoss: valLoss(), lr: lrAt((epoch + 1) * batches - 1), seconds, samplesPerSecond: train.length / seconds };
    log.push(e);
    ran++;
    await saveCheckpoint(o.out, model, opt, { config, policy, epoch: epoch + 1, log });
    o.onEpoch?.(e);
  }
  const seconds = log.reduce((s, e) => s + e.seconds, 0);
  const base = { out: o.out, model: path.join(o.out, 'model.onnx'), epochs: log, seconds, samples: { train: train.length, val: val.length, episodes, valEpisodes: [...valEpisodes].sort((a, b) => a - b) }, backend };
  if (log.length < epochs) {
    model.dispose();
    return { ...base, parameters: model.countParams(), modelBytes: 0, finished: false };
  }

  const { bytes, parameters } = writePolicyFolder(o.out, model, policy);
  writeFileSync(path.join(o.out, 'loss.svg'), await lossChart(log, `${name}: L1 loss per epoch`));
  const result: TrainResult = { ...base, parameters, modelBytes: bytes.length, finished: true };
  const record = (r: TrainResult): TrainingRecord => ({ config, norms, vocabSize, backend, result: { ...r, epochs: undefined } as TrainingRecord['result'], log });
  writeFileSync(path.join(o.out, 'training.json'), JSON.stringify(record(result), null, 2) + '\n');
  model.dispose();
  // The written folder against the network it came from, on held-out frames.
  const check = await checkExport(o.out, val.length ? undefined : trainSamples.slice(0, 100));
  result.exportCheck = check;
  writeFileSync(path.join(o.out, 'training.json'), JSON.stringify(record(result), null, 2) + '\n');
  if (!(check.maxAbsDiff <= 1e-4)) throw new Error(`${result.model}: the exported model differs from the trained network by up to ${check.maxAbsDiff} on ${check.samples} held-out frames (limit 1e-4); this is a bug in the export, please report it`);
  return result;
}

