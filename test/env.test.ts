// The Gymnasium-shaped env contract: reset/step/close, observation layout, termination, chains of tasks.
import { expect, it } from 'vitest';
import { Env } from '../sim/env.ts';
import { findTask } from '../scenes/load.ts';

it('reset gives state and instruction; step gives reward, termination, truncation and info', async () => {
  const env = new Env();
  expect(() => env.step([0, 0, 0, 0, 0, 0, -1])).toThrow(/reset/);
  const task = { ...findTask('cabinet_press_button'), maxSteps: 3 };
  const { obs, info } = await env.reset({ seed: 0, task });
  expect(info).toMatchObject({ seed: 0, task: task.name, scene: 'cabinet_counter' });
  expect(obs.instruction).toBe(task.instruction);
  expect(obs.state.joints).toHaveLength(7);
  expect(obs.state.eePos[2]).toBeGreaterThan(0.3);
  expect(obs.state.gripperWidth).toBeGreaterThan(0.075);
  expect(obs.images).toBeUndefined();
  let r = env.step([0, 0, 0, 0, 0, 0, -1]);
  expect(r).toMatchObject({ reward: 0, terminated: false, truncated: false });
  expect(r.info.steps).toBe(1);
  env.step([0, 0, 0, 0, 0, 0, -1]);
  r = env.step([0, 0, 0, 0, 0, 0, -1]);
  expect(r.truncated).toBe(true);
  // The next task of a chain keeps the world and resets the step budget.
  const before = env.world.objectPose('milk').pos;
  const obs2 = env.setTask(findTask('cabinet_open_drawer'));
  expect(obs2.instruction).toBe(findTask('cabinet_open_drawer').instruction);
  expect(env.steps).toBe(0);
  expect(env.world.objectPose('milk').pos).toEqual(before);
  expect(() => env.setTask(findTask('tabletop_soup_on_plate'))).toThrow(/scene/);
  env.close();
  expect(() => env.observe()).toThrow(/reset/);
});

it('asks for a renderer when cameras are requested', () => {
  expect(() => new Env({ cameras: ['agentview'] })).toThrow(/renderer/);
});
