// Running chains in one episode without reset: strict and continue modes, the feasibility check
// between steps, deterministic records, and one failure label per failed step decided from sim state.
import { afterAll, describe, expect, it } from 'vitest';
import { generateChains } from '../scenes/chains.ts';
import { findScene } from '../scenes/load.ts';
import type { ChainSpec, TaskSpec } from '../scenes/types.ts';
import { Env } from '../sim/env.ts';
import type { Policy } from '../sim/policy.ts';
import { ExpertPolicy } from '../policies/expert.ts';
import { runChain } from '../runner/chains/chain.ts';
import { runTask } from '../runner/chains/episode.ts';
import type { ChainRecord } from '../runner/results/records.ts';
import type { ChainObserver } from '../runner/view/recording.ts';
import { FAILURE_RULES } from '../runner/chains/failures.ts';

const kitchen = findScene('kitchen');
const chains = generateChains({ scene: kitchen, count: 4, seed: 1 });
const env = new Env();
afterAll(() => env.close());

const outcome = ({ wallMs: _w, latencyMs: _l, simMsPerStep: _s, ...rest }: ChainRecord) => rest;

/** A chain of hand-picked steps from the generated ones (the steps are tasks of the kitchen scene). */
function stepOf(pred: (t: TaskSpec) => boolean): TaskSpec {
  for (const c of generateChains({ scene: kitchen, count: 40, seed: 2 })) {
    const t = c.steps.find(pred);
    if (t) return t;
  }
  throw new Error('no such step generated');
}

describe('chain runner', () => {
  it('the expert runs a 10-step chain in one episode, and the same seeds give the same record', async () => {
    const expert = new ExpertPolicy(env.privileged);
    const opts = { runId: 't', mode: 'strict' as const, seed: 3, repeat: 0, policySeed: 3 };
    const a = await runChain(env, expert, chains[1], opts);
    expect(a.steps.map((s) => s.success)).toEqual(Array(10).fill(true));
    expect(a.tasks).toEqual(chains[1].steps.map((t) => t.name));
    expect(a.latencyMs.length).toBe(a.steps.reduce((n, s) => n + s.steps, 0));
    const b = await runChain(env, expert, chains[1], opts);
    expect(outcome(b)).toEqual(outcome(a));
  });

  it('strict mode stops at the first failure; continue mode goes on with the steps that are still possible', async () => {
    // The expert fails step 1 on purpose: a push of the butter that it gives up on 30% of the way. The
    // butter then moved but is not in its zone, and nothing else happened that a rule ranks higher
    // (checked below, control step by control step), so the one right label is wrong_place.
    const chain = chains[1];
    const push = chain.steps[1];
    expect(push.type).toBe('push_to_region');
    const mover = String(push.goal[1]);
    const expert = new ExpertPolicy(env.privileged, { sabotageStep: (s) => s.step === 1 });
    let moverStart: number[] = [];
    let current = -1;
    const seen = { unstable: 0, penetrating: 0, ikStreak: 0, longestIkStreak: 0, graspedOther: 0 };
    const watch: ChainObserver = {
      begin: () => {},
      stepStart: (j) => {
        current = j;
        if (j === 1) moverStart = env.world.objectPose(mover).pos;
      },
      controlStep: (info) => {
        if (current !== 1) return;
        if (info.health.unstable.length) seen.unstable++;
        if (info.penetrations.length) seen.penetrating++;
        seen.ikStreak = info.ik.posErr > FAILURE_RULES.unreachableErr && !info.ik.converged ? seen.ikStreak + 1 : 0;
        seen.longestIkStreak = Math.max(seen.longestIkStreak, seen.ikStreak);
        for (const id of env.world.graspedObjects()) if (!push.objectsOfInterest.includes(id)) seen.graspedOther++;
      },
      stepEnd: () => {},
    };
    const strict = await runChain(env, expert, chain, { runId: 't', mode: 'strict', seed: 3, repeat: 0, policySeed: 3, recorder: watch });
    expect(strict.steps.map((s) => s.success)).toEqual([true, false]);
    expect(strict.length).toBe(10);
    // The world as step 1 left it (strict mode stopped there): the evidence that decides the label.
    const moved = env.world.objectPose(mover).pos;
    expect(Math.hypot(moved[0] - moverStart[0], moved[1] - moverStart[1])).toBeGreaterThan(FAILURE_RULES.pushMoved);
    expect(env.holds(push.goal)).toBe(false);
    expect(strict.steps[1].disturbed).toBeUndefined();
    expect(seen).toMatchObject({ unstable: 0, penetrating: 0, graspedOther: 0 });
    expect(seen.longestIkStreak).toBeLessThan(FAILURE_RULES.unreachableSteps);
    expect(strict.steps[1].failure).toBe('wrong_place');
    // Continue mode: the same failure, then every later step is still possible and the expert does it.
    const cont = await runChain(env, expert, chain, { runId: 't', mode: 'continue', seed: 3, repeat: 0, policySeed: 3 });
    expect(cont.steps).toHaveLength(10);
    expect(cont.steps.map((s) => s.failure ?? (s.success ? 'ok' : 'unlabelled'))).toEqual(['ok', 'wrong_place', ...Array(8).fill('ok')]);
  });
});

describe('failure labels from simulator state', () => {
  const run = async (policy: Policy, task: TaskSpec, seed = 5) => {
    await env.reset({ seed, task });
    return runTask(env, policy, task, { policySeed: seed });
  };
  const pick = stepOf((t) => t.type === 'pick_place' && (t.goal as string[])[1] === 'soup');

  it('a drop in transit is slip_drop', async () => {
    const r = await run(new ExpertPolicy(env.privileged, { sabotage: true }), pick);
    expect(r).toMatchObject({ success: false, failure: 'slip_drop' });
  });

  it('a grasp beside the object is grasp_miss', async () => {
    const off = new ExpertPolicy(env.privileged, { perturbGrasp: (t) => ({ ...t, pos: [t.pos[0] + 0.09, t.pos[1], t.pos[2]] }) });
    const r = await run(off, pick);
    expect(r).toMatchObject({ success: false, failure: 'grasp_miss' });
  });

  it('taking another object is wrong_object', async () => {
    const expert = new ExpertPolicy(env.privileged);
    const other: Policy = {
      id: 'confused',
      reset: (s) => expert.reset({ ...s, task: { ...s.task, goal: ['On', 'red_block', 'plate'] } }),
      act: (o) => expert.act(o),
    };
    const r = await run(other, pick);
    expect(r).toMatchObject({ success: false, failure: 'wrong_object' });
  });

  it('an exception or a NaN action is policy_error; doing nothing is timeout_no_progress', async () => {
    const thrower: Policy = { id: 'x', reset: () => {}, act: () => { throw new Error('boom'); } };
    expect(await run(thrower, pick)).toMatchObject({ success: false, failure: 'policy_error', error: 'boom', steps: 0 });
    const nan: Policy = { id: 'x', reset: () => {}, act: () => [NaN, 0, 0, 0, 0, 0, 0] };
    expect(await run(nan, pick)).toMatchObject({ success: false, failure: 'policy_error' });
    const idle: Policy = { id: 'x', reset: () => {}, act: () => [0, 0, 0, 0, 0, 0, -1] };
    const r = await run(idle, stepOf((t) => t.type === 'open_drawer'));
    expect(r).toMatchObject({ success: false, failure: 'timeout_no_progress', steps: 250 });
  });

  it('a step whose object an earlier step knocked off the table is precondition_broken and not attempted', async () => {
    const chain: ChainSpec = { name: 'c', scene: 'kitchen', init: [], steps: [stepOf((t) => t.type === 'press_button'), pick] };
    let pushed = false;
    const expert = new ExpertPolicy(env.privileged);
    const clumsy: Policy = {
      id: 'clumsy',
      reset: (s) => expert.reset(s),
      act: (o) => {
        // While pressing the button, the soup can ends up on the floor (as if swept off the table).
        if (!pushed) {
          env.world.body('soup').setTranslation({ x: 0.5, y: -0.7, z: -0.5 }, true);
          pushed = true;
        }
        return expert.act(o);
      },
    };
    const r = await runChain(env, clumsy, chain, { runId: 't', mode: 'continue', seed: 5, repeat: 0, policySeed: 5 });
    expect(r.steps[0].success).toBe(true);
    expect(r.steps[1]).toMatchObject({ success: false, failure: 'precondition_broken', steps: 0 });
    expect(r.steps[1].note).toMatch(/"soup" is lost/);
  });
});
