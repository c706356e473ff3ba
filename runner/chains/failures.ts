// Failure labels, decided from simulator state: what the runner traces during one task, control step
// by control step (grasps, releases, penetrations, IK trouble, physics health, how the other objects
// moved), recording WHEN each possible cause first showed, and the rules that turn a failed task's
// trace into exactly one label.
//
// Which atom failed: a goal of several atoms (two objects in one basket, two mugs on two plates, close
// the drawer after putting something in it) is judged by its first atom, in goal order, that does not
// hold at the end (the first atom if all do). That atom's object (`mover`: the first argument of On,
// In, InRegion or Grasped) and destination decide grasp_miss, slip_drop and wrong_place.
//
// The rules:
//   1. policy_error         the policy threw, or returned a NaN/Inf or wrong-shaped action (always first)
//   2. precondition_broken  the step was not possible in the state the earlier steps left (set by the
//                           chain runner; the step is not attempted)
//   Causes that leave evidence in the world; the EARLIEST wins (ties in this order):
//   3. unreachable          IK missed its target by > unreachableErr for unreachableSteps control steps in a
//                           row (time: the first step of that streak)
//   4. slip_drop            the mover left the hand in the air (bottom > dropHeight above the table and
//                           > dropAway from its destination): a slip or a drop in transit (time: the release)
//   5. wrong_object         an object the task does not name was grasped (time: that grasp)
//   6. knocked_over         an object the task does not name moved > knockMove or left its stable pose
//                           (scenes/stable-poses.ts) by > knockTilt, or a fixture it does not name was
//                           switched or moved > fixtureMove, and it still is at the end (time: when it
//                           first was)
//   7. grasp_miss           the mover (On/In/Grasped) was never grasped (time: the first time the fingers
//                           closed on nothing since the hand last let go of something, else the end)
//   Otherwise:
//   8. collision            the arm went deeper than PENETRATION_TOLERANCE into the table, a fixture or an
//                           object (time: the first such step)
//   9. wrong_place          the mover was set down (or pushed > pushMoved) but its atom does not hold
//                           (time: the end, where it is judged)
//  10. timeout_no_progress  anything else: the budget ran out (time: the end)
//  And over all of 3-10:
//      sim_unstable         the simulator, not the policy, produced the outcome: a control step reported
//                           `info.health.unstable` (sim/physics-health.ts) no later than the cause the rules
//                           above pick. An artefact after the policy had already failed does not relabel it.
// A brief penetration ranks below the causes with evidence in the world because noisy hands produce
// them often without deciding the outcome. Steps also record `disturbed` (rule 6's objects, also on
// success), which is how a later `precondition_broken` is traced to its cause.
import { resolveFixtureRef } from '../../scenes/fixture-refs.ts';
import { getObjectKind } from '../../scenes/objects.ts';
import { angleToClass, nearestStablePose, upInObjectFrame } from '../../scenes/stable-poses.ts';
import type { Atom, Formula, ObjectKind, Quat, Vec3 } from '../../scenes/types.ts';
import type { Env, StepInfo } from '../../sim/env.ts';
import { quatRotate } from '../../sim/kinematics.ts';
import type { FailureLabel } from '../results/records.ts';

export const FAILURE_RULES = {
  /** IK position error that counts as a miss (m), and how many control steps in a row make it unreachable. */
  unreachableErr: 0.01,
  unreachableSteps: 10,
  /** A release with the object's bottom this high above the table top (m) ... */
  dropHeight: 0.03,
  /** ... and this far (xy, m) from its destination is a slip or drop. */
  dropAway: 0.06,
  /** A non-target object whose centre moved this far (xy, m), or that tilted this far away from the stable
   *  pose it started in (any pose its shape cannot tell apart from it counts as the same), was knocked. */
  knockMove: 0.03,
  knockTilt: (30 * Math.PI) / 180,
  /** A drawer or door the task does not name that moved this far (m or rad) was disturbed. */
  fixtureMove: 0.02,
  /** A pushed object that moved this far (m) was pushed (a failed push is then wrong_place). */
  pushMoved: 0.02,
  /** Fingers closer than this (m) with nothing between them closed on nothing: a grasp that missed. */
  emptyClose: 0.004,
};

/** How an object started a task: its centre on the table and which stable pose it rested in. */
interface StartPose {
  kind: ObjectKind;
  xy: [number, number];
  /** Class of its stable pose (scenes/stable-poses.ts), or null if it was not resting in one (leaning). */
  cls: number | null;
  /** The world's up in the object's frame (compared directly when `cls` is null). */
  up: Vec3;
}

/** An atom that moves an object: On/In carry it to `destination`, InRegion pushes it, Grasped only picks it. */
interface Move {
  mover: string;
  destination: string | null;
  pushed: boolean;
}

/** The moving part of an atom, or null for atoms that move nothing (fixtures, Upright, Near). */
function moveOf(atom: Atom): Move | null {
  const [name, a, b] = atom;
  if (name === 'On' || name === 'In') return { mover: String(a), destination: String(b), pushed: false };
  if (name === 'InRegion') return { mover: String(a), destination: null, pushed: true };
  if (name === 'Grasped') return { mover: String(a), destination: null, pushed: false };
  return null;
}

/** What happened during one task, gathered control step by control step. */
export class TaskTrace {
  readonly named: Set<string>;
  /** The goal's atoms outside any Not, in goal order. */
  readonly atoms: Atom[];
  private readonly moves: Move[];
  private readonly graspable: Set<string>;
  private readonly start = new Map<string, StartPose>();
  private readonly fixtureStart = new Map<string, { value: number; on: boolean }>();
  private prevGrasped = new Set<string>();
  readonly everGrasped = new Set<string>();
  /** Control steps observed (StepInfo.steps of the last one). */
  step = 0;
  policyError: string | null = null;
  private ikStreak = 0;
  // When each cause first showed (control step, 1-based as StepInfo.steps), null if it never did.
  unstableAt: number | null = null;
  unreachableAt: number | null = null;
  wrongObjectAt: number | null = null;
  penetrationAt: number | null = null;
  /** Per mover: its first drop in transit. */
  readonly dropAt = new Map<string, number>();
  /** Per object or fixture the task does not name: when it was first seen disturbed. */
  readonly disturbedAt = new Map<string, number>();
  /** Fingers closed on nothing: the first time after the hand last let go of something (or ever). */
  emptyCloseAt: number | null = null;
  private lastLetGo = 0;
  private fingersApart: boolean;

  constructor(private readonly env: Env, goal: Formula, objectsOfInterest: readonly string[]) {
    this.atoms = positiveAtoms(goal);
    this.moves = this.atoms.map(moveOf).filter((m): m is Move => m !== null);
    this.named = new Set(objectsOfInterest);
    const w = env.world;
    this.graspable = new Set([...w.objects.keys()].filter((id) => env.privileged.object(id).kind.graspable));
    for (const id of w.objects.keys()) this.start.set(id, this.startPose(id));
    for (const f of w.fixtures.values()) for (const p of f.parts) this.fixtureStart.set(p.key, { value: p.value(), on: p.on });
    this.prevGrasped = this.graspedNow();
    this.fingersApart = w.robot.gripperWidth() >= FAILURE_RULES.emptyClose;
  }

  private startPose(id: string): StartPose {
    const kind = getObjectKind(this.env.world.objects.get(id)!.kind);
    const { quat } = this.env.world.objectPose(id);
    const near = nearestStablePose(kind, quat);
    return { kind, xy: this.centreXY(id), cls: near && near.angle <= FAILURE_RULES.knockTilt ? near.pose.cls : null, up: upInObjectFrame(quat) };
  }

  private centreXY(id: string): [number, number] {
    const { pos, quat } = this.env.world.objectPose(id);
    const h = getObjectKind(this.env.world.objects.get(id)!.kind).size[2] / 2;
    const c = quatRotate(quat, [0, 0, h]);
    return [pos[0] + c[0], pos[1] + c[1]];
  }

  private graspedNow(): Set<string> {
    const out = this.env.world.graspedObjects();
    for (const id of out) if (!this.graspable.has(id)) out.delete(id);
    return out;
  }

  /** Call after every control step. */
  observe(info: StepInfo): void {
    const t = info.steps;
    this.step = t;
    if (info.health.unstable.length && this.unstableAt === null) this.unstableAt = t;
    if (info.penetrations.length && this.penetrationAt === null) this.penetrationAt = t;
    if (info.ik.posErr > FAILURE_RULES.unreachableErr && !info.ik.converged) this.ikStreak++;
    else this.ikStreak = 0;
    if (this.ikStreak >= FAILURE_RULES.unreachableSteps && this.unreachableAt === null) this.unreachableAt = t - this.ikStreak + 1;
    const now = this.graspedNow();
    for (const id of now) {
      this.everGrasped.add(id);
      if (!this.named.has(id) && this.wrongObjectAt === null) this.wrongObjectAt = t;
    }
    for (const id of this.prevGrasped) {
      if (now.has(id)) continue;
      this.lastLetGo = t;
      // Pushes are not carried: fingers leaving a pushed object is not a drop.
      const move = this.moves.find((m) => m.mover === id && m.destination !== null);
      if (move && !this.dropAt.has(id) && this.isDrop(id, move.destination!)) this.dropAt.set(id, t);
    }
    // A closing, not a state: fingers that start the task closed (after pressing a button) missed nothing.
    const apart = this.env.world.robot.gripperWidth() >= FAILURE_RULES.emptyClose;
    if (this.fingersApart && !apart && now.size === 0 && (this.emptyCloseAt === null || this.emptyCloseAt < this.lastLetGo)) this.emptyCloseAt = t;
    this.fingersApart = apart;
    this.prevGrasped = now;
    for (const id of this.disturbedNow()) if (!this.disturbedAt.has(id)) this.disturbedAt.set(id, t);
  }

  private isDrop(id: string, destination: string): boolean {
    const { pos } = this.env.world.objectPose(id);
    if (pos[2] < FAILURE_RULES.dropHeight) return false;
    const d = this.destinationXY(destination);
    return !d || Math.hypot(pos[0] - d[0], pos[1] - d[1]) > FAILURE_RULES.dropAway;
  }

  private destinationXY(dest: string): [number, number] | null {
    const w = this.env.world;
    if (w.objects.has(dest)) {
      const p = w.objectPose(dest).pos;
      return [p[0], p[1]];
    }
    const ref = resolveFixtureRef(w.scene.spec.fixtures, dest);
    if (!ref) return null;
    const f = w.fixtures.get(ref.fixture.id)!;
    const p = ref.region ? f.regionFrame(ref.region).pos : [f.spec.pos[0], f.spec.pos[1]];
    return [p[0], p[1]];
  }

  /** Whether an object is knocked now: its centre moved, or it left the stable pose it started in. */
  private knocked(id: string, s: StartPose): boolean {
    const xy = this.centreXY(id);
    if (Math.hypot(xy[0] - s.xy[0], xy[1] - s.xy[1]) > FAILURE_RULES.knockMove) return true;
    const { quat } = this.env.world.objectPose(id);
    if (s.cls !== null) return angleToClass(s.kind, s.cls, quat as Quat) > FAILURE_RULES.knockTilt;
    const up = upInObjectFrame(quat as Quat);
    const cos = up[0] * s.up[0] + up[1] * s.up[1] + up[2] * s.up[2];
    return Math.acos(Math.max(-1, Math.min(1, cos))) > FAILURE_RULES.knockTilt;
  }

  private disturbedNow(): string[] {
    const out: string[] = [];
    for (const f of this.env.world.fixtures.values()) {
      if (this.named.has(f.spec.id)) continue;
      for (const p of f.parts) {
        if (this.named.has(p.key)) continue;
        const s = this.fixtureStart.get(p.key)!;
        // A spring-loaded button comes back by itself: only its on/off state counts.
        if (p.on !== s.on || (!p.def.spring && Math.abs(p.value() - s.value) > FAILURE_RULES.fixtureMove)) out.push(p.key);
      }
    }
    for (const [id, s] of this.start) if (!this.named.has(id) && this.knocked(id, s)) out.push(id);
    return out;
  }

  /**
   * Objects the task does not name that moved or left their stable pose since the task started, and
   * fixtures it does not name that it switched or moved (a button pressed on the way, a drawer dragged along).
   */
  disturbed(): string[] {
    return this.disturbedNow();
  }

  /** How far an object's centre travelled (xy, m) since the task started. */
  travel(id: string): number {
    const s = this.start.get(id)!.xy;
    const p = this.centreXY(id);
    return Math.hypot(p[0] - s[0], p[1] - s[1]);
  }

  /** The atom the failure is judged by: the first, in goal order, that does not hold now (else the first). */
  failingAtom(): Atom | null {
    return this.atoms.find((a) => !this.env.holds(a)) ?? this.atoms[0] ?? null;
  }

  /** The one label for a task that ended without reaching its goal. */
  label(): FailureLabel {
    if (this.policyError !== null) return 'policy_error';
    const { label, at } = this.cause();
    return this.unstableAt !== null && this.unstableAt <= at ? 'sim_unstable' : label;
  }

  /** The label rules 3-10 pick, and when that cause showed. */
  cause(): { label: FailureLabel; at: number } {
    const atom = this.failingAtom();
    const move = atom ? moveOf(atom) : null;
    const end = this.step;
    const stillDisturbed = this.disturbedNow();
    const knockedAt = stillDisturbed.length ? Math.min(...stillDisturbed.map((id) => this.disturbedAt.get(id) ?? end)) : null;
    const grasps = move !== null && !move.pushed;
    const missed = grasps && !this.everGrasped.has(move.mover);
    const decisive: [FailureLabel, number | null][] = [
      ['unreachable', this.unreachableAt],
      ['slip_drop', move?.destination ? this.dropAt.get(move.mover) ?? null : null],
      ['wrong_object', this.wrongObjectAt],
      ['knocked_over', knockedAt],
      ['grasp_miss', missed ? this.emptyCloseAt ?? end : null],
    ];
    let best: { label: FailureLabel; at: number } | null = null;
    for (const [label, at] of decisive) if (at !== null && (best === null || at < best.at)) best = { label, at };
    if (best) return best;
    if (this.penetrationAt !== null) return { label: 'collision', at: this.penetrationAt };
    // Set down (or pushed) in the wrong place: judged on the state at the end.
    const placed = move !== null && (move.pushed ? this.travel(move.mover) > FAILURE_RULES.pushMoved : move.destination !== null && !this.prevGrasped.has(move.mover));
    return { label: placed ? 'wrong_place' : 'timeout_no_progress', at: end };
  }
}

/** The atoms of a goal outside any Not, in order (what must come true). */
function positiveAtoms(f: Formula): Atom[] {
  if (f[0] === 'And' || f[0] === 'Or') return (f.slice(1) as Formula[]).flatMap(positiveAtoms);
  if (f[0] === 'Not') return [];
  return [f as Atom];
}
