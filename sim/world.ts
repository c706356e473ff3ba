// The physics world of one episode: table, floor, objects, fixtures and the robot, built from a
// resolved scene, stepped at a fixed physics rate under the control rate, snapshot-able, and freed.
import type { Quat, ResolvedScene, Shape, Vec3 } from '../scenes/types.ts';
import { getObjectKind } from '../scenes/objects.ts';
import { RAPIER, initRapier } from './rapier.ts';
import { colliderDescFor, massesByVolume, ShapeCache } from './shapes.ts';
import { Fixture, type FixtureSnapshot } from './fixtures.ts';
import { FINGER_EXTRA_SOLVER_ITERATIONS, Robot, type RobotState } from './robot.ts';
import { ArmLimiter, boundingRadius } from './arm-limiter.ts';
import { ContactPairs } from './contact-pairs.ts';
import { quatRotate } from './kinematics.ts';

type RWorld = InstanceType<typeof RAPIER.World>;
type RBody = InstanceType<typeof RAPIER.RigidBody>;
type RCollider = InstanceType<typeof RAPIER.Collider>;

const deepestFirst = (a: Penetration, b: Penetration): number => b.depth - a.depth;

export const CONTROL_HZ = 20;
export const PHYSICS_HZ = 240;
/** Table slab thickness below its top (z = 0), and the floor height. */
export const TABLE_THICKNESS = 0.05;
export const FLOOR_Z = -0.8;
/** Arm penetration deeper than this (metres) into anything but the robot is reported as a collision. */
export const PENETRATION_TOLERANCE = 0.005;
/** Two shapes closer than this (m) touch (contactsOf, graspedObjects): Rapier's contacts are soft and its poses single precision. */
export const TOUCH_GAP = 0.002;
/**
 * Rapier solver iterations per physics step for the whole world (Rapier's default). Steps within 0.5 s
 * of one in which a finger felt a contact force get FINGER_EXTRA_SOLVER_ITERATIONS more: with 4 or 6 in all
 * a pinched 0.3 kg can creeps 8-12 mm in 5 s; with 8 it stays within 1 mm. 8 all the time would cost
 * 1.6x the step time.
 */
export const SOLVER_ITERATIONS = 4;
/** Contact natural frequency (Hz): stiff enough that a 40 N grasp sinks ~1 mm into the object. */
export const CONTACT_FREQUENCY = 200;

export interface WorldOptions {
  /**
   * Rebuild Rapier's broad phase from the serialized world at every control step from the start (default
   * false: from the first snapshot or restore on, which changes the last bits of what follows compared
   * with taking none). true makes taking a snapshot change nothing, for 0.2-0.4 ms per control step.
   */
  exactSnapshots?: boolean;
  /** Physics steps per control step (default 12: 240 Hz under 20 Hz control). */
  substeps?: number;
  /** Allow resting objects to sleep (default true; the arm wakes what it touches). */
  sleep?: boolean;
  /** Rapier solver iterations (default SOLVER_ITERATIONS). */
  solverIterations?: number;
  /** Contact stiffness as a natural frequency in Hz (default CONTACT_FREQUENCY). */
  contactFrequency?: number;
  /**
   * Torque-limit the arm (default true): it stalls against contact beyond the Panda's joint torque
   * limits and does not drive its links into fixed geometry (sim/arm-limiter.ts). false gives the
   * unstoppable kinematic arm of earlier versions, for comparison only.
   */
  forceLimit?: boolean;
}

export interface Penetration {
  /** Robot part ("link4", "hand", "finger_left"...). */
  part: string;
  /** What it went into: "table", "floor", an object id or a fixture id. */
  other: string;
  depth: number;
}

export interface WorldSnapshot {
  /** Rapier's serialized world: the bytes the live broad phase was rebuilt from (see canonicalize). */
  rapier: Uint8Array;
  robot: RobotState;
  fixtures: Record<string, FixtureSnapshot>;
  physicsSteps: number;
  /** The world it was taken in: scene, layout seed, objects (restore refuses a snapshot of another). */
  origin: string;
}

export interface SimObject {
  id: string;
  kind: string;
  handle: number;
}

export class SimWorld {
  world: RWorld;
  readonly robot: Robot;
  readonly objects = new Map<string, SimObject>();
  readonly fixtures = new Map<string, Fixture>();
  readonly substeps: number;
  readonly dt: number;
  /** Physics steps taken since the world was built. */
  physicsSteps = 0;
  /** Solver iterations of a step in which no finger touches anything. */
  private readonly solverIterations: number;
  /** The solver iterations last given to Rapier (-1 after a restore: the snapshot's world says). */
  private iterationsSet: number;
  /** Collider handle -> owner name (object id, fixture id, "table", "floor"); robot parts excluded. */
  private readonly ownerByCollider = new Map<number, string>();
  private bodies: Map<string, RBody> = new Map();

  private constructor(readonly scene: ResolvedScene, opts: WorldOptions) {
    this.substeps = opts.substeps ?? PHYSICS_HZ / CONTROL_HZ;
    this.exact = opts.exactSnapshots ?? false;
    this.dt = 1 / (CONTROL_HZ * this.substeps);
    const world = new RAPIER.World({ x: 0, y: 0, z: -9.81 });
    world.timestep = this.dt;
    this.solverIterations = opts.solverIterations ?? SOLVER_ITERATIONS;
    world.numSolverIterations = this.iterationsSet = this.solverIterations;
    // Rapier's contacts are springs tuned by a natural frequency relative to the bodies' masses; at
    // the default 30 Hz a 40 N finger squeeze sinks light fingers centimetres into what they hold.
    world.integrationParameters.contact_natural_frequency = opts.contactFrequency ?? CONTACT_FREQUENCY;
    this.world = world;
    const sleep = opts.sleep ?? true;

    const t = scene.spec.table;
    const table = world.createRigidBody(RAPIER.RigidBodyDesc.fixed());
    this.own(world.createCollider(colliderDescFor(
      { type: 'box', halfExtents: [t.size[0] / 2, t.size[1] / 2, TABLE_THICKNESS / 2], pos: [t.center[0], t.center[1], -TABLE_THICKNESS / 2] },
      { friction: t.friction * (scene.ood?.physics?.table ?? 1), restitution: 0 },
    ), table), 'table');
    this.own(world.createCollider(colliderDescFor(
      { type: 'box', halfExtents: [5, 5, 0.05], pos: [0, 0, FLOOR_Z - 0.05] }, { friction: 0.8, restitution: 0 },
    ), table), 'floor');

    for (const f of scene.fixtures) {
      const fx = new Fixture(world, f, scene.fixtureInit);
      this.fixtures.set(f.id, fx);
      for (const h of [fx.shellHandle, ...fx.parts.map((p) => p.bodyHandle)]) {
        const b = world.getRigidBody(h);
        for (let i = 0; i < b.numColliders(); i++) this.own(b.collider(i), f.id);
      }
    }

    for (const o of scene.objects) {
      const kind = getObjectKind(o.kind);
      // The physics OOD axis scales each object's contact and mass properties (1 = as in the library).
      const m = scene.ood?.physics?.objects[o.id] ?? { friction: 1, mass: 1, restitution: 0, damping: 1 };
      const body = world.createRigidBody(
        RAPIER.RigidBodyDesc.dynamic()
          .setTranslation(o.pos[0], o.pos[1], o.pos[2])
          .setRotation({ x: o.quat[0], y: o.quat[1], z: o.quat[2], w: o.quat[3] })
          .setCanSleep(sleep)
          .setLinearDamping(0.05 * m.damping)
          .setAngularDamping(0.1 * m.damping),
      );
      const masses = massesByVolume(kind.shapes, kind.mass * m.mass);
      kind.shapes.forEach((s: Shape, i: number) => {
        this.own(world.createCollider(
          colliderDescFor(s, { friction: kind.friction * m.friction, restitution: Math.min(1, kind.restitution + m.restitution), mass: masses[i] }), body,
        ), o.id);
      });
      this.objects.set(o.id, { id: o.id, kind: o.kind, handle: body.handle });
      this.bodies.set(o.id, body);
    }

    this.robot = new Robot(world, scene.robotInit, { substeps: this.substeps, dt: this.dt });
    this.collectFixedBounds();
    if (opts.forceLimit ?? true) {
      const self = this;
      this.robot.limiter = new ArmLimiter({
        get world() { return self.world; },
        dt: this.dt,
        armColliders: () => this.robot.armColliders(),
        touching: () => this.robot.touching,
        objectOf: (h) => {
          const owner = this.ownerByCollider.get(h);
          return owner !== undefined && this.objects.has(owner) ? owner : undefined;
        },
        objectColliders: (id) => {
          const b = this.body(id);
          const out: RCollider[] = [];
          for (let i = 0; i < b.numColliders(); i++) out.push(b.collider(i));
          return out;
        },
        isRobotCollider: (h) => this.robot.partByCollider.has(h),
        fixedBounds: () => this.fixedBounds,
      });
    }
  }

  /** World boxes of the fixed colliders (table, floor, fixture shells), for the arm limiter's first test. */
  private readonly fixedBounds: { min: Vec3; max: Vec3 }[] = [];
  private readonly events = new RAPIER.EventQueue(true);

  private collectFixedBounds(): void {
    this.world.forEachCollider((c: RCollider) => {
      const b = c.parent();
      if (!b || !b.isFixed() || this.robot?.partByCollider.has(c.handle)) return;
      const p = c.translation();
      const shape = c.shape as unknown as { halfExtents?: { x: number; y: number; z: number } };
      let e: Vec3;
      if (shape.halfExtents) {
        // A box's world extent along each axis: sum over its axes of |R_ij| h_j.
        const q = c.rotation();
        const h = [shape.halfExtents.x, shape.halfExtents.y, shape.halfExtents.z];
        const ax = [quatRotate([q.x, q.y, q.z, q.w], [1, 0, 0]), quatRotate([q.x, q.y, q.z, q.w], [0, 1, 0]), quatRotate([q.x, q.y, q.z, q.w], [0, 0, 1])];
        e = [0, 0, 0];
        for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) e[i] += Math.abs(ax[j][i]) * h[j];
      } else {
        const r = boundingRadius(c.shape);
        e = [r, r, r];
      }
      this.fixedBounds.push({ min: [p.x - e[0], p.y - e[1], p.z - e[2]], max: [p.x + e[0], p.y + e[1], p.z + e[2]] });
    });
  }

  /** Build the world of a resolved scene (loads Rapier's WASM on first use). */
  static async create(scene: ResolvedScene, opts: WorldOptions = {}): Promise<SimWorld> {
    await initRapier();
    return new SimWorld(scene, opts);
  }

  private own(c: RCollider, owner: string): void {
    this.ownerByCollider.set(c.handle, owner);
  }

  /** Name of what a collider belongs to (object or fixture id, "table", "floor", or a robot part). */
  ownerOf(colliderHandle: number): string | undefined {
    return this.ownerByCollider.get(colliderHandle) ?? this.robot.partByCollider.get(colliderHandle);
  }

  body(objectId: string): RBody {
    const b = this.bodies.get(objectId);
    if (!b) throw new Error(`unknown object "${objectId}"; objects in this scene: ${[...this.objects.keys()].join(', ')}`);
    return b;
  }

  /** One physics step. */
  physicsStep(): void {
    this.robot.prePhysicsStep();
    const iterations = this.solverIterations + (this.robot.extraIterationSteps > 0 ? FINGER_EXTRA_SOLVER_ITERATIONS : 0);
    if (this.iterationsSet !== iterations) this.world.numSolverIterations = this.iterationsSet = iterations;
    this.world.step(this.events);
    // Which arm colliders felt a contact force (the limiter reads only those next substep).
    const touching = this.robot.touching;
    touching.clear();
    const parts = this.robot.partByCollider;
    this.events.drainContactForceEvents((e: InstanceType<typeof RAPIER.TempContactForceEvent>) => {
      const h1 = e.collider1(), h2 = e.collider2();
      if (parts.has(h1) && !parts.has(h2)) touching.add(h1);
      else if (parts.has(h2) && !parts.has(h1)) touching.add(h2);
    });
    this.robot.updateExtraIterations();
    for (const f of this.fixtures.values()) f.postPhysicsStep();
    this.physicsSteps++;
  }

  /** One control step's worth of physics steps. */
  controlStep(): void {
    if (this.exact) this.canonicalize();
    for (let i = 0; i < this.substeps; i++) this.physicsStep();
    if (this.exact) this.canonicalize();
  }

  objectPose(id: string): { pos: Vec3; quat: Quat } {
    const b = this.body(id);
    const p = b.translation();
    const r = b.rotation();
    return { pos: [p.x, p.y, p.z], quat: [r.x, r.y, r.z, r.w] };
  }

  /** Ids of whatever touches the given object (objects, fixtures, "table", robot parts). */
  contactsOf(objectId: string): Set<string> {
    const out = new Set<string>();
    const b = this.body(objectId);
    for (let i = 0; i < b.numColliders(); i++) {
      const c = b.collider(i);
      for (const other of this.pairs.of(this.world, c)) {
        if (this.touches(c, other)) {
          const name = this.ownerOf(other.handle);
          if (name && name !== objectId) out.add(name);
        }
      }
    }
    return out;
  }

  /**
   * Objects both finger pads touch now (what `Grasped` holds for), found from the two fingers' own
   * contacts rather than by asking every object: two queries however cluttered the table is.
   */
  graspedObjects(): Set<string> {
    const touched = { finger_left: new Set<string>(), finger_right: new Set<string>() };
    for (const c of this.robot.colliders) {
      const part = this.robot.partByCollider.get(c.handle);
      if (part !== 'finger_left' && part !== 'finger_right') continue;
      for (const other of this.pairs.of(this.world, c)) {
        const owner = this.ownerByCollider.get(other.handle);
        if (!owner || !this.objects.has(owner)) continue;
        if (this.touches(c, other)) touched[part].add(owner);
      }
    }
    return new Set([...touched.finger_left].filter((id) => touched.finger_right.has(id)));
  }

  /**
   * Robot parts pressed deeper than PENETRATION_TOLERANCE into anything else, deepest first. A pair
   * whose contact manifold reports more is measured again exactly, shape against shape at their poses
   * now (`exactDepth`), and that depth is the one reported.
   */
  penetrations(tolerance = PENETRATION_TOLERANCE): Penetration[] {
    const found = new Map<string, Penetration>();
    for (const c of this.robot.colliders) {
      const part = this.robot.partByCollider.get(c.handle)!;
      for (const other of this.pairs.of(this.world, c)) {
        const owner = this.ownerByCollider.get(other.handle);
        if (!owner) continue;
        if (this.deepest(c, other) <= tolerance) continue;
        const depth = this.exactDepth(c, other);
        if (depth > tolerance) {
          const key = `${part}|${owner}`;
          const prev = found.get(key);
          if (!prev || prev.depth < depth) found.set(key, { part, other: owner, depth });
        }
      }
    }
    return [...found.values()].sort(deepestFirst);
  }

  // Rapier's contact callbacks made once per world, not per query (sim/contact-pairs.ts says why).
  private readonly pairs = new ContactPairs();
  private pairDepth = 0;
  private readonly deepenBy = (m: InstanceType<typeof RAPIER.TempContactManifold>): void => {
    for (let k = 0; k < m.numContacts(); k++) this.pairDepth = Math.max(this.pairDepth, -m.contactDist(k));
  };
  /**
   * How deep (m) `c` and `other` overlap now, from their shapes and poses alone (0 when apart). Rapier
   * carries a contact manifold from step to step with the bodies and only measures it again now and
   * then: a contact point that slides off the face it was found on goes on measuring depth along that
   * face's normal. The hand moved down past the front edge of the kitchen cabinet's shelf read 21 mm
   * "into" the shelf from its manifold, with a 0.3-1.7 mm gap between the two boxes.
   */
  private exactDepth(c: RCollider, other: RCollider): number {
    const gap = this.shapeGap(c, other, 0);
    return gap === null ? 0 : Math.max(0, -gap);
  }

  /**
   * Whether `c` and `other` touch now: within TOUCH_GAP by their contact manifold, and by their shapes.
   * A carried-over manifold (see exactDepth) can call two things touching that are centimetres apart:
   * over 20 kitchen chains, 26 of 582,214 touching pair-steps for noisy-expert:0.1 (25 of them a
   * finger pad, up to 50 mm from the object) and 29 of 244,984 for tiny-vla (a block 3-15 mm above
   * the basket it was "in" for 9 steps).
   */
  private touches(c: RCollider, other: RCollider): boolean {
    if (this.deepest(c, other) <= -TOUCH_GAP) return false;
    const gap = this.shapeGap(c, other, TOUCH_GAP);
    return gap !== null && gap < TOUCH_GAP;
  }

  private readonly shapes = new ShapeCache();
  /** Distance between the two shapes at their poses now (m; negative: overlap depth), or null beyond `within`. */
  private shapeGap(c: RCollider, other: RCollider, within: number): number | null {
    const hit = this.shapes.of(c).contactShape(c.translation(), c.rotation(), this.shapes.of(other), other.translation(), other.rotation(), within);
    return hit ? hit.distance : null;
  }

  /** Deepest contact between `c` and `other` now (m; negative: the closest contact point's gap; -Infinity without contact points). */
  private deepest(c: RCollider, other: RCollider): number {
    this.pairDepth = -Infinity;
    this.world.contactPair(c, other, this.deepenBy);
    return this.pairDepth;
  }

  /**
   * Deepest arm penetration (m) into anything but the robot since the last call: the deepest the arm
   * limiter saw during the substeps, or `now` (the deepest at this instant, from `penetrations(0)`).
   */
  takeMaxPenetration(now: number): number {
    const d = Math.max(this.robot.deepest, now);
    this.robot.deepest = 0;
    return d;
  }

  /**
   * Whether the broad phase is rebuilt from the serialized world every control step (see canonicalize):
   * switched on by the first snapshot() or restore() of this world (an episode), or from the start with
   * WorldOptions.exactSnapshots, so that runs that never snapshot pay nothing (it costs 0.2-0.4 ms, 10-20%
   * of a control step in the kitchen scene).
   */
  private exact: boolean;
  /** The serialized world the live broad phase was last rebuilt from, and the physics step it was taken at. */
  private canonical: { bytes: Uint8Array; at: number } | null = null;

  /**
   * Serialize the world and rebuild its broad phase from those bytes (once per physics step at most);
   * return the bytes. In exact mode controlStep() does this before and after its substeps.
   *
   * Why: Rapier's serialization is lossy in the broad phase, and only there (rapier 0.30 / parry
   * 0.25 sources: every other part serializes exactly or is emptied every step, and the physics
   * pipeline keeps only per-step buffers; test/snapshot.test.ts compares whole serialized worlds).
   * The BVH optimiser keeps its progress (a frame counter choosing the root-optimisation mode, the
   * leaf where the next subtree rebuild starts) in a workspace that is not serialized, and the
   * table of overlapping pairs is a hash map whose iteration order depends on its capacity and
   * history, which a deserialized map does not have. The tree's shape and that order decide in
   * which order new and ended contact pairs reach the narrow phase, and so the order of the
   * solver's constraints: a restored world stepped bitwise like the original only until a contact
   * began or ended (`cabinet_open_drawer`, seed 7: from the step the fingers reached the handle).
   * Rebuilding the live broad phase from the bytes a snapshot holds gives the run that took the
   * snapshot and every restore of it the same broad phase, and they stay identical as long as both
   * keep rebuilding at every control step. Only the broad phase is replaced: bodies, colliders and
   * joints held outside stay valid.
   */
  private canonicalize(): Uint8Array {
    let c = this.canonical;
    if (!c || c.at !== this.physicsSteps) {
      const bytes = this.world.takeSnapshot();
      const raw = this.world.serializationPipeline.raw.deserializeAll(bytes);
      if (!raw) throw new Error('Rapier could not deserialize its own snapshot of this world');
      const broadPhase = raw.takeBroadPhase();
      raw.free();
      this.world.broadPhase.free();
      this.world.broadPhase = new RAPIER.BroadPhase(broadPhase);
      c = this.canonical = { bytes, at: this.physicsSteps };
    }
    return c.bytes;
  }

  /**
   * The state between two control steps. Restoring it (into this world or another one built from the
   * same scene, seed and objects) continues bitwise like the run it was taken from, given the same
   * actions. The first snapshot switches exact mode on (see canonicalize), which changes the last bits of
   * what follows compared with not taking it (unless WorldOptions.exactSnapshots); later ones change nothing. Rapier bodies
   * changed directly through `world` since the last physics step are not captured (step first).
   */
  snapshot(): WorldSnapshot {
    this.exact = true;
    const fixtures: Record<string, FixtureSnapshot> = {};
    for (const [id, f] of this.fixtures) fixtures[id] = f.saveState();
    return {
      rapier: this.canonicalize().slice(), robot: this.robot.saveState(), fixtures, physicsSteps: this.physicsSteps,
      origin: this.origin(),
    };
  }

  /** Replace the physics state with a snapshot taken in this world or one built from the same scene, seed and objects. */
  restore(s: WorldSnapshot): void {
    if (s.origin !== this.origin()) throw new Error(`restore: the snapshot is of ${s.origin}; this world is ${this.origin()}`);
    const bytes = s.rapier.slice();
    // Not RAPIER.World.restoreSnapshot: it never frees the deserialized-world wrapper (about 1 KB of
    // WASM memory per restore until a garbage collection runs its finalizer).
    const raw = this.world.serializationPipeline.raw.deserializeAll(bytes);
    if (!raw) throw new Error('restore: Rapier could not deserialize the snapshot (taken with another Rapier version?)');
    const next = RAPIER.World.fromRaw(raw);
    raw.free();
    this.world.free();
    this.world = next;
    this.iterationsSet = -1;
    this.robot.rebind(next);
    this.robot.loadState(s.robot);
    for (const [id, f] of this.fixtures) {
      f.rebind(next);
      f.loadState(s.fixtures[id]);
    }
    for (const o of this.objects.values()) this.bodies.set(o.id, next.getRigidBody(o.handle));
    this.physicsSteps = s.physicsSteps;
    this.canonical = { bytes, at: s.physicsSteps };
    this.exact = true;
  }

  /** What a snapshot must match to be restored here: Rapier handles follow the scene's objects and fixtures. */
  private origin(): string {
    const objects = [...this.objects.values()].map((o) => `${o.id} (${o.kind})`).join(', ');
    return `scene "${this.scene.spec.name}" seed ${this.scene.seed}, fixtures [${[...this.fixtures.keys()].join(', ')}], objects [${objects}]`;
  }

  /** Free every WASM object of this world. The SimWorld is unusable afterwards. */
  free(): void {
    this.world.free();
    this.events.free();
  }
}
