// LIBERO's conventions for remote policies (docs/libero-conventions.md): the `libero` preset's state in
// LIBERO's world frame with an orientation that keeps its sign along a trajectory, as MuJoCo's does, and
// the `osc_pose` action mode that tracks a delta like robosuite's OSC_POSE instead of jumping it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findTask } from '../scenes/load.ts';
import { Env } from '../sim/env.ts';
import { fk, PANDA_READY, quatMul } from '../sim/kinematics.ts';
import type { Observation, RobotStateObs } from '../sim/policy.ts';
import { ExpertPolicy } from '../policies/expert.ts';
import { LIBERO_ROBOT_BASE } from '../policies/libero-frame.ts';
import { CHAINGAP_PRESET, fromRequest, LIBERO_PRESET, PRESETS, presetFor, presetFromJson, toRequest } from '../policies/obs-preset.ts';
import { NdArray } from '../policies/openpi-codec.ts';
import { quatToAxisAngle } from '../policies/state-vector.ts';
import { planRun } from '../runner/chains/run.ts';
import { singleActionTravel, stepResponse } from './helpers/osc-response.ts';

/** MountedPanda.init_qpos in LIBERO (libero/libero/envs/robots/mounted_panda.py). */
const LIBERO_INIT_QPOS = [0, -0.161037389, 0, -2.44459747, 0, 2.2267522, Math.PI / 4];

const stateAt = (q: readonly number[], gripperWidth = 0.08): RobotStateObs => {
  const p = fk(q);
  return { eePos: p.pos, eeQuat: p.quat, gripperWidth, joints: [...q] };
};

/** The state vector the preset sends (no cameras: the image keys are dropped). */
function sent(state: RobotStateObs, preset = LIBERO_PRESET): number[] {
  const p = presetFor(preset, [], false);
  return Array.from((toRequest({ state, instruction: 'x' }, p)[p.keys.state] as NdArray).data as Float32Array);
}

/**
 * robot0_eef_quat as MuJoCo computes it in LIBERO, sign included: the product of robosuite's Panda body
 * quaternions (link2..link7 rotated +-90 degrees about x, right_hand -45 degrees about z) and the joint
 * rotations about z, as [x, y, z, w]. Each joint's half-angle quaternion has w > 0 over the joint range,
 * so the sign moves continuously with the joints.
 */
function mujocoEefQuat(q: readonly number[]): number[] {
  const s = Math.SQRT1_2;
  const body = [[0, 0, 0, 1], [-s, 0, 0, s], [s, 0, 0, s], [s, 0, 0, s], [-s, 0, 0, s], [s, 0, 0, s], [s, 0, 0, s]];
  let r = [0, 0, 0, 1];
  for (let i = 0; i < 7; i++) r = quatMul(quatMul(r, body[i]), [0, 0, Math.sin(q[i] / 2), Math.cos(q[i] / 2)]);
  return quatMul(r, [0, 0, Math.sin(-Math.PI / 8), Math.cos(-Math.PI / 8)]);
}

describe('the libero preset sends the end effector in LIBERO\'s world frame', () => {
  it('puts LIBERO\'s own initial arm pose over LIBERO\'s kitchen table, and chaingap\'s ready pose where the base offset says', () => {
    // LIBERO's kitchen table: 1.0 m long, centred at x = 0, top at z = 0.90 (libero_kitchen_tabletop_manipulation.py).
    const [x, y, z] = sent(stateAt(LIBERO_INIT_QPOS));
    expect(x).toBeGreaterThan(-0.5);
    expect(x).toBeLessThan(0.5);
    expect(Math.abs(y)).toBeLessThan(1e-6);
    expect(z).toBeGreaterThan(0.9);
    expect(z).toBeLessThan(1.3);
    // Ready pose: TCP (0.3069, 0, 0.4869) in the base frame; the eef site is 6.9 mm up the gripper from it.
    const ready = sent(stateAt(PANDA_READY));
    [-0.66 + 0.3069, 0, 0.912 + 0.4869 + 0.0069].forEach((v, i) => expect(ready[i]).toBeCloseTo(v, 3));
  });

  it('moves with the problem type\'s robot base, and the server side gets chaingap\'s base-frame state back', () => {
    const state = stateAt([0.2, -0.5, 0.1, -2.2, 0.1, 1.9, 0.6], 0.05);
    const kitchen = sent(state);
    for (const [name, problem] of [['libero-living-room', 'living_room'], ['libero-study', 'study'], ['libero-floor', 'floor']] as const) {
      const v = sent(state, PRESETS[name]);
      for (let i = 0; i < 3; i++) expect(v[i] - kitchen[i]).toBeCloseTo(LIBERO_ROBOT_BASE[problem][i] - LIBERO_ROBOT_BASE.kitchen[i], 5);
      const back = fromRequest(toRequest({ state, instruction: 'x' }, presetFor(PRESETS[name], [], false)), presetFor(PRESETS[name], [], false)).state;
      back.eePos.forEach((p, i) => expect(p).toBeCloseTo(state.eePos[i], 5));
      back.eeQuat.forEach((q, i) => expect(q).toBeCloseTo(state.eeQuat[i], 5));
      expect(back.gripperWidth).toBeCloseTo(0.05, 6);
    }
    // The chaingap preset stays in the base frame.
    expect(sent(state, CHAINGAP_PRESET).slice(0, 3).map((v, i) => v - state.eePos[i]).every((d) => Math.abs(d) < 1e-6)).toBe(true);
  });

  it('a JSON preset names its LIBERO problem type; an unknown one is an error naming the field', () => {
    const json = { name: 'coffee', keys: { state: 's', prompt: 'p' }, imageSize: 224, stateLayout: ['ee_pos', 'ee_axis_angle', 'gripper_qpos'], liberoFrame: 'coffee_table' };
    const state = stateAt(PANDA_READY);
    expect(sent(state, presetFromJson(json, 'coffee.json'))[2]).toBeCloseTo(0.41 + 0.4869 + 0.0069, 3);
    expect(() => presetFromJson({ ...json, liberoFrame: 'kitchenette' }, 'coffee.json')).toThrow(/coffee\.json: liberoFrame: .*kitchen/);
  });
});

describe('the libero preset\'s orientation keeps one sign, LIBERO\'s', () => {
  it('is continuous through the gripper-down pose, where a w >= 0 quaternion changes sign', () => {
    // Gripper down, tilted 1 degree either way about x (w = -+sin 0.5 deg): chaingap reports w >= 0, so the two differ in sign.
    const tilt = (a: number) => quatMul([Math.sin(a / 2), 0, 0, Math.cos(a / 2)], [1, 0, 0, 0]);
    const canon = (q: number[]) => (q[3] < 0 ? q.map((v) => -v) : q);
    const [a, b] = [0.0175, -0.0175].map((t) => quatToAxisAngle(canon(tilt(t))));
    // 2 degrees apart (a sign flip would be ~2 pi).
    expect(Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2])).toBeLessThan(0.04);
    expect(a[0]).toBeGreaterThan(3);
    expect(b[0]).toBeGreaterThan(3);
  });

  for (const name of ['tabletop_soup_on_plate', 'microwave_open_door']) {
    it(`along an expert rollout (${name}): no jumps, x component in LIBERO's 1.5..3.3, MuJoCo's sign at every step`, async () => {
      const task = findTask(name);
      const env = new Env();
      const expert = new ExpertPolicy(env.privileged);
      let { obs } = await env.reset({ seed: 0, task });
      await expert.reset({ seed: 0, task, instruction: task.instruction, actionMode: env.actionMode });
      const states: Observation['state'][] = [obs.state];
      for (;;) {
        const r = env.step(await expert.act(obs));
        obs = r.obs;
        states.push(obs.state);
        if (r.terminated || r.truncated) {
          expect(r.info.success).toBe(true);
          break;
        }
      }
      env.close();
      let jump = 0;
      let prev: number[] | null = null;
      for (const s of states) {
        const aa = sent(s).slice(3, 6);
        expect(aa[0]).toBeGreaterThan(1.5);
        expect(aa[0]).toBeLessThan(3.3);
        // The axis-angle's direction is the quaternion's vector part: same sign as MuJoCo's quaternion.
        const mj = mujocoEefQuat(s.joints);
        expect(aa[0] * mj[0] + aa[1] * mj[1] + aa[2] * mj[2]).toBeGreaterThan(0);
        if (prev) jump = Math.max(jump, Math.hypot(aa[0] - prev[0], aa[1] - prev[1], aa[2] - prev[2]));
        prev = aa;
      }
      // The expert turns the gripper at most ~0.25 rad per control step; a sign flip would jump ~2 pi.
      expect(jump).toBeLessThan(0.3);
    }, 120_000);
  }
});

describe('the osc_pose action mode tracks a delta like robosuite\'s OSC_POSE', () => {
  it('answers a held 1 cm goal critically damped: 63% in ~0.18 s, 95% in ~0.39 s, no overshoot (delta_ee: one step)', async () => {
    const osc = await stepResponse('osc_pose');
    // Analytic x'' = 150 (g - x) - 2 sqrt(150) x': 63% at 0.175 s, 95% at 0.387 s.
    expect(osc.t63).toBeGreaterThan(0.16);
    expect(osc.t63).toBeLessThan(0.19);
    expect(osc.t95).toBeGreaterThan(0.37);
    expect(osc.t95).toBeLessThan(0.41);
    expect(osc.overshoot).toBeLessThan(1e-4);
    expect(osc.path.at(-1)).toBeCloseTo(0.01, 4);
    const full = await stepResponse('delta_ee');
    expect(full.path[0]).toBeCloseTo(0.01, 4);
  });

  it('one 0.2 action moves the arm a quarter of its 1 cm delta, not all of it', async () => {
    const osc = await singleActionTravel('osc_pose');
    expect(osc).toBeGreaterThan(0.002);
    expect(osc).toBeLessThan(0.0035);
    expect(await singleActionTravel('delta_ee')).toBeCloseTo(0.01, 4);
  });

  it('carries its velocity in env snapshots: a restore replays the same motion', async () => {
    const env = new Env({ actionMode: 'osc_pose' });
    await env.reset({ seed: 0, task: findTask('tabletop_soup_on_plate') });
    const a = [0.6, -0.4, 0.3, 0, 0, 0.2, -1];
    for (let k = 0; k < 3; k++) env.step(a);
    const snap = env.snapshot();
    const run = () => Array.from({ length: 4 }, () => env.step([0, 0, 0, 0, 0, 0, -1]).obs.state.eePos);
    const first = run();
    env.restore(snap);
    expect(run()).toEqual(first);
    // Still moving after the actions stopped: the velocity, not only the pose, was restored.
    expect(Math.hypot(...first[0].map((v, i) => v - first[1][i]))).toBeGreaterThan(1e-4);
    env.close();
  });

  it('is chosen by EnvOptions, recorded in the run config when not the default, and by `run --action-mode`', () => {
    const base = { out: 'unused', policy: 'expert', chains: 1, steps: 1 };
    expect(planRun(base).config.actionMode).toBeUndefined();
    expect(planRun({ ...base, env: { actionMode: 'delta_ee' } }).config).toEqual(planRun(base).config);
    expect(planRun({ ...base, env: { actionMode: 'osc_pose' } }).config.actionMode).toBe('osc_pose');
    const bad = spawnSync(process.execPath, ['scripts/chaingap.mjs', 'run', '--out', fs.mkdtempSync(path.join(os.tmpdir(), 'cg-am-')), '--action-mode', 'osc'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--action-mode.*delta_ee, osc_pose/s);
  });
});
