// Rapier's temporaries without finalizer registrations. sim/rapier.ts imports this file just before
// Rapier, so it runs first. Rapier's wasm-bindgen classes register every wrapper object they make in a
// FinalizationRegistry, which frees the object's WASM memory if the caller never calls `free()`. Rapier's
// TypeScript layer makes and frees temporaries all the time: vectors, rotations, contact pairs, contact
// manifolds, contact force events and query shapes. It calls `free()` on each as soon as it has read it.
// Yet each one still costs a registration and an unregistration, and V8 keeps a registration's record
// until the next full (mark-compact) collection.
// Measured 2026-12-05 on a 4-chain, 3-setting expert sweep in one thread (14 s):
// - 3.2 million registrations, every one of them freed explicitly (each class below: registered =
//   unregistered);
// - they were 233 of the 328 MB that survived young-generation collections only to die in the old one
//   (allocation sampling); with this file 64 MB;
// - a sweep worker did a mark-compact every ~5 s, and each one also dropped optimised code that V8 then
//   compiled again on its background threads.
// So for those classes only, Rapier gets the registry stand-in that wasm-bindgen itself uses where
// FinalizationRegistry does not exist (register and unregister do nothing). The global is put back by
// sim/rapier.ts right after Rapier's module has run. Every other class (worlds, sets, joints...) keeps
// its real registry.
// test/memory.test.ts checks that stepping with contacts, grasps and the arm limiter's shape casts
// does not grow Rapier's WASM memory.

/** wasm-bindgen names each class's free function `__wbg_<class>_free`; these are Rapier's temporaries. */
const TRANSIENT = /__wbg_raw(vector|rotation|contactpair|contactmanifold|contactforceevent|shape)_free\b/;

const Native = globalThis.FinalizationRegistry;
const skipped: string[] = [];

function RapierFinalizationRegistry(cleanup: (held: unknown) => void): FinalizationRegistry<unknown> | { register(): void; unregister(): boolean } {
  const m = TRANSIENT.exec(String(cleanup));
  if (!m) return new Native(cleanup);
  skipped.push(m[1]);
  return { register() {}, unregister: () => false };
}

globalThis.FinalizationRegistry = RapierFinalizationRegistry as unknown as FinalizationRegistryConstructor;

/** Put the real FinalizationRegistry back (sim/rapier.ts, once Rapier's module has run). */
export function restoreFinalizationRegistry(): void {
  globalThis.FinalizationRegistry = Native;
}

/**
 * The Rapier classes made without finalizer registrations (empty if Rapier had been loaded before
 * sim/rapier.ts, or if a Rapier release renamed its classes: then every class keeps its registry).
 */
export function unregisteredRapierClasses(): readonly string[] {
  return skipped;
}
