// `chaingap view DIR`: a local HTTP server for the three.js viewer. It serves the built page
// (runner/view/view-bundle.ts), an index of the recordings under DIR, each recording's playback (msgpack),
// the run directory's own files under /run/ (report.html and what it links), and, with a live hub,
// a websocket at /live that streams a run as it goes.
//
// Security: it binds 127.0.0.1 unless told otherwise; it answers only GET and HEAD; a request whose
// Host header is not this server's (DNS rebinding) gets 403; /run/ paths are decoded once, and any ".."
// segment, NUL, backslash or a resolved path (symlinks followed) outside DIR gets 403; anything else
// unknown is 404. The socket accepts upgrades only at /live from this server's own origin, takes
// only the page's hello (JSON, at most 256 bytes) and closes on anything else.
import { createReadStream, existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { encode } from '@msgpack/msgpack';
import type { LiveHub } from './live.ts';
import { VIEWER_FILES, viewerBundle } from './view-bundle.ts';
import { listRecordings, recordingPlayback, type ViewIndexEntry } from './view-data.ts';

export const DEFAULT_VIEW_PORT = 8737;

export interface ViewServerOptions {
  /** Directory served: a run's out, a sweep's or a CI job's out (recordings are found below it). */
  dir: string;
  /** Port (default 8737; 0 picks a free one). */
  port?: number;
  /** Address to bind (default 127.0.0.1). Anything else exposes the run directory to the network. */
  host?: string;
  /** Stream a run as it goes (chaingap run --live). */
  live?: LiveHub;
  /** Folder of the built page (default: built or rebuilt now). */
  pageDir?: string;
}

export interface ViewServer {
  url: string;
  port: number;
  host: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json', '.jsonl': 'application/x-ndjson', '.md': 'text/markdown; charset=utf-8', '.png': 'image/png',
  '.gif': 'image/gif', '.mp4': 'video/mp4', '.svg': 'image/svg+xml', '.msgpack': 'application/msgpack', '.txt': 'text/plain; charset=utf-8',
};

/** The /run/ path's file inside `root`, or the status to answer with (403 outside, 404 missing). */
export function resolveRunPath(root: string, urlPath: string): { file: string } | { status: 403 | 404 } {
  let rel: string;
  try {
    rel = decodeURIComponent(urlPath);
  } catch {
    return { status: 403 };
  }
  if (rel.includes('\0') || rel.includes('\\')) return { status: 403 };
  const segs = rel.split('/').filter((s) => s !== '');
  if (segs.some((s) => s === '..' || s === '.')) return { status: 403 };
  const realRoot = realpathSync(root);
  const file = path.join(realRoot, ...segs);
  if (!existsSync(file)) return { status: 404 };
  const real = realpathSync(file);
  if (real !== realRoot && !real.startsWith(realRoot + path.sep)) return { status: 403 };
  if (!statSync(real).isFile()) return { status: 404 };
  return { file: real };
}

/** Start the viewer server; resolves once it listens. */
export async function startViewer(o: ViewServerOptions): Promise<ViewServer> {
  const root = path.resolve(o.dir);
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new Error(`view: ${o.dir} is not a directory; give a run's --out (or a sweep's or ci's out) that holds recordings/`);
  const host = o.host ?? '127.0.0.1';
  const pageDir = o.pageDir ?? (await viewerBundle());
  const page = new Map(VIEWER_FILES.map((f) => [f, readFileSync(path.join(pageDir, f))]));
  let port = o.port ?? DEFAULT_VIEW_PORT;
  let index: ViewIndexEntry[] = [];
  const playbacks = new Map<string, { mtime: number; bytes: Uint8Array }>();

  // On loopback, only this server's own names are accepted as Host (a page on another site that
  // rebinds its name to 127.0.0.1 sends its own); bound to another address, the user chose to expose it.
  const loopback = ['127.0.0.1', 'localhost', '::1'].includes(host);
  const ownHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
  const hostOk = (h: string | undefined) => !loopback || ownHosts().has(String(h ?? ''));
  const send = (res: ServerResponse, status: number, body: string | Uint8Array, type = 'text/plain; charset=utf-8', extra: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': type, 'x-content-type-options': 'nosniff', 'cache-control': 'no-store', ...extra });
    res.end(body);
  };
  const PAGE_CSP = "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; connect-src 'self' ws: ; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
  // Files of the run directory are shown, never run: no scripts, no plug-ins.
  const RUN_CSP = "default-src 'none'; img-src 'self' data:; media-src 'self' data:; style-src 'unsafe-inline'; sandbox allow-popups allow-top-navigation-by-user-activation";

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'only GET and HEAD\n', undefined, { allow: 'GET, HEAD' });
    if (!hostOk(req.headers.host)) return send(res, 403, 'forbidden host\n');
    const url = new URL(req.url ?? '/', 'http://x');
    const p = url.pathname;
    if (p === '/' || p === '/index.html') return send(res, 200, page.get('index.html')!, TYPES['.html'], { 'content-security-policy': PAGE_CSP });
    if (p === '/style.css' || p === '/main.js') return send(res, 200, page.get(p.slice(1) as (typeof VIEWER_FILES)[number])!, TYPES[path.extname(p)]);
    if (p === '/api/index.json') {
      index = listRecordings(root);
      return send(res, 200, JSON.stringify({ dir: path.basename(root), live: !!o.live, recordings: index }), TYPES['.json']);
    }
    if (p === '/api/playback') {
      const rel = url.searchParams.get('path') ?? '';
      // Only recordings the index lists can be asked for.
      if (!index.some((e) => e.path === rel)) index = listRecordings(root);
      const entry = index.find((e) => e.path === rel);
      if (!entry) return send(res, 404, `no recording "${rel}" under the served directory\n`);
      if (!entry.playable) return send(res, 422, `${rel}: recorded before chaingap kept the resolved scene; record the run again to view it\n`);
      const file = path.join(root, ...rel.split('/'));
      const mtime = statSync(file).mtimeMs;
      let cached = playbacks.get(rel);
      if (!cached || cached.mtime !== mtime) {
        const pb = await recordingPlayback(root, file);
        const u8 = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
        cached = { mtime, bytes: encode({ ...pb, t: u8(pb.t), gripper: u8(pb.gripper), poses: u8(pb.poses) }) };
        playbacks.set(rel, cached);
      }
      return send(res, 200, cached.bytes, 'application/msgpack');
    }
    if (p.startsWith('/run/')) {
      const r = resolveRunPath(root, p.slice('/run/'.length));
      if ('status' in r) return send(res, r.status, r.status === 403 ? 'forbidden\n' : 'not found\n');
      res.writeHead(200, { 'content-type': TYPES[path.extname(r.file)] ?? 'application/octet-stream', 'x-content-type-options': 'nosniff', 'content-security-policy': RUN_CSP, 'cache-control': 'no-store' });
      if (req.method === 'HEAD') return res.end();
      createReadStream(r.file).pipe(res);
      return;
    }
    return send(res, 404, 'not found\n');
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      if (!res.headersSent) send(res, 500, `${(e as Error).message}\n`);
      else res.destroy();
    });
  });
  // ws is loaded here, not at import: the library's index should not pay for it.
  const { WebSocketServer } = await import('ws');
  const wss = new WebSocketServer({ noServer: true, maxPayload: 256 });
  server.on('upgrade', (req, socket, head) => {
    const origin = req.headers.origin;
    const originHost = origin ? (() => { try { return new URL(origin).host; } catch { return ''; } })() : '';
    const ok = o.live && req.url === '/live' && hostOk(req.headers.host) && (!origin || originHost === String(req.headers.host));
    if (!ok) {
      socket.end('HTTP/1.1 403 Forbidden\r\nconnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      let detach: (() => void) | null = null;
      ws.on('message', (data, isBinary) => {
        let msg: unknown = null;
        if (!isBinary) { try { msg = JSON.parse(String(data)); } catch { msg = null; } }
        if (!detach && msg && typeof msg === 'object' && (msg as { type?: unknown }).type === 'hello') {
          detach = o.live!.attach({ send: (b) => { if (ws.readyState === ws.OPEN) ws.send(b); }, pending: () => ws.bufferedAmount });
          return;
        }
        ws.close(1008, 'the live socket takes only the viewer page\'s hello');
      });
      ws.on('close', () => detach?.());
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(e.code === 'EADDRINUSE' ? new Error(`view: port ${port} on ${host} is in use; pick another with --port`) : e));
    server.listen(port, host, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}/`, port, host,
    close: () => new Promise<void>((resolve) => {
      for (const c of wss.clients) c.terminate();
      wss.close();
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
