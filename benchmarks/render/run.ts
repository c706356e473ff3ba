// Render benchmark: frames/s of the ray-casting renderer at 128x128 RGB + depth + segmentation on the
// tabletop30 scene (table, arm, 30 objects, 2 lights with hard shadows), one and two cameras, per
// gpu.js backend; and end-to-end control steps/s with two cameras rendered every step against
// state-only stepping, measured in the same run.
//
//   npm run bench:render            (node --import tsx benchmarks/render/run.ts)
//
// Progress goes to stderr; the last stdout line is the JSON written to benchmarks/results/render.json.

import { cpus } from 'node:os';
import { SimWorld } from '../../sim/world.ts';
import { RayRenderer, type RenderDevice } from '../../sim/render/renderer.ts';
import { sceneBuffer } from '../../sim/render/scene-buffer.ts';
import { sweepJointTargets, tabletop30Scene } from '../physics/scene.ts';
import { QUICK, sig4 as round, writeResult } from '../harness.ts';

const SIZE = 128;
const FRAMES = QUICK ? 6 : 60;
const STEPS = QUICK ? 12 : 120;
const log = (m: string) => process.stderr.write(m + '\n');

async function world(): Promise<SimWorld> {
  const w = await SimWorld.create(tabletop30Scene());
  for (let i = 0; i < 48; i++) w.physicsStep();
  return w;
}

/** Frames per second for `cameras` on a world that does not move (median of 3 blocks). */
function fps(r: RayRenderer, w: SimWorld, cameras: string[]): number {
  r.render(w, cameras); // compile and warm up
  const rates: number[] = [];
  for (let b = 0; b < 3; b++) {
    const t0 = performance.now();
    for (let i = 0; i < FRAMES / 3; i++) r.render(w, cameras);
    rates.push(FRAMES / 3 / ((performance.now() - t0) / 1000));
  }
  return rates.sort((a, b) => a - b)[1];
}

/** Control steps per second with the arm sweeping, rendering `cameras` after each step (none: state only). */
async function controlRate(cameras: string[], r: RayRenderer | null): Promise<number> {
  const w = await world();
  const targets = sweepJointTargets(STEPS);
  const t0 = performance.now();
  for (let s = 0; s < STEPS; s++) {
    w.robot.setJointTarget(targets[s]);
    w.controlStep();
    if (r && cameras.length) r.render(w, cameras);
  }
  const rate = STEPS / ((performance.now() - t0) / 1000);
  w.free();
  return rate;
}

const w = await world();
const prims = sceneBuffer(w).count;
log(`tabletop30: ${prims} primitives, ${SIZE}x${SIZE}, RGB + depth + segmentation, 2 directional lights with shadows`);
const figures: Record<string, number | null> = { primitives: prims };
for (const device of ['webasm', 'cpu'] as RenderDevice[]) {
  const r = new RayRenderer({ width: SIZE, height: SIZE, device });
  const one = fps(r, w, ['agentview']);
  const two = fps(r, w, ['agentview', 'wrist']);
  log(`${device}: one camera ${one.toFixed(1)} frames/s, two cameras ${two.toFixed(1)} sets/s`);
  const suffix = device === 'webasm' ? '' : `_${device}`;
  figures[`fps_128_one_camera${suffix}`] = round(one);
  figures[`fps_128_two_cameras${suffix}`] = round(two);
  r.free();
}
const r = new RayRenderer({ width: SIZE, height: SIZE });
const stateOnly = await controlRate([], null);
const twoCams = await controlRate(['agentview', 'wrist'], r);
log(`control steps/s: state only ${stateOnly.toFixed(0)}, two cameras every step ${twoCams.toFixed(1)}`);
figures.control_steps_per_s_state_only = round(stateOnly);
figures.control_steps_per_s_two_cameras = round(twoCams);
w.free();

const doc = {
  name: 'render',
  figures,
  ratios: {
    webasm_vs_cpu_one_camera: round((figures.fps_128_one_camera as number) / (figures.fps_128_one_camera_cpu as number)),
    two_cameras_vs_state_only: round(twoCams / stateOnly),
  },
  env: { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length },
};
writeResult('render', doc);
process.stdout.write(JSON.stringify(doc) + '\n');
