// End-to-end speed of a control loop, in one run on the same episodes (same tasks, same seeds):
// (a) the scripted expert, state only; (b) the shipped tiny-vla ONNX policy in-process, its two cameras
// (agentview, wrist) rendered at the size its manifest asks for (64x64); (c) the same model served by
// `servePolicy` (openpi's websocket protocol, what `chaingap serve-policy` runs) on loopback and driven
// through the remote client, which asks for the same cameras; and (b') as (b) with both cameras rendered
// at 128x128 (the model resizes them to its inputs), the camera size of bench:render. Control steps per
// second = env steps / wall time of the episodes without their resets (scene building and settling are
// not control steps; one warm-up round is not timed), over `--rounds` rounds (default 5) with
// min/median/max; ratios against (a) measured in the same run.
//
// One core: the process pins itself and every thread it starts to CPU 0 (`taskset -a`), and opens
// the models with one onnxruntime intra-op thread, because onnxruntime pins its own pool one thread
// per core and would otherwise escape the pin. The CPUs every thread was allowed at the end are
// written down (`setup.thread_cpus`); `setup.one_core` is true only if all were on the one CPU.
// `--no-pin` runs on every core with onnxruntime's default pool. The machine's own speed (a fixed
// loop, harness.ts) is measured before and after, so absolute figures of two runs can be compared.
//
//   npm run bench:e2e [-- --quick] [-- --rounds N] [-- --no-pin]    (node --import tsx benchmarks/e2e/run.ts)

import { cpus } from 'node:os';
import { generateChains } from '../../scenes/chains.ts';
import { Env } from '../../sim/env.ts';
import { parsePolicy, type PolicyHost } from '../../policies/registry.ts';
import { OnnxChunkModel } from '../../policies/onnx-model.ts';
import { loadManifest } from '../../policies/onnx-manifest.ts';
import { servePolicy } from '../../policies/policy-server.ts';
import { LIBERO_PRESET } from '../../policies/obs-preset.ts';
import { envOptionsFor } from '../../runner/chains/actors.ts';
import { baselineTasks } from '../../runner/chains/run.ts';
import { runTask } from '../../runner/chains/episode.ts';
import { QUICK, machineLoopRate, median, pinToCpu, sig4 as round, spread, threadAffinities, writeResult } from '../harness.ts';

const MODEL = 'policies/models/tiny-vla/model.onnx';
const quick = QUICK;
const roundsAt = process.argv.indexOf('--rounds');
const rounds = roundsAt > 0 ? Number(process.argv[roundsAt + 1]) : quick ? 1 : 5;
const log = (m: string) => process.stderr.write(m + '\n');
const pin = !process.argv.includes('--no-pin');
const notPinned = pin ? pinToCpu(0) : 'run with --no-pin';
if (pin && notPinned) log(`not pinned to one core: ${notPinned}`);
const threads = notPinned ? undefined : 1;

// A fixed set of episodes: the first tasks of a kitchen chain, one episode each, capped in length so a
// policy that never finishes does not dominate.
const tasks = baselineTasks(generateChains({ scene: 'kitchen', count: 1, steps: quick ? 2 : 4, seed: 11 })).map((t) => ({ ...t, maxSteps: Math.min(t.maxSteps, quick ? 60 : 200) }));
const { manifest } = loadManifest(MODEL);
const execute = manifest.execute ?? 6;

/** Control steps per second of the episodes with this policy host (the cameras it asks for, at `size` if given). */
async function rate(host: PolicyHost, size?: number): Promise<{ stepsPerS: number; steps: number; successes: number }> {
  const cameras = host.cameras.map((c) => (size ? { ...c, width: size, height: size } : c));
  const env = new Env(envOptionsFor({ ...host, cameras }));
  const policy = host.make(env.privileged);
  let steps = 0, successes = 0, resetMs = 0;
  const t0 = performance.now();
  for (const [i, task] of tasks.entries()) {
    const tr = performance.now();
    await env.reset({ seed: 1000 + i, task });
    resetMs += performance.now() - tr;
    const r = await runTask(env, policy, task, { policySeed: 1000 + i });
    if (r.error) throw new Error(`episode ${i} (${task.name}): the policy failed: ${r.error}`);
    steps += r.steps;
    if (r.success) successes++;
  }
  const s = (performance.now() - t0 - resetMs) / 1000;
  await policy.close?.();
  env.close();
  return { stepsPerS: steps / s, steps, successes };
}

const samples: Record<string, number[]> = { state_only: [], two_cameras_policy: [], two_cameras_remote: [], two_cameras_128_policy: [] };
const outcomes: Record<string, string> = {};
const expert = await parsePolicy('expert').open();
const machineBefore = await machineLoopRate(1);
const local = await parsePolicy(`onnx:${MODEL}`).open({ device: 'cpu', execute, threads });
const model = await OnnxChunkModel.load(MODEL, { device: 'cpu', threads });
const server = await servePolicy(model, { port: 0, preset: LIBERO_PRESET });
const remote = await parsePolicy(server.url).open({ execute });
const cams = local.cameras.map((c) => `${c.camera} ${c.width}x${c.height}`).join(', ');
log(notPinned ? `on all ${cpus().length} cores` : 'pinned to CPU 0, onnxruntime with 1 intra-op thread');
log(`${tasks.length} episodes (up to ${Math.max(...tasks.map((t) => t.maxSteps))} steps); tiny-vla cameras: ${cams}; execute ${execute} of each chunk`);
try {
  // Warm-up (not timed): JIT, the renderer's kernels, the model's first calls.
  for (const [host, size] of [[expert], [local], [remote], [local, 128]] as const) await rate(host, size);
  for (let i = 0; i < rounds; i++) {
    for (const [name, host, size] of [['state_only', expert], ['two_cameras_policy', local], ['two_cameras_remote', remote], ['two_cameras_128_policy', local, 128]] as const) {
      const r = await rate(host, size);
      samples[name].push(r.stepsPerS);
      outcomes[name] = `${r.steps} steps, ${r.successes}/${tasks.length} succeeded`;
      log(`round ${i + 1} ${name}: ${r.stepsPerS.toFixed(1)} control steps/s (${outcomes[name]})`);
    }
  }
} finally {
  await remote.close();
  await server.close();
  await model.close();
  await local.close();
}
const threadCpus = threadAffinities();
const machineAfter = await machineLoopRate(1);
const m = (k: string) => median(samples[k]);
const doc = {
  name: 'e2e',
  setup: {
    episodes: tasks.length, rounds, quick, cameras: cams, execute, model: MODEL,
    pinned_cpu: notPinned ? null : 0, not_pinned_because: notPinned, onnx_intra_op_threads: threads ?? 'default',
    thread_cpus: threadCpus, one_core: !notPinned && Object.keys(threadCpus).every((c) => c === '0'),
  },
  figures: {
    control_steps_per_s_state_only: round(m('state_only')),
    control_steps_per_s_two_cameras_policy: round(m('two_cameras_policy')),
    control_steps_per_s_two_cameras_remote: round(m('two_cameras_remote')),
    control_steps_per_s_two_cameras_128_policy: round(m('two_cameras_128_policy')),
    machine_loop_per_s_before: round(machineBefore),
    machine_loop_per_s_after: round(machineAfter),
    spread: Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, spread(v, round)])),
    outcomes,
  },
  ratios: {
    two_cameras_policy_vs_state_only: round(m('two_cameras_policy') / m('state_only')),
    two_cameras_remote_vs_in_process: round(m('two_cameras_remote') / m('two_cameras_policy')),
    two_cameras_128_policy_vs_state_only: round(m('two_cameras_128_policy') / m('state_only')),
  },
  env: { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length },
};
writeResult('e2e', doc);
process.stdout.write(JSON.stringify(doc) + '\n');
