// LIBERO's object vocabulary: which library kind stands for each object category LIBERO's task files
// declare, and how LIBERO turns each category when it sets up a task. Every category of LIBERO's five
// suites (libero_90, libero_10, libero_goal, libero_object, libero_spatial) has a kind here, sized from
// LIBERO's own assets (test/libero-objects.test.ts holds each kind to LIBERO's size).
import { OBJECT_KINDS } from './objects.ts';
import type { Vec2 } from './types.ts';

/** LIBERO object category -> library kind. */
export const LIBERO_OBJECT_KINDS: Record<string, string> = Object.freeze({
  // Groceries (LIBERO's HOPE objects)
  alphabet_soup: 'alphabet_soup',
  tomato_sauce: 'tomato_sauce',
  cream_cheese: 'cream_cheese',
  butter: 'butter',
  chocolate_pudding: 'chocolate_pudding',
  cookies: 'cookies',
  milk: 'milk',
  orange_juice: 'orange_juice',
  ketchup: 'ketchup',
  bbq_sauce: 'bbq_sauce',
  salad_dressing: 'salad_dressing',
  new_salad_dressing: 'new_salad_dressing',
  // Tableware and kitchenware (scanned and TurboSquid objects)
  akita_black_bowl: 'akita_black_bowl',
  white_bowl: 'white_bowl',
  plate: 'plate',
  glazed_rim_porcelain_ramekin: 'glazed_rim_porcelain_ramekin',
  porcelain_mug: 'porcelain_mug',
  red_coffee_mug: 'red_coffee_mug',
  white_yellow_mug: 'white_yellow_mug',
  chefmate_8_frypan: 'chefmate_8_frypan',
  moka_pot: 'moka_pot',
  wine_bottle: 'wine_bottle',
  // LIBERO's basket is 14 cm deep; chaingap's own `basket` (7 cm) stays as its scenes use it.
  basket: 'woven_basket',
  wooden_tray: 'wooden_tray',
  black_book: 'black_book',
  yellow_book: 'yellow_book',
});

const ANY: Vec2 = [-Math.PI, Math.PI];

/**
 * The yaw range (rad, in the kind's frame) LIBERO gives each category when it places it at the start
 * of a task. LIBERO turns objects by a per-category `rotation` (libero/libero/envs/objects/*.py); its
 * table samplers (envs/regions/workspace_region_sampler.py) build that rotation as an (x, y, z, w)
 * quaternion that the simulator reads as (w, x, y, z), so "a about x" comes out as an upright object
 * turned by pi - a about z. The values below are those yaws carried over to the kinds' frames (a mug's
 * handle, a pan's handle, a book's thin side, a box's long side point the way LIBERO's do). Round kinds
 * look the same at any yaw.
 */
export const LIBERO_INIT_YAW: Record<string, Vec2> = Object.freeze({
  alphabet_soup: ANY,
  tomato_sauce: ANY,
  ketchup: ANY,
  bbq_sauce: ANY,
  salad_dressing: ANY,
  new_salad_dressing: ANY,
  wine_bottle: ANY,
  akita_black_bowl: ANY,
  white_bowl: ANY,
  plate: ANY,
  glazed_rim_porcelain_ramekin: ANY,
  // Long side along the table's x, as LIBERO lays its boxes and the tray.
  cream_cheese: [0, 0],
  butter: [0, 0],
  chocolate_pudding: [0, 0],
  cookies: [0, 0],
  wooden_tray: [0, 0],
  // Turned a quarter: the cartons' gable ridge and the basket's 17 cm side along y.
  milk: [Math.PI / 2, Math.PI / 2],
  orange_juice: [Math.PI / 2, Math.PI / 2],
  basket: [Math.PI / 2, Math.PI / 2],
  // Handles: the porcelain mug's to the left (+y), the red and white-yellow mugs' and the moka pot's
  // to the right (-y), the frying pan's to the left.
  porcelain_mug: [-Math.PI / 2, -Math.PI / 2],
  red_coffee_mug: [Math.PI / 2, Math.PI / 2],
  white_yellow_mug: [Math.PI / 2, Math.PI / 2],
  moka_pot: [-Math.PI / 2, -Math.PI / 2],
  chefmate_8_frypan: [Math.PI / 2, Math.PI / 2],
  // Books stand with their thin side between -135 and -90 degrees.
  black_book: [(-3 * Math.PI) / 4, -Math.PI / 2],
  yellow_book: [(-3 * Math.PI) / 4, -Math.PI / 2],
});

/** The library kind for a LIBERO category, or undefined when LIBERO's vocabulary has no such category. */
export function liberoKind(category: string): string | undefined {
  const kind = Object.prototype.hasOwnProperty.call(LIBERO_OBJECT_KINDS, category) ? LIBERO_OBJECT_KINDS[category] : undefined;
  return kind !== undefined && kind in OBJECT_KINDS ? kind : undefined;
}

/**
 * Where LIBERO's model origin of a category sits in the chaingap kind's frame (whose origin is the
 * bounding box's bottom centre), where they differ by centimetres: LIBERO places an object by its
 * model origin, so the import shifts the placement by this. The frying pan's model origin is the pan's
 * centre (its collision mesh spans x -0.097..0.259 with the handle along +x).
 */
export const LIBERO_ORIGIN: Readonly<Record<string, [number, number]>> = Object.freeze({
  chefmate_8_frypan: [-0.078, 0],
});
