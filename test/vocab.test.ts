// A trained policy's instruction vocabulary encodes exactly as the ONNX host's word tokenizer will
// encode it from the shipped vocab.json, including unknown words and padding.
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildVocab, encodeWords, PAD_ID, UNK_ID } from '../policies/train/vocab.ts';
import { instructionEncoder } from '../policies/tokenizer.ts';

describe('training vocabulary', () => {
  it('is deterministic and encodes as the host does from vocab.json', () => {
    const train = ['Put the red block on the plate', 'stack the blue block on the red block', 'press the button'];
    const v = buildVocab(train);
    expect(buildVocab([...train].reverse())).toEqual(v);
    expect(v.the).toBeGreaterThan(UNK_ID);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chaingap-vocab-'));
    fs.writeFileSync(path.join(dir, 'vocab.json'), JSON.stringify(v));
    const host = instructionEncoder({ name: 'instruction', kind: 'instruction', shape: [1, 8], dtype: 'int64', tokenizer: { type: 'word', vocab: 'vocab.json', lowercase: true, pad: PAD_ID, unk: UNK_ID } } as never, dir, path.join(dir, 'manifest.json'));
    for (const t of [...train, 'put the green mug in the drawer, please', 'a very long instruction with more words than the input has room for']) {
      expect(encodeWords(v, t, 8)).toEqual(host.encode(t));
    }
    expect(encodeWords(v, 'press the button', 8)).toEqual([v.press, v.the, v.button, 0, 0, 0, 0, 0]);
    expect(encodeWords(v, 'press the zebra', 4)).toEqual([v.press, v.the, UNK_ID, PAD_ID]);
  });
});
