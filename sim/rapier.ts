// One place that loads Rapier's WASM module. Every sim file imports RAPIER from here after `initRapier()`.
import RAPIER from '@dimforge/rapier3d-compat';

let ready: Promise<void> | undefined;

/** Load the Rapier WASM module once per process (idempotent). */
export function initRapier(): Promise<void> {
  if (ready === undefined) {
    // rapier3d-compat warns that passing no argument is deprecated; the object form is the current API.
    // rapier3d-compat's bundled init passes wasm-bindgen a deprecated argument form, which makes
    // wasm-bindgen print a warning on every start; keep stderr clean for --json users.
    const warn = console.warn;
    console.warn = (...a: unknown[]) => {
      if (!String(a[0]).includes('deprecated parameters for the initialization function')) warn(...a);
    };
    ready = RAPIER.init().finally(() => { console.warn = warn; });
  }
  return ready!;
}

export { RAPIER };
export type Rapier = typeof RAPIER;
