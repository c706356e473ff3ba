// LIBERO's fixture categories as chaingap fixture kinds, and how a LIBERO fixture yaw maps onto
// chaingap's. A chaingap fixture faces -x (its front: drawers, door) at yaw 0 (scenes/fixture-defs.ts);
// a LIBERO fixture's front is wherever its model has it, so the yaw offset is per kind, read from
// LIBERO's model files (libero/libero/assets/articulated_objects/*.xml, turbosquid_objects/*/*.xml):
//  - wooden / white cabinet: drawer handles at model y = -0.10 and drawers sliding along -y (open
//    range -0.16..-0.14): the front is model -y. Microwave: door panel at y = -0.088, back wall at
//    +0.0955: front -y. Two-layer shelf and wine rack: wide along model x, the rack's slot at y = -0.08:
//    front -y. Model -y at LIBERO yaw t points along (sin t, -cos t); chaingap's front at yaw c along
//    (-cos c, -sin c); equal when c = t + pi/2.
//  - desk caddy: front_contain_region at model x = -0.031, back at +0.034, left at y = +0.146, right at
//    -0.143: the same layout as chaingap's caddy (front -x, left +y), so c = t.
//  - flat stove: the knob at the model origin, the burner (cook_region) 0.15 m along +x; chaingap's
//    stove has the burner on the knob's +y side, so c = t - pi/2 (knob towards -x of the burner at t = 0).
// LIBERO places fixtures with their fronts towards the table's centre line: the cabinets, microwave,
// shelf and wine rack at y < 0 have yaw pi and at y > 0 yaw 0, so in chaingap they face +y or -y
// (sideways to the robot), as in LIBERO. The desk caddy has yaw pi: its "front" compartment is the
// one away from the robot, nearest LIBERO's agentview camera, whose view LIBERO's names follow.
import type { FixtureKind } from './types.ts';

export interface LiberoFixture {
  kind: FixtureKind;
  /** chaingap yaw = LIBERO yaw + yawOffset. */
  yawOffset: number;
}

export const LIBERO_FIXTURES: Readonly<Record<string, LiberoFixture>> = Object.freeze({
  wooden_cabinet: { kind: 'wooden_cabinet', yawOffset: Math.PI / 2 },
  white_cabinet: { kind: 'white_cabinet', yawOffset: Math.PI / 2 },
  microwave: { kind: 'microwave', yawOffset: Math.PI / 2 },
  wooden_two_layer_shelf: { kind: 'wooden_two_layer_shelf', yawOffset: Math.PI / 2 },
  wine_rack: { kind: 'wine_rack', yawOffset: Math.PI / 2 },
  desk_caddy: { kind: 'desk_caddy', yawOffset: 0 },
  flat_stove: { kind: 'flat_stove', yawOffset: -Math.PI / 2 },
});

/** A LIBERO fixture yaw as chaingap's, in (-pi, pi]. */
export function liberoFixtureYaw(category: string, yaw: number): number {
  let y = yaw + (LIBERO_FIXTURES[category]?.yawOffset ?? 0);
  while (y <= -Math.PI) y += 2 * Math.PI;
  while (y > Math.PI) y -= 2 * Math.PI;
  return Math.abs(y) < 1e-12 ? 0 : Math.round(y * 1e9) / 1e9;
}
