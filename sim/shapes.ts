// Turning the scene library's primitive shapes into Rapier colliders, with mass shared by volume.
import type { Quat, Shape, Vec3 } from '../scenes/types.ts';
import { RAPIER } from './rapier.ts';
import { quatMul } from './kinematics.ts';

/** Rotation taking Rapier's y-aligned cylinders and capsules onto our z axis (+90 degrees about x). */
const Y_TO_Z: Quat = [Math.SQRT1_2, 0, 0, Math.SQRT1_2];

export function shapeVolume(s: Shape): number {
  switch (s.type) {
    case 'box':
      return 8 * s.halfExtents[0] * s.halfExtents[1] * s.halfExtents[2];
    case 'sphere':
      return (4 / 3) * Math.PI * s.radius ** 3;
    case 'cylinder':
      return Math.PI * s.radius ** 2 * 2 * s.halfHeight;
    case 'capsule':
      return Math.PI * s.radius ** 2 * 2 * s.halfHeight + (4 / 3) * Math.PI * s.radius ** 3;
  }
}

export interface ColliderOptions {
  /** Mass of this collider (kg); omit for fixed or kinematic bodies. */
  mass?: number;
  friction: number;
  restitution: number;
}

/** A ColliderDesc for one primitive, positioned in its body's frame. */
export function colliderDescFor(s: Shape, o: ColliderOptions): InstanceType<typeof RAPIER.ColliderDesc> {
  let desc: InstanceType<typeof RAPIER.ColliderDesc>;
  let rot: Quat = ('quat' in s && s.quat) ? s.quat : [0, 0, 0, 1];
  switch (s.type) {
    case 'box':
      desc = RAPIER.ColliderDesc.cuboid(s.halfExtents[0], s.halfExtents[1], s.halfExtents[2]);
      break;
    case 'sphere':
      desc = RAPIER.ColliderDesc.ball(s.radius);
      break;
    case 'cylinder':
      desc = RAPIER.ColliderDesc.cylinder(s.halfHeight, s.radius);
      rot = quatMul(rot, Y_TO_Z) as Quat;
      break;
    case 'capsule':
      desc = RAPIER.ColliderDesc.capsule(s.halfHeight, s.radius);
      rot = quatMul(rot, Y_TO_Z) as Quat;
      break;
  }
  const p: Vec3 = s.pos ?? [0, 0, 0];
  desc.setTranslation(p[0], p[1], p[2]);
  desc.setRotation({ x: rot[0], y: rot[1], z: rot[2], w: rot[3] });
  desc.setFriction(o.friction).setRestitution(o.restitution);
  if (o.mass !== undefined) desc.setMass(o.mass);
  return desc;
}

/** Split a total mass over shapes in proportion to their volumes. */
export function massesByVolume(shapes: Shape[], total: number): number[] {
  const v = shapes.map(shapeVolume);
  const sum = v.reduce((a, b) => a + b, 0);
  return v.map((x) => (total * x) / sum);
}

type RCollider = InstanceType<typeof RAPIER.Collider>;
type RShape = InstanceType<typeof RAPIER.Shape>;

/**
 * Colliders' shapes, read from Rapier once per collider: every read of `collider.shape` builds a new
 * object, and chaingap never changes a collider's shape.
 */
export class ShapeCache {
  private readonly shapes = new Map<number, RShape>();
  of(c: RCollider): RShape {
    let s = this.shapes.get(c.handle);
    if (!s) this.shapes.set(c.handle, (s = c.shape));
    return s;
  }
}
