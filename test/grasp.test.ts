// Grasp hold: 0.1-0.3 kg objects, picked by friction alone, lifted 10 cm and held 5 s of sim time; how far
// each moves relative to the hand (at the object's centre). Every object comes up and stays up; the slips
// are a distribution, not a bound per object: the same grasp from another seed lands a few tenths of a
// millimetre elsewhere and can slip 2 mm or 10 (ketchup, salad dressing, popcorn, at seeds 2-4, with the
// solver settings of before and after their 2026-12-04 change alike: 7 and 10 of 112 grasps over 5 mm).
import { expect, it } from 'vitest';
import { Env } from '../sim/env.ts';
import { ExpertPolicy } from '../policies/expert.ts';
import { OBJECT_KINDS } from '../scenes/objects.ts';
import type { SceneSpec, TaskSpec, Vec3 } from '../scenes/types.ts';
import { quatRotate } from '../sim/kinematics.ts';

const kinds = Object.values(OBJECT_KINDS).filter((k) => k.graspable && k.mass >= 0.1 && k.mass <= 0.3);

function sceneWith(kind: string): SceneSpec {
  return {
    name: 'grasp_probe',
    table: { size: [1.4, 1.2], center: [0.35, 0], friction: 0.8, color: [0.6, 0.5, 0.4] },
    regions: { spot: { center: [0.5, 0.05], halfExtents: [0.01, 0.01] } },
    fixtures: [],
    objects: [{ id: 'obj', kind, region: 'spot', yaw: [0, 0.5] }],
  };
}

const SEEDS = [1, 2];

it('objects of 0.1-0.3 kg held by friction over a 10 cm lift and 5 s hold: all held, median slip < 2 mm, 85% < 5 mm, none > 15 mm', async () => {
  expect(kinds.length).toBeGreaterThanOrEqual(10);
  const env = new Env();
  const expert = new ExpertPolicy(env.privileged);
  const rows: string[] = [];
  const slips: number[] = [];
  for (const seed of SEEDS) for (const k of kinds) {
    const task: TaskSpec = {
      name: `grasp_${k.kind}`, scene: 'grasp_probe', type: 'pick_place', instruction: `pick up the ${k.name}`,
      paraphrases: [], init: [], goal: ['Grasped', 'obj'], maxSteps: 400, objectsOfInterest: ['obj'],
    };
    let { obs } = await env.reset({ seed, task, scene: sceneWith(k.kind) });
    expert.reset({ seed, task, instruction: task.instruction, actionMode: 'delta_ee' });
    let grasped = false;
    for (let i = 0; i < 200 && !grasped; i++) {
      const r = env.step(expert.act(obs));
      obs = r.obs;
      grasped = r.info.success;
    }
    expect(grasped, `${k.kind} was not grasped`).toBe(true);
    // Let the fingers finish squeezing, then lift 10 cm at 2 cm per step.
    for (let i = 0; i < 5; i++) obs = env.step([0, 0, 0, 0, 0, 0, 1]).obs;
    for (let i = 0; i < 5; i++) obs = env.step([0, 0, 0.4, 0, 0, 0, 1]).obs;
    // Motion of the object's centre (its bounding-box centre) in the hand frame.
    const rel = (): Vec3 => {
      const ob = env.privileged.object('obj');
      const up = quatRotate(ob.quat, [0, 0, k.size[2] / 2]);
      const o = [ob.pos[0] + up[0], ob.pos[1] + up[1], ob.pos[2] + up[2]];
      const t = env.privileged.tcp();
      const inv = [-t.quat[0], -t.quat[1], -t.quat[2], t.quat[3]];
      return quatRotate(inv, [o[0] - t.pos[0], o[1] - t.pos[1], o[2] - t.pos[2]]) as Vec3;
    };
    const z0 = env.privileged.object('obj').pos[2];
    const r0 = rel();
    for (let i = 0; i < 100; i++) env.step([0, 0, 0, 0, 0, 0, 1]); // 5 s at 20 Hz
    const r1 = rel();
    const slip = Math.hypot(r1[0] - r0[0], r1[1] - r0[1], r1[2] - r0[2]);
    slips.push(slip);
    rows.push(`seed ${seed} ${k.kind} ${k.mass} kg: slip ${(slip * 1000).toFixed(3)} mm`);
    expect(z0, `${k.kind} (seed ${seed}) did not come up`).toBeGreaterThan(0.09);
    expect(env.privileged.contacts('obj').has('table'), `${k.kind} (seed ${seed}) is back on the table`).toBe(false);
    expect(slip, `${k.kind} (seed ${seed}) slipped`).toBeLessThan(0.015);
  }
  env.close();
  const sorted = [...slips].sort((a, b) => a - b);
  const median = sorted[sorted.length >> 1];
  const within5 = slips.filter((x) => x < 0.005).length / slips.length;
  console.log(`grasp hold, ${kinds.length} kinds x seeds ${SEEDS.join(', ')}: median slip ${(median * 1000).toFixed(3)} mm, ${(within5 * 100).toFixed(1)}% under 5 mm, worst ${(sorted.at(-1)! * 1000).toFixed(3)} mm\n${rows.join('\n')}`);
  expect(median).toBeLessThan(0.002);
  expect(within5).toBeGreaterThanOrEqual(0.85);
});
