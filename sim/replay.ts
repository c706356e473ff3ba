// Showing a recorded instant in a world built from the same resolved scene: the arm at its joints, the
// fingers at their opening, every object at its pose and every fixture part at its joint value, placed
// at once (nothing is simulated), then the colliders updated so that the renderer draws that instant.
import type { Quat, Vec3 } from '../scenes/types.ts';
import type { SimWorld } from './world.ts';

export interface ReplayFrame {
  q: ArrayLike<number>;
  gripper: number;
  objects: { id: string; pos: Vec3; quat: Quat }[];
  /** Joint values by part state key (FixturePart.key). */
  parts: Record<string, number>;
}

export function showFrame(w: SimWorld, f: ReplayFrame): void {
  w.robot.placeAt(f.q, f.gripper);
  for (const o of f.objects) {
    const b = w.body(o.id);
    b.setTranslation({ x: o.pos[0], y: o.pos[1], z: o.pos[2] }, false);
    b.setRotation({ x: o.quat[0], y: o.quat[1], z: o.quat[2], w: o.quat[3] }, false);
  }
  for (const fx of w.fixtures.values()) for (const p of fx.parts) if (p.key in f.parts) p.placeAt(f.parts[p.key]);
  w.world.propagateModifiedBodyPositionsToColliders();
}
