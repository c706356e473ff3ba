// Plain-data dimensions of the fixture kinds, shared by the simulator and the scene layout.
// Frame of a fixture: origin at its base centre on the table, local +x points away from its front;
// with yaw = 0 the front (drawer / door / button face) faces -x, i.e. towards the robot.

import type { FixtureKind } from './types.ts';

export const FIXTURE_KINDS: readonly FixtureKind[] = Object.freeze(['cabinet', 'microwave', 'button'] as const);

/** Footprint of each fixture kind: depth along its local x, width along local y, height along z. */
export const FIXTURE_FOOTPRINT: Record<FixtureKind, { depth: number; width: number; height: number }> = Object.freeze({
  cabinet: { depth: 0.3, width: 0.36, height: 0.26 },
  microwave: { depth: 0.3, width: 0.4, height: 0.26 },
  button: { depth: 0.08, width: 0.08, height: 0.03 },
});

/**
 * How far in front of the fixture (towards its local -x) a moving part can swing: the drawer slides out
 * and the door swings out up to this distance. Objects must stay out of this zone.
 */
export const FIXTURE_SWING: Record<FixtureKind, number> = Object.freeze({
  cabinet: 0.22,
  microwave: 0.22,
  button: 0,
});

/** Joint value of the "open" / "on" state, used for init atoms: drawer metres, door radians, button 0/1. */
export const FIXTURE_OPEN_VALUE: Record<FixtureKind, number> = Object.freeze({
  cabinet: 0.18,
  microwave: 1.6,
  button: 1,
});

/** Joint value of the "closed" / "off" state. */
export const FIXTURE_CLOSED_VALUE: Record<FixtureKind, number> = Object.freeze({
  cabinet: 0,
  microwave: 0,
  button: 0,
});

/** Fixture kinds with something that opens (Open / Closed / In apply). */
export const OPENABLE_FIXTURES: readonly FixtureKind[] = Object.freeze(['cabinet', 'microwave'] as const);
/** Fixture kinds that switch (TurnedOn / TurnedOff apply). */
export const SWITCH_FIXTURES: readonly FixtureKind[] = Object.freeze(['button'] as const);

/**
 * Tallest object that may be put in a fixture's interior and still pass under the shell when the
 * drawer closes (the drawer's walls are 0.10 m high, its floor 0.04 m above the table).
 */
export const FIXTURE_ITEM_MAX_HEIGHT: Record<FixtureKind, number> = Object.freeze({
  cabinet: 0.06,
  microwave: 0,
  button: 0,
});
