// The instruction vocabulary a trained policy ships with: every word of the training instructions,
// split exactly as the ONNX host's word tokenizer splits them (policies/tokenizer.ts `words`), sorted,
// after two reserved ids (0 padding, 1 unknown word). Written as vocab.json (word -> id) beside the
// model; the manifest's instruction input names it with `{ type: 'word', vocab, lowercase, pad, unk }`.
import { words } from '../tokenizer.ts';

export const PAD_ID = 0;
export const UNK_ID = 1;
/** Reserved entries: a real word can never be one (they contain characters `words` splits on). */
const PAD = '<pad>', UNK = '<unk>';

export function buildVocab(instructions: Iterable<string>, lowercase = true): Record<string, number> {
  const all = new Set<string>();
  for (const t of instructions) for (const w of words(t, lowercase)) all.add(w);
  const vocab: Record<string, number> = { [PAD]: PAD_ID, [UNK]: UNK_ID };
  [...all].sort().forEach((w, i) => { vocab[w] = i + 2; });
  return vocab;
}

/** Token ids of `text`, padded or cut to `length` (what the host's encoder gives for the same vocabulary). */
export function encodeWords(vocab: Record<string, number>, text: string, length: number, lowercase = true): number[] {
  const ids = words(text, lowercase).map((w) => vocab[w] ?? UNK_ID);
  return ids.length >= length ? ids.slice(0, length) : [...ids, ...Array(length - ids.length).fill(PAD_ID)];
}
