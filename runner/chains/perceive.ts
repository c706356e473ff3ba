// Reading the chain model's symbolic state off the simulator: where each object really is now and
// which state each fixture is in, so the runner can tell whether the next step of a chain is still
// possible (continue mode, and `precondition_broken` in both modes).
//
// An object is lost when it is below the table top, or when it is not resting in any stable pose of
// its kind (scenes/stable-poses.ts) within LOST_TILT: leaning against something, stuck on an edge. A
// cube on any face, a box on its side or a can lying on its side rest stably and can still be picked
// up and placed, so they are not lost (whether that changed them is the knocked-over label's business,
// runner/chains/failures.ts). Something inside a container is `in` it whatever its tilt: it still fills it.
import type { SceneFacts, SymbolicState, Place } from '../../scenes/chain-model.ts';
import { getObjectKind } from '../../scenes/objects.ts';
import { nearestStablePose } from '../../scenes/stable-poses.ts';
import type { Env } from '../../sim/env.ts';
import { quatRotate } from '../../sim/kinematics.ts';

/** An object further than this (rad) from every stable pose of its kind, or below the table top (m), is lost. */
export const LOST_TILT = (30 * Math.PI) / 180;
export const LOST_BELOW_Z = -0.03;

export function perceive(env: Env, facts: SceneFacts): SymbolicState {
  const w = env.world;
  const objects: Record<string, Place> = {};
  const holds = (atom: [string, ...string[]]) => env.holds(atom as never);
  const containers = [...facts.containers, ...Object.entries(facts.fixtureRegions).filter(([, r]) => r.type === 'interior').map(([k]) => k)];
  const surfaces = Object.entries(facts.fixtureRegions).filter(([, r]) => r.type === 'surface').map(([k]) => k);
  for (const id of Object.keys(facts.kinds)) {
    // The kind in the world (the novel_objects axis may have swapped the scene's kind for another).
    const kind = getObjectKind(w.objects.get(id)!.kind);
    const { pos, quat } = w.objectPose(id);
    if (pos[2] < LOST_BELOW_Z) {
      objects[id] = { at: 'lost' };
      continue;
    }
    const graspable = facts.kinds[id].graspable;
    const c = graspable ? containers.find((c) => c !== id && holds(['In', id, c])) : undefined;
    if (c) {
      objects[id] = { at: 'in', target: c };
      continue;
    }
    const pose = nearestStablePose(kind, quat);
    if (pose && pose.angle > LOST_TILT) {
      objects[id] = { at: 'lost' };
      continue;
    }
    // Where it stands: its centre (the frame origin is the bottom centre only while it stands upright).
    const up = quatRotate(quat, [0, 0, kind.size[2] / 2]);
    let place: Place = { at: 'home', pos: [pos[0] + up[0], pos[1] + up[1]] };
    if (graspable) {
      const s = [...facts.supports, ...facts.blocks, ...surfaces].find((b) => b !== id && holds(['On', id, b]));
      const z = s ? undefined : facts.zones.find((r) => holds(['InRegion', id, r]));
      if (s) place = { at: 'on', target: s };
      else if (z) place = { at: 'region', region: z };
    }
    objects[id] = place;
  }
  const fixtures: SymbolicState['fixtures'] = {};
  for (const f of w.fixtures.values()) {
    for (const p of f.parts) {
      if (!(p.key in facts.parts)) continue;
      if (facts.parts[p.key].switch) fixtures[p.key] = p.on ? 'on' : 'off';
      // A drawer or door left ajar is neither open nor closed: both "open it" and "close it" stay
      // possible, nothing can be put in it, and it counts as open for clearance.
      else fixtures[p.key] = p.isClosed() ? 'closed' : p.isOpen() ? 'open' : 'ajar';
    }
  }
  return { objects, fixtures };
}
