// A synthetic observation for timing policy calls: both cameras filled with a seeded pattern, a fixed
// state and instruction. Content does not matter for latency, only sizes.
import type { CameraImage, Observation } from '../sim/policy.ts';

export function fakeImage(size: number, seed: number): CameraImage {
  const rgb = new Uint8Array(size * size * 3);
  for (let i = 0; i < rgb.length; i++) rgb[i] = (i * 31 + seed * 17) & 255;
  return { width: size, height: size, rgb };
}

export function fakeObservation(seed: number, size: number): Observation {
  return {
    instruction: 'put the alphabet soup on the plate',
    state: { eePos: [0.45, 0.01 * seed, 0.25], eeQuat: [1, 0, 0, 0], gripperWidth: 0.08, joints: [0, 0, 0, -2, 0, 2, 0.8] },
    images: { agentview: fakeImage(size, seed), wrist: fakeImage(size, seed + 1) },
  };
}
