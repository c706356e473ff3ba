// chaingap's library API: everything the CLI does is available here as typed functions.
export type * from './scenes/types.ts';
export { OBJECT_KINDS, getObjectKind } from './scenes/objects.ts';
export { loadScene, loadTask, parseScene, parseTask, listScenes, listTasks, findScene, findTask, SpecError } from './scenes/load.ts';
export { resolveScene } from './scenes/layout.ts';

export { Env, ActionError } from './sim/env.ts';
export type { EnvOptions, ResetOptions, StepResult, StepInfo, EnvSnapshot, ObservationRenderer } from './sim/env.ts';
export type { Policy, Observation, EpisodeStart, CameraImage, RobotStateObs } from './sim/policy.ts';
export type { PrivilegedState, ObjectState, FixtureStateView } from './sim/privileged.ts';
export { ACTION_LAYOUT, DELTA_SCALE, type ActionMode } from './sim/controller.ts';
export { PREDICATES, PREDICATE_TOLERANCES, evalFormula } from './sim/predicates.ts';
export { FIXTURE_TOLERANCES } from './sim/fixtures.ts';
export { GRIPPER } from './sim/robot.ts';
export { SimWorld, CONTROL_HZ, PHYSICS_HZ, PENETRATION_TOLERANCE } from './sim/world.ts';
export { fk, solveIk, linkFrames, PANDA_READY, PANDA_LOWER, PANDA_UPPER } from './sim/kinematics.ts';

export { ExpertPolicy, EXPERT } from './policies/expert.ts';

export { runEpisode, type EpisodeResult } from './runner/episode.ts';
export { evaluateTasks, type TaskSummary, type SuiteOptions } from './runner/suite.ts';
export { wilson } from './runner/stats.ts';
