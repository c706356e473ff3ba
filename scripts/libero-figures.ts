// The figures in docs/libero-conventions.md: the `libero` preset's state along expert rollouts of every
// shipped task (position and axis-angle ranges, the largest step-to-step orientation jump, and how often
// chaingap's own w >= 0 quaternion changed sign on the way), and the osc_pose step response beside delta_ee.
//
//   node --import tsx scripts/libero-figures.ts [--seeds N]
import { findTask, listTasks } from '../scenes/load.ts';
import { Env } from '../sim/env.ts';
import { ExpertPolicy } from '../policies/expert.ts';
import { LIBERO_PRESET } from '../policies/obs-preset.ts';
import { stateVector } from '../policies/state-vector.ts';
import { singleActionTravel, stepResponse, steadyTravelPerStep } from '../test/helpers/osc-response.ts';

const at = process.argv.indexOf('--seeds');
const seeds = at > 0 ? Number(process.argv[at + 1]) : 3;
if (!(Number.isInteger(seeds) && seeds >= 1)) throw new Error(`--seeds: a whole number >= 1, got ${process.argv[at + 1]}`);
const lo = Array(6).fill(Infinity), hi = Array(6).fill(-Infinity);
let steps = 0, rollouts = 0, successes = 0, jump = 0, flips = 0;
for (const task of listTasks().map(findTask)) {
  for (let seed = 0; seed < seeds; seed++) {
    const env = new Env();
    const expert = new ExpertPolicy(env.privileged);
    let { obs } = await env.reset({ seed, task });
    await expert.reset({ seed, task, instruction: task.instruction, actionMode: env.actionMode });
    let prev: Float32Array | null = null, prevX = obs.state.eeQuat[0];
    for (;;) {
      const v = stateVector(obs.state, LIBERO_PRESET.stateLayout, undefined, LIBERO_PRESET.liberoFrame);
      for (let i = 0; i < 6; i++) { lo[i] = Math.min(lo[i], v[i]); hi[i] = Math.max(hi[i], v[i]); }
      if (prev) jump = Math.max(jump, Math.hypot(v[3] - prev[3], v[4] - prev[4], v[5] - prev[5]));
      if (prevX * obs.state.eeQuat[0] < 0) flips++;
      prev = v;
      prevX = obs.state.eeQuat[0];
      steps++;
      const r = env.step(await expert.act(obs));
      obs = r.obs;
      if (r.terminated || r.truncated) {
        successes += r.info.success ? 1 : 0;
        break;
      }
    }
    env.close();
    rollouts++;
  }
}
const f = (x: number, d = 2) => x.toFixed(d);
console.log(`libero preset (frame ${LIBERO_PRESET.liberoFrame}) over ${rollouts} expert rollouts (${listTasks().length} tasks x ${seeds} seeds, ${successes} successes), ${steps} states:`);
console.log(`  position x ${f(lo[0])}..${f(hi[0])}, y ${f(lo[1])}..${f(hi[1])}, z ${f(lo[2])}..${f(hi[2])} m`);
console.log(`  axis-angle x ${f(lo[3])}..${f(hi[3])}, y ${f(lo[4])}..${f(hi[4])}, z ${f(lo[5])}..${f(hi[5])} rad; largest step-to-step change ${f(jump, 3)} rad`);
console.log(`  chaingap's own quaternion (w >= 0) changed sign ${flips} times on the way`);
for (const mode of ['delta_ee', 'osc_pose'] as const) {
  const r = await stepResponse(mode);
  const mm = (m: number) => `${f(m * 1000)} mm`;
  console.log(`${mode}: 1 cm goal held: 63% at ${f(r.t63, 3)} s, 95% at ${f(r.t95, 3)} s, overshoot ${mm(r.overshoot)}; one 0.2 action then zeros: ${mm(await singleActionTravel(mode))}; constant 0.2: ${mm(await steadyTravelPerStep(mode))} per step`);
}
