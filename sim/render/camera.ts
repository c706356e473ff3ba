// Cameras: a pinhole model with a vertical field of view, placed either fixed in the world (agentview,
// looking at the table from across it, as in LIBERO) or on the hand (wrist, looking along the fingers).
import type { Vec3 } from '../../scenes/types.ts';
import { quatRotate, type Pose } from '../kinematics.ts';
import { CAMERA_FLOATS } from './kernel.ts';

export interface CameraSpec {
  /** 'world': `pos` and `target` in the world frame; 'hand': `pos` and `target` in the TCP frame. */
  mount: 'world' | 'hand';
  pos: Vec3;
  target: Vec3;
  /** Which way is up in the image (in the mount's frame). */
  up: Vec3;
  /** Vertical field of view (degrees). */
  fovDeg: number;
}

/** LIBERO-like cameras: agentview across the table facing the robot; wrist behind the fingers looking down them. */
export const DEFAULT_CAMERAS: Record<string, CameraSpec> = {
  agentview: { mount: 'world', pos: [1.25, 0, 1.15], target: [0.48, 0, 0.0], up: [0, 0, 1], fovDeg: 50 },
  // TCP frame: z points out of the palm along the fingers, x across the palm.
  wrist: { mount: 'hand', pos: [0.09, 0, -0.04], target: [0.0, 0, 0.2], up: [1, 0, 0], fovDeg: 75 },
};

const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const cross = (a: Vec3, b: Vec3): Vec3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
const norm = (a: Vec3): Vec3 => {
  const l = Math.hypot(a[0], a[1], a[2]);
  return [a[0] / l, a[1] / l, a[2] / l];
};

/** The kernel's camera record (origin, right, up, forward, tan(fov/2), aspect) for a camera now. */
export function cameraRecord(spec: CameraSpec, tcp: Pose, width: number, height: number, out = new Float32Array(CAMERA_FLOATS)): Float32Array {
  let pos = spec.pos, target = spec.target, up = spec.up;
  if (spec.mount === 'hand') {
    const toWorld = (p: Vec3): Vec3 => {
      const r = quatRotate(tcp.quat, p);
      return [tcp.pos[0] + r[0], tcp.pos[1] + r[1], tcp.pos[2] + r[2]];
    };
    pos = toWorld(spec.pos);
    target = toWorld(spec.target);
    up = quatRotate(tcp.quat, spec.up) as Vec3;
  }
  const f = norm(sub(target, pos));
  const r = norm(cross(f, up));
  const u = cross(r, f);
  out.set([...pos, ...r, ...u, ...f, Math.tan((spec.fovDeg * Math.PI) / 360), width / height]);
  return out;
}

/** Pixel (column, row; row 0 at the top) and depth along the optical axis of a world point, for a camera record. */
export function projectPoint(cam: ArrayLike<number>, width: number, height: number, p: Vec3): { x: number; y: number; depth: number } {
  const d: Vec3 = [p[0] - cam[0], p[1] - cam[1], p[2] - cam[2]];
  const right = d[0] * cam[3] + d[1] * cam[4] + d[2] * cam[5];
  const up = d[0] * cam[6] + d[1] * cam[7] + d[2] * cam[8];
  const fwd = d[0] * cam[9] + d[1] * cam[10] + d[2] * cam[11];
  const u = right / fwd / (cam[12] * cam[13]);
  const v = up / fwd / cam[12];
  return { x: ((u + 1) / 2) * width - 0.5, y: ((1 - v) / 2) * height - 0.5, depth: fwd };
}
