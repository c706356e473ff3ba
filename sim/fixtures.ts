// Articulated fixtures: a cabinet with a sliding drawer, a microwave with a hinged door, a push button.
// Each is a fixed shell plus one dynamic part on a Rapier impulse joint with limits and damping.
// Geometry is in the fixture frame: origin at the base centre on the table, front facing -x at yaw 0.
import type { FixtureKind, FixtureSpec, Quat, Shape, Vec3 } from '../scenes/types.ts';
import { FIXTURE_FOOTPRINT } from '../scenes/fixtures.ts';
import { RAPIER } from './rapier.ts';
import { colliderDescFor, massesByVolume } from './shapes.ts';
import { quatFromAxisAngle, quatMul, quatRotate } from './kinematics.ts';

type RWorld = InstanceType<typeof RAPIER.World>;
type RBody = InstanceType<typeof RAPIER.RigidBody>;

/** Thresholds for fixture predicates, next to the geometry they refer to. */
export const FIXTURE_TOLERANCES = {
  /** Drawer opening (m) at or above which Open(cabinet) holds; range is 0..drawerTravel. */
  drawerOpen: 0.15,
  /** Drawer opening (m) at or below which Closed(cabinet) holds. */
  drawerClosed: 0.01,
  /** Door angle (rad) at or above which Open(microwave) holds; range is 0..doorMax. */
  doorOpen: 1.2,
  /** Door angle (rad) at or below which Closed(microwave) holds. */
  doorClosed: 0.06,
  /** Button cap travel (m, downwards) that counts as a press; it must come back above `buttonRelease` before the next. */
  buttonPress: 0.006,
  buttonRelease: 0.003,
};

export const CABINET = {
  ...FIXTURE_FOOTPRINT.cabinet, wall: 0.015,
  drawer: { depth: 0.26, width: 0.32, height: 0.10, bottomZ: 0.03, wall: 0.01, mass: 1.0 },
  drawerTravel: 0.2,
  /**
   * Handle: a vertical bar `standoff` in front of the drawer's front face, centred at height `z`,
   * `length` tall, held by one standoff near its bottom, so a top-down hand can pinch its upper end.
   */
  handle: { standoff: 0.045, z: 0.08, length: 0.06, half: 0.007 },
  damping: 8,
};

export const MICROWAVE = {
  ...FIXTURE_FOOTPRINT.microwave, wall: 0.015, floor: 0.03,
  door: { thickness: 0.02, mass: 0.8 },
  doorMax: 1.75,
  /** Vertical handle bar on the door's outside near its free edge: distance from the edge, standoff, centre height, length. */
  handle: { fromEdge: 0.06, standoff: 0.045, z: 0.16, length: 0.09, half: 0.007 },
  damping: 0.6,
};

export const BUTTON = {
  base: { half: [0.04, 0.04, 0.01] as Vec3 },
  cap: { radius: 0.022, halfHeight: 0.0075, mass: 0.02 },
  travel: 0.01,
  stiffness: 800,
  damping: 4,
};

const GREY: [number, number, number] = [0.55, 0.5, 0.45];

/** Snapshot-able state a fixture keeps outside Rapier. */
export interface FixtureState {
  on: boolean;
  latched: boolean;
}

export class Fixture {
  readonly shellHandle: number;
  readonly partHandle: number;
  readonly jointHandle: number;
  /** For the button: on/off state, toggled by each press. */
  on = false;
  private latched = false;
  /** Where the moving part's frame sits, in the fixture frame, at joint position 0. */
  private readonly origin: Vec3;
  private shell!: RBody;
  private part!: RBody;

  constructor(world: RWorld, readonly spec: FixtureSpec, init: number) {
    const frameQ = quatFromAxisAngle([0, 0, 1], spec.yaw) as Quat;
    const base: Vec3 = [spec.pos[0], spec.pos[1], 0];
    const shell = world.createRigidBody(
      RAPIER.RigidBodyDesc.fixed().setTranslation(base[0], base[1], 0).setRotation(xyzw(frameQ)),
    );
    for (const s of shellShapes(spec.kind)) {
      world.createCollider(colliderDescFor(s, { friction: 0.6, restitution: 0 }), shell);
    }
    const part = partGeometry(spec.kind);
    this.origin = part.origin;
    // Where the moving part sits at joint position 0, and how `init` moves it.
    let pos = add(base, quatRotate(frameQ, part.origin) as Vec3);
    let rot = frameQ;
    if (spec.kind === 'cabinet') {
      pos = add(pos, quatRotate(frameQ, [-clamp(init, 0, CABINET.drawerTravel), 0, 0]) as Vec3);
    } else if (spec.kind === 'microwave') {
      rot = quatMul(frameQ, quatFromAxisAngle([0, 0, -1], clamp(init, 0, MICROWAVE.doorMax))) as Quat;
    }
    const body = world.createRigidBody(
      RAPIER.RigidBodyDesc.dynamic().setTranslation(pos[0], pos[1], pos[2]).setRotation(xyzw(rot)),
    );
    const masses = massesByVolume(part.shapes, part.mass);
    part.shapes.forEach((s, i) => {
      world.createCollider(colliderDescFor(s, { friction: 0.8, restitution: 0, mass: masses[i] }), body);
    });
    let data: InstanceType<typeof RAPIER.JointData>;
    let limits: [number, number];
    let damping: number;
    if (spec.kind === 'microwave') {
      data = RAPIER.JointData.revolute(v(part.origin), { x: 0, y: 0, z: 0 }, { x: 0, y: 0, z: -1 });
      limits = [0, MICROWAVE.doorMax];
      damping = MICROWAVE.damping;
    } else {
      const axis = spec.kind === 'cabinet' ? { x: -1, y: 0, z: 0 } : { x: 0, y: 0, z: 1 };
      data = RAPIER.JointData.prismatic(v(part.origin), { x: 0, y: 0, z: 0 }, axis);
      limits = spec.kind === 'cabinet' ? [0, CABINET.drawerTravel] : [-BUTTON.travel, 0];
      damping = spec.kind === 'cabinet' ? CABINET.damping : BUTTON.damping;
    }
    data.limitsEnabled = true;
    data.limits = limits;
    const joint = world.createImpulseJoint(data, shell, body, true) as InstanceType<typeof RAPIER.PrismaticImpulseJoint>;
    joint.setContactsEnabled(false);
    joint.configureMotorModel(RAPIER.MotorModel.ForceBased);
    if (spec.kind === 'button') joint.configureMotorPosition(0, BUTTON.stiffness, BUTTON.damping);
    else joint.configureMotorVelocity(0, damping);
    this.shellHandle = shell.handle;
    this.partHandle = body.handle;
    this.jointHandle = joint.handle;
    if (spec.kind === 'button') this.on = init >= 0.5;
    this.rebind(world);
  }

  get kind(): FixtureKind {
    return this.spec.kind;
  }

  /** Re-fetch Rapier objects by handle (after a world snapshot was restored). */
  rebind(world: RWorld): void {
    this.shell = world.getRigidBody(this.shellHandle);
    this.part = world.getRigidBody(this.partHandle);
  }

  get partBody(): RBody {
    return this.part;
  }

  /**
   * The joint coordinate: drawer opening in metres (0 closed), door angle in radians (0 closed),
   * button cap depression in metres (0 released, positive pressed).
   */
  value(): number {
    const p = this.part.translation();
    const q = this.shell.rotation();
    const inv: Quat = [-q.x, -q.y, -q.z, q.w];
    const s = this.shell.translation();
    const local = quatRotate(inv, [p.x - s.x, p.y - s.y, p.z - s.z]);
    const origin = this.origin;
    switch (this.spec.kind) {
      case 'cabinet':
        return origin[0] - local[0];
      case 'button':
        return origin[2] - local[2];
      case 'microwave': {
        const r = this.part.rotation();
        const rel = quatMul(inv, [r.x, r.y, r.z, r.w]);
        // Rotation about -z: angle from the rotated +x axis.
        const x = quatRotate(rel, [1, 0, 0]);
        return -Math.atan2(x[1], x[0]);
      }
    }
  }

  /** Update latched state after a physics step (the button toggles once per press). */
  postPhysicsStep(): void {
    if (this.spec.kind !== 'button') return;
    const depth = this.value();
    if (!this.latched && depth >= FIXTURE_TOLERANCES.buttonPress) {
      this.on = !this.on;
      this.latched = true;
    } else if (this.latched && depth <= FIXTURE_TOLERANCES.buttonRelease) {
      this.latched = false;
    }
  }

  isOpen(): boolean {
    if (this.spec.kind === 'cabinet') return this.value() >= FIXTURE_TOLERANCES.drawerOpen;
    if (this.spec.kind === 'microwave') return this.value() >= FIXTURE_TOLERANCES.doorOpen;
    return false;
  }

  isClosed(): boolean {
    if (this.spec.kind === 'cabinet') return this.value() <= FIXTURE_TOLERANCES.drawerClosed;
    if (this.spec.kind === 'microwave') return this.value() <= FIXTURE_TOLERANCES.doorClosed;
    return false;
  }

  /** World pose of the moving part's frame. */
  partPose(): { pos: Vec3; quat: Quat } {
    const p = this.part.translation();
    const r = this.part.rotation();
    return { pos: [p.x, p.y, p.z], quat: [r.x, r.y, r.z, r.w] };
  }

  /** World position of a point given in the moving part's frame. */
  partPoint(local: Vec3): Vec3 {
    const { pos, quat } = this.partPose();
    return add(pos, quatRotate(quat, local) as Vec3);
  }

  saveState(): FixtureState {
    return { on: this.on, latched: this.latched };
  }

  loadState(s: FixtureState): void {
    this.on = s.on;
    this.latched = s.latched;
  }
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}
function add(a: Vec3, b: ArrayLike<number>): Vec3 {
  return [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
}
function v(p: Vec3) {
  return { x: p[0], y: p[1], z: p[2] };
}
function xyzw(q: Quat) {
  return { x: q[0], y: q[1], z: q[2], w: q[3] };
}
function box(half: Vec3, pos: Vec3, color: [number, number, number] = GREY): Shape {
  return { type: 'box', halfExtents: half, pos, color };
}

/** A vertical bar centred at `c` and a standoff from its lower part back (+x) to the panel. */
function handleShapes(c: Vec3, standoff: number, length: number, half: number, color: [number, number, number]): Shape[] {
  const zs = c[2] - length / 2 + 0.012;
  return [
    box([half, half, length / 2], c, color),
    box([standoff / 2, 0.006, 0.006], [c[0] + standoff / 2, c[1], zs], color),
  ];
}

/** The fixed part of each fixture, in the fixture frame. */
export function shellShapes(kind: FixtureKind): Shape[] {
  if (kind === 'cabinet') {
    const { depth: D, width: W, height: H, wall: t, drawer } = CABINET;
    const shelfZ = drawer.bottomZ + drawer.height + 0.01;
    return [
      box([D / 2, W / 2, drawer.bottomZ / 2 - 0.0025], [0, 0, drawer.bottomZ / 2 - 0.0025]),
      box([D / 2, W / 2, t / 2], [0, 0, H - t / 2]),
      box([D / 2, t / 2, H / 2], [0, W / 2 - t / 2, H / 2]),
      box([D / 2, t / 2, H / 2], [0, -W / 2 + t / 2, H / 2]),
      box([t / 2, W / 2, H / 2], [D / 2 - t / 2, 0, H / 2]),
      box([D / 2, W / 2, t / 2], [0, 0, shelfZ + t / 2]),
      box([t / 2, W / 2, (H - shelfZ) / 2], [-D / 2 + t / 2, 0, (H + shelfZ) / 2]),
    ];
  }
  if (kind === 'microwave') {
    const { depth: D, width: W, height: H, wall: t, floor } = MICROWAVE;
    return [
      box([D / 2, W / 2, floor / 2], [0, 0, floor / 2]),
      box([D / 2, W / 2, t / 2], [0, 0, H - t / 2]),
      box([D / 2, t / 2, H / 2], [0, W / 2 - t / 2, H / 2]),
      box([D / 2, t / 2, H / 2], [0, -W / 2 + t / 2, H / 2]),
      box([t / 2, W / 2, H / 2], [D / 2 - t / 2, 0, H / 2]),
    ];
  }
  return [box(BUTTON.base.half, [0, 0, BUTTON.base.half[2]])];
}

/** The moving part of each fixture: its frame origin in the fixture frame (at joint 0), shapes, mass. */
export function partGeometry(kind: FixtureKind): { origin: Vec3; shapes: Shape[]; mass: number } {
  if (kind === 'cabinet') {
    const { depth: D, drawer: d, handle: h } = CABINET;
    const hz = d.height / 2;
    const front = -d.depth / 2;
    const wood: [number, number, number] = [0.6, 0.42, 0.25];
    return {
      origin: [-D / 2 + d.depth / 2 + 0.0, 0, d.bottomZ + hz],
      mass: d.mass,
      shapes: [
        box([d.depth / 2, d.width / 2, d.wall / 2], [0, 0, -hz + d.wall / 2], wood),
        box([d.depth / 2, d.wall / 2, hz], [0, d.width / 2 - d.wall / 2, 0], wood),
        box([d.depth / 2, d.wall / 2, hz], [0, -d.width / 2 + d.wall / 2, 0], wood),
        box([d.wall / 2, d.width / 2, hz], [d.depth / 2 - d.wall / 2, 0, 0], wood),
        // Front panel, flush with the cabinet front when closed, a little wider than the drawer box.
        box([0.0075, d.width / 2 + 0.008, hz + 0.006], [front + 0.0075, 0, 0], wood),
        // Vertical handle bar and the standoff holding it near its bottom.
        ...handleShapes([front - h.standoff, 0, h.z - (d.bottomZ + hz)], h.standoff, h.length, h.half, [0.2, 0.2, 0.2]),
      ],
    };
  }
  if (kind === 'microwave') {
    const { depth: D, width: W, height: H, door, handle: h } = MICROWAVE;
    const t = door.thickness;
    // Door frame: origin on the hinge line (front-left corner seen from the robot), the panel extends to -y.
    const free = -W;
    return {
      origin: [-D / 2, W / 2, 0],
      mass: door.mass,
      shapes: [
        box([t / 2, W / 2, (H - 0.005) / 2], [-t / 2, -W / 2, (H - 0.005) / 2], [0.15, 0.15, 0.18]),
        ...handleShapes([-t - h.standoff, free + h.fromEdge, h.z], h.standoff, h.length, h.half, [0.75, 0.75, 0.78]),
      ],
    };
  }
  const c = BUTTON.cap;
  return {
    origin: [0, 0, BUTTON.base.half[2] * 2 + c.halfHeight],
    mass: c.mass,
    shapes: [{ type: 'cylinder', radius: c.radius, halfHeight: c.halfHeight, color: [0.85, 0.1, 0.1] }],
  };
}
