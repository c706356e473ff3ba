// The remote round trip of openpi's LIBERO request (two 224x224x3 uint8 images, the 8-float state, the
// prompt; a [10, 7] float32 reply) over loopback, with a model that answers at once so only the protocol
// is timed: chaingap's client and server (RemoteChunkModel, servePolicy) against openpi's own
// (openpi_client.WebsocketClientPolicy, openpi.serving.WebsocketPolicyServer, run from an openpi checkout by
// openpi_pair.py), in all four pairings, plus a floor: a Node websocket client and server passing the same
// request and reply bytes, already encoded. One call at a time; `--rounds` rounds (default 3) of every
// pairing in turn, p50 per round, min/median/max over rounds.
//
//   npm run bench:remote [-- --quick] [-- --rounds N] [-- --openpi DIR]
//
// openpi's side needs an openpi checkout (--openpi DIR or CHAINGAP_OPENPI) and a Python with numpy,
// msgpack, typing_extensions and websockets >= 13 (CHAINGAP_PYTHON, default python3; see
// benchmarks/README.md). Without them the openpi pairings are reported as not measured, with the reason.

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import WebSocket, { WebSocketServer } from 'ws';
import type { Observation } from '../../sim/policy.ts';
import type { ChunkModel } from '../../policies/chunk-model.ts';
import { servePolicy } from '../../policies/policy-server.ts';
import { RemoteChunkModel } from '../../policies/remote-model.ts';
import { LIBERO_PRESET, toRequest } from '../../policies/obs-preset.ts';
import { ndarray, packOpenpi } from '../../policies/openpi-codec.ts';
import { parsePolicy } from '../../policies/registry.ts';
import { generateChains } from '../../scenes/chains.ts';
import { closeActors, makeActors, runOnLanes } from '../../runner/chains/actors.ts';
import { baselineTasks } from '../../runner/chains/run.ts';
import { runTask } from '../../runner/chains/episode.ts';
import { fakeObservation } from '../fake-observation.ts';
import { quantile } from '../../runner/results/stats.ts';
import { QUICK, sig4, spread, timeCalls, writeResult } from '../harness.ts';

const SIZE = 224;
const CHUNK = 10;
const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const rounds = Number(arg('--rounds') ?? (QUICK ? 1 : 3));
const CALLS = QUICK ? 20 : 300;
const WARMUP = QUICK ? 5 : 30;
const openpiDir = arg('--openpi') ?? process.env.CHAINGAP_OPENPI;
const python = process.env.CHAINGAP_PYTHON ?? 'python3';
const DRIVER = join(dirname(fileURLToPath(import.meta.url)), 'openpi_pair.py');
const log = (m: string) => process.stderr.write(m + '\n');
const r3 = (x: number) => Number(x.toFixed(3));

/** Answers every batch with zeros [CHUNK, 7] after `delayMs` (0: at once; a timer, as a GPU elsewhere would: this thread stays free); asks for both cameras at size x size. */
function zeroModel(size: number, delayMs = 0): ChunkModel {
  return {
    id: 'zero',
    cameras: [{ camera: 'agentview', width: size, height: size }, { camera: 'wrist', width: size, height: size }],
    maxBatch: Infinity,
    execute: 5,
    ensembleDecay: null,
    infer: async (batch) => {
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      return batch.map(() => new Float32Array(CHUNK * 7));
    },
    metadata: () => ({ server: 'chaingap', policy: 'zero', cameras: [`agentview:${size}x${size}`, `wrist:${size}x${size}`] }),
    close: async () => {},
  };
}

// `--serve-zero DELAY_MS SIZE`: only serve such a model (the lane-groups part runs its server in a child process).
if (arg('--serve-zero') !== undefined) {
  const at = process.argv.indexOf('--serve-zero');
  const s = await servePolicy(zeroModel(Number(process.argv[at + 2]), Number(process.argv[at + 1])), { port: 0, preset: LIBERO_PRESET });
  process.stdout.write(`port ${s.port}\n`);
  await new Promise(() => {});
}

const obs: Observation = fakeObservation(0, SIZE);
const time = (call: () => Promise<unknown>) => timeCalls(call, CALLS, WARMUP);

/** Start a server process that prints `port N` once listening; resolves with its ws:// URL. */
async function spawnServer(cmd: string, args: string[], what: string): Promise<{ url: string; proc: ChildProcess }> {
  const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((res, rej) => {
    let text = '';
    proc.stdout!.on('data', (d) => {
      text += d;
      const m = /port (\d+)/.exec(text);
      if (m) res(Number(m[1]));
    });
    proc.once('exit', (code) => rej(new Error(`${what} exited (${code}) before listening`)));
  });
  return { url: `ws://127.0.0.1:${port}`, proc };
}

/** chaingap's client against the server at `url`. */
async function chaingapClient(url: string): Promise<number[]> {
  const client = await RemoteChunkModel.connect(url, { preset: LIBERO_PRESET });
  try {
    return await time(() => client.infer([obs]));
  } finally {
    await client.close();
  }
}

/** The floor: the same request and reply bytes between a Node websocket client and server, no encoding. */
async function floor(): Promise<number[]> {
  const request = packOpenpi(toRequest(obs, LIBERO_PRESET));
  const reply = packOpenpi({ actions: ndarray(new Float32Array(CHUNK * 7), [CHUNK, 7]), server_timing: { infer_ms: 0 } });
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
  await new Promise((r) => wss.once('listening', r));
  wss.on('connection', (ws) => ws.on('message', () => ws.send(reply)));
  const ws = new WebSocket(`ws://127.0.0.1:${(wss.address() as { port: number }).port}`, { perMessageDeflate: false });
  await new Promise((r) => ws.once('open', r));
  try {
    return await time(() => new Promise((r) => {
      ws.once('message', r);
      ws.send(request);
    }));
  } finally {
    ws.close();
    wss.close();
  }
}

const run = promisify(execFile);

/** Why openpi's side cannot run here, or null when it can. */
async function openpiMissing(): Promise<string | null> {
  if (!openpiDir) return 'no openpi checkout given (--openpi DIR or CHAINGAP_OPENPI)';
  if (!existsSync(join(openpiDir, 'packages', 'openpi-client', 'src', 'openpi_client', 'websocket_client_policy.py'))) return `${openpiDir} is not an openpi checkout (no packages/openpi-client)`;
  try {
    await run(python, ['-c', 'import numpy, msgpack, typing_extensions, websockets.sync.client, websockets.asyncio.server']);
  } catch (e) {
    return `${python} lacks what openpi's client and server import (numpy, msgpack, typing_extensions, websockets >= 13): ${String((e as { stderr?: string }).stderr ?? e).trim().split('\n').pop()}`;
  }
  return null;
}

/** openpi's client against the server at `url`. */
async function openpiClient(url: string): Promise<number[]> {
  const { stdout } = await run(python, [DRIVER, openpiDir!, 'client', url, String(CALLS), String(WARMUP), String(SIZE), '8'], { maxBuffer: 1 << 24 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as number[];
}

/** openpi's server (a zero policy) on a free port; resolves once it accepts connections. */
async function openpiServer(): Promise<{ url: string; proc: ChildProcess }> {
  const { url, proc } = await spawnServer(python, [DRIVER, openpiDir!, 'serve', String(CHUNK)], "openpi's server");
  // It prints its port before serve_forever binds it.
  for (let i = 0; ; i++) {
    const up = await new Promise<boolean>((r) => {
      const ws = new WebSocket(url);
      ws.once('open', () => (ws.close(), r(true)));
      ws.once('error', () => r(false));
    });
    if (up) break;
    if (i > 100) throw new Error(`openpi's server on ${url} never accepted a connection`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, proc };
}

// Lane groups: LANES episodes side by side (runChains --batch) against a chaingap server in another
// process whose model answers after LANE_DELAY_MS (a remote GPU: the client's thread is free meanwhile;
// the server runs one batch at a time), cameras at 128x128, execute 5. One group: every lane waits for
// the call; two: one half steps while the other half's call is in flight. Control steps per second of
// the whole set of episodes, resets included; the zero actions make every episode run to its cap.
const LANES = QUICK ? 4 : 8;
const LANE_DELAY_MS = 40;
const LANE_EPISODES = QUICK ? 4 : 16;
const laneTasks = baselineTasks(generateChains({ scene: 'kitchen', count: 2, steps: 4, seed: 11 })).map((t) => ({ ...t, maxSteps: QUICK ? 20 : 100 }));

const zeroServer = () => spawnServer(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--serve-zero', String(LANE_DELAY_MS), '128'], 'the zero-model server');

async function laneRate(url: string, groups: number): Promise<{ stepsPerS: number; steps: number; calls: number }> {
  const host = await parsePolicy(url).open({ execute: 5, laneGroups: groups, log: () => {} });
  const actors = makeActors(host, LANES);
  const episodes = Array.from({ length: LANE_EPISODES }, (_, i) => ({ i, task: laneTasks[i % laneTasks.length] }));
  let steps = 0;
  const t0 = performance.now();
  await runOnLanes(actors, episodes, async ({ env, policy }, u) => {
    await env.reset({ seed: 2000 + u.i, task: u.task });
    const r = await runTask(env, policy, u.task, { policySeed: 2000 + u.i });
    if (r.error) throw new Error(`lane episode ${u.i}: ${r.error}`);
    steps += r.steps;
  });
  const stepsPerS = steps / ((performance.now() - t0) / 1000);
  const calls = host.gates!.reduce((n, g) => n + g.stats.calls, 0);
  closeActors(actors);
  await host.close();
  return { stepsPerS, steps, calls };
}

const missing = await openpiMissing();
log(missing ? `openpi pairings not measured: ${missing}` : `openpi from ${resolve(openpiDir!)} with ${python}`);
const server = await servePolicy(zeroModel(SIZE), { port: 0, preset: LIBERO_PRESET });
const op = missing ? null : await openpiServer();
const p50s: Record<string, number[]> = {};
const p95s: Record<string, number[]> = {};
const note = (name: string, ms: number[]) => {
  (p50s[name] ??= []).push(quantile(ms, 0.5));
  (p95s[name] ??= []).push(quantile(ms, 0.95));
  log(`  ${name}: p50 ${quantile(ms, 0.5).toFixed(2)} ms, p95 ${quantile(ms, 0.95).toFixed(2)} ms`);
};
try {
  for (let round = 1; round <= rounds; round++) {
    log(`round ${round}/${rounds} (${CALLS} calls each after ${WARMUP} untimed)`);
    note('floor', await floor());
    note('chaingap_client_chaingap_server', await chaingapClient(server.url));
    if (op) {
      note('openpi_client_openpi_server', await openpiClient(op.url));
      note('chaingap_client_openpi_server', await chaingapClient(op.url));
      note('openpi_client_chaingap_server', await openpiClient(server.url));
    }
  }
} finally {
  op?.proc.kill();
  await server.close();
}

const laneRates: Record<string, number[]> = { groups_1: [], groups_2: [] };
const laneSteps: Record<string, number> = {};
const zero = await zeroServer();
try {
  log(`lane groups: ${LANES} lanes, ${LANE_EPISODES} episodes of ${laneTasks[0].maxSteps} steps, model answers after ${LANE_DELAY_MS} ms in another process`);
  await laneRate(zero.url, 1); // warm-up
  for (let round = 1; round <= rounds; round++) {
    for (const groups of [1, 2]) {
      const r = await laneRate(zero.url, groups);
      laneRates[`groups_${groups}`].push(r.stepsPerS);
      laneSteps[`groups_${groups}`] = r.steps;
      log(`  round ${round}, ${groups} group(s): ${r.stepsPerS.toFixed(1)} control steps/s (${r.steps} steps, ${r.calls} model calls)`);
    }
  }
} finally {
  zero.proc.kill();
}

const ratio = (a: string, b: string, q = p50s) => (q[a] && q[b] ? r3(spread(q[a]).median / spread(q[b]).median) : null);
const doc = {
  name: 'remote',
  setup: { request: `two ${SIZE}x${SIZE}x3 uint8 images, state (8,) float32, prompt (openpi's LIBERO keys)`, reply: `actions [${CHUNK}, 7] float32`, calls: CALLS, warmup: WARMUP, rounds, quick: QUICK },
  figures: {
    p50_ms: Object.fromEntries(Object.keys(p50s).map((k) => [k, spread(p50s[k], r3)])),
    p95_ms: Object.fromEntries(Object.keys(p95s).map((k) => [k, spread(p95s[k], r3)])),
    openpi: missing ? `not measured: ${missing}` : `measured (${python})`,
    lanes: {
      setup: `${LANES} lanes, ${LANE_EPISODES} kitchen episodes capped at ${laneTasks[0].maxSteps} steps, two 128x128 cameras, execute 5, model ${LANE_DELAY_MS} ms in another process`,
      control_steps_per_s: Object.fromEntries(Object.entries(laneRates).map(([k, v]) => [k, spread(v, sig4)])),
      same_steps: laneSteps.groups_1 === laneSteps.groups_2,
    },
  },
  ratios: {
    chaingap_vs_openpi_p50: ratio('chaingap_client_chaingap_server', 'openpi_client_openpi_server'),
    chaingap_client_vs_openpi_client_p50: ratio('chaingap_client_openpi_server', 'openpi_client_openpi_server'),
    chaingap_server_vs_openpi_server_p50: ratio('openpi_client_chaingap_server', 'openpi_client_openpi_server'),
    chaingap_vs_openpi_p95: ratio('chaingap_client_chaingap_server', 'openpi_client_openpi_server', p95s),
    chaingap_vs_floor_p50: ratio('chaingap_client_chaingap_server', 'floor'),
    lane_groups_2_vs_1: r3(spread(laneRates.groups_2).median / spread(laneRates.groups_1).median),
  },
  env: { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length },
};
writeResult('remote', doc);
process.stdout.write(JSON.stringify(doc) + '\n');
