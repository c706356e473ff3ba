// Live viewing: while `chaingap run --live` goes on, each chain run's scene and its bodies' poses
// (10 Hz, as recordings sample them), step starts and outcomes are published to every viewer page
// connected to the viewer server's websocket. A page that connects late gets the chains so far.
import { encode } from '@msgpack/msgpack';
import type { Env, StepInfo } from '../../sim/env.ts';
import { viewerScene, type ViewerScene } from '../../sim/viewer-scene.ts';
import { CONTROL_HZ } from '../../sim/world.ts';
import type { ChainObserver, RecordedStep } from './recording.ts';
import type { FailureLabel } from '../results/records.ts';

/** Messages the server sends (msgpack). */
export type LiveMessage =
  | { type: 'chain'; key: string; runId: string; chainId: string; repeat: number; seed: number; length: number; scene: string; ood: Record<string, number>; viewerScene: ViewerScene; controlHz: number }
  | { type: 'frames'; key: string; t: number[]; gripper: number[]; poses: Uint8Array }
  | { type: 'step'; key: string; step: RecordedStep }
  | { type: 'end'; key: string }
  | { type: 'run-end' };

export interface LiveSink {
  send(data: Uint8Array): void;
  /** Bytes sent but not yet written out. */
  pending?(): number;
}

/** Where a run's live messages go: a hub in this thread, or the viewer's worker (runner/view/live-viewer.ts). */
export interface LivePublisher {
  publish(m: LiveMessage): void;
}

/** An observer that streams one chain run to `pub` (runner/chains/chain.ts calls it as it calls a recorder). */
export function liveObserver(pub: LivePublisher, meta: { runId: string; chainId: string; repeat: number; seed: number; length: number }, every = 2): ChainObserver {
  return new LiveChain(pub, meta, every);
}

/** Keeps what late joiners need (the last `keep` chains) and fans messages out to the connected pages. */
export class LiveHub implements LivePublisher {
  private readonly sinks = new Set<LiveSink>();
  private readonly chains = new Map<string, LiveMessage[]>();
  private ended = false;

  constructor(private readonly keep = 8) {}

  /** A page connected: replay the kept chains to it, then keep it posted. */
  attach(sink: LiveSink): () => void {
    for (const msgs of this.chains.values()) for (const m of msgs) sink.send(encode(m));
    if (this.ended) sink.send(encode({ type: 'run-end' }));
    this.sinks.add(sink);
    return () => this.sinks.delete(sink);
  }

  /** Wait until every page has been sent what was published (at most `ms`). */
  async drain(ms = 2000): Promise<void> {
    const end = Date.now() + ms;
    while ([...this.sinks].some((s) => (s.pending?.() ?? 0) > 0) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  }

  get connected(): number {
    return this.sinks.size;
  }

  publish(m: LiveMessage): void {
    if (m.type === 'run-end') this.ended = true;
    else {
      if (m.type === 'chain') {
        this.chains.set(m.key, []);
        while (this.chains.size > this.keep) this.chains.delete(this.chains.keys().next().value!);
      }
      this.chains.get(m.key)?.push(m);
    }
    const bytes = encode(m);
    for (const s of this.sinks) s.send(bytes);
  }
}

class LiveChain implements ChainObserver {
  private poses: ((out?: Float32Array) => Float32Array) | null = null;
  private env: Env | null = null;
  private control = 0;
  private readonly key: string;
  private step: RecordedStep | null = null;
  private frame = -1;
  private pending: { t: number[]; gripper: number[]; poses: Float32Array[] } = { t: [], gripper: [], poses: [] };

  constructor(private readonly hub: LivePublisher, private readonly meta: { runId: string; chainId: string; repeat: number; seed: number; length: number }, private readonly every: number) {
    this.key = `${meta.runId}/${meta.chainId}/r${meta.repeat}`;
  }

  begin(env: Env): void {
    this.env = env;
    const { scene, poses } = viewerScene(env.world);
    this.poses = poses;
    const w = env.world.scene;
    this.hub.publish({ type: 'chain', key: this.key, ...this.meta, scene: w.spec.name, ood: { ...(w.ood?.levels ?? {}) }, viewerScene: scene, controlHz: CONTROL_HZ });
    this.sample();
    this.flush();
  }

  stepStart(index: number, task: string, instruction: string): void {
    this.sample();
    this.step = { index, task, instruction, startFrame: this.frame, endFrame: this.frame, success: false };
    this.flush();
  }

  controlStep(_info: StepInfo): void {
    this.control++;
    if (this.control % this.every === 0) this.sample();
    if (this.pending.t.length >= 5) this.flush();
  }

  stepEnd(success: boolean, failure?: FailureLabel): void {
    this.sample();
    this.flush();
    if (!this.step) return;
    this.hub.publish({ type: 'step', key: this.key, step: { ...this.step, endFrame: this.frame, success, ...(failure ? { failure } : {}) } });
    this.step = null;
  }

  /** The chain run is over (after its last step). */
  end(): void {
    this.flush();
    this.hub.publish({ type: 'end', key: this.key });
  }

  private lastAt = -1;
  private sample(): void {
    if (this.lastAt === this.control || !this.poses || !this.env) return;
    this.lastAt = this.control;
    this.frame++;
    this.pending.t.push(this.control);
    this.pending.gripper.push(this.env.world.robot.gripperWidth());
    this.pending.poses.push(this.poses());
  }

  private flush(): void {
    if (!this.pending.t.length) return;
    const n = this.pending.poses.reduce((a, p) => a + p.length, 0);
    const all = new Float32Array(n);
    let o = 0;
    for (const p of this.pending.poses) { all.set(p, o); o += p.length; }
    this.hub.publish({ type: 'frames', key: this.key, t: this.pending.t, gripper: this.pending.gripper, poses: new Uint8Array(all.buffer) });
    this.pending = { t: [], gripper: [], poses: [] };
  }
}
