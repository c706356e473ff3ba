// `runChains` with a policy given as code (a TypeScript policy, not a spec string): it gets the same
// baseline, reports and resume as a built-in one, under the name it is given.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { ExpertPolicy } from '../policies/expert.ts';
import { planRun, runChains, type RunOptions } from '../runner/chains/run.ts';
import { UserError } from '../scenes/errors.ts';
import type { Policy } from '../sim/policy.ts';

it('a policy factory gets records, reports and resume; a second call runs nothing', async () => {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'chaingap-code-')), 'run');
  let made = 0;
  const o: RunOptions = {
    out, chains: 2, steps: 2, baselineEpisodes: 1, policyName: 'my-expert', log: () => {},
    policy: (s) => {
      made++;
      return new ExpertPolicy(s);
    },
  };
  const first = await runChains(o);
  expect(made).toBe(1);
  expect(first.summary.policy).toBe('my-expert');
  expect(first.stopped).toBe(0);
  expect(first.chainRuns).toEqual({ recorded: 2, total: 2 });
  const records = fs.readFileSync(path.join(out, 'records.jsonl'), 'utf8').trim().split('\n');
  expect(records).toHaveLength(2);
  const episodes = fs.readFileSync(path.join(out, 'baseline.jsonl'), 'utf8').trim().split('\n').length;
  expect(episodes).toBeGreaterThan(0);
  for (const f of Object.values(first.files)) expect(fs.existsSync(f), f).toBe(true);
  expect(JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8'))).toMatchObject({ policy: 'my-expert', policyCode: true });

  const second = await runChains(o);
  expect(made).toBe(1); // nothing to run: the policy is not even made
  expect(second.resumed.chains).toBe(2);
  expect(second.resumed.baseline).toBe(episodes);
  expect(fs.readFileSync(path.join(out, 'records.jsonl'), 'utf8').trim().split('\n')).toEqual(records);
});

it('a Policy object is named by its id, or by policyName; without either it is a UserError', () => {
  const still: Policy = { id: 'still', reset: () => {}, act: () => [0, 0, 0, 0, 0, 0, -1] };
  const base = { out: '', chains: 1, steps: 1 };
  expect(planRun({ ...base, policy: still }).config).toMatchObject({ policy: 'still', policyCode: true });
  expect(planRun({ ...base, policy: still, policyName: 'still-v2' }).config.policy).toBe('still-v2');
  expect(planRun({ ...base, policy: 'expert' }).config).not.toHaveProperty('policyCode');
  const anonymous = { reset: () => {}, act: () => [0, 0, 0, 0, 0, 0, -1] } as unknown as Policy;
  expect(() => planRun({ ...base, policy: anonymous })).toThrow(UserError);
  expect(() => planRun({ ...base, policy: anonymous })).toThrow(/policyName/);
  expect(() => planRun({ ...base, policy: (s) => new ExpertPolicy(s) })).toThrow(/policyName/);
});

it('runSweep takes code policies by the name the spec lists them under, in this thread, and resumes', async () => {
  const { SweepSpecSchema, runSweep } = await import('../runner/sweep/sweep.ts');
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'chaingap-code-sweep-'));
  const spec = SweepSpecSchema.parse({ name: 'code', policies: ['mine'], chains: 1, steps: 1, baselineEpisodes: 1 });
  const notes: string[] = [];
  const o = { out, workers: 2, log: (l: string) => notes.push(l), policies: { mine: (s: import('../sim/privileged.ts').PrivilegedState) => new ExpertPolicy(s) } };
  const first = await runSweep(spec, o);
  expect(notes.join('\n')).toMatch(/workers 1/);
  expect(first.cells.map((c) => c.policy)).toEqual(['mine']);
  expect(first.ran).toBeGreaterThan(0);
  expect(fs.existsSync(first.files!.reportHtml)).toBe(true);
  const second = await runSweep(spec, o);
  expect(second.ran).toBe(0);
  expect(second.resumed).toBe(first.ran);
});
