// The JSON manifest beside an ONNX policy (`<model>.onnx` + `manifest.json` in the same folder): what each
// model input is made from (a camera image, the robot state, the instruction's token ids), how to
// preprocess it, what the output action chunk holds and how to un-normalise it, and how many of its actions
// to execute before asking again. Validated with zod; a bad manifest is a PolicyError naming the file, the
// field and the fix.
import path from 'node:path';
import { z } from 'zod';
import { PolicyError } from './policy-error.ts';
import { LIBERO_PROBLEMS } from './libero-frame.ts';
import { readJsonFile } from '../scenes/json.ts';

export const MANIFEST_FORMAT = 'chaingap-onnx-policy/1';

/** A dimension: a fixed size, or a symbolic name (`"batch"` marks the batch dimension). */
const Dim = z.union([z.number().int().min(1), z.string().min(1)]);

/** Robot-state components, concatenated in the order the manifest lists them. */
export const STATE_PARTS = {
  ee_pos: 3, // TCP position in the base frame (m)
  ee_quat: 4, // TCP orientation [x, y, z, w]
  ee_axis_angle: 3, // TCP orientation as an axis-angle vector (rad), robosuite's quat2axisangle, as LIBERO/openpi feed it
  gripper_width: 1, // opening between the pads (m)
  gripper_qpos: 2, // the two finger positions [+w/2, -w/2] (m), like robosuite's robot0_gripper_qpos
  joints: 7, // joint positions (rad)
} as const;
export type StatePart = keyof typeof STATE_PARTS;

const Vec = z.array(z.number());

const ImageInput = z.strictObject({
  kind: z.literal('image'),
  name: z.string().min(1),
  /** Camera the image comes from (`agentview` or `wrist`). */
  camera: z.string().min(1),
  dtype: z.enum(['float32', 'uint8']),
  /** NCHW or NHWC; the H and W dims are the size the camera is rendered at. */
  layout: z.enum(['NCHW', 'NHWC']),
  shape: z.array(Dim).length(4),
  channelOrder: z.enum(['RGB', 'BGR']).default('RGB'),
  /** float32 only: value = (pixel / scale - mean[c]) / std[c]. */
  scale: z.number().positive().default(255),
  mean: Vec.length(3).default([0, 0, 0]),
  std: Vec.length(3).default([1, 1, 1]),
});

const StateInput = z.strictObject({
  kind: z.literal('state'),
  name: z.string().min(1),
  dtype: z.literal('float32'),
  shape: z.array(Dim).length(2),
  layout: z.array(z.enum(Object.keys(STATE_PARTS) as [StatePart, ...StatePart[]])).min(1),
  /**
   * Give ee_pos and ee_quat in LIBERO's world frame for this problem's robot base, at the eef site behind the
   * TCP, as LIBERO datasets record them (chaingap's `libero` preset collects so); absent: chaingap's base frame.
   */
  liberoFrame: z.enum(LIBERO_PROBLEMS).optional(),
  /** Optional normalisation: value = (x - mean) / std, per entry. */
  mean: Vec.optional(),
  std: Vec.optional(),
});

const WordTokenizer = z.strictObject({
  type: z.literal('word'),
  /** JSON file beside the manifest: `{ "<word>": id, ... }`. */
  vocab: z.string().min(1),
  lowercase: z.boolean().default(true),
  pad: z.number().int().min(0).default(0),
  unk: z.number().int().min(0).default(1),
});
const HfTokenizer = z.strictObject({
  type: z.literal('hf'),
  /** A Hugging Face `tokenizer.json` beside the manifest, read with @huggingface/tokenizers. */
  file: z.string().min(1),
  /** Its `tokenizer_config.json` (optional). */
  config: z.string().min(1).optional(),
  pad: z.number().int().min(0).default(0),
});

const InstructionInput = z.strictObject({
  kind: z.literal('instruction'),
  name: z.string().min(1),
  dtype: z.enum(['int64', 'int32']),
  /** [batch, max_tokens]: ids are truncated or padded to max_tokens. */
  shape: z.array(Dim).length(2),
  tokenizer: z.discriminatedUnion('type', [WordTokenizer, HfTokenizer]),
});

const Input = z.discriminatedUnion('kind', [ImageInput, StateInput, InstructionInput]);

const Unnormalize = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('none') }),
  /** a = x * std + mean */
  z.strictObject({ type: z.literal('mean_std'), mean: Vec.length(7), std: Vec.length(7) }),
  /** a = (x + 1) / 2 * (high - low) + low (openpi's quantile norm with q01/q99, or min/max) */
  z.strictObject({ type: z.literal('bounds'), low: Vec.length(7), high: Vec.length(7) }),
]);

export const ManifestSchema = z.strictObject({
  format: z.literal(MANIFEST_FORMAT),
  name: z.string().min(1),
  /** Free text; say here whether the model is trained and on what. */
  description: z.string().default(''),
  trained: z.boolean(),
  /** `dynamic`: the batch dimension takes any size (one call per control tick for B episodes); a number: fixed. */
  batch: z.union([z.literal('dynamic'), z.number().int().min(1)]),
  /** Execution providers in order of preference, used by `--device auto`. */
  providers: z.array(z.enum(['cuda', 'webgpu', 'cpu'])).min(1).default(['cpu']),
  inputs: z.array(Input).min(1),
  output: z.strictObject({
    name: z.string().min(1),
    /** [batch, T, D] with D >= 7: an action chunk of T actions; the first 7 columns are used. */
    shape: z.array(Dim).length(3),
    unnormalize: Unnormalize.default({ type: 'none' }),
    /** The model's gripper values for open and closed, mapped linearly to the env's -1 (open) .. +1 (closed). */
    gripper: z.strictObject({ open: z.number(), close: z.number() }).default({ open: -1, close: 1 }),
  }),
  /** Actions of each chunk to execute before asking the model again (1..T). */
  execute: z.number().int().min(1),
  /**
   * Temporal ensembling (ACT): ask the model every step and average the actions all live chunks predict
   * for this step, weight exp(-decay * age) with the oldest chunk at age 0. Overrides `execute`.
   */
  ensemble: z.strictObject({ decay: z.number().min(0) }).nullable().default(null),
  actionMode: z.literal('delta_ee').default('delta_ee'),
});
export type OnnxManifest = z.output<typeof ManifestSchema>;
export type ManifestInput = OnnxManifest['inputs'][number];
export type ImageInputSpec = Extract<ManifestInput, { kind: 'image' }>;
export type StateInputSpec = Extract<ManifestInput, { kind: 'state' }>;
export type InstructionInputSpec = Extract<ManifestInput, { kind: 'instruction' }>;

/** The manifest path for a model path: `manifest.json` in the model's folder. */
export function manifestPathFor(modelPath: string): string {
  return path.join(path.dirname(modelPath), 'manifest.json');
}

const fieldOf = (p: readonly PropertyKey[]) => p.map((s) => (typeof s === 'number' ? `[${s}]` : `.${String(s)}`)).join('').replace(/^\./, '') || '(root)';

/** Validate manifest JSON; `file` names it in errors. Also checks what the schema alone cannot. */
export function parseManifest(json: unknown, file: string): OnnxManifest {
  const r = ManifestSchema.safeParse(json);
  if (!r.success) {
    const iss = r.error.issues[0];
    throw new PolicyError(`${file}: ${fieldOf(iss.path)}: ${iss.message} (see policies/onnx-manifest.ts for the manifest format)`);
  }
  const m = r.data;
  const names = new Set<string>();
  for (const [i, inp] of m.inputs.entries()) {
    if (names.has(inp.name)) throw new PolicyError(`${file}: inputs[${i}].name: "${inp.name}" is listed twice; give each model input one entry`);
    names.add(inp.name);
    if (inp.kind === 'state') {
      const n = inp.layout.reduce((s, p) => s + STATE_PARTS[p], 0);
      if (typeof inp.shape[1] === 'number' && inp.shape[1] !== n) {
        throw new PolicyError(`${file}: inputs[${i}].shape: the layout ${inp.layout.join('+')} has ${n} numbers but shape[1] is ${inp.shape[1]}; make them agree`);
      }
      for (const k of ['mean', 'std'] as const) {
        if (inp[k] && inp[k]!.length !== n) throw new PolicyError(`${file}: inputs[${i}].${k}: has ${inp[k]!.length} numbers, the layout has ${n}`);
      }
    }
    if (inp.kind === 'image') {
      const [h, w] = inp.layout === 'NCHW' ? [inp.shape[2], inp.shape[3]] : [inp.shape[1], inp.shape[2]];
      const c = inp.layout === 'NCHW' ? inp.shape[1] : inp.shape[3];
      if (typeof h !== 'number' || typeof w !== 'number') throw new PolicyError(`${file}: inputs[${i}].shape: image height and width must be fixed numbers (the camera is rendered at that size)`);
      if (c !== 3) throw new PolicyError(`${file}: inputs[${i}].shape: the channel dimension must be 3 (RGB), got ${JSON.stringify(c)}`);
    }
  }
  const t = m.output.shape[1];
  if (typeof t === 'number' && m.execute > t) throw new PolicyError(`${file}: execute: ${m.execute} is more than the chunk length ${t}; use 1..${t}`);
  if (typeof m.output.shape[2] === 'number' && m.output.shape[2] < 7) throw new PolicyError(`${file}: output.shape[2]: actions need at least 7 columns, got ${m.output.shape[2]}`);
  if (m.output.gripper.open === m.output.gripper.close) throw new PolicyError(`${file}: output.gripper: open and close must differ`);
  return m;
}

/** Read and validate the manifest beside `modelPath`. */
export function loadManifest(modelPath: string): { manifest: OnnxManifest; file: string } {
  const file = manifestPathFor(modelPath);
  const json = readJsonFile(file, undefined, { what: `the manifest.json of the model ${modelPath} (an ONNX policy needs one in the same folder; docs/training.md lists its fields)`, as: PolicyError });
  return { manifest: parseManifest(json, file), file };
}
