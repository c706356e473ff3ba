// `chaingap train`: a policy folder the ONNX host runs, from a LeRobot dataset chaingap collected. The ONNX
// export equals the trained network within 1e-4 on 100 held-out frames (fed from the manifest alone); the
// same seed gives the same model bytes; a run stopped after an epoch resumes to the same model; the CLI
// writes the folder and names the bad input it is given.
import { describe, expect, it, beforeAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { collectDemos } from '../runner/data/collect.ts';
import { trainPolicy, exportCheckpoint } from '../runner/data/train.ts';
import { checkExport, heldOutSamples } from '../runner/data/export-check.ts';
import { loadManifest } from '../policies/onnx-manifest.ts';
import { parsePolicy } from '../policies/registry.ts';
import { findScene } from '../scenes/load.ts';
import { generateChains } from '../scenes/chains.ts';
import { Env } from '../sim/env.ts';
import { runEpisode } from '../runner/chains/episode.ts';
import { CameraSet } from '../runner/chains/actors.ts';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'chaingap-train-'));
let data = '';
const small = { imageSize: 32, horizon: 4, epochs: 2, batchSize: 32, valFraction: 0.5, seed: 3, tokens: 12 } as const;

describe('chaingap train (tiny-vla, ONNX export)', () => {
  beforeAll(async () => {
    data = path.join(tmp(), 'demos');
    await collectDemos({ out: data, chains: 2, steps: 3, seed: 4, size: 32 });
  }, 120_000);

  it('writes a policy folder whose ONNX model equals the trained network on 100 held-out frames; seeded; resumes', async () => {
    const out = path.join(tmp(), 'vla');
    const r = await trainPolicy({ ...small, data, out });
    expect(r.finished).toBe(true);
    expect(r.epochs).toHaveLength(2);
    expect(r.epochs[1].trainLoss).toBeLessThan(r.epochs[0].trainLoss);
    for (const f of ['model.onnx', 'manifest.json', 'vocab.json', 'loss.svg', 'training.json']) expect(fs.existsSync(path.join(out, f)), f).toBe(true);
    expect(fs.readFileSync(path.join(out, 'loss.svg'), 'utf8')).toMatch(/^<svg[\s\S]*validation/);

    // The export check, recomputed here on exactly 100 held-out frames.
    const rec = JSON.parse(fs.readFileSync(path.join(out, 'training.json'), 'utf8'));
    const held = await heldOutSamples(rec, 100);
    expect(held.length).toBe(100);
    const valEpisodes = new Set(rec.result.samples.valEpisodes);
    expect(held.every((s) => valEpisodes.has(s.episode))).toBe(true);
    const check = await checkExport(out, held);
    expect(check.samples).toBe(100);
    expect(check.maxAbsDiff).toBeLessThan(1e-4);
    expect(r.exportCheck!.maxAbsDiff).toBeLessThan(1e-4);

    // The manifest says what the host must feed: both cameras at the trained size, the state in LIBERO's frame (the libero preset).
    const { manifest } = loadManifest(path.join(out, 'model.onnx'));
    expect(manifest.trained).toBe(true);
    expect(manifest.inputs.map((i) => i.kind)).toEqual(['image', 'image', 'state', 'instruction']);
    const state = manifest.inputs.find((i) => i.kind === 'state')!;
    expect(state).toMatchObject({ layout: ['ee_pos', 'ee_axis_angle', 'gripper_qpos'], liberoFrame: 'kitchen' });
    expect(manifest.output.shape).toEqual(['batch', 4, 7]);
    expect(manifest.execute).toBe(2);

    // Same seed, same bytes; a run stopped after one epoch and resumed ends with the same model.
    const part = path.join(tmp(), 'vla');
    const first = await trainPolicy({ ...small, data, out: part, stopAfter: 1 });
    expect(first.finished).toBe(false);
    const mid = await exportCheckpoint(part, path.join(part, 'epoch1'));
    expect(mid.epoch).toBe(1);
    expect(fs.existsSync(mid.model)).toBe(true);
    await expect(trainPolicy({ ...small, lr: 5e-4, data, out: part })).rejects.toThrow(/other data or options is checkpointed/);
    const rest = await trainPolicy({ ...small, data, out: part });
    expect(rest.epochs.map((e) => e.trainLoss)).toEqual(r.epochs.map((e) => e.trainLoss));
    expect(fs.readFileSync(path.join(part, 'model.onnx'))).toEqual(fs.readFileSync(path.join(out, 'model.onnx')));
    const other = await trainPolicy({ ...small, seed: 4, epochs: 1, data, out: path.join(tmp(), 'vla') });
    expect(fs.readFileSync(other.model)).not.toEqual(fs.readFileSync(r.model));

    // The ONNX host runs it in the simulator: a task to the end, actions inside the action space.
    const host = await parsePolicy(`onnx:${r.model}`).open({});
    expect(host.cameras).toEqual([{ camera: 'agentview', width: 32, height: 32 }, { camera: 'wrist', width: 32, height: 32 }]);
    const env = new Env({ cameras: ['agentview', 'wrist'], renderer: new CameraSet(host.cameras) });
    try {
      const task = generateChains({ scene: findScene('kitchen'), count: 1, steps: 1, seed: 4 })[0].steps[0];
      const ep = await runEpisode(env, host.make(env.privileged), { ...task, maxSteps: 12 }, 1);
      expect(ep.steps).toBeGreaterThan(0);
      expect(host.gate!.stats.calls).toBeGreaterThan(0);
    } finally {
      env.close();
      await host.close();
    }
  }, 240_000);

  it('the CLI trains to a folder, and names a folder that is not a dataset', () => {
    const out = path.join(tmp(), 'cli');
    const cli = (args: string[]) => spawnSync(process.execPath, [path.resolve('scripts/chaingap.mjs'), 'train', ...args], { encoding: 'utf8' });
    const ok = cli(['--data', data, '-o', out, '--epochs', '1', '--image-size', '32', '--horizon', '4', '--val', '0.5', '--json']);
    expect(ok.status, ok.stderr).toBe(0);
    const r = JSON.parse(ok.stdout);
    expect(r.finished).toBe(true);
    expect(r.exportCheck.maxAbsDiff).toBeLessThan(1e-4);
    expect(fs.existsSync(path.join(out, 'model.onnx'))).toBe(true);
    const bad = cli(['--data', out, '-o', path.join(tmp(), 'x'), '--epochs', '1']);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/no meta\/info\.json; give the folder of a LeRobot dataset/);
  }, 180_000);

  it('the example collects, trains, checks the export and runs the policy', () => {
    const out = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/examples/train-policy.ts', path.join(tmp(), 'ex')], { encoding: 'utf8' });
    expect(out.status, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/dataset: \d+ episodes/);
    expect(out.stdout).toMatch(/epoch 2: train [\d.]+, validation [\d.]+/);
    expect(Number(/max \|diff\| ([\d.e+-]+)/.exec(out.stdout)![1])).toBeLessThan(1e-4);
    expect(out.stdout).toMatch(/S_1 [\d.]+, baseline mean [\d.]+/);
  }, 180_000);
});
