// The "raw Rapier" baseline: a plain RAPIER.World rebuilt from a WorldDesc (describe.ts) and stepped
// with nothing of chaingap in the loop. Kinematic bodies follow a precomputed pose track and joint
// motors a precomputed target track (both recorded from chaingap's own run), so the raw world does
// the same physics work as chaingap's world and differs only by chaingap's per-step bookkeeping.
import { RAPIER } from '../../sim/rapier.ts';
import type { WorldDesc } from './describe.ts';

type RWorld = InstanceType<typeof RAPIER.World>;
type RBody = InstanceType<typeof RAPIER.RigidBody>;
type RUnitJoint = InstanceType<typeof RAPIER.UnitImpulseJoint>;

export interface RawBuildOptions {
  /** Let dynamic bodies sleep. A body whose description says canSleep=false never sleeps. Default false. */
  sleep?: boolean;
}

/**
 * Per-physics-step inputs: poses of the kinematic bodies and targets of the motors, flat arrays.
 * poses: step-major, then kinematic body (in `kinematic` order), then [x, y, z, qx, qy, qz, qw].
 * motorTargets: step-major, then motor joint (in `motorJoints` order).
 */
export interface InputTrack {
  steps: number;
  /** Indices into WorldDesc.bodies of the kinematic bodies the track moves. */
  kinematic: number[];
  poses: Float64Array;
  /** Indices into WorldDesc.joints whose motor target the track sets every step. */
  motorJoints: number[];
  motorTargets: Float64Array;
  /** The world's solver iterations each step (chaingap adds some while a finger touches something). */
  solverIterations: Uint8Array;
}

export class RawRapierWorld {
  readonly world: RWorld;
  readonly bodies: RBody[] = [];
  private kin: RBody[] = [];
  private motors: { joint: RUnitJoint; stiffness: number; damping: number }[] = [];
  private track?: InputTrack;
  private iterations = -1;
  /** Steps taken so far (index into the input track). */
  step = 0;

  constructor(readonly desc: WorldDesc, opts: RawBuildOptions = {}) {
    const sleep = opts.sleep ?? false;
    const world = new RAPIER.World({ x: desc.gravity[0], y: desc.gravity[1], z: desc.gravity[2] });
    world.timestep = desc.dt;
    const ip = world.integrationParameters;
    ip.numSolverIterations = desc.solverIterations;
    ip.numInternalPgsIterations = desc.internalPgsIterations;
    ip.lengthUnit = desc.lengthUnit;
    ip.normalizedAllowedLinearError = desc.normalizedAllowedLinearError;
    ip.normalizedPredictionDistance = desc.normalizedPredictionDistance;
    ip.minIslandSize = desc.minIslandSize;
    ip.maxCcdSubsteps = desc.maxCcdSubsteps;
    if (desc.contactNaturalFrequency !== undefined) ip.contact_natural_frequency = desc.contactNaturalFrequency;
    if (Math.abs(ip.contact_erp - desc.contactErp) > 1e-6) {
      throw new Error(`raw world: contact ERP ${ip.contact_erp} differs from the described ${desc.contactErp}; ` +
        'give describeWorld the contact natural frequency hint');
    }
    this.world = world;

    // Bodies, then colliders, then joints, each in handle order: a fresh world hands out the same handles.
    for (const b of desc.bodies) {
      let d: InstanceType<typeof RAPIER.RigidBodyDesc>;
      switch (b.type) {
        case 'fixed': d = RAPIER.RigidBodyDesc.fixed(); break;
        case 'dynamic': d = RAPIER.RigidBodyDesc.dynamic(); break;
        case 'kinematic_position': d = RAPIER.RigidBodyDesc.kinematicPositionBased(); break;
        case 'kinematic_velocity': d = RAPIER.RigidBodyDesc.kinematicVelocityBased(); break;
      }
      d.setTranslation(b.pos[0], b.pos[1], b.pos[2])
        .setRotation({ x: b.quat[0], y: b.quat[1], z: b.quat[2], w: b.quat[3] })
        .setLinvel(b.linvel[0], b.linvel[1], b.linvel[2])
        .setAngvel({ x: b.angvel[0], y: b.angvel[1], z: b.angvel[2] })
        .setLinearDamping(b.linearDamping)
        .setAngularDamping(b.angularDamping)
        .setGravityScale(b.gravityScale)
        .setDominanceGroup(b.dominance)
        .setAdditionalSolverIterations(b.additionalSolverIterations)
        .setCcdEnabled(b.ccd)
        .setCanSleep(b.type === 'dynamic' ? sleep && b.canSleep !== false : true);
      const body = world.createRigidBody(d);
      if (body.handle !== b.handle) throw new Error(`raw world: body handle ${body.handle} != described ${b.handle}`);
      this.bodies.push(body);
    }
    for (const c of desc.colliders) {
      let d: InstanceType<typeof RAPIER.ColliderDesc> | null;
      const s = c.shape;
      switch (s.type) {
        case 'ball': d = RAPIER.ColliderDesc.ball(s.radius); break;
        case 'cuboid': d = RAPIER.ColliderDesc.cuboid(s.halfExtents[0], s.halfExtents[1], s.halfExtents[2]); break;
        case 'capsule': d = RAPIER.ColliderDesc.capsule(s.halfHeight, s.radius); break;
        case 'cylinder': d = RAPIER.ColliderDesc.cylinder(s.halfHeight, s.radius); break;
        case 'convex': d = RAPIER.ColliderDesc.convexHull(new Float32Array(s.vertices)); break;
      }
      if (!d) throw new Error(`raw world: could not build collider ${c.handle} (${s.type})`);
      d.setTranslation(c.pos[0], c.pos[1], c.pos[2])
        .setRotation({ x: c.quat[0], y: c.quat[1], z: c.quat[2], w: c.quat[3] })
        .setFriction(c.friction)
        .setRestitution(c.restitution)
        .setFrictionCombineRule(c.frictionCombine)
        .setRestitutionCombineRule(c.restitutionCombine)
        .setCollisionGroups(c.collisionGroups)
        .setSolverGroups(c.solverGroups)
        .setActiveCollisionTypes(c.activeCollisionTypes)
        .setActiveEvents(c.activeEvents)
        .setActiveHooks(c.activeHooks)
        .setSensor(c.sensor)
        .setContactSkin(c.contactSkin);
      const parent = c.body >= 0 ? this.bodies[c.body] : undefined;
      if (parent && desc.bodies[c.body].type === 'dynamic') d.setMass(c.mass);
      const col = world.createCollider(d, parent);
      if (col.handle !== c.handle) throw new Error(`raw world: collider handle ${col.handle} != described ${c.handle}`);
    }
    for (const j of desc.joints) {
      if (j.type !== 'prismatic' && j.type !== 'revolute') throw new Error(`raw world: joint type ${j.type} is not supported`);
      const a = j.axis1!, a2 = j.axis2!;
      if (Math.hypot(a[0] - a2[0], a[1] - a2[1], a[2] - a2[2]) > 1e-6) {
        throw new Error('raw world: joints whose two frames differ cannot be rebuilt through JointData');
      }
      const anchor1 = { x: j.anchor1[0], y: j.anchor1[1], z: j.anchor1[2] };
      const anchor2 = { x: j.anchor2[0], y: j.anchor2[1], z: j.anchor2[2] };
      const axis = { x: a[0], y: a[1], z: a[2] };
      const data = j.type === 'prismatic'
        ? RAPIER.JointData.prismatic(anchor1, anchor2, axis)
        : RAPIER.JointData.revolute(anchor1, anchor2, axis);
      if (j.limits) {
        data.limitsEnabled = true;
        data.limits = [j.limits[0], j.limits[1]];
      }
      const joint = world.createImpulseJoint(data, this.bodies[j.body1], this.bodies[j.body2], true) as RUnitJoint;
      if (joint.handle !== j.handle) throw new Error(`raw world: joint handle ${joint.handle} != described ${j.handle}`);
      joint.setContactsEnabled(j.contactsEnabled);
      if (j.motor) {
        joint.configureMotorModel(j.motor.model === 'force' ? RAPIER.MotorModel.ForceBased : RAPIER.MotorModel.AccelerationBased);
        joint.configureMotorPosition(j.motor.target, j.motor.stiffness, j.motor.damping);
      }
    }
  }

  /** Follow `track` from its step 0 on every `stepTracked()`. */
  setTrack(track: InputTrack): void {
    this.track = track;
    this.kin = track.kinematic.map((i) => this.bodies[i]);
    this.motors = track.motorJoints.map((i) => {
      const m = this.desc.joints[i].motor;
      if (!m) throw new Error(`raw world: joint ${i} has no motor to drive`);
      return { joint: this.world.getImpulseJoint(this.desc.joints[i].handle) as RUnitJoint, stiffness: m.stiffness, damping: m.damping };
    });
    this.step = 0;
  }

  /** One physics step, applying the track's inputs for this step first (if a track is set). */
  stepTracked(): void {
    const t = this.track;
    if (t) {
      const s = this.step;
      if (s >= t.steps) throw new Error(`raw world: input track has only ${t.steps} steps`);
      const kin = this.kin;
      let o = s * kin.length * 7;
      const p = t.poses;
      for (let i = 0; i < kin.length; i++, o += 7) {
        kin[i].setNextKinematicTranslation({ x: p[o], y: p[o + 1], z: p[o + 2] });
        kin[i].setNextKinematicRotation({ x: p[o + 3], y: p[o + 4], z: p[o + 5], w: p[o + 6] });
      }
      const m = this.motors;
      const mo = s * m.length;
      for (let i = 0; i < m.length; i++) m[i].joint.configureMotorPosition(t.motorTargets[mo + i], m[i].stiffness, m[i].damping);
      if (t.solverIterations[s] !== this.iterations) this.world.numSolverIterations = this.iterations = t.solverIterations[s];
    }
    this.world.step();
    this.step++;
  }

  free(): void {
    this.world.free();
  }
}
