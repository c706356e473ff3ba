// Out-of-distribution axes (docs/metrics.md "OOD axes and levels"): each axis has a level in [0, 1]; level 0 of
// every axis is the controlled LIBERO-style setting and changes nothing. `resolveOod` turns levels
// and a seed into concrete parameters, each axis from its own seeded stream (`<seed>:ood:<axis>`), so
// raising one axis never reshuffles another. The level -> parameter mappings are in OOD_MAPPINGS, one
// line each, and are what the docs and tests quote.
import { UserError } from './errors.ts';
import seedrandom from 'seedrandom';
import { closestNames } from './objects.ts';
import type { Rgb, Vec3 } from './types.ts';

export const OOD_AXES = [
  'clutter', 'lighting', 'novel_objects', 'pose', 'camera', 'texture', 'physics', 'language', 'sensor_noise', 'latency', 'robot_init',
] as const;
export type OodAxis = (typeof OOD_AXES)[number];
export type OodLevels = Partial<Record<OodAxis, number>>;

/** What level L of each axis means (L in [0, 1]; every range is uniform and drawn per reset). */
export const OOD_MAPPINGS: Record<OodAxis, string> = {
  clutter: 'round(30 L) distractor objects from the library on the free table; a share 0.4 L of them placed 2-5 cm from an object the scene names',
  lighting: 'key light intensity x [1 - 0.6 L, 1 + 0.4 L], colour temperature 6500 K +- 3500 L, direction tilted up to 60 L degrees, ambient x [1 - 0.5 L, 1 + 0.3 L], and with probability L a third, coloured point light',
  novel_objects: 'each graspable scene object but blocks, and each distractor, is with probability L a procedurally generated unseen kind (novel_<id>; targets get one within 25% of their size, and instructions name it)',
  pose: 'object start regions grow by 6 L cm on each side and yaw ranges widen by +-L pi',
  camera: 'agentview position jitter up to 10 L cm per axis, look-at jitter up to 5 L cm, field of view 50 +- 10 L degrees',
  texture: 'table colour hue/brightness shifted by up to L, and with probability L a checker, stripes or noise pattern of 2-10 cm',
  physics: 'per object: friction x [1 - 0.5 L, 1 + 0.5 L], mass x [1 - 0.5 L, 1 + L], restitution + [0, 0.3 L], damping x [1, 1 + 4 L]; table friction x [1 - 0.4 L, 1 + 0.4 L]',
  language: 'instruction drawn from the paraphrases whose distance from the training phrasing is at most L (0: the training phrasing)',
  sensor_noise: 'image pixel noise std 12 L (0-255 scale), state noise std 5 L mm on the TCP position and the gripper width',
  latency: 'the arm executes each action round(4 L) control steps after it was sent (50 ms each at 20 Hz: 0.25 is 1 step, 0.5 is 2, 1 is 4); it holds still until the first one arrives',
  robot_init: 'each joint of the initial arm configuration perturbed by up to +-0.25 L rad',
};

export class OodError extends UserError {}

/** Parse `clutter=0.5,lighting=1` (an empty string is the controlled setting). */
export function parseOod(text: string, where = '--ood'): OodLevels {
  const out: OodLevels = {};
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([a-z_]+)\s*=\s*(.+)$/.exec(part);
    if (!m) throw new OodError(`${where}: "${part}" is not axis=level (e.g. clutter=0.5,lighting=1)`);
    const [, axis, v] = m;
    if (!(OOD_AXES as readonly string[]).includes(axis)) {
      const near = closestNames(axis, OOD_AXES, 1);
      throw new OodError(`${where}: unknown axis "${axis}"${near.length ? ` (did you mean "${near[0]}"?)` : ''}; axes: ${OOD_AXES.join(', ')}`);
    }
    const level = Number(v);
    if (!Number.isFinite(level) || level < 0 || level > 1) throw new OodError(`${where}: ${axis}=${v}: a level must be a number in [0, 1]`);
    out[axis as OodAxis] = level;
  }
  return checkLevels(out, where);
}

/** Validate levels given as an object (a sweep spec, the library API). */
export function checkLevels(levels: OodLevels, where = 'ood'): OodLevels {
  for (const [axis, level] of Object.entries(levels)) {
    if (!(OOD_AXES as readonly string[]).includes(axis)) throw new OodError(`${where}: unknown axis "${axis}"; axes: ${OOD_AXES.join(', ')}`);
    if (typeof level !== 'number' || !(level >= 0 && level <= 1)) throw new OodError(`${where}: ${axis}: a level must be a number in [0, 1]`);
  }
  return levels;
}

/** Only the axes with a level above 0, in axis order: what a record carries and what identifies a setting. */
export function activeLevels(levels: OodLevels = {}): OodLevels {
  const out: OodLevels = {};
  for (const a of OOD_AXES) if ((levels[a] ?? 0) > 0) out[a] = levels[a];
  return out;
}

/** A seeded stream per axis. */
export function axisRng(seed: number, axis: OodAxis): () => number {
  return seedrandom(`${seed}:ood:${axis}`);
}

const lerp = (a: number, b: number, t: number) => a + (b - a) * t;

/** Render-side parameters (plain data; the renderer maps them onto its lights, cameras and materials). */
export interface OodRender {
  lighting?: {
    keyScale: number;
    /** Multiplier per channel from the colour temperature. */
    tint: Rgb;
    /** Key light direction tilt (rad) and azimuth (rad) applied to the default key light. */
    tilt: number;
    azimuth: number;
    ambientScale: number;
    /** An extra coloured point light, or null. */
    extra: { pos: Vec3; color: Rgb; intensity: number } | null;
  };
  camera?: { posJitter: Vec3; targetJitter: Vec3; fovDeg: number };
  texture?: { color: Rgb; pattern: null | { kind: 'checker' | 'stripes' | 'noise'; scale: number; color2: Rgb } };
}

export interface OodSensor {
  imageNoiseStd: number;
  statePosStd: number;
}

/** Control steps of action latency at `level` of the latency axis. */
export function latencySteps(level: number): number {
  return Math.round(4 * level);
}

/** Everything the levels decide for one reset, except clutter and pose (the layout applies those). */
export interface OodResolved {
  levels: OodLevels;
  render: OodRender;
  sensor: OodSensor | null;
  /** Control steps between a policy sending an action and the arm executing it (0: none). */
  actionLatency: number;
  /** Per object id: multipliers, drawn in the order of `objectIds`. */
  physics: { table: number; objects: Record<string, { friction: number; mass: number; restitution: number; damping: number }> } | null;
  robotInitDelta: number[] | null;
  /** novel_objects: scene objects whose kind was swapped for a generated one, with the names to say instead. */
  renamed?: Record<string, { from: string; to: string }>;
}

/** Approximate RGB multiplier of a black body at `kelvin`, normalised so 6500 K is white. */
export function temperatureTint(kelvin: number): Rgb {
  const t = Math.max(1000, Math.min(15000, kelvin)) / 100;
  const r = t <= 66 ? 255 : 329.7 * Math.pow(t - 60, -0.1332);
  const g = t <= 66 ? 99.47 * Math.log(t) - 161.1 : 288.1 * Math.pow(t - 60, -0.0755);
  const b = t >= 66 ? 255 : t <= 19 ? 0 : 138.5 * Math.log(t - 10) - 305.0;
  const c = (x: number) => Math.max(0, Math.min(255, x)) / 255;
  const w = [c(329.7 * Math.pow(65 - 60, -0.1332)), c(99.47 * Math.log(65) - 161.1), 1];
  return [c(r) / w[0], c(g) / w[1], c(b) / w[2]];
}

function hueShift(rgb: Rgb, amount: number, bright: number): Rgb {
  // Rotate the colour about the grey axis by `amount` turns, then scale brightness.
  const a = amount * 2 * Math.PI, cos = Math.cos(a), sin = Math.sin(a), k = 1 / Math.sqrt(3);
  const [r, g, b] = rgb;
  const dot = k * (r + g + b) * (1 - cos);
  const cx = [k * (g - b), k * (b - r), k * (r - g)];
  const out = [r * cos + cx[0] * sin + k * dot, g * cos + cx[1] * sin + k * dot, b * cos + cx[2] * sin + k * dot];
  return out.map((v) => Math.max(0, Math.min(1, v * bright))) as Rgb;
}

/** Resolve the non-layout axes for a reset. `objectIds` fixes the order of per-object draws. */
export function resolveOod(levels: OodLevels, seed: number, tableColor: Rgb, objectIds: readonly string[], jointCount = 7): OodResolved {
  const L = (a: OodAxis) => levels[a] ?? 0;
  const out: OodResolved = { levels: activeLevels(levels), render: {}, sensor: null, actionLatency: latencySteps(L('latency')), physics: null, robotInitDelta: null };
  if (L('lighting') > 0) {
    const l = L('lighting'), r = axisRng(seed, 'lighting');
    const extra = r() < l
      ? { pos: [lerp(0.2, 0.9, r()), lerp(-0.5, 0.5, r()), lerp(0.3, 0.8, r())] as Vec3, color: [lerp(0.4, 1, r()), lerp(0.4, 1, r()), lerp(0.4, 1, r())] as Rgb, intensity: lerp(0.2, 0.6, r()) }
      : null;
    out.render.lighting = {
      keyScale: lerp(1 - 0.6 * l, 1 + 0.4 * l, r()),
      tint: temperatureTint(6500 + (2 * r() - 1) * 3500 * l),
      tilt: r() * (60 * Math.PI / 180) * l,
      azimuth: r() * 2 * Math.PI,
      ambientScale: lerp(1 - 0.5 * l, 1 + 0.3 * l, r()),
      extra,
    };
  }
  if (L('camera') > 0) {
    const l = L('camera'), r = axisRng(seed, 'camera');
    const j = (s: number) => (2 * r() - 1) * s * l;
    out.render.camera = { posJitter: [j(0.1), j(0.1), j(0.1)], targetJitter: [j(0.05), j(0.05), j(0.05)], fovDeg: 50 + j(10) };
  }
  if (L('texture') > 0) {
    const l = L('texture'), r = axisRng(seed, 'texture');
    const color = hueShift(tableColor, (2 * r() - 1) * 0.5 * l, lerp(1 - 0.4 * l, 1 + 0.4 * l, r()));
    const kinds = ['checker', 'stripes', 'noise'] as const;
    const pattern = r() < l
      ? { kind: kinds[Math.floor(r() * 3)], scale: lerp(0.02, 0.1, r()), color2: hueShift(color, r() - 0.5, lerp(0.5, 1.3, r())) }
      : null;
    out.render.texture = { color, pattern };
  }
  if (L('sensor_noise') > 0) {
    const l = L('sensor_noise');
    out.sensor = { imageNoiseStd: 12 * l, statePosStd: 0.005 * l };
  }
  if (L('physics') > 0) {
    const l = L('physics'), r = axisRng(seed, 'physics');
    const objects: NonNullable<OodResolved['physics']>['objects'] = {};
    const table = lerp(1 - 0.4 * l, 1 + 0.4 * l, r());
    for (const id of objectIds) {
      objects[id] = { friction: lerp(1 - 0.5 * l, 1 + 0.5 * l, r()), mass: lerp(1 - 0.5 * l, 1 + l, r()), restitution: 0.3 * l * r(), damping: lerp(1, 1 + 4 * l, r()) };
    }
    out.physics = { table, objects };
  }
  if (L('robot_init') > 0) {
    const l = L('robot_init'), r = axisRng(seed, 'robot_init');
    out.robotInitDelta = Array.from({ length: jointCount }, () => (2 * r() - 1) * 0.25 * l);
  }
  return out;
}
