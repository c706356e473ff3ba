// Lights: ambient plus 1-4 directional or point lights with colour and intensity; every light casts
// hard shadows. The default is LIBERO-like studio lighting: a key light from above the robot's side
// and a weaker fill light from the other side.
import type { Rgb, Vec3 } from '../../scenes/types.ts';
import { LIGHT_STRIDE, MAX_LIGHTS } from './kernel.ts';

export interface LightSpec {
  type: 'directional' | 'point';
  /** Directional: the direction towards the light. Point: the light's position (world frame). */
  vec: Vec3;
  color: Rgb;
  intensity: number;
}

export interface Lighting {
  ambient: Rgb;
  lights: LightSpec[];
  background: Rgb;
}

export const STUDIO_LIGHTING: Lighting = {
  ambient: [0.3, 0.3, 0.3],
  lights: [
    { type: 'directional', vec: [-0.35, 0.3, 1], color: [1, 0.98, 0.95], intensity: 0.75 },
    { type: 'directional', vec: [0.5, -0.6, 0.8], color: [0.9, 0.95, 1], intensity: 0.25 },
  ],
  background: [0.78, 0.8, 0.84],
};

/** The kernel's light records and environment record for a lighting setup. */
export function lightingRecords(l: Lighting): { lights: Float32Array; count: number; env: Float32Array } {
  if (l.lights.length > MAX_LIGHTS) throw new Error(`at most ${MAX_LIGHTS} lights, got ${l.lights.length}`);
  const lights = new Float32Array(Math.max(1, l.lights.length) * LIGHT_STRIDE);
  l.lights.forEach((s, i) => {
    let v = s.vec;
    if (s.type === 'directional') {
      const n = Math.hypot(v[0], v[1], v[2]);
      v = [v[0] / n, v[1] / n, v[2] / n];
    }
    lights.set([s.type === 'point' ? 1 : 0, ...v, s.color[0] * s.intensity, s.color[1] * s.intensity, s.color[2] * s.intensity], i * LIGHT_STRIDE);
  });
  return { lights, count: l.lights.length, env: new Float32Array([...l.ambient, ...l.background]) };
}
