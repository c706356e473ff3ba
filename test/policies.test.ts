// Calibration policies and the policy registry: bernoulli:<p> succeeds or fails on purpose from a
// seeded coin (and the failures are physical), noisy-expert:<sigma> is reproducible from its seed,
// and bad policy specs are refused with messages that name the problem.
import { afterAll, describe, expect, it } from 'vitest';
import { Env } from '../sim/env.ts';
import type { Observation, Policy } from '../sim/policy.ts';
import { ExpertPolicy } from '../policies/expert.ts';
import { BernoulliPolicy, bernoulliCoin } from '../policies/bernoulli.ts';
import { NoisyExpertPolicy } from '../policies/noisy-expert.ts';
import { listPolicies, parsePolicy, PolicyError } from '../policies/registry.ts';
import { runEpisode } from '../runner/chains/episode.ts';
import { findTask } from '../scenes/load.ts';

const TASKS = ['tabletop_soup_on_plate', 'cabinet_open_drawer', 'microwave_open_door', 'cabinet_press_button', 'tabletop_push_butter_left'];

/** Wraps a policy to record its actions and to look at the world before each one. */
function recording(inner: Policy, each?: () => void): Policy & { actions: number[][] } {
  const actions: number[][] = [];
  return {
    id: inner.id,
    actions,
    reset: (s) => { actions.length = 0; return inner.reset(s); },
    act: async (obs: Observation) => {
      each?.();
      const a = Array.from(await inner.act(obs));
      actions.push(a);
      return a;
    },
  };
}

describe('bernoulli and sabotage', () => {
  const env = new Env();
  afterAll(() => env.close());

  it('bernoulli:1 succeeds on the shipped tasks', async () => {
    const policy = new BernoulliPolicy(env.privileged, 1);
    expect(policy.id).toBe('bernoulli:1');
    for (const name of TASKS) {
      const r = await runEpisode(env, policy, findTask(name), 11);
      expect(policy.sabotaged).toBe(false);
      expect(r.success, `${name} failed`).toBe(true);
    }
  });

  it('a sabotaged expert fails each task physically; a dropped object ends up loose and far from the plate', async () => {
    const expert = new ExpertPolicy(env.privileged, { sabotageStep: () => true });
    for (const name of TASKS) {
      const task = findTask(name);
      let soupTop = 0;
      const policy = recording(expert, () => {
        if (name === 'tabletop_soup_on_plate') soupTop = Math.max(soupTop, env.privileged.object('soup').pos[2]);
      });
      const r = await runEpisode(env, policy, task, 11);
      expect(expert.sabotaged).toBe(true);
      expect(r.success, `${name} succeeded although sabotaged`).toBe(false);
      expect(r.steps).toBe(task.maxSteps);
      expect(r.error).toBeUndefined();
      if (name === 'tabletop_soup_on_plate') {
        const soup = env.privileged.object('soup');
        const plate = env.privileged.object('plate');
        expect(soupTop, 'the soup was lifted before it fell').toBeGreaterThan(0.04);
        expect(env.holds(['Grasped', 'soup'])).toBe(false);
        expect(soup.pos[2], 'the soup is back down on the table').toBeLessThan(0.05);
        expect(Math.hypot(...soup.linvel), 'and at rest').toBeLessThan(0.02);
        expect(env.holds(['Upright', 'soup'])).toBe(true);
        expect(Math.hypot(soup.pos[0] - plate.pos[0], soup.pos[1] - plate.pos[1])).toBeGreaterThan(0.12);
      }
      if (name === 'cabinet_open_drawer') expect(env.privileged.fixture('cabinet').value).toBeLessThan(0.12);
    }
  });

  it('the coin depends only on (seed, step, p) and is Bernoulli(p) over steps', async () => {
    const coins = (seed: number) => Array.from({ length: 200 }, (_, step) => bernoulliCoin(seed, step, 0.9));
    const a = coins(42);
    const share = a.filter(Boolean).length / a.length;
    // Binomial(200, 0.9): sd 2.1 percentage points; +-4 sd.
    expect(share).toBeGreaterThan(0.81);
    expect(share).toBeLessThan(0.99);
    expect(coins(42)).toEqual(a);
    expect(coins(43)).not.toEqual(a);
    // The policy's decision at reset is the coin's.
    const policy = new BernoulliPolicy(env.privileged, 0.9);
    const task = findTask('cabinet_press_button');
    await env.reset({ seed: 0, task });
    for (let step = 0; step < 20; step++) {
      policy.reset({ seed: 42, step, task, instruction: task.instruction, actionMode: 'delta_ee' });
      expect(policy.sabotaged).toBe(!a[step]);
    }
  });
});

describe('noisy expert', () => {
  const task = findTask('tabletop_soup_on_plate');

  async function actions(make: (env: Env) => Policy, seed: number): Promise<number[][]> {
    const env = new Env();
    const policy = recording(make(env));
    await runEpisode(env, policy, { ...task, maxSteps: 300 }, seed);
    env.close();
    return policy.actions;
  }

  it('the same seed gives the same actions, another seed other ones', async () => {
    const a = await actions((env) => new NoisyExpertPolicy(env.privileged, 0.5), 3);
    const b = await actions((env) => new NoisyExpertPolicy(env.privileged, 0.5), 3);
    expect(a.length).toBeGreaterThan(100);
    expect(b).toEqual(a);
    for (const x of a) for (const v of x) expect(Math.abs(v)).toBeLessThanOrEqual(1);
    const c = await actions((env) => new NoisyExpertPolicy(env.privileged, 0.5), 4);
    expect(c.slice(0, 50)).not.toEqual(a.slice(0, 50));
  });

  it('sigma = 0 is the plain expert, action for action', async () => {
    const plain = await actions((env) => new ExpertPolicy(env.privileged), 5);
    const zero = await actions((env) => new NoisyExpertPolicy(env.privileged, 0), 5);
    expect(plain.length).toBeGreaterThan(50);
    expect(zero).toEqual(plain);
  });
});

describe('policy registry', () => {
  it('parses the known specs', () => {
    expect(parsePolicy('expert').id).toBe('expert');
    expect(parsePolicy('bernoulli:0.95').id).toBe('bernoulli:0.95');
    expect(parsePolicy('bernoulli:1').id).toBe('bernoulli:1');
    expect(parsePolicy('noisy-expert:0.3').id).toBe('noisy-expert:0.3');
    expect(listPolicies().map((p) => p.name)).toEqual(['expert', 'bernoulli', 'noisy-expert', 'onnx', 'ws']);
    for (const p of listPolicies()) expect(p.description.length).toBeGreaterThan(10);
  });

  it('makes policies that carry the spec id', async () => {
    const env = new Env();
    expect((await parsePolicy('bernoulli:0.5').open()).make(env.privileged).id).toBe('bernoulli:0.5');
    const host = await parsePolicy('noisy-expert:0.1').open();
    expect(host.cameras).toEqual([]);
    expect(host.make(env.privileged)).toBeInstanceOf(NoisyExpertPolicy);
    env.close();
  });

  it('refuses bad specs, naming the problem and the fix', () => {
    const err = (spec: string) => {
      try {
        parsePolicy(spec);
      } catch (e) {
        expect(e).toBeInstanceOf(PolicyError);
        return (e as Error).message;
      }
      throw new Error(`${spec} was accepted`);
    };
    expect(err('bogus')).toMatch(/unknown policy "bogus".*known policies: expert, bernoulli:<p>, noisy-expert:<sigma>, onnx:<model.onnx>, ws:\/\/<host>:<port>/);
    expect(err('bernouli:0.9')).toMatch(/did you mean "bernoulli"/);
    expect(err('bernoulli:1.5')).toBe('bernoulli:1.5: p must be a number in [0, 1], e.g. bernoulli:0.95 (got "1.5")');
    expect(err('bernoulli')).toMatch(/missing parameter: p must be a number in \[0, 1\], e.g. bernoulli:0.95/);
    expect(err('bernoulli:abc')).toMatch(/p must be a number in \[0, 1\]/);
    expect(err('noisy-expert:-1')).toMatch(/noisy-expert:-1: sigma must be a number >= 0, e.g. noisy-expert:0.3/);
    expect(err('noisy-expert:NaN')).toMatch(/sigma must be a number >= 0/);
    expect(err('expert:2')).toMatch(/takes no parameter/);
  });
});
