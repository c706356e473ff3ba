// The record of one chain run: what the results store appends, and what every metric is computed from.

/** Failure labels, one per failed step, decided from simulator state (rules: runner/chains/failures.ts; docs/metrics.md "Failure labels"). */
export type FailureLabel =
  | 'grasp_miss' | 'slip_drop' | 'wrong_object' | 'wrong_place' | 'knocked_over' | 'collision'
  | 'timeout_no_progress' | 'precondition_broken' | 'policy_error' | 'unreachable' | 'sim_unstable';

/**
 * Physics health of a task attempt (or, on a chain record, of all its attempted steps together), folded
 * from the per-control-step StepHealth of sim/physics-health.ts by runner/results/health.ts. Records written
 * before chaingap measured physics health have no `health`: that means "not measured", never "healthy".
 */
export interface HealthRecord {
  /** Control steps whose state the simulator, not the policy, produced (a `sim_unstable` reason). */
  unstableSteps: number;
  /** Control steps with an arm penetration deeper than PENETRATION_TOLERANCE (5 mm). */
  penetrationSteps: number;
  /** Deepest arm penetration into anything that is not the robot (m, to 0.01 mm). */
  maxPenetration: number;
  /** Fastest object speed that free fall does not explain (m/s, to 1 mm/s). */
  maxExcessSpeed: number;
  /** Objects that left the table volume (omitted when none did). */
  ejected?: string[];
  /** The first few `sim_unstable` reasons (at most HEALTH_REASONS_KEPT; omitted when none). */
  unstable?: string[];
}

export interface StepRecord {
  /** Position in the chain, 0-based. */
  index: number;
  task: string;
  /** Which phrasing the policy was given (0 = the training instruction). */
  paraphrase: number;
  success: boolean;
  /** Set for failed steps. */
  failure?: FailureLabel;
  /** Control steps used (0 for a step that was not attempted because its preconditions were broken). */
  steps: number;
  /** Why the step was not possible, or the policy's error message. */
  note?: string;
  /** Objects the step does not name that it moved or toppled (a side effect, also on success). */
  disturbed?: string[];
  /** Physics health of the attempt (absent when not attempted, and in records from before it was measured). */
  health?: HealthRecord;
}

export interface ChainRecord {
  runId: string;
  chainId: string;
  /** Chain-layout seed; repeats of a chain share it and differ in `repeat` (the policy seed). */
  seed: number;
  repeat: number;
  policy: string;
  mode: 'strict' | 'continue';
  /** The policy's seed for this run (differs between repeats). */
  policySeed: number;
  /** OOD levels the chain ran under (empty: the controlled setting). */
  ood: Record<string, number>;
  /** Number of steps in the chain (N); `steps` may be shorter in strict mode. */
  length: number;
  /** The N task names of the chain, in order (also those never reached). */
  tasks: string[];
  steps: StepRecord[];
  /** Policy latency of every call (ms, 3 decimals). */
  latencyMs: number[];
  /** Physics time of every control step (ms, 3 decimals). */
  simMsPerStep: number[];
  /** Wall time of the whole chain (ms). */
  wallMs: number;
  /** Physics health of all attempted steps together (absent in records from before it was measured). */
  health?: HealthRecord;
}

/** One controlled-baseline episode: a chain's task run alone from a fresh LIBERO-style reset. */
export interface BaselineRecord {
  runId: string;
  task: string;
  /** Episode index within this task's baseline (0-based). */
  episode: number;
  /** Env seed (layout, fixture jitter) and policy seed of the episode. */
  seed: number;
  success: boolean;
  failure?: FailureLabel;
  steps: number;
  /** Physics health of the episode (absent in records from before it was measured). */
  health?: HealthRecord;
}
