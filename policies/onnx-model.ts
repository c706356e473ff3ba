// The ONNX host: a model file plus its manifest run in-process on onnxruntime-node. It picks the execution
// provider (`--device auto|cpu|webgpu|cuda`, falling back to CPU with one line saying why), checks the
// manifest against the session's input/output metadata, turns observations into input tensors (images,
// state, instruction token ids), and model outputs into env-space action chunks.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import type * as Ort from 'onnxruntime-node';
import type { CameraImage, Observation } from '../sim/policy.ts';
import { checkChunk, type CameraNeed, type ChunkModel } from './chunk-model.ts';
import { loadManifest, type ImageInputSpec, type ManifestInput, type OnnxManifest } from './onnx-manifest.ts';
import { PolicyError } from './policy-error.ts';
import { resizeRgb } from './image-resize.ts';
import { stateVector } from './state-vector.ts';
import { instructionEncoder, type InstructionEncoder } from './tokenizer.ts';

/** onnxruntime-node, loaded by the first OnnxChunkModel.load (scripted policies never pay for its import). */
let ort: typeof Ort;

export type OnnxDevice = 'auto' | 'cpu' | 'webgpu' | 'cuda';
export const ONNX_DEVICES: readonly OnnxDevice[] = ['auto', 'cpu', 'webgpu', 'cuda'];

export interface OnnxLoadOptions {
  device?: OnnxDevice;
  /** Where the one fallback line goes (default: stderr). */
  log?: (line: string) => void;
  /** Intra-op threads for the CPU provider (default: onnxruntime's choice). */
  threads?: number;
}

type Provider = 'cpu' | 'webgpu' | 'cuda';

/** Dawn, behind onnxruntime's WebGPU provider, needs the Vulkan loader on Linux. */
const VULKAN_LOADER = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/lib'].map((d) => path.join(d, 'libvulkan.so.1'));

/** A GPU's device node (DRM render node or NVIDIA's), on Linux. */
function hasGpuDevice(): boolean {
  if (existsSync('/dev/nvidia0')) return true;
  try {
    return readdirSync('/dev/dri').some((f) => f.startsWith('renderD'));
  } catch {
    return false;
  }
}

/** Why a provider cannot be used here without trying it, or null. */
function unavailable(p: Provider): string | null {
  const b = ort.listSupportedBackends().find((x) => x.name === p);
  if (p === 'webgpu' && process.platform === 'linux' && !VULKAN_LOADER.some((f) => existsSync(f))) {
    return 'no Vulkan loader (libvulkan.so.1), which the WebGPU provider needs on Linux, so no GPU adapter';
  }
  // A Vulkan loader without a GPU device node offers only software adapters (Mesa's lavapipe comes with
  // Debian's chromium): slower than the CPU provider, and Dawn prints native warnings while it probes them.
  if (p === 'webgpu' && process.platform === 'linux' && !hasGpuDevice()) {
    return 'no GPU device (/dev/dri/renderD*, /dev/nvidia0), so WebGPU would find only a software adapter';
  }
  if (p === 'cuda' && !b?.bundled) {
    return "the CUDA provider is not installed (npm ci does not run onnxruntime-node's install script, which downloads it: package.json allowScripts; on a CUDA machine run `node node_modules/onnxruntime-node/script/install`)";
  }
  return b ? null : `this onnxruntime-node build has no ${p} provider`;
}

const firstLine = (e: unknown) => String((e as Error)?.message ?? e).split('\n')[0].replace(/^.*?(Failed to get a WebGPU adapter[^.]*).*$/, '$1').slice(0, 200);

/** Dims as written in messages: `[batch, 8]`. */
const showShape = (s: readonly (number | string)[]) => `[${s.join(', ')}]`;

export class OnnxChunkModel implements ChunkModel {
  readonly id: string;
  readonly cameras: CameraNeed[];
  readonly maxBatch: number;
  readonly execute: number;
  readonly ensembleDecay: number | null;
  /** The provider the session runs on. */
  readonly device: Provider;
  /** SHA-256 of the model file (first 16 hex digits): identifies the weights in run configs. */
  readonly modelHash: string;
  private readonly encoders = new Map<string, InstructionEncoder>();
  private readonly tokenCache = new Map<string, number[]>();

  private constructor(
    readonly modelPath: string,
    readonly manifest: OnnxManifest,
    private readonly manifestFile: string,
    private readonly session: Ort.InferenceSession,
    device: Provider,
    modelBytes: Uint8Array,
  ) {
    this.id = `onnx:${modelPath}`;
    this.device = device;
    this.modelHash = createHash('sha256').update(modelBytes).digest('hex').slice(0, 16);
    this.maxBatch = manifest.batch === 'dynamic' ? Infinity : manifest.batch;
    this.execute = manifest.execute;
    this.ensembleDecay = manifest.ensemble?.decay ?? null;
    this.cameras = manifest.inputs.filter((i): i is ImageInputSpec => i.kind === 'image').map((i) => {
      const [h, w] = (i.layout === 'NCHW' ? i.shape.slice(2) : i.shape.slice(1, 3)) as number[];
      return { camera: i.camera, width: w, height: h };
    });
    for (const i of manifest.inputs) if (i.kind === 'instruction') this.encoders.set(i.name, instructionEncoder(i, path.dirname(modelPath), manifestFile));
  }

  /** Load `modelPath` and the manifest beside it; errors name the file, the field and the fix. */
  static async load(modelPath: string, o: OnnxLoadOptions = {}): Promise<OnnxChunkModel> {
    ort ??= await import('onnxruntime-node');
    const { manifest, file } = loadManifest(modelPath);
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(modelPath);
    } catch {
      throw new PolicyError(`${modelPath}: no such model file; pass --policy onnx:<path to model.onnx>`);
    }
    const log = o.log ?? ((l: string) => process.stderr.write(`${l}\n`));
    const device = o.device ?? 'auto';
    if (!ONNX_DEVICES.includes(device)) throw new PolicyError(`--device ${device}: use one of ${ONNX_DEVICES.join(', ')}`);
    const wanted: Provider[] = device === 'auto' ? [...manifest.providers] : [device];
    if (!wanted.includes('cpu')) wanted.push('cpu');
    const skipped: string[] = [];
    for (const p of wanted) {
      const why = unavailable(p);
      if (why) {
        skipped.push(`${p}: ${why}`);
        continue;
      }
      let session: Ort.InferenceSession;
      try {
        session = await ort.InferenceSession.create(bytes, {
          executionProviders: [p],
          ...(o.threads ? { intraOpNumThreads: o.threads } : {}),
          logSeverityLevel: 3,
        });
      } catch (e) {
        if (p === 'cpu') throw new PolicyError(`${modelPath}: onnxruntime cannot load the model: ${firstLine(e)}`);
        skipped.push(`${p}: ${firstLine(e)}`);
        continue;
      }
      if (skipped.length && (device !== 'auto' || p === 'cpu')) log(`chaingap: onnx: running ${path.basename(modelPath)} on ${p}; ${skipped.join('; ')}`);
      const model = new OnnxChunkModel(modelPath, manifest, file, session, p, bytes);
      try {
        model.checkMetadata();
      } catch (e) {
        await session.release();
        throw e;
      }
      return model;
    }
    throw new PolicyError(`${modelPath}: no execution provider could load the model (${skipped.join('; ')})`);
  }

  /** The manifest against the session: every input and the output exist with the same dtype and shape. */
  private checkMetadata(): void {
    const where = `${this.modelPath} (manifest ${this.manifestFile})`;
    const meta = new Map(this.session.inputMetadata.map((m) => [m.name, m]));
    const compare = (kind: string, name: string, dtype: string | null, shape: readonly (number | string)[], m: Ort.InferenceSession.ValueMetadata | undefined, known: readonly string[]) => {
      if (!m) throw new PolicyError(`${where}: ${kind} "${name}" is in the manifest but not in the model (the model's ${kind}s: ${known.join(', ')})`);
      if (!m.isTensor) throw new PolicyError(`${where}: ${kind} "${name}" is not a tensor in the model`);
      if (dtype && m.type !== dtype) throw new PolicyError(`${where}: ${kind} "${name}": the manifest says ${dtype}, the model has ${m.type}`);
      const ms = m.shape;
      const batchOk = (d: number | string) => (this.manifest.batch === 'dynamic' ? typeof d !== 'number' : typeof d !== 'number' || d === this.manifest.batch);
      const dimOk = (d: number | string, i: number) => (i === 0 ? batchOk(d) : typeof d !== 'number' || d === shape[i]);
      if (ms.length !== shape.length || !ms.every(dimOk)) {
        throw new PolicyError(`${where}: ${kind} "${name}": the manifest says shape ${showShape(shape)} (batch ${this.manifest.batch}), the model has ${showShape(ms)}; make the manifest match the model`);
      }
    };
    const known = this.session.inputNames;
    for (const i of this.manifest.inputs) compare('input', i.name, i.dtype, i.shape, meta.get(i.name), known);
    const listed = new Set(this.manifest.inputs.map((i) => i.name));
    const missing = known.filter((n) => !listed.has(n));
    if (missing.length) throw new PolicyError(`${where}: the model's input(s) ${missing.map((n) => `"${n}"`).join(', ')} are not in the manifest; describe every model input`);
    const out = this.session.outputMetadata.find((m) => m.name === this.manifest.output.name);
    compare('output', this.manifest.output.name, 'float32', this.manifest.output.shape, out, this.session.outputNames);
  }

  async infer(batch: readonly Observation[]): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    const step = Number.isFinite(this.maxBatch) ? this.maxBatch : batch.length;
    for (let s = 0; s < batch.length; s += step) out.push(...(await this.run(batch.slice(s, s + step))));
    return out;
  }

  /** One model call for up to maxBatch observations (a fixed batch is padded with the last row). */
  private async run(rows: readonly Observation[]): Promise<Float32Array[]> {
    const n = rows.length;
    const b = Number.isFinite(this.maxBatch) ? this.maxBatch : n;
    const padded = Array.from({ length: b }, (_, i) => rows[Math.min(i, n - 1)]);
    const feeds: Record<string, Ort.Tensor> = {};
    for (const inp of this.manifest.inputs) feeds[inp.name] = this.tensorFor(inp, padded);
    const result = await this.session.run(feeds);
    const t = result[this.manifest.output.name];
    const [ob, T, D] = t.dims;
    if (t.dims.length !== 3 || ob !== b || D < 7) throw new Error(`${this.id}: output "${this.manifest.output.name}" has shape ${showShape(t.dims)}; expected [${b}, T, >=7]`);
    const data = t.data as Float32Array;
    const chunks: Float32Array[] = [];
    for (let r = 0; r < n; r++) {
      const c = new Float32Array(T * 7);
      for (let k = 0; k < T; k++) for (let j = 0; j < 7; j++) c[k * 7 + j] = this.unnormalize(data[(r * T + k) * D + j], j);
      checkChunk(c, this.id);
      chunks.push(c);
    }
    return chunks;
  }

  private unnormalize(x: number, j: number): number {
    const u = this.manifest.output.unnormalize;
    let a = x;
    if (u.type === 'mean_std') a = x * u.std[j] + u.mean[j];
    else if (u.type === 'bounds') a = ((x + 1) / 2) * (u.high[j] - u.low[j]) + u.low[j];
    if (j === 6) {
      const g = this.manifest.output.gripper;
      a = -1 + (2 * (a - g.open)) / (g.close - g.open);
    }
    return a;
  }

  private tensorFor(inp: ManifestInput, rows: readonly Observation[]): Ort.Tensor {
    const b = rows.length;
    if (inp.kind === 'state') {
      const w = stateVector(rows[0].state, inp.layout).length;
      const data = new Float32Array(b * w);
      rows.forEach((o, r) => data.set(stateVector(o.state, inp.layout, inp, inp.liberoFrame), r * w));
      return new ort.Tensor('float32', data, [b, w]);
    }
    if (inp.kind === 'instruction') {
      const enc = this.encoders.get(inp.name)!;
      const ids = rows.flatMap((o) => this.tokens(enc, inp.name, o.instruction));
      return inp.dtype === 'int64'
        ? new ort.Tensor('int64', BigInt64Array.from(ids, (x) => BigInt(x)), [b, enc.length])
        : new ort.Tensor('int32', Int32Array.from(ids), [b, enc.length]);
    }
    return this.imageTensor(inp, rows);
  }

  private tokens(enc: InstructionEncoder, input: string, text: string): number[] {
    const key = `${input}\u0000${text}`;
    let ids = this.tokenCache.get(key);
    if (!ids) this.tokenCache.set(key, (ids = enc.encode(text)));
    return ids;
  }

  private imageTensor(inp: ImageInputSpec, rows: readonly Observation[]): Ort.Tensor {
    const need = this.cameras.find((c) => c.camera === inp.camera)!;
    const { width: W, height: H } = need;
    const plane = W * H;
    const data = inp.dtype === 'uint8' ? new Uint8Array(rows.length * plane * 3) : new Float32Array(rows.length * plane * 3);
    const order = inp.channelOrder === 'BGR' ? [2, 1, 0] : [0, 1, 2];
    rows.forEach((o, r) => {
      const given: CameraImage | undefined = o.images?.[inp.camera];
      if (!given) throw new Error(`${this.id}: input "${inp.name}" needs the ${inp.camera} camera image; the observation has ${Object.keys(o.images ?? {}).join(', ') || 'no images'}`);
      // In-process runs render at the model's size; images served at another size are resized.
      const img = resizeRgb(given, W, H);
      const base = r * plane * 3;
      for (let p = 0; p < plane; p++) {
        for (let c = 0; c < 3; c++) {
          const v = img.rgb[p * 3 + order[c]];
          const at = inp.layout === 'NCHW' ? base + c * plane + p : base + p * 3 + c;
          data[at] = inp.dtype === 'uint8' ? v : (v / inp.scale - inp.mean[c]) / inp.std[c];
        }
      }
    });
    const dims = inp.layout === 'NCHW' ? [rows.length, 3, H, W] : [rows.length, H, W, 3];
    return new ort.Tensor(inp.dtype, data, dims);
  }

  metadata(): Record<string, unknown> {
    const m = this.manifest;
    return {
      server: 'chaingap', policy: this.id, name: m.name, trained: m.trained, model_sha256_16: this.modelHash, device: this.device,
      action_horizon: m.output.shape[1], execute: m.execute, action_mode: m.actionMode,
      cameras: this.cameras.map((c) => `${c.camera}:${c.width}x${c.height}`),
    };
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
