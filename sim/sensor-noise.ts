// The sensor_noise OOD axis: Gaussian noise on image pixels and on the measured positions in the
// state (as LIBERO-Plus's sensor noise; action latency is its own axis, sim/action-latency.ts). Seeded
// per reset, consumed observation by observation, so the same seed and actions give the same noisy
// observations.
import seedrandom from 'seedrandom';
import type { OodSensor } from '../scenes/ood.ts';
import type { Observation } from './policy.ts';

/** Where the noise stream is (part of an env snapshot, so a restore replays the same noise). */
export interface SensorNoiseState {
  rng: seedrandom.State.Arc4;
}

export class SensorNoise {
  private rng: seedrandom.StatefulPRNG<seedrandom.State.Arc4>;

  constructor(readonly params: OodSensor, seed: number) {
    this.rng = seedrandom(`${seed}:ood:sensor_noise`, { state: true });
  }

  saveState(): SensorNoiseState {
    return { rng: this.rng.state() };
  }

  loadState(s: SensorNoiseState): void {
    this.rng = seedrandom('', { state: s.rng });
  }

  /** A standard normal draw (Box-Muller on the seeded stream). */
  private gauss(): number {
    const u = 1 - this.rng();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.rng());
  }

  /**
   * Add the noise to an observation of an env with `cameras` cameras. One image seed per camera is drawn
   * every observation, rendered or not, so an observation without images (a policy that was not going to
   * look) leaves the stream where it would have been: later noise does not depend on what was rendered.
   */
  corrupt(obs: Observation, cameras = Object.keys(obs.images ?? {}).length): void {
    const p = this.params;
    if (p.statePosStd > 0) {
      for (let i = 0; i < 3; i++) obs.state.eePos[i] += p.statePosStd * this.gauss();
      obs.state.gripperWidth = Math.max(0, obs.state.gripperWidth + p.statePosStd * this.gauss());
    }
    if (p.imageNoiseStd > 0) {
      const seeds = Array.from({ length: cameras }, () => this.rng.int32() | 1);
      if (!obs.images) return;
      // A fast generator per image, seeded from the stream: 3 values per pixel from the seeded stream would cost more than the render.
      Object.values(obs.images).forEach((img, c) => {
        let x = seeds[c] ?? (this.rng.int32() | 1);
        const rgb = img.rgb;
        for (let i = 0; i < rgb.length; i++) {
          // xorshift32, then a sum of four uniforms (Irwin-Hall, std 1 after scaling) as the normal.
          let sum = 0;
          for (let k = 0; k < 4; k++) {
            x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
            sum += (x >>> 0) / 4294967296;
          }
          const n = (sum - 2) * Math.sqrt(3);
          rgb[i] = Math.max(0, Math.min(255, Math.round(rgb[i] + p.imageNoiseStd * n)));
        }
      });
    }
  }
}
