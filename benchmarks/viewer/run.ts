// Viewer benchmark: playback frames/s of the three.js page in headless Chromium (Debian's, software
// GL) with an 800x600 canvas, on a cluttered chain (clutter 1: 40-odd moving bodies) against the
// controlled one (about 20 bodies) in the same run, one pane and side by side; the page's load time
// (navigation to a drawn first frame); recording bytes per chain; and clip encode time per chain
// (GIF always, MP4 when ffmpeg is on the PATH).
//
//   npm run bench:viewer            (node --import tsx benchmarks/viewer/run.ts)
//
// Progress goes to stderr; the last stdout line is the JSON written to benchmarks/results/viewer.json.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { runChains } from '../../runner/chains/run.ts';
import { writeVideo } from '../../runner/view/video.ts';
import { startViewer } from '../../runner/view/view-server.ts';
import { listRecordings } from '../../runner/view/view-data.ts';
import { QUICK, sig4 as round, writeResult } from '../harness.ts';

const CHROMIUM = process.env.CHAINGAP_CHROMIUM ?? '/usr/bin/chromium';
const log = (m: string) => process.stderr.write(m + '\n');
if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (or set CHAINGAP_CHROMIUM)`);

const root = mkdtempSync(path.join(tmpdir(), 'chaingap-bench-viewer-'));
const base = { policy: 'expert', chains: QUICK ? 1 : 3, steps: QUICK ? 2 : 10, seed: 1, baselineEpisodes: 1, record: 'all' as const, log: () => {} };
log('recording: 3 ten-step chains, controlled and at clutter 1 ...');
await runChains({ ...base, out: path.join(root, 'controlled') });
await runChains({ ...base, out: path.join(root, 'clutter'), ood: { clutter: 1 } });
const recs = listRecordings(root);
const bytes = (dir: string) => recs.filter((r) => r.path.startsWith(dir)).map((r) => r.bytes);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

const server = await startViewer({ dir: root, port: 0 });
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'] });
const until = async (page: import('playwright-core').Page, expr: string) => { while (!(await page.evaluate(expr))) await new Promise((r) => setTimeout(r, 20)); };

async function measure(rel: string, side: boolean): Promise<{ loadMs: number; fps: number; bodies: number; meshes: number; canvas: number[] }> {
  // The side panel is 300 px and the controls about 100 px: this viewport gives one 800x600 canvas.
  const page = await browser.newPage({ viewport: { width: side ? 1912 : 1108, height: 679 } });
  const t0 = performance.now();
  await page.goto(`${server.url}?path=${encodeURIComponent(rel)}&clock=manual${side ? '&side=1' : ''}`);
  await until(page, 'window.chaingapViewer && window.chaingapViewer.ready === true');
  const loadMs = performance.now() - t0;
  await page.evaluate('window.chaingapViewer.measureFps(10)');
  const fps = (await page.evaluate(`window.chaingapViewer.measureFps(${QUICK ? 10 : 90})`)) as number;
  const st = (await page.evaluate('window.chaingapViewer.state()')) as { panes: ({ bodies: number; meshes: number } | null)[] };
  const canvas = (await page.evaluate('[document.querySelector("canvas").width, document.querySelector("canvas").height]')) as number[];
  await page.close();
  return { loadMs: round(loadMs), fps: round(fps), bodies: st.panes[0]!.bodies, meshes: st.panes[0]!.meshes, canvas };
}

const pick = (dir: string) => recs.find((r) => r.path.startsWith(dir))!.path;
const out: Record<string, unknown> = { machine: { cpus: cpus().length, model: cpus()[0]?.model }, chromium: CHROMIUM };
const playback: Record<string, unknown> = {};
for (const [name, rel, side] of [['controlled', pick('controlled/'), false], ['clutter1', pick('clutter/'), false], ['clutter1_side_by_side', pick('clutter/'), true]] as const) {
  playback[name] = await measure(rel, side);
  log(`${name}: ${JSON.stringify(playback[name])}`);
}
const c = playback.controlled as { fps: number }, k = playback.clutter1 as { fps: number };
out.playback = { ...playback, clutterOverControlledFps: round(k.fps / c.fps) };
await browser.close();
await server.close();

out.recordingBytesPerChain = { controlled: Math.round(mean(bytes('controlled/'))), clutter1: Math.round(mean(bytes('clutter/'))), frames: Math.round(mean(recs.map((r) => r.frames))) };
const clips: Record<string, unknown> = {};
const hasFfmpeg = spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' }).status === 0;
for (const fmt of hasFfmpeg ? ['gif', 'mp4'] : ['gif']) {
  const r = recs.filter((x) => x.path.startsWith('clutter/'))[0];
  const dir = path.join(root, 'clutter');
  const v = await writeVideo({ dir, chain: r.chainId, out: path.join(root, `clip.${fmt}`), width: QUICK ? 64 : 256, height: QUICK ? 64 : 256 });
  clips[fmt] = { frames: v.frames, size: QUICK ? '64x64' : '256x256', seconds: round(v.seconds), msPerFrame: round((1000 * v.seconds) / v.frames), bytes: v.bytes };
  log(`${fmt}: ${JSON.stringify(clips[fmt])}`);
}
out.clipPerChain = clips;
writeResult('viewer', out);
process.stdout.write(JSON.stringify(out) + '\n');
