// Serve a ChunkModel over openpi's websocket protocol, so openpi clients (and RemoteChunkModel) can use it:
// the metadata frame on connect, then one `{actions [T, 7] float32, server_timing}` reply per request.
// Requests from all connections queue up and run as one model.infer batch while no call is in flight.
// A bad request or a model error is a text frame plus close code 1011 for that client, as openpi does.
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { Observation } from '../sim/policy.ts';
import { checkChunk, type ChunkModel } from './chunk-model.ts';
import { fromRequest, LIBERO_PRESET, missingStateParts, presetCameras, presetFor, type ObsPreset } from './obs-preset.ts';
import { frameBytes, ndarray, packOpenpi, unpackOpenpi } from './openpi-codec.ts';
import { PolicyError } from './policy-error.ts';

export interface ServeOptions {
  /** 0 picks a free port. */
  port: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** How requests map to observations (default the LIBERO preset). */
  preset?: ObsPreset;
  /** When set, connections without `Authorization: Api-Key <key>` get HTTP 401. */
  apiKey?: string;
  log?: (line: string) => void;
}

export interface PolicyServer {
  port: number;
  url: string;
  close(): Promise<void>;
  /** Observations run through the model, and the model.infer calls that ran them. */
  stats(): { requests: number; batches: number };
}

/** One request's outcome: its chunk and the batch's model time, or why it failed. */
type Outcome = { chunk: Float32Array; inferMs: number } | { error: Error };

interface Job {
  obs: Observation;
  done(o: Outcome): void;
}

/** Check at startup that the preset rebuilds the state and carries every camera the model needs (at any size). */
function checkPreset(model: ChunkModel, preset: ObsPreset): void {
  const missing = missingStateParts(preset.stateLayout);
  if (missing.length) throw new PolicyError(`serve-policy: preset ${preset.name} cannot rebuild the robot state: its layout has no ${missing.join(', no ')}`);
  const sent = presetCameras(preset);
  for (const need of model.cameras) {
    // Sizes may differ: the ONNX host resizes images to the size its manifest names.
    if (!sent.some((c) => c.camera === need.camera)) {
      throw new PolicyError(`serve-policy: ${model.id} needs the ${need.camera} camera, but preset ${preset.name} sends ${sent.map((c) => `${c.camera} ${c.width}x${c.height}`).join(', ') || 'no images'}`);
    }
  }
}

/** Runs queued observations through the model: all that are waiting (up to maxBatch) per call, one call at a time. */
class Batcher {
  requests = 0;
  batches = 0;
  private readonly queue: Job[] = [];
  private running: Promise<void> | null = null;

  constructor(private readonly model: ChunkModel) {}

  submit(obs: Observation): Promise<Outcome> {
    return new Promise((done) => {
      this.queue.push({ obs, done });
      // Defer a turn so requests that arrived together form one batch.
      if (!this.running) setImmediate(() => this.pump());
    });
  }

  /** Resolves when no model call is in flight. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private pump(): void {
    if (this.running || !this.queue.length) return;
    const jobs = this.queue.splice(0, Math.min(this.queue.length, this.model.maxBatch));
    this.running = this.run(jobs).finally(() => {
      this.running = null;
      this.pump();
    });
  }

  private async run(jobs: Job[]): Promise<void> {
    this.batches++;
    this.requests += jobs.length;
    const t0 = performance.now();
    try {
      const chunks = await this.model.infer(jobs.map((j) => j.obs));
      if (chunks.length !== jobs.length) throw new Error(`${this.model.id}: returned ${chunks.length} chunks for ${jobs.length} observations`);
      chunks.forEach((c) => checkChunk(c, this.model.id));
      const inferMs = performance.now() - t0;
      jobs.forEach((j, i) => j.done({ chunk: chunks[i], inferMs }));
    } catch (e) {
      for (const j of jobs) j.done({ error: e as Error });
    }
  }
}

function authorized(req: IncomingMessage, apiKey: string | undefined): boolean {
  if (apiKey === undefined) return true;
  const got = Buffer.from(req.headers.authorization ?? '');
  const want = Buffer.from(`Api-Key ${apiKey}`);
  return got.length === want.length && timingSafeEqual(got, want);
}

function answerHttp(req: IncomingMessage, res: ServerResponse): void {
  const path = new URL(req.url ?? '/', 'http://host').pathname;
  if (req.method === 'GET' && path === '/healthz') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('OK\n');
  } else {
    res.writeHead(426, { 'content-type': 'text/plain', upgrade: 'websocket' }).end('This is an openpi websocket policy server; connect with a websocket client.\n');
  }
}

/** Serve `model` on host:port until close(). */
export async function servePolicy(model: ChunkModel, opts: ServeOptions): Promise<PolicyServer> {
  // Images of cameras the model does not use are neither required nor decoded.
  const preset = presetFor(opts.preset ?? LIBERO_PRESET, model.cameras, false);
  const host = opts.host ?? '127.0.0.1';
  const log = opts.log ?? (() => {});
  checkPreset(model, opts.preset ?? LIBERO_PRESET);
  const batcher = new Batcher(model);
  const http = createServer(answerHttp);
  // ws is loaded here, not at import: the library's index should not pay for it.
  const { WebSocketServer } = await import('ws');
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });

  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {}); // a client resetting mid-handshake must not crash the server
    if (!authorized(req, opts.apiKey)) {
      log(`refused ${req.socket.remoteAddress}: missing or wrong API key`);
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveClient(ws, `${req.socket.remoteAddress}:${req.socket.remotePort}`));
  });

  function serveClient(ws: WebSocket, peer: string): void {
    log(`client ${peer} connected`);
    let tail: Promise<void> = Promise.resolve(); // replies go out in request order
    let failed = false;
    const fail = (e: Error) => {
      if (failed) return;
      failed = true;
      log(`client ${peer}: ${e.message}`);
      if (ws.readyState !== ws.OPEN) return;
      ws.send(e.message);
      ws.close(1011, 'Internal server error. Message included in previous frame.');
    };
    ws.on('error', (e) => log(`client ${peer}: ${e.message}`));
    ws.on('close', () => log(`client ${peer} disconnected`));
    ws.on('message', (data, isBinary) => {
      if (failed) return;
      const outcome = decode(frameBytes(data), isBinary).then((obs) => batcher.submit(obs), (error: Error): Outcome => ({ error }));
      tail = tail.then(async () => {
        const o = await outcome;
        if (failed || ws.readyState !== ws.OPEN) return;
        if ('error' in o) return fail(o.error);
        const actions = ndarray(o.chunk, [o.chunk.length / 7, 7]);
        ws.send(packOpenpi({ actions, server_timing: { infer_ms: o.inferMs } }));
      }).catch(fail);
    });
    try {
      ws.send(packOpenpi(model.metadata()));
    } catch (e) {
      fail(e as Error);
    }
  }

  async function decode(bytes: Uint8Array, isBinary: boolean): Promise<Observation> {
    if (!isBinary) throw new Error('expected a binary msgpack frame, got a text frame');
    let request: unknown;
    try {
      request = unpackOpenpi(bytes);
    } catch (e) {
      throw new Error(`cannot decode the request as msgpack: ${(e as Error).message}`);
    }
    return fromRequest(request, preset);
  }

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(opts.port, host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  http.on('error', (e) => log(`server error: ${e.message}`));
  const port = (http.address() as AddressInfo).port;
  const url = `ws://${host.includes(':') ? `[${host}]` : host}:${port}`;
  log(`serving ${model.id} at ${url} (preset ${preset.name})`);

  return {
    port,
    url,
    stats: () => ({ requests: batcher.requests, batches: batcher.batches }),
    async close() {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      const closed = new Promise<void>((r) => http.close(() => r()));
      http.closeAllConnections();
      await closed;
      await batcher.idle();
    },
  };
}
