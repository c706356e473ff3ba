// Failure labels, decided from simulator state: what the runner traces during one task (grasps,
// releases, penetrations, IK trouble, how the other objects moved) and the rules that turn a failed
// task's trace into exactly one label. The rules, first match wins:
//   1. policy_error         the policy threw, or returned a NaN/Inf or wrong-shaped action
//   2. precondition_broken  the step was not possible in the state the earlier steps left (not attempted)
//   3. unreachable          IK missed its target by > unreachableErr for unreachableSteps control steps in a row
//   4. slip_drop            the moved object left the hand in the air (bottom > dropHeight above the table and
//                           > dropAway from its destination): a slip or a drop in transit
//   5. wrong_object         an object the task does not name was grasped
//   6. knocked_over         an object the task does not name moved > knockMove or toppled past knockTilt, or a
//                           fixture it does not name was switched or moved > fixtureMove
//   7. grasp_miss           the object to move (On/In goals) was never grasped
//   8. collision            the arm went deeper than PENETRATION_TOLERANCE into the table, a fixture or an object
//                           (and none of the above explains the failure)
//   9. wrong_place          the object was moved and set down (or pushed > pushMoved) but the goal does not hold
//  10. timeout_no_progress  anything else: the budget ran out (fixtures not operated, button not pressed...)
// Causes that leave evidence in the world (a drop, a knocked object, a missed grasp) rank above a brief
// penetration, which noisy hands produce often without it deciding the outcome.
import type { Atom, Formula, Vec3 } from '../scenes/types.ts';
import type { Env, StepInfo } from '../sim/env.ts';
import { quatRotate } from '../sim/kinematics.ts';
import type { FailureLabel } from './records.ts';

export const FAILURE_RULES = {
  /** IK position error that counts as a miss (m), and how many control steps in a row make it unreachable. */
  unreachableErr: 0.01,
  unreachableSteps: 10,
  /** A release with the object's bottom this high above the table top (m) ... */
  dropHeight: 0.03,
  /** ... and this far (xy, m) from its destination is a slip or drop. */
  dropAway: 0.06,
  /** A non-target object that moved this far (xy, m) or tilted past this angle was knocked. */
  knockMove: 0.03,
  knockTilt: (30 * Math.PI) / 180,
  /** A drawer or door the task does not name that moved this far (m or rad) was disturbed. */
  fixtureMove: 0.02,
  /** A pushed object that moved this far (m) was pushed (a failed push is then wrong_place). */
  pushMoved: 0.02,
};

interface Pose2 {
  pos: Vec3;
  up: number;
}

/** What happened during one task, gathered control step by control step. */
export class TaskTrace {
  /** The object the goal moves (first argument of On/In/InRegion), if any. */
  readonly mover: string | null;
  readonly destination: string | null;
  readonly named: Set<string>;
  private readonly graspable: Set<string>;
  private readonly start = new Map<string, Pose2>();
  private readonly fixtureStart = new Map<string, { value: number; on: boolean }>();
  private prevGrasped = new Set<string>();
  readonly everGrasped = new Set<string>();
  drops = 0;
  releases = 0;
  penetrationSteps = 0;
  private ikStreak = 0;
  ikStreakMax = 0;
  policyError: string | null = null;

  constructor(private readonly env: Env, goal: Formula, objectsOfInterest: readonly string[]) {
    const atom = firstAtom(goal);
    const moves = atom && (atom[0] === 'On' || atom[0] === 'In' || atom[0] === 'InRegion');
    this.mover = moves ? String(atom[1]) : null;
    this.destination = moves && atom[0] !== 'InRegion' ? String(atom[2]) : null;
    this.named = new Set(objectsOfInterest);
    const w = env.world;
    this.graspable = new Set([...w.objects.keys()].filter((id) => env.privileged.object(id).kind.graspable));
    for (const id of w.objects.keys()) this.start.set(id, pose2(env, id));
    for (const [id, f] of w.fixtures) this.fixtureStart.set(id, { value: f.value(), on: f.on });
    this.prevGrasped = this.graspedNow();
  }

  private graspedNow(): Set<string> {
    const out = this.env.world.graspedObjects();
    for (const id of out) if (!this.graspable.has(id)) out.delete(id);
    return out;
  }

  /** Call after every control step. */
  observe(info: StepInfo): void {
    if (info.penetrations.length) this.penetrationSteps++;
    if (info.ik.posErr > FAILURE_RULES.unreachableErr && !info.ik.converged) this.ikStreak++;
    else this.ikStreak = 0;
    this.ikStreakMax = Math.max(this.ikStreakMax, this.ikStreak);
    const now = this.graspedNow();
    for (const id of now) this.everGrasped.add(id);
    for (const id of this.prevGrasped) {
      if (now.has(id)) continue;
      this.releases++;
      // Pushes are not carried: fingers leaving a pushed object is not a drop.
      if (id === this.mover && this.destination !== null && this.isDrop(id)) this.drops++;
    }
    this.prevGrasped = now;
  }

  private isDrop(id: string): boolean {
    const { pos } = this.env.world.objectPose(id);
    if (pos[2] < FAILURE_RULES.dropHeight) return false;
    const d = this.destinationXY();
    return !d || Math.hypot(pos[0] - d[0], pos[1] - d[1]) > FAILURE_RULES.dropAway;
  }

  private destinationXY(): [number, number] | null {
    const dest = this.destination;
    if (!dest) return null;
    const w = this.env.world;
    if (w.objects.has(dest)) {
      const p = w.objectPose(dest).pos;
      return [p[0], p[1]];
    }
    const f = w.fixtures.get(dest);
    if (!f) return null;
    const p = f.partPose().pos;
    return [p[0], p[1]];
  }

  /**
   * Objects the task does not name that moved or toppled since the task started, and fixtures it does
   * not name that it switched or moved (a button pressed on the way, a drawer dragged along).
   */
  disturbed(): string[] {
    const out: string[] = [];
    for (const [id, s] of this.fixtureStart) {
      if (this.named.has(id)) continue;
      const f = this.env.world.fixtures.get(id)!;
      if (f.on !== s.on || (f.kind !== 'button' && Math.abs(f.value() - s.value) > FAILURE_RULES.fixtureMove)) out.push(id);
    }
    for (const [id, s] of this.start) {
      if (this.named.has(id)) continue;
      const now = pose2(this.env, id);
      const moved = Math.hypot(now.pos[0] - s.pos[0], now.pos[1] - s.pos[1]) > FAILURE_RULES.knockMove;
      const toppled = s.up >= Math.cos(FAILURE_RULES.knockTilt) && now.up < Math.cos(FAILURE_RULES.knockTilt);
      if (moved || toppled) out.push(id);
    }
    return out;
  }

  /** How far the mover travelled (xy, m) since the task started. */
  moverTravel(): number {
    if (!this.mover) return 0;
    const s = this.start.get(this.mover)!.pos;
    const p = this.env.world.objectPose(this.mover).pos;
    return Math.hypot(p[0] - s[0], p[1] - s[1]);
  }

  /** The one label for a task that ended without reaching its goal. */
  label(): FailureLabel {
    if (this.policyError !== null) return 'policy_error';
    if (this.ikStreakMax >= FAILURE_RULES.unreachableSteps) return 'unreachable';
    if (this.drops > 0) return 'slip_drop';
    if ([...this.everGrasped].some((id) => !this.named.has(id))) return 'wrong_object';
    if (this.disturbed().length) return 'knocked_over';
    const pushed = this.mover !== null && this.destination === null;
    if (this.mover && !pushed && !this.everGrasped.has(this.mover)) return 'grasp_miss';
    if (this.penetrationSteps > 0) return 'collision';
    if (this.mover && (pushed ? this.moverTravel() > FAILURE_RULES.pushMoved : !this.prevGrasped.has(this.mover))) return 'wrong_place';
    return 'timeout_no_progress';
  }
}

function firstAtom(f: Formula): Atom | null {
  if (f[0] === 'And' || f[0] === 'Or') return f.length > 1 ? firstAtom(f[1] as Formula) : null;
  if (f[0] === 'Not') return null;
  return f as Atom;
}

function pose2(env: Env, id: string): Pose2 {
  const { pos, quat } = env.world.objectPose(id);
  return { pos, up: quatRotate(quat, [0, 0, 1])[2] };
}
