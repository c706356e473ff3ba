import { chromium } from 'playwright-core';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'] });
for (const [path, w, h] of [['controlled/recordings/kitchen_s0_c0000-r0.msgpack', 1100, 700], ['ood/recordings/kitchen_s0_c0000-r0.msgpack', 1100, 700], ['ood/recordings/kitchen_s0_c0000-r0.msgpack', 600, 400]] as const) {
  const page = await browser.newPage({ viewport: { width: w, height: h } });
  const t0 = Date.now();
  await page.goto(`http://127.0.0.1:8741/?path=${path}&clock=manual`);
  await page.waitForFunction(() => (window as any).chaingapViewer?.ready === true, null, { timeout: 30000 });
  const load = Date.now() - t0;
  const fps = await page.evaluate(() => (window as any).chaingapViewer.measureFps(30));
  const dbg = await page.evaluate(() => { const c = document.querySelector('canvas')!; return [c.width, c.height]; });
  console.log(path, w, h, 'load', load, 'fps', fps.toFixed(1), dbg);
  await page.close();
}
await browser.close();
