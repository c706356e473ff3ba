// Teleporting objects in tests: an object's frame origin (bottom centre) set to a pose, at rest.
import type { Env } from '../../sim/env.ts';
import type { Quat, Vec3 } from '../../scenes/types.ts';

export function placeObject(env: Env, id: string, pos: Vec3, quat: Quat = [0, 0, 0, 1]): void {
  const b = env.world.body(id);
  b.setTranslation({ x: pos[0], y: pos[1], z: pos[2] }, true);
  b.setRotation({ x: quat[0], y: quat[1], z: quat[2], w: quat[3] }, true);
  b.setLinvel({ x: 0, y: 0, z: 0 }, true);
  b.setAngvel({ x: 0, y: 0, z: 0 }, true);
}
