// chaingap's library API: everything the CLI does is available here as typed functions.
export type * from './scenes/types.ts';
export { OBJECT_KINDS, getObjectKind } from './scenes/objects.ts';
export { loadScene, loadTask, parseScene, parseTask, listScenes, listTasks, findScene, findTask, SpecError } from './scenes/load.ts';
// Every mistake a user can fix is a UserError (the CLI exits 2 on it); readJsonFile is the checked JSON reader.
export { UserError } from './scenes/errors.ts';
export { readJsonFile, type ReadJsonOptions } from './scenes/json.ts';
export { resolveScene } from './scenes/layout.ts';

export { Env, ActionError } from './sim/env.ts';
export type { EnvOptions, ResetOptions, StepResult, StepInfo, EnvSnapshot, ObservationRenderer } from './sim/env.ts';
export type { Policy, Observation, EpisodeStart, CameraImage, RobotStateObs } from './sim/policy.ts';
export { PolicyUnavailableError } from './sim/policy.ts';
export type { PrivilegedState, ObjectState, FixtureStateView } from './sim/privileged.ts';
export { ACTION_LAYOUT, DELTA_SCALE, type ActionMode } from './sim/controller.ts';
export { PREDICATES, PREDICATE_TOLERANCES, evalFormula } from './sim/predicates.ts';
export { FIXTURE_DEFS, type FixtureDef, type PartDef, type FixtureRegionDef } from './scenes/fixture-defs.ts';
export { GRIPPER } from './sim/robot.ts';
export { SimWorld, CONTROL_HZ, PHYSICS_HZ, PENETRATION_TOLERANCE } from './sim/world.ts';
export { PhysicsHealthMonitor, HEALTH_LIMITS, type StepHealth, type HealthState } from './sim/physics-health.ts';
export { PANDA_TORQUE_LIMIT, STATIC_PENETRATION_ALLOWED, YIELD_DEPTH, pushForceLimit } from './sim/arm-limiter.ts';
export { SUCCESS_RULE } from './sim/success.ts';
export { ActionLatency } from './sim/action-latency.ts';
export { stablePoses, nearestStablePose, STABLE_POSES, type StablePose } from './scenes/stable-poses.ts';
export { fk, solveIk, linkFrames, PANDA_READY, PANDA_LOWER, PANDA_UPPER } from './sim/kinematics.ts';

export { ExpertPolicy, EXPERT } from './policies/expert.ts';

export { runEpisode, type EpisodeResult } from './runner/chains/episode.ts';
export { evaluateTasks, demoTasks, type TaskSummary, type SuiteOptions } from './runner/chains/suite.ts';
export { wilson } from './runner/results/stats.ts';
export { intervalCoverage, type CoverageOptions, type CoverageResult } from './runner/results/interval-coverage.ts';

// Chains: generation, chain files, the symbolic model behind them.
export { generateChains, parseChains, loadChains, checkChainSolvable, DEFAULT_CHAIN_STEPS } from './scenes/chains.ts';
export { sceneFacts, initialState, applyAtom, applyGoal, possibleAtoms, HAND_CLEARANCE } from './scenes/chain-model.ts';
export type { SymbolicState, Place, SceneFacts } from './scenes/chain-model.ts';

// Policies by name, and the calibration policies.
export { parsePolicy, listPolicies, PolicyError, type PolicyEntry, type PolicyHost, type PolicyOpenOptions } from './policies/registry.ts';
export { BernoulliPolicy, bernoulliCoin } from './policies/bernoulli.ts';
export { NoisyExpertPolicy } from './policies/noisy-expert.ts';

// Running chains, the baseline, results and reports.
export { runChains, reportRun, planRun, baselineTasks, deriveSeed, type RunOptions, type RunResult, type RunProgress, type RunConfig, type PolicyCode } from './runner/chains/run.ts';
export { runDemo, DEMO_POLICIES, DEMO_LEARNED_MODEL, DEMO_LEARNED_AXES, type DemoOptions, type DemoResult } from './runner/demo.ts';
export { runChain, type ChainRunOptions, type ChainMode, type ParaphraseMode } from './runner/chains/chain.ts';
// LIBERO's evaluation protocol on a folder of BDDL files (`chaingap libero`).
export * from './runner/libero/libero.ts';
export { runTask, type TaskOutcome, type TaskRunOptions } from './runner/chains/episode.ts';
export { FAILURE_RULES, TaskTrace } from './runner/chains/failures.ts';
export { perceive } from './runner/chains/perceive.ts';
export type { ChainRecord, StepRecord, BaselineRecord, FailureLabel, HealthRecord } from './runner/results/records.ts';
export {
  physicsHealth, combinePhysicsHealth, healthLine, compactHealth, mergeHealth, HealthTally, HEALTH_REASONS_KEPT,
  type PhysicsHealthSummary, type PhysicsHealthCounts, type ChainsHealth, type BaselineHealth, type TaskHealth,
} from './runner/results/health.ts';
export { ResultsStore, ResultsError, AppendLog } from './runner/results/store.ts';
export { summarise, outcomeOf, type RunSummary } from './runner/results/summary.ts';
export * as metrics from './runner/results/metrics.ts';
export { twoProportionTest, fisherExact } from './runner/results/stats.ts';
export { writeReports, renderMarkdown, renderHtml } from './runner/report/report.ts';
export { independenceCurve } from './runner/report/charts.ts';

// Camera observations.
export { RayRenderer, type RendererOptions, type RenderDevice } from './sim/render/renderer.ts';
export { DEFAULT_CAMERAS, cameraRecord, projectPoint, type CameraSpec } from './sim/render/camera.ts';
export { STUDIO_LIGHTING, type Lighting, type LightSpec } from './sim/render/lights.ts';
export { SEG, type Material } from './sim/render/scene-buffer.ts';
export { renderSnapshot } from './sim/render/snapshot.ts';
export { rgbPng, depthPng, depthPreviewPng, depthPreview, turbo, segmentationPng, contactSheet } from './sim/render/images.ts';

// OOD axes and sweeps.
export { OOD_AXES, OOD_MAPPINGS, parseOod, resolveOod, activeLevels, latencySteps, type OodAxis, type OodLevels } from './scenes/ood.ts';
export { parseSweepSpec, loadSweepSpec, runSweep, sweepSettings, settingKey, sweepPhysicsHealth, type SweepSpec, type SweepOptions, type SweepCell, type SweepResultSummary } from './runner/sweep/sweep.ts';
export { writeSweepReport } from './runner/report/sweep-report.ts';
// The queue's functions load BullMQ and ioredis on their first call (importing them takes about half a
// second, which a script that never touches a queue should not pay).
import type { QueueWorkerOptions, QueueWorkerSummary } from './runner/queue/worker.ts';
import type { QueueStatus } from './runner/queue/status-lines.ts';
import type { QueueTarget } from './runner/queue/queue-url.ts';
export type { QueueWorkerOptions, QueueWorkerSummary };
export { statusLines, type QueueStatus } from './runner/queue/status-lines.ts';
/** Run the units of queued sweeps on this machine until stopped (`chaingap worker`; runner/queue/worker.ts). */
export async function runQueueWorker(o: QueueWorkerOptions): Promise<QueueWorkerSummary> {
  return (await import('./runner/queue/worker.ts')).runQueueWorker(o);
}
/** Where a distributed sweep's units are, read from Redis (`chaingap sweep SPEC --queue URL --status`; runner/queue/status.ts). */
export async function queueStatus(t: QueueTarget, sweep: string): Promise<QueueStatus> {
  return (await import('./runner/queue/status.ts')).queueStatus(t, sweep);
}
export type { QueueSweepOptions, FailedUnit } from './runner/queue/collector.ts';
export { QueueError, DEFAULT_QUEUE_NAME, type QueueTarget } from './runner/queue/queue-url.ts';
export { jobIdOf, unitJob, refusalOf, type UnitJob } from './runner/queue/jobs.ts';

// Learned policies: the ONNX host, openpi-protocol remote policies and server, batching.
export type { ChunkModel, CameraNeed } from './policies/chunk-model.ts';
export { OnnxChunkModel, ONNX_DEVICES, type OnnxDevice, type OnnxLoadOptions } from './policies/onnx-model.ts';
export { ManifestSchema, parseManifest, loadManifest, MANIFEST_FORMAT, STATE_PARTS, type OnnxManifest, type StatePart } from './policies/onnx-manifest.ts';
export { GraphBuilder, decodeModel } from './policies/onnx-writer.ts';
export { RemoteChunkModel, type RemoteOptions } from './policies/remote-model.ts';
export { servePolicy, type ServeOptions, type PolicyServer } from './policies/policy-server.ts';
export { LIBERO_PRESET, CHAINGAP_PRESET, PRESETS, presetFromJson, toRequest, fromRequest, type ObsPreset } from './policies/obs-preset.ts';
export { packOpenpi, unpackOpenpi, ndarray, NdArray } from './policies/openpi-codec.ts';
export { ChunkedPolicy, type ChunkedPolicyOptions } from './policies/chunked-policy.ts';
export { BatchGate } from './policies/batch-gate.ts';
export { stateVector } from './policies/state-vector.ts';
export { makeActors, runOnLanes, CameraSet, type Actor } from './runner/chains/actors.ts';

// CI regression jobs.
export { runCi, suiteSweepSpec, jobHash, CiRuntimeError, type CiOptions, type CiResult } from './runner/ci/ci.ts';
export { CiConfigSchema, parseCiConfig, loadCiConfig, CiConfigError, type CiConfig, type ResolvedCiConfig } from './runner/ci/ci-config.ts';
export { CiBaselineSchema, readCiBaseline, writeCiBaseline, CI_BASELINE_FORMAT, type CiBaseline } from './runner/ci/ci-baseline.ts';
export { decideChecks, compareChecks, type CiCheck, type CheckRules, type Floor, type Comparison } from './runner/ci/ci-checks.ts';
export { dropPValue, minimumDetectableDrop, testFor, type Counts } from './runner/ci/ci-compare.ts';
export { chainMetrics, isolatedMetrics, type MetricCounts } from './runner/ci/ci-metrics.ts';
export { ciJunit, ciMarkdown, healthWarning } from './runner/ci/ci-report.ts';
export { fisherLess, zLess, holmAdjust, normalQuantile, binomialCdf } from './runner/results/stats.ts';
export { readRecording, recordingPath, RECORD_MODES, RECORDING_QUANTA, type Recording, type RecordMode, type RecordedStep, type RecordedEvent } from './runner/view/recording.ts';
export { writeVideo, renderRecording, type VideoOptions, type VideoResult } from './runner/view/video.ts';
export { recordedFrame, observeAll, ChainRecorder, type ChainObserver } from './runner/view/recording.ts';
export { startViewer, resolveRunPath, DEFAULT_VIEW_PORT, type ViewServer, type ViewServerOptions } from './runner/view/view-server.ts';
export { startLiveViewer, type LiveViewer } from './runner/view/live-viewer.ts';
export { LiveHub, liveObserver, type LiveMessage, type LivePublisher } from './runner/view/live.ts';
export { listRecordings, recordingPlayback, type ViewIndexEntry, type ViewPlayback } from './runner/view/view-data.ts';
export { buildViewer } from './runner/view/view-bundle.ts';
export { viewerScene, type ViewerScene, type ViewerPrim } from './sim/viewer-scene.ts';
export { sweepOodFrames } from './runner/sweep/ood-frames.ts';
export { collectDemos, type CollectOptions, type CollectResult } from './runner/data/collect.ts';
export { trainPolicy, loadTrained, type TrainOptions, type TrainResult, type EpochLog, type TrainingRecord } from './runner/data/train.ts';
export { checkExport, heldOutSamples, type ExportCheck } from './runner/data/export-check.ts';
export { readDemoDataset, type DemoSample, type DemoDatasetOptions } from './policies/train/demo-dataset.ts';
export { buildVlaModel, type VlaModelSpec } from './policies/train/vla-model.ts';
export { exportVlaOnnx, VLA_ONNX } from './policies/train/onnx-export.ts';
export { buildVocab, encodeWords } from './policies/train/vocab.ts';
export { initTf, type InitTfOptions, type InitTfResult } from './policies/train/tf-backend.ts';
export { LeRobotWriter, dataPath as lerobotDataPath, LEROBOT_CODEBASE_VERSION, IMAGE_KEYS as LEROBOT_IMAGE_KEYS, type DemoFrame } from './runner/data/lerobot-dataset.ts';
export { showFrame, type ReplayFrame } from './sim/replay.ts';
