// A run killed with SIGKILL at any moment and started again with the same command resumes and ends
// with the same results as an uninterrupted run: the child process is really killed, at several points.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { outcomeOf, type RunSummary } from '../runner/results/summary.ts';
import type { ChainRecord } from '../runner/results/records.ts';

const ARGS = ['run', '--policy', 'bernoulli:0.7', '--chains', '4', '--steps', '3', '--repeats', '2', '--baseline-episodes', '2', '--seed', '5', '--json'];
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'chaingap-resume-'));
const lines = (f: string) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8').split('\n').filter(Boolean).length : 0);

function runToEnd(out: string): RunSummary {
  const r = spawnSync(process.execPath, ['scripts/chaingap.mjs', ...ARGS, '--out', out], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

/** Start the run and SIGKILL it as soon as `when` holds (polled every 5 ms). */
function killWhen(out: string, when: () => boolean): Promise<'killed' | 'finished'> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['scripts/chaingap.mjs', ...ARGS, '--out', out], { stdio: 'ignore' });
    let done = false;
    const timer = setInterval(() => {
      if (!done && when()) {
        done = true;
        child.kill('SIGKILL');
      }
    }, 5);
    child.on('exit', (_code, signal) => {
      clearInterval(timer);
      resolve(signal === 'SIGKILL' ? 'killed' : 'finished');
    });
  });
}

/** Records without the fields that measure time. */
function outcomes(dir: string): unknown[] {
  return fs.readFileSync(path.join(dir, 'records.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => {
    const { latencyMs: _l, simMsPerStep: _s, wallMs: _w, ...rest } = JSON.parse(l) as ChainRecord;
    return rest;
  }).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
}

it('SIGKILL at several points, then the same command: same records and summary as an uninterrupted run', async () => {
  const whole = tmp();
  const reference = runToEnd(whole);
  expect(reference.chains).toBe(8);

  const dir = tmp();
  const records = path.join(dir, 'records.jsonl');
  const baseline = path.join(dir, 'baseline.jsonl');
  const t0 = Date.now();
  const kills = [
    await killWhen(dir, () => Date.now() - t0 > 400), // during start-up, before any record
    await killWhen(dir, () => lines(records) >= 2), // in the middle of the chains
    await killWhen(dir, () => lines(records) >= 6), // later in the chains
    await killWhen(dir, () => lines(baseline) >= 3), // in the baseline
  ];
  expect(kills.filter((k) => k === 'killed').length).toBeGreaterThanOrEqual(3);
  // A write cut short by a kill leaves a torn last line; make sure one is there and gets redone.
  fs.appendFileSync(baseline, '{"runId":"torn');
  const resumed = runToEnd(dir);

  expect(outcomes(dir)).toEqual(outcomes(whole));
  expect(outcomeOf(resumed)).toEqual(outcomeOf(reference));
  expect(lines(records)).toBe(8);
}, 240_000);

it('a run directory of another config is refused with exit 2 and left untouched', () => {
  const dir = tmp();
  runToEnd(dir);
  const before = fs.readFileSync(path.join(dir, 'records.jsonl'), 'utf8');
  const r = spawnSync(process.execPath, ['scripts/chaingap.mjs', ...ARGS.map((a) => (a === 'bernoulli:0.7' ? 'bernoulli:0.9' : a)), '--out', dir], { encoding: 'utf8' });
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/config\.json.*field policy differs/);
  expect(fs.readFileSync(path.join(dir, 'records.jsonl'), 'utf8')).toBe(before);
}, 120_000);
