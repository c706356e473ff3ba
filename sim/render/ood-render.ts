// The visual OOD axes on the renderer's own terms: the lighting, camera and texture parameters that
// scenes/ood.ts drew for a reset, applied to the default lights, the agentview camera and the table.
import type { OodRender } from '../../scenes/ood.ts';
import type { Vec3 } from '../../scenes/types.ts';
import type { CameraSpec } from './camera.ts';
import type { Lighting } from './lights.ts';
import type { Material } from './scene-buffer.ts';

export function oodLighting(base: Lighting, o: NonNullable<OodRender['lighting']>): Lighting {
  const [key, ...rest] = base.lights;
  // Tilt the key light's direction away from its own by `tilt` towards azimuth `azimuth`.
  const d = key.vec;
  const n = Math.hypot(d[0], d[1], d[2]);
  const k: Vec3 = [d[0] / n, d[1] / n, d[2] / n];
  const helper: Vec3 = Math.abs(k[2]) < 0.9 ? [0, 0, 1] : [1, 0, 0];
  const e1 = norm(cross(k, helper)), e2 = cross(k, e1);
  const c = Math.cos(o.tilt), s = Math.sin(o.tilt);
  const dir: Vec3 = [0, 1, 2].map((i) => c * k[i] + s * (Math.cos(o.azimuth) * e1[i] + Math.sin(o.azimuth) * e2[i])) as Vec3;
  if (dir[2] < 0.15) dir[2] = 0.15; // keep the key light above the table
  const lights = [
    { ...key, vec: dir, color: [key.color[0] * o.tint[0], key.color[1] * o.tint[1], key.color[2] * o.tint[2]] as Vec3, intensity: key.intensity * o.keyScale },
    ...rest,
  ];
  if (o.extra) lights.push({ type: 'point', vec: o.extra.pos, color: o.extra.color, intensity: o.extra.intensity });
  return { ...base, ambient: base.ambient.map((a) => a * o.ambientScale) as Vec3, lights: lights.slice(0, 4) };
}

export function oodCamera(base: CameraSpec, o: NonNullable<OodRender['camera']>): CameraSpec {
  return {
    ...base,
    pos: [base.pos[0] + o.posJitter[0], base.pos[1] + o.posJitter[1], base.pos[2] + o.posJitter[2]],
    target: [base.target[0] + o.targetJitter[0], base.target[1] + o.targetJitter[1], base.target[2] + o.targetJitter[2]],
    fovDeg: o.fovDeg,
  };
}

export function oodTable(o: NonNullable<OodRender['texture']>): Material {
  return o.pattern ? { color: o.color, texture: { kind: o.pattern.kind, scale: o.pattern.scale, color2: o.pattern.color2 } } : { color: o.color };
}

function cross(a: Vec3, b: Vec3): Vec3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

function norm(a: Vec3): Vec3 {
  const l = Math.hypot(a[0], a[1], a[2]);
  return [a[0] / l, a[1] / l, a[2] / l];
}
