// The typed, read-only window on simulator state that the scripted expert uses (and nothing else
// among the policies). Learned and remote policies get observations only.
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

export interface FixtureStateView {
  id: string;
  kind: FixtureKind;
  /** Fixture base position on the table and yaw (front faces -x rotated by yaw). */
  pos: [number, number];
  yaw: number;
  /** Joint coordinate: drawer opening (m), door angle (rad), button depression (m). */
  value: number;
  /** Joint range [closed, fully open / pressed]. */
  range: [number, number];
  on: boolean;
  open: boolean;
  closed: boolean;
  /** The moving part's frame now. */
  part: Pose;
  /**
   * Vertical handle bar (cabinet, microwave): its centre and top end, the horizontal unit vector along
   * the panel's width (`across`) and the unit normal pointing away from the panel (`outward`).
   */
  handle?: { center: Vec3; top: Vec3; across: Vec3; outward: Vec3 };
  /** Microwave: the hinge line's point at the table and the door panel's width. */
  hinge?: { point: Vec3; doorWidth: number; doorThickness: number };
  /** Button: centre of the cap's top face. */
  capTop?: Vec3;
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
