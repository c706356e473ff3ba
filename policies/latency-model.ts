// The scripted expert's model of its own action latency. It is not told whether the env delays actions
// (the `latency` OOD axis); it remembers the end-effector moves it asked for, watches how the TCP
// actually moved, and takes as the lag (in control steps) the one that best explains the motion. It
// then steers from where the arm will be when the action it is about to send executes: the TCP now
// plus the moves still in flight (a Smith predictor). With no latency the estimate stays 0 and the
// prediction is the TCP itself, so the expert acts exactly as without this model.
import type { Quat, Vec3 } from '../scenes/types.ts';
import { DELTA_SCALE } from '../sim/controller.ts';
import { quatFromAxisAngle, quatMul, type Pose } from '../sim/kinematics.ts';

export const LATENCY_MODEL = {
  /** Longest lag considered (control steps). */
  maxLag: 6,
  /** Weight kept per control step by each lag's running squared error (older motion counts less). */
  forget: 0.9,
  /** Switch to another lag only when its error is below this share of the current lag's... */
  switchRatio: 0.25,
  /** ...and below it by at least this much (m^2): a 5 mm mismatch, not noise. */
  minEvidence: 2.5e-5,
};

const clip = (x: number) => Math.max(-1, Math.min(1, x));

export class LatencyModel {
  /** Per action sent: its position move (m) and rotation vector (rad), as the env would apply them. */
  private sent: number[][] = [];
  private last: Vec3 | null = null;
  private err: number[] = new Array(LATENCY_MODEL.maxLag + 1).fill(0);
  /** The lag (control steps) the motion seen so far points to. */
  lag = 0;

  /** Forget everything (a fresh episode: the env's queue starts empty). */
  reset(): void {
    this.sent = [];
    this.last = null;
    this.err.fill(0);
    this.lag = 0;
  }

  /**
   * Take in the TCP position at a control step (before the next action is sent). The move since the
   * previous step was made by the action executed then: with lag k, the one sent k steps before it
   * (nothing, before the first k actions).
   */
  observe(pos: ArrayLike<number>): void {
    const p: Vec3 = [pos[0], pos[1], pos[2]];
    if (this.last) {
      const d = [p[0] - this.last[0], p[1] - this.last[1], p[2] - this.last[2]];
      const n = this.sent.length;
      for (let k = 0; k <= LATENCY_MODEL.maxLag; k++) {
        const a = n - 1 - k >= 0 ? this.sent[n - 1 - k] : [0, 0, 0];
        const e = (d[0] - a[0]) ** 2 + (d[1] - a[1]) ** 2 + (d[2] - a[2]) ** 2;
        this.err[k] = LATENCY_MODEL.forget * this.err[k] + e;
      }
      let best = this.lag;
      for (let k = 0; k <= LATENCY_MODEL.maxLag; k++) if (this.err[k] < this.err[best]) best = k;
      const cur = this.err[this.lag];
      if (best !== this.lag && this.err[best] < LATENCY_MODEL.switchRatio * cur && cur - this.err[best] > LATENCY_MODEL.minEvidence) this.lag = best;
    }
    this.last = p;
  }

  /** Record the delta end-effector action just sent. */
  record(action: ArrayLike<number>): void {
    const s = DELTA_SCALE;
    this.sent.push([clip(action[0]) * s.pos, clip(action[1]) * s.pos, clip(action[2]) * s.pos, clip(action[3]) * s.rot, clip(action[4]) * s.rot, clip(action[5]) * s.rot]);
    // Only the last maxLag + 1 matter.
    if (this.sent.length > 4 * (LATENCY_MODEL.maxLag + 1)) this.sent.splice(0, this.sent.length - (LATENCY_MODEL.maxLag + 1));
  }

  /** Replace the record of the last action sent (a wrapper that changed it before sending). */
  amend(action: ArrayLike<number>): void {
    if (!this.sent.length) return;
    this.sent.pop();
    this.record(action);
  }

  /** Where the TCP will be once the actions still in flight (the last `lag` sent) have executed. */
  predict(tcp: Pose): Pose {
    if (this.lag === 0) return tcp;
    const pos: Vec3 = [tcp.pos[0], tcp.pos[1], tcp.pos[2]];
    let quat: Quat = [tcp.quat[0], tcp.quat[1], tcp.quat[2], tcp.quat[3]];
    const n = this.sent.length;
    for (let i = Math.max(0, n - this.lag); i < n; i++) {
      const a = this.sent[i];
      pos[0] += a[0]; pos[1] += a[1]; pos[2] += a[2];
      const ang = Math.hypot(a[3], a[4], a[5]);
      if (ang > 1e-12) quat = quatMul(quatFromAxisAngle([a[3] / ang, a[4] / ang, a[5] / ang], ang), quat) as Quat;
    }
    return { pos, quat };
  }
}
