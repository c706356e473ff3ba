// One place that loads Rapier's WASM module. Every sim file imports RAPIER from here after `initRapier()`.
// rapier-transients.ts runs before Rapier's module (imports are evaluated in order): see there.
import { restoreFinalizationRegistry, unregisteredRapierClasses } from './rapier-transients.ts';
import RAPIER from '@dimforge/rapier3d-compat';

restoreFinalizationRegistry();

let ready: Promise<void> | undefined;
/** The slice of the WebAssembly global this file uses (Node's types do not declare it without DOM). */
interface WasmMemory { buffer: ArrayBuffer }
interface WasmApi { instantiate: (...a: unknown[]) => Promise<unknown>; Memory: abstract new (...a: never[]) => WasmMemory; Module: abstract new (...a: never[]) => object }
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
let memory: WasmMemory | undefined;
/** Rapier's compiled WASM module in this thread (once initialised). */
let compiled: object | undefined;
/** A compiled module handed over by another thread (`useRapierModule`), instantiated instead of compiling. */
let given: object | undefined;

/**
 * Instantiate Rapier from a module another thread compiled (`rapierModule()` there, sent as worker data)
 * instead of compiling its WASM again; call before `initRapier()`. Threads that share a module share its
 * machine code, including the optimised code V8 tiers hot functions up to, which each thread would
 * otherwise compile for itself on V8's background threads.
 */
export function useRapierModule(module: unknown): void {
  if (!(module instanceof WA.Module)) throw new Error('useRapierModule: expected a WebAssembly.Module (rapierModule() of another thread)');
  if (ready !== undefined && compiled !== module) throw new Error('useRapierModule: Rapier is already initialised in this thread');
  given = module;
}

/** This thread's compiled Rapier module, to send to worker threads (`useRapierModule` there). */
export function rapierModule(): object {
  if (!compiled) throw new Error('Rapier is not initialised: await initRapier() first');
  return compiled;
}

/** Load the Rapier WASM module once per process (idempotent). */
export function initRapier(): Promise<void> {
  if (ready === undefined) {
    // rapier3d-compat's bundled init passes wasm-bindgen a deprecated argument form, which makes
    // wasm-bindgen print a warning on every start; keep stderr clean for --json users.
    const warn = console.warn;
    console.warn = (...a: unknown[]) => {
      if (!String(a[0]).includes('deprecated parameters for the initialization function')) warn(...a);
    };
    // Keep handles on the module's linear memory (leaks of WASM objects are measured with it) and on the
    // compiled module (`rapierModule`, for worker threads).
    const instantiate = WA.instantiate;
    WA.instantiate = async (...args: unknown[]) => {
      // Only Rapier's call (wasm-bindgen's imports are under `wbg`): Node's own fetch may instantiate its
      // HTTP parser's WASM meanwhile. wasm-bindgen passes the bytes and takes back { instance, module }.
      if (!(args[1] as { wbg?: unknown } | undefined)?.wbg) return instantiate.apply(WA, args);
      const r = (given ? { instance: await instantiate.call(WA, given, args[1]), module: given } : await instantiate.apply(WA, args)) as { instance: { exports: Record<string, unknown> }; module: object };
      compiled = r.module;
      for (const v of Object.values(r.instance.exports)) if (v instanceof WA.Memory) memory = v;
      return r;
    };
    ready = RAPIER.init().finally(() => {
      console.warn = warn;
      WA.instantiate = instantiate;
    });
  }
  return ready!;
}

/** Size of Rapier's WASM linear memory in bytes (it grows when WASM objects are not freed). */
export function wasmMemoryBytes(): number {
  if (!memory) throw new Error('Rapier is not initialised: await initRapier() first');
  return memory.buffer.byteLength;
}

export { RAPIER, unregisteredRapierClasses };
export type Rapier = typeof RAPIER;
