// The work surface of each LIBERO problem type, in chaingap's frame (robot base at the origin, +x away
// from the robot, the work surface at z = 0), read from LIBERO's problem classes
// (libero/libero/envs/problems/*.py: the table's full size and offset, the robot kind) and from the
// robot models' base offsets (envs/robots/{mounted,on_the_ground}_panda.py, `base_xpos_offset`).
//
// LIBERO samples a table region's rectangle relative to the problem's workspace offset (its
// `reference_pos`), and puts the robot base at `base_xpos_offset[...]`; so a region's (0, 0) sits at
// `regionOrigin` = workspace offset - robot base offset in chaingap's frame:
//   kitchen / plain tabletop: Mounted Panda at x = -0.16 - 1.0/2 = -0.66, table (1.0 x 1.2) centred on the
//     workspace (0, 0)                                   -> origin (0.66, 0), table centre (0.66, 0)
//   living room / coffee table: OnTheGround Panda at x = -0.16 - 0.70/2 = -0.51, table (0.70 x 1.6) centred
//     on the workspace (0, 0)                            -> origin (0.51, 0), table centre (0.51, 0)
//   study: Mounted Panda at x = -0.25 - 1.0/2 = -0.75, table (1.0 x 1.2) centred on the workspace (-0.2, 0)
//                                                         -> origin (0.55, 0), table centre (0.55, 0)
//   floor: OnTheGround Panda (no mount, base on the floor) at x = -0.6, regions relative to (0, 0)
//                                                         -> origin (0.6, 0)
// In every setting LIBERO's robot base sits within 2 cm of the work surface's height (mounted Panda base
// z 0.912 over a 0.90 table; the living-room robot at z 0.42 over a 0.41 table; on the floor at 0), which
// is chaingap's convention (table top at the base's height), so no height offset is mapped.
// The floor is modelled as a table at floor level: a 1.2 x 1.6 m patch in front of the robot (the floor
// itself is unbounded; the patch covers every spot the arm reaches). A work surface never reaches closer
// than MIN_TABLE_NEAR_X to the robot base (the study table's near edge, 0.05 m in LIBERO, is cut
// there), so the surface stays clear of the base's collider.
// LIBERO's friction (1.0 kitchen, 0.95 living room / study, 0.6 plain tabletop) is not carried over:
// every variant keeps chaingap's tuned 0.7.
import type { Rgb, SceneSpec, Vec2 } from './types.ts';

/** Nearest x a work surface may reach: the robot base's collider (radius 0.07 m) plus a margin. */
export const MIN_TABLE_NEAR_X = 0.1;
const FRICTION = 0.7;

export interface LiberoSetting {
  /** LIBERO's problem class name as written in `(problem ...)`. */
  problem: string;
  /** The fixture category that stands for the work surface in the file's :fixtures. */
  surface: string;
  /** Where LIBERO's region (0, 0) lands in chaingap's frame. */
  regionOrigin: Vec2;
  table: SceneSpec['table'];
}

function surface(problem: string, category: string, origin: Vec2, centre: Vec2, size: Vec2, color: Rgb): LiberoSetting {
  // Cut the near side at MIN_TABLE_NEAR_X, keeping the far edge where LIBERO has it.
  const near = Math.max(MIN_TABLE_NEAR_X, centre[0] - size[0] / 2);
  const far = centre[0] + size[0] / 2;
  return {
    problem, surface: category, regionOrigin: origin,
    table: { size: [round(far - near), size[1]], center: [round((near + far) / 2), centre[1]], friction: FRICTION, color },
  };
}
const round = (x: number) => Math.round(x * 1e6) / 1e6;

const KITCHEN_WOOD: Rgb = [0.62, 0.47, 0.33];
/** Every LIBERO problem type chaingap maps, by the name in `(problem ...)`. */
export const LIBERO_SETTINGS: Readonly<Record<string, LiberoSetting>> = Object.freeze({
  LIBERO_Kitchen_Tabletop_Manipulation: surface('LIBERO_Kitchen_Tabletop_Manipulation', 'kitchen_table', [0.66, 0], [0.66, 0], [1.0, 1.2], KITCHEN_WOOD),
  LIBERO_Tabletop_Manipulation: surface('LIBERO_Tabletop_Manipulation', 'table', [0.66, 0], [0.66, 0], [1.0, 1.2], [0.7, 0.7, 0.68]),
  LIBERO_Living_Room_Tabletop_Manipulation: surface('LIBERO_Living_Room_Tabletop_Manipulation', 'living_room_table', [0.51, 0], [0.51, 0], [0.7, 1.6], [0.55, 0.4, 0.3]),
  LIBERO_Coffee_Table_Manipulation: surface('LIBERO_Coffee_Table_Manipulation', 'coffee_table', [0.51, 0], [0.51, 0], [0.7, 1.6], [0.5, 0.36, 0.26]),
  LIBERO_Study_Tabletop_Manipulation: surface('LIBERO_Study_Tabletop_Manipulation', 'study_table', [0.55, 0], [0.55, 0], [1.0, 1.2], [0.45, 0.32, 0.22]),
  LIBERO_Floor_Manipulation: surface('LIBERO_Floor_Manipulation', 'floor', [0.6, 0], [0.7, 0], [1.2, 1.6], [0.72, 0.72, 0.72]),
});

