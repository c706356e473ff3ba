// What the renderer sees of a physics world: every collider as an analytic primitive in world
// coordinates (pose from Rapier at this instant), with its material (colour, procedural texture,
// shininess) and a segmentation id. The table, the arm, the fingers, fixtures and objects all come
// from the same colliders the physics uses, so pixels always agree with the simulation.
import { getObjectKind } from '../../scenes/objects.ts';
import type { Rgb } from '../../scenes/types.ts';
import { RAPIER } from '../rapier.ts';
type RCollider = InstanceType<typeof RAPIER.Collider>;
import type { SimWorld } from '../world.ts';
import { MAX_PRIMS, P, PRIM_STRIDE, PRIM_TYPE, TEXTURE } from './kernel.ts';

export interface Material {
  color: Rgb;
  texture?: { kind: keyof typeof TEXTURE; scale: number; color2: Rgb };
  /** Blinn-Phong exponent, rounded to a whole number in [0, 255]; 0 for a matte surface. */
  shininess?: number;
}

/** Segmentation ids: 0 nothing, 1 table, 2 robot, fixtures from 10, objects from 100 (in scene order). */
export const SEG = { none: 0, table: 1, robot: 2, firstFixture: 10, firstObject: 100 } as const;

/** Default materials of the non-object parts. */
export const MATERIALS = {
  robotLink: { color: [0.9, 0.9, 0.88], shininess: 24 } as Material,
  finger: { color: [0.18, 0.18, 0.2], shininess: 8 } as Material,
  fixtureShell: { color: [0.55, 0.5, 0.45] } as Material,
  fixturePart: { color: [0.68, 0.63, 0.57], shininess: 8 } as Material,
};

interface ColliderInfo {
  material: Material;
  seg: number;
}

export interface SceneBuffer {
  prims: Float32Array;
  count: number;
  /** Segmentation id -> name ("table", "robot", fixture or object id). */
  segNames: Map<number, string>;
}

/** Per-world collider metadata (built once per world). */
const META = new WeakMap<SimWorld, { byHandle: Map<number, ColliderInfo>; segNames: Map<number, string> }>();

function metaFor(w: SimWorld) {
  let m = META.get(w);
  if (m) return m;
  const byHandle = new Map<number, ColliderInfo>();
  const segNames = new Map<number, string>([[SEG.table, 'table'], [SEG.robot, 'robot']]);
  const spec = w.scene.spec;
  let fi = 0;
  for (const [id, f] of w.fixtures) {
    const seg = SEG.firstFixture + fi++;
    segNames.set(seg, id);
    const bodies: [number, Material, readonly { color?: [number, number, number] }[]][] = [
      [f.shellHandle, MATERIALS.fixtureShell, f.def.shell],
      ...f.parts.map((p): [number, Material, readonly { color?: [number, number, number] }[]] => [p.bodyHandle, MATERIALS.fixturePart, p.def.shapes]),
    ];
    for (const [h, mat, shapes] of bodies) {
      const b = w.world.getRigidBody(h);
      // Each collider takes its shape's colour where the definition gives one.
      for (let i = 0; i < b.numColliders(); i++) {
        const c = shapes[i]?.color;
        byHandle.set(b.collider(i).handle, { material: c ? { ...mat, color: c } : mat, seg });
      }
    }
  }
  let oi = 0;
  for (const [id, o] of w.objects) {
    const seg = SEG.firstObject + oi++;
    segNames.set(seg, id);
    const kind = getObjectKind(o.kind);
    const b = w.body(id);
    for (let i = 0; i < b.numColliders(); i++) {
      byHandle.set(b.collider(i).handle, { material: { color: kind.shapes[i]?.color ?? kind.color, shininess: 12 }, seg });
    }
  }
  for (const c of w.robot.colliders) {
    const part = w.robot.partByCollider.get(c.handle) ?? '';
    byHandle.set(c.handle, { material: part.startsWith('finger') ? MATERIALS.finger : MATERIALS.robotLink, seg: SEG.robot });
  }
  const table: Material = { color: spec.table.color };
  w.world.forEachCollider((c: RCollider) => {
    if (byHandle.has(c.handle)) return;
    if (w.ownerOf(c.handle) === 'table') byHandle.set(c.handle, { material: table, seg: SEG.table });
  });
  m = { byHandle, segNames };
  META.set(w, m);
  return m;
}

/**
 * Fill `out` (or a new buffer) with the world's primitives as they are now. The floor is not drawn.
 * `handles`, when given, receives each primitive's collider handle in primitive order.
 */
export function sceneBuffer(w: SimWorld, out?: Float32Array, tableMaterial?: Material, handles?: number[]): SceneBuffer {
  const { byHandle, segNames } = metaFor(w);
  const prims = out ?? new Float32Array(MAX_PRIMS * PRIM_STRIDE);
  let n = 0;
  w.world.forEachCollider((c: RCollider) => {
    const info = byHandle.get(c.handle);
    if (!info) return;
    if (n >= MAX_PRIMS) throw new Error(`the renderer takes at most ${MAX_PRIMS} primitives; this scene has more`);
    const base = n * PRIM_STRIDE;
    const t = c.translation();
    const q = c.rotation();
    let type: number, a: number, b = 0, d = 0, bound: number;
    switch (c.shapeType()) {
      case RAPIER.ShapeType.Cuboid: {
        const he = c.halfExtents();
        type = PRIM_TYPE.box; a = he.x; b = he.y; d = he.z;
        bound = Math.hypot(a, b, d);
        break;
      }
      case RAPIER.ShapeType.Ball:
        type = PRIM_TYPE.sphere; a = c.radius(); bound = a;
        break;
      case RAPIER.ShapeType.Cylinder:
        type = PRIM_TYPE.cylinder; a = c.radius(); b = c.halfHeight(); bound = Math.hypot(a, b);
        break;
      case RAPIER.ShapeType.Capsule:
        type = PRIM_TYPE.capsule; a = c.radius(); b = c.halfHeight(); bound = a + b;
        break;
      default:
        return;
    }
    prims[base + P.type] = type;
    prims[base + P.center] = t.x;
    prims[base + P.center + 1] = t.y;
    prims[base + P.center + 2] = t.z;
    // Rotation matrix, row-major, world-from-local.
    const { x, y, z, w: qw } = q;
    const r = [
      1 - 2 * (y * y + z * z), 2 * (x * y - qw * z), 2 * (x * z + qw * y),
      2 * (x * y + qw * z), 1 - 2 * (x * x + z * z), 2 * (y * z - qw * x),
      2 * (x * z - qw * y), 2 * (y * z + qw * x), 1 - 2 * (x * x + y * y),
    ];
    for (let i = 0; i < 9; i++) prims[base + P.rot + i] = r[i];
    prims[base + P.dims] = a;
    prims[base + P.dims + 1] = b;
    prims[base + P.dims + 2] = d;
    const m = info.seg === SEG.table && tableMaterial ? tableMaterial : info.material;
    for (let i = 0; i < 3; i++) {
      prims[base + P.color + i] = m.color[i];
      prims[base + P.color2 + i] = m.texture?.color2[i] ?? m.color[i];
    }
    prims[base + P.seg] = info.seg;
    prims[base + P.texture] = m.texture ? TEXTURE[m.texture.kind] : 0;
    prims[base + P.texScale] = m.texture?.scale ?? 1;
    // A whole number in [0, 255]: the kernel raises to it by squaring (sim/render/kernel.ts).
    prims[base + P.shininess] = Math.min(255, Math.max(0, Math.round(m.shininess ?? 0)));
    prims[base + P.bound] = bound * 1.0001 + 1e-6;
    handles?.push(c.handle);
    n++;
  });
  return { prims, count: n, segNames };
}
