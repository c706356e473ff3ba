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
// LIBERO places a fixture's model origin, which is not the middle of what matters: the cabinets' and
// the shelf's top_side sites are centred 1.6 cm behind it (model y 0.0157), the microwave's 1 cm, the
// caddy's compartments about 6 mm off, and the stove's origin is its knob, with the burner (cook_region)
// 0.15 m away. So each kind names an anchor: a point of LIBERO's model (model frame) and the chaingap
// region whose centre stands for it (or the footprint centre); the import puts the chaingap fixture where
// the anchor lands. The wine rack's model is a set of thin panels whose middle is unclear: no anchor.
// LIBERO places fixtures with their fronts towards the table's centre line: the cabinets, microwave,
// shelf and wine rack at y < 0 have yaw pi and at y > 0 yaw 0, so in chaingap they face +y or -y
// (sideways to the robot), as in LIBERO. The desk caddy has yaw pi: its "front" compartment is the
// one away from the robot, nearest LIBERO's agentview camera, whose view LIBERO's names follow.
import { FIXTURE_DEFS } from './fixture-defs.ts';
import type { FixtureKind, Vec2 } from './types.ts';

export interface LiberoFixture {
  kind: FixtureKind;
  /** chaingap yaw = LIBERO yaw + yawOffset. */
  yawOffset: number;
  /** A point of LIBERO's model (its frame) and the chaingap region whose centre is that point (none: the footprint centre). */
  anchor?: { libero: Vec2; region?: string };
}

export const LIBERO_FIXTURES: Readonly<Record<string, LiberoFixture>> = Object.freeze({
  wooden_cabinet: { kind: 'wooden_cabinet', yawOffset: Math.PI / 2, anchor: { libero: [0.00354, 0.01567], region: 'top_side' } },
  white_cabinet: { kind: 'white_cabinet', yawOffset: Math.PI / 2, anchor: { libero: [0.00354, 0.01567], region: 'top_side' } },
  microwave: { kind: 'microwave', yawOffset: Math.PI / 2, anchor: { libero: [0, 0.01], region: 'top_side' } },
  wooden_two_layer_shelf: { kind: 'wooden_two_layer_shelf', yawOffset: Math.PI / 2, anchor: { libero: [0.00496, 0.01567], region: 'top_side' } },
  wine_rack: { kind: 'wine_rack', yawOffset: Math.PI / 2 },
  // Midway between the left (model y 0.146) and right (-0.143) compartments, at x 0.0063.
  desk_caddy: { kind: 'desk_caddy', yawOffset: 0, anchor: { libero: [0.0063, 0.0011] } },
  flat_stove: { kind: 'flat_stove', yawOffset: -Math.PI / 2, anchor: { libero: [0.15, 0], region: 'cook_region' } },
});

/**
 * Where a LIBERO fixture of `category` stands in chaingap's frame, given where LIBERO puts its model
 * origin (`origin`, chaingap frame) and its LIBERO yaw: the chaingap fixture is shifted so that its anchor
 * region lands where LIBERO's anchor point does.
 */
export function liberoFixturePos(category: string, origin: Vec2, yaw: number): Vec2 {
  const f = LIBERO_FIXTURES[category];
  if (!f?.anchor) return [origin[0], origin[1]];
  const rot = (a: number, [x, y]: readonly number[]): Vec2 => [Math.cos(a) * x - Math.sin(a) * y, Math.sin(a) * x + Math.cos(a) * y];
  const region = f.anchor.region ? FIXTURE_DEFS[f.kind].regions[f.anchor.region] : undefined;
  const at = rot(yaw, f.anchor.libero);
  const own = rot(liberoFixtureYaw(category, yaw), region ? [region.center[0], region.center[1]] : [0, 0]);
  const r = (v: number) => Math.round(v * 1e9) / 1e9;
  return [r(origin[0] + at[0] - own[0]), r(origin[1] + at[1] - own[1])];
}

/** A LIBERO fixture yaw as chaingap's, in (-pi, pi]. */
export function liberoFixtureYaw(category: string, yaw: number): number {
  let y = yaw + (LIBERO_FIXTURES[category]?.yawOffset ?? 0);
  while (y <= -Math.PI) y += 2 * Math.PI;
  while (y > Math.PI) y -= 2 * Math.PI;
  return Math.abs(y) < 1e-12 ? 0 : Math.round(y * 1e9) / 1e9;
}
