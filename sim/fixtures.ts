// Articulated fixtures, built from their definitions (scenes/fixture-defs.ts): a fixed shell plus one
// dynamic body per moving part (drawer, door, button cap, knob) on a Rapier impulse joint with limits
// and damping. Each part reads its joint value, its open/closed state and its switch state the way
// its definition says; nothing here depends on the kind's name.
import type { FixtureKind, FixtureSpec, Quat, Vec3 } from '../scenes/types.ts';
import { FIXTURE_DEFS, isOpenable, type FixtureDef, type FixtureRegionDef, type PartDef } from '../scenes/fixture-defs.ts';
import { partKey } from '../scenes/fixture-refs.ts';
import { RAPIER } from './rapier.ts';
import { colliderDescFor, massesByVolume } from './shapes.ts';
import { quatFromAxisAngle, quatMul, quatRotate } from './kinematics.ts';

type RWorld = InstanceType<typeof RAPIER.World>;
type RBody = InstanceType<typeof RAPIER.RigidBody>;

/** Snapshot-able state a part keeps outside Rapier (a push button's on/off and press latch). */
export interface PartSwitchState {
  on: boolean;
  latched: boolean;
}
/** Per fixture: each part's switch state, by part name. */
export type FixtureSnapshot = Record<string, PartSwitchState>;

/** One moving part of a fixture. */
export class FixturePart {
  readonly bodyHandle: number;
  readonly jointHandle: number;
  /** State key (scenes/fixture-refs.ts): the fixture id for one-part fixtures. */
  readonly key: string;
  /** A toggle switch's state; for a level switch (knob) see `on`. */
  private toggled = false;
  private latched = false;
  private body!: RBody;

  constructor(world: RWorld, readonly fixture: Fixture, readonly def: PartDef, shell: RBody, init: number) {
    this.key = partKey(fixture.spec.id, fixture.def, def.name);
    const initValue = def.switch?.mode === 'toggle' ? 0 : clamp(init, def.range[0], def.range[1]);
    const { pos, rot } = partPose(fixture, def, initValue);
    const body = world.createRigidBody(
      RAPIER.RigidBodyDesc.dynamic().setTranslation(pos[0], pos[1], pos[2]).setRotation(xyzw(rot)),
    );
    const masses = massesByVolume(def.shapes, def.mass);
    def.shapes.forEach((s, i) => {
      world.createCollider(colliderDescFor(s, { friction: 0.8, restitution: 0, mass: masses[i] }), body);
    });
    const axis = { x: def.axis[0], y: def.axis[1], z: def.axis[2] };
    const data = def.joint === 'hinge'
      ? RAPIER.JointData.revolute(v(def.origin), { x: 0, y: 0, z: 0 }, axis)
      : RAPIER.JointData.prismatic(v(def.origin), { x: 0, y: 0, z: 0 }, axis);
    data.limitsEnabled = true;
    data.limits = [def.range[0], def.range[1]];
    const joint = world.createImpulseJoint(data, shell, body, true) as InstanceType<typeof RAPIER.PrismaticImpulseJoint>;
    joint.setContactsEnabled(false);
    joint.configureMotorModel(RAPIER.MotorModel.ForceBased);
    if (def.spring) joint.configureMotorPosition(0, def.spring.stiffness, def.spring.damping);
    else joint.configureMotorVelocity(0, def.damping);
    this.bodyHandle = body.handle;
    this.jointHandle = joint.handle;
    if (def.switch?.mode === 'toggle') this.toggled = init >= 0.5;
    this.rebind(world);
  }

  get name(): string {
    return this.def.name;
  }

  rebind(world: RWorld): void {
    this.body = world.getRigidBody(this.bodyHandle);
  }

  get rigidBody(): RBody {
    return this.body;
  }

  /** Put the part at joint value `value` at once (a replay of a recorded frame; nothing is simulated). */
  placeAt(value: number): void {
    const { pos, rot } = partPose(this.fixture, this.def, value);
    this.body.setTranslation({ x: pos[0], y: pos[1], z: pos[2] }, false);
    this.body.setRotation(xyzw(rot), false);
  }

  /** The joint coordinate: slide metres along the axis, hinge radians about it (0 = at rest, closed, off). */
  value(): number {
    const shell = this.fixture.shellBody;
    const q = shell.rotation();
    const inv: Quat = [-q.x, -q.y, -q.z, q.w];
    if (this.def.joint === 'slide') {
      const p = this.body.translation();
      const s = shell.translation();
      const local = quatRotate(inv, [p.x - s.x, p.y - s.y, p.z - s.z]);
      const o = this.def.origin, a = this.def.axis;
      return (local[0] - o[0]) * a[0] + (local[1] - o[1]) * a[1] + (local[2] - o[2]) * a[2];
    }
    const r = this.body.rotation();
    const rel = quatMul(inv, [r.x, r.y, r.z, r.w]);
    const a = this.def.axis;
    return 2 * Math.atan2(rel[0] * a[0] + rel[1] * a[1] + rel[2] * a[2], rel[3]);
  }

  /** A toggle switch flips once per press (called after each physics step). */
  postPhysicsStep(): void {
    const sw = this.def.switch;
    if (sw?.mode !== 'toggle') return;
    const depth = this.value();
    if (!this.latched && depth >= sw.press) {
      this.toggled = !this.toggled;
      this.latched = true;
    } else if (this.latched && depth <= sw.release) {
      this.latched = false;
    }
  }

  get on(): boolean {
    const sw = this.def.switch;
    if (!sw) return false;
    return sw.mode === 'toggle' ? this.toggled : this.value() >= sw.onAt;
  }

  isOpen(): boolean {
    return isOpenable(this.def) && this.value() >= this.def.openAt!;
  }

  isClosed(): boolean {
    return isOpenable(this.def) && this.value() <= this.def.closedAt!;
  }

  /** World pose of the part's frame. */
  pose(): { pos: Vec3; quat: Quat } {
    const p = this.body.translation();
    const r = this.body.rotation();
    return { pos: [p.x, p.y, p.z], quat: [r.x, r.y, r.z, r.w] };
  }

  /** World position of a point given in the part's frame. */
  point(local: Vec3): Vec3 {
    const { pos, quat } = this.pose();
    return add(pos, quatRotate(quat, local) as Vec3);
  }

  saveState(): PartSwitchState {
    return { on: this.toggled, latched: this.latched };
  }

  loadState(s: PartSwitchState): void {
    this.toggled = s.on;
    this.latched = s.latched;
  }
}

/** Where a part's body sits at joint value `value`: its frame at 0, slid along or turned about its axis. */
function partPose(fixture: Fixture, def: PartDef, value: number): { pos: Vec3; rot: Quat } {
  const frameQ = fixture.frameQuat;
  const pos = add(fixture.base, quatRotate(frameQ, def.origin) as Vec3);
  if (def.joint === 'slide') return { pos: add(pos, quatRotate(frameQ, scale(def.axis, value)) as Vec3), rot: frameQ };
  return { pos, rot: quatMul(frameQ, quatFromAxisAngle(def.axis, value)) as Quat };
}

export class Fixture {
  readonly shellHandle: number;
  readonly def: FixtureDef;
  readonly parts: FixturePart[] = [];
  readonly frameQuat: Quat;
  readonly base: Vec3;
  private shell!: RBody;

  /** `init`: joint values by part state key (ResolvedScene.fixtureInit); missing parts start at rest. */
  constructor(world: RWorld, readonly spec: FixtureSpec, init: Record<string, number>) {
    this.def = FIXTURE_DEFS[spec.kind];
    if (!this.def) throw new Error(`fixture "${spec.id}": unknown kind "${spec.kind}"`);
    this.frameQuat = quatFromAxisAngle([0, 0, 1], spec.yaw) as Quat;
    this.base = [spec.pos[0], spec.pos[1], 0];
    const shell = world.createRigidBody(
      RAPIER.RigidBodyDesc.fixed().setTranslation(this.base[0], this.base[1], 0).setRotation(xyzw(this.frameQuat)),
    );
    for (const s of this.def.shell) world.createCollider(colliderDescFor(s, { friction: 0.6, restitution: 0 }), shell);
    this.shellHandle = shell.handle;
    this.shell = shell;
    for (const p of this.def.parts) {
      this.parts.push(new FixturePart(world, this, p, shell, init[partKey(spec.id, this.def, p.name)] ?? p.range[0]));
    }
    this.rebind(world);
  }

  get kind(): FixtureKind {
    return this.spec.kind;
  }

  get shellBody(): RBody {
    return this.shell;
  }

  /** Re-fetch Rapier objects by handle (after a world snapshot was restored). */
  rebind(world: RWorld): void {
    this.shell = world.getRigidBody(this.shellHandle);
    for (const p of this.parts) p.rebind(world);
  }

  part(name: string): FixturePart {
    const p = this.parts.find((x) => x.name === name);
    if (!p) throw new Error(`fixture "${this.spec.id}" (${this.kind}) has no part "${name}"`);
    return p;
  }

  /** The part a bare fixture id names (its only or default part), if it has one. */
  get defaultPart(): FixturePart | undefined {
    return this.parts.find((p) => p.name === this.def.defaultPart) ?? this.parts[0];
  }

  postPhysicsStep(): void {
    for (const p of this.parts) p.postPhysicsStep();
  }

  private get main(): FixturePart {
    const p = this.defaultPart;
    if (!p) throw new Error(`fixture "${this.spec.id}" (${this.kind}) has no moving part`);
    return p;
  }

  /** The default part's joint value (see FixturePart.value). */
  value(): number {
    return this.main.value();
  }

  /** The default part's state. */
  isOpen(): boolean {
    return this.main.isOpen();
  }

  isClosed(): boolean {
    return this.main.isClosed();
  }

  get on(): boolean {
    return this.main.on;
  }

  /** World pose of the fixture's frame (its shell). */
  frame(): { pos: Vec3; quat: Quat } {
    const s = this.shell.translation();
    const r = this.shell.rotation();
    return { pos: [s.x, s.y, s.z], quat: [r.x, r.y, r.z, r.w] };
  }

  /** World pose of a region's frame (its part's frame, or the fixture's). */
  regionFrame(region: Pick<FixtureRegionDef, 'part'>): { pos: Vec3; quat: Quat } {
    return region.part ? this.part(region.part).pose() : this.frame();
  }

  saveState(): FixtureSnapshot {
    return Object.fromEntries(this.parts.map((p) => [p.name, p.saveState()]));
  }

  loadState(s: FixtureSnapshot): void {
    for (const p of this.parts) if (s[p.name]) p.loadState(s[p.name]);
  }
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}
function add(a: Vec3, b: ArrayLike<number>): Vec3 {
  return [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
}
function scale(a: Vec3, k: number): Vec3 {
  return [a[0] * k, a[1] * k, a[2] * k];
}
function v(p: Vec3) {
  return { x: p[0], y: p[1], z: p[2] };
}
function xyzw(q: Quat) {
  return { x: q[0], y: q[1], z: q[2], w: q[3] };
}
