// The openpi websocket client as a ChunkModel: one socket to an openpi-compatible policy server (its
// metadata frame first, then one msgpack reply per request, in order), requests pipelined on it. Server
// errors and timeouts are Errors; a dropped connection is a PolicyUnavailableError for the interrupted call,
// and the next call reconnects with exponential backoff.
import { setTimeout as delay } from 'node:timers/promises';
import type WebSocket from 'ws';
import { PolicyUnavailableError, type Observation } from '../sim/policy.ts';
import { checkChunk, type CameraNeed, type ChunkModel } from './chunk-model.ts';
import { LIBERO_PRESET, metadataCameras, presetCameras, presetFor, toRequest, type ObsPreset } from './obs-preset.ts';
import { describeValue, frameBytes, NdArray, packOpenpi, unpackOpenpi } from './openpi-codec.ts';
import { PolicyError } from './policy-error.ts';

export interface RemoteOptions {
  /** Observation keys, image size and state layout (default the LIBERO preset). */
  preset?: ObsPreset;
  /** A call fails when the server goes this long without a reply while requests are outstanding (ms, default 30000). */
  timeoutMs?: number;
  /** Sent as `Authorization: Api-Key <key>`. */
  apiKey?: string;
  /** Actions executed per chunk before asking again (default 5, openpi's LIBERO replan_steps). */
  execute?: number;
  /** Limit for opening a connection and receiving its metadata frame (ms, default 10000). */
  connectTimeoutMs?: number;
  /** Connection attempts after a drop before giving up (default 5). */
  maxReconnects?: number;
  /** Wait before the second attempt (ms, default 250), doubling per attempt, at most 5000. */
  backoffMs?: number;
  log?: (line: string) => void;
}

type Settings = Required<Omit<RemoteOptions, 'apiKey' | 'log'>> & Pick<RemoteOptions, 'apiKey' | 'log'>;

const MAX_BACKOFF_MS = 5000;

/** The connection failed or dropped: what was in flight says nothing about the policy. */
class LinkDropped extends Error {}

interface Pending {
  resolve(reply: Uint8Array): void;
  reject(e: Error): void;
}

/** One websocket connection: the metadata frame, then replies matched to requests first-in first-out. */
class Link {
  metadata: Record<string, unknown> = {};
  /** Why the link died, once it has. */
  failure: Error | null = null;
  private readonly ws: WebSocket;
  private readonly pending: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;

  /** Connect and wait for the metadata frame. */
  static async open(url: string, who: string, s: Settings): Promise<Link> {
    // ws is loaded by the first connection, not at import: a run of scripted policies never pays for it.
    const Socket = (await import('ws')).default;
    return new Promise((resolve, reject) => new Link(Socket, url, who, s, { resolve, reject }));
  }

  private constructor(Socket: typeof WebSocket, url: string, private readonly who: string, private readonly s: Settings, private opening: { resolve(l: Link): void; reject(e: Error): void } | null) {
    const headers = s.apiKey ? { Authorization: `Api-Key ${s.apiKey}` } : undefined;
    this.ws = new Socket(url, { headers, perMessageDeflate: false, handshakeTimeout: s.connectTimeoutMs });
    this.ws.on('unexpected-response', (_req, res) => {
      const hint = res.statusCode === 401 || res.statusCode === 403 ? ' (wrong or missing API key?)' : '';
      this.fail(new Error(`the server answered HTTP ${[res.statusCode, res.statusMessage].filter(Boolean).join(' ')}${hint}`));
    });
    this.ws.on('message', (data, isBinary) => this.onFrame(frameBytes(data), isBinary));
    this.ws.on('error', (e) => this.fail(new LinkDropped(e.message)));
    this.ws.on('close', (code, reason) => this.fail(new LinkDropped(`connection closed (code ${code}${reason.length ? `: ${reason}` : ''})`)));
    this.arm(s.connectTimeoutMs, `no metadata frame within ${s.connectTimeoutMs} ms`);
  }

  get alive(): boolean {
    return this.failure === null;
  }

  /** Send one request; resolves with its reply. */
  request(bytes: Uint8Array): Promise<Uint8Array> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      if (this.pending.length === 1) this.armReplyTimer();
      this.ws.send(bytes, (e) => e && this.fail(new LinkDropped(e.message)));
    });
  }

  /** Close cleanly (terminating if the server does not answer the close within a second). */
  async shutdown(): Promise<void> {
    this.die(new Error(`${this.who}: closed`));
    if (this.ws.readyState === this.ws.CLOSED) return;
    const closed = new Promise((r) => this.ws.once('close', r));
    const force = setTimeout(() => this.ws.terminate(), 1000);
    this.ws.close(1000);
    await closed;
    clearTimeout(force);
  }

  private onFrame(bytes: Uint8Array, isBinary: boolean): void {
    if (!isBinary) {
      // openpi servers send the traceback as text, then close with 1011.
      const text = Buffer.from(bytes).toString('utf8');
      if (this.opening) return this.fail(new Error(`the server reported an error: ${text}`));
      const e = new Error(`${this.who} reported an error: ${text}`);
      if (!this.pending.length) return this.fail(e);
      this.pending.shift()!.reject(e);
      return this.fail(new LinkDropped('connection closed after a server error'));
    }
    if (this.opening) return this.onMetadata(bytes);
    const head = this.pending.shift();
    if (!head) return this.fail(new Error(`${this.who}: a reply arrived with no request outstanding`));
    head.resolve(bytes);
    this.armReplyTimer();
  }

  private onMetadata(bytes: Uint8Array): void {
    let meta: unknown;
    try {
      meta = unpackOpenpi(bytes);
    } catch (e) {
      return this.fail(new Error(`cannot decode the metadata frame: ${(e as Error).message}`));
    }
    if (typeof meta !== 'object' || meta === null || Array.isArray(meta) || meta instanceof NdArray) return this.fail(new Error(`the metadata frame is ${describeValue(meta)}, not a map`));
    this.metadata = meta as Record<string, unknown>;
    clearTimeout(this.timer);
    this.opening!.resolve(this);
    this.opening = null;
  }

  private armReplyTimer(): void {
    clearTimeout(this.timer);
    if (this.pending.length) this.arm(this.s.timeoutMs, `${this.who}: no reply within ${this.s.timeoutMs} ms`);
  }

  private arm(ms: number, message: string): void {
    this.timer = setTimeout(() => this.fail(new Error(message)), ms);
  }

  /** Mark the link dead with `e`: reject everything waiting on it. The first cause wins. */
  private die(e: Error): boolean {
    if (this.failure) return false;
    this.failure = e;
    clearTimeout(this.timer);
    this.opening?.reject(e);
    this.opening = null;
    for (const p of this.pending.splice(0)) p.reject(e);
    return true;
  }

  /** Die and drop the socket: after a timeout or a protocol error a late reply would desynchronise it. */
  private fail(e: Error): void {
    const unheard = !this.opening && !this.pending.length;
    if (!this.die(e)) return;
    this.ws.terminate();
    if (unheard) this.s.log?.(e instanceof LinkDropped ? `${this.who}: ${e.message}` : e.message);
  }
}

/** Refuse what is not a ws:// or wss:// URL, or a URL carrying credentials (they would end up in records). */
export function checkWebsocketUrl(url: string): void {
  let u: URL | null = null;
  try {
    u = new URL(url);
  } catch {}
  if (!u || !/^wss?:$/.test(u.protocol)) throw new PolicyError(`${url}: not a websocket URL; write ws://host:port`);
  if (u.username || u.password) throw new PolicyError(`${url}: do not put credentials in the URL; pass the API key separately (--api-key or CHAINGAP_API_KEY)`);
}

function settings(url: string, o: RemoteOptions): Settings {
  checkWebsocketUrl(url);
  const s: Settings = { preset: LIBERO_PRESET, timeoutMs: 30_000, execute: 5, connectTimeoutMs: 10_000, maxReconnects: 5, backoffMs: 250, ...definedOf(o) };
  for (const [k, min] of [['timeoutMs', 1], ['execute', 1], ['connectTimeoutMs', 1], ['maxReconnects', 0], ['backoffMs', 0]] as const) {
    if (!Number.isInteger(s[k]) || s[k] < min) throw new PolicyError(`remote policy ${url}: ${k} must be an integer >= ${min}, got ${s[k]}`);
  }
  return s;
}

/** The options that are set (an explicit `undefined` keeps the default). */
const definedOf = (o: RemoteOptions): RemoteOptions => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

export class RemoteChunkModel implements ChunkModel {
  readonly cameras: readonly CameraNeed[];
  readonly maxBatch = Infinity;
  readonly execute: number;
  readonly ensembleDecay = null;
  private readonly who: string;
  /** The preset as sent: narrowed to a chaingap server's cameras. */
  private readonly preset: ObsPreset;
  private reconnecting: Promise<Link> | null = null;
  private readonly closing = new AbortController();

  private constructor(readonly id: string, private readonly s: Settings, private link: Link) {
    this.who = `remote policy ${id}`;
    // A chaingap server says which cameras its model uses, and at what size: render and send only those.
    const needs = metadataCameras(link.metadata);
    this.preset = needs ? presetFor(s.preset, needs, true) : s.preset;
    this.cameras = presetCameras(this.preset);
    this.execute = s.execute;
  }

  /** Connect to an openpi policy server and read its metadata frame (one attempt; a PolicyError if it fails). */
  static async connect(url: string, opts: RemoteOptions = {}): Promise<RemoteChunkModel> {
    const s = settings(url, opts);
    const who = `remote policy ${url}`;
    try {
      return new RemoteChunkModel(url, s, await Link.open(url, who, s));
    } catch (e) {
      throw new PolicyError(`${who}: cannot connect: ${(e as Error).message}`);
    }
  }

  metadata(): Record<string, unknown> {
    return this.link.metadata;
  }

  async infer(batch: readonly Observation[]): Promise<Float32Array[]> {
    const requests = batch.map((obs) => packOpenpi(toRequest(obs, this.preset)));
    const link = await this.ensureLink();
    let replies: Uint8Array[];
    try {
      replies = await Promise.all(requests.map((r) => link.request(r)));
    } catch (e) {
      if (!(e instanceof LinkDropped)) throw e;
      this.s.log?.(`${this.who}: ${e.message}; will reconnect`);
      throw new PolicyUnavailableError(`${this.who}: ${e.message} during a call`);
    }
    return replies.map((r) => this.chunkOf(r));
  }

  async close(): Promise<void> {
    this.closing.abort();
    await this.link.shutdown();
  }

  /** The live link, reconnecting first when it died (one reconnection shared by concurrent calls). */
  private ensureLink(): Promise<Link> {
    if (this.closing.signal.aborted) return Promise.reject(new Error(`${this.who}: closed`));
    if (this.link.alive) return Promise.resolve(this.link);
    this.reconnecting ??= this.reconnect().finally(() => (this.reconnecting = null));
    return this.reconnecting;
  }

  private async reconnect(): Promise<Link> {
    const max = this.s.maxReconnects;
    const { signal } = this.closing;
    let last = this.link.failure;
    for (let attempt = 1; attempt <= max && !signal.aborted; attempt++) {
      if (attempt > 1) await delay(Math.min(this.s.backoffMs * 2 ** (attempt - 2), MAX_BACKOFF_MS), undefined, { signal }).catch(() => {});
      if (signal.aborted) break;
      let link: Link;
      try {
        link = await Link.open(this.id, this.who, this.s);
      } catch (e) {
        last = e as Error;
        this.s.log?.(`${this.who}: reconnect attempt ${attempt}/${max} failed: ${last.message}`);
        continue;
      }
      if (signal.aborted) await link.shutdown();
      else {
        this.s.log?.(`${this.who}: reconnected (attempt ${attempt}/${max})`);
        return (this.link = link);
      }
    }
    if (signal.aborted) throw new Error(`${this.who}: closed`);
    throw new PolicyUnavailableError(`${this.who}: unreachable after ${max} reconnect attempts; last error: ${last?.message}`);
  }

  /** The first 7 columns of a reply's `actions` [T, D >= 7], checked. */
  private chunkOf(bytes: Uint8Array): Float32Array {
    let reply: unknown;
    try {
      reply = unpackOpenpi(bytes);
    } catch (e) {
      throw new Error(`${this.who}: cannot decode the reply: ${(e as Error).message}`);
    }
    const actions = (reply as Record<string, unknown> | null)?.actions;
    if (typeof reply !== 'object' || reply === null || actions === undefined) throw new Error(`${this.who}: the reply has no "actions"; got ${describeValue(reply)}`);
    if (!(actions instanceof NdArray) || actions.shape.length !== 2 || actions.shape[1] < 7) {
      throw new Error(`${this.who}: "actions" must be a 2-D array [T, D >= 7], got ${describeValue(actions)}`);
    }
    const [T, D] = actions.shape;
    const out = new Float32Array(T * 7);
    for (let t = 0; t < T; t++) for (let j = 0; j < 7; j++) out[t * 7 + j] = Number(actions.data[t * D + j]);
    checkChunk(out, this.who);
    return out;
  }
}
