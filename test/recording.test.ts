// Chain trajectories: `record: 'all' | 'failures'` writes one msgpack file per chain run, readable back
// with poses at >= 10 Hz, step boundaries, instructions and outcomes; recording changes no result.
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runChains } from '../runner/chains/run.ts';
import { parseSweepSpec, runSweep } from '../runner/sweep/sweep.ts';
import { readRecording, recordingPath } from '../runner/view/recording.ts';
import { CONTROL_HZ } from '../sim/world.ts';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'chaingap-rec-'));

describe('recording chain trajectories', () => {
  it('all: every chain run is written, read back with its frames, steps and outcomes; the records are those of an unrecorded run', async () => {
    const base = { policy: 'expert', chains: 2, steps: 3, seed: 4, baselineEpisodes: 1, log: () => {} };
    const plain = await runChains({ ...base, out: path.join(tmp(), 'plain') });
    const out = path.join(tmp(), 'rec');
    const rec = await runChains({ ...base, out, record: 'all' });
    expect(rec.recordings.written).toBe(2);
    expect(rec.recordings.meanBytes).toBeGreaterThan(1000);
    expect(rec.summary.S).toEqual(plain.summary.S);
    const lines = fs.readFileSync(path.join(out, 'records.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    for (const c of lines) {
      const r = readRecording(recordingPath(out, c.chainId, c.repeat));
      expect(r.chainId).toBe(c.chainId);
      expect(r.steps.map((s) => [s.task, s.success])).toEqual(c.steps.map((s: { task: string; success: boolean }) => [s.task, s.success]));
      const frames = r.t.length;
      expect(r.q.length).toBe(7 * frames);
      expect(r.pos.length).toBe(3 * r.objects.length * frames);
      expect(r.quat.length).toBe(4 * r.objects.length * frames);
      // At least 10 Hz: no gap between frames longer than 2 control steps.
      for (let i = 1; i < frames; i++) expect(r.t[i] - r.t[i - 1]).toBeLessThanOrEqual(CONTROL_HZ / 10);
      const controlSteps = c.steps.reduce((n: number, s: { steps: number }) => n + s.steps, 0);
      expect(r.t[frames - 1]).toBe(controlSteps);
      // Steps follow each other; instructions are what the policy was told.
      r.steps.forEach((s, i) => {
        expect(s.endFrame).toBeGreaterThan(s.startFrame);
        if (i > 0) expect(s.startFrame).toBe(r.steps[i - 1].endFrame);
        expect(s.instruction.length).toBeGreaterThan(3);
      });
      // Quaternions are unit length after dequantisation.
      for (let i = 0; i < r.quat.length; i += 4) {
        expect(Math.abs(Math.hypot(r.quat[i], r.quat[i + 1], r.quat[i + 2], r.quat[i + 3]) - 1)).toBeLessThan(1e-3);
      }
    }
  });

  it('failures: only chain runs with a failed step are written', async () => {
    const out = tmp();
    const r = await runChains({ out, policy: 'noisy-expert:0.3', chains: 3, steps: 2, seed: 2, baselineEpisodes: 1, record: 'failures', log: () => {} });
    const lines = fs.readFileSync(path.join(out, 'records.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const failed = lines.filter((c) => c.steps.some((s: { success: boolean }) => !s.success));
    expect(failed.length).toBeGreaterThan(0);
    expect(r.recordings.written).toBe(failed.length);
    for (const c of lines) expect(fs.existsSync(recordingPath(out, c.chainId, c.repeat))).toBe(failed.includes(c));
    const one = readRecording(recordingPath(out, failed[0].chainId, failed[0].repeat));
    expect(one.steps.some((s) => !s.success && s.failure)).toBe(true);
  });

  it('sweeps record in each cell, on worker threads as in-process, and the results are those of an unrecorded sweep', async () => {
    const spec = parseSweepSpec({ name: 'rec', policies: ['noisy-expert:0.3'], axes: { clutter: [1] }, chains: 2, steps: 2, baselineEpisodes: 1, seed: 3 }, 'rec.json');
    const plain = await runSweep(spec, { out: tmp(), workers: 1 });
    for (const workers of [1, 2]) {
      const out = tmp();
      const r = await runSweep(spec, { out, workers, record: 'all' });
      expect(r.recordings.written).toBe(4); // 2 chains x 2 settings
      expect(r.cells.map((c) => c.summary.S)).toEqual(plain.cells.map((c) => c.summary.S));
      for (const cell of r.cells) {
        const dir = path.join(out, cell.dir);
        const lines = fs.readFileSync(path.join(dir, 'records.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
        for (const c of lines) {
          const rec = readRecording(recordingPath(dir, c.chainId, c.repeat));
          expect(rec.steps.map((s) => [s.task, s.success])).toEqual(c.steps.map((s: { task: string; success: boolean }) => [s.task, s.success]));
          // The sweep's report.html links this chain run to the viewer.
          const html = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
          expect(html).toContain(`?run=${c.runId}&amp;chain=${c.chainId}&amp;repeat=${c.repeat}`);
        }
      }
    }
  });

  it('an unknown mode is refused with the choices', async () => {
    await expect(runChains({ out: tmp(), policy: 'expert', chains: 1, steps: 1, record: 'some' as never, log: () => {} })).rejects.toThrow(/none, failures, all/);
  });
});
