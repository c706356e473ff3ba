// Failure labels decided by the earliest cause (runner/chains/failures.ts): traces crafted on a real world
// (objects knocked by hand, step infos with IK trouble or physics-health reasons written in) and real
// expert runs that drop what they carry. The earliest cause wins, a missed grasp stays a grasp miss
// when the hand later wanders out of reach, a goal of two atoms is judged by the one that failed, and
// a simulator artefact that came first makes the step sim_unstable.
import { afterAll, describe, expect, it } from 'vitest';
import { Env, type StepInfo } from '../sim/env.ts';
import { findTask } from '../scenes/load.ts';
import type { Formula, TaskSpec, Vec3 } from '../scenes/types.ts';
import { ExpertPolicy } from '../policies/expert.ts';
import { FAILURE_RULES, TaskTrace } from '../runner/chains/failures.ts';

const HOLD = [0, 0, 0, 0, 0, 0, -1];
const env = new Env();
afterAll(() => env.close());

const GOAL: Formula = ['On', 'soup', 'plate'];

async function start(goal: Formula = GOAL, named = ['soup', 'plate']): Promise<TaskSpec> {
  const task: TaskSpec = { ...findTask('tabletop_soup_on_plate'), name: 'label_probe', goal, objectsOfInterest: named };
  await env.reset({ seed: 0, task });
  return task;
}

/** One real control step, with parts of its info replaced (IK trouble, physics-health reasons). */
function step(trace: TaskTrace, o: { ikMiss?: boolean; unstable?: string; action?: number[] } = {}): StepInfo {
  const info = env.step(o.action ?? HOLD).info;
  const crafted: StepInfo = {
    ...info,
    ik: o.ikMiss ? { posErr: 0.05, rotErr: 0, converged: false } : info.ik,
    health: o.unstable ? { ...info.health, unstable: [o.unstable] } : info.health,
  };
  trace.observe(crafted);
  return crafted;
}

/** Knock the butter (not named by the task) 5 cm along x. */
function knockButter(): void {
  const b = env.world.body('butter');
  const p = b.translation();
  b.setTranslation({ x: p.x + 0.05, y: p.y, z: p.z }, true);
}

const pos = (id: string): Vec3 => env.world.objectPose(id).pos;

describe('the earliest cause wins', () => {
  it('a knock before IK trouble is knocked_over; IK trouble before a knock is unreachable', async () => {
    await start();
    let t = new TaskTrace(env, GOAL, ['soup', 'plate']);
    step(t);
    knockButter();
    step(t);
    for (let i = 0; i < 15; i++) step(t, { ikMiss: true });
    expect(t.disturbedAt.get('butter')).toBe(2);
    expect(t.unreachableAt).toBe(3);
    expect(t.label()).toBe('knocked_over');

    await start();
    t = new TaskTrace(env, GOAL, ['soup', 'plate']);
    for (let i = 0; i < FAILURE_RULES.unreachableSteps; i++) step(t, { ikMiss: true });
    step(t);
    knockButter();
    step(t);
    expect(t.unreachableAt).toBe(1);
    expect(t.label()).toBe('unreachable');
  });

  it('a grasp that closed on nothing is grasp_miss, even when the hand then wanders out of reach', async () => {
    await start();
    const t = new TaskTrace(env, GOAL, ['soup', 'plate']);
    for (let i = 0; i < 20 && env.world.robot.gripperWidth() >= FAILURE_RULES.emptyClose; i++) step(t, { action: [0, 0, 0, 0, 0, 0, 1] });
    expect(t.emptyCloseAt).not.toBeNull();
    for (let i = 0; i < 15; i++) step(t, { ikMiss: true, action: [0, 0, 0, 0, 0, 0, 1] });
    expect(t.unreachableAt!).toBeGreaterThan(t.emptyCloseAt!);
    expect(t.label()).toBe('grasp_miss');
  });

  it('a drop before a knock is slip_drop; a knock before the drop is knocked_over', async () => {
    const run = async (knockFirst: boolean) => {
      const task = await start();
      const t = new TaskTrace(env, GOAL, ['soup', 'plate']);
      const expert = new ExpertPolicy(env.privileged, { sabotage: true });
      expert.reset({ seed: 0, task, instruction: task.instruction, actionMode: 'delta_ee' });
      let obs = env.observe();
      let knocked = false;
      for (let i = 0; i < 250; i++) {
        const r = env.step(expert.act(obs));
        obs = r.obs;
        t.observe(r.info);
        const knockNow = knockFirst ? r.info.steps === 2 : t.dropAt.has('soup') && r.info.steps === t.dropAt.get('soup')! + 3;
        if (knockNow && !knocked) {
          knockButter();
          knocked = true;
        }
        if (knocked && t.dropAt.has('soup') && r.info.steps > t.dropAt.get('soup')! + 5) break;
      }
      expect(t.dropAt.has('soup'), 'the sabotaged expert should drop the soup').toBe(true);
      expect(t.disturbed()).toContain('butter');
      return t.label();
    };
    expect(await run(false)).toBe('slip_drop');
    expect(await run(true)).toBe('knocked_over');
  });
});

describe('multi-atom goals', () => {
  it('are labelled by the first atom that does not hold: a drop of the second object is slip_drop', async () => {
    const goal: Formula = ['And', ['On', 'soup', 'plate'], ['On', 'red_block', 'blue_block']];
    const named = ['soup', 'plate', 'red_block', 'blue_block'];
    const task = await start(goal, named);
    // The first atom already holds (and its object is never grasped in this task).
    const p = pos('plate');
    const b = env.world.body('soup');
    b.setTranslation({ x: p[0], y: p[1], z: 0.0105 }, true);
    for (let i = 0; i < 24; i++) env.world.physicsStep();
    expect(env.holds(['On', 'soup', 'plate'])).toBe(true);
    const t = new TaskTrace(env, goal, named);
    // The expert sabotages the first atom that does not hold: it lifts the red block and lets it slip.
    const expert = new ExpertPolicy(env.privileged, { sabotage: true });
    expert.reset({ seed: 0, task, instruction: task.instruction, actionMode: 'delta_ee' });
    let obs = env.observe();
    for (let i = 0; i < 250 && !(t.dropAt.has('red_block') && env.steps > t.dropAt.get('red_block')! + 10); i++) {
      const r = env.step(expert.act(obs));
      obs = r.obs;
      t.observe(r.info);
    }
    expect(t.dropAt.has('red_block')).toBe(true);
    expect(t.everGrasped.has('soup')).toBe(false);
    expect(t.failingAtom()).toEqual(['On', 'red_block', 'blue_block']);
    expect(t.label()).toBe('slip_drop');
  });
});

describe('sim_unstable', () => {
  it('labels a failure whose first cause the simulator produced; not one whose cause came first', async () => {
    await start();
    let t = new TaskTrace(env, GOAL, ['soup', 'plate']);
    step(t);
    step(t, { unstable: 'butter moves at 5.31 m/s, 5.31 m/s more than free fall explains (limit 2 m/s)' });
    knockButter();
    step(t);
    expect(t.unstableAt).toBe(2);
    expect(t.label()).toBe('sim_unstable');

    await start();
    t = new TaskTrace(env, GOAL, ['soup', 'plate']);
    step(t);
    knockButter();
    step(t);
    step(t, { unstable: 'butter is 40 mm below the table top inside the table\'s footprint (through the surface)' });
    expect(t.label()).toBe('knocked_over');
  });

  it('wins over a timeout or a grasp never tried (judged at the end), and never over policy_error', async () => {
    const near: Formula = ['Near', 'soup', 'plate', 0.001];
    await start(near);
    let t = new TaskTrace(env, near, ['soup', 'plate']);
    for (let i = 0; i < 5; i++) step(t);
    expect(t.label()).toBe('timeout_no_progress');
    step(t, { unstable: 'soup left the world at (9.00, 0.00, -3.00) m' });
    step(t);
    expect(t.label()).toBe('sim_unstable');
    await start();
    t = new TaskTrace(env, GOAL, ['soup', 'plate']);
    for (let i = 0; i < 5; i++) step(t);
    expect(t.label()).toBe('grasp_miss');
    step(t, { unstable: 'soup left the world at (9.00, 0.00, -3.00) m' });
    step(t);
    expect(t.label()).toBe('sim_unstable');
    t.policyError = 'boom';
    expect(t.label()).toBe('policy_error');
  });
});
