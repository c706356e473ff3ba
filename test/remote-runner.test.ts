// Learned policies end to end: the real `chaingap serve-policy` process serving an ONNX model, the
// openpi client against it (same chunks as in-process), `run --policy onnx:` and `run --policy ws://`
// from the CLI, a sweep over an ONNX policy, and a server that dies mid-run: it is reconnected and the
// interrupted chain is redone and counted once, with the same records as an uninterrupted run.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import type { Observation } from '../sim/policy.ts';
import type { ChunkModel } from '../policies/chunk-model.ts';
import { OnnxChunkModel } from '../policies/onnx-model.ts';
import { RemoteChunkModel } from '../policies/remote-model.ts';
import { CHAINGAP_PRESET, LIBERO_PRESET } from '../policies/obs-preset.ts';
import { servePolicy, type PolicyServer } from '../policies/policy-server.ts';
import { runChains } from '../runner/chains/run.ts';
import { parseSweepSpec, runSweep } from '../runner/sweep/sweep.ts';
import { linearModel } from './helpers/onnx-test-models.ts';

const tmp = mkdtempSync(path.join(tmpdir(), 'chaingap-remote-run-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
});
const quiet = { log: () => {} };
// A linear policy that drifts the arm slowly: episodes run to their budget, so chains fail at step 1 by timeout.
const W = Array.from({ length: 56 }, (_, i) => Math.cos(i) * 0.02);
const b = [0.05, 0, -0.02, 0, 0, 0, -1];
const MODEL = linearModel(path.join(tmp, 'lin'), { W, b });

function obs(k: number): Observation {
  return {
    instruction: 'open the drawer',
    state: { eePos: [0.4 + 0.01 * k, -0.05 * k, 0.3], eeQuat: [0.9238795, 0.3826834 * Math.sin(k), 0, 0.3826834 * Math.cos(k)].map((x, _, a) => x / Math.hypot(...a)) as [number, number, number, number], gripperWidth: 0.02 * (k % 4), joints: [0, 0.1, 0, -2, 0, 2, 0.7] },
  };
}

/** Start `chaingap serve-policy` and wait for its {url} line. */
async function serveCli(args: string[]): Promise<string> {
  const child = spawn(process.execPath, ['scripts/chaingap.mjs', 'serve-policy', '--port', '0', '--json', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`serve-policy exited ${code}: ${err}`)));
  });
  return JSON.parse(line).url;
}

describe('chaingap serve-policy', () => {
  it('serves an ONNX model: the openpi client gets the in-process chunks (both presets), and /healthz answers', async () => {
    const local = await OnnxChunkModel.load(MODEL, quiet);
    for (const preset of [LIBERO_PRESET, CHAINGAP_PRESET]) {
      const url = await serveCli(['--policy', `onnx:${MODEL}`, '--preset', preset.name]);
      expect((await fetch(url.replace(/^ws/, 'http') + '/healthz')).status).toBe(200);
      const client = await RemoteChunkModel.connect(url, { preset });
      expect(client.metadata()).toMatchObject({ server: 'chaingap', policy: `onnx:${MODEL}`, trained: false });
      // Plus the gripper-down pose (a rotation of pi about x), where axis-angle states are most fragile.
      const down = { ...obs(0), state: { ...obs(0).state, eeQuat: [1, 0, 0, 0] as [number, number, number, number] } };
      const batch = [...[0, 1, 2, 3].map(obs), down];
      const [remote, mine] = [await client.infer(batch), await local.infer(batch)];
      for (let i = 0; i < batch.length; i++) for (let j = 0; j < 7; j++) expect(Math.abs(remote[i][j] - mine[i][j])).toBeLessThan(1e-5);
      await client.close();
    }
    await local.close();
  }, 60_000);

  it('refuses a simulator-state policy with exit 2', () => {
    const r = spawnSync(process.execPath, ['scripts/chaingap.mjs', 'serve-policy', '--policy', 'expert', '--port', '0'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/reads simulator state.*cannot be served/);
  });
});

describe('run with learned policies from the command line', () => {
  const cli = (args: string[]) => spawnSync(process.execPath, ['scripts/chaingap.mjs', 'run', '--chains', '1', '--steps', '1', '--baseline-episodes', '1', '--json', ...args], { encoding: 'utf8' });

  it('run --policy onnx:policies/models/example-cnn/model.onnx works as shipped', () => {
    const r = cli(['--policy', 'onnx:policies/models/example-cnn/model.onnx', '--out', path.join(tmp, 'cli-onnx')]);
    expect(r.status, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.policy).toBe('onnx:policies/models/example-cnn/model.onnx');
    expect(s.chains).toBe(1);
  }, 60_000);

  it('run --policy ws:// against serve-policy; an unreachable server exits 2 and keeps nothing half-done', async () => {
    const url = await serveCli(['--policy', `onnx:${MODEL}`, '--preset', 'chaingap']);
    const r = cli(['--policy', url, '--preset', 'chaingap', '--out', path.join(tmp, 'cli-ws')]);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).policy).toBe(url);
    const dead = cli(['--policy', 'ws://127.0.0.1:9', '--out', path.join(tmp, 'cli-dead')]);
    expect(dead.status).toBe(2);
    expect(dead.stderr).toMatch(/ws:\/\/127\.0\.0\.1:9/);
  }, 60_000);
});

describe('a server that dies mid-run', () => {
  it('is reconnected; the interrupted chain is redone and counted once, with the records of an uninterrupted run', async () => {
    const model = await OnnxChunkModel.load(MODEL, quiet);
    let calls = 0;
    let server: PolicyServer;
    let port = 0;
    let killed = false;
    // The served model drops every connection once, in the middle of the second chain.
    const flaky: ChunkModel = {
      ...model, id: model.id, cameras: model.cameras, maxBatch: model.maxBatch, execute: model.execute, ensembleDecay: model.ensembleDecay,
      metadata: () => model.metadata(), close: async () => {},
      infer: async (batch) => {
        if (++calls === 450 && !killed) {
          killed = true;
          setImmediate(async () => {
            await server.close();
            setTimeout(async () => (server = await servePolicy(flaky, { port, preset: CHAINGAP_PRESET })), 200);
          });
        }
        return model.infer(batch);
      },
    };
    server = await servePolicy(flaky, { port: 0, preset: CHAINGAP_PRESET });
    port = server.port;
    const lines: string[] = [];
    const opts = (out: string, url: string) => ({
      out: path.join(tmp, out), policy: url, chains: 3, steps: 2, baselineEpisodes: 1, seed: 4,
      policyOptions: { preset: CHAINGAP_PRESET, execute: 1 }, log: (l: string) => lines.push(l),
    });
    const interrupted = await runChains(opts('flaky', server.url));
    expect(killed).toBe(true);
    expect(lines.some((l) => /redoing the interrupted unit/.test(l))).toBe(true);
    await server!.close();
    const clean = await servePolicy(model, { port: 0, preset: CHAINGAP_PRESET });
    const plain = await runChains(opts('plain', server!.url.replace(String(port), String(clean.port))));
    await clean.close();
    await model.close();
    const records = (dir: string) => readFileSync(path.join(dir, 'records.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l))
      .map(({ latencyMs: _l, simMsPerStep: _s, wallMs: _w, runId: _r, policy: _p, ...r }) => r).sort((x, y) => (x.chainId < y.chainId ? -1 : 1));
    expect(records(interrupted.dir)).toHaveLength(3);
    expect(records(interrupted.dir)).toEqual(records(plain.dir));
  }, 120_000);
});

describe('sweeps over learned policies', () => {
  it('a sweep runs an ONNX policy in every cell', async () => {
    const spec = parseSweepSpec({ name: 'onnx', policies: [`onnx:${MODEL}`], axes: { clutter: [1] }, chains: 2, steps: 2, baselineEpisodes: 1, seed: 2 }, 'test');
    const r = await runSweep(spec, { out: path.join(tmp, 'sweep'), workers: 1 });
    expect(r.cells.map((c) => c.setting).sort()).toEqual(['clutter=1', 'controlled'].sort());
    for (const c of r.cells) {
      expect(c.summary.policy).toBe(`onnx:${MODEL}`);
      expect(c.summary.chains).toBe(2);
    }
  }, 120_000);
});
