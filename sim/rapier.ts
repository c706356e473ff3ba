// One place that loads Rapier's WASM module. Every sim file imports RAPIER from here after `initRapier()`.
// rapier-transients.ts runs before Rapier's module (imports are evaluated in order): see there.
import { restoreFinalizationRegistry, unregisteredRapierClasses } from './rapier-transients.ts';
import RAPIER from '@dimforge/rapier3d-compat';

restoreFinalizationRegistry();

let ready: Promise<void> | undefined;
/** The slice of the WebAssembly global this file uses (Node's types do not declare it without DOM). */
interface WasmMemory { buffer: ArrayBuffer }
interface WasmApi { instantiate: (...a: unknown[]) => Promise<unknown>; Memory: abstract new (...a: never[]) => WasmMemory }
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
let memory: WasmMemory | undefined;

/** Load the Rapier WASM module once per process (idempotent). */
export function initRapier(): Promise<void> {
  if (ready === undefined) {
    // rapier3d-compat's bundled init passes wasm-bindgen a deprecated argument form, which makes
    // wasm-bindgen print a warning on every start; keep stderr clean for --json users.
    const warn = console.warn;
    console.warn = (...a: unknown[]) => {
      if (!String(a[0]).includes('deprecated parameters for the initialization function')) warn(...a);
    };
    // Keep a handle on the module's linear memory so leaks of WASM objects can be measured.
    const instantiate = WA.instantiate;
    WA.instantiate = async (...args: unknown[]) => {
      const r = await instantiate.apply(WA, args);
      const inst = ((r as { instance?: unknown }).instance ?? r) as { exports: Record<string, unknown> };
      for (const v of Object.values(inst.exports)) if (v instanceof WA.Memory) memory = v;
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
