// The scripted expert solves every task type of the baseline scenes through env.step alone, without
// pushing the arm into anything. (The 100-episode figure is `npx chaingap demo --episodes 100`.)
import { describe, expect, it } from 'vitest';
import { Env } from '../sim/env.ts';
import { ExpertPolicy } from '../policies/expert.ts';
import { evaluateTasks } from '../runner/chains/suite.ts';
import { demoTasks } from '../runner/chains/suite.ts';
import { findTask } from '../scenes/load.ts';

describe('scripted expert', () => {
  it('covers at least 9 task types and succeeds on 5 seeds of each without collisions', async () => {
    const tasks = demoTasks();
    expect(new Set(tasks.map((t) => t.type)).size).toBeGreaterThanOrEqual(9);
    const rows = await evaluateTasks({ tasks, episodes: 5, firstSeed: 1000, makePolicy: (p) => new ExpertPolicy(p) });
    for (const r of rows) {
      expect(r.successes, `${r.task} failed seeds ${r.failedSeeds.join(',')}`).toBe(r.episodes);
      expect(r.collisions, `${r.task} pushed the arm into something`).toBe(0);
    }
  });

  it('acts only with bounded 7-D delta actions and fails honestly when the object is dropped', async () => {
    const task = findTask('tabletop_soup_on_plate');
    const env = new Env();
    const expert = new ExpertPolicy(env.privileged);
    let { obs } = await env.reset({ seed: 5, task });
    expert.reset({ seed: 5, task, instruction: task.instruction, actionMode: 'delta_ee' });
    let success = false;
    let dropped = false;
    let sawLift = false;
    for (let i = 0; i < task.maxSteps && !success; i++) {
      const a = expert.act(obs);
      expect(a).toHaveLength(7);
      for (const x of a) expect(Math.abs(x)).toBeLessThanOrEqual(1 + 1e-9);
      // Sabotage: let go once the soup is lifted, as a failing policy would.
      if (expert.phase.includes('lift') && obs.state.eePos[2] > 0.2) {
        sawLift = true;
        a[6] = -1;
        dropped = true;
      }
      if (dropped) a[6] = -1;
      const r = env.step(a);
      obs = r.obs;
      success = r.info.success;
    }
    env.close();
    expect(sawLift).toBe(true);
    expect(success).toBe(false);
  });
});
