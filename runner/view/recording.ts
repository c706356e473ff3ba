// Chain trajectories for replay: every object's pose, the arm's joints and gripper, fixture states,
// step boundaries with their instructions and outcomes, and physics-health events, sampled every
// `every` control steps (default 2: 10 Hz) and at every step boundary, stored compactly as msgpack
// with quantised poses (positions in 0.1 mm as int32, quaternions as int16), one file per chain run
// under `<run>/recordings/`. The arm's link poses follow from the joints (sim/kinematics.ts), so
// they are not stored.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decode, encode } from '@msgpack/msgpack';
import type { Env, StepInfo } from '../../sim/env.ts';
import type { ChainRecord, FailureLabel } from '../results/records.ts';
import type { Quat, ResolvedScene, Vec3 } from '../../scenes/types.ts';
import type { ReplayFrame } from '../../sim/replay.ts';

export type RecordMode = 'none' | 'failures' | 'all';
export const RECORD_MODES: readonly RecordMode[] = ['none', 'failures', 'all'];

/** Position quantum (m) and quaternion scale of the stored poses. */
export const RECORDING_QUANTA = { pos: 1e-4, quat: 32767 };
export const RECORDING_VERSION = 2;
/** Versions this chaingap reads: 1 lacks the resolved scene (`world`), so it cannot be rendered. */
const READABLE_VERSIONS = [1, 2];

export interface RecordedStep {
  index: number;
  task: string;
  instruction: string;
  /** Frames at which the step started and ended (indices into the frame arrays). */
  startFrame: number;
  endFrame: number;
  success: boolean;
  failure?: FailureLabel;
}

export interface RecordedEvent {
  /** Frame the event belongs to (the first frame at or after it). */
  frame: number;
  kind: 'sim_unstable' | 'ejected';
  text: string;
}

/** A recording as read back: header, per-frame arrays, steps and events. */
export interface Recording {
  version: number;
  runId: string;
  chainId: string;
  repeat: number;
  seed: number;
  scene: string;
  /** Steps in the chain (a strict run stops at the first failure, so `steps` may hold fewer); absent in older files. */
  length?: number;
  objects: { id: string; kind: string }[];
  /** Fixtures, each with its moving parts' state keys in the order their values are stored. */
  fixtures: { id: string; kind: string; parts: string[] }[];
  /** Control step of each frame (counted over the whole chain). */
  t: Int32Array;
  /** Joint positions, 7 per frame (rad). */
  q: Float32Array;
  /** Gripper opening per frame (m). */
  gripper: Float32Array;
  /** Object positions, 3 per object per frame (m, dequantised). */
  pos: Float32Array;
  /** Object orientations, 4 per object per frame (x, y, z, w). */
  quat: Float32Array;
  /** Joint values of the fixtures' moving parts, one per part (in `fixtures` order) per frame. */
  fixture: Float32Array;
  steps: RecordedStep[];
  events: RecordedEvent[];
  /**
   * The world as the chain's reset resolved it (scene spec, layout, fixtures and their initial values,
   * OOD appearance): what a replay rebuilds the bodies from (version 2 on).
   */
  world?: ResolvedScene;
}

/** What follows a chain run as it goes (runner/chains/chain.ts calls these in order). */
export interface ChainObserver {
  /** The chain's world was just reset. */
  begin(env: Env): void;
  stepStart(index: number, task: string, instruction: string): void;
  /** After each control step of a task. */
  controlStep(info: StepInfo): void;
  stepEnd(success: boolean, failure?: FailureLabel): void;
  /** The chain run is over. */
  end?(): void;
}

/** One observer that calls each of `list` in turn (undefined entries skipped); undefined when none is left. */
export function observeAll(...list: (ChainObserver | undefined)[]): ChainObserver | undefined {
  const obs = list.filter((x): x is ChainObserver => !!x);
  if (obs.length < 2) return obs[0];
  return {
    begin: (env) => obs.forEach((o) => o.begin(env)),
    stepStart: (i, task, instruction) => obs.forEach((o) => o.stepStart(i, task, instruction)),
    controlStep: (info) => obs.forEach((o) => o.controlStep(info)),
    stepEnd: (success, failure) => obs.forEach((o) => o.stepEnd(success, failure)),
    end: () => obs.forEach((o) => o.end?.()),
  };
}

/** Gathers one chain run's trajectory; `keepRecording` decides whether it is written. */
export class ChainRecorder implements ChainObserver {
  private env: Env | null = null;
  private objects: { id: string; kind: string }[] = [];
  private fixtures: { id: string; kind: string; parts: string[] }[] = [];
  private t: number[] = [];
  private q: number[] = [];
  private gripper: number[] = [];
  private pos: number[] = [];
  private quat: number[] = [];
  private fixture: number[] = [];
  private steps: RecordedStep[] = [];
  private events: RecordedEvent[] = [];
  private control = 0;
  private lastFrameAt = -1;

  constructor(private readonly every = 2) {}

  /** The chain's world was just reset. */
  begin(env: Env): void {
    this.env = env;
    const w = env.world;
    this.objects = [...w.objects.values()].map((o) => ({ id: o.id, kind: o.kind }));
    this.fixtures = [...w.fixtures.entries()].map(([id, f]) => ({ id, kind: f.kind, parts: f.parts.map((p) => p.key) }));
    this.frame();
  }

  stepStart(index: number, task: string, instruction: string): void {
    const start = this.frame();
    this.steps.push({ index, task, instruction, startFrame: start, endFrame: start, success: false });
  }

  /** After each control step of a task. */
  controlStep(info: StepInfo): void {
    this.control++;
    const due = this.control % this.every === 0;
    const health = info.health;
    if (due || health.unstable.length || health.ejected.length) this.frame();
    const at = this.t.length - 1;
    for (const text of health.unstable) this.events.push({ frame: at, kind: 'sim_unstable', text });
    for (const id of health.ejected) this.events.push({ frame: at, kind: 'ejected', text: `${id} left the table` });
  }

  stepEnd(success: boolean, failure?: FailureLabel): void {
    const s = this.steps.at(-1);
    if (!s) return;
    s.endFrame = this.frame();
    s.success = success;
    if (failure) s.failure = failure;
  }

  /** Record the current state as a frame (once per control step); its index. */
  private frame(): number {
    if (this.lastFrameAt === this.control && this.t.length) return this.t.length - 1;
    const w = this.env!.world;
    this.t.push(this.control);
    for (const x of w.robot.q) this.q.push(x);
    this.gripper.push(w.robot.gripperWidth());
    for (const o of this.objects) {
      const p = w.objectPose(o.id);
      for (const x of p.pos) this.pos.push(Math.round(x / RECORDING_QUANTA.pos));
      for (const x of p.quat) this.quat.push(Math.round(x * RECORDING_QUANTA.quat));
    }
    for (const f of this.fixtures) for (const p of w.fixtures.get(f.id)!.parts) this.fixture.push(p.value());
    this.lastFrameAt = this.control;
    return this.t.length - 1;
  }

  /** Encode the recording of `rec` (msgpack bytes). */
  encode(rec: ChainRecord): Uint8Array {
    const bytes = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    return encode({
      version: RECORDING_VERSION, runId: rec.runId, chainId: rec.chainId, repeat: rec.repeat, seed: rec.seed,
      scene: this.env!.world.scene.spec.name, length: rec.length, objects: this.objects, fixtures: this.fixtures, world: this.env!.world.scene,
      frames: this.t.length, posQuantum: RECORDING_QUANTA.pos, quatScale: RECORDING_QUANTA.quat,
      t: bytes(Int32Array.from(this.t)), q: bytes(Float32Array.from(this.q)), gripper: bytes(Float32Array.from(this.gripper)),
      pos: bytes(Int32Array.from(this.pos)), quat: bytes(Int16Array.from(this.quat)), fixture: bytes(Float32Array.from(this.fixture)),
      steps: this.steps, events: this.events,
    });
  }
}

/** How many recordings were written and their mean size in bytes (null when none). */
export function recordingsWritten(bytes: readonly number[]): { written: number; meanBytes: number | null } {
  return { written: bytes.length, meanBytes: bytes.length ? Math.round(bytes.reduce((a, b) => a + b, 0) / bytes.length) : null };
}

/** Whether a chain run is kept under `mode`. */
export function keepRecording(mode: RecordMode, rec: ChainRecord): boolean {
  return mode === 'all' || (mode === 'failures' && rec.steps.some((s) => !s.success));
}

/** File of a chain run's recording in a run directory. */
export function recordingPath(dir: string, chainId: string, repeat: number): string {
  return join(dir, 'recordings', `${chainId}-r${repeat}.msgpack`);
}

/** Write a chain run's recording; returns its size in bytes. */
export function writeRecording(dir: string, rec: ChainRecord, recorder: ChainRecorder): number {
  const file = recordingPath(dir, rec.chainId, rec.repeat);
  mkdirSync(join(dir, 'recordings'), { recursive: true });
  const data = recorder.encode(rec);
  writeFileSync(file, data);
  return data.byteLength;
}

/** Read a recording file back (poses dequantised). */
export function readRecording(file: string): Recording {
  const d = decode(readFileSync(file)) as Record<string, unknown>;
  if (!READABLE_VERSIONS.includes(d.version as number)) throw new Error(`${file}: recording version ${String(d.version)}, this chaingap reads ${READABLE_VERSIONS.join(' and ')}`);
  const view = <T>(b: unknown, C: { new (buf: ArrayBuffer): T }): T => {
    // A copy into a buffer of its own (decode may hand out views into the file's bytes, possibly
    // unaligned; Buffer.slice would still share them).
    const u = b as Uint8Array;
    const copy = new Uint8Array(u.byteLength);
    copy.set(u);
    return new C(copy.buffer);
  };
  const posQ = view(d.pos, Int32Array), quatQ = view(d.quat, Int16Array);
  const pq = d.posQuantum as number, qs = d.quatScale as number;
  return {
    version: d.version as number, runId: d.runId as string, chainId: d.chainId as string, repeat: d.repeat as number, seed: d.seed as number,
    scene: d.scene as string, ...(typeof d.length === 'number' ? { length: d.length } : {}), objects: d.objects as Recording['objects'], fixtures: d.fixtures as Recording['fixtures'],
    t: view(d.t, Int32Array), q: view(d.q, Float32Array), gripper: view(d.gripper, Float32Array),
    pos: Float32Array.from(posQ, (x) => x * pq), quat: Float32Array.from(quatQ, (x) => x / qs), fixture: view(d.fixture, Float32Array),
    steps: d.steps as RecordedStep[], events: d.events as RecordedEvent[],
    ...(d.world ? { world: d.world as ResolvedScene } : {}),
  };
}

/** Frame `i` of a recording as the replay places it (sim/replay.ts showFrame). */
export function recordedFrame(rec: Recording, i: number): ReplayFrame {
  const objects = rec.objects.map((ob, k) => {
    const j = i * rec.objects.length + k;
    return { id: ob.id, pos: Array.from(rec.pos.subarray(3 * j, 3 * j + 3)) as Vec3, quat: Array.from(rec.quat.subarray(4 * j, 4 * j + 4)) as Quat };
  });
  const keys = rec.fixtures.flatMap((f) => f.parts);
  const parts = Object.fromEntries(keys.map((key, k) => [key, rec.fixture[i * keys.length + k]]));
  return { q: rec.q.subarray(7 * i, 7 * i + 7), gripper: rec.gripper[i], objects, parts };
}
