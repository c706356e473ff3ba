// openpi websocket protocol: the msgpack codec (bin-keyed ndarray maps), the observation presets, and
// RemoteChunkModel against servePolicy and against raw `ws` servers that misbehave on purpose.
import { once } from 'node:events';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import type { CameraNeed, ChunkModel } from '../policies/chunk-model.ts';
import { axisAngleToQuat, CHAINGAP_PRESET, fromRequest, LIBERO_PRESET, presetCameras, presetFromJson, toRequest, type ObsPreset } from '../policies/obs-preset.ts';
import { encode as msgpackEncode } from '@msgpack/msgpack';
import { frameBytes, ndarray, NdArray, packOpenpi, unpackOpenpi } from '../policies/openpi-codec.ts';
import { servePolicy } from '../policies/policy-server.ts';
import { RemoteChunkModel } from '../policies/remote-model.ts';
import { stateVector } from '../policies/state-vector.ts';
import { PolicyUnavailableError, type CameraImage, type Observation } from '../sim/policy.ts';

const T = 4;
const SIZE = 224;

function image(seed: number): CameraImage {
  const rgb = new Uint8Array(SIZE * SIZE * 3);
  for (let k = 0; k < rgb.length; k++) rgb[k] = (k * 7 + seed * 31) & 255;
  return { width: SIZE, height: SIZE, rgb };
}

function observation(i: number): Observation {
  return {
    state: {
      eePos: [0.4 + 0.01 * i, -0.1 + 0.02 * i, 0.2],
      eeQuat: axisAngleToQuat([0.3, -0.2 + 0.05 * i, 1.0]),
      gripperWidth: (0.01 * i) % 0.08,
      joints: [0, 1, 2, 3, 4, 5, 6].map((k) => 0.1 * i + 0.2 * k - 0.5),
    },
    instruction: `pick up the ${['bowl', 'plate', 'mug'][i % 3]}`,
    images: { agentview: image(i), wrist: image(i + 100) },
  };
}

function imageHash(obs: Observation): number {
  let h = 0;
  for (const name of Object.keys(obs.images ?? {}).sort()) {
    const rgb = obs.images![name].rgb;
    for (let k = 0; k < rgb.length; k += 97) h = (h * 31 + rgb[k] * (k % 13 + 1)) % 1009;
  }
  return h / 1009;
}

/** Deterministic: actions from the preset's state vector, a hash of the images and the prompt length. */
class FakeModel implements ChunkModel {
  readonly id = 'fake';
  readonly maxBatch = Infinity;
  readonly execute = 2;
  readonly ensembleDecay = null;
  readonly cameras: CameraNeed[];
  constructor(private readonly preset: ObsPreset, private readonly delayMs = 0) {
    this.cameras = presetCameras(preset);
  }
  async infer(batch: readonly Observation[]): Promise<Float32Array[]> {
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    return batch.map((obs) => {
      const s = stateVector(obs.state, this.preset.stateLayout);
      const h = imageHash(obs);
      const out = new Float32Array(T * 7);
      for (let t = 0; t < T; t++) for (let j = 0; j < 7; j++) out[t * 7 + j] = 0.5 * Math.sin(s[(t + j) % s.length] * (t + 1) + j) + 0.3 * h + 0.01 * obs.instruction.length;
      return out;
    });
  }
  metadata() {
    return { name: 'fake', chunk: T };
  }
  async close() {}
}

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function serve(model: ChunkModel, opts: { preset?: ObsPreset; apiKey?: string } = {}) {
  const server = await servePolicy(model, { port: 0, ...opts });
  cleanup.push(() => server.close());
  return server;
}

async function client(url: string, opts: Parameters<typeof RemoteChunkModel.connect>[1] = {}) {
  const model = await RemoteChunkModel.connect(url, opts);
  cleanup.push(() => model.close());
  return model;
}

/** A hand-written openpi server: sends metadata, then lets `onRequest` answer (or not). */
async function rawServer(onRequest: (ws: WebSocket, request: unknown, n: number) => void) {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await once(wss, 'listening');
  let n = 0;
  wss.on('connection', (ws) => {
    ws.send(packOpenpi({ raw: true }));
    ws.on('message', (data) => onRequest(ws, unpackOpenpi(frameBytes(data)), n++));
  });
  const stop = () => {
    for (const ws of wss.clients) ws.terminate();
    return new Promise<void>((r) => wss.close(() => r()));
  };
  cleanup.push(stop);
  return { url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, stop };
}

const sendActions = (ws: WebSocket, actions: NdArray) => ws.send(packOpenpi({ actions, server_timing: { infer_ms: 1 } }));
const goodActions = () => ndarray(new Float32Array(T * 7).fill(0.25), [T, 7]);

describe('openpi msgpack codec', () => {
  it('round-trips maps, atoms, lists and ndarrays of every common dtype', () => {
    const value = {
      n: 3, x: -1.5, s: 'pick', b: true, z: null, list: [1, 'two', { three: 3 }], bytes: Uint8Array.of(1, 2, 3),
      f4: ndarray(Float32Array.of(1.5, -2, 3.25, 4, 5, 6), [2, 3]),
      f8: ndarray(Float64Array.of(Math.PI, Math.E)),
      u1: ndarray(Uint8Array.of(0, 128, 255), [1, 3]),
      i4: ndarray(Int32Array.of(-7, 8)),
      i8: ndarray(BigInt64Array.of(-(2n ** 60n), 5n)),
      nested: { deeper: { a: ndarray(new Float32Array(0), [0, 7]) } },
      wide: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, i % 2 ? i : ndarray(Float32Array.of(i))])), // map16 header
      long: Array.from({ length: 70_000 }, (_, i) => i % 3), // array32 header
    };
    const back = unpackOpenpi(packOpenpi(value)) as Record<string, unknown>;
    expect(back).toEqual(value);
    const f4 = back.f4 as NdArray;
    expect(f4).toBeInstanceOf(NdArray);
    expect(f4.dtype).toBe('<f4');
    expect(f4.data.byteOffset % 4).toBe(0);
    expect((back.i8 as NdArray).dtype).toBe('<i8');
  });

  it('masks websocket frames natively: bufferutil (a prebuilt binary in its npm package) loads', () => {
    // ws falls back to a byte-by-byte loop without it, silently: 224x224 images then take 2-4 ms more per
    // round trip (npm run bench:remote). A fresh install must keep it working.
    const bufferutil = createRequire(import.meta.url)('bufferutil') as { mask(s: Buffer, m: Buffer, o: Buffer, off: number, n: number): void };
    const src = Buffer.from(Array.from({ length: 64 }, (_, i) => i));
    const out = Buffer.alloc(64);
    bufferutil.mask(src, Buffer.from([1, 2, 3, 4]), out, 0, 64);
    expect([...out.subarray(0, 5)]).toEqual([0 ^ 1, 1 ^ 2, 2 ^ 3, 3 ^ 4, 4 ^ 1]);
    expect(bufferutil.mask.toString()).not.toContain('for (');
  });

  it('writes ndarray maps with bin keys, as openpi msgpack_numpy expects', () => {
    const bytes = packOpenpi(ndarray(Float32Array.of(1), [1]));
    const bin = (s: string) => [0xc4, s.length, ...Buffer.from(s)];
    const expected = [
      0x84, ...bin('__ndarray__'), 0xc3,
      ...bin('data'), 0xc4, 4, 0x00, 0x00, 0x80, 0x3f,
      ...bin('dtype'), 0xa3, ...Buffer.from('<f4'),
      ...bin('shape'), 0x91, 0x01,
    ];
    expect([...bytes.subarray(0, 14)]).toEqual([0x84, 0xc4, 0x0b, ...Buffer.from('__ndarray__')]);
    expect([...bytes]).toEqual(expected);
    // Ordinary keys stay str.
    expect([...packOpenpi({ prompt: 'x' })]).toEqual([0x81, 0xa6, ...Buffer.from('prompt'), 0xa1, 0x78]);
    // Image-sized data is framed here, not by @msgpack/msgpack: its bin8/16/32 headers must be the ones that library writes.
    for (const n of [0, 255, 256, 65_535, 65_536, 224 * 224 * 3]) {
      const data = Uint8Array.from({ length: n }, (_, i) => (i * 7) & 255);
      expect(Buffer.from(packOpenpi({ data })).equals(Buffer.from(msgpackEncode({ data })))).toBe(true);
      expect((unpackOpenpi(packOpenpi(ndarray(data))) as NdArray).data).toEqual(data);
    }
  });

  it('decodes big-endian arrays, numpy scalars and str-keyed ndarray maps', () => {
    const be = Buffer.alloc(8);
    be.writeFloatBE(1.5, 0);
    be.writeFloatBE(-2, 4);
    const back = unpackOpenpi(packOpenpi({
      a: { __ndarray__: true, data: new Uint8Array(be), dtype: '>f4', shape: [2] },
      g: { __npgeneric__: true, data: 7.5, dtype: '<f8' },
    })) as { a: NdArray; g: number };
    expect(back.a.dtype).toBe('<f4');
    expect([...back.a.data]).toEqual([1.5, -2]);
    expect(back.g).toBe(7.5);
  });

  it('rejects what it cannot represent, naming it', () => {
    const bad = (dtype: string, data: Uint8Array, shape: number[]) => () => unpackOpenpi(packOpenpi({ __ndarray__: true, data, dtype, shape }));
    expect(bad('<f4', new Uint8Array(6), [2])).toThrow(/needs 8 bytes, got 6/);
    expect(bad('<c8', new Uint8Array(8), [1])).toThrow(/dtype <c8 is not supported/);
    expect(() => packOpenpi({ state: new Float32Array(3) })).toThrow(/Float32Array at \.state.*ndarray\(\)/);
    expect(() => ndarray(new Float32Array(6), [2, 2])).toThrow(/shape \[2, 2\] holds 4 values/);
  });
});

describe('observation presets', () => {
  it('validates preset JSON, naming the file and the field', () => {
    const ok = { name: 'mine', keys: { image: 'img', state: 's', prompt: 'p' }, imageSize: 96, stateLayout: ['ee_pos', 'ee_quat', 'gripper_width'] };
    expect(presetCameras(presetFromJson(ok, 'mine.json'))).toEqual([{ camera: 'agentview', width: 96, height: 96 }]);
    expect(() => presetFromJson({ ...ok, keys: { ...ok.keys, extra: 'x' } }, 'mine.json')).toThrow(/^mine\.json: keys: /);
    expect(() => presetFromJson({ ...ok, stateLayout: ['ee_pos', 'elbow'] }, 'mine.json')).toThrow(/^mine\.json: stateLayout\[1\]: /);
    expect(() => presetFromJson({ ...ok, keys: { state: 's', prompt: 's' } }, 'mine.json')).toThrow(/each request key must be different/);
  });

  it('needs every preset camera at the preset size', () => {
    const obs = observation(1);
    expect(() => toRequest({ ...obs, images: { agentview: obs.images!.agentview } }, LIBERO_PRESET)).toThrow(/observation\/wrist_image needs the wrist camera at 224x224.*no wrist image/);
    const small = { width: 64, height: 64, rgb: new Uint8Array(64 * 64 * 3) };
    expect(() => toRequest({ ...obs, images: { ...obs.images, agentview: small } }, LIBERO_PRESET)).toThrow(/agentview camera at 224x224 RGB, got 64x64/);
  });

  it('rebuilds the observation on the server side (chaingap lossless, libero without joints)', () => {
    const obs = observation(3);
    const wire = (preset: ObsPreset) => fromRequest(unpackOpenpi(packOpenpi(toRequest(obs, preset))), preset);
    const c = wire(CHAINGAP_PRESET);
    expect(c.instruction).toBe(obs.instruction);
    expect(Buffer.from(c.images!.wrist.rgb).equals(obs.images!.wrist.rgb)).toBe(true);
    [...c.state.eePos, ...c.state.eeQuat, c.state.gripperWidth, ...c.state.joints].forEach((v, i) =>
      expect(v).toBeCloseTo([...obs.state.eePos, ...obs.state.eeQuat, obs.state.gripperWidth, ...obs.state.joints][i], 6));
    const l = wire(LIBERO_PRESET);
    l.state.eeQuat.forEach((v, i) => expect(v).toBeCloseTo(obs.state.eeQuat[i], 6));
    expect(l.state.gripperWidth).toBeCloseTo(obs.state.gripperWidth, 6);
    expect(l.state.joints).toEqual([0, 0, 0, 0, 0, 0, 0]);
    const { prompt: _, ...noPrompt } = toRequest(obs, LIBERO_PRESET);
    expect(() => fromRequest(noPrompt, LIBERO_PRESET)).toThrow(/request has no "prompt"/);
  });
});

describe('remote policy over the openpi websocket protocol', () => {
  const obs8 = Array.from({ length: 8 }, (_, i) => observation(i));

  for (const preset of [LIBERO_PRESET, CHAINGAP_PRESET]) {
    it(`matches the in-process model through servePolicy (${preset.name} preset)`, async () => {
      const local = new FakeModel(preset);
      const server = await serve(new FakeModel(preset, 20), { preset });
      const remote = await client(server.url, { preset, timeoutMs: 5000 });
      expect(remote.metadata()).toEqual({ name: 'fake', chunk: T });
      expect(remote.id).toBe(server.url);
      expect(remote.cameras).toEqual(presetCameras(preset));
      const want = await local.infer(obs8);
      const singles: Float32Array[] = [];
      for (const o of obs8) singles.push(...(await remote.infer([o])));
      const before = server.stats();
      const batched = await remote.infer(obs8);
      const after = server.stats();
      for (let i = 0; i < 8; i++) {
        expect(batched[i]).toEqual(singles[i]);
        expect(batched[i].length).toBe(T * 7);
        batched[i].forEach((v, k) => expect(Math.abs(v - want[i][k])).toBeLessThan(1e-6));
      }
      expect(after.requests - before.requests).toBe(8);
      expect(after.batches - before.batches).toBeLessThan(8);
    });
  }

  it('answers GET /healthz', async () => {
    const server = await serve(new FakeModel(LIBERO_PRESET));
    const res = await fetch(`http://127.0.0.1:${server.port}/healthz`);
    expect(res.status).toBe(200);
    expect((await res.text()).trim()).toBe('OK');
  });

  it('refuses a wrong or missing API key and accepts the right one', async () => {
    const server = await serve(new FakeModel(LIBERO_PRESET), { apiKey: 's3cret' });
    await expect(RemoteChunkModel.connect(server.url, { apiKey: 'wrong' })).rejects.toThrow(/cannot connect: the server answered HTTP 401.*API key/);
    await expect(RemoteChunkModel.connect(server.url)).rejects.toThrow(/HTTP 401/);
    const remote = await client(server.url, { apiKey: 's3cret' });
    expect(remote.id).not.toContain('s3cret');
    expect((await remote.infer([observation(0)]))[0].length).toBe(T * 7);
  });

  it('reports a server-side error (bad request) with the server text', async () => {
    const server = await serve(new FakeModel(LIBERO_PRESET));
    const remote = await client(server.url, { preset: CHAINGAP_PRESET });
    await expect(remote.infer([observation(0)])).rejects.toThrow(/reported an error: request "observation\/state": expected 8 numbers/);
  });

  it('answers a garbage frame with a text frame and close code 1011, and keeps serving', async () => {
    const server = await serve(new FakeModel(LIBERO_PRESET));
    const ws = new WebSocket(server.url);
    const frames: string[] = [];
    ws.on('message', (data, isBinary) => !isBinary && frames.push(data.toString()));
    await once(ws, 'message'); // metadata
    ws.send(Uint8Array.of(0xc1, 0xff, 0x00));
    const [code] = await once(ws, 'close');
    expect(code).toBe(1011);
    expect(frames).toHaveLength(1);
    expect((await fetch(`http://127.0.0.1:${server.port}/healthz`)).status).toBe(200);
  });

  it('surfaces a text frame as an Error with its text', async () => {
    const raw = await rawServer((ws) => {
      ws.send('Traceback (most recent call last):\nValueError: boom');
      ws.close(1011);
    });
    const remote = await client(raw.url);
    const err = await remote.infer([observation(0)]).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(PolicyUnavailableError);
    expect((err as Error).message).toMatch(/^remote policy ws:.* reported an error: Traceback[\s\S]*ValueError: boom/);
  });

  it('rejects actions with NaN, missing actions and wrong shapes', async () => {
    const replies = [
      ndarray(Float32Array.of(...new Array(27).fill(0), NaN), [4, 7]),
      null,
      ndarray(new Float32Array(7)),
    ];
    const raw = await rawServer((ws, _req, n) => (replies[n] ? sendActions(ws, replies[n]!) : ws.send(packOpenpi({ oops: 1 }))));
    const remote = await client(raw.url);
    await expect(remote.infer([observation(0)])).rejects.toThrow(/entry \[3, 6\] is NaN/);
    await expect(remote.infer([observation(0)])).rejects.toThrow(/no "actions"; got a map with keys oops/);
    await expect(remote.infer([observation(0)])).rejects.toThrow(/2-D array \[T, D >= 7\], got <f4 ndarray \[7\]/);
  });

  it('takes the first 7 columns of float64 actions of shape (5, 8)', async () => {
    const raw = await rawServer((ws) => sendActions(ws, ndarray(Float64Array.from({ length: 40 }, (_, k) => k / 100), [5, 8])));
    const remote = await client(raw.url);
    const [chunk] = await remote.infer([observation(0)]);
    expect(chunk.length).toBe(35);
    chunk.forEach((v, k) => expect(v).toBeCloseTo((Math.floor(k / 7) * 8 + (k % 7)) / 100, 6));
  });

  it('times out when no reply comes, then reconnects for the next call', async () => {
    const raw = await rawServer((ws, _req, n) => n > 0 && sendActions(ws, goodActions()));
    const remote = await client(raw.url, { timeoutMs: 300 });
    const t0 = Date.now();
    await expect(remote.infer([observation(0)])).rejects.toThrow(`remote policy ${raw.url}: no reply within 300 ms`);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect((await remote.infer([observation(0)]))[0]).toEqual(goodActions().data);
  });

  it('a dropped connection is PolicyUnavailableError, and the next call reconnects', async () => {
    const raw = await rawServer((ws, _req, n) => (n === 0 ? ws.terminate() : sendActions(ws, goodActions())));
    const lines: string[] = [];
    const remote = await client(raw.url, { backoffMs: 10, log: (l) => lines.push(l) });
    await expect(remote.infer([observation(0), observation(1)])).rejects.toBeInstanceOf(PolicyUnavailableError);
    const chunks = await remote.infer([observation(0), observation(1)]);
    expect(chunks.map((c) => c[0])).toEqual([0.25, 0.25]);
    expect(lines.some((l) => /reconnected/.test(l))).toBe(true);
  });

  it('a server gone for good is PolicyUnavailableError after maxReconnects', async () => {
    const raw = await rawServer((ws) => {
      ws.terminate();
      void raw.stop();
    });
    const remote = await client(raw.url, { maxReconnects: 3, backoffMs: 10 });
    await expect(remote.infer([observation(0)])).rejects.toBeInstanceOf(PolicyUnavailableError);
    const err = await remote.infer([observation(0)]).catch((e: Error) => e);
    expect(err).toBeInstanceOf(PolicyUnavailableError);
    expect((err as Error).message).toMatch(/unreachable after 3 reconnect attempts; last error: .*ECONNREFUSED/);
  });
});
