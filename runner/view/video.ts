// Rollout clips: a recorded chain run (runner/view/recording.ts) rendered with chaingap's own renderer,
// frame by frame from the stored poses (sim/replay.ts), and written as an animated GIF (gifenc, pure
// JS) or, when Debian's ffmpeg is on the PATH, as an H.264 MP4. The instruction and outcome of each
// step are in the recording; the clip shows what the camera saw.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as gifencModule from 'gifenc';
import { CONTROL_HZ, SimWorld } from '../../sim/world.ts';
import { RayRenderer, type RenderDevice } from '../../sim/render/renderer.ts';
import { showFrame } from '../../sim/replay.ts';
import type { CameraImage } from '../../sim/policy.ts';
import { readRecording, recordedFrame, recordingPath, type Recording } from './recording.ts';

export interface VideoOptions {
  /** Run directory holding `recordings/` (a run's out, or a sweep or ci cell directory). */
  dir: string;
  chain: string;
  repeat?: number;
  /** Camera to render (default agentview; `wrist` rides on the hand). */
  camera?: string;
  /** Output file: `.gif`, or `.mp4` (needs ffmpeg on the PATH). */
  out: string;
  width?: number;
  height?: number;
  /** Only frames from `from` to `to` (indices into the recording's frames; default all). */
  from?: number;
  to?: number;
  device?: RenderDevice;
}

export interface VideoResult {
  file: string;
  format: 'gif' | 'mp4';
  frames: number;
  width: number;
  height: number;
  /** Playback rate: the recording's frame rate (control steps per frame at CONTROL_HZ). */
  fps: number;
  bytes: number;
  /** Wall time to render and encode (s). */
  seconds: number;
}

/** The rate a recording's frames were taken at (frames are stored every few control steps): its playback rate. */
export function recordingFps(rec: Recording): number {
  return CONTROL_HZ / (rec.t.length > 1 ? Math.max(1, rec.t[1] - rec.t[0]) : 1);
}

/** The frames of a recorded chain run rendered from `camera`, in order. */
export async function renderRecording(rec: Recording, o: { camera?: string; width?: number; height?: number; from?: number; to?: number; device?: RenderDevice } = {}): Promise<CameraImage[]> {
  if (!rec.world) throw new Error(`recording of chain "${rec.chainId}" repeat ${rec.repeat} has no resolved scene (version ${rec.version}, from before chaingap stored it): record the run again to render it`);
  const camera = o.camera ?? 'agentview';
  const renderer = new RayRenderer({ width: o.width ?? 256, height: o.height ?? 256, device: o.device ?? 'cpu' });
  const world = await SimWorld.create(rec.world);
  try {
    const n = rec.t.length;
    const from = Math.max(0, o.from ?? 0), to = Math.min(n - 1, o.to ?? n - 1);
    const out: CameraImage[] = [];
    for (let i = from; i <= to; i++) {
      showFrame(world, recordedFrame(rec, i));
      out.push(renderer.render(world, [camera])[camera]);
    }
    return out;
  } finally {
    world.free();
  }
}

/** Render a recorded chain run to a clip; see VideoOptions. */
export async function writeVideo(o: VideoOptions): Promise<VideoResult> {
  const t0 = performance.now();
  const file = recordingPath(o.dir, o.chain, o.repeat ?? 0);
  if (!existsSync(file)) throw new Error(`${file}: no recording of chain "${o.chain}" repeat ${o.repeat ?? 0}; run with --record all (or failures) to keep it`);
  const ext = path.extname(o.out).toLowerCase();
  if (ext !== '.gif' && ext !== '.mp4') throw new Error(`--out ${o.out}: the clip's format comes from its extension: .gif or .mp4`);
  if (ext === '.mp4' && !hasFfmpeg()) throw new Error(`--out ${o.out}: mp4 needs ffmpeg on the PATH (Debian: apt-get install ffmpeg); write a .gif instead`);
  const rec = readRecording(file);
  const frames = await renderRecording(rec, o);
  if (!frames.length) throw new Error(`${file}: no frames in the range asked for`);
  const fps = recordingFps(rec);
  mkdirSync(path.dirname(path.resolve(o.out)), { recursive: true });
  const bytes = ext === '.gif' ? gifBytes(frames, fps) : mp4Bytes(frames, fps);
  writeFileSync(o.out, bytes);
  const { width, height } = frames[0];
  return { file: o.out, format: ext === '.gif' ? 'gif' : 'mp4', frames: frames.length, width, height, fps, bytes: bytes.byteLength, seconds: (performance.now() - t0) / 1000 };
}

/** Frames as an animated GIF at `fps` (gifenc; a palette per frame). */
export function gifBytes(frames: readonly CameraImage[], fps: number): Uint8Array {
  // gifenc ships CommonJS (Node: its functions hang off the default export) and an ES module (named exports).
  const m = gifencModule as unknown as typeof gifencModule & { default?: typeof gifencModule };
  const { GIFEncoder, applyPalette, quantize } = typeof m.GIFEncoder === 'function' ? m : m.default!;
  const gif = GIFEncoder();
  const delay = Math.round(1000 / fps);
  for (const f of frames) {
    const rgba = new Uint8Array(f.width * f.height * 4);
    for (let i = 0; i < f.width * f.height; i++) {
      rgba[4 * i] = f.rgb[3 * i]; rgba[4 * i + 1] = f.rgb[3 * i + 1]; rgba[4 * i + 2] = f.rgb[3 * i + 2]; rgba[4 * i + 3] = 255;
    }
    const palette = quantize(rgba, 256);
    gif.writeFrame(applyPalette(rgba, palette), f.width, f.height, { palette, delay });
  }
  gif.finish();
  return gif.bytes();
}

function hasFfmpeg(): boolean {
  return spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' }).status === 0;
}

function mp4Bytes(frames: readonly CameraImage[], fps: number): Uint8Array {
  const { width, height } = frames[0];
  const raw = Buffer.concat(frames.map((f) => Buffer.from(f.rgb.buffer, f.rgb.byteOffset, f.rgb.byteLength)));
  const r = spawnSync('ffmpeg', ['-loglevel', 'error', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${width}x${height}`, '-r', String(fps), '-i', '-',
    '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-movflags', 'frag_keyframe+empty_moov', '-f', 'mp4', '-'], { input: raw, maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`ffmpeg failed: ${r.stderr?.toString().trim() || `exit ${r.status}`}`);
  return r.stdout;
}

/** A clip of a recorded chain run around its first failure, for the report. */
export interface FailureClip {
  chain: string;
  repeat: number;
  /** 1-based step that failed, its instruction and label. */
  step: number;
  instruction: string;
  label: string;
  gif: Uint8Array;
}

/**
 * Up to `perLabel` clips per failure label of the recorded chain runs in `dir`: the last `seconds` of
 * the first failed step of each (10 fps, `size` pixels square), for report.html.
 */
export async function failureClips(dir: string, runs: readonly { chainId: string; repeat: number }[], o: { perLabel?: number; seconds?: number; size?: number } = {}): Promise<FailureClip[]> {
  const perLabel = o.perLabel ?? 3, seconds = o.seconds ?? 4, size = o.size ?? 96;
  const taken = new Map<string, number>();
  const out: FailureClip[] = [];
  for (const r of runs) {
    const file = recordingPath(dir, r.chainId, r.repeat);
    if (!existsSync(file)) continue;
    const rec = readRecording(file);
    const failed = rec.steps.find((s) => !s.success);
    if (!failed || !rec.world) continue;
    const label = failed.failure ?? 'failed';
    if ((taken.get(label) ?? 0) >= perLabel) continue;
    taken.set(label, (taken.get(label) ?? 0) + 1);
    const fps = recordingFps(rec);
    const from = Math.max(failed.startFrame, failed.endFrame - Math.round(seconds * fps));
    const frames = await renderRecording(rec, { width: size, height: size, from, to: failed.endFrame });
    out.push({ chain: r.chainId, repeat: r.repeat, step: failed.index + 1, instruction: failed.instruction, label, gif: gifBytes(frames, fps) });
  }
  return out;
}
