// The Gymnasium-shaped environment: reset({seed, task}) -> {obs, info}, step(action) ->
// {obs, reward, terminated, truncated, info}, close(). Same seed and same actions give bitwise-identical
// states. Cameras plug in through `ObservationRenderer`; state-only runs render nothing.
import type { Formula, RegionSpec, SceneSpec, TaskSpec, Vec3 } from '../scenes/types.ts';
import { resolveScene } from '../scenes/layout.ts';
import { findScene } from '../scenes/load.ts';
import { getObjectKind } from '../scenes/objects.ts';
import { PENETRATION_TOLERANCE, SimWorld, type Penetration, type WorldOptions, type WorldSnapshot } from './world.ts';
import { applyAction, ActionError, type ActionMode, type IkReport } from './controller.ts';
import { evalFormula, type PredicateContext } from './predicates.ts';
import type { CameraImage, Observation } from './policy.ts';
import type { FixtureStateView, ObjectState, PrivilegedState } from './privileged.ts';
import { BUTTON, CABINET, MICROWAVE } from './fixtures.ts';
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

  step(action: ArrayLike<number>): StepResult {
    const sim = this.requireSim();
    const task = this.taskSpec!;
    const ik = applyAction(sim.robot, this.latency ? this.latency.delay(action, this.actionMode, sim) : action, this.actionMode);
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
      obs: this.observe(),
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

  observe(): Observation {
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
    if (this.opts.cameras?.length) obs.images = this.opts.renderer!.render(sim, this.opts.cameras);
    this.sensor?.corrupt(obs);
    return obs;
  }

  holds(f: Formula): boolean {
    return evalFormula(this.predicateContext(), f);
  }

  snapshot(): EnvSnapshot {
    return {
      world: this.requireSim().snapshot(), stepCount: this.stepCount, task: this.taskSpec!, health: this.monitor!.saveState(),
      sensor: this.sensor?.saveState() ?? null, latency: this.latency?.saveState() ?? null, goalHeld: this.goalHeld,
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
    const f = this.env.world.fixtures.get(id);
    if (!f) throw new Error(`unknown fixture "${id}"`);
    const part = f.partPose();
    const view: FixtureStateView = {
      id, kind: f.kind, pos: [...f.spec.pos] as [number, number], yaw: f.spec.yaw, value: f.value(),
      range: f.kind === 'cabinet' ? [0, CABINET.drawerTravel] : f.kind === 'microwave' ? [0, MICROWAVE.doorMax] : [0, BUTTON.travel],
      on: f.on, open: f.isOpen(), closed: f.isClosed(), part,
    };
    if (f.kind === 'cabinet' || f.kind === 'microwave') {
      let local: Vec3, half: number;
      if (f.kind === 'cabinet') {
        const d = CABINET.drawer, h = CABINET.handle;
        local = [-d.depth / 2 - h.standoff, 0, h.z - (d.bottomZ + d.height / 2)];
        half = h.length / 2;
      } else {
        const m = MICROWAVE, h = m.handle;
        local = [-m.door.thickness - h.standoff, -m.width + h.fromEdge, h.z];
        half = h.length / 2;
        view.hinge = { point: [part.pos[0], part.pos[1], 0], doorWidth: m.width, doorThickness: m.door.thickness };
      }
      view.handle = {
        center: f.partPoint(local),
        top: f.partPoint([local[0], local[1], local[2] + half]),
        across: quatRotate(part.quat, [0, 1, 0]) as Vec3,
        outward: quatRotate(part.quat, [-1, 0, 0]) as Vec3,
      };
    } else {
      view.capTop = f.partPoint([0, 0, BUTTON.cap.halfHeight]);
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
