// Action modes as a policy sees them: delta_ee moves the TCP by the scaled delta in one control step,
// abs_ee and joint reach their targets under the Panda's joint velocity limits, the gripper opens and
// closes, malformed actions are refused with a message, and pushing the arm into the table is reported.
import { afterAll, describe, expect, it } from 'vitest';
import { Env, ActionError } from '../sim/env.ts';
import { ACTION_LAYOUT, DELTA_SCALE } from '../sim/controller.ts';
import {
  PANDA_LOWER, PANDA_READY, PANDA_UPPER, PANDA_VEL_LIMIT, quatAngle, quatConj, quatFromAxisAngle, quatMul, quatToRotVec,
} from '../sim/kinematics.ts';
import { CONTROL_HZ } from '../sim/world.ts';
import type { Quat, SceneSpec, TaskSpec, Vec3 } from '../scenes/types.ts';
import type { Observation } from '../sim/policy.ts';

/** A bare table with one can far from the arm's workspace in front of the base. */
const scene: SceneSpec = {
  name: 'controller_probe',
  table: { size: [0.9, 1.0], center: [0.55, 0], friction: 0.7, color: [0.6, 0.5, 0.4] },
  regions: { far: { center: [0.8, 0.4], halfExtents: [0.01, 0.01] } },
  fixtures: [],
  objects: [{ id: 'can', kind: 'alphabet_soup', region: 'far', yaw: [0, 0] }],
};
const task: TaskSpec = {
  name: 'controller_probe', scene: 'controller_probe', type: 'pick_place', instruction: 'move around',
  paraphrases: [], init: [], goal: ['Grasped', 'can'], maxSteps: 10_000, objectsOfInterest: ['can'],
};

const envs: Env[] = [];
afterAll(() => envs.forEach((e) => e.close()));

async function start(actionMode: 'delta_ee' | 'abs_ee' | 'joint', forceLimit = true): Promise<{ env: Env; obs: Observation }> {
  const env = new Env({ actionMode, forceLimit });
  envs.push(env);
  const { obs } = await env.reset({ seed: 0, task, scene });
  return { env, obs };
}

const dist = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
/** Axis-angle vector of a quaternion (what abs_ee takes). */
const rotVec = (q: ArrayLike<number>): Vec3 => quatToRotVec(q) as Vec3;

describe('delta_ee', () => {
  it('starts at the ready pose', async () => {
    const { obs } = await start('delta_ee');
    obs.state.joints.forEach((q, i) => expect(q).toBeCloseTo(PANDA_READY[i], 6));
  });

  it('a +x action of 0.5 moves the TCP 2.5 cm along x in one step, orientation unchanged', async () => {
    const { env, obs: o0 } = await start('delta_ee');
    const { obs } = env.step([0.5, 0, 0, 0, 0, 0, -1]);
    const want: Vec3 = [o0.state.eePos[0] + DELTA_SCALE.pos * 0.5, o0.state.eePos[1], o0.state.eePos[2]];
    expect(DELTA_SCALE.pos * 0.5).toBeCloseTo(0.025, 12);
    expect(dist(obs.state.eePos, want)).toBeLessThan(0.001);
    expect(quatAngle(obs.state.eeQuat, o0.state.eeQuat)).toBeLessThan(0.01);
  });

  it('each axis moves the TCP by its own delta, with sign, and a zero action holds still', async () => {
    const { env } = await start('delta_ee');
    const axes: [number[], Vec3][] = [
      [[0, -0.4, 0], [0, -0.02, 0]],
      [[0, 0, -0.6], [0, 0, -0.03]],
      [[-0.2, 0.2, 0.2], [-0.01, 0.01, 0.01]],
    ];
    for (const [a, d] of axes) {
      const p0 = env.observe().state.eePos;
      const { obs } = env.step([...a, 0, 0, 0, -1]);
      expect(dist(obs.state.eePos, [p0[0] + d[0], p0[1] + d[1], p0[2] + d[2]]), JSON.stringify(a)).toBeLessThan(0.001);
    }
    const o = env.observe().state;
    for (let i = 0; i < 5; i++) env.step([0, 0, 0, 0, 0, 0, -1]);
    expect(dist(env.observe().state.eePos, o.eePos)).toBeLessThan(1e-4);
    expect(quatAngle(env.observe().state.eeQuat, o.eeQuat)).toBeLessThan(1e-3);
  });

  it('actions beyond [-1, 1] act exactly like the bound', async () => {
    const run = async (a: number[]) => {
      const { env, obs: o0 } = await start('delta_ee');
      const { obs } = env.step(a);
      return obs.state.eePos.map((v, i) => v - o0.state.eePos[i]);
    };
    const over = await run([0, 0, -5, 0, 0, 0, -1]);
    const bound = await run([0, 0, -1, 0, 0, 0, -1]);
    over.forEach((v, i) => expect(v).toBeCloseTo(bound[i], 9));
    // (A full-scale step from the ready pose is held back by the joint velocity limits: ~3.8 of 5 cm.)
    expect(-over[2]).toBeGreaterThan(0.03);
    expect(-over[2]).toBeLessThanOrEqual(DELTA_SCALE.pos + 0.001);
  });

  it('a yaw action of 0.2 rotates the hand by 0.1 rad about world z, in place', async () => {
    const { env, obs: o0 } = await start('delta_ee');
    const { obs } = env.step([0, 0, 0, 0, 0, 0.2, -1]);
    const angle = DELTA_SCALE.rot * 0.2;
    expect(angle).toBeCloseTo(0.1, 12);
    // Rotation from the old to the new orientation, in the world frame.
    const rel = rotVec(quatMul(obs.state.eeQuat, quatConj(o0.state.eeQuat)));
    expect(rel[2]).toBeCloseTo(0.1, 2);
    expect(Math.hypot(rel[0], rel[1])).toBeLessThan(0.01);
    const want = quatMul(quatFromAxisAngle([0, 0, 1], angle), o0.state.eeQuat);
    expect(quatAngle(obs.state.eeQuat, want)).toBeLessThan(0.01);
    expect(dist(obs.state.eePos, o0.state.eePos)).toBeLessThan(0.001);
    // And back with the opposite sign.
    const back = env.step([0, 0, 0, 0, 0, -0.2, -1]).obs;
    expect(quatAngle(back.state.eeQuat, o0.state.eeQuat)).toBeLessThan(0.01);
  });
});

describe('abs_ee', () => {
  it('reaches a pose 15 cm away within 5 mm and 2 degrees, moving there over several steps', async () => {
    const { env, obs: o0 } = await start('abs_ee');
    const pos: Vec3 = [o0.state.eePos[0] + 0.1, o0.state.eePos[1] + 0.08, o0.state.eePos[2] - 0.08];
    expect(dist(pos, o0.state.eePos)).toBeGreaterThan(0.14);
    const quat = quatMul(quatFromAxisAngle([0, 0, 1], 0.4), quatMul(quatFromAxisAngle([0, 1, 0], 0.15), o0.state.eeQuat)) as Quat;
    const action = [...pos, ...rotVec(quat), 1];
    const first = env.step(action).obs;
    // Velocity-limited: the first step gets part of the way, not all of it.
    expect(dist(first.state.eePos, o0.state.eePos)).toBeGreaterThan(0.005);
    expect(dist(first.state.eePos, pos)).toBeGreaterThan(0.005);
    let obs = first;
    let steps = 1;
    while (steps < 40 && !(dist(obs.state.eePos, pos) < 0.005 && quatAngle(obs.state.eeQuat, quat) < (2 * Math.PI) / 180)) {
      obs = env.step(action).obs;
      steps++;
    }
    expect(dist(obs.state.eePos, pos)).toBeLessThan(0.005);
    expect(quatAngle(obs.state.eeQuat, quat)).toBeLessThan((2 * Math.PI) / 180);
    expect(steps).toBeGreaterThan(1);
    // It stays there.
    for (let i = 0; i < 5; i++) obs = env.step(action).obs;
    expect(dist(obs.state.eePos, pos)).toBeLessThan(0.005);
    expect(quatAngle(obs.state.eeQuat, quat)).toBeLessThan((2 * Math.PI) / 180);
  });
});

describe('joint', () => {
  it('takes 8 numbers and reaches a joint target to 1e-6', async () => {
    const { env } = await start('joint');
    const target = PANDA_READY.map((q, i) => q + [0.3, -0.2, 0.25, 0.3, -0.4, 0.2, 0.5][i]);
    let obs = env.observe();
    for (let i = 0; i < 10; i++) obs = env.step([...target, -1]).obs;
    obs.state.joints.forEach((q, i) => expect(Math.abs(q - target[i]), `joint ${i + 1}`).toBeLessThan(1e-6));
    expect(obs.state.gripperWidth).toBeGreaterThan(0.078);
    // The 8th number drives the gripper here.
    for (let i = 0; i < 15; i++) obs = env.step([...target, 1]).obs;
    expect(obs.state.gripperWidth).toBeLessThan(0.002);
    expect(() => env.step([...target])).toThrow(ActionError);
  });

  it('clamps targets beyond the joint limits and never leaves them', async () => {
    const { env } = await start('joint');
    const beyond = [4, 3, -4, 1, 4, -1, 4];
    const clamped = beyond.map((q, i) => Math.min(PANDA_UPPER[i], Math.max(PANDA_LOWER[i], q)));
    let obs = env.observe();
    for (let i = 0; i < 40; i++) {
      obs = env.step([...beyond, -1]).obs;
      obs.state.joints.forEach((q, j) => {
        expect(q, `joint ${j + 1} step ${i}`).toBeGreaterThanOrEqual(PANDA_LOWER[j]);
        expect(q, `joint ${j + 1} step ${i}`).toBeLessThanOrEqual(PANDA_UPPER[j]);
      });
    }
    obs.state.joints.forEach((q, j) => expect(Math.abs(q - clamped[j]), `joint ${j + 1}`).toBeLessThan(1e-6));
  });

  it('respects the joint velocity limits per control step, even for a huge jump', async () => {
    const { env, obs: o0 } = await start('joint');
    const dt = 1 / CONTROL_HZ;
    expect(dt).toBeCloseTo(0.05, 12);
    const far = [2.5, 1.5, -2.5, -0.5, 2.5, 3.5, -2.5];
    let prev = o0.state.joints;
    let fastest = 0;
    for (let i = 0; i < 60; i++) {
      const q = env.step([...far, 1]).obs.state.joints;
      q.forEach((qi, j) => {
        const dq = Math.abs(qi - prev[j]);
        expect(dq, `joint ${j + 1} step ${i}`).toBeLessThanOrEqual(PANDA_VEL_LIMIT[j] * dt + 1e-9);
        fastest = Math.max(fastest, dq / (PANDA_VEL_LIMIT[j] * dt));
      });
      prev = q;
    }
    // Some joint ran at its limit: the cap is what held the motion back, not something else.
    expect(fastest).toBeGreaterThan(0.99);
    prev.forEach((q, j) => expect(q).toBeCloseTo(far[j], 6));
  });

  it('abs_ee far targets are velocity-limited too', async () => {
    const { env, obs: o0 } = await start('abs_ee');
    const dt = 1 / CONTROL_HZ;
    let prev = o0.state.joints;
    const action = [0.45, -0.3, 0.15, Math.PI, 0, 0, -1];
    for (let i = 0; i < 15; i++) {
      const q = env.step(action).obs.state.joints;
      q.forEach((qi, j) => expect(Math.abs(qi - prev[j]), `joint ${j + 1}`).toBeLessThanOrEqual(PANDA_VEL_LIMIT[j] * dt + 1e-9));
      prev = q;
    }
  });
});

describe('gripper', () => {
  it('-1 opens to ~8 cm, +1 closes to ~0 on nothing, and it reopens', async () => {
    const { env } = await start('delta_ee');
    let obs = env.observe();
    for (let i = 0; i < 10; i++) obs = env.step([0, 0, 0, 0, 0, 0, -1]).obs;
    expect(obs.state.gripperWidth).toBeGreaterThan(0.078);
    expect(obs.state.gripperWidth).toBeLessThan(0.0805);
    for (let i = 0; i < 15; i++) obs = env.step([0, 0, 0, 0, 0, 0, 1]).obs;
    expect(obs.state.gripperWidth).toBeLessThan(0.002);
    expect(obs.state.gripperWidth).toBeGreaterThan(-0.001);
    // Half-way command: half-way opening.
    for (let i = 0; i < 15; i++) obs = env.step([0, 0, 0, 0, 0, 0, 0]).obs;
    expect(obs.state.gripperWidth).toBeCloseTo(0.04, 2);
    for (let i = 0; i < 15; i++) obs = env.step([0, 0, 0, 0, 0, 0, -1]).obs;
    expect(obs.state.gripperWidth).toBeGreaterThan(0.078);
  });
});

describe('malformed actions', () => {
  it('throw ActionError naming the index or length and the layout, and do not advance the episode', async () => {
    const { env } = await start('delta_ee');
    env.step([0.2, 0, 0, 0, 0, 0, -1]);
    const before = { steps: env.steps, q: env.observe().state.joints, physics: env.world.physicsSteps };
    const layout = ACTION_LAYOUT.delta_ee;
    const bad = (a: unknown) => {
      try {
        env.step(a as number[]);
      } catch (e) {
        return e;
      }
      return undefined;
    };
    const cases: [unknown, RegExp][] = [
      [[0, 0, NaN, 0, 0, 0, -1], /action\[2\] is NaN/],
      [[0, 0, 0, 0, Infinity, 0, -1], /action\[4\] is Infinity/],
      [[0, 0, 0, 0, 0, 0, -Infinity], /action\[6\] is -Infinity/],
      [[0, 0, 0, 0, 0, 0], /must have 7 numbers.*got 6/],
      [[0, 0, 0, 0, 0, 0, 0, 0], /must have 7 numbers.*got 8/],
      [undefined, /must have 7 numbers/],
      [42, /must have 7 numbers/],
      [{ x: 1 }, /must have 7 numbers/],
      [[0, 0, '0', 0, 0, 0, -1], /action\[2\]/],
    ];
    for (const [a, msg] of cases) {
      const e = bad(a);
      expect(e, String(a)).toBeInstanceOf(ActionError);
      const m = (e as Error).message;
      expect(m, String(a)).toMatch(msg);
      expect(m, String(a)).toContain(layout);
    }
    expect(env.steps).toBe(before.steps);
    expect(env.observe().state.joints).toEqual(before.q);
    expect(env.world.physicsSteps).toBe(before.physics);
    // A good action still works afterwards.
    expect(env.step([0, 0, 0, 0, 0, 0, -1]).info.steps).toBe(before.steps + 1);
  });

  it('name the mode-specific length and layout in abs_ee and joint modes', async () => {
    const { env: a } = await start('abs_ee');
    expect(() => a.step([0.4, 0, 0.3, Math.PI, 0, 0])).toThrow(ActionError);
    expect(() => a.step([0.4, 0, 0.3, Math.PI, 0, 0])).toThrow(/7 numbers for mode "abs_ee"/);
    expect(() => a.step([0.4, NaN, 0.3, Math.PI, 0, 0, 1])).toThrow(/action\[1\] is NaN.*axis-angle/);
    const { env: j } = await start('joint');
    expect(() => j.step([...PANDA_READY])).toThrow(/8 numbers for mode "joint".*got 7/);
    expect(() => j.step([...PANDA_READY, NaN])).toThrow(/action\[7\] is NaN.*\[q1\.\.q7, gripper\]/);
  });
});

describe('penetration', () => {
  it('the force-limited arm sent 5 cm below the table top stalls on it: no penetration, and it backs off freely', async () => {
    const { env, obs: o0 } = await start('abs_ee');
    const down = [Math.PI, 0, 0];
    const [x, y] = o0.state.eePos;
    for (let i = 0; i < 8; i++) env.step([x, y, 0.1, ...down, -1]);
    const stalls0 = env.world.robot.stalls.fixed + env.world.robot.stalls.torque;
    let deepest = 0;
    for (let i = 0; i < 20; i++) {
      const r = env.step([x, y, -0.05, ...down, -1]);
      deepest = Math.max(deepest, r.info.health.maxPenetration);
      expect(r.info.penetrations).toEqual([]);
    }
    const now = env.step([x, y, -0.05, ...down, -1]);
    // The fingertips (at the TCP) stop at the table top instead of going 5 cm into it.
    expect(now.obs.state.eePos[2]).toBeGreaterThan(-0.005);
    expect(now.obs.state.eePos[2]).toBeLessThan(0.02);
    expect(deepest).toBeLessThan(0.005);
    expect(env.world.robot.stalls.fixed + env.world.robot.stalls.torque).toBeGreaterThan(stalls0);
    // Away from the table nothing holds it back: it rises as fast as from free space.
    const z0 = env.privileged.tcp().pos[2];
    env.step([x, y, 0.2, ...down, -1]);
    expect(env.privileged.tcp().pos[2] - z0).toBeGreaterThan(0.02);
    for (let i = 0; i < 12; i++) env.step([x, y, 0.2, ...down, -1]);
    expect(env.privileged.tcp().pos[2]).toBeCloseTo(0.2, 3);
  });

  it('without the force limit (forceLimit: false) the same motion goes through, and is reported as robot part vs table', async () => {
    const { env, obs: o0 } = await start('abs_ee', false);
    const down = [Math.PI, 0, 0];
    const [x, y] = o0.state.eePos;
    // Free motion above the table: down to 10 cm and around.
    for (const p of [[x, y, 0.25], [x + 0.1, y - 0.1, 0.1], [x, y + 0.1, 0.1], [x, y, 0.1]]) {
      for (let i = 0; i < 8; i++) {
        const r = env.step([...p, ...down, i % 2 ? 1 : -1]);
        expect(r.info.penetrations, JSON.stringify(p)).toEqual([]);
      }
    }
    let deepest = 0;
    let sawTable = false;
    for (let i = 0; i < 15; i++) {
      const r = env.step([x, y, -0.05, ...down, -1]);
      for (const p of r.info.penetrations) {
        expect(p.depth).toBeGreaterThan(0.005);
        expect(typeof p.part).toBe('string');
        if (p.other === 'table') {
          sawTable = true;
          deepest = Math.max(deepest, p.depth);
        }
      }
    }
    expect(sawTable).toBe(true);
    // The fingertips (at the TCP) were sent 5 cm below the table top: centimetres deep, not a graze.
    expect(deepest).toBeGreaterThan(0.02);
    const now = env.step([x, y, -0.05, ...down, -1]);
    expect(now.obs.state.eePos[2]).toBeLessThan(-0.04);
    expect(now.info.health.maxPenetration).toBeGreaterThan(0.02);
    const onTable = now.info.penetrations.filter((p) => p.other === 'table');
    expect(onTable.length).toBeGreaterThan(0);
    expect(onTable[0].depth).toBeGreaterThan(0.02);
    // Deepest first.
    const depths = now.info.penetrations.map((p) => p.depth);
    expect(depths).toEqual([...depths].sort((a, b) => b - a));
    const parts = onTable.map((p) => p.part);
    expect(parts.every((p) => /^(link\d|hand|finger_left|finger_right)$/.test(p)), parts.join()).toBe(true);
    // Back up: clear again.
    let last = env.step([x, y, 0.2, ...down, -1]).info.penetrations;
    for (let i = 0; i < 10; i++) last = env.step([x, y, 0.2, ...down, -1]).info.penetrations;
    expect(last).toEqual([]);
  });
});
