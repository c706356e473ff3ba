// How the arm answers delta actions in an action mode, measured in the env at control-step instants:
// the step response to a goal held 1 cm away (the goal re-sent each step as the delta from where the
// TCP is), where one 0.2 action followed by zeros leaves it, and how far a constant 0.2 action moves it
// per step once steady. test/libero-conventions.test.ts asserts them; scripts/libero-figures.ts prints them.
import { findTask } from '../../scenes/load.ts';
import { DELTA_SCALE, type ActionMode } from '../../sim/controller.ts';
import { Env } from '../../sim/env.ts';
import { CONTROL_HZ } from '../../sim/world.ts';

export interface StepResponse {
  /** TCP displacement along x after each control step (m), from the start. */
  path: number[];
  /** Times (s) the displacement first reaches 63% and 95% of the step, interpolated between control steps. */
  t63: number;
  t95: number;
  /** Largest displacement beyond the step (m, 0 when it never passes it). */
  overshoot: number;
}

const DT = 1 / CONTROL_HZ;

/** Drive the TCP along +x with `actionFor(displacement, step)` (the x entry, others 0) for `steps` control steps. */
async function drive(mode: ActionMode, steps: number, actionFor: (dx: number, k: number) => number): Promise<number[]> {
  const env = new Env({ actionMode: mode });
  try {
    let { obs } = await env.reset({ seed: 0, task: findTask('tabletop_soup_on_plate') });
    const x0 = obs.state.eePos[0];
    const path: number[] = [];
    for (let k = 0; k < steps; k++) {
      obs = env.step([actionFor(obs.state.eePos[0] - x0, k), 0, 0, 0, 0, 0, -1]).obs;
      path.push(obs.state.eePos[0] - x0);
    }
    return path;
  } finally {
    env.close();
  }
}

/** First time (s) the path reaches `level`, linearly interpolated between control-step samples. */
function crossing(path: readonly number[], level: number): number {
  let prev = 0;
  for (let k = 0; k < path.length; k++) {
    if (path[k] >= level) return (k + (level - prev) / (path[k] - prev)) * DT;
    prev = path[k];
  }
  return Infinity;
}

/** The response to a goal held `size` metres ahead along x. */
export async function stepResponse(mode: ActionMode, size = 0.01, steps = 20): Promise<StepResponse> {
  const path = await drive(mode, steps, (dx) => (size - dx) / DELTA_SCALE.pos);
  return { path, t63: crossing(path, 0.63 * size), t95: crossing(path, 0.95 * size), overshoot: Math.max(0, ...path.map((p) => p - size)) };
}

/** Where one action `a` along x, followed by zero actions, leaves the TCP after `steps` control steps (m). */
export async function singleActionTravel(mode: ActionMode, a = 0.2, steps = 20): Promise<number> {
  const path = await drive(mode, steps, (_, k) => (k === 0 ? a : 0));
  return path[path.length - 1];
}

/** Travel per control step (m) under a constant action `a` along x, averaged over the last half of `steps`. */
export async function steadyTravelPerStep(mode: ActionMode, a = 0.2, steps = 20): Promise<number> {
  const path = await drive(mode, steps, () => a);
  const h = Math.floor(steps / 2);
  return (path[steps - 1] - path[h - 1]) / (steps - h);
}
