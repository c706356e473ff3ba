// What `chaingap view` serves from a run directory: an index of every recorded chain run under it
// (a run's out, a sweep's or a CI suite's cells), and per recording a playback: the viewer's scene
// (sim/viewer-scene.ts, rebuilt from the recording's resolved scene exactly as the simulation built
// it) and every body's pose at every recorded frame, with the steps, instructions, outcomes, labels and
// physics-health events.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { OodLevels } from '../../scenes/ood.ts';
import { showFrame } from '../../sim/replay.ts';
import { viewerScene, type ViewerScene } from '../../sim/viewer-scene.ts';
import { CONTROL_HZ, SimWorld } from '../../sim/world.ts';
import { readRecording, recordedFrame, type RecordedEvent, type RecordedStep, type Recording } from './recording.ts';

/** One recorded chain run as the viewer's chain list shows it. */
export interface ViewIndexEntry {
  /** Path of the recording relative to the served directory, with "/" separators: the chain's key in the viewer. */
  path: string;
  runId: string;
  chainId: string;
  repeat: number;
  seed: number;
  scene: string;
  /** Steps in the chain (the run may have stopped before the last). */
  length: number;
  /** The policy of the run (its config.json), when known. */
  policy: string | null;
  /** OOD levels of the run ({} in the controlled setting). */
  ood: OodLevels;
  steps: { task: string; instruction: string; success: boolean; failure?: string }[];
  failed: boolean;
  frames: number;
  bytes: number;
  /** Whether it can be shown (version 2 recordings keep the resolved scene). */
  playable: boolean;
}

/** A recorded chain run ready to play: its scene and the bodies' poses per frame. */
export interface ViewPlayback extends Omit<ViewIndexEntry, 'bytes'> {
  /** Control rate of `t` (Hz). */
  controlHz: number;
  /** Control step of each frame. */
  t: Int32Array;
  gripper: Float32Array;
  viewerScene: ViewerScene;
  /** 7 floats per body per frame (x, y, z, qx, qy, qz, qw). */
  poses: Float32Array;
  recordedSteps: RecordedStep[];
  events: RecordedEvent[];
}

const SKIP = new Set(['node_modules', '.git', 'sheets']);
/** Index entries by file, kept while its size and mtime stay the same: listing does not decode a recording twice. */
const entries = new Map<string, { size: number; mtimeMs: number; root: string; entry: ViewIndexEntry | null }>();

/** Every recording under `dir` (depth-limited walk), in path order. */
export function listRecordings(dir: string, maxDepth = 6): ViewIndexEntry[] {
  const root = path.resolve(dir);
  const out: ViewIndexEntry[] = [];
  const walk = (d: string, depth: number) => {
    let names: string[];
    try { names = readdirSync(d).sort(); } catch { return; }
    for (const name of names) {
      const full = path.join(d, name);
      let st;
      try { st = statSync(full); } catch { continue; }
      if (st.isDirectory()) {
        if (!SKIP.has(name) && depth < maxDepth) walk(full, depth + 1);
      } else if (name.endsWith('.msgpack') && path.basename(d) === 'recordings') {
        let c = entries.get(full);
        if (!c || c.size !== st.size || c.mtimeMs !== st.mtimeMs || c.root !== root) {
          let entry: ViewIndexEntry | null = null;
          try {
            entry = indexEntry(root, full, readRecording(full), st.size);
          } catch {
            // A file that is not a readable recording (torn, other version) is left out of the list.
          }
          entries.set(full, (c = { size: st.size, mtimeMs: st.mtimeMs, root, entry }));
        }
        if (c.entry) out.push(c.entry);
      }
    }
  };
  walk(root, 0);
  return out;
}

function runPolicy(recordingsDir: string): string | null {
  const cfg = path.join(path.dirname(recordingsDir), 'config.json');
  if (!existsSync(cfg)) return null;
  try {
    const c = JSON.parse(readFileSync(cfg, 'utf8')) as { policy?: unknown };
    return typeof c.policy === 'string' ? c.policy : null;
  } catch {
    return null;
  }
}

function indexEntry(root: string, file: string, rec: Recording, bytes: number): ViewIndexEntry {
  return {
    path: path.relative(root, file).split(path.sep).join('/'),
    runId: rec.runId, chainId: rec.chainId, repeat: rec.repeat, seed: rec.seed, scene: rec.scene, length: rec.length ?? rec.steps.length,
    policy: runPolicy(path.dirname(file)),
    ood: rec.world?.ood?.levels ?? {},
    steps: rec.steps.map((s) => ({ task: s.task, instruction: s.instruction, success: s.success, ...(s.failure ? { failure: s.failure } : {}) })),
    failed: rec.steps.some((s) => !s.success),
    frames: rec.t.length, bytes, playable: !!rec.world,
  };
}

/** The playback of one recording file (`root` is the served directory the entry's path is relative to). */
export async function recordingPlayback(root: string, file: string): Promise<ViewPlayback> {
  const rec = readRecording(file);
  if (!rec.world) throw new Error(`${file}: recording version ${rec.version} has no resolved scene; record the run again to view it`);
  const world = await SimWorld.create(rec.world);
  try {
    const n = rec.t.length;
    showFrame(world, recordedFrame(rec, 0));
    const { scene, poses } = viewerScene(world);
    const all = new Float32Array(n * 7 * scene.bodies);
    for (let i = 0; i < n; i++) {
      showFrame(world, recordedFrame(rec, i));
      poses(all.subarray(i * 7 * scene.bodies, (i + 1) * 7 * scene.bodies));
    }
    const { bytes: _bytes, ...entry } = indexEntry(path.resolve(root), file, rec, 0);
    return { ...entry, controlHz: CONTROL_HZ, t: rec.t, gripper: rec.gripper, viewerScene: scene, poses: all, recordedSteps: rec.steps, events: rec.events };
  } finally {
    world.free();
  }
}
