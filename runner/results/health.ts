// Physics health of results: the per-control-step StepHealth of sim/physics-health.ts folded into one
// record per task attempt (what chain and baseline records carry), one per chain, and one block per run
// (summary.json's `physicsHealth`, shown by every report), so that a result contaminated by simulator
// artefacts says so at once instead of being read as a policy's failures. A record without `health` was
// written before chaingap measured it: it is counted as not measured, never as healthy.
import type { StepHealth } from '../../sim/physics-health.ts';
import { PENETRATION_TOLERANCE } from '../../sim/world.ts';
import type { BaselineRecord, ChainRecord, HealthRecord, StepRecord } from './records.ts';

/** How many `sim_unstable` reasons a record keeps: the first distinct ones, enough to see what went wrong. */
export const HEALTH_REASONS_KEPT = 3;

/** The health of one task attempt with every field present (TaskOutcome.health). */
export type TaskHealth = Required<HealthRecord>;

/** Folds a task attempt's control steps into one TaskHealth. */
export class HealthTally {
  private readonly h: TaskHealth = { unstableSteps: 0, penetrationSteps: 0, maxPenetration: 0, maxExcessSpeed: 0, ejected: [], unstable: [] };

  add(s: StepHealth): void {
    const h = this.h;
    if (s.unstable.length) h.unstableSteps++;
    if (s.maxPenetration > PENETRATION_TOLERANCE) h.penetrationSteps++;
    h.maxPenetration = Math.max(h.maxPenetration, s.maxPenetration);
    h.maxExcessSpeed = Math.max(h.maxExcessSpeed, s.maxExcessSpeed);
    for (const id of s.ejected) if (!h.ejected.includes(id)) h.ejected.push(id);
    for (const r of s.unstable) if (h.unstable.length < HEALTH_REASONS_KEPT && !h.unstable.includes(r)) h.unstable.push(r);
  }

  result(): TaskHealth {
    return { ...this.h, ejected: [...this.h.ejected], unstable: [...this.h.unstable] };
  }
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

/** A TaskHealth as records store it: depths to 0.01 mm, speeds to 1 mm/s, empty lists left out. */
export function compactHealth(h: TaskHealth): HealthRecord {
  const r: HealthRecord = {
    unstableSteps: h.unstableSteps, penetrationSteps: h.penetrationSteps,
    maxPenetration: round(h.maxPenetration, 5), maxExcessSpeed: round(h.maxExcessSpeed, 3),
  };
  if (h.ejected.length) r.ejected = [...h.ejected];
  if (h.unstable.length) r.unstable = h.unstable.slice(0, HEALTH_REASONS_KEPT);
  return r;
}

/** Several attempts' health as one (a chain's total): counts add up, depths and speeds take the maximum. */
export function mergeHealth(parts: readonly HealthRecord[]): HealthRecord {
  const all: TaskHealth = { unstableSteps: 0, penetrationSteps: 0, maxPenetration: 0, maxExcessSpeed: 0, ejected: [], unstable: [] };
  for (const p of parts) {
    all.unstableSteps += p.unstableSteps;
    all.penetrationSteps += p.penetrationSteps;
    all.maxPenetration = Math.max(all.maxPenetration, p.maxPenetration);
    all.maxExcessSpeed = Math.max(all.maxExcessSpeed, p.maxExcessSpeed);
    for (const id of p.ejected ?? []) if (!all.ejected.includes(id)) all.ejected.push(id);
    for (const r of p.unstable ?? []) if (all.unstable.length < HEALTH_REASONS_KEPT && !all.unstable.includes(r)) all.unstable.push(r);
  }
  return compactHealth(all);
}

/** Physics-health counts of one kind of work in a run: its chain runs, or its baseline episodes. */
export interface PhysicsHealthCounts {
  /** Task attempts (chain steps that were attempted, or baseline episodes) whose health was recorded. */
  measuredAttempts: number;
  /** Attempts recorded without health (written before chaingap measured it): not measured, not healthy. */
  unmeasuredAttempts: number;
  /** Control steps of the measured attempts. */
  controlSteps: number;
  /** Control steps the simulator, not the policy, produced (`sim_unstable`: a body faster than
   *  HEALTH_LIMITS.speed beyond free fall, inside the table or a fixture, or outside the world). */
  unstableSteps: number;
  /** Control steps with an arm penetration deeper than 5 mm (PENETRATION_TOLERANCE). */
  penetrationSteps: number;
  /** Deepest arm penetration (mm, to 0.01 mm); null when nothing was measured. */
  maxPenetrationMm: number | null;
  /** Fastest object speed free fall does not explain (m/s); null when nothing was measured. */
  maxExcessSpeed: number | null;
  /** Objects that left the table volume, counted once per chain run or episode. */
  ejectedObjects: number;
  /**
   * True when any measured control step was `sim_unstable`; null when some attempts were not measured
   * and none of the measured ones was unstable (health unknown); false otherwise.
   */
  contaminated: boolean | null;
  /** The counts in one sentence. */
  note: string;
}

export interface ChainsHealth extends PhysicsHealthCounts {
  chains: number;
  /** Chain runs with at least one `sim_unstable` control step. */
  chainsWithUnstable: number;
}

export interface BaselineHealth extends PhysicsHealthCounts {
  episodes: number;
  /** Baseline episodes with at least one `sim_unstable` control step. */
  episodesWithUnstable: number;
}

/** summary.json's `physicsHealth`. */
export interface PhysicsHealthSummary {
  chains: ChainsHealth;
  baseline: BaselineHealth;
}

/** What the counts are built from: raw sums, before the verdict and the note. */
interface Tally extends Omit<PhysicsHealthCounts, 'contaminated' | 'note'> {
  runs: number;
  withUnstable: number;
}

const emptyTally = (): Tally => ({
  runs: 0, withUnstable: 0, measuredAttempts: 0, unmeasuredAttempts: 0, controlSteps: 0, unstableSteps: 0, penetrationSteps: 0,
  maxPenetrationMm: null, maxExcessSpeed: null, ejectedObjects: 0,
});

const maxOf = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.max(a, b));

/** Adds one attempt; its ejected objects are left to the caller (counted once per chain run or episode). */
function addAttempt(t: Tally, h: HealthRecord | undefined, controlSteps: number): void {
  if (!h) {
    t.unmeasuredAttempts++;
    return;
  }
  t.measuredAttempts++;
  t.controlSteps += controlSteps;
  t.unstableSteps += h.unstableSteps;
  t.penetrationSteps += h.penetrationSteps;
  t.maxPenetrationMm = maxOf(t.maxPenetrationMm, round(h.maxPenetration * 1000, 2));
  t.maxExcessSpeed = maxOf(t.maxExcessSpeed, h.maxExcessSpeed);
}

function addTally(t: Tally, o: Tally): void {
  t.runs += o.runs;
  t.withUnstable += o.withUnstable;
  t.measuredAttempts += o.measuredAttempts;
  t.unmeasuredAttempts += o.unmeasuredAttempts;
  t.controlSteps += o.controlSteps;
  t.unstableSteps += o.unstableSteps;
  t.penetrationSteps += o.penetrationSteps;
  t.maxPenetrationMm = maxOf(t.maxPenetrationMm, o.maxPenetrationMm);
  t.maxExcessSpeed = maxOf(t.maxExcessSpeed, o.maxExcessSpeed);
  t.ejectedObjects += o.ejectedObjects;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function counts(t: Tally, unit: 'chain' | 'episode'): PhysicsHealthCounts {
  const contaminated = t.unstableSteps > 0 ? true : t.unmeasuredAttempts > 0 ? null : false;
  const attempts = t.measuredAttempts + t.unmeasuredAttempts;
  let note: string;
  if (attempts === 0) note = 'no task was attempted';
  else if (t.measuredAttempts === 0) note = `not measured: the ${plural(attempts, 'attempt')} were recorded before chaingap measured physics health`;
  else {
    const head = contaminated
      ? `CONTAMINATED by simulator artefacts: ${plural(t.unstableSteps, 'control step')} of ${t.controlSteps} produced by the simulator, not the policy (sim_unstable), in ${t.withUnstable} of ${plural(t.runs, unit)}`
      : `no sim_unstable control step in ${t.controlSteps}`;
    const rest = [
      `${plural(t.ejectedObjects, 'object')} left the table`,
      `${plural(t.penetrationSteps, 'control step')} with arm penetration > ${PENETRATION_TOLERANCE * 1000} mm (deepest ${(t.maxPenetrationMm ?? 0).toFixed(1)} mm)`,
      `fastest speed free fall does not explain ${(t.maxExcessSpeed ?? 0).toFixed(2)} m/s`,
    ];
    const unknown = t.unmeasuredAttempts ? `; ${t.unmeasuredAttempts} of ${attempts} attempts not measured (recorded before chaingap measured physics health)` : '';
    note = `${head}; ${rest.join('; ')}${unknown}`;
  }
  const { runs: _r, withUnstable: _w, ...c } = t;
  return { ...c, contaminated, note };
}

function chainsBlock(t: Tally): ChainsHealth {
  return { chains: t.runs, chainsWithUnstable: t.withUnstable, ...counts(t, 'chain') };
}

function baselineBlock(t: Tally): BaselineHealth {
  return { episodes: t.runs, episodesWithUnstable: t.withUnstable, ...counts(t, 'episode') };
}

/** Whether a chain step was attempted (a step whose preconditions were broken never ran). */
const attempted = (s: StepRecord) => s.failure !== 'precondition_broken';

/** The physics-health block of a run from its chain and baseline records. */
export function physicsHealth(chains: readonly ChainRecord[], baseline: readonly BaselineRecord[]): PhysicsHealthSummary {
  const c = emptyTally();
  for (const r of chains) {
    c.runs++;
    let unstable = false;
    const ejected = new Set<string>();
    for (const s of r.steps.filter(attempted)) {
      addAttempt(c, s.health, s.steps);
      if (s.health && s.health.unstableSteps > 0) unstable = true;
      for (const id of s.health?.ejected ?? []) ejected.add(id);
    }
    if (unstable) c.withUnstable++;
    c.ejectedObjects += ejected.size;
  }
  const b = emptyTally();
  for (const r of baseline) {
    b.runs++;
    addAttempt(b, r.health, r.steps);
    if (r.health && r.health.unstableSteps > 0) b.withUnstable++;
    b.ejectedObjects += r.health?.ejected?.length ?? 0;
  }
  return { chains: chainsBlock(c), baseline: baselineBlock(b) };
}

const tallyOf = (h: ChainsHealth | BaselineHealth): Tally => ({
  runs: 'chains' in h ? h.chains : h.episodes, withUnstable: 'chains' in h ? h.chainsWithUnstable : h.episodesWithUnstable,
  measuredAttempts: h.measuredAttempts, unmeasuredAttempts: h.unmeasuredAttempts, controlSteps: h.controlSteps, unstableSteps: h.unstableSteps,
  penetrationSteps: h.penetrationSteps, maxPenetrationMm: h.maxPenetrationMm, maxExcessSpeed: h.maxExcessSpeed, ejectedObjects: h.ejectedObjects,
});

/** Several runs' physics health as one (a sweep's total: every cell's chains, each policy's baseline once). */
export function combinePhysicsHealth(chains: readonly ChainsHealth[], baseline: readonly BaselineHealth[]): PhysicsHealthSummary {
  const c = emptyTally(), b = emptyTally();
  for (const h of chains) addTally(c, tallyOf(h));
  for (const h of baseline) addTally(b, tallyOf(h));
  return { chains: chainsBlock(c), baseline: baselineBlock(b) };
}

/** A short verdict for a table cell: "ok", "CONTAMINATED: ...", "not measured". */
export function healthCell(h: ChainsHealth | BaselineHealth): string {
  const runs = 'chains' in h ? `${h.chainsWithUnstable}/${h.chains} chains` : `${h.episodesWithUnstable}/${h.episodes} episodes`;
  if (h.contaminated) return `CONTAMINATED: ${plural(h.unstableSteps, 'sim_unstable step')} (${runs})`;
  if (h.contaminated === null) return h.measuredAttempts ? `not measured for ${h.unmeasuredAttempts} attempts` : 'not measured';
  const extra = [h.ejectedObjects ? `${h.ejectedObjects} off table` : '', h.penetrationSteps ? `${h.penetrationSteps} pen. > 5 mm` : ''].filter(Boolean).join(', ');
  return extra ? `ok (${extra})` : 'ok';
}

/** The one-line physics-health summary `chaingap run` prints. */
export function healthLine(h: PhysicsHealthSummary): string {
  return `physics health: chains: ${h.chains.note}. baseline: ${h.baseline.note}.`;
}
