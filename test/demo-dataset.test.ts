// Reading a LeRobot dataset back for training: one sample per frame with both images at the model's
// size, the state, the episode's instruction and the next actions as a chunk, padded (and marked) past
// the episode's end; clear errors for a folder that is not a dataset or lacks a feature.
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { collectDemos } from '../runner/data/collect.ts';
import { readDemoDataset } from '../policies/train/demo-dataset.ts';

describe('readDemoDataset', () => {
  it('gives every frame with its images, state, instruction and padded action chunk', async () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'chaingap-dd-')), 'ds');
    const r = await collectDemos({ out, chains: 1, steps: 2, seed: 3, size: 48 });
    const { samples, tasks } = await readDemoDataset(out, { size: 32, horizon: 4 });
    expect(samples.length).toBe(r.frames);
    const episodes = fs.readFileSync(path.join(out, 'meta/episodes.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    let k = 0;
    for (const e of episodes) {
      const mine = samples.slice(k, k + e.length);
      k += e.length;
      expect(mine.map((s) => s.frame)).toEqual(Array.from({ length: e.length }, (_, i) => i));
      expect(new Set(mine.map((s) => s.instruction))).toEqual(new Set(e.tasks));
      for (const s of mine) {
        expect(s.image.length).toBe(32 * 32 * 3);
        expect(s.wristImage.length).toBe(32 * 32 * 3);
        expect(s.state.length).toBe(8);
        expect(s.actions.length).toBe(4 * 7);
      }
      // Chunk row h of frame i is frame i + h's action; past the end, the last action, marked as padding.
      for (let i = 0; i + 1 < mine.length; i++) expect(Array.from(mine[i].actions.subarray(7, 14))).toEqual(Array.from(mine[i + 1].actions.subarray(0, 7)));
      const last = mine[mine.length - 1];
      expect(last.pad).toEqual([false, true, true, true]);
      expect(Array.from(last.actions.subarray(21, 28))).toEqual(Array.from(last.actions.subarray(0, 7)));
      expect(mine[0].pad).toEqual([false, false, false, false]);
    }
    expect(tasks.length).toBeGreaterThan(0);
    await expect(readDemoDataset(path.dirname(out))).rejects.toThrow(/no meta\/info\.json/);
    await expect(readDemoDataset(out, { keys: { state: 'observation.joints' } })).rejects.toThrow(/features has no "observation\.joints" \(state\)/);
  }, 60_000);
});
