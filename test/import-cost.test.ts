// What importing chaingap loads. A script that runs chains or a sweep of scripted policies imports the
// library's index (`import { runChains, runSweep } from 'chaingap'`), and every sweep worker thread imports
// the unit runner; neither should pay for the packages only some features use: BullMQ and ioredis (queued
// sweeps), tfjs (training), ws (remote policies, the policy server, the viewer) and onnxruntime-node (ONNX
// policies). Together they took the index from about 0.55 s to 1.0 s of wall time (2026-12-05, compiled).
// Each is loaded by the function that needs it, on its first call. Checked in a fresh Node process: the
// packages are CommonJS, so what was loaded shows in require.cache.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const LAZY = ['bullmq', 'ioredis', '@tensorflow/tfjs', 'ws', 'onnxruntime-node'] as const;

/** The LAZY packages loaded after importing `modules` (paths from the repository root) in a fresh process. */
function packagesLoadedBy(modules: string[]): string[] {
  const script = `
    import { createRequire } from 'node:module';
    ${modules.map((m) => `await import(${JSON.stringify(`./${m}`)});`).join('\n')}
    const cache = Object.keys(createRequire(import.meta.url).cache);
    const lazy = ${JSON.stringify(LAZY)};
    console.log(JSON.stringify(lazy.filter((p) => cache.some((f) => f.includes('/node_modules/' + p + '/')))));
  `;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').at(-1)!) as string[];
}

describe('importing chaingap loads only what it uses', () => {
  it("the library's index and a sweep worker's unit runner load none of BullMQ, ioredis, tfjs, ws, onnxruntime-node", () => {
    expect(packagesLoadedBy(['index.ts'])).toEqual([]);
    expect(packagesLoadedBy(['runner/sweep/sweep-unit.ts'])).toEqual([]);
  }, 60_000);

  it('the modules that use them still load them (the check sees a loaded package)', () => {
    expect(packagesLoadedBy(['runner/queue/connection.ts'])).toEqual(expect.arrayContaining(['bullmq', 'ioredis']));
  }, 60_000);
});
