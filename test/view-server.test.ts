// `chaingap view`'s server: the index of recordings under the served directory, each recording's
// playback (bodies' poses that put every object where the recording has it), the run directory's
// files under /run/, and what it refuses: paths out of the directory (plain, URL-encoded, through a
// symlink), other Host headers, methods other than GET/HEAD, and on the live socket other origins and
// any message but the page's hello. The live stream of a run carries the frames its recording keeps.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import http from 'node:http';
import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { decode } from '@msgpack/msgpack';
import WebSocket from 'ws';
import { LiveHub, type LiveMessage } from '../runner/view/live.ts';
import { readRecording } from '../runner/view/recording.ts';
import { runChains } from '../runner/chains/run.ts';
import { startViewer, type ViewServer } from '../runner/view/view-server.ts';
import type { ViewIndexEntry } from '../runner/view/view-data.ts';
import { recordedRuns } from './view-fixture.ts';

let root = '';
let seed = 0;
let server: ViewServer;

function get(p: string, o: { host?: string; method?: string } = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    // A raw request: the path goes out as written (no client-side normalisation of "..").
    const req = http.request({ host: '127.0.0.1', port: server.port, path: p, method: o.method ?? 'GET', headers: { host: o.host ?? `127.0.0.1:${server.port}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  ({ root, seed } = await recordedRuns());
  fs.symlinkSync('/etc', path.join(root, 'controlled', 'escape'));
  server = await startViewer({ dir: root, port: 0 });
}, 120_000);

afterAll(async () => {
  await server?.close();
});

describe('chaingap view server', () => {
  it('binds 127.0.0.1 by default and serves the built page', async () => {
    expect(server.host).toBe('127.0.0.1');
    const r = await get('/');
    expect(r.status).toBe(200);
    expect(r.body.toString()).toContain('<script type="module" src="main.js">');
    expect(r.headers['content-security-policy']).toContain("script-src 'self'");
    const js = await get('/main.js');
    expect(js.status).toBe(200);
    expect(js.body.length).toBeGreaterThan(100_000);
  });

  it('lists every recording under the directory with its run, setting and step outcomes', async () => {
    const idx = JSON.parse((await get('/api/index.json')).body.toString()) as { recordings: ViewIndexEntry[] };
    expect(idx.recordings.map((e) => e.path)).toEqual([
      `controlled/recordings/kitchen_s${seed}_c0000-r0.msgpack`, `lighting/recordings/kitchen_s${seed}_c0000-r0.msgpack`,
    ]);
    const [c, l] = idx.recordings;
    expect(c.ood).toEqual({});
    expect(l.ood).toEqual({ lighting: 1 });
    expect(c.seed).toBe(l.seed);
    expect(c.policy).toBe('bernoulli:0.6');
    expect(c.steps.map((s) => s.success)).toEqual([true, true, false]);
    expect(c.failed).toBe(true);
    expect(c.steps[2].failure).toBeTruthy();
  });

  it('a playback poses every body so that each object is where the recording has it', async () => {
    const rel = `lighting/recordings/kitchen_s${seed}_c0000-r0.msgpack`;
    const r = await get(`/api/playback?path=${encodeURIComponent(rel)}`);
    expect(r.status).toBe(200);
    const d = decode(r.body) as { viewerScene: { bodies: number; prims: { body: number; name: string; pos: number[]; quat: number[] }[]; lighting: { lights: unknown[] } }; poses: Uint8Array; t: Uint8Array };
    const rec = readRecording(path.join(root, rel));
    const poses = new Float32Array(new Uint8Array(d.poses).buffer);
    const frames = rec.t.length, B = d.viewerScene.bodies;
    expect(poses.length).toBe(frames * 7 * B);
    // OOD lighting 1 is applied (the renderer's lights, not the studio default).
    expect(d.viewerScene.lighting.lights.length).toBeGreaterThanOrEqual(2);
    for (const [k, ob] of rec.objects.entries()) {
      const prim = d.viewerScene.prims.find((p) => p.name === ob.id && p.body >= 0)!;
      expect(prim, ob.id).toBeTruthy();
      for (const i of [0, Math.floor(frames / 2), frames - 1]) {
        // The body's origin is the object's pose (its first collider may sit off the origin, so compare origins).
        const o = 7 * (i * B + prim.body);
        const want = rec.pos.subarray(3 * (i * rec.objects.length + k), 3 * (i * rec.objects.length + k) + 3);
        for (let a = 0; a < 3; a++) expect(Math.abs(poses[o + a] - want[a])).toBeLessThan(2e-4);
      }
    }
  });

  it('refuses paths out of the directory, plain, URL-encoded or through a symlink, and unknown recordings', async () => {
    const passwd = ['/run/../../etc/passwd', '/run/..%2f..%2f..%2fetc%2fpasswd', '/run/%2e%2e/%2e%2e/%2e%2e/etc/passwd', '/run/controlled%5c..%5c..%5cetc%5cpasswd',
      '/run/controlled/escape/passwd', '/run/%252e%252e/etc/passwd', '/../../etc/passwd', '/api/playback?path=..%2f..%2fetc%2fpasswd', '/run/controlled/%00'];
    for (const p of passwd) {
      const r = await get(p);
      expect([403, 404], p).toContain(r.status);
      expect(r.body.toString(), p).not.toContain('root:');
    }
    expect((await get('/run/..%2f..%2fetc%2fpasswd')).status).toBe(403);
    expect((await get('/run/controlled/escape/passwd')).status).toBe(403);
    const ok = await get('/run/controlled/report.html');
    expect(ok.status).toBe(200);
    expect(ok.headers['content-security-policy']).toContain('sandbox');
  });

  it('refuses other Host headers (DNS rebinding) and methods other than GET and HEAD', async () => {
    expect((await get('/api/index.json', { host: 'attacker.example:80' })).status).toBe(403);
    expect((await get('/api/index.json', { method: 'POST' })).status).toBe(405);
    expect((await get('/api/index.json', { method: 'HEAD' })).status).toBe(200);
  });

  it('has no live socket unless a run streams to it', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/live`);
    const outcome = await new Promise<string>((resolve) => {
      ws.on('open', () => resolve('open'));
      ws.on('error', () => resolve('refused'));
    });
    expect(outcome).toBe('refused');
  });
});

describe('live stream', () => {
  it('streams a run as it goes: the chain, frames at the recording\'s instants, steps and their outcomes; other origins and messages are refused', async () => {
    const hub = new LiveHub();
    const dir = path.join(root, 'live');
    fs.mkdirSync(dir);
    const live = await startViewer({ dir, port: 0, live: hub });
    try {
      const url = `ws://127.0.0.1:${live.port}/live`;
      // Another site's page cannot connect.
      const foreign = new WebSocket(url, { origin: 'http://attacker.example' });
      expect(await new Promise<string>((resolve) => { foreign.on('open', () => resolve('open')); foreign.on('error', () => resolve('refused')); })).toBe('refused');
      // Anything but the hello closes the socket (policy violation).
      const rude = new WebSocket(url, { origin: `http://127.0.0.1:${live.port}` });
      await new Promise((r) => rude.on('open', r));
      rude.send(JSON.stringify({ type: 'run', policy: 'onnx:/etc/passwd' }));
      expect(await new Promise<number>((resolve) => rude.on('close', (code) => resolve(code)))).toBe(1008);

      const ws = new WebSocket(url, { origin: `http://127.0.0.1:${live.port}` });
      const got: LiveMessage[] = [];
      ws.on('message', (b: Buffer) => got.push(decode(b) as LiveMessage));
      await new Promise((r) => ws.on('open', r));
      ws.send(JSON.stringify({ type: 'hello' }));
      await new Promise((r) => setTimeout(r, 100));
      const run = await runChains({ out: dir, policy: 'bernoulli:0.6', chains: 1, steps: 3, seed, baselineEpisodes: 1, record: 'all', live: hub, log: () => {} });
      await new Promise((r) => setTimeout(r, 200));
      ws.close();
      const chain = got.filter((m) => m.type === 'chain');
      expect(chain.length).toBe(1);
      const t = got.flatMap((m) => (m.type === 'frames' ? m.t : []));
      const rec = readRecording(path.join(dir, 'recordings', `kitchen_s${seed}_c0000-r0.msgpack`));
      expect(t).toEqual(Array.from(rec.t));
      const steps = got.flatMap((m) => (m.type === 'step' ? [m.step] : []));
      expect(steps.map((s) => [s.task, s.success, s.failure ?? null, s.startFrame, s.endFrame])).toEqual(rec.steps.map((s) => [s.task, s.success, s.failure ?? null, s.startFrame, s.endFrame]));
      expect(got.at(-1)!.type).toBe('end');
      expect(run.summary.S[0].value).toBe(1);
    } finally {
      await live.close();
    }
  }, 60_000);
});

describe('chaingap view (CLI) and the example', () => {
  it('prints its address, serves the directory, and stops cleanly on SIGINT', async () => {
    const child = spawn(process.execPath, [path.resolve('scripts/chaingap.mjs'), 'view', root, '--port', '0', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const line = await new Promise<string>((resolve, reject) => {
      let buf = '';
      child.stdout.on('data', (d: Buffer) => { buf += d; if (buf.includes('\n')) resolve(buf.split('\n')[0]); });
      child.on('exit', (code) => reject(new Error(`exited ${code}`)));
    });
    const { url, recordings } = JSON.parse(line) as { url: string; recordings: number };
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(recordings).toBeGreaterThanOrEqual(2);
    const idx = (await (await fetch(`${url}api/index.json`)).json()) as { recordings: unknown[] };
    expect(idx.recordings.length).toBe(recordings);
    child.kill('SIGINT');
    expect(await new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))).toBe(0);
  }, 60_000);

  it('scripts/examples/view-run.ts records two settings and serves them', () => {
    const dir = fs.mkdtempSync(path.join(root, 'example-'));
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/examples/view-run.ts', dir], { encoding: 'utf8', env: { ...process.env, CHAINGAP_EXAMPLE_NO_WAIT: '1' } });
    expect(out).toMatch(/4 recorded chain runs under/);
    expect(out).toMatch(/viewer: http:\/\/127\.0\.0\.1:\d+\/\?path=.+&side=1/);
  }, 120_000);
});
