// The typed, read-only window on simulator state that the scripted expert uses (and nothing else
// among the policies). Learned and remote policies get observations only.
import type { PartRole } from '../scenes/fixture-defs.ts';
import type { FixtureKind, Formula, ObjectKind, Quat, RegionSpec, ResolvedScene, TaskSpec, Vec3 } from '../scenes/types.ts';
import type { Pose } from './kinematics.ts';

export interface ObjectState {
  id: string;
  kind: ObjectKind;
  /** Frame origin (bottom centre) and orientation. */
  pos: Vec3;
  quat: Quat;
  linvel: Vec3;
}

/**
 * A fixture as an atom argument names it (scenes/fixture-refs.ts): the part it acts on (a drawer, door,
 * button or knob) and the region it names (a drawer's interior, a top, a compartment), if any.
 */
export interface FixtureStateView {
  /** The fixture's id (the reference may name one of its regions or parts). */
  id: string;
  kind: FixtureKind;
  /** Fixture base position on the table and yaw (front faces -x rotated by yaw). */
  pos: [number, number];
  yaw: number;
  /** What the part is; absent when the reference names no moving part (a shelf, a compartment). */
  role?: PartRole;
  /** Joint coordinate of the part: drawer opening (m), door or knob angle (rad), button depression (m); 0 without a part. */
  value: number;
  /** Joint range [rest, fully open / pressed / turned]. */
  range: [number, number];
  on: boolean;
  open: boolean;
  closed: boolean;
  /** The moving part's frame now (the fixture's frame without a part). */
  part: Pose;
  /**
   * Vertical handle bar (drawers, doors): its centre and top end, the horizontal unit vector along
   * the panel's width (`across`) and the unit normal pointing away from the panel (`outward`).
   */
  handle?: { center: Vec3; top: Vec3; across: Vec3; outward: Vec3 };
  /** Doors: the hinge line's point at the table and the door panel's width. */
  hinge?: { point: Vec3; doorWidth: number; doorThickness: number };
  /** Buttons: centre of the cap's top face. */
  capTop?: Vec3;
  /** Knobs: centre of the top of the ridge the fingers pinch, and the ridge's horizontal direction now. */
  knob?: { top: Vec3; along: Vec3 };
  /** The region the reference names: its frame now, volume (in that frame) and how things go in. */
  region?: {
    name: string;
    type: 'interior' | 'surface';
    frame: Pose;
    center: Vec3;
    halfExtents: Vec3;
    /** Where things are set down, in the region's frame. */
    placeAt: Vec3;
    itemMaxHeight?: number;
    /** A hand from above cannot reach in (a shelf layer, a microwave). */
    closedAbove: boolean;
  };
}

export interface PrivilegedState {
  readonly scene: ResolvedScene;
  readonly task: TaskSpec | null;
  tcp(): Pose;
  joints(): number[];
  gripperWidth(): number;
  objectIds(): string[];
  object(id: string): ObjectState;
  fixture(id: string): FixtureStateView;
  region(name: string): RegionSpec;
  /** Names of what touches the object (object and fixture ids, "table", "finger_left"...). */
  contacts(id: string): Set<string>;
  holds(f: Formula): boolean;
}
