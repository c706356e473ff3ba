// Plain data types shared by every layer. Units: metres, kilograms, radians. World frame: z up,
// robot base at the origin, table top at z = 0, +x points away from the robot across the table.

export type Vec2 = [number, number];
export type Vec3 = [number, number, number];
/** Unit quaternion, [x, y, z, w] (Rapier / three.js order). */
export type Quat = [number, number, number, number];
export type Rgb = [number, number, number];

/** A collision/visual primitive in its owner's frame. Cylinders and capsules run along the owner's z axis. */
export type Shape =
  | { type: 'box'; halfExtents: Vec3; pos?: Vec3; quat?: Quat; color?: Rgb }
  | { type: 'sphere'; radius: number; pos?: Vec3; color?: Rgb }
  | { type: 'cylinder'; radius: number; halfHeight: number; pos?: Vec3; quat?: Quat; color?: Rgb }
  | { type: 'capsule'; radius: number; halfHeight: number; pos?: Vec3; quat?: Quat; color?: Rgb };

/**
 * How the scripted expert grasps a kind. Frame: the object's frame (origin at the bottom centre, z up).
 * `height` is the z of the finger pads' centre; `axis` the object axis the fingers close along
 * (the expert may use either direction, and may rotate by 90 degrees if `symmetric`).
 */
export interface GraspHint {
  type: 'top' | 'rim' | 'none';
  height: number;
  /** Object axis along which the fingers close. */
  axis: 'x' | 'y';
  /** True when the kind looks the same after a 90 degree yaw (round objects): any yaw works. */
  symmetric: boolean;
  /** For 'rim' grasps: horizontal offset from the object centre to the pinched wall, along +x. */
  offset?: number;
}

/** The interior volume of a container, in its frame; used by In() and by the expert to place things. */
export interface ContainerVolume {
  center: Vec3;
  halfExtents: Vec3;
}

export interface ObjectKind {
  kind: string;
  /** LIBERO-style category name used in instructions and BDDL import (e.g. "bowl", "ketchup"). */
  category: string;
  /** Words used to refer to it in instructions. */
  name: string;
  shapes: Shape[];
  /** Bounding box size [x, y, z]; the object's frame origin is the bottom centre. */
  size: Vec3;
  mass: number;
  friction: number;
  restitution: number;
  color: Rgb;
  grasp: GraspHint;
  /** Height of the flat top that other objects can be placed on (On(a, this)), if any. */
  supportTop?: number;
  container?: ContainerVolume;
  /** True for things a two-finger gripper of 0-8 cm can pick. */
  graspable: boolean;
}

/** Fixture kinds: chaingap's own three and LIBERO's (scenes/fixture-defs.ts defines each). */
export type FixtureKind =
  | 'cabinet' | 'microwave' | 'button'
  | 'wooden_cabinet' | 'white_cabinet' | 'flat_stove' | 'wine_rack' | 'desk_caddy' | 'wooden_two_layer_shelf';

export interface FixtureSpec {
  id: string;
  kind: FixtureKind;
  /** Position of the fixture's base centre on the table (z = 0 is the table top). */
  pos: Vec2;
  /** Rotation about z; 0 means the fixture's front faces -x (towards the robot). */
  yaw: number;
  /** Placement noise drawn at each reset: uniform in +-pos metres along x and y, +-yaw radians. */
  jitter?: { pos: number; yaw: number };
}

/** An axis-aligned rectangle on the table. */
export interface RegionRect {
  /** Centre of the rectangle on the table. */
  center: Vec2;
  /** Half sizes of the rectangle, in the world x and y directions. */
  halfExtents: Vec2;
}

export interface RegionSpec extends RegionRect {
  /** Further rectangles of the same region (LIBERO's several :ranges): a point is drawn by picking one of
   *  all the rectangles uniformly, then uniformly inside it; the region holds a point inside any of them. */
  extra?: RegionRect[];
}

/**
 * Where an object starts: exactly one of `region` (on the table), `on` or `in`. `on` names an object
 * it rests on, centred (a bowl on a plate), or a fixture surface as `${fixtureId}_${region}` (a cabinet's
 * top_side); `in` names a container object or a fixture interior as `${fixtureId}_${region}` (a drawer).
 */
export interface ObjectPlacementSpec {
  id: string;
  /** A kind from the object library. */
  kind: string;
  /** Name of a region in the scene's `regions` where the object's centre is sampled uniformly. */
  region?: string;
  on?: string;
  in?: string;
  /** Yaw range [min, max] in radians, sampled uniformly. */
  yaw: Vec2;
  /** How the layout keeps it clear of what is already placed. Default: its bounding circle clear of other
   *  objects' and of fixtures' footprints and drawer / door swing zones. 'footprint': its shapes' footprint
   *  clear of other objects' shapes and of fixtures' footprints, swing zones allowed (LIBERO lays objects
   *  out close together and where drawers open; imports use it). */
  clearance?: 'footprint';
}

export interface SceneSpec {
  name: string;
  description?: string;
  table: { size: Vec2; center: Vec2; friction: number; color: Rgb };
  /** Initial joint configuration of the arm (7 values); default is the Panda's ready pose. */
  robotInit?: number[];
  regions: Record<string, RegionSpec>;
  fixtures: FixtureSpec[];
  objects: ObjectPlacementSpec[];
}

/** A goal or init formula, written like BDDL: ["And", ["On", "a", "b"], ["Open", "cabinet"]]. */
export type Formula =
  | ['And', ...Formula[]]
  | ['Or', ...Formula[]]
  | ['Not', Formula]
  | Atom;

export type PredicateName =
  | 'On' | 'In' | 'Open' | 'Closed' | 'Grasped' | 'Upright' | 'Near' | 'InRegion' | 'TurnedOn' | 'TurnedOff';

export type Atom = [PredicateName, ...(string | number)[]];

export type TaskType =
  | 'pick_place' | 'put_in' | 'stack' | 'open_drawer' | 'close_drawer'
  | 'open_door' | 'close_door' | 'press_button' | 'turn_knob' | 'push_to_region';

export interface TaskSpec {
  name: string;
  /** Name of the scene the task runs in. */
  scene: string;
  type: TaskType;
  instruction: string;
  paraphrases: string[];
  /** Fixture states at reset, e.g. [["Open", "cabinet"]] or [["TurnedOn", "button"]]. */
  init: Atom[];
  goal: Formula;
  /** Control steps (20 Hz) the policy gets. */
  maxSteps: number;
  /** The objects and fixtures the task names. */
  objectsOfInterest: string[];
}

/** A scene with every random choice made: what the simulator builds. */
export interface ResolvedObject {
  id: string;
  kind: string;
  pos: Vec3;
  quat: Quat;
}

export interface ResolvedScene {
  spec: SceneSpec;
  seed: number;
  objects: ResolvedObject[];
  fixtures: FixtureSpec[];
  /** Initial joint positions by part state key (scenes/fixture-refs.ts: the fixture id for one-part fixtures):
   *  drawer metres, door and knob radians, a push button's on/off as 0/1. */
  fixtureInit: Record<string, number>;
  robotInit: number[];
  /** What the OOD levels decided for this reset (absent in the controlled setting). */
  ood?: import('./ood.ts').OodResolved;
}

/** A chain: N tasks run in one episode without reset; the world task i leaves is where task i+1 starts. */
export interface ChainSpec {
  /** Chain id (letters, digits, "_"). */
  name: string;
  scene: string;
  /** Fixture states at the start of the chain (default: every drawer/door closed, every button off). */
  init: Atom[];
  steps: TaskSpec[];
  /** "libero": the chain is checked with LIBERO's layout rules (an imported BDDL problem). */
  rules?: 'libero';
  /** The scene itself, when the chain file carries it inline (an imported BDDL problem) instead of naming a shipped one. */
  sceneSpec?: SceneSpec;
}
