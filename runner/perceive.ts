// Reading the chain model's symbolic state off the simulator: where each object really is now and
// which state each fixture is in, so the runner can tell whether the next step of a chain is still
// possible (continue mode, and `precondition_broken` in both modes).
import type { SceneFacts, SymbolicState, Place } from '../scenes/chain-model.ts';
import type { Env } from '../sim/env.ts';
import { quatRotate } from '../sim/kinematics.ts';

/** An object tilted further than this from upright (rad) or below the table top counts as lost. */
export const LOST_TILT = (30 * Math.PI) / 180;
export const LOST_BELOW_Z = -0.03;

export function perceive(env: Env, facts: SceneFacts): SymbolicState {
  const w = env.world;
  const objects: Record<string, Place> = {};
  const holds = (atom: [string, ...string[]]) => env.holds(atom as never);
  for (const id of Object.keys(facts.kinds)) {
    const { pos, quat } = w.objectPose(id);
    const up = quatRotate(quat, [0, 0, 1])[2];
    if (pos[2] < LOST_BELOW_Z || up < Math.cos(LOST_TILT)) {
      objects[id] = { at: 'lost' };
      continue;
    }
    let place: Place = { at: 'home', pos: [pos[0], pos[1]] };
    if (facts.kinds[id].graspable) {
      const containers = [...facts.containers, ...Object.entries(facts.fixtureKinds).filter(([, k]) => k === 'cabinet').map(([f]) => f)];
      const c = containers.find((c) => c !== id && holds(['In', id, c]));
      const s = c ? undefined : [...facts.supports, ...facts.blocks].find((b) => b !== id && holds(['On', id, b]));
      const z = c || s ? undefined : facts.zones.find((r) => holds(['InRegion', id, r]));
      if (c) place = { at: 'in', target: c };
      else if (s) place = { at: 'on', target: s };
      else if (z) place = { at: 'region', region: z };
    }
    objects[id] = place;
  }
  const fixtures: SymbolicState['fixtures'] = {};
  for (const [id, kind] of Object.entries(facts.fixtureKinds)) {
    const f = w.fixtures.get(id)!;
    if (kind === 'button') fixtures[id] = f.on ? 'on' : 'off';
    // A drawer or door left ajar is neither open nor closed: both "open it" and "close it" stay
    // possible, nothing can be put in it, and it counts as open for clearance.
    else fixtures[id] = f.isClosed() ? 'closed' : f.isOpen() ? 'open' : 'ajar';
  }
  return { objects, fixtures };
}
