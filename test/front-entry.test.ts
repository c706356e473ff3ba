// The plan for putting a held object into a shelf layer from the front (policies/front-entry.ts),
// on a real scene: a LIBERO two-layer shelf on either side of the table and a book or butter held
// above the table as a top-down grasp leaves it.
import { describe, expect, it } from 'vitest';
import type { Quat, Vec3 } from '../scenes/types.ts';
import { Env } from '../sim/env.ts';
import { quatRotate } from '../sim/kinematics.ts';
import { sceneBlocks, type Block } from '../policies/clearance.ts';
import { planFrontEntry, type FrontPlan } from '../policies/front-entry.ts';
import { quatFor, quatForYaw } from '../policies/motion.ts';
import { fixtureChain } from './helpers/libero-fixture-cases.ts';

async function planFor(kind: string, side: 'left' | 'right', layer: 'top_region' | 'bottom_region', why: string[] = [], extra: Block[] = []): Promise<{ plan: FrontPlan | null; env: Env; size: Vec3 }> {
  const [y, yaw] = side === 'left' ? [0.3, Math.PI / 2] : [-0.3, -Math.PI / 2];
  const chain = fixtureChain({
    name: 'front', fixture: 'wooden_two_layer_shelf', at: [0.6, y, yaw], object: { kind, pos: [0.45, 0], yaw: 0 },
    init: [], goal: ['In', 'obj', `wooden_two_layer_shelf_1_${layer}`], rules: 'libero',
  });
  const env = new Env();
  await env.reset({ seed: 0, task: { ...chain.steps[0], init: chain.init }, scene: chain.sceneSpec });
  const o = env.privileged.object('obj');
  // Held 2.5 cm below its top by a hand pointing down at 0.3 m, fingers closing across its thickness (x).
  const size = o.kind.size as Vec3;
  const tcp = { pos: [o.pos[0], o.pos[1], 0.3] as Vec3, quat: quatForYaw(Math.PI / 2) };
  const held = { kind: o.kind, pos: [o.pos[0], o.pos[1], 0.3 - (size[2] - 0.025)] as Vec3, quat: [...o.quat] as Quat };
  const region = env.privileged.fixture(`wooden_two_layer_shelf_1_${layer}`).region!;
  const plan = planFrontEntry(region, tcp, held, size[0], [...sceneBlocks(env.privileged, new Set(['obj'])), ...extra], why);
  return { plan, env, size };
}

/** The held object's centre once the TCP is at `at` with the plan's hand orientation (a rigid motion from the grasp). */
function centreAt(plan: FrontPlan, at: Vec3, size: Vec3): Vec3 {
  const q = quatFor({ pos: at, yaw: plan.yaw, tilt: plan.tilt, roll: plan.roll });
  // In the hand frame the object's centre is straight ahead of the fingertips: (size[2] / 2 - 0.025) along its z.
  const c = quatRotate(q, [0, 0, size[2] / 2 - 0.025]);
  return [at[0] + c[0], at[1] + c[1], at[2] + c[2]];
}

describe('front entry into a shelf layer', () => {
  for (const side of ['left', 'right'] as const) {
    it(`a book held from above goes flat into the top layer of a shelf on the ${side}, its centre inside the layer`, async () => {
      const { plan, env, size } = await planFor('black_book', side, 'top_region');
      try {
        expect(plan?.mode).toBe('rolled');
        expect(Math.abs(plan!.yaw)).toBeLessThanOrEqual(Math.PI / 2 + 0.35);
        const r = env.privileged.fixture('wooden_two_layer_shelf_1_top_region').region!;
        const toLocal = (p: Vec3) => {
          const d = [p[0] - r.frame.pos[0], p[1] - r.frame.pos[1], p[2] - r.frame.pos[2]];
          const inv: Quat = [-r.frame.quat[0], -r.frame.quat[1], -r.frame.quat[2], r.frame.quat[3]];
          return quatRotate(inv, d);
        };
        const c = toLocal(centreAt(plan!, plan!.inside, size));
        for (const i of [0, 1, 2]) expect(Math.abs(c[i] - r.center[i])).toBeLessThan(r.halfExtents[i]);
        // The slide starts outside the open face (local -x) and runs straight in along the layer's axis.
        expect(toLocal(plan!.outside)[0]).toBeLessThan(toLocal(plan!.inside)[0] - 0.05);
        expect(Math.abs(toLocal(plan!.outside)[1] - toLocal(plan!.inside)[1])).toBeLessThan(1e-6);
      } finally {
        env.close();
      }
    });
  }

  it('pitches the hand down when a 9 cm box stands across the way in, so the trailing wrist passes over it', async () => {
    // The shelf on the left faces -y, its opening at y = 0.2; a 9 cm box stands 26 cm in front of it, as wide as the layer.
    const standing: Block = { owner: 'standing_book', fp: { c: [0.6, -0.06], h: [0.2, 0.015], yaw: 0 }, bottom: 0, top: 0.09 };
    const why: string[] = [];
    const { plan, env } = await planFor('black_book', 'left', 'top_region', why, [standing]);
    try {
      expect(plan?.mode, why.join('; ')).toBe('rolled');
      expect(Math.abs(plan!.roll)).toBeLessThan(Math.PI / 2 - 0.2);
      expect(why[0]).toMatch(/^rolled: .*standing_book/);
    } finally {
      env.close();
    }
  });

  it('declines the 6.4 cm lower layer for a hand pointing sideways, saying the hand would meet the table', async () => {
    const why: string[] = [];
    const { plan, env } = await planFor('butter', 'right', 'bottom_region', why);
    try {
      expect(plan).toBeNull();
      expect(why.join('; ')).toMatch(/rolled: the hand would reach down to -?[\d.]+ m, into the table/);
    } finally {
      env.close();
    }
  });
});
