// The scripted expert: reads privileged simulator state through `PrivilegedState`, plans motion
// primitives (approach, descend, grasp, lift, carry, place, release, pull/push handles, press) for
// each atom of the task's goal, and acts only through env.step with 7-D delta end-effector actions.
import type { Atom, Formula, Quat, Vec2, Vec3 } from '../scenes/types.ts';
import { goalOrder } from '../scenes/bddl-goal-order.ts';
import { resolveFixtureRef, type FixtureRef } from '../scenes/fixture-refs.ts';
import { PUSH_CLEARANCE } from '../scenes/chain-model.ts';
import { RIM_WALL, footprintRadius } from '../scenes/objects.ts';
import { centreOfMass } from '../scenes/stable-poses.ts';
import type { EpisodeStart, Observation, Policy } from '../sim/policy.ts';
import type { ObjectState, PrivilegedState } from '../sim/privileged.ts';
import { GRIPPER } from '../sim/robot.ts';
import { quatRotate, solveIk, type Pose } from '../sim/kinematics.ts';
import { clash, planFrontEntry, type FrontPlan } from './front-entry.ts';
import { actionTowards, quatForYaw, reached, wrap, yawClosingAlong, yawFacing, yawOf, type Phase, type TcpTarget } from './motion.ts';
import { HAND, corridorHeight, gap, handAxes, handBlocks, pointDistance, sceneBlocks, shapeBlocks, type Block, type Held } from './clearance.ts';
import { LatencyModel } from './latency-model.ts';
import { PLACEMENT, baseCentre, containerLevels, handClearZ, planPair, planSlot, releaseOpening, restingHeight, slotTarget, type Carried, type ContainerView, type Slot } from './placement.ts';

/** Expert constants (metres unless stated). */
export const EXPERT = {
  /** TCP height for carrying things across the table. */
  carryZ: 0.3,
  /** Lowest TCP height from which a task starts moving across the table (chains start wherever the last task ended). */
  transitZ: 0.25,
  /** How much wider than the held object the fingers open to let go (m). */
  releaseOpening: 0.02,
  /** Height above a grasp or press point from which the hand descends vertically. */
  approach: 0.12,
  /** Palm must stay this far above an object's top when grasping it from above. */
  palmClearance: 0.006,
  /** Release height of an object's bottom above the surface it is placed on. */
  releaseGap: 0.012,
  /** Gripper closes on nothing below this width: a grasp miss. */
  missWidth: 0.004,
  /** TCP depth below a handle bar's top end when pinching it (the pads cover the top 3.5 cm). */
  handleGrip: 0.035,
  /** How far below the top of a knob's ridge the finger pads pinch it (m). */
  knobGrip: 0.012,
  retries: 2,
  /**
   * Before moving sideways the hand rises until every part of it (pads, palm, what it holds) passes at
   * least `z` above anything within `xy` of where that part goes (objects, container walls, fixtures).
   */
  corridor: { xy: 0.02, z: 0.03 },
  /** Least length of finger pad on an object when it is grasped higher than its grasp hint (m). */
  minPadContact: 0.015,
  /** Gap the open fingers and the palm keep from neighbours at a grasp (else the grasp moves along the object). */
  graspRoom: 0.004,
  /**
   * Pushing a rim away from what the hand would land on (see roomToGrasp): the clearance wanted, the
   * push searched in `step`s up to `max`, the fingertips `height` above the table, starting the first
   * of `approach` short of the wall where the hand and wrist fit, pushing `extra` beyond the distance found (m);
   * pushing at the grasp point, from inside, or at these angles `around` the rim from it (rad); from
   * inside the hand keeps `ownMargin` from the object's own floor and walls.
   */
  nudge: { margin: 0.008, step: 0.005, max: 0.16, height: 0.012, approach: [0.02, 0.01, 0.004], extra: 0.008, ownMargin: 0.003, around: [Math.PI / 6, -Math.PI / 6, Math.PI / 3, -Math.PI / 3] },
};

const OPEN = -1;
const CLOSE = 1;

export interface ExpertOptions {
  id?: string;
  /**
   * Perturbs the grasp pose of each pick attempt (calibration policies use it for grasp-offset noise).
   * Called once when the attempt's approach starts; the offset it returns (position and yaw) then stays
   * fixed relative to the object for that attempt. Absent: the nominal grasp.
   */
  perturbGrasp?: (t: TcpTarget) => TcpTarget;
  /** Fail every task on purpose (see `sabotageStep`). Default false. */
  sabotage?: boolean;
  /**
   * Decides per task, at `reset(start)`, whether to fail on purpose; overrides `sabotage`. A sabotaged
   * expert fails physically and plausibly, at a point from which success is impossible: it lets a
   * picked object slip out after a short lift (it lands back where it was), lets go of a drawer or door
   * handle once the part has moved 30% of the way, hovers over a button without pressing, or stops a
   * push 30% of the way to the region's edge; then it holds still.
   */
  sabotageStep?: (start: EpisodeStart) => boolean;
}

export class ExpertPolicy implements Policy {
  readonly id: string;
  private plan: Phase[] = [];
  private phaseSteps = 0;
  private started = false;
  private timedOut: string[] = [];
  private isSabotaged = false;
  /** Gripper command of the last action sent (a chain's next task starts from it). */
  private lastGrip: number | null = null;
  /** The object the hand holds (between a pick's check and the release), for clearance planning. */
  private holding: string | null = null;
  /** Objects this task puts into each container object, in the order it puts them there. */
  private fills = new Map<string, string[]>();
  /** Its estimate of the env's action latency, and where the arm will be when the next action executes. */
  private readonly latency = new LatencyModel();
  private readonly perturbGrasp?: (t: TcpTarget) => TcpTarget;

  constructor(private readonly state: PrivilegedState, private readonly opts: ExpertOptions = {}) {
    this.id = opts.id ?? 'expert';
    this.perturbGrasp = opts.perturbGrasp;
  }

  /** Phases that ran out of steps in this task (for failure analysis). */
  get timeouts(): readonly string[] {
    return this.timedOut;
  }

  /** Whether the current task is being failed on purpose (decided at `reset`). */
  get sabotaged(): boolean {
    return this.isSabotaged;
  }

  reset(start: EpisodeStart): void {
    if (start.actionMode !== 'delta_ee') throw new Error(`the expert acts in delta_ee mode; the env uses ${start.actionMode}`);
    this.timedOut = [];
    this.plan = [];
    this.isSabotaged = this.opts.sabotageStep ? this.opts.sabotageStep(start) : (this.opts.sabotage ?? false);
    this.holding = null;
    // A chain's next task runs on in the same env (actions still in flight); a new episode starts afresh.
    if (!start.step) this.latency.reset();
    const atoms = this.orderFills(goalAtoms(start.task.goal));
    this.plan.push(...this.clearOut());
    if (this.isSabotaged) {
      // Fail the first goal atom that does not hold yet, then stay put: the goal cannot come true.
      const victim = atoms.find((a) => !this.state.holds(a)) ?? atoms[0];
      if (victim) this.plan.push(...this.sabotageFor(victim));
    } else {
      for (const atom of atoms) this.plan.push(...this.skillFor(atom));
    }
    this.plan.push(this.hold('done'));
    this.phaseSteps = 0;
    this.started = false;
  }

  /** Name of the phase being executed (for logs and debugging). */
  get phase(): string {
    return this.plan[0]?.name ?? 'none';
  }

  /** The control steps of action latency the expert has inferred from how the arm follows its actions. */
  get inferredLatency(): number {
    return this.latency.lag;
  }

  /** Tell the expert the action actually sent was `action` (a wrapper changed what `act` returned). */
  sent(action: ArrayLike<number>): void {
    this.latency.amend(action);
  }

  act(_obs: Observation): number[] {
    this.latency.observe(this.state.tcp().pos);
    const tcp = this.tcp();
    for (let guard = 0; guard < 16; guard++) {
      const p = this.plan[0];
      if (!this.started) {
        p.start?.();
        this.started = true;
        this.phaseSteps = 0;
      }
      if (this.plan.length > 1 && p.done()) {
        this.plan.shift();
        this.started = false;
        continue;
      }
      if (this.phaseSteps >= p.maxSteps && this.plan.length > 1) {
        // A phase that runs out of time either hands over to a retry or is skipped (noted).
        const retry = p.onTimeout?.() ?? null;
        if (retry) this.plan.splice(0, 1, ...retry);
        else {
          this.timedOut.push(p.name);
          this.plan.shift();
        }
        this.started = false;
        continue;
      }
      break;
    }
    const p = this.plan[0];
    this.phaseSteps++;
    this.lastGrip = p.grip;
    const a = actionTowards(tcp, p.target(), p.grip, p.speed);
    this.latency.record(a);
    return a;
  }

  /**
   * The TCP pose the expert plans from: where the arm will be when the action it sends now executes
   * (the TCP itself unless it has seen its actions arrive late; see latency-model.ts).
   */
  private tcp(): Pose {
    return this.latency.predict(this.state.tcp());
  }

  // ---------------------------------------------------------------- skills

  private skillFor(atom: Atom): Phase[] {
    const [name, ...args] = atom;
    const a = String(args[0]);
    switch (name) {
      case 'On':
      case 'In': {
        // A shelf layer or a microwave is reached from the front.
        const dest = String(args[1]);
        const ref = this.fixtureRef(dest);
        if (ref?.region?.closedAbove && !(name === 'On' && dest === ref.fixture.id)) return this.placeFromFront(a, dest, EXPERT.retries);
        return this.pickAndPlace(a, name, dest, EXPERT.retries);
      }
      case 'Open':
      case 'Closed': {
        const f = this.state.fixture(a);
        if (f.role === 'drawer') return name === 'Open' ? this.openDrawer(a) : this.closeDrawer(a);
        if (f.role === 'door') return name === 'Open' ? this.openDoor(a) : this.closeDoor(a);
        throw new Error(`the expert cannot make "${a}" (${f.kind}) ${name}`);
      }
      case 'TurnedOn':
      case 'TurnedOff': {
        const f = this.state.fixture(a);
        if (f.role === 'knob') return this.turnKnob(a, name === 'TurnedOn');
        return this.press(a, name === 'TurnedOn');
      }
      case 'InRegion':
        // Box-shaped things are pushed along the table when the way is clear; others (mugs, bowls), or
        // boxes with something in the way, are carried there (the chain model's rule, scenes/chain-model.ts).
        if (this.state.object(a).kind.shapes.every((sh) => sh.type === 'box') && this.pushPathClear(a, String(args[1]))) return this.push(a, String(args[1]));
        return this.pickAndPlace(a, 'On', String(args[1]), EXPERT.retries);
      case 'Upright':
      case 'Near':
      case 'Grasped':
        if (name === 'Grasped') return this.pick(a, EXPERT.retries, false);
        return [];
    }
  }

  /** The failing version of an atom's skill (see `ExpertOptions.sabotageStep`). */
  private sabotageFor(atom: Atom): Phase[] {
    const [name, ...args] = atom;
    const a = String(args[0]);
    switch (name) {
      case 'On':
      case 'In':
      case 'Grasped':
        // The object slips out right after a short lift, above where it was picked and far from its
        // destination; the open hand then backs off upwards. (Dropped from carry height, a can topples
        // and rolls off the table in 4 of 30 episodes, which would spoil the rest of a chain; from 6 cm
        // it lands on its base, where the next task can still pick it up.)
        return [
          ...this.pick(a, EXPERT.retries, false),
          this.raise(`sabotage ${a}: lift`, CLOSE, SABOTAGE_LIFT),
          this.actuate(`sabotage ${a}: drop`, OPEN, 4),
          this.raise(`sabotage ${a}: retreat`, OPEN, 0.1),
          this.hold(`sabotage ${a}: hold`),
        ];
      case 'Open':
      case 'Closed': {
        const f = this.state.fixture(a);
        const open = name === 'Open';
        if (f.role === 'drawer') return [...this.slideDrawer(a, open ? f.range[1] - 0.02 : 0.002, `sabotage ${a}`, SABOTAGE_FRACTION), this.hold(`sabotage ${a}: hold`)];
        if (f.role === 'door') return [...this.swingDoor(a, open ? 1.45 : 0.0, `sabotage ${a}`, SABOTAGE_FRACTION), this.hold(`sabotage ${a}: hold`)];
        throw new Error(`the expert cannot make "${a}" (${f.kind}) ${name}`);
      }
      case 'TurnedOn':
      case 'TurnedOff': {
        const fk = this.state.fixture(a);
        if (fk.role === 'knob') return [...this.turnKnob(a, name === 'TurnedOn', SABOTAGE_FRACTION), this.hold(`sabotage ${a}: hold`)];
        const cap = () => this.state.fixture(a).capTop!;
        return [
          ...this.transit(`sabotage ${a}: above`, () => ({ pos: [cap()[0], cap()[1], cap()[2] + EXPERT.approach], yaw: 0 }), CLOSE, 0.7, 0.01, 150),
          this.hold(`sabotage ${a}: hover`, CLOSE),
        ];
      }
      case 'InRegion':
        return [...this.push(a, String(args[1]), SABOTAGE_FRACTION), this.hold(`sabotage ${a}: hold`, CLOSE)];
      case 'Upright':
      case 'Near':
        return [];
    }
  }

  /**
   * Where a task starts in the middle of a chain, the hand may still hold a handle or hover low beside
   * what it just placed: let go, and rise to the transit height before going anywhere, so the move to
   * the next task does not sweep through objects or drag a drawer along. From the ready pose (a fresh
   * reset) this adds nothing.
   */
  private clearOut(): Phase[] {
    const out: Phase[] = [];
    // Keep the fingers as they are while rising (opening them wide inside a basket would wedge them),
    // unless the last task ended with them closed on something: then let go a little first.
    const rise = this.tcp().pos[2] < EXPERT.transitZ ? this.rise('clear: rise', this.lastGrip ?? OPEN, EXPERT.transitZ) : null;
    // Fingers closed on nothing (they were pressing a button) rise straight away: letting go in place
    // would let the button spring back under them and risk a second press.
    const w = this.state.gripperWidth();
    const holding = (this.lastGrip ?? OPEN) > 0 && w > EXPERT.missWidth && w < GRIPPER.maxWidth - 0.004;
    if (holding) out.push(this.letGo('clear: let go', rise ?? undefined));
    if (rise) out.push(rise);
    return out;
  }

  /**
   * Let go of what the hand holds by opening the fingers only `opening` (default
   * `EXPERT.releaseOpening`) wider than they are; `then`, the phase after it, keeps that opening.
   * Fully opened fingers can wedge against a basket's walls and lift the basket with the hand.
   */
  private letGo(name: string, then?: Phase, opening: () => number = () => EXPERT.releaseOpening): Phase {
    let t: TcpTarget = { pos: [0, 0, 0], yaw: 0 };
    let last = -1;
    let n = 0;
    const phase: Phase = {
      name, grip: OPEN, speed: 0.2, maxSteps: 30,
      start: () => {
        t = this.here();
        last = -1;
        n = 0;
        const w = Math.min(GRIPPER.maxWidth, this.state.gripperWidth() + opening());
        phase.grip = 1 - (2 * w) / GRIPPER.maxWidth;
        if (then) then.grip = phase.grip;
      },
      target: () => t,
      done: () => {
        const w = this.state.gripperWidth();
        const still = last >= 0 && Math.abs(w - last) < 0.0003;
        last = w;
        // Actions arrive `lag` steps late: the fingers only start moving then.
        return ++n > 4 + this.latency.lag && still;
      },
    };
    return phase;
  }

  /** Hold the current pose with the current gripper command. */
  private hold(name: string, grip = OPEN): Phase {
    let t: TcpTarget = { pos: [0, 0, 0], yaw: 0 };
    return {
      name, grip, speed: 0.3, maxSteps: Infinity,
      start: () => { t = this.here(); },
      target: () => t,
      done: () => false,
    };
  }

  /** Go straight up by `dz` from wherever the hand is, keeping yaw and gripper. */
  private raise(name: string, grip: number, dz: number): Phase {
    let t: TcpTarget = { pos: [0, 0, 0], yaw: 0 };
    return {
      name, grip, speed: 0.5, maxSteps: 80,
      start: () => { t = lift(this.here(), dz); },
      target: () => t,
      done: () => reached(this.tcp(), t, 0.01, 0.1),
    };
  }

  private here(): TcpTarget {
    const tcp = this.tcp();
    return { pos: [...tcp.pos] as Vec3, yaw: yawOf(tcp.quat) };
  }

  private moveTo(name: string, target: () => TcpTarget, grip: number, speed: number, tol: number, maxSteps = 120): Phase {
    return {
      name, grip, speed, maxSteps, target,
      done: () => reached(this.tcp(), target(), tol),
    };
  }

  /** Close or open the gripper in place until the fingers stop moving. */
  private actuate(name: string, grip: number, minSteps = 4): Phase {
    let t: TcpTarget = { pos: [0, 0, 0], yaw: 0 };
    let last = -1;
    let n = 0;
    return {
      name, grip, speed: 0.2, maxSteps: 30,
      start: () => { t = this.here(); last = -1; n = 0; },
      target: () => t,
      done: () => {
        const w = this.state.gripperWidth();
        const still = last >= 0 && Math.abs(w - last) < 0.0003;
        last = w;
        n++;
        const min = minSteps + this.latency.lag;
        if (grip === OPEN) return n > min && (w > GRIPPER.maxWidth - 0.004 || still);
        return n > min && still;
      },
    };
  }

  /** Go up to a safe height from wherever the hand is, keeping yaw and gripper; `z` is read when the phase starts. */
  private rise(name: string, grip: number, z: number | (() => number) = EXPERT.carryZ): Phase {
    let t: TcpTarget = { pos: [0, 0, 0], yaw: 0 };
    return {
      name, grip, speed: 0.5, maxSteps: 80,
      start: () => {
        const h = this.here();
        t = { pos: [h.pos[0], h.pos[1], Math.max(typeof z === 'number' ? z : z(), h.pos[2])], yaw: h.yaw };
      },
      target: () => t,
      done: () => reached(this.tcp(), t, 0.01, 0.1),
    };
  }

  // ---------------------------------------------------------------- clearance

  /** What the hand holds now, relative to the TCP (see clearance.ts). */
  private heldNow(id: string): Held {
    const o = this.state.object(id);
    const tcp = this.state.tcp();
    const yaw = yawOf(tcp.quat);
    const dx = o.pos[0] - tcp.pos[0], dy = o.pos[1] - tcp.pos[1];
    return {
      kind: o.kind,
      relYaw: wrap(yawOf(o.quat) - yaw),
      rel: [dx * Math.cos(yaw) + dy * Math.sin(yaw), dx * Math.sin(yaw) - dy * Math.cos(yaw)],
      tcpAbove: tcp.pos[2] - o.pos[2],
    };
  }

  /**
   * The lowest TCP height from which the hand, as it is now (fingers, palm, what it holds), can move
   * straight across to `to` (xy) clear of everything near the way (EXPERT.corridor).
   */
  private corridorTo(to: ArrayLike<number>): number {
    const tcp = this.tcp();
    const held = this.holding ? this.heldNow(this.holding) : undefined;
    const parts = handBlocks(tcp.pos as Vec3, yawOf(tcp.quat), this.state.gripperWidth(), held);
    const blocks = sceneBlocks(this.state, new Set(this.holding ? [this.holding] : []));
    return corridorHeight(parts, tcp.pos as Vec3, [to[0], to[1]], blocks, EXPERT.corridor);
  }

  /**
   * Go to `target` without sweeping through anything: first straight up to the height from which the
   * way across is clear (`corridorTo`, at least `minZ`), then across to the target's xy at that height,
   * or at the target's own height if higher. The caller's next phase takes the hand down onto the
   * target (a vertical move). `setup` runs when the transit starts, before the target is read.
   */
  private transit(name: string, target: () => TcpTarget, grip: number, speed: number, tol: number, maxSteps: number, o: { minZ?: number; setup?: () => void } = {}): Phase[] {
    let z = 0;
    let up: TcpTarget = { pos: [0, 0, 0], yaw: 0 };
    return [
      {
        name: `${name} (clear)`, grip, speed: 0.5, maxSteps: 80,
        start: () => {
          o.setup?.();
          const h = this.here();
          const t = target();
          z = this.crossingHeight(t, this.corridorTo(t.pos), o.minZ ?? 0);
          up = { pos: [h.pos[0], h.pos[1], Math.max(z, h.pos[2])], yaw: h.yaw };
        },
        target: () => up,
        done: () => this.tcp().pos[2] >= z - 0.005,
      },
      this.moveTo(name, () => {
        const t = target();
        return { pos: [t.pos[0], t.pos[1], Math.max(z, t.pos[2])], yaw: t.yaw };
      }, grip, speed, tol, maxSteps),
    ];
  }

  /**
   * The height to cross at: at least `clear` (the corridor) and the target's own height, and up to
   * `preferred` where the arm can still reach above the target (far out on the table a top-down hand
   * cannot get as high).
   */
  private crossingHeight(t: TcpTarget, clear: number, preferred: number): number {
    const floor = Math.max(clear, t.pos[2]);
    for (let z = preferred; z > floor; z -= 0.02) if (this.reachable({ pos: [t.pos[0], t.pos[1], z], yaw: t.yaw })) return z;
    return floor;
  }

  /**
   * Whether the arm can bring the TCP to `t` from where it is, moving as the expert does: along the
   * straight line in small steps, each solved from the last (a one-shot solve may find a posture the
   * step-by-step motion never gets to).
   */
  private reachable(t: TcpTarget): boolean {
    const from = this.tcp();
    const yaw0 = yawOf(from.quat);
    let q = this.state.joints();
    const n = 10;
    let ik = { posErr: Infinity, rotErr: Infinity };
    for (let i = 1; i <= n; i++) {
      const f = i / n;
      const pos: Vec3 = [from.pos[0] + (t.pos[0] - from.pos[0]) * f, from.pos[1] + (t.pos[1] - from.pos[1]) * f, from.pos[2] + (t.pos[2] - from.pos[2]) * f];
      const r = solveIk({ pos, quat: quatForYaw(yaw0 + wrap(t.yaw - yaw0) * f) }, q, { maxIters: 60 });
      q = Array.from(r.q);
      ik = r;
    }
    return ik.posErr < 0.002 && ik.rotErr < 0.02;
  }

  /**
   * Lower onto `target`; done when there or when the hand stops going down within 3 cm of it (what it
   * holds has met something: a force-limited arm stalls there, and pressing on would only push).
   */
  private lower(name: string, target: () => TcpTarget, grip: number, speed: number, tol: number, maxSteps: number): Phase {
    const zs: number[] = [];
    return {
      name, grip, speed, maxSteps, target,
      start: () => { zs.length = 0; },
      done: () => {
        const z = this.state.tcp().pos[2];
        zs.push(z);
        if (reached(this.tcp(), target(), tol)) return true;
        const n = zs.length;
        return n > 6 && z - target().pos[2] < 0.03 && zs[n - 4] - z < 0.001;
      },
    };
  }

  /** Where to put the TCP to grasp an object from above, and the yaw that closes along its grasp axis. */
  private graspPose(o: ObjectState, minTcpAbove = 0, shift: GraspShift = NO_SHIFT): TcpTarget {
    const k = o.kind;
    if (k.grasp.type === 'rim') return this.rimPose(o, shift.yaw);
    const tcpZ = Math.max(0.004, o.pos[2] + graspTcpAbove(k, minTcpAbove));
    const axis = quatRotate(o.quat, k.grasp.axis === 'x' ? [1, 0, 0] : [0, 1, 0]);
    const theta = Math.atan2(axis[1], axis[0]);
    const cur = yawOf(this.tcp().quat);
    // Symmetric kinds look the same after a quarter turn: either face pair will do, so take the one
    // needing the least wrist rotation (never close on a box's corners).
    let yaw = yawClosingAlong(theta, cur);
    if (k.grasp.symmetric) {
      const alt = yawClosingAlong(theta + Math.PI / 2, cur);
      if (Math.abs(wrap(alt - cur)) < Math.abs(wrap(yaw - cur))) yaw = alt;
    }
    // The grasp point is the object's axis at pad height (objects are upright when picked), moved
    // along the object by `shift.along` when that keeps the hand off a neighbour.
    const along = quatRotate(o.quat, k.grasp.axis === 'x' ? [0, 1, 0] : [1, 0, 0]);
    yaw = Math.max(-Math.PI / 2 - 0.3, Math.min(Math.PI / 2 + 0.3, yaw + shift.yaw));
    return { pos: [o.pos[0] + along[0] * shift.along, o.pos[1] + along[1] * shift.along, tcpZ], yaw };
  }

  /**
   * A rim grasp: the TCP on the pinched wall, `phi` turned about the rim's centre (the middle of the
   * object's base: a pan's middle, not its handle's) from the kind's pinch point, at the hint's height,
   * fingers closing across the wall.
   */
  private rimPose(o: ObjectState, phi: number): TcpTarget {
    const { c, r, theta } = rimOf(o.kind);
    const t = theta + phi;
    const across: Vec3 = o.kind.grasp.axis === 'x' ? [Math.cos(t), Math.sin(t), 0] : [-Math.sin(t), Math.cos(t), 0];
    const p = quatRotate(o.quat, [c[0] + r * Math.cos(t), c[1] + r * Math.sin(t), 0]);
    const a = quatRotate(o.quat, across);
    const yaw = yawClosingAlong(Math.atan2(a[1], a[0]), yawOf(this.tcp().quat));
    return { pos: [o.pos[0] + p[0], o.pos[1] + p[1], Math.max(0.004, o.pos[2] + graspTcpAbove(o.kind))], yaw };
  }

  /**
   * Where around a rim to pinch it: the angles (from the kind's pinch point, about the rim's centre)
   * of the wall segments on the pinch point's circle, so the pads close on one flat segment; all of
   * them for a symmetric rim; for one with a handle, those within RIM_SECTOR of the pinch point where
   * the weight hangs at most RIM_TWIST beside the line the fingers close along (else it twists in
   * the grip: a pan is pinched opposite its handle).
   */
  private rimAngles(o: ObjectState): number[] {
    const { c, r, theta } = rimOf(o.kind);
    const com = centreOfMass(o.kind.shapes);
    const out: number[] = [];
    for (const s of o.kind.shapes) {
      const p = s.pos ?? [0, 0, 0];
      if (s.type !== 'box' || Math.abs(Math.hypot(p[0] - c[0], p[1] - c[1]) - r) > 1e-3) continue;
      const a = Math.atan2(p[1] - c[1], p[0] - c[0]);
      const phi = wrap(a - theta);
      const beside = Math.abs(-(com[0] - c[0]) * Math.sin(a) + (com[1] - c[1]) * Math.cos(a));
      if (o.kind.grasp.symmetric || (Math.abs(phi) <= RIM_SECTOR + 1e-6 && beside <= RIM_TWIST)) out.push(phi);
    }
    return out.length ? out : [0];
  }

  /**
   * Where along the object (boxes: shifted along their length) or at which yaw (round things) to grasp
   * so that the open fingers and the palm come down clear of the neighbours: the nominal grasp if it is
   * clear, else the smallest change that is, else the one with the most room. Rims: the point around
   * the rim (the shift's yaw) needing the least turn of the wrist among those with room, nearer the
   * robot on a tie.
   */
  private graspShift(o: ObjectState, minTcpAbove: number): GraspShift {
    const k = o.kind;
    const blocks = sceneBlocks(this.state, new Set([o.id]));
    const room = (shift: GraspShift): number => {
      const g = this.graspPose(o, minTcpAbove, shift);
      let least = Infinity;
      for (const h of handBlocks(g.pos, g.yaw, k.grasp.type === 'rim' ? RIM_OPENING : GRIPPER.maxWidth)) {
        for (const b of blocks) if (b.top > h.bottom + 0.001) least = Math.min(least, gap(h.fp, b.fp));
      }
      return least;
    };
    if (k.grasp.type === 'rim') {
      const cur = yawOf(this.tcp().quat);
      const cost = (phi: number): number => {
        const g = this.rimPose(o, phi);
        return Math.abs(wrap(g.yaw - cur)) + 0.5 * Math.hypot(g.pos[0], g.pos[1]);
      };
      const order = this.rimAngles(o).map((phi) => ({ phi, c: cost(phi) })).sort((a, b) => a.c - b.c || a.phi - b.phi);
      let best = NO_SHIFT, bestRoom = -Infinity;
      for (const { phi } of order) {
        const r = room({ along: 0, yaw: phi });
        if (r >= EXPERT.graspRoom) return { along: 0, yaw: phi };
        if (r > bestRoom + 1e-9) { best = { along: 0, yaw: phi }; bestRoom = r; }
      }
      return best;
    }
    const shifts: GraspShift[] = [NO_SHIFT];
    if (k.shapes.every((sh) => sh.type === 'box') && !k.grasp.symmetric) {
      const length = k.grasp.axis === 'x' ? k.size[1] : k.size[0];
      const most = length / 2 - GRIPPER.padHalf[0] - 0.008;
      for (let d = 0.01; d <= most + 1e-9; d += 0.01) shifts.push({ along: d, yaw: 0 }, { along: -d, yaw: 0 });
    } else if (k.shapes.every((sh) => sh.type === 'cylinder' || sh.type === 'sphere')) {
      for (let a = 1; a <= 6; a++) shifts.push({ along: 0, yaw: (a * Math.PI) / 12 }, { along: 0, yaw: (-a * Math.PI) / 12 });
    }
    let best = NO_SHIFT, bestRoom = -Infinity;
    for (const sh of shifts) {
      const r = room(sh);
      if (r >= EXPERT.graspRoom) return sh;
      if (r > bestRoom + 1e-9) { best = sh; bestRoom = r; }
    }
    return best;
  }

  /**
   * Approach (a transit), descend, close; retries from above when the fingers close on nothing.
   * `minTcpAbove`: grasp at least this high above the object's bottom (so the palm clears a container's
   * rim when the object is set down inside).
   */
  private pick(id: string, retries: number, thenRise = true, minTcpAbove = 0): Phase[] {
    let grasp: TcpTarget = { pos: [0, 0, 0], yaw: 0 };
    // This attempt's grasp offset (from `perturbGrasp`), drawn once when its approach starts.
    let offset: TcpTarget | null = null;
    // Where along the object it is grasped (to keep the hand off neighbours), chosen with the offset.
    let shift = NO_SHIFT;
    const graspNow = (): TcpTarget => {
      const g = this.graspPose(this.state.object(id), minTcpAbove, shift);
      if (!offset) return g;
      return { pos: [g.pos[0] + offset.pos[0], g.pos[1] + offset.pos[1], g.pos[2] + offset.pos[2]], yaw: g.yaw + offset.yaw };
    };
    const above = (): TcpTarget => ({ pos: [grasp.pos[0], grasp.pos[1], grasp.pos[2] + EXPERT.approach], yaw: grasp.yaw });
    // A rim is approached with the fingers only a little wider than the wall.
    const open = this.state.object(id).kind.grasp.type === 'rim' ? gripFor(RIM_OPENING) : OPEN;
    const phases: Phase[] = [
      ...(this.state.object(id).kind.grasp.type === 'rim' ? [this.roomToGrasp(id, minTcpAbove)] : []),
      ...this.transit(`pick ${id}: above`, () => { grasp = graspNow(); return above(); }, open, 0.7, 0.01, 150, {
        setup: () => {
          offset = null;
          shift = this.graspShift(this.state.object(id), minTcpAbove);
          grasp = this.graspPose(this.state.object(id), minTcpAbove, shift);
          if (this.perturbGrasp) {
            const p = this.perturbGrasp({ pos: [...grasp.pos] as Vec3, yaw: grasp.yaw });
            offset = { pos: [p.pos[0] - grasp.pos[0], p.pos[1] - grasp.pos[1], p.pos[2] - grasp.pos[2]], yaw: p.yaw - grasp.yaw };
            grasp = graspNow();
          }
        },
      }),
      this.moveTo(`pick ${id}: descend`, () => grasp, open, 0.35, 0.004, 80),
      this.actuate(`pick ${id}: close`, CLOSE, 5),
    ];
    const check: Phase = {
      name: `pick ${id}: check`, grip: CLOSE, speed: 0.2, maxSteps: 1,
      target: () => this.here(),
      done: () => {
        const ok = this.state.gripperWidth() > EXPERT.missWidth;
        if (ok) this.holding = id;
        return ok;
      },
      onTimeout: () => (retries > 0 ? [this.rise(`pick ${id}: back off`, OPEN, grasp.pos[2] + EXPERT.approach), ...this.pick(id, retries - 1, false, minTcpAbove)] : null),
    };
    phases.push(check);
    if (thenRise) phases.push(this.rise(`pick ${id}: lift`, CLOSE));
    return phases;
  }

  /**
   * Before pinching a rim where the hand would land on something else (the palm over a shelf's edge
   * beside a pan): push the object straight away from that side with the closed fingers, low against
   * its wall, just far enough for the hand to clear (EXPERT.nudge), if the hand fits down beside the
   * wall and the object's new place is free. Nothing happens when the grasp is clear.
   */
  private roomToGrasp(id: string, minTcpAbove: number): Phase {
    let push: { from: Vec3; to: Vec3; yaw: number } | null = null;
    const m = EXPERT.nudge;
    const phase: Phase = {
      name: `pick ${id}: room to grasp`, grip: CLOSE, speed: 0.3, maxSteps: 1,
      target: () => this.here(),
      done: () => {
        push = null;
        const o = this.state.object(id);
        const g = this.graspPose(o, minTcpAbove, this.graspShift(o, minTcpAbove));
        const blocks = sceneBlocks(this.state, new Set([id]));
        const width = gripFor(RIM_OPENING);
        // The hand at the grasp and the column it comes down through (an open drawer can overhang the object).
        const descent = (t: Vec3) => descentBlocks(t, g.yaw, width);
        // Only a fixture actually in the hand's way calls for a push (neighbouring objects are the grasp
        // planner's business: graspShift), and only a real overlap, not a near miss.
        const fixtureIds = new Set(this.state.scene.fixtures.map((f) => f.id));
        if (!clash(descent(g.pos), blocks.filter((b) => fixtureIds.has(b.owner)), 0)) return true;
        // Ways to push it, tried in turn: from outside, across the wall at the grasp point; from inside,
        // against the opposite wall (the hand and wrist then stand over the object, away from what was in
        // the way); the same at points around the rim (the object moves away at a slant), inside first.
        const { c } = rimOf(o.kind);
        const cw = quatRotate(o.quat, [c[0], c[1], 0]);
        const centre: Vec2 = [o.pos[0] + cw[0], o.pos[1] + cw[1]];
        const own = shapeBlocks(id, o.kind.shapes, o.pos, o.quat);
        const ways: Array<{ phi: number; inside: boolean }> = [
          { phi: 0, inside: false }, { phi: 0, inside: true },
          ...m.around.map((phi) => ({ phi, inside: true })), ...m.around.map((phi) => ({ phi, inside: false })),
        ];
        for (const way of ways) {
          const gx = g.pos[0] - centre[0], gy = g.pos[1] - centre[1];
          const rim: Vec2 = [centre[0] + gx * Math.cos(way.phi) - gy * Math.sin(way.phi), centre[1] + gx * Math.sin(way.phi) + gy * Math.cos(way.phi)];
          const n = Math.hypot(centre[0] - rim[0], centre[1] - rim[1]);
          if (n < 1e-6) continue;
          const dir: Vec2 = [(centre[0] - rim[0]) / n, (centre[1] - rim[1]) / n];
          const along = (p: ArrayLike<number>, d: number, z: number): Vec3 => [p[0] + dir[0] * d, p[1] + dir[1] * d, z];
          // The shortest push after which the grasp is clear and the object's new place is free.
          let d = m.step;
          for (; d <= m.max; d += m.step) if (!clash(descent(along(g.pos, d, g.pos[2])), blocks, m.margin)) break;
          if (d > m.max || clash(shapeBlocks(id, o.kind.shapes, along(o.pos, d, o.pos[2]), o.quat), blocks, m.margin)) continue;
          // Closed fingers, the palm's narrow side leading; the pads meet the outside face of the wall
          // at the rim point, or the inside face of the opposite wall.
          const yaw = yawFacing(Math.atan2(dir[1], dir[0]), yawOf(this.tcp().quat));
          const face = way.inside ? 2 * n - RIM_WALL / 2 : -RIM_WALL / 2;
          const contact = along(rim, face - HAND.pad[0], 0);
          // The column the palm comes down through and the wrist (link 7, 9 cm round) over it must clear too.
          const withWrist = (t: Vec3) => [...descentBlocks(t, yaw, 0), { owner: 'hand', fp: { c: [t[0], t[1]] as Vec2, r: 0.045 }, bottom: t[2] + 0.1, top: t[2] + 0.3 }];
          for (const gapToWall of m.approach) {
            const start = along(contact, -gapToWall, 0);
            // Fingertips at `height`, or inside just high enough for the hand to clear the object's floor and walls.
            let z = m.height;
            if (way.inside) for (z = o.pos[2] + m.height; z < o.pos[2] + o.kind.size[2] && clash(withWrist([start[0], start[1], z]), own, m.ownMargin); z += 0.004);
            const from: Vec3 = [start[0], start[1], z];
            if (clash(withWrist(from), blocks, m.margin) || (way.inside && clash(withWrist(from), own, m.ownMargin))) continue;
            // The hand rises from where the push ends: that column must be clear too (not under an open drawer).
            const to = along(contact, d + m.extra, z);
            if (clash(withWrist(to), blocks, m.margin)) continue;
            push = { from, to, yaw };
            return false;
          }
        }
        return true;
      },
      onTimeout: () => {
        if (!push) return null;
        const p = push;
        return [
          ...this.transit(`pick ${id}: room to grasp (above)`, () => ({ pos: lift({ pos: p.from, yaw: p.yaw }, EXPERT.approach).pos, yaw: p.yaw }), CLOSE, 0.7, 0.01, 150),
          this.moveTo(`pick ${id}: room to grasp (down)`, () => ({ pos: p.from, yaw: p.yaw }), CLOSE, 0.35, 0.005, 80),
          this.moveTo(`pick ${id}: room to grasp (push)`, () => ({ pos: p.to, yaw: p.yaw }), CLOSE, 0.15, 0.004, 80),
          this.rise(`pick ${id}: room to grasp (up)`, CLOSE, () => p.to[2] + EXPERT.approach),
        ];
      },
    };
    return phase;
  }

  private pickAndPlace(id: string, rel: 'On' | 'In', dest: string, retries: number): Phase[] {
    let place: TcpTarget = { pos: [0, 0, 0], yaw: 0 };
    let placeNow = (): TcpTarget => place;
    let opening = EXPERT.releaseOpening;
    const container = this.containerView(rel, dest);
    const rest: Phase[] = [
      ...this.transit(`place ${id}: carry`, () => placeNow(), CLOSE, 0.6, 0.01, 150, {
        minZ: EXPERT.carryZ,
        setup: () => {
          const o = this.state.object(id);
          const offset = this.state.tcp().pos[2] - o.pos[2];
          opening = EXPERT.releaseOpening;
          placeNow = () => place;
          if (container) {
            const held = this.heldNow(id);
            const slot = this.slotFor(id, dest, { held, width: this.state.gripperWidth() });
            if (slot) {
              opening = slot.opening;
              placeNow = () => (place = slotTarget(this.containerView(rel, dest)!, slot, held));
            }
          }
          place = this.placePose(rel, dest, offset);
          // What the hand holds off its centre (a rim, a box grasped off-centre) goes where the TCP was aimed.
          if (!container) place = centreHeld(this.nearYaw(place, id, dest), this.heldNow(id));
          place = placeNow();
          // On an object with sides (a bowl): the hand stays above them, and the fingers open only as
          // far as they leave room.
          if (!container && this.state.objectIds().includes(dest)) {
            const d = this.state.object(dest);
            const sides = shapeBlocks(dest, d.kind.shapes, d.pos, d.quat);
            const w = this.state.gripperWidth();
            place = { pos: [place.pos[0], place.pos[1], handClearZ(place, place.pos[2], w, sides)], yaw: place.yaw };
            opening = releaseOpening(place, w, sides, EXPERT.releaseOpening);
          }
        },
      }),
      this.lower(`place ${id}: lower`, () => placeNow(), CLOSE, 0.3, 0.004, 100),
    ];
    const retreat = this.rise(`place ${id}: retreat`, OPEN, () => place.pos[2] + 0.1);
    const release = this.letGo(`place ${id}: release`, retreat, () => opening);
    const done: Phase = {
      name: `place ${id}: released`, grip: OPEN, speed: 0.2, maxSteps: 1,
      target: () => this.here(),
      done: () => { this.holding = null; return true; },
    };
    rest.push(release, done, retreat);
    return [...this.pick(id, retries, true, container ? this.rimGrasp(container) : 0), ...rest];
  }

  /**
   * Into a region reached only from the front (a shelf layer): pick from above, plan how to hold the
   * object so that it slides in (policies/front-entry.ts: level, or the hand tilted to point in), carry
   * it in front of the opening, turn, go down to the layer, slide in, let go, back out and level the hand.
   * When no way of holding it fits, the hand holds still (the episode runs out of time, labelled as such)
   * rather than pushing the arm through the fixture.
   */
  private placeFromFront(id: string, dest: string, retries: number): Phase[] {
    let plan: FrontPlan | null = null;
    let why: string[] = [];
    // The hand as the plan holds it, or (`turned` false) pointing down at the plan's yaw.
    const pose = (p: ArrayLike<number>, turned = true): TcpTarget => ({ pos: [p[0], p[1], p[2]], yaw: plan!.yaw, tilt: turned ? plan!.tilt : 0, roll: turned ? plan!.roll : 0 });
    const high = (): Vec3 => [plan!.outside[0], plan!.outside[1], Math.max(EXPERT.carryZ, plan!.outside[2] + 0.15)];
    const planning = (again: boolean): Phase => {
      const hand = (): TcpTarget => (again ? pose(this.state.tcp().pos) : this.here());
      return {
        name: `place ${id}: plan the way in${again ? ' (turned)' : ''}`, grip: CLOSE, speed: 0.2, maxSteps: 1,
        target: hand,
        done: () => {
          const r = this.state.fixture(dest).region!;
          const o = this.state.object(id);
          const tcp = this.state.tcp();
          const next = planFrontEntry(r, { pos: [...tcp.pos] as Vec3, quat: [...tcp.quat] as Quat }, { kind: o.kind, pos: [...o.pos] as Vec3, quat: [...o.quat] as Quat },
            this.state.gripperWidth(), sceneBlocks(this.state, new Set([id])), why = [], again && plan ? plan : undefined);
          if (next) plan = next;
          return next !== null;
        },
        onTimeout: () => [this.hold(`cannot fit ${id} into ${dest} from the front (${why.join('; ')})`, CLOSE)],
      };
    };
    const released: Phase = {
      name: `place ${id}: released`, grip: OPEN, speed: 0.2, maxSteps: 1,
      target: () => this.here(),
      done: () => { this.holding = null; return true; },
    };
    // Gripped near its top (2.5 cm of pad on it): a tall thing then leads the hand in by most of its length.
    return [
      ...this.pick(id, retries, true, this.state.object(id).kind.size[2] - 0.025),
      planning(false),
      ...this.transit(`place ${id}: to the opening`, () => pose(high(), false), CLOSE, 0.6, 0.01, 150, { minZ: EXPERT.carryZ }),
      this.moveTo(`place ${id}: turn in`, () => pose(high()), CLOSE, 0.3, 0.01, 60),
      planning(true),
      this.moveTo(`place ${id}: down to the layer`, () => pose(plan!.outside), CLOSE, 0.3, 0.006, 100),
      planning(true),
      this.moveTo(`place ${id}: to the slide's height`, () => pose(plan!.outside), CLOSE, 0.2, 0.004, 40),
      this.moveTo(`place ${id}: slide in`, () => pose(plan!.inside), CLOSE, 0.25, 0.005, 100),
      { ...this.actuate(`place ${id}: let go`, OPEN), target: () => pose(plan!.inside) },
      released,
      this.moveTo(`place ${id}: back out`, () => pose(plan!.outside), OPEN, 0.4, 0.01, 100),
      this.moveTo(`place ${id}: up`, () => pose(high()), OPEN, 0.5, 0.01, 100),
      this.moveTo(`place ${id}: level the hand`, () => pose(high(), false), OPEN, 0.3, 0.02, 60),
    ];
  }

  /**
   * For an object held well off the TCP (a rim, a pan), of the hand yaws a quarter turn apart the one
   * that puts the TCP nearest the robot once the object is centred where `t` aims (a far reach is slow
   * and inexact): `t`'s own yaw unless another is 1 cm nearer. Into a fixture's walled volume the
   * yaw stays as given (it fits the object in).
   */
  private nearYaw(t: TcpTarget, id: string, dest: string): TcpTarget {
    const held = this.heldNow(id);
    if (Math.hypot(held.rel[0], held.rel[1]) < 0.03) return t;
    if (this.fixtureRef(dest)?.region?.type === 'interior') return t;
    const reach = (yaw: number) => {
      const c = centreHeld({ pos: t.pos, yaw }, held);
      return Math.hypot(c.pos[0], c.pos[1]);
    };
    let best = t.yaw, least = reach(t.yaw) - 0.01;
    for (let k = 1; k < 4; k++) {
      const yaw = wrap(t.yaw + (k * Math.PI) / 2);
      if (Math.abs(yaw) > PLACEMENT.maxYaw) continue;
      const d = reach(yaw);
      if (d < least) { best = yaw; least = d; }
    }
    return { pos: t.pos, yaw: best };
  }

  /** The container object `dest` as the placement planner sees it, if the atom puts something In one. */
  private containerView(rel: 'On' | 'In', dest: string): ContainerView | null {
    if (rel !== 'In' || this.fixtureRef(dest)) return null;
    const d = this.state.object(dest);
    if (!d.kind.container) return null;
    return { id: dest, kind: d.kind, pos: d.pos, quat: d.quat };
  }

  /** How high above its bottom an object bound for `c` must be grasped for the palm to clear the rim at release. */
  private rimGrasp(c: ContainerView): number {
    const { floor, rim } = containerLevels(c);
    return Math.max(0, rim + PLACEMENT.zMargin - HAND.palmAbove - (floor + PLACEMENT.releaseGap));
  }

  /** Blocks the placement planner must keep clear of around container `dest` (all but what the hand holds). */
  private obstaclesNear(dest: string, held: string): ReturnType<typeof sceneBlocks> {
    const c = this.state.object(dest).pos;
    const near: ReturnType<typeof sceneBlocks> = [];
    for (const b of sceneBlocks(this.state, new Set([held]))) if (Math.hypot(b.fp.c[0] - c[0], b.fp.c[1] - c[1]) < 0.35) near.push(b);
    return near;
  }

  /**
   * Where in container `dest` to release `id`: planned together with the next object this task puts
   * there, if any (so the first leaves room for the second), else alone among what is inside.
   */
  private slotFor(id: string, dest: string, carried: Carried): Slot | null {
    const c = this.containerView('In', dest)!;
    const obstacles = this.obstaclesNear(dest, id);
    const order = this.fills.get(dest) ?? [];
    const next = order.slice(order.indexOf(id) + 1).find((x) => x !== id && !this.state.holds(['In', x, dest]));
    if (order.includes(id) && next) {
      const pair = planPair(c, carried, this.predictCarried(next, this.rimGrasp(c)), obstacles.filter((b) => b.owner !== next));
      if (pair) return pair.first;
    }
    // A basket takes two things (chains written by hand may fill it over two steps): put a lone
    // object into an empty one at one end.
    const inside = this.state.objectIds().some((x) => x !== id && x !== dest && this.state.holds(['In', x, dest]));
    const reachable = (slot: Slot) => this.reachable(slotTarget(c, slot, carried.held));
    return planSlot(c, carried, obstacles, yawOf(this.tcp().quat), c.kind.category === 'basket' && !inside, reachable);
  }

  /** What holding `id` will look like after a nominal grasp: centred, the fingers closing along its grasp axis. */
  private predictCarried(id: string, minTcpAbove: number): Carried {
    const k = this.state.object(id).kind;
    if (k.grasp.type === 'rim') {
      // Pinched at its wall: the object's x axis along the fingers' closing direction, its origin
      // `offset` back from the TCP.
      const held: Held = { kind: k, relYaw: Math.PI / 2, rel: [0, -(k.grasp.offset ?? 0)], tcpAbove: graspTcpAbove(k) };
      return { held, width: RIM_WALL };
    }
    const held: Held = { kind: k, relYaw: k.grasp.axis === 'x' ? Math.PI / 2 : 0, rel: [0, 0], tcpAbove: graspTcpAbove(k, minTcpAbove) };
    return { held, width: k.grasp.axis === 'x' ? k.size[0] : k.size[1] };
  }

  /**
   * Two or more In atoms for the same container object are done in the order that leaves the most room
   * (`planPair` on the objects as they stand); the rest keep the goal's order. Records the fill order.
   */
  private orderFills(atoms: Atom[]): Atom[] {
    this.fills = new Map();
    // Each atom after those it needs (scenes/bddl-goal-order.ts: a stack's bottom is moved before the top goes on it).
    const out = goalOrder(atoms, this.state.scene.fixtures).map((i) => atoms[i]);
    const byDest = new Map<string, number[]>();
    out.forEach((a, i) => {
      if (a[0] !== 'In' || !this.containerView('In', String(a[2]))) return;
      byDest.set(String(a[2]), [...(byDest.get(String(a[2])) ?? []), i]);
    });
    for (const [dest, idx] of byDest) {
      if (idx.length === 2) {
        const [i, j] = idx;
        const a = String(out[i][1]), b = String(out[j][1]);
        const c = this.containerView('In', dest)!;
        const g = this.rimGrasp(c);
        const obstacles = this.obstaclesNear(dest, a).filter((x) => x.owner !== b);
        const ab = planPair(c, this.predictCarried(a, g), this.predictCarried(b, g), obstacles);
        const ba = planPair(c, this.predictCarried(b, g), this.predictCarried(a, g), obstacles);
        if (ba && (!ab || ba.quality > ab.quality + 1e-6)) [out[i], out[j]] = [out[j], out[i]];
      }
      this.fills.set(dest, idx.map((k) => String(out[k][1])));
    }
    return out;
  }

  /** The fixture (and its region or part) an atom argument names, when it names no object. */
  private fixtureRef(id: string): FixtureRef | undefined {
    return this.state.objectIds().includes(id) ? undefined : resolveFixtureRef(this.state.scene.fixtures, id);
  }

  /** Where the TCP should be to set the held object down on or in `dest` (a fixture region, or on a support). */
  private placePose(rel: 'On' | 'In', dest: string, offset: number): TcpTarget {
    const cur = yawOf(this.tcp().quat);
    const ref = this.fixtureRef(dest);
    if (ref) {
      // On a bare fixture id: its top.
      const name = rel === 'On' && dest === ref.fixture.id && ref.def.regions.top_side ? `${dest}_top_side` : dest;
      const fx = this.state.fixture(name);
      const r = fx.region;
      if (!r) throw new Error(`the expert cannot place ${rel} "${dest}": it names no region of ${fx.kind} "${fx.id}"`);
      if (r.closedAbove) throw new Error(`the expert cannot place ${rel} "${dest}": a hand from above cannot reach into it`);
      const c = quatRotate(r.frame.quat, r.placeAt);
      const pos: Vec3 = [r.frame.pos[0] + c[0], r.frame.pos[1] + c[1], r.frame.pos[2] + c[2] + EXPERT.releaseGap + offset];
      let yaw = cur;
      if (r.type === 'interior') {
        // Inside walls: turn the hand so the held object's footprint fits the volume best. In a drawer
        // the fingers close across its width, so the 20 cm palm fits between its side walls.
        const across = quatRotate(r.frame.quat, [0, 1, 0]);
        const theta = Math.atan2(across[1], across[0]);
        const inPart = resolveFixtureRef(this.state.scene.fixtures, name)?.region?.part !== undefined;
        yaw = this.holding && !inPart ? this.fitYaw(this.holding, r.halfExtents, theta, cur) : yawClosingAlong(theta, cur);
      }
      return { pos, yaw };
    }
    const region = this.state.scene.spec.regions[dest];
    if (region && !this.state.objectIds().includes(dest)) {
      // A region of the table: its centre, on the table.
      return { pos: [region.center[0], region.center[1], EXPERT.releaseGap + offset], yaw: cur };
    }
    const d = this.state.object(dest);
    if (rel === 'In' && d.kind.container) {
      // No room anywhere inside (the planner found nothing): the interior's centre.
      const v = d.kind.container;
      const c = quatRotate(d.quat, v.center);
      const floor = d.pos[2] + c[2] - v.halfExtents[2];
      return { pos: [d.pos[0] + c[0], d.pos[1] + c[1], floor + EXPERT.releaseGap + offset], yaw: cur };
    }
    // On an object: let go just above where the held object's underside, its origin over the
    // support's centre, first meets the support's shapes (a bowl set on another rests on its rim).
    let top = d.pos[2] + (d.kind.supportTop ?? d.kind.size[2]);
    if (this.holding) {
      const held = this.heldNow(this.holding);
      // Where the held object's origin will be once its base is centred (see centreHeld).
      const b = baseCentre(held.kind), a = cur + held.relYaw;
      const p: Vec2 = [d.pos[0] - b[0] * Math.cos(a) + b[1] * Math.sin(a), d.pos[1] - b[0] * Math.sin(a) - b[1] * Math.cos(a)];
      top = restingHeight(held, p, cur, shapeBlocks(dest, d.kind.shapes, d.pos, d.quat)) ?? top;
    }
    return { pos: [d.pos[0], d.pos[1], top + EXPERT.releaseGap + offset], yaw: cur };
  }

  /**
   * Pinch the upper end of a fixture's vertical handle bar from above, fingers closing along the
   * panel's width so the wide palm stays parallel to the panel. `turn`: how far the hand will turn
   * about the vertical while it holds the handle (a door's swing, rad).
   */
  private graspHandle(id: string, what: string, turn = 0): Phase[] {
    const pose = (): TcpTarget => {
      const h = this.state.fixture(id).handle!;
      const theta = Math.atan2(h.across[1], h.across[0]);
      let yaw = yawClosingAlong(theta, yawOf(this.tcp().quat));
      // The hand turns by `turn` with a door it swings: of the two grips (a half turn apart) take the
      // one that keeps the wrist nearer its middle over the whole swing (near its end the arm's posture
      // can run the last joint into its limit, and the door stops half-way).
      if (turn !== 0) {
        const worst = (y: number) => Math.max(Math.abs(y), Math.abs(y + turn));
        for (const alt of [yaw - Math.PI, yaw + Math.PI]) if (Math.abs(alt) <= Math.PI && worst(alt) < worst(yaw) - 1e-9) yaw = alt;
      }
      return { pos: [h.top[0], h.top[1], h.top[2] - EXPERT.handleGrip], yaw };
    };
    let locked: TcpTarget = { pos: [0, 0, 0], yaw: 0 };
    return [
      ...this.transit(`${what}: above handle`, () => lift(pose(), EXPERT.approach), OPEN, 0.7, 0.01, 150),
      {
        ...this.moveTo(`${what}: descend`, () => locked, OPEN, 0.3, 0.004, 80),
        start: () => { locked = pose(); },
      },
      this.actuate(`${what}: grip`, CLOSE, 5),
    ];
  }

  /** Let go of a handle and back away upwards. */
  private releaseHandle(id: string, what: string): Phase[] {
    return [
      this.actuate(`${what}: release`, OPEN, 4),
      this.rise(`${what}: retreat`, OPEN, this.state.fixture(id).handle!.top[2] + 0.1),
    ];
  }

  /**
   * Grasp the drawer's handle and slide the drawer to `goal` (m) along its axis; with `giveUp`, let go
   * once the drawer has covered that fraction of the way from where it was when planned.
   */
  private slideDrawer(id: string, goal: number, what: string, giveUp?: number): Phase[] {
    const out = this.state.fixture(id).handle!.outward;
    const v0 = this.state.fixture(id).value;
    let yaw = 0;
    return [
      ...this.graspHandle(id, what),
      {
        name: `${what}: slide`, grip: CLOSE, speed: 0.25, maxSteps: 120,
        start: () => { yaw = yawOf(this.tcp().quat); },
        target: () => {
          const fx = this.state.fixture(id);
          const h = fx.handle!.top;
          const step = Math.max(-0.02, Math.min(0.02, goal - fx.value));
          return { pos: [h[0] + out[0] * step, h[1] + out[1] * step, h[2] - EXPERT.handleGrip], yaw };
        },
        done: giveUp === undefined
          ? () => Math.abs(this.state.fixture(id).value - goal) <= 0.004
          : () => progress(v0, this.state.fixture(id).value, goal) >= giveUp,
      },
      ...this.releaseHandle(id, what),
    ];
  }

  private openDrawer(id: string): Phase[] {
    return this.slideDrawer(id, this.state.fixture(id).range[1] - 0.02, `open ${id}`);
  }

  private closeDrawer(id: string): Phase[] {
    return this.slideDrawer(id, 0.002, `close ${id}`);
  }

  /** Grasp the door's handle and swing the door to `goal` (rad) about its hinge; `giveUp` as for drawers. */
  private swingDoor(id: string, goal: number, what: string, giveUp?: number): Phase[] {
    const v0 = this.state.fixture(id).value;
    let yaw0 = 0, angle0 = 0;
    return [
      // The hand turns by the angle the door turns, the other way (see the swing's target).
      ...this.graspHandle(id, what, v0 - goal),
      {
        name: `${what}: swing`, grip: CLOSE, speed: 0.3, maxSteps: 160,
        start: () => { yaw0 = yawOf(this.tcp().quat); angle0 = this.state.fixture(id).value; },
        target: () => {
          const fx = this.state.fixture(id);
          const delta = Math.max(-0.08, Math.min(0.08, goal - fx.value));
          const h = fx.handle!.top;
          // The door opens by rotating about -z: the hand turns with it.
          return {
            pos: rotateAboutHinge(h, fx.hinge!.point, delta, h[2] - EXPERT.handleGrip),
            yaw: yaw0 - (fx.value + delta - angle0),
          };
        },
        done: giveUp === undefined
          ? () => Math.abs(this.state.fixture(id).value - goal) <= 0.03
          : () => progress(v0, this.state.fixture(id).value, goal) >= giveUp,
      },
      ...this.releaseHandle(id, what),
    ];
  }

  private openDoor(id: string): Phase[] {
    return this.swingDoor(id, 1.45, `open ${id}`);
  }

  private closeDoor(id: string): Phase[] {
    // Where the handle's arc leaves the hand's reach (a microwave standing sideways, as LIBERO has it),
    // the swing stalls with the door ajar: let go and push the rest of the way.
    return [...this.swingDoor(id, 0.0, `close ${id}`), ...this.pushDoorShut(id, `close ${id}`)];
  }

  /**
   * Push a door shut with the closed fingertips against its outer face near its free edge, the palm
   * above the door's top; nothing happens when the door is already closed.
   */
  private pushDoorShut(id: string, what: string): Phase[] {
    let skip = false;
    let pushYaw: number | undefined;
    const shut = () => skip || this.state.fixture(id).closed;
    // A point on the door's outer face, 70% of the way to its free edge, `off` metres out, turned `lead` further shut.
    const facePoint = (off: number, lead: number, z: number): TcpTarget => {
      const fx = this.state.fixture(id);
      const d = fx.hinge!;
      const w = add3(fx.part.pos, quatRotate(fx.part.quat, [-d.doorThickness - off, -0.7 * d.doorWidth, 0]));
      // The hand's yaw is chosen once (fingers closing along the door), so that it does not flip by a
      // half turn between control steps as the door turns.
      if (pushYaw === undefined) {
        const along = quatRotate(fx.part.quat, [0, -1, 0]);
        pushYaw = yawClosingAlong(Math.atan2(along[1], along[0]), yawOf(this.tcp().quat));
      }
      return { pos: rotateAboutHinge(w, d.point, -lead, z), yaw: pushYaw };
    };
    const pushZ = () => this.state.fixture(id).part.pos[2] + DOOR_PUSH_HEIGHT;
    const approach = this.transit(`${what}: push: above`, () => lift(facePoint(0.05, 0, pushZ()), EXPERT.approach), CLOSE, 0.7, 0.01, 150)
      .map((ph) => ({ ...ph, done: () => shut() || ph.done() }));
    const first = approach[0];
    approach[0] = { ...first, start: () => { skip = this.state.fixture(id).closed; pushYaw = undefined; first.start?.(); } };
    return [
      ...approach,
      { ...this.moveTo(`${what}: push: descend`, () => facePoint(0.05, 0, pushZ()), CLOSE, 0.3, 0.005, 80), done: () => shut() || reached(this.tcp(), facePoint(0.05, 0, pushZ()), 0.005, 0.1) },
      {
        name: `${what}: push`, grip: CLOSE, speed: 0.3, maxSteps: 160,
        target: () => facePoint(0.012, Math.min(0.12, this.state.fixture(id).value), pushZ()),
        done: () => shut() || this.state.fixture(id).value <= 0.02,
      },
      { ...this.rise(`${what}: push: retreat`, CLOSE, () => pushZ() + 0.1), done: () => skip || this.tcp().pos[2] >= pushZ() + 0.09 },
    ];
  }

  /**
   * Of the hand yaws that turn the held object square to a volume whose y axis points along `theta`
   * (quarter turns apart), the one whose footprint overhangs the volume's half extents least, ties to
   * the yaw nearest `cur`. With fingers closing across the volume (drawers) when nothing is held.
   */
  private fitYaw(id: string, half: Vec3, theta: number, cur: number): number {
    const o = this.state.object(id);
    const rel = yawOf(o.quat) - yawOf(this.tcp().quat);
    const base = yawClosingAlong(theta, cur);
    let best = base, bestCost = Infinity;
    for (let k = 0; k < 4; k++) {
      const y = wrap(base + (k * Math.PI) / 2);
      // Object yaw relative to the volume's axes.
      const a = y + rel - (theta - Math.PI / 2);
      const c = Math.abs(Math.cos(a)), s = Math.abs(Math.sin(a));
      const hx = (o.kind.size[0] / 2) * c + (o.kind.size[1] / 2) * s;
      const hy = (o.kind.size[0] / 2) * s + (o.kind.size[1] / 2) * c;
      const cost = Math.max(0, hx - half[0]) + Math.max(0, hy - half[1]) + 1e-3 * Math.abs(wrap(y - cur));
      if (cost < bestCost - 1e-9) { best = y; bestCost = cost; }
    }
    return best;
  }

  /**
   * Turn a knob: pinch its ridge from above and turn the hand about the knob's (vertical) axis until
   * the knob is on (0.9 rad) or back off (0); with `giveUp`, let go once that fraction of the way is done.
   */
  private turnKnob(id: string, wantOn: boolean, giveUp?: number): Phase[] {
    const goal = wantOn ? 0.9 : 0.0;
    const k = () => this.state.fixture(id).knob!;
    const v0 = this.state.fixture(id).value;
    const turn = goal - v0;
    const gripPose = (): TcpTarget => {
      const kk = k();
      // Fingers close across the ridge.
      let yaw = yawClosingAlong(Math.atan2(kk.along[1], kk.along[0]) + Math.PI / 2, yawOf(this.tcp().quat));
      const worst = (y: number) => Math.max(Math.abs(y), Math.abs(y + turn));
      for (const alt of [yaw - Math.PI, yaw + Math.PI]) if (Math.abs(alt) <= Math.PI && worst(alt) < worst(yaw) - 1e-9) yaw = alt;
      return { pos: [kk.top[0], kk.top[1], kk.top[2] - EXPERT.knobGrip], yaw };
    };
    let locked: TcpTarget = { pos: [0, 0, 0], yaw: 0 };
    let yaw0 = 0;
    return [
      ...this.transit(`turn ${id}: above knob`, () => lift(gripPose(), EXPERT.approach), OPEN, 0.7, 0.01, 150),
      { ...this.moveTo(`turn ${id}: descend`, () => locked, OPEN, 0.3, 0.004, 80), start: () => { locked = gripPose(); } },
      this.actuate(`turn ${id}: grip`, CLOSE, 5),
      {
        name: `turn ${id}: turn`, grip: CLOSE, speed: 0.3, maxSteps: 120,
        start: () => { yaw0 = yawOf(this.tcp().quat) - this.state.fixture(id).value; },
        target: () => {
          const v = this.state.fixture(id).value;
          const step = Math.max(-0.15, Math.min(0.15, goal - v));
          return { pos: locked.pos, yaw: yaw0 + v + step };
        },
        done: giveUp === undefined
          ? () => Math.abs(this.state.fixture(id).value - goal) <= 0.05
          : () => progress(v0, this.state.fixture(id).value, goal) >= giveUp,
      },
      this.actuate(`turn ${id}: release`, OPEN, 4),
      this.rise(`turn ${id}: retreat`, OPEN, () => k().top[2] + 0.1),
    ];
  }

  /** No other object stands in the straight push path of `id` to the region's centre (footprints plus PUSH_CLEARANCE). */
  private pushPathClear(id: string, region: string): boolean {
    const o = this.state.object(id);
    const to = this.state.region(region).center;
    const ra = footprintRadius(o.kind);
    for (const other of this.state.objectIds()) {
      if (other === id) continue;
      const p = this.state.object(other);
      if (p.pos[2] < -0.03) continue;
      if (segmentDistance([o.pos[0], o.pos[1]], to, [p.pos[0], p.pos[1]]) < ra + footprintRadius(p.kind) + PUSH_CLEARANCE) return false;
    }
    return true;
  }

  /** Press the button with the closed fingertips until its state is the wanted one. */
  private press(id: string, wantOn: boolean): Phase[] {
    const cap = () => this.state.fixture(id).capTop!;
    const yaw = 0;
    let top: Vec3 = [0, 0, 0];
    return [
      ...this.transit(`press ${id}: above`, () => ({ pos: [cap()[0], cap()[1], cap()[2] + EXPERT.approach], yaw }), CLOSE, 0.7, 0.01, 150, {
        setup: () => { top = [...cap()] as Vec3; },
      }),
      this.moveTo(`press ${id}: touch`, () => ({ pos: [top[0], top[1], top[2] + 0.004], yaw }), CLOSE, 0.3, 0.003, 80),
      {
        name: `press ${id}: press`, grip: CLOSE, speed: 0.06, maxSteps: 40,
        target: () => ({ pos: [top[0], top[1], top[2] - 0.0085], yaw }),
        done: () => this.state.fixture(id).on === wantOn,
      },
      this.rise(`press ${id}: release`, CLOSE, top[2] + 0.1),
    ];
  }

  /**
   * Push an object along the table into a region with the closed fingers' flat side; with `giveUp`,
   * stop once the object has covered that fraction of the way to the region's edge.
   */
  private push(id: string, region: string, giveUp?: number): Phase[] {
    const r = this.state.region(region);
    const o0 = this.state.object(id);
    const start: Vec3 = [o0.pos[0], o0.pos[1], 0];
    const goal: Vec3 = [r.center[0], r.center[1], 0];
    const dir = norm2([goal[0] - start[0], goal[1] - start[1], 0]);
    // Either way round pushes the same: take the one nearer the wrist's yaw now (a chain's earlier step
    // may have left the hand turned by a quarter; a half turn on the way would be a long wrist swing).
    const yaw = yawFacing(Math.atan2(dir[1], dir[0]), yawOf(this.tcp().quat));
    const k = o0.kind;
    // Half-extent of the object's footprint along the push direction (from its yaw).
    const ax = quatRotate(o0.quat, [1, 0, 0]);
    const c = Math.abs(ax[0] * dir[0] + ax[1] * dir[1]);
    const s = Math.abs(-ax[1] * dir[0] + ax[0] * dir[1]);
    const reach = (k.size[0] / 2) * c + (k.size[1] / 2) * s;
    const contact = reach + GRIPPER.padHalf[0] + 0.002;
    const z = Math.max(0.006, Math.min(0.02, k.size[2] / 2 - 0.01));
    const behind = (extra: number): TcpTarget => {
      const o = this.state.object(id);
      return { pos: [o.pos[0] - dir[0] * (contact + extra), o.pos[1] - dir[1] * (contact + extra), z], yaw };
    };
    // Stop once the object's centre is inside the region by a margin.
    const inside = () => {
      const p = this.state.object(id).pos;
      return Math.abs(p[0] - r.center[0]) <= r.halfExtents[0] - 0.03 && Math.abs(p[1] - r.center[1]) <= r.halfExtents[1] - 0.03;
    };
    let done = inside;
    if (giveUp !== undefined) {
      const edge = rayEntersRect(start, dir, r.center, r.halfExtents);
      done = () => {
        const p = this.state.object(id).pos;
        return (p[0] - start[0]) * dir[0] + (p[1] - start[1]) * dir[1] >= giveUp * edge;
      };
    }
    // Come down 3 cm behind the object, or closer when the palm (3 cm behind the fingers) would land on
    // something there.
    let standoff = 0.03;
    const room = (extra: number): number => {
      const t = behind(extra);
      let least = Infinity;
      const blocks = sceneBlocks(this.state, new Set([id]));
      for (const h of handBlocks(t.pos, t.yaw, 0)) for (const b of blocks) if (b.top > h.bottom + 0.001) least = Math.min(least, gap(h.fp, b.fp));
      return least;
    };
    const chooseStandoff = () => {
      let best = -Infinity;
      for (const extra of [0.03, 0.02, 0.012, 0.006]) {
        const r = room(extra);
        if (r >= EXPERT.graspRoom) { standoff = extra; return; }
        if (r > best + 1e-9) { best = r; standoff = extra; }
      }
    };
    return [
      ...this.transit(`push ${id}: above`, () => lift(behind(standoff), EXPERT.approach), CLOSE, 0.7, 0.01, 150, { setup: chooseStandoff }),
      this.moveTo(`push ${id}: descend`, () => behind(standoff), CLOSE, 0.3, 0.004, 80),
      {
        name: `push ${id}: push`, grip: CLOSE, speed: 0.2, maxSteps: 150,
        target: () => {
          const p = this.tcp().pos;
          // Advance along the push line; steer back onto the line through the object's centre.
          const o = this.state.object(id);
          const lateral = (o.pos[0] - p[0]) * -dir[1] + (o.pos[1] - p[1]) * dir[0];
          return { pos: [p[0] + dir[0] * 0.01 - dir[1] * lateral * 0.5, p[1] + dir[1] * 0.01 + dir[0] * lateral * 0.5, z], yaw };
        },
        done,
      },
      this.moveTo(`push ${id}: back off`, () => behind(0.04), CLOSE, 0.3, 0.006, 30),
      this.rise(`push ${id}: retreat`, CLOSE, 0.15),
    ];
  }
}

/**
 * TCP height above an object's bottom for a top grasp: the pads' centre at the kind's grasp height, or
 * higher so the palm stays `palmClearance` above the object's top, or higher still to put the TCP at
 * least `minTcpAbove` up (for a container's rim), as long as `minPadContact` of pad stays on the object;
 * and never with the fingertips just under a shoulder.
 */
export function graspTcpAbove(k: ObjectState['kind'], minTcpAbove = 0): number {
  // A rim is pinched where its hint says: higher, the pads would leave the wall (the container
  // planner raises the release instead to keep the palm clear).
  if (k.grasp.type === 'rim') return k.grasp.height - GRIPPER.padCentreAboveTcp;
  const top = k.size[2];
  let pad = Math.max(k.grasp.height, top + EXPERT.palmClearance - GRIPPER.padCentreAboveTcp);
  const highest = top - EXPERT.minPadContact + GRIPPER.padCentreAboveTcp;
  if (minTcpAbove > 0) pad = Math.max(pad, Math.min(highest, minTcpAbove + GRIPPER.padCentreAboveTcp));
  let tcp = pad - GRIPPER.padCentreAboveTcp;
  // Fingertips just under a shoulder (a part the fingers close on, ending less than `minPadContact`
  // above them, with more of the object above it) would close on its edge: take the part above it
  // instead, if enough of that is left.
  for (const b of shapeBlocks('k', k.shapes, [0, 0, 0], [0, 0, 0, 1])) {
    if (pointDistance([0, 0], b.fp) >= 0) continue;
    const ledge = b.top - tcp;
    if (ledge > 0 && ledge < EXPERT.minPadContact && b.top + 0.002 <= top - EXPERT.minPadContact) tcp = b.top + 0.002;
  }
  return tcp;
}

/**
 * How far apart the finger pads come down on a rim (m, between the pads): 12 mm either side of the
 * wall, so the inner finger does not sweep what is inside and the outer one keeps off neighbours.
 */
export const RIM_OPENING = RIM_WALL + 0.024;

/** How far around a rim with a handle (a mug, a pan) from its pinch point the expert may pinch it (rad). */
export const RIM_SECTOR = Math.PI / 3;
/** How far (m) the object's centre of mass may lie beside the line the fingers close along on a rim. */
export const RIM_TWIST = 0.01;

/** A rim's centre (the middle of the kind's base), radius and the direction of the kind's pinch point from it. */
function rimOf(k: ObjectState['kind']): { c: Vec2; r: number; theta: number } {
  const c = baseCentre(k);
  const dx = (k.grasp.offset ?? 0) - c[0], dy = -c[1];
  return { c, r: Math.hypot(dx, dy), theta: Math.atan2(dy, dx) };
}

/** The hand's blocks at `t` and the column its palm comes down through from EXPERT.approach above. */
function descentBlocks(t: Vec3, yaw: number, width: number): Block[] {
  const hb = handBlocks(t, yaw, width);
  const palm = hb[hb.length - 1];
  return [...hb, { ...palm, bottom: palm.top, top: palm.top + EXPERT.approach }];
}

/** Gripper command that opens the fingers `width` apart. */
function gripFor(width: number): number {
  return 1 - (2 * Math.min(GRIPPER.maxWidth, width)) / GRIPPER.maxWidth;
}

/** A grasp moved along the object (m, boxes) or turned about it (rad, round things; the point around a rim) from the nominal one. */
interface GraspShift {
  along: number;
  yaw: number;
}
const NO_SHIFT: GraspShift = { along: 0, yaw: 0 };

/**
 * The TCP target that puts the middle of the base of what the hand holds (`held`: its origin, or for
 * a pan with a long handle the pan's middle) where `t` puts the TCP.
 */
function centreHeld(t: TcpTarget, held: Held): TcpTarget {
  const { x, y } = handAxes(t.yaw);
  const b = baseCentre(held.kind);
  const a = t.yaw + held.relYaw;
  const o: Vec2 = [b[0] * Math.cos(a) - b[1] * Math.sin(a), b[0] * Math.sin(a) + b[1] * Math.cos(a)];
  return {
    pos: [t.pos[0] - held.rel[0] * x[0] - held.rel[1] * y[0] - o[0], t.pos[1] - held.rel[0] * x[1] - held.rel[1] * y[1] - o[1], t.pos[2]],
    yaw: t.yaw,
  };
}

/** Fraction of the way a sabotaged expert lets a drawer, door or push get before it gives up. */
const SABOTAGE_FRACTION = 0.3;
/** How high (m) a sabotaged expert lifts an object before it lets it drop. */
const SABOTAGE_LIFT = 0.06;

/** Fraction of the way from `from` to `goal` covered at `now` (1 when there is no way to go). */
function progress(from: number, now: number, goal: number): number {
  return Math.abs(goal - from) < 1e-9 ? 1 : (now - from) / (goal - from);
}

/** Distance along unit `dir` from `p` to where the ray enters the axis-aligned rectangle (0 if inside or missed). */
function rayEntersRect(p: ArrayLike<number>, dir: ArrayLike<number>, c: ArrayLike<number>, h: ArrayLike<number>): number {
  let t0 = 0, t1 = Infinity;
  for (let i = 0; i < 2; i++) {
    const lo = c[i] - h[i], hi = c[i] + h[i];
    if (Math.abs(dir[i]) < 1e-12) {
      if (p[i] < lo || p[i] > hi) return 0;
      continue;
    }
    const a = (lo - p[i]) / dir[i], b = (hi - p[i]) / dir[i];
    t0 = Math.max(t0, Math.min(a, b));
    t1 = Math.min(t1, Math.max(a, b));
  }
  return t0 <= t1 ? t0 : 0;
}

function lift(t: TcpTarget, dz: number): TcpTarget {
  return { pos: [t.pos[0], t.pos[1], t.pos[2] + dz], yaw: t.yaw };
}

function norm2(v: Vec3): Vec3 {
  const n = Math.hypot(v[0], v[1]);
  return [v[0] / n, v[1] / n, 0];
}

/** Rotate a point about the vertical hinge line by `angle` in the door's opening direction (about -z). */
/** The fingertips push a door this high above its bottom edge, the palm (4.5 cm above them) clearing its top. */
const DOOR_PUSH_HEIGHT = 0.165;

function add3(a: ArrayLike<number>, b: ArrayLike<number>): Vec3 {
  return [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
}

function rotateAboutHinge(p: ArrayLike<number>, hinge: ArrayLike<number>, angle: number, z: number): Vec3 {
  const dx = p[0] - hinge[0], dy = p[1] - hinge[1];
  const c = Math.cos(-angle), s = Math.sin(-angle);
  return [hinge[0] + dx * c - dy * s, hinge[1] + dx * s + dy * c, z];
}

/** The atoms a goal asks to make true, in order (And is a sequence; Or takes its first branch). */
export function goalAtoms(f: Formula): Atom[] {
  if (f[0] === 'And') return (f.slice(1) as Formula[]).flatMap(goalAtoms);
  if (f[0] === 'Or') return goalAtoms(f[1] as Formula);
  if (f[0] === 'Not') return [];
  return [f as Atom];
}

/** Distance from point p to the segment a-b on the table plane. */
function segmentDistance(a: ArrayLike<number>, b: ArrayLike<number>, p: ArrayLike<number>): number {
  const dx = b[0] - a[0], dy = b[1] - a[1];
  const t = Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / (dx * dx + dy * dy || 1)));
  return Math.hypot(a[0] + t * dx - p[0], a[1] + t * dy - p[1]);
}
