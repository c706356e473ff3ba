// A chain run as the page plays it: the viewer's scene and every body's pose per frame, from a
// recording (the server's /api/playback) or growing as a live run streams it. Time is in control steps.
import { decode } from '@msgpack/msgpack';
import type { ViewerScene } from '../sim/viewer-scene.ts';
import type { RecordedEvent, RecordedStep } from '../runner/view/recording.ts';
import type { ViewIndexEntry } from '../runner/view/view-data.ts';

export type Entry = Omit<ViewIndexEntry, 'bytes' | 'frames'> & { live?: boolean };

export class Track {
  t: number[] = [];
  gripper: number[] = [];
  /** 7 floats per body per frame; grows for a live run. */
  private buf: Float32Array;
  frames = 0;
  ended = false;

  constructor(readonly entry: Entry, readonly scene: ViewerScene, readonly controlHz: number, public steps: RecordedStep[], public events: RecordedEvent[]) {
    this.buf = new Float32Array(Math.max(1, 7 * scene.bodies * 64));
  }

  get stride(): number {
    return 7 * this.scene.bodies;
  }

  append(t: ArrayLike<number>, gripper: ArrayLike<number>, poses: Float32Array): void {
    const need = (this.frames + t.length) * this.stride;
    if (need > this.buf.length) {
      const b = new Float32Array(Math.max(need, 2 * this.buf.length));
      b.set(this.buf.subarray(0, this.frames * this.stride));
      this.buf = b;
    }
    this.buf.set(poses.subarray(0, t.length * this.stride), this.frames * this.stride);
    for (let i = 0; i < t.length; i++) { this.t.push(t[i]); this.gripper.push(gripper[i]); }
    this.frames += t.length;
  }

  pose(frame: number): Float32Array {
    return this.buf.subarray(frame * this.stride, (frame + 1) * this.stride);
  }

  get duration(): number {
    return this.frames ? this.t[this.frames - 1] : 0;
  }

  /** The frame at or before `time`, the next one and how far between them `time` is. */
  locate(time: number): { i: number; j: number; alpha: number } {
    const n = this.frames;
    if (n === 0) return { i: 0, j: 0, alpha: 0 };
    if (time <= this.t[0]) return { i: 0, j: 0, alpha: 0 };
    if (time >= this.t[n - 1]) return { i: n - 1, j: n - 1, alpha: 0 };
    let lo = 0, hi = n - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (this.t[mid] <= time) lo = mid; else hi = mid;
    }
    const span = this.t[hi] - this.t[lo];
    return { i: lo, j: hi, alpha: span > 0 ? (time - this.t[lo]) / span : 0 };
  }

  /** The step going on at `time` (the last one started), or null before the first. */
  stepAt(time: number): RecordedStep | null {
    let cur: RecordedStep | null = null;
    for (const s of this.steps) if (this.t[s.startFrame] !== undefined && this.t[s.startFrame] <= time) cur = s;
    return cur;
  }

  /** Time of a frame (control steps). */
  timeOf(frame: number): number {
    return this.t[Math.max(0, Math.min(this.frames - 1, frame))] ?? 0;
  }
}

const copy = <T>(b: Uint8Array, C: { new (buf: ArrayBuffer): T }): T => {
  const u = new Uint8Array(b.byteLength);
  u.set(b);
  return new C(u.buffer);
};

/** A recording's playback as the server encodes it (runner/view/view-server.ts). */
export function trackFromPlayback(bytes: Uint8Array): Track {
  const d = decode(bytes) as Record<string, unknown> & { viewerScene: ViewerScene; recordedSteps: RecordedStep[]; events: RecordedEvent[]; controlHz: number };
  const t = copy(d.t as Uint8Array, Int32Array), gripper = copy(d.gripper as Uint8Array, Float32Array), poses = copy(d.poses as Uint8Array, Float32Array);
  const entry: Entry = {
    path: d.path as string, runId: d.runId as string, chainId: d.chainId as string, repeat: d.repeat as number, seed: d.seed as number,
    scene: d.scene as string, length: d.length as number, policy: d.policy as string | null, ood: d.ood as Entry['ood'], steps: d.steps as Entry['steps'], failed: d.failed as boolean, playable: true,
  };
  const tr = new Track(entry, d.viewerScene, d.controlHz, d.recordedSteps, d.events);
  tr.append(t, gripper, poses);
  tr.ended = true;
  return tr;
}

export { decode, copy };
