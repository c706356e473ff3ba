// What the three.js viewer draws of a physics world: the renderer's own primitives (sim/render/
// scene-buffer.ts: same colliders, colours, textures and segmentation names), each expressed in the
// frame of the rigid body that carries it, plus the lights and the agentview camera of this reset
// (OOD lighting, camera and table look applied as the renderer applies them). A playback then needs
// only each body's pose per frame.
import type { Quat, Rgb, Vec3 } from '../scenes/types.ts';
import { quatConj, quatMul, quatRotate } from './kinematics.ts';
import { DEFAULT_CAMERAS, type CameraSpec } from './render/camera.ts';
import { PRIM_STRIDE, P, PRIM_TYPE, TEXTURE } from './render/kernel.ts';
import { STUDIO_LIGHTING, type Lighting } from './render/lights.ts';
import { oodCamera, oodLighting, oodTable } from './render/ood-render.ts';
import { sceneBuffer } from './render/scene-buffer.ts';
import type { SimWorld } from './world.ts';

export type ViewerShape = 'box' | 'sphere' | 'cylinder' | 'capsule';

export interface ViewerPrim {
  /** Index into the scene's bodies; -1 for a collider fixed in the world (then `pos`/`quat` are world). */
  body: number;
  /** Rapier's shape conventions: box half extents (a, b, c); sphere radius a; cylinder and capsule radius a and half height b along local y. */
  shape: ViewerShape;
  dims: Vec3;
  /** Pose in the body's frame. */
  pos: Vec3;
  quat: Quat;
  color: Rgb;
  color2: Rgb;
  texture: keyof typeof TEXTURE;
  texScale: number;
  shininess: number;
  /** What it belongs to: "table", "robot", a fixture id or an object id. */
  name: string;
}

export interface ViewerScene {
  /** Number of moving bodies; a frame's poses hold 7 floats (x, y, z, qx, qy, qz, qw) per body. */
  bodies: number;
  prims: ViewerPrim[];
  lighting: Lighting;
  /** The agentview camera of this reset. */
  camera: CameraSpec;
}

const SHAPES: Record<number, ViewerShape> = Object.fromEntries(Object.entries(PRIM_TYPE).map(([k, v]) => [v, k as ViewerShape]));
const TEXTURES: Record<number, keyof typeof TEXTURE> = Object.fromEntries(Object.entries(TEXTURE).map(([k, v]) => [v, k as keyof typeof TEXTURE]));

/** The viewer's scene of a world as it is now, and a reader of its bodies' poses for any later instant. */
export function viewerScene(w: SimWorld): { scene: ViewerScene; poses: (out?: Float32Array) => Float32Array } {
  const ood = w.scene.ood?.render;
  const handles: number[] = [];
  const buf = sceneBuffer(w, undefined, ood?.texture ? oodTable(ood.texture) : undefined, handles);
  const bodyIndex = new Map<number, number>();
  const bodyHandles: number[] = [];
  const prims: ViewerPrim[] = [];
  for (let i = 0; i < buf.count; i++) {
    const base = i * PRIM_STRIDE, c = w.world.getCollider(handles[i]);
    const parent = c.parent();
    const t = c.translation(), r = c.rotation();
    let pos: Vec3 = [t.x, t.y, t.z], quat: Quat = [r.x, r.y, r.z, r.w];
    let body = -1;
    if (parent && !parent.isFixed()) {
      if (!bodyIndex.has(parent.handle)) { bodyIndex.set(parent.handle, bodyHandles.length); bodyHandles.push(parent.handle); }
      body = bodyIndex.get(parent.handle)!;
      const bt = parent.translation(), br = parent.rotation();
      const inv = quatConj([br.x, br.y, br.z, br.w]);
      pos = quatRotate(inv, [t.x - bt.x, t.y - bt.y, t.z - bt.z]) as Vec3;
      quat = quatMul(inv, quat);
    }
    const f = (k: number, n: number) => Array.from(buf.prims.subarray(base + k, base + k + n));
    prims.push({
      body, shape: SHAPES[buf.prims[base + P.type]], dims: f(P.dims, 3) as Vec3, pos, quat,
      color: f(P.color, 3) as Rgb, color2: f(P.color2, 3) as Rgb, texture: TEXTURES[buf.prims[base + P.texture]] ?? 'none',
      texScale: buf.prims[base + P.texScale], shininess: buf.prims[base + P.shininess], name: buf.segNames.get(buf.prims[base + P.seg]) ?? '',
    });
  }
  const lighting = ood?.lighting ? oodLighting(STUDIO_LIGHTING, ood.lighting) : STUDIO_LIGHTING;
  const camera = ood?.camera ? oodCamera(DEFAULT_CAMERAS.agentview, ood.camera) : DEFAULT_CAMERAS.agentview;
  const poses = (out: Float32Array = new Float32Array(7 * bodyHandles.length)): Float32Array => {
    bodyHandles.forEach((h, k) => {
      const b = w.world.getRigidBody(h), t = b.translation(), r = b.rotation();
      out.set([t.x, t.y, t.z, r.x, r.y, r.z, r.w], 7 * k);
    });
    return out;
  };
  return { scene: { bodies: bodyHandles.length, prims, lighting, camera }, poses };
}
