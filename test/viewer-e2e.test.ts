// The viewer page end to end, in Debian's Chromium (headless, software GL) driven by playwright-core:
// it draws the scene (the table where the camera sees it), the timeline has one mark per step with the
// failure on the failed one, scrubbing to step 3 puts its instruction and outcome over the view, side
// by side shows the same chain seed at the other setting, and the playback clock is the test's, so a
// screenshot repeats. Chromium comes from apt-get (`.ci/run` installs it and sets
// CHAINGAP_CI=1, which turns a missing browser into a failure); elsewhere the test is
// skipped, saying why.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startViewer, type ViewServer } from '../runner/view/view-server.ts';
import { startLiveViewer } from '../runner/view/live-viewer.ts';
import { runChains } from '../runner/chains/run.ts';
import { recordedRuns } from './view-fixture.ts';
import { BernoulliPolicy } from '../policies/bernoulli.ts';
import type { Policy } from '../sim/policy.ts';
import type { PrivilegedState } from '../sim/privileged.ts';

const CHROMIUM = process.env.CHAINGAP_CHROMIUM ?? '/usr/bin/chromium';
const have = fs.existsSync(CHROMIUM);
if (!have && process.env.CHAINGAP_CI === '1') throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium) or set CHAINGAP_CHROMIUM`);
if (!have) console.warn(`viewer e2e skipped: no ${CHROMIUM} (apt-get install chromium to run it)`);

let server: ViewServer;
let browser: Browser;
let seed = 0;
let root = '';
const shots = fs.mkdtempSync(path.join(os.tmpdir(), 'chaingap-shots-'));

type ViewerApi = {
  ready: boolean;
  seekStep(n: number, into?: number): number;
  setSide(on: boolean): Promise<void>;
  state(): { time: number; side: boolean; path: string | null; overlay: (string | null)[]; panes: ({ path: string; frames: number; meshes: number; bodies: number } | null)[] };
  probe(name: string, k?: number): { pixel: number[]; color: number[]; background: number[] } | null;
};
const api = <T>(page: Page, f: (v: ViewerApi) => T | Promise<T>): Promise<T> =>
  page.evaluate(`(${f.toString()})(window.chaingapViewer)`) as Promise<T>;

/**
 * Poll `expr` in the page until it is true. (page.waitForFunction would evaluate it with eval in the
 * page when it must poll, which the viewer's Content-Security-Policy forbids, as it should.)
 */
async function until(page: Page, expr: string, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await page.evaluate(expr))) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${expr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function open(query: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${server.url}${query}`);
  await until(page, 'window.chaingapViewer && window.chaingapViewer.ready === true', 60_000);
  expect(errors).toEqual([]);
  return page;
}

describe.skipIf(!have)('viewer page in Chromium', () => {
  beforeAll(async () => {
    const r = await recordedRuns();
    seed = r.seed;
    root = r.root;
    server = await startViewer({ dir: root, port: 0 });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('draws the scene, marks each step, shows step 3\'s instruction and failure, and goes side by side', async () => {
    const rel = `controlled/recordings/kitchen_s${seed}_c0000-r0.msgpack`;
    const page = await open(`?path=${encodeURIComponent(rel)}&clock=manual`);
    // The canvas drew the table where the camera sees it: not the background, the table's hue.
    const p = (await api(page, (v) => v.probe('table')))!;
    expect(p).not.toBeNull();
    const dist = (a: number[], b: number[]) => a.reduce((s, x, i) => s + Math.abs(x - b[i]), 0);
    expect(dist(p.pixel, p.background)).toBeGreaterThan(60);
    const hue = (c: number[]) => c.map((x) => x / Math.max(1, ...c));
    expect(dist(hue(p.pixel), hue(p.color))).toBeLessThan(0.35);

    // One timeline mark per step, green, green, red with the failure label.
    const marks = await page.$$eval('#marks .seg', (els) => els.map((e) => ({ cls: e.className, step: e.getAttribute('data-step'), failure: e.getAttribute('data-failure'), title: e.getAttribute('title') ?? '' })));
    expect(marks.map((m) => m.cls)).toEqual(['seg ok', 'seg ok', 'seg fail']);
    expect(marks[2].failure).toBeTruthy();
    expect(marks[2].title).toContain(marks[2].failure!);
    await page.hover('#marks .seg[data-step="3"]');

    // Scrub to step 3: its instruction and outcome are over the view.
    await api(page, (v) => v.seekStep(3, 10));
    const st = await api(page, (v) => v.state());
    expect(st.overlay[0]).toContain('step 3/3');
    expect(st.overlay[0]).toContain('put the blue block on the plate');
    expect(st.overlay[0]).toContain(marks[2].failure!);
    const a = await page.screenshot({ path: path.join(shots, 'single.png') });

    // The clock is the test's: the same instant gives the same picture.
    await api(page, (v) => v.seekStep(1, 0));
    await api(page, (v) => v.seekStep(3, 10));
    const b = await page.screenshot();
    expect(Buffer.compare(a, b)).toBe(0);

    // Side by side: the same chain seed at lighting 1, in step.
    await page.click('#b-side');
    await until(page, 'window.chaingapViewer.state().panes[1] !== null', 30_000);
    await api(page, (v) => v.seekStep(3, 10));
    const side = await api(page, (v) => v.state());
    expect(side.side).toBe(true);
    expect(side.panes[1]!.path).toBe(`lighting/recordings/kitchen_s${seed}_c0000-r0.msgpack`);
    expect(side.overlay[1]).toContain('step 3/3');
    const pb = (await api(page, (v) => v.probe('table', 1)))!;
    expect(dist(pb.pixel, pb.background)).toBeGreaterThan(60);
    expect(await page.isVisible('#pane-b')).toBe(true);
    const shot = await page.screenshot({ path: path.join(shots, 'side-by-side.png') });
    expect(shot.length).toBeGreaterThan(20_000);
    await page.close();
  }, 120_000);

  it('opens the chain a report row links to (run, chain, repeat) and filters the list', async () => {
    const idx = JSON.parse(await (await fetch(`${server.url}api/index.json`)).text()) as { recordings: { runId: string; chainId: string; path: string }[] };
    const target = idx.recordings[1];
    // The link in the lighting run's report.html (its row in "Recorded chain runs"), on this server's port.
    const html = fs.readFileSync(path.join(root, 'lighting', 'report.html'), 'utf8');
    const link = /<a href="(http:\/\/127\.0\.0\.1:8737\/\?run=[^"]+)">view<\/a>/.exec(html)?.[1].replace(/&amp;/g, '&');
    expect(link).toBeTruthy();
    const page = await open(`${new URL(link!).search}&clock=manual`);
    expect((await api(page, (v) => v.state())).panes[0]!.path).toBe(target.path);
    expect(await page.$$eval('#chains li', (l) => l.length)).toBe(2);
    await page.selectOption('#f-level', 'lighting 1');
    expect(await page.$$eval('#chains li', (l) => l.map((e) => e.getAttribute('data-path')))).toEqual([target.path]);
    await page.close();
  }, 60_000);

  it('follows a run live: the chain appears as it starts and its frames and step outcomes arrive while it runs', async () => {
    const dir = path.join(root, 'live-run');
    fs.mkdirSync(dir);
    // As `chaingap run --live` does: the server on its own thread, so the page loads and the stream
    // flows while the simulation keeps this thread busy.
    const live = await startLiveViewer({ dir, port: 0 });
    const page = await browser.newPage({ viewport: { width: 1000, height: 600 } });
    try {
      await page.goto(`${live.url}`);
      await until(page, 'window.chaingapViewer && window.chaingapViewer.ready === true', 60_000);
      // The page notes how much of the chain it has, every 100 ms (this thread is busy simulating).
      await page.evaluate('window.seen = []; setInterval(() => window.seen.push(window.chaingapViewer.state().panes[0]?.frames ?? 0), 100)');
      // bernoulli:0.6 paced to at least 2 ms per action: its outcomes are its coins', but the run now
      // lasts over a second on any host, so the page can see it part-way (unpaced, a fast host streamed
      // the whole chain between two samples).
      const paced = (s: PrivilegedState): Policy => {
        const inner = new BernoulliPolicy(s, 0.6);
        return {
          id: inner.id,
          reset: (start) => inner.reset(start),
          act: async (obs) => {
            await new Promise((r) => setTimeout(r, 2));
            return inner.act(obs);
          },
        };
      };
      await runChains({ out: dir, policy: paced, policyName: 'bernoulli:0.6-paced', chains: 1, steps: 3, seed, baselineEpisodes: 1, live, log: () => {} });
      await live.close();
      const seen = (await page.evaluate('window.seen')) as number[];
      const st = await api(page, (v) => v.state());
      expect(st.path).toMatch(/^live:/);
      const frames = st.panes[0]!.frames;
      expect(frames).toBeGreaterThan(50);
      expect(new Set(seen.filter((n) => n > 0 && n < frames)).size).toBeGreaterThan(1);
      const marks = await page.$$eval('#marks .seg', (els) => els.map((e) => e.className));
      expect(marks).toEqual(['seg ok', 'seg ok', 'seg fail']);
      expect(await page.textContent('#chains')).toContain('LIVE');
    } finally {
      await page.close();
      await live.close();
    }
  }, 120_000);
});
