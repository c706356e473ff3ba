// TensorFlow.js set-up for training in Node: the WASM backend (XNNPACK kernels, SIMD when V8 has it) with the
// .wasm binaries loaded from the installed @tensorflow/tfjs-backend-wasm package — never fetched — and the
// plain-JS 'cpu' backend as the fallback.
//
// Facts about tfjs 4.22 under Node that shape this file:
// - tfjs-backend-wasm disables multithreading whenever it runs in Node (flag WASM_HAS_MULTITHREAD_SUPPORT), and
//   forcing the flag on fails: emscripten starts its pthread workers from a Blob URL, which Node's Worker rejects
//   (ERR_WORKER_PATH), and the failed initialization leaves the backend unusable. So it is single-threaded here.
// - The cpu backend prints "Hi, looks like you are running TensorFlow.js in Node.js ... install tfjs-node" on its
//   first tensor write. That is silenced below by marking the backend as used, not by tf.enableProdMode(), which
//   would hide every other tfjs warning as well.
// - wasm lacks Conv2DBackpropFilter, and its matmul falls to a naive loop whenever an operand is transposed (as in
//   every dense layer's backward pass). initTf installs the fixes from conv-grad.ts: registerConvGradients and
//   registerMatMulTransposes.
// - The emscripten module adds process 'uncaughtException' and 'unhandledRejection' listeners that rethrow. They
//   change nothing for plain Node except that every later crash is reported at a 20 kB minified line of
//   tfjs-backend-wasm.js, and under a test runner they bypass its error handling; initTf removes them.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as Tf from '@tensorflow/tfjs';
import { registerConvGradients, registerMatMulTransposes } from './conv-grad.ts';

export type TfBackendName = 'wasm' | 'cpu';

export interface InitTfOptions {
  /** Preferred backend (default 'wasm'); 'wasm' falls back to 'cpu' with the reason on stderr. */
  backend?: TfBackendName;
  /**
   * Wanted threads. Anything above 1 is reported on stderr and ignored: tfjs-backend-wasm 4.22 cannot run threads
   * under Node (see the top of this file).
   */
  threads?: number;
}

export interface InitTfResult {
  tf: typeof import('@tensorflow/tfjs');
  /** The active backend: 'wasm' or 'cpu'. */
  backend: string;
  /** True when the SIMD build of the wasm backend is running (false on 'cpu'). */
  simd: boolean;
  /** Threads the backend computes with (always 1 here). */
  threads: number;
}

/** tfjs, loaded by the first initTf (importing it takes about half a second: only training pays for it). */
let tf: typeof Tf;
let pending: Promise<InitTfResult> | undefined;
let requested: InitTfOptions | undefined;

function note(msg: string): void {
  process.stderr.write(`[tf-backend] ${msg}\n`);
}

/** The dist/ folder of the installed @tensorflow/tfjs-backend-wasm, with a trailing separator (setWasmPaths wants a prefix). */
export function wasmDistDir(): string {
  const req = createRequire(import.meta.url);
  // The package's main entry is dist/tf-backend-wasm.node.js; the .wasm files sit beside it.
  const dir = path.dirname(req.resolve('@tensorflow/tfjs-backend-wasm'));
  const probe = path.join(dir, 'tfjs-backend-wasm.wasm');
  if (!existsSync(probe)) throw new Error(`no ${probe}: is @tensorflow/tfjs-backend-wasm installed completely?`);
  return dir + path.sep;
}

/** Keeps the cpu backend from printing its "install tfjs-node" notice on first use. */
function quietCpuNotice(): void {
  const cpu = tf.findBackend('cpu') as (Tf.KernelBackend & { firstUse?: boolean }) | null;
  if (cpu && 'firstUse' in cpu) cpu.firstUse = false;
}

async function useCpu(): Promise<InitTfResult> {
  if (!(await tf.setBackend('cpu'))) throw new Error("tfjs could not start even the 'cpu' backend");
  await tf.ready();
  return { tf, backend: tf.getBackend(), simd: false, threads: 1 };
}

const PROCESS_EVENTS = ['uncaughtException', 'unhandledRejection'];
type Listener = (...args: unknown[]) => void;
const listenersOf = (e: string) => process.listeners(e as 'uncaughtException') as Listener[];

/** Runs `f` and then removes the process listeners for PROCESS_EVENTS that were added meanwhile. */
async function withoutNewProcessListeners<T>(f: () => Promise<T>): Promise<T> {
  const before = new Map(PROCESS_EVENTS.map((e) => [e, new Set(listenersOf(e))]));
  try {
    return await f();
  } finally {
    for (const e of PROCESS_EVENTS) {
      for (const l of listenersOf(e)) if (!before.get(e)!.has(l)) process.removeListener(e, l);
    }
  }
}

async function init(o: InitTfOptions): Promise<InitTfResult> {
  tf = await import('@tensorflow/tfjs');
  quietCpuNotice();
  const threads = o.threads ?? 1;
  if (threads > 1) {
    note(`threads=${threads} asked for; tfjs-backend-wasm 4.22 runs single-threaded under Node, using 1`);
  }
  if ((o.backend ?? 'wasm') === 'cpu') return useCpu();
  let why: string;
  try {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    try {
      wasm.setWasmPaths(wasmDistDir());
    } catch (e) {
      // Thrown when something already initialized the wasm backend; it then runs with whatever paths it had.
      if (!/already initialized/i.test(String((e as Error).message))) throw e;
    }
    const started = await withoutNewProcessListeners(async () => {
      if (!(await tf.setBackend('wasm'))) return false;
      await tf.ready();
      return true;
    });
    if (started) {
      registerConvGradients(tf, { backendName: 'wasm' });
      registerMatMulTransposes(tf, { backendName: 'wasm' });
      const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
      return { tf, backend: tf.getBackend(), simd, threads: wasm.getThreadsCount() };
    }
    why = "tf.setBackend('wasm') returned false (tfjs printed the cause above)";
  } catch (e) {
    why = (e as Error).stack ?? String(e);
  }
  note(`the wasm backend failed, falling back to 'cpu': ${why}`);
  return useCpu();
}

/**
 * Starts tfjs on the wasm backend (or 'cpu'). Idempotent: later calls return the first call's result, whatever
 * options they pass (a differing backend is noted on stderr); switch backends with tf.setBackend afterwards.
 */
export function initTf(o: InitTfOptions = {}): Promise<InitTfResult> {
  if (pending) {
    if (o.backend !== undefined && o.backend !== (requested?.backend ?? 'wasm')) {
      note(`initTf already ran with backend '${requested?.backend ?? 'wasm'}'; returning that result`);
    }
    return pending;
  }
  requested = { ...o };
  pending = init(o);
  return pending;
}
