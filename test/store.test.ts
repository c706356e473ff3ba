// The results store: appended records survive reopening, a torn last line is cut and redone,
// damage elsewhere and a different config are refused without touching the files.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ResultsError, ResultsStore, recordKey } from '../runner/results/store.ts';
import type { ChainRecord } from '../runner/results/records.ts';

const rec = (chainId: string, repeat = 0): ChainRecord => ({
  runId: 'r', chainId, seed: 1, repeat, policySeed: repeat, ood: {}, policy: 'expert', mode: 'strict', length: 1, tasks: ['t'],
  steps: [{ index: 0, task: 't', paraphrase: 0, success: true, steps: 5 }], latencyMs: [0.1], simMsPerStep: [0.2], wallMs: 10,
});
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'chaingap-store-'));
const config = { policy: 'expert', chains: 3 };

describe('results store', () => {
  it('records persist across reopening and are not written twice', () => {
    const dir = tmp();
    const { store } = ResultsStore.open(dir, config);
    store.append(rec('a'));
    store.append(rec('a', 1));
    expect(() => store.append(rec('a'))).toThrow(ResultsError);
    store.close();
    const { store: again, tornBytes } = ResultsStore.open(dir, config);
    expect(tornBytes).toBe(0);
    expect(again.all().map(recordKey)).toEqual(['a#0', 'a#1']);
    expect(again.has('a#1')).toBe(true);
    expect(again.has('b#0')).toBe(false);
    again.close();
  });

  it('a torn trailing record is cut off so the chain is redone, never half-counted', () => {
    const dir = tmp();
    const { store } = ResultsStore.open(dir, config);
    store.append(rec('a'));
    store.close();
    const file = path.join(dir, 'records.jsonl');
    fs.appendFileSync(file, JSON.stringify(rec('b')).slice(0, 40));
    const { store: again, tornBytes } = ResultsStore.open(dir, config);
    expect(tornBytes).toBe(40);
    expect(again.has('b#0')).toBe(false);
    again.append(rec('b'));
    again.close();
    expect(fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l).chainId)).toEqual(['a', 'b']);
  });

  it('damage before the last line and another config are errors that leave the files alone', () => {
    const dir = tmp();
    const { store } = ResultsStore.open(dir, config);
    store.append(rec('a'));
    store.append(rec('b'));
    store.close();
    const file = path.join(dir, 'records.jsonl');
    expect(() => ResultsStore.open(dir, { ...config, chains: 4 })).toThrow(/field chains differs/);
    const text = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, '{oops\n' + text.split('\n').slice(1).join('\n'));
    const before = fs.readFileSync(file, 'utf8');
    expect(() => ResultsStore.open(dir, config)).toThrow(/line 1 is not valid JSON/);
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
  });
});
