// The force-limited arm: pressed into the table or swept into a fixed cabinet, it stalls like a
// torque-limited Panda instead of driving what it holds through the surface or throwing it.
import { describe, expect, it } from 'vitest';
import { pressHeldObject, pushBlockIntoWall, sweepIntoCabinet } from './helpers/press-probes.ts';
import seedrandom from 'seedrandom';
import { ArmLimiter, pushForceLimit, PANDA_TORQUE_LIMIT, type ArmWorldView } from '../sim/arm-limiter.ts';
import { linkFrames, PANDA_READY, PANDA_VEL_LIMIT, solveIk } from '../sim/kinematics.ts';
import { initRapier } from '../sim/rapier.ts';
import { SimWorld } from '../sim/world.ts';
import { resolveScene } from '../scenes/layout.ts';
import { findScene } from '../scenes/load.ts';
import type { Vec3 } from '../scenes/types.ts';

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

describe('the arm where its joints say', () => {
  it('its link bodies and link poses match the joints after every control step, whether the limiter took, cut, refused or backed off the step', async () => {
    let checked = 0, worst = 0;
    let robot: SimWorld['robot'] | undefined;
    await pushBlockIntoWall(0.3, 1, true, (env) => {
      robot = env.world.robot;
      const want = linkFrames(robot.q);
      robot.linkPoses.forEach((p, i) => expect(p).toEqual(want[i]));
      // Rapier keeps poses in single precision: the kinematic link bodies sit at the poses to 1e-6 m.
      for (let i = 0; i < 8; i++) {
        const t = env.world.robot.links[i].translation();
        worst = Math.max(worst, Math.abs(t.x - want[i].pos[0]), Math.abs(t.y - want[i].pos[1]), Math.abs(t.z - want[i].pos[2]));
      }
      checked++;
    });
    expect(checked).toBeGreaterThan(40);
    expect(worst).toBeLessThan(1e-6);
    // The push was cut: the checks above covered steps the limiter did not take whole.
    const s = robot!.stalls;
    expect(s.torque + s.fixed + s.yield).toBeGreaterThan(0);
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

describe("the limiter's fixed-geometry prefilter", () => {
  it('skips only what the exact checks would pass: the same step scales as with every collider checked, over random steps near the table and the cabinet', async () => {
    await initRapier();
    const sw = await SimWorld.create(resolveScene(findScene('kitchen'), 3));
    const real = sw.robot.limiter!;
    // A limiter on the same world whose only fixed box holds everything: every arm collider goes to the
    // cast and the turn check.
    const view: ArmWorldView = {
      world: sw.world, dt: sw.dt,
      armColliders: () => sw.robot.armColliders(),
      touching: () => sw.robot.touching,
      objectOf: (h) => { const o = sw.ownerOf(h); return o !== undefined && sw.objects.has(o) ? o : undefined; },
      objectColliders: (id) => { const b = sw.body(id); return Array.from({ length: b.numColliders() }, (_, i) => b.collider(i)); },
      isRobotCollider: (h) => sw.robot.partByCollider.has(h),
      fixedBounds: () => [{ min: [-1e3, -1e3, -1e3], max: [1e3, 1e3, 1e3] }],
    };
    const everything = new ArmLimiter(view);
    const cab = sw.scene.fixtures.find((f) => f.kind === 'cabinet')!;
    const rnd = seedrandom('prefilter');
    let checked = 0, stopped = 0;
    for (let n = 0; n < 150; n++) {
      // A TCP pose at the table top (the pads touching or in it) or with the hand at the cabinet's near
      // side wall (y = cabinet y - 0.17 m) or above its top, reached by IK from the ready pose.
      const near = n % 3 === 0 ? [0.4 + 0.2 * rnd(), -0.2 + 0.3 * rnd(), -0.01 + 0.03 * rnd()]
        : n % 3 === 1 ? [cab.pos[0] - 0.1 + 0.2 * rnd(), cab.pos[1] - 0.3 + 0.12 * rnd(), 0.05 + 0.2 * rnd()]
          : [cab.pos[0] - 0.1 + 0.2 * rnd(), cab.pos[1] - 0.15 + 0.3 * rnd(), 0.27 + 0.1 * rnd()];
      const ik = solveIk({ pos: near as Vec3, quat: [1, 0, 0, 0] }, PANDA_READY);
      sw.robot.placeAt(ik.q, 0.04);
      // One physics step, so the scene queries see the arm where it now is.
      sw.physicsStep();
      // A joint step in a random direction, up to what a control step (12 substeps) allows: the
      // prefilter's margin for motion is tested with more motion than one substep brings.
      const dq = Array.from({ length: 7 }, (_, i) => (2 * rnd() - 1) * PANDA_VEL_LIMIT[i] * sw.dt * 12);
      const a = real.limit(sw.robot.q, dq), b = everything.limit(sw.robot.q, dq);
      expect(a.scale, `pose ${n}`).toBe(b.scale);
      checked++;
      if (b.scale < 1) stopped++;
    }
    expect(checked).toBe(150);
    // The probe reaches fixed geometry: some of these steps are cut.
    expect(stopped).toBeGreaterThan(10);
    sw.free();
  });
});
