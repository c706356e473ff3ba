// The record of one chain run: what the results store appends, and what every metric is computed from.

/** Failure labels, one per failed step, decided from simulator state (../shared/README.md section 5). */
export type FailureLabel =
  | 'grasp_miss' | 'slip_drop' | 'wrong_object' | 'wrong_place' | 'knocked_over' | 'collision'
  | 'timeout_no_progress' | 'precondition_broken' | 'policy_error' | 'unreachable';

export interface StepRecord {
  /** Position in the chain, 0-based. */
  index: number;
  task: string;
  /** Which phrasing the policy was given (0 = the training instruction). */
  paraphrase: number;
  success: boolean;
  /** Set for failed steps. */
  failure?: FailureLabel;
  /** Control steps used. */
  steps: number;
}

export interface ChainRecord {
  runId: string;
  chainId: string;
  /** Chain-layout seed; repeats of a chain share it and differ in `repeat` (the policy seed). */
  seed: number;
  repeat: number;
  policy: string;
  mode: 'strict' | 'continue';
  /** Number of steps in the chain (N); `steps` may be shorter in strict mode. */
  length: number;
  steps: StepRecord[];
  /** Policy latency per call (ms), summarised. */
  latencyMs: number[];
  /** Wall time of the whole chain (ms). */
  wallMs: number;
}
