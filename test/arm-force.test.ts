// The force-limited arm: pressed into the table or swept into a fixed cabinet, it stalls like a
// torque-limited Panda instead of driving what it holds through the surface or throwing it.
import { describe, expect, it } from 'vitest';
import { pressHeldObject, pushBlockIntoWall, sweepIntoCabinet } from './helpers/press-probes.ts';
import { pushForceLimit, PANDA_TORQUE_LIMIT } from '../sim/arm-limiter.ts';
import { PANDA_READY } from '../sim/kinematics.ts';

describe('a held object driven down into the table', () => {
  for (const kind of ['red_block', 'alphabet_soup']) {
    for (const speed of [0.1, 0.2, 0.5, 1.0]) {
      it(`${kind} at ${speed} m/s: never more than 5 mm below the table top, never faster than 2 m/s, through the release and 2 s after`, async () => {
        const r = await pressHeldObject(speed, kind);
        expect(r.worstDepth).toBeLessThan(0.005);
        expect(r.worstSpeed).toBeLessThan(2);
        expect(r.finalZ).toBeGreaterThan(-0.005);
        expect(r.worstArmPenetration).toBeLessThan(0.005);
        expect(r.unstableSteps).toBe(0);
      });
    }
  }

  it('the same probe with the unstoppable kinematic arm (forceLimit: false) does push it through: the probe can fail', async () => {
    const r = await pressHeldObject(0.2, 'red_block', 1, false);
    expect(Math.max(r.worstDepth, r.worstArmPenetration)).toBeGreaterThan(0.02);
    expect(r.unstableSteps).toBeGreaterThan(0);
  });
});

describe('the hand swept into the fixed cabinet', () => {
  it('stops at its wall: hand penetration <= 5 mm at 0.2 and 0.5 m/s (the kinematic arm went through)', async () => {
    for (const v of [0.2, 0.5]) expect((await sweepIntoCabinet(v)).worstPenetration).toBeLessThanOrEqual(0.005);
    expect((await sweepIntoCabinet(0.5, 1, false)).worstPenetration).toBeGreaterThan(0.02);
  });
});

describe('a block wedged between the closed fingers and the cabinet wall, pushed for 2 s', () => {
  it('stays wedged: fingers <= 5 mm into it, nothing thrown (the kinematic arm pushed through and threw it)', async () => {
    for (const v of [0.1, 0.3]) {
      const r = await pushBlockIntoWall(v);
      expect(r.worstPenetration).toBeLessThanOrEqual(0.005);
      expect(r.worstExcessSpeed).toBeLessThan(2);
      expect(Math.abs(r.blockY - (r.wallY - 0.025))).toBeLessThan(0.005);
    }
    const free = await pushBlockIntoWall(0.3, 1, false);
    expect(free.worstPenetration).toBeGreaterThan(0.02);
  });
});

describe('the torque limits', () => {
  it("are the Panda's, and give about 136 N pushing straight down at the ready pose (joint 6 saturates first)", () => {
    expect(PANDA_TORQUE_LIMIT).toEqual([87, 87, 87, 87, 12, 12, 12]);
    const down = pushForceLimit(PANDA_READY, [0, 0, -1]);
    expect(down).toBeGreaterThan(120);
    expect(down).toBeLessThan(150);
    // Sideways the wrist joints saturate sooner.
    expect(pushForceLimit(PANDA_READY, [1, 0, 0])).toBeLessThan(down);
  });
});
