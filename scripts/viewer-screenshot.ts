// A screenshot of the viewer (as in the README): serve DIR, open a recording in Debian's Chromium at a
// given step, optionally side by side, and save a PNG.
//   node --import tsx scripts/viewer-screenshot.ts DIR RECORDING_PATH STEP OUT.png [--side] [--into N]
// RECORDING_PATH is relative to DIR (as the viewer's list shows it); STEP is 1-based; --into N control
// steps after the step's start (default 40).
import { chromium } from 'playwright-core';
import { startViewer } from '../runner/view/view-server.ts';

const [dir, rel, step, out] = process.argv.slice(2);
if (!dir || !rel || !step || !out) throw new Error('usage: viewer-screenshot.ts DIR RECORDING_PATH STEP OUT.png [--side] [--into N]');
const side = process.argv.includes('--side');
const i = process.argv.indexOf('--into');
const into = i > 0 ? Number(process.argv[i + 1]) : 40;
const server = await startViewer({ dir, port: 0 });
const browser = await chromium.launch({ executablePath: process.env.CHAINGAP_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'] });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 640 } });
  await page.goto(`${server.url}?path=${encodeURIComponent(rel)}&clock=manual${side ? '&side=1' : ''}`);
  while (!(await page.evaluate('window.chaingapViewer && window.chaingapViewer.ready === true'))) await new Promise((r) => setTimeout(r, 50));
  await page.evaluate(`window.chaingapViewer.seekStep(${Number(step)}, ${into})`);
  await page.screenshot({ path: out });
  console.log(JSON.stringify(await page.evaluate('window.chaingapViewer.state()')));
} finally {
  await browser.close();
  await server.close();
}
