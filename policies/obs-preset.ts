// How a chaingap Observation travels over the openpi protocol: which request keys carry the agentview and
// wrist images (uint8 HWC, square), the state vector (a STATE_PARTS layout) and the prompt. `toRequest`
// builds a request map on the client side; `fromRequest` rebuilds an Observation on the server side.
// Presets: `libero` (openpi's LIBERO example, pose in LIBERO's world frame: docs/libero-conventions.md) and
// its variants per LIBERO problem type, `chaingap` (same keys, lossless state in the base frame); or a JSON file.
import path from 'node:path';
import { z } from 'zod';
import type { Quat, Vec3 } from '../scenes/types.ts';
import type { CameraImage, Observation, RobotStateObs } from '../sim/policy.ts';
import { quatFromAxisAngle } from '../sim/kinematics.ts';
import type { CameraNeed } from './chunk-model.ts';
import { LIBERO_PROBLEMS, tcpFromLiberoEef, type LiberoProblem } from './libero-frame.ts';
import { STATE_PARTS, type StatePart } from './onnx-manifest.ts';
import { describeValue, ndarray, NdArray } from './openpi-codec.ts';
import { PolicyError } from './policy-error.ts';
import { stateVector } from './state-vector.ts';
import { readJsonFile } from '../scenes/json.ts';

export interface ObsPreset {
  name: string;
  /** Request keys; an image key that is absent means the camera is not sent. */
  keys: { image?: string; wristImage?: string; state: string; prompt: string };
  /** Side of the square images (pixels). */
  imageSize: number;
  stateLayout: StatePart[];
  /**
   * Pose parts (ee_pos, ee_quat) in LIBERO's world frame for this LIBERO problem type: robosuite's eef
   * site, robot base where LIBERO puts it (policies/libero-frame.ts). Absent: chaingap's robot base frame.
   */
  liberoFrame?: LiberoProblem;
}

/** Which camera each image key carries. */
const IMAGE_CAMERAS = { image: 'agentview', wristImage: 'wrist' } as const;
type ImageKey = keyof typeof IMAGE_CAMERAS;

const OPENPI_KEYS = { image: 'observation/image', wristImage: 'observation/wrist_image', state: 'observation/state', prompt: 'prompt' };

const LIBERO_LAYOUT: StatePart[] = ['ee_pos', 'ee_axis_angle', 'gripper_qpos'];
/**
 * openpi's LIBERO example: 224x224 images, state (8,) = eef pos + axis-angle + gripper qpos, pose in
 * LIBERO's world frame of its tabletop and kitchen problems (libero_spatial, libero_goal, KITCHEN_SCENEs).
 */
export const LIBERO_PRESET: ObsPreset = { name: 'libero', keys: OPENPI_KEYS, imageSize: 224, stateLayout: LIBERO_LAYOUT, liberoFrame: 'kitchen' };
/** The LIBERO preset for the problem types whose robot base stands elsewhere. */
const liberoFor = (problem: LiberoProblem): ObsPreset => ({ ...LIBERO_PRESET, name: `libero-${problem.replace('_', '-')}`, liberoFrame: problem });
/** The same keys with a lossless state (15,) = eef pos + quaternion + gripper width + joints, in the base frame. */
export const CHAINGAP_PRESET: ObsPreset = { name: 'chaingap', keys: OPENPI_KEYS, imageSize: 224, stateLayout: ['ee_pos', 'ee_quat', 'gripper_width', 'joints'] };
export const PRESETS: Readonly<Record<string, ObsPreset>> = Object.fromEntries(
  [LIBERO_PRESET, liberoFor('living_room'), liberoFor('study'), liberoFor('floor'), CHAINGAP_PRESET].map((p) => [p.name, p]),
);

const Key = z.string().min(1);
const PresetSchema = z.strictObject({
  name: z.string().min(1),
  keys: z.strictObject({ image: Key.optional(), wristImage: Key.optional(), state: Key, prompt: Key }),
  imageSize: z.number().int().min(1),
  stateLayout: z.array(z.enum(Object.keys(STATE_PARTS) as [StatePart, ...StatePart[]])).min(1),
  liberoFrame: z.enum(LIBERO_PROBLEMS).optional(),
});

/** Validate a user-supplied preset; errors name `file` and the field. */
export function presetFromJson(json: unknown, file: string): ObsPreset {
  const r = PresetSchema.safeParse(json);
  if (!r.success) {
    const iss = r.error.issues[0];
    const field = iss.path.map((s) => (typeof s === 'number' ? `[${s}]` : `.${String(s)}`)).join('').replace(/^\./, '') || '(root)';
    throw new PolicyError(`${file}: ${field}: ${iss.message} (see policies/obs-preset.ts for the preset format)`);
  }
  const keys = Object.values(r.data.keys);
  if (new Set(keys).size !== keys.length) throw new PolicyError(`${file}: keys: each request key must be different, got ${keys.join(', ')}`);
  return r.data;
}

/** The preset a name (`libero`, `chaingap`, ...: PRESETS) or a JSON file (relative to `baseDir`) names. */
export function loadPreset(v: string, baseDir = process.cwd()): ObsPreset {
  if (PRESETS[v]) return PRESETS[v];
  if (!v.endsWith('.json')) throw new PolicyError(`"${v}" is not a preset (${Object.keys(PRESETS).join(', ')}) or a .json file`);
  const file = path.resolve(baseDir, v);
  return presetFromJson(readJsonFile(file, undefined, { what: 'an observation preset (JSON)', as: PolicyError }), v);
}

/** The camera images a preset sends. */
export function presetCameras(preset: ObsPreset): CameraNeed[] {
  return imageKeys(preset).map((k) => ({ camera: IMAGE_CAMERAS[k], width: preset.imageSize, height: preset.imageSize }));
}

/**
 * The preset narrowed to what a model needs: image keys of cameras it does not use are dropped, and with
 * `resize` the image size becomes the model's (when all its cameras share one square size). A client that
 * knows its server (chaingap's metadata lists the model's cameras) then renders and sends no more.
 */
export function presetFor(preset: ObsPreset, needs: readonly CameraNeed[], resize: boolean): ObsPreset {
  const keys = { ...preset.keys };
  for (const k of ['image', 'wristImage'] as const) if (!needs.some((n) => n.camera === IMAGE_CAMERAS[k])) delete keys[k];
  const sizes = new Set(needs.map((n) => `${n.width}x${n.height}`));
  const square = needs.length > 0 && sizes.size === 1 && needs[0].width === needs[0].height;
  return { ...preset, keys, imageSize: resize && square ? needs[0].width : preset.imageSize };
}

/** The cameras a chaingap server's metadata lists (`["agentview:64x64", ...]`), or null for other servers. */
export function metadataCameras(meta: Record<string, unknown>): CameraNeed[] | null {
  if (meta.server !== 'chaingap' || !Array.isArray(meta.cameras)) return null;
  const out: CameraNeed[] = [];
  for (const c of meta.cameras) {
    const m = /^(\w+):(\d+)x(\d+)$/.exec(String(c));
    if (!m) return null;
    out.push({ camera: m[1], width: Number(m[2]), height: Number(m[3]) });
  }
  return out;
}

const imageKeys = (preset: ObsPreset): ImageKey[] => (['image', 'wristImage'] as const).filter((k) => preset.keys[k] !== undefined);

// ---------------------------------------------------------------- client side

/** The request map for one observation. Throws when a camera image is missing or not imageSize square. */
export function toRequest(obs: Observation, preset: ObsPreset): Record<string, unknown> {
  const req: Record<string, unknown> = {};
  const s = preset.imageSize;
  for (const k of imageKeys(preset)) {
    const camera = IMAGE_CAMERAS[k];
    const img = obs.images?.[camera];
    if (!img) throw new Error(`preset ${preset.name}: ${preset.keys[k]} needs the ${camera} camera at ${s}x${s}, but the observation has no ${camera} image`);
    if (img.width !== s || img.height !== s || img.rgb.length !== s * s * 3) {
      throw new Error(`preset ${preset.name}: ${preset.keys[k]} needs the ${camera} camera at ${s}x${s} RGB, got ${img.width}x${img.height} (${img.rgb.length} bytes)`);
    }
    req[preset.keys[k]!] = ndarray(img.rgb, [s, s, 3]);
  }
  const state = stateVector(obs.state, preset.stateLayout, undefined, preset.liberoFrame);
  req[preset.keys.state] = ndarray(state, [state.length]);
  req[preset.keys.prompt] = obs.instruction;
  return req;
}

// ---------------------------------------------------------------- server side

/** What a layout lacks to rebuild a RobotStateObs (empty when it is complete; joints are optional). */
export function missingStateParts(layout: readonly StatePart[]): string[] {
  const has = (...parts: StatePart[]) => parts.some((p) => layout.includes(p));
  return [
    has('ee_pos') ? '' : 'ee_pos',
    has('ee_quat', 'ee_axis_angle') ? '' : 'ee_quat or ee_axis_angle',
    has('gripper_width', 'gripper_qpos') ? '' : 'gripper_width or gripper_qpos',
  ].filter(Boolean);
}

/** Unit quaternion [x, y, z, w] of an axis-angle vector (the inverse of quatToAxisAngle). */
export function axisAngleToQuat(v: readonly number[]): Quat {
  return quatFromAxisAngle(v, Math.hypot(v[0], v[1], v[2]));
}

/**
 * The robot state from a state vector in `layout` (pose parts in LIBERO's world frame for `libero`).
 * Orientation from ee_quat (else ee_axis_angle), width from gripper_width (else gripper_qpos as q0 - q1).
 * An orientation whose sign the sender chose (axis-angle, or LIBERO's hemisphere) comes back with w >= 0,
 * as chaingap's env reports it. A layout without joints gives 7 zeros: the state did not carry them, and a
 * model served with such a preset must not read them.
 */
export function stateFromVector(vec: ArrayLike<number>, layout: readonly StatePart[], libero?: LiberoProblem): RobotStateObs {
  const missing = missingStateParts(layout);
  if (missing.length) throw new PolicyError(`state layout ${layout.join('+')} cannot rebuild the robot state: it has no ${missing.join(', no ')}`);
  const parts: Partial<Record<StatePart, number[]>> = {};
  let k = 0;
  for (const p of layout) {
    parts[p] = Array.from({ length: STATE_PARTS[p] }, (_, i) => vec[k + i]);
    k += STATE_PARTS[p];
  }
  const qpos = parts.gripper_qpos;
  const sent = (parts.ee_quat as Quat | undefined) ?? axisAngleToQuat(parts.ee_axis_angle!);
  const eeQuat: Quat = parts.ee_quat && !libero ? sent : sent[3] < 0 ? [-sent[0], -sent[1], -sent[2], -sent[3]] : sent;
  return {
    eePos: libero ? tcpFromLiberoEef(parts.ee_pos!, eeQuat, libero) : (parts.ee_pos as Vec3),
    eeQuat,
    gripperWidth: parts.gripper_width?.[0] ?? qpos![0] - qpos![1],
    joints: parts.joints ?? [0, 0, 0, 0, 0, 0, 0],
  };
}

function field(map: Record<string, unknown>, key: string, preset: ObsPreset): unknown {
  if (!Object.hasOwn(map, key)) throw new Error(`request has no "${key}" (preset ${preset.name} expects ${Object.values(preset.keys).join(', ')}; got ${Object.keys(map).join(', ') || 'nothing'})`);
  return map[key];
}

/** An image of any size (HxWx3 uint8; the preset's size is what clients send by default): models resize. */
function imageFrom(v: unknown, key: string, preset: ObsPreset): CameraImage {
  const s = preset.imageSize;
  if (!(v instanceof NdArray) || v.dtype !== '|u1' || v.shape.length !== 3 || v.shape[2] !== 3) {
    throw new Error(`request "${key}": expected a uint8 image of shape [H, W, 3] (preset ${preset.name}: [${s}, ${s}, 3]), got ${describeValue(v)}`);
  }
  return { width: v.shape[1], height: v.shape[0], rgb: v.data as Uint8Array };
}

function stateFrom(v: unknown, key: string, preset: ObsPreset): RobotStateObs {
  const n = preset.stateLayout.reduce((a, p) => a + STATE_PARTS[p], 0);
  const values: unknown[] | null = v instanceof NdArray ? Array.from(v.data as ArrayLike<number | bigint>, Number) : Array.isArray(v) ? v : null;
  if (!values || values.length !== n || !values.every((x) => typeof x === 'number')) {
    throw new Error(`request "${key}": expected ${n} numbers (${preset.stateLayout.join('+')}, preset ${preset.name}), got ${describeValue(v)}`);
  }
  return stateFromVector(values as number[], preset.stateLayout, preset.liberoFrame);
}

/** The Observation in a request map (server side). Throws naming a missing or malformed key. */
export function fromRequest(map: unknown, preset: ObsPreset): Observation {
  if (typeof map !== 'object' || map === null || Array.isArray(map) || map instanceof NdArray) throw new Error(`request is not a map (got ${describeValue(map)})`);
  const m = map as Record<string, unknown>;
  const prompt = field(m, preset.keys.prompt, preset);
  if (typeof prompt !== 'string') throw new Error(`request "${preset.keys.prompt}": expected a string, got ${typeof prompt}`);
  const obs: Observation = { state: stateFrom(field(m, preset.keys.state, preset), preset.keys.state, preset), instruction: prompt };
  const keys = imageKeys(preset);
  if (keys.length) obs.images = Object.fromEntries(keys.map((k) => [IMAGE_CAMERAS[k], imageFrom(field(m, preset.keys[k]!, preset), preset.keys[k]!, preset)]));
  return obs;
}
