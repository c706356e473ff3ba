// The Gymnasium-shaped environment: reset({seed, task}) -> {obs, info}, step(action) ->
// {obs, reward, terminated, truncated, info}, close(). Same seed and same actions give bitwise-identical
// states. Cameras plug in through `ObservationRenderer`; state-only runs render nothing.
import type { Formula, RegionSpec, SceneSpec, TaskSpec, Vec3 } from '../scenes/types.ts';
import { resolveScene } from '../scenes/layout.ts';
import { findScene } from '../scenes/load.ts';
import { getObjectKind } from '../scenes/objects.ts';
import { CONTROL_HZ, PENETRATION_TOLERANCE, SimWorld, type Penetration, type WorldOptions, type WorldSnapshot } from './world.ts';
import { applyAction, ActionError, type ActionMode, type IkReport } from './controller.ts';
import { OscSetpoint, type OscSetpointState } from './osc-setpoint.ts';
import { evalFormula, type PredicateContext } from './predicates.ts';
import type { CameraImage, Observation } from './policy.ts';
import type { FixtureStateView, ObjectState, PrivilegedState } from './privileged.ts';
import { resolveFixtureRef } from '../scenes/fixture-refs.ts';
import { quatRotate, type Pose } from './kinematics.ts';
import type { OodLevels } from '../scenes/ood.ts';
import { SensorNoise, type SensorNoiseState } from './sensor-noise.ts';
import { ActionLatency, type ActionLatencyState } from './action-latency.ts';
import { PhysicsHealthMonitor, type HealthState, type StepHealth } from './physics-health.ts';
import { advanceGoalWindow } from './success.ts';

/** Renders camera images from the world; supplied by the renderer module when cameras are wanted. */
export interface ObservationRenderer {
  render(world: SimWorld, cameras: readonly string[]): Record<string, CameraImage>;
  free?(): void;
}

export interface EnvOptions extends WorldOptions {
  /** How actions are read (sim/controller.ts); default `delta_ee`. */
  actionMode?: ActionMode;
  /** Cameras to render into each observation (needs `renderer`). */
  cameras?: string[];
  renderer?: ObservationRenderer;
  /** Physics steps to let the scene settle after reset, before the first observation (default 24). */
  settleSteps?: number;
}

export interface ResetOptions {
  seed: number;
  /** The task to run; its scene is looked up among the shipped scenes unless `scene` is given. */
  task: TaskSpec;
  scene?: SceneSpec;
  /** OOD levels for this reset (default: none, the controlled setting); see scenes/ood.ts. */
  ood?: OodLevels;
}

export interface StepInfo {
  success: boolean;
  /** Control steps taken in the current task. */
  steps: number;
  /** Arm penetrations deeper than the tolerance during this control step (the `collision` signal). */
  penetrations: Penetration[];
  ik: IkReport;
  /** Physics wall time of this control step (ms). */
  simMs: number;
  /** Whether the simulator, not the policy, produced this step's outcome (see sim/physics-health.ts). */
  health: StepHealth;
}

export interface StepResult {
  obs: Observation;
  reward: number;
  terminated: boolean;
  truncated: boolean;
  info: StepInfo;
}

export class Env {
  private sim: SimWorld | null = null;
  private taskSpec: TaskSpec | null = null;
  private sceneSpec: SceneSpec | null = null;
  private stepCount = 0;
  /** Consecutive control steps the current task's goal has held (sim/success.ts). */
  private goalHeld = 0;
  private seed = 0;
  private sensor: SensorNoise | null = null;
  private latency: ActionLatency | null = null;
  private monitor: PhysicsHealthMonitor | null = null;
  /** The osc_pose mode's goal tracker (null in other modes); fresh each episode, kept across a chain's tasks. */
  private osc: OscSetpoint | null = null;
  readonly actionMode: ActionMode;
  readonly privileged: PrivilegedState;

  constructor(private readonly opts: EnvOptions = {}) {
    this.actionMode = opts.actionMode ?? 'delta_ee';
    if (opts.cameras?.length && !opts.renderer) {
      throw new Error(`cameras ${opts.cameras.join(', ')} were requested but no renderer was given (EnvOptions.renderer)`);
    }
    this.privileged = new EnvPrivileged(this);
  }

  /** Start a new episode: builds a fresh world (freeing the previous one) from the task's scene and seed. */
  async reset(o: ResetOptions): Promise<{ obs: Observation; info: { seed: number; task: string; scene: string } }> {
    const scene = o.scene ?? findScene(o.task.scene);
    const resolved = resolveScene(scene, o.seed, o.task, o.ood);
    this.sim?.free();
    this.sim = await SimWorld.create(resolved, this.opts);
    this.sceneSpec = scene;
    this.taskSpec = o.task;
    this.seed = o.seed;
    this.stepCount = 0;
    this.goalHeld = 0;
    this.sensor = resolved.ood?.sensor ? new SensorNoise(resolved.ood.sensor, o.seed) : null;
    this.latency = resolved.ood?.actionLatency ? new ActionLatency(resolved.ood.actionLatency) : null;
    this.osc = this.actionMode === 'osc_pose' ? new OscSetpoint(1 / CONTROL_HZ) : null;
    const settle = this.opts.settleSteps ?? 24;
    for (let i = 0; i < settle; i++) this.sim.physicsStep();
    this.sim.takeMaxPenetration(0);
    this.monitor = new PhysicsHealthMonitor(this.sim);
    return { obs: this.observe(), info: { seed: o.seed, task: o.task.name, scene: scene.name } };
  }

  /** Switch to another task without touching the world (the next step of a chain). */
  setTask(task: TaskSpec): Observation {
    if (!this.sim) throw new Error('setTask() before reset()');
    if (task.scene !== this.sceneSpec?.name) {
      throw new Error(`task "${task.name}" is for scene "${task.scene}", but the episode runs scene "${this.sceneSpec?.name}"`);
    }
    this.taskSpec = task;
    this.stepCount = 0;
    this.goalHeld = 0;
    return this.observe();
  }

  /**
   * One control step. `o.images: false` leaves the camera images out of the returned observation (nothing
   * is rendered): for a policy that will not look at them next (`Policy.needsImages`).
   */
  step(action: ArrayLike<number>, o: { images?: boolean } = {}): StepResult {
    const sim = this.requireSim();
    const task = this.taskSpec!;
    const ik = applyAction(sim.robot, this.latency ? this.latency.delay(action, this.actionMode, sim) : action, this.actionMode, this.osc ?? undefined);
    const t0 = performance.now();
    sim.controlStep();
    const simMs = performance.now() - t0;
    this.stepCount++;
    const goal = advanceGoalWindow(this.goalHeld, this.holds(task.goal));
    this.goalHeld = goal.heldSteps;
    const success = goal.success;
    const truncated = !success && this.stepCount >= task.maxSteps;
    // One scan of the arm's contacts: all penetrations for health, those past the tolerance for `collision`.
    const pens = sim.penetrations(0);
    const health = this.monitor!.check(sim.takeMaxPenetration(pens[0]?.depth ?? 0));
    return {
      obs: this.observe(o.images ?? true),
      reward: success ? 1 : 0,
      terminated: success,
      truncated,
      info: { success, steps: this.stepCount, penetrations: pens.filter((p) => p.depth > PENETRATION_TOLERANCE), ik, simMs, health },
    };
  }

  /** Render cameras now with the env's renderer (also ones the observation does not carry). */
  render(cameras: readonly string[]): Record<string, CameraImage> {
    if (!this.opts.renderer) throw new Error('render() needs a renderer (EnvOptions.renderer)');
    return this.opts.renderer.render(this.requireSim(), cameras);
  }

  /** The observation now; with `images` false, without camera images (nothing rendered). */
  observe(images = true): Observation {
    const sim = this.requireSim();
    const tcp = sim.robot.tcp;
    const obs: Observation = {
      state: {
        eePos: [...tcp.pos] as Vec3,
        eeQuat: [...tcp.quat] as Observation['state']['eeQuat'],
        gripperWidth: sim.robot.gripperWidth(),
        joints: Array.from(sim.robot.q),
      },
      instruction: this.taskSpec!.instruction,
    };
    if (images && this.opts.cameras?.length) obs.images = this.opts.renderer!.render(sim, this.opts.cameras);
    this.sensor?.corrupt(obs, this.opts.cameras?.length ?? 0);
    return obs;
  }

  holds(f: Formula): boolean {
    return evalFormula(this.predicateContext(), f);
  }

  snapshot(): EnvSnapshot {
    return {
      world: this.requireSim().snapshot(), stepCount: this.stepCount, task: this.taskSpec!, health: this.monitor!.saveState(),
      sensor: this.sensor?.saveState() ?? null, latency: this.latency?.saveState() ?? null, goalHeld: this.goalHeld,
      osc: this.osc?.saveState() ?? null,
    };
  }

  restore(s: EnvSnapshot): void {
    if ((s.latency === null) !== (this.latency === null)) {
      throw new Error(`restore: the snapshot was taken ${s.latency ? 'with' : 'without'} action latency, this episode runs ${this.latency ? 'with' : 'without'} it`);
    }
    if ((s.sensor === null) !== (this.sensor === null)) {
      throw new Error(`restore: the snapshot was taken ${s.sensor ? 'with' : 'without'} sensor noise, this episode runs ${this.sensor ? 'with' : 'without'} it`);
    }
    this.requireSim().restore(s.world);
    this.monitor!.loadState(s.health);
    if (s.sensor) this.sensor!.loadState(s.sensor);
    if (s.latency) this.latency!.loadState(s.latency);
    if (s.osc && this.osc) this.osc.loadState(s.osc);
    this.stepCount = s.stepCount;
    this.goalHeld = s.goalHeld;
    this.taskSpec = s.task;
  }

  close(): void {
    this.sim?.free();
    this.sim = null;
    this.opts.renderer?.free?.();
  }

  get world(): SimWorld {
    return this.requireSim();
  }

  get task(): TaskSpec | null {
    return this.taskSpec;
  }

  get steps(): number {
    return this.stepCount;
  }

  get episodeSeed(): number {
    return this.seed;
  }

  predicateContext(): PredicateContext {
    return { world: this.requireSim(), regions: this.sceneSpec!.regions };
  }

  private requireSim(): SimWorld {
    if (!this.sim) throw new Error('the env has no episode: call reset({ seed, task }) first');
    return this.sim;
  }
}

export interface EnvSnapshot {
  world: WorldSnapshot;
  stepCount: number;
  task: TaskSpec;
  health: HealthState;
  /** The sensor_noise axis' noise stream (null without sensor noise). */
  sensor: SensorNoiseState | null;
  /** The latency axis' actions in flight (null without action latency). */
  latency: ActionLatencyState | null;
  /** Consecutive control steps the task's goal had held (the success window, sim/success.ts). */
  goalHeld: number;
  /** The osc_pose mode's tracker (the arm's velocity); null in other modes. */
  osc: OscSetpointState | null;
}

export { ActionError };

class EnvPrivileged implements PrivilegedState {
  constructor(private readonly env: Env) {}

  get scene() {
    return this.env.world.scene;
  }

  get task() {
    return this.env.task;
  }

  tcp(): Pose {
    return this.env.world.robot.tcp;
  }

  joints(): number[] {
    return Array.from(this.env.world.robot.q);
  }

  gripperWidth(): number {
    return this.env.world.robot.gripperWidth();
  }

  objectIds(): string[] {
    return [...this.env.world.objects.keys()];
  }

  object(id: string): ObjectState {
    const w = this.env.world;
    const o = w.objects.get(id);
    if (!o) throw new Error(`unknown object "${id}"`);
    const { pos, quat } = w.objectPose(id);
    const v = w.body(id).linvel();
    return { id, kind: getObjectKind(o.kind), pos, quat, linvel: [v.x, v.y, v.z] };
  }

  fixture(id: string): FixtureStateView {
    const w = this.env.world;
    const ref = resolveFixtureRef(w.scene.spec.fixtures, id);
    if (!ref) throw new Error(`unknown fixture "${id}"`);
    const f = w.fixtures.get(ref.fixture.id)!;
    const p = ref.part ? f.part(ref.part.name) : undefined;
    const d = p?.def;
    const view: FixtureStateView = {
      id: f.spec.id, kind: f.kind, pos: [...f.spec.pos] as [number, number], yaw: f.spec.yaw,
      role: d?.role, value: p ? p.value() : 0, range: d ? [...d.range] as [number, number] : [0, 0],
      on: p?.on ?? false, open: p?.isOpen() ?? false, closed: p?.isClosed() ?? false,
      part: p ? p.pose() : f.frame(),
    };
    if (p && d) {
      const pose = p.pose();
      if (d.handle) {
        const c = d.handle.center;
        view.handle = {
          center: p.point(c),
          top: p.point([c[0], c[1], c[2] + d.handle.halfLength]),
          across: quatRotate(pose.quat, [0, 1, 0]) as Vec3,
          outward: quatRotate(pose.quat, [-1, 0, 0]) as Vec3,
        };
      }
      if (d.door) view.hinge = { point: [pose.pos[0], pose.pos[1], 0], doorWidth: d.door.width, doorThickness: d.door.thickness };
      if (d.capTop) view.capTop = p.point(d.capTop);
      if (d.grip) view.knob = { top: p.point(d.grip.top), along: quatRotate(pose.quat, d.grip.along) as Vec3 };
    }
    if (ref.region && ref.regionName) {
      const r = ref.region;
      view.region = {
        name: ref.regionName, type: r.type, frame: f.regionFrame(r),
        center: r.center, halfExtents: r.halfExtents,
        placeAt: r.placeAt ?? (r.type === 'surface'
          ? [r.center[0], r.center[1], r.center[2] + r.halfExtents[2]]
          : [r.center[0], r.center[1], r.center[2] - r.halfExtents[2]]),
        itemMaxHeight: r.itemMaxHeight, closedAbove: r.closedAbove ?? false,
      };
    }
    return view;
  }

  region(name: string): RegionSpec {
    const r = this.env.world.scene.spec.regions[name];
    if (!r) throw new Error(`unknown region "${name}"`);
    return r;
  }

  contacts(id: string): Set<string> {
    return this.env.world.contactsOf(id);
  }

  holds(f: Formula): boolean {
    return this.env.holds(f);
  }
}
