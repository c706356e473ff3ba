// `chaingap run --live`: the viewer server in a worker thread with a live hub, fed from this thread.
// The simulation keeps the main thread busy for seconds at a time; on its own thread the server still
// answers page loads and sends every message as it is published.
import { Worker } from 'node:worker_threads';
import type { LiveMessage, LivePublisher } from './live.ts';
import type { ViewServerOptions } from './view-server.ts';

export interface LiveViewer extends LivePublisher {
  url: string;
  port: number;
  host: string;
  /** Tell pages the run ended, let queued messages go (at most `drainMs`), then stop the server. */
  close(drainMs?: number): Promise<void>;
}

export async function startLiveViewer(o: Omit<ViewServerOptions, 'live'>): Promise<LiveViewer> {
  const worker = new Worker(new URL('./live-worker.mjs', import.meta.url), { workerData: { dir: o.dir, port: o.port, host: o.host, pageDir: o.pageDir } });
  const first = await new Promise<{ type: string; url?: string; port?: number; host?: string; message?: string }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  if (first.type !== 'listening') {
    await worker.terminate();
    throw new Error(first.message ?? 'the live viewer did not start');
  }
  let closed = false;
  return {
    url: first.url!, port: first.port!, host: first.host!,
    publish: (m: LiveMessage) => { if (!closed) worker.postMessage({ type: 'publish', message: m }); },
    close: async (drainMs = 2000) => {
      if (closed) return;
      worker.postMessage({ type: 'publish', message: { type: 'run-end' } });
      closed = true;
      const done = new Promise<void>((resolve) => worker.on('message', (m: { type: string }) => { if (m.type === 'closed') resolve(); }));
      worker.postMessage({ type: 'close', ms: drainMs });
      await Promise.race([done, new Promise((r) => setTimeout(r, drainMs + 3000))]);
      await worker.terminate();
    },
  };
}
