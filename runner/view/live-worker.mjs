// Worker-thread entry of the live viewer (runner/view/live-viewer.ts): serves the page and the live socket
// on its own event loop, so pages load and streams flow while the run keeps the main thread busy. In
// the compiled package it imports the sibling .js modules; in a source checkout it registers the
// TypeScript loader (tsx) and imports the .ts ones.
import { existsSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

const ext = existsSync(new URL('./live.js', import.meta.url)) ? '.js' : '.ts';
if (ext === '.ts') (await import('tsx/esm/api')).register();
const { LiveHub } = await import(`./live${ext}`);
const { startViewer } = await import(`./view-server${ext}`);
const hub = new LiveHub();
try {
  const v = await startViewer({ ...workerData, live: hub });
  parentPort.on('message', (m) => {
    if (m.type === 'publish') hub.publish(m.message);
    else if (m.type === 'close') void hub.drain(m.ms).then(() => v.close()).then(() => parentPort.postMessage({ type: 'closed' }));
  });
  parentPort.postMessage({ type: 'listening', url: v.url, port: v.port, host: v.host });
} catch (e) {
  parentPort.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e) });
}
