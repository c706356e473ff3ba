// One definition per fixture kind: its fixed shell, its moving parts (joint, range, what "open" and
// "on" mean, where the expert takes hold of it), and its named regions (drawer interiors, tops,
// compartments, a stove's cook region), with LIBERO's region names. Everything that gives a fixture
// meaning reads it from here: the simulator builds it, the predicates evaluate it, the layout places
// it, the symbolic chain model reasons about it, the expert operates it. `FIXTURE_DEFS` is a complete
// Record over FixtureKind, so a new kind fails to compile until it is defined.
//
// Fixture frame: origin at the base centre on the table, z up, the front (drawers, doors, knobs)
// facing -x at yaw 0, i.e. towards the robot. Part frames are given at joint value 0.
import type { FixtureKind, Rgb, Shape, Vec3 } from './types.ts';

export type PartRole = 'drawer' | 'door' | 'button' | 'knob';

export interface PartDef {
  /** Unique within the kind: "drawer", "top_drawer", "door", "cap", "knob". */
  name: string;
  role: PartRole;
  /** Origin of the part's frame in the fixture frame at joint value 0. */
  origin: Vec3;
  /** 'slide': the part moves by `value` metres along `axis`; 'hinge': it turns by `value` radians about `axis`
   *  (right hand) through its origin. Axes are in the fixture frame. */
  joint: 'slide' | 'hinge';
  axis: Vec3;
  /** Joint limits [rest, fully open / pressed / turned]. */
  range: [number, number];
  shapes: Shape[];
  mass: number;
  /** Velocity damping of the joint (N s/m or N m s/rad): how freely it moves once pushed. */
  damping: number;
  /** A spring back to 0 (a push button's cap), as a position motor. */
  spring?: { stiffness: number; damping: number };
  /** Drawers and doors: Open holds at value >= openAt, Closed at value <= closedAt; `openValue` is the value of an
   *  "Open" init atom. */
  openAt?: number;
  closedAt?: number;
  openValue?: number;
  /** Switches. 'toggle': each press deeper than `press` flips on/off, re-armed above `release` (a push button).
   *  'level': on while value >= onAt (a stove knob, as LIBERO's turn-on range); `onValue` is a TurnedOn init atom's value. */
  switch?: { mode: 'toggle'; press: number; release: number } | { mode: 'level'; onAt: number; onValue: number };
  /** Vertical handle bar the expert pinches at its upper end: centre in the part frame, half length. */
  handle?: { center: Vec3; halfLength: number };
  /** Doors: width and thickness of the panel; the hinge line runs through the part origin along z. */
  door?: { width: number; thickness: number };
  /** Button caps: centre of the top face in the part frame. */
  capTop?: Vec3;
  /** Knobs: centre of the top of the ridge the fingers pinch (part frame) and the ridge's direction at value 0. */
  grip?: { top: Vec3; along: Vec3 };
}

export interface FixtureRegionDef {
  /** 'interior': things are put In it (a volume with walls); 'surface': things are put On it. */
  type: 'interior' | 'surface';
  /** The part the region moves with (a drawer's interior); otherwise it is fixed in the fixture frame. */
  part?: string;
  /** The volume, in the part's (or fixture's) frame. A surface: its top at center z + half z. */
  center: Vec3;
  halfExtents: Vec3;
  /** The part that must be open for things to go in (a drawer, a door). */
  access?: string;
  /** Tallest thing that fits so that the access part still closes over it (m). */
  itemMaxHeight?: number;
  /** Where the expert sets things down, in the region's frame (default: the centre of the volume's floor). */
  placeAt?: Vec3;
  /** True when a hand from above cannot reach in (a shelf layer under another): imports work, the expert declines. */
  closedAbove?: boolean;
}

export interface FixtureDef {
  kind: FixtureKind;
  /** The words instructions use for it. */
  noun: string;
  /** Box the fixture occupies: depth along its local x, width along y, height along z. */
  footprint: { depth: number; width: number; height: number };
  /** How far in front (local -x) a drawer slides out or a door swings: objects are kept out of this zone. */
  swing: number;
  shell: Shape[];
  parts: PartDef[];
  regions: Record<string, FixtureRegionDef>;
  /** What the bare fixture id names in an atom: the part Open/Closed/TurnedOn act on and the region In/On use. */
  defaultPart?: string;
  defaultRegion?: string;
}

const GREY: Rgb = [0.55, 0.5, 0.45];
const WOOD: Rgb = [0.6, 0.42, 0.25];
const DARK: Rgb = [0.2, 0.2, 0.2];

function box(half: Vec3, pos: Vec3, color: Rgb = GREY): Shape {
  return { type: 'box', halfExtents: half, pos, color };
}

/** A vertical bar centred at `c` and a standoff from its lower part back (+x) to the panel. */
function handleShapes(c: Vec3, standoff: number, length: number, half: number, color: Rgb): Shape[] {
  const zs = c[2] - length / 2 + 0.012;
  return [
    box([half, half, length / 2], c, color),
    box([standoff / 2, 0.006, 0.006], [c[0] + standoff / 2, c[1], zs], color),
  ];
}

/** A floor slab and four walls, open at the top: `D` x `W` x `H` outside, walls `t` thick. */
function openBox(D: number, W: number, H: number, t: number, floor: number, c: Rgb): Shape[] {
  return [
    box([D / 2, W / 2, floor / 2], [0, 0, floor / 2], c),
    box([t / 2, W / 2, H / 2], [-D / 2 + t / 2, 0, H / 2], c),
    box([t / 2, W / 2, H / 2], [D / 2 - t / 2, 0, H / 2], c),
    box([D / 2, t / 2, H / 2], [0, W / 2 - t / 2, H / 2], c),
    box([D / 2, t / 2, H / 2], [0, -W / 2 + t / 2, H / 2], c),
  ];
}

// ---------------------------------------------------------------------------------------------
// chaingap's own kinds

/** A cabinet with one drawer under a shelf (chaingap's kitchen). */
function cabinet(): FixtureDef {
  const D = 0.3, W = 0.36, H = 0.26, t = 0.015;
  const d = { depth: 0.26, width: 0.32, height: 0.10, bottomZ: 0.03, wall: 0.01, mass: 1.0 };
  const h = { standoff: 0.045, z: 0.08, length: 0.06, half: 0.007 };
  const shelfZ = d.bottomZ + d.height + 0.01;
  const hz = d.height / 2;
  const front = -d.depth / 2;
  return {
    kind: 'cabinet', noun: 'drawer',
    footprint: { depth: D, width: W, height: H }, swing: 0.22,
    shell: [
      box([D / 2, W / 2, d.bottomZ / 2 - 0.0025], [0, 0, d.bottomZ / 2 - 0.0025]),
      box([D / 2, W / 2, t / 2], [0, 0, H - t / 2]),
      box([D / 2, t / 2, H / 2], [0, W / 2 - t / 2, H / 2]),
      box([D / 2, t / 2, H / 2], [0, -W / 2 + t / 2, H / 2]),
      box([t / 2, W / 2, H / 2], [D / 2 - t / 2, 0, H / 2]),
      box([D / 2, W / 2, t / 2], [0, 0, shelfZ + t / 2]),
      box([t / 2, W / 2, (H - shelfZ) / 2], [-D / 2 + t / 2, 0, (H + shelfZ) / 2]),
    ],
    parts: [{
      name: 'drawer', role: 'drawer',
      origin: [-D / 2 + d.depth / 2, 0, d.bottomZ + hz],
      joint: 'slide', axis: [-1, 0, 0], range: [0, 0.2],
      mass: d.mass, damping: 8,
      openAt: 0.15, closedAt: 0.01, openValue: 0.18,
      handle: { center: [front - h.standoff, 0, h.z - (d.bottomZ + hz)], halfLength: h.length / 2 },
      shapes: [
        box([d.depth / 2, d.width / 2, d.wall / 2], [0, 0, -hz + d.wall / 2], WOOD),
        box([d.depth / 2, d.wall / 2, hz], [0, d.width / 2 - d.wall / 2, 0], WOOD),
        box([d.depth / 2, d.wall / 2, hz], [0, -d.width / 2 + d.wall / 2, 0], WOOD),
        box([d.wall / 2, d.width / 2, hz], [d.depth / 2 - d.wall / 2, 0, 0], WOOD),
        // Front panel, flush with the cabinet front when closed, a little wider than the drawer box.
        box([0.0075, d.width / 2 + 0.008, hz + 0.006], [front + 0.0075, 0, 0], WOOD),
        ...handleShapes([front - h.standoff, 0, h.z - (d.bottomZ + hz)], h.standoff, h.length, h.half, DARK),
      ],
    }],
    regions: {
      // The drawer's walls are 0.10 m high and its floor 0.04 m above the table: things up to 6 cm pass under the shell.
      drawer_region: {
        type: 'interior', part: 'drawer', access: 'drawer', itemMaxHeight: 0.06,
        center: [0, 0, d.wall / 2], halfExtents: [d.depth / 2 - d.wall, d.width / 2 - d.wall, hz],
        // The pulled-out part of the drawer, just above its floor.
        placeAt: [-0.05, 0, -0.04],
      },
      top_side: { type: 'surface', center: [0, 0, H - 0.005], halfExtents: [D / 2 - 0.01, W / 2 - 0.01, 0.005] },
    },
    defaultPart: 'drawer', defaultRegion: 'drawer_region',
  };
}

/**
 * A microwave with a door hinged on its left (seen from its front), at LIBERO's size (its heating
 * region is 0.24 x 0.17 x 0.16 m, the door hinge 0.1725 m from the middle, the top at 0.20 m:
 * libero/libero/assets/articulated_objects/microwave.xml). LIBERO counts it open past 1.3 rad.
 */
function microwave(): FixtureDef {
  const D = 0.2, W = 0.35, H = 0.21, t = 0.012, floor = 0.025;
  const door = { thickness: 0.02, mass: 0.6 };
  const h = { fromEdge: 0.05, standoff: 0.045, z: 0.13, length: 0.08, half: 0.007 };
  const free = -W;
  return {
    kind: 'microwave', noun: 'microwave',
    footprint: { depth: D, width: W, height: H }, swing: 0.22,
    shell: [
      box([D / 2, W / 2, floor / 2], [0, 0, floor / 2]),
      box([D / 2, W / 2, t / 2], [0, 0, H - t / 2]),
      box([D / 2, t / 2, H / 2], [0, W / 2 - t / 2, H / 2]),
      box([D / 2, t / 2, H / 2], [0, -W / 2 + t / 2, H / 2]),
      box([t / 2, W / 2, H / 2], [D / 2 - t / 2, 0, H / 2]),
    ],
    parts: [{
      // Door frame: origin on the hinge line (front-left corner seen from the front); the panel extends to -y.
      name: 'door', role: 'door',
      origin: [-D / 2, W / 2, 0],
      joint: 'hinge', axis: [0, 0, -1], range: [0, 2.0],
      mass: door.mass, damping: 0.5,
      openAt: 1.3, closedAt: 0.06, openValue: 1.6,
      door: { width: W, thickness: door.thickness },
      handle: { center: [-door.thickness - h.standoff, free + h.fromEdge, h.z], halfLength: h.length / 2 },
      shapes: [
        // The panel covers the opening above the floor slab: a plate's 2 cm rim passes under it as it swings.
        box([door.thickness / 2, W / 2, (H - 0.005 - floor) / 2], [-door.thickness / 2, -W / 2, (H - 0.005 + floor) / 2], [0.15, 0.15, 0.18]),
        ...handleShapes([-door.thickness - h.standoff, free + h.fromEdge, h.z], h.standoff, h.length, h.half, [0.75, 0.75, 0.78]),
      ],
    }],
    regions: {
      // Reached through the door from the front: a hand from above cannot put things in.
      heating_region: {
        type: 'interior', access: 'door', closedAbove: true,
        center: [0, 0, (floor + H - t) / 2], halfExtents: [D / 2 - t, W / 2 - t, (H - t - floor) / 2],
      },
      top_side: { type: 'surface', center: [0, 0, H - 0.005], halfExtents: [D / 2 - 0.01, W / 2 - 0.01, 0.005] },
    },
    defaultPart: 'door', defaultRegion: 'heating_region',
  };
}

/** A push button on a low base: each press toggles it on or off. */
function button(): FixtureDef {
  const base: Vec3 = [0.04, 0.04, 0.01];
  const cap = { radius: 0.022, halfHeight: 0.0075, mass: 0.02 };
  return {
    kind: 'button', noun: 'button',
    footprint: { depth: 0.08, width: 0.08, height: 0.03 }, swing: 0,
    shell: [box(base, [0, 0, base[2]])],
    parts: [{
      name: 'cap', role: 'button',
      origin: [0, 0, base[2] * 2 + cap.halfHeight],
      joint: 'slide', axis: [0, 0, -1], range: [0, 0.01],
      mass: cap.mass, damping: 4, spring: { stiffness: 800, damping: 4 },
      // Cap travel (m, downwards) that counts as a press; it must come back above `release` before the next.
      switch: { mode: 'toggle', press: 0.006, release: 0.003 },
      capTop: [0, 0, cap.halfHeight],
      shapes: [{ type: 'cylinder', radius: cap.radius, halfHeight: cap.halfHeight, color: [0.85, 0.1, 0.1] }],
    }],
    regions: {},
    defaultPart: 'cap',
  };
}

// ---------------------------------------------------------------------------------------------
// LIBERO's kinds (sized from LIBERO's assets: libero/libero/assets/articulated_objects/*.xml and
// turbosquid_objects/*; the meshes become boxes)

/**
 * LIBERO's wooden and white cabinets: three drawers (top, middle, bottom) under a flat top. LIBERO's
 * wooden cabinet is 0.24 wide, 0.20 deep and 0.22 tall with drawers about 7 cm high that open 0.14 m
 * and more (its open range is 0.14-0.16 m). The handles are vertical bars pinched from above; they
 * are staggered across the front (top left, middle right, bottom centre) so that the palm over a
 * lower drawer's handle passes beside the handles above it (LIBERO's are centred: a hand there comes
 * from the front).
 */
function drawerCabinet(kind: 'wooden_cabinet' | 'white_cabinet', color: Rgb, handleColor: Rgb): FixtureDef {
  const D = 0.22, W = 0.3, H = 0.24, t = 0.012, base = 0.012;
  const slot = (H - t - base) / 3;
  const travel = 0.17;
  const dd = { depth: D - 0.02, width: W - 2 * t - 0.006, height: slot - 0.012, wall: 0.008, mass: 0.8 };
  // The standoff keeps the wrist (link 7, 4.5 cm radius, right above the hand) clear of the cabinet front.
  const h = { standoff: 0.055, length: 0.035, half: 0.007 };
  // The bottom handle in the middle: the lowest grip needs the most reach, and LIBERO's cabinets stand
  // sideways on either side of the table (their fronts towards its centre line), so only the middle is
  // equally near for both.
  const handleY = { top: 0.115, middle: -0.115, bottom: 0 } as const;
  const shell: Shape[] = [
    box([D / 2, W / 2, base / 2], [0, 0, base / 2], color),
    box([D / 2, W / 2, t / 2], [0, 0, H - t / 2], color),
    box([D / 2, t / 2, H / 2], [0, W / 2 - t / 2, H / 2], color),
    box([D / 2, t / 2, H / 2], [0, -W / 2 + t / 2, H / 2], color),
    box([t / 2, W / 2, H / 2], [D / 2 - t / 2, 0, H / 2], color),
  ];
  // Thin shelves between the drawers.
  for (const k of [1, 2]) shell.push(box([D / 2 - t, W / 2 - t, 0.002], [0, 0, base + k * slot], color));
  const parts: PartDef[] = [];
  const regions: Record<string, FixtureRegionDef> = {};
  const hz = dd.height / 2;
  const front = -dd.depth / 2;
  (['bottom', 'middle', 'top'] as const).forEach((level, i) => {
    const name = `${level}_drawer`;
    const z0 = base + i * slot + 0.004;
    const hc: Vec3 = [front - h.standoff, handleY[level], 0];
    parts.push({
      name, role: 'drawer',
      origin: [-D / 2 + dd.depth / 2, 0, z0 + hz],
      joint: 'slide', axis: [-1, 0, 0], range: [0, travel],
      mass: dd.mass, damping: 8,
      openAt: 0.13, closedAt: 0.01, openValue: 0.15,
      handle: { center: hc, halfLength: h.length / 2 },
      shapes: [
        box([dd.depth / 2, dd.width / 2, dd.wall / 2], [0, 0, -hz + dd.wall / 2], color),
        box([dd.depth / 2, dd.wall / 2, hz], [0, dd.width / 2 - dd.wall / 2, 0], color),
        box([dd.depth / 2, dd.wall / 2, hz], [0, -dd.width / 2 + dd.wall / 2, 0], color),
        box([dd.wall / 2, dd.width / 2, hz], [dd.depth / 2 - dd.wall / 2, 0, 0], color),
        box([0.0075, W / 2 - t, hz + 0.004], [front + 0.0075, 0, 0], color),
        ...handleShapes(hc, h.standoff, h.length, h.half, handleColor),
      ],
    });
    regions[`${level}_region`] = {
      type: 'interior', part: name, access: name, itemMaxHeight: dd.height - 0.01,
      center: [0, 0, dd.wall / 2], halfExtents: [dd.depth / 2 - dd.wall, dd.width / 2 - dd.wall, hz],
      // Clear of the handles of the drawers above (which overhang the pulled-out part): the bottom drawer
      // between them, the middle one away from the top handle.
      // Along the depth: the middle of the part pulled out at the open value (inside the front panel, out of the shell).
      placeAt: [-0.02, level === 'middle' ? -0.05 : 0, -hz + dd.wall + 0.002],
    };
  });
  regions.top_side = { type: 'surface', center: [0, 0, H - 0.005], halfExtents: [D / 2 - 0.01, W / 2 - 0.01, 0.005] };
  return {
    kind, noun: 'cabinet', footprint: { depth: D, width: W, height: H }, swing: travel + 0.03,
    shell, parts, regions, defaultPart: 'top_drawer', defaultRegion: 'top_region',
  };
}

/**
 * LIBERO's flat stove: a low slab with a burner plate (its cook_region, 0.15 m square) and a knob that
 * turns about the vertical; LIBERO counts it on from 0.5 rad. The knob has a ridge the fingers pinch
 * from above; turning the hand turns the knob.
 */
function flatStove(): FixtureDef {
  // As LIBERO's collision geometry: a 0.19 m burner plate 2.5 cm high and, 0.15 m from its centre, a
  // knob on a small base; nothing between them (a pan's handle may pass beside the plate).
  const plate = 0.025, burnerY = 0.05;
  const knobPos: Vec3 = [-0.05, -0.1, 0.012];
  return {
    kind: 'flat_stove', noun: 'stove',
    footprint: { depth: 0.2, width: 0.29, height: 0.06 }, swing: 0,
    shell: [
      box([0.095, 0.095, plate / 2], [0, burnerY, plate / 2], [0.08, 0.08, 0.08]),
      box([0.035, 0.035, 0.006], [knobPos[0], knobPos[1], 0.006], [0.25, 0.25, 0.27]),
    ],
    parts: [{
      name: 'knob', role: 'knob',
      origin: knobPos,
      joint: 'hinge', axis: [0, 0, 1], range: [0, 1.6],
      mass: 0.05, damping: 0.05,
      switch: { mode: 'level', onAt: 0.5, onValue: 0.9 },
      grip: { top: [0, 0, 0.038], along: [1, 0, 0] },
      shapes: [
        { type: 'cylinder', radius: 0.03, halfHeight: 0.006, pos: [0, 0, 0.006], color: [0.8, 0.8, 0.8] },
        // The ridge: 5 cm long, 1.4 cm wide, rising 2.6 cm above the disc.
        box([0.025, 0.007, 0.013], [0, 0, 0.025], [0.85, 0.85, 0.85]),
      ],
    }],
    regions: {
      cook_region: { type: 'surface', center: [0, burnerY, plate - 0.0025], halfExtents: [0.075, 0.075, 0.0025] },
    },
    defaultPart: 'knob', defaultRegion: 'cook_region',
  };
}

/**
 * A wine rack. LIBERO's holds a bottle lying in a slot tilted 60 degrees, 0.22 m up; a hand from above
 * cannot lay a bottle at that angle, so chaingap's holds bottles standing in two square slots
 * (walls 9 cm high) and its top_region is the slots' floor. Noted in docs/libero-conventions.md.
 */
function wineRack(): FixtureDef {
  const D = 0.12, W = 0.24, H = 0.09, t = 0.008, floor = 0.015;
  const c = WOOD;
  return {
    kind: 'wine_rack', noun: 'wine rack',
    footprint: { depth: D, width: W, height: H }, swing: 0,
    shell: [
      ...openBox(D, W, H, t, floor, c),
      box([D / 2 - t, t / 2, H / 2], [0, 0, H / 2], c),
    ],
    parts: [],
    regions: {
      top_region: {
        type: 'interior', center: [0, 0, (floor + H) / 2], halfExtents: [D / 2 - t, W / 2 - t, (H - floor) / 2],
        // The centre of the left slot (the divider runs down the middle).
        placeAt: [0, W / 4, floor],
      },
    },
    defaultRegion: 'top_region',
  };
}

/**
 * LIBERO's desk caddy (scaled 1.5 in LIBERO): about 0.30 m wide, four compartments; left and right
 * are 0.12 m square, front and back share the middle. The compartments' walls are 8 cm high.
 */
function deskCaddy(): FixtureDef {
  const D = 0.14, W = 0.4, H = 0.08, t = 0.006, floor = 0.01;
  const c: Rgb = [0.3, 0.3, 0.35];
  const side = 0.13; // left/right compartment width
  const innerY = W / 2 - side; // inner walls at +-innerY
  const vol = (cx: number, cy: number, hx: number, hy: number): FixtureRegionDef => ({
    type: 'interior', center: [cx, cy, (floor + H) / 2], halfExtents: [hx, hy, (H - floor) / 2],
  });
  return {
    kind: 'desk_caddy', noun: 'caddy',
    footprint: { depth: D, width: W, height: H }, swing: 0,
    shell: [
      ...openBox(D, W, H, t, floor, c),
      box([D / 2 - t, t / 2, H / 2], [0, innerY, H / 2], c),
      box([D / 2 - t, t / 2, H / 2], [0, -innerY, H / 2], c),
      // The middle is split front / back.
      box([t / 2, innerY - t / 2, H / 2], [0, 0, H / 2], c),
    ],
    parts: [],
    regions: {
      // Left / right as the robot sees them: +y is the robot's left.
      left_contain_region: vol(0, (W / 2 + innerY) / 2, D / 2 - t, (W / 2 - innerY) / 2 - t),
      right_contain_region: vol(0, -(W / 2 + innerY) / 2, D / 2 - t, (W / 2 - innerY) / 2 - t),
      front_contain_region: vol(-D / 4, 0, D / 4 - t, innerY - t),
      back_contain_region: vol(D / 4, 0, D / 4 - t, innerY - t),
    },
    defaultRegion: 'front_contain_region',
  };
}

/**
 * LIBERO's wooden two-layer shelf (assets/turbosquid_objects/wooden_two_layer_shelf): 0.36 m wide,
 * 0.2 deep, its top 0.21 m up, one thin board 7 cm above the table and no bottom board, so the lower
 * layer is the table under that board (7 cm tall) and the upper one 13 cm tall; open at the front
 * (local -x). Things go on its top (top_side) or into either layer from the front.
 */
function twoLayerShelf(): FixtureDef {
  const D = 0.2, W = 0.36, H = 0.21, t = 0.012;
  /** Height of the middle board's centre; it is thinner than the walls, as LIBERO's. */
  const mid = 0.07, tb = 0.006;
  const c = WOOD;
  return {
    kind: 'wooden_two_layer_shelf', noun: 'shelf',
    footprint: { depth: D, width: W, height: H }, swing: 0,
    shell: [
      box([D / 2, W / 2, tb / 2], [0, 0, mid], c),
      box([D / 2, W / 2, t / 2], [0, 0, H - t / 2], c),
      box([D / 2, t / 2, H / 2], [0, W / 2 - t / 2, H / 2], c),
      box([D / 2, t / 2, H / 2], [0, -W / 2 + t / 2, H / 2], c),
      box([t / 2, W / 2, H / 2], [D / 2 - t / 2, 0, H / 2], c),
    ],
    parts: [],
    regions: {
      top_side: { type: 'surface', center: [0, 0, H - 0.005], halfExtents: [D / 2 - 0.01, W / 2 - 0.01, 0.005] },
      top_region: {
        type: 'interior', closedAbove: true,
        center: [-t / 2, 0, (mid + tb / 2 + H - t) / 2], halfExtents: [D / 2 - t / 2 - 0.01, W / 2 - t, (H - t - mid - tb / 2) / 2],
      },
      bottom_region: {
        type: 'interior', closedAbove: true,
        center: [-t / 2, 0, (mid - tb / 2) / 2], halfExtents: [D / 2 - t / 2 - 0.01, W / 2 - t, (mid - tb / 2) / 2],
      },
    },
    defaultRegion: 'top_side',
  };
}

export const FIXTURE_DEFS: Readonly<Record<FixtureKind, FixtureDef>> = Object.freeze({
  cabinet: cabinet(),
  microwave: microwave(),
  button: button(),
  wooden_cabinet: drawerCabinet('wooden_cabinet', [0.55, 0.38, 0.22], DARK),
  white_cabinet: drawerCabinet('white_cabinet', [0.92, 0.92, 0.9], [0.6, 0.6, 0.62]),
  flat_stove: flatStove(),
  wine_rack: wineRack(),
  desk_caddy: deskCaddy(),
  wooden_two_layer_shelf: twoLayerShelf(),
});

export const FIXTURE_KINDS = Object.freeze(Object.keys(FIXTURE_DEFS) as FixtureKind[]);

export function fixtureDef(kind: FixtureKind): FixtureDef {
  const d = FIXTURE_DEFS[kind];
  if (!d) throw new Error(`unknown fixture kind ${JSON.stringify(kind)} (known: ${FIXTURE_KINDS.join(', ')})`);
  return d;
}

export function partDef(def: FixtureDef, name: string): PartDef {
  const p = def.parts.find((x) => x.name === name);
  if (!p) throw new Error(`fixture kind "${def.kind}" has no part "${name}" (parts: ${def.parts.map((x) => x.name).join(', ') || 'none'})`);
  return p;
}

/** Drawers and doors: things that are Open or Closed. */
export const isOpenable = (p: PartDef): boolean => p.role === 'drawer' || p.role === 'door';
/** Buttons and knobs: things that are TurnedOn or TurnedOff. */
export const isSwitch = (p: PartDef): boolean => p.switch !== undefined;

/** The joint value of a part at rest in the "closed"/"off" state and in the "open"/"on" state. */
export function partRestValue(p: PartDef): number {
  return p.range[0];
}
export function partOpenValue(p: PartDef): number {
  if (p.switch?.mode === 'level') return p.switch.onValue;
  if (p.switch?.mode === 'toggle') return 1; // a toggle switch's init value is its on/off state
  return p.openValue ?? p.range[1];
}
