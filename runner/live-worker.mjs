// Worker-thread entry of the live viewer (runner/live-viewer.ts): serves the page and the live socket
// on its own event loop, so pages load and streams flow while the run keeps the main thread busy.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { LiveHub } = await import('./live.ts');
const { startViewer } = await import('./view-server.ts');
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
