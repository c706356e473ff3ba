// Instruction encoding for ONNX policies: the token ids a model's instruction input takes, from the
// tokenizer shipped beside the model — a word-level vocabulary (JSON word -> id) or a Hugging Face
// `tokenizer.json` read with @huggingface/tokenizers. Ids are truncated or padded to the input's length.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import type { InstructionInputSpec } from './onnx-manifest.ts';
import { PolicyError } from './policy-error.ts';

export interface InstructionEncoder {
  /** Exactly `length` ids for `text`. */
  encode(text: string): number[];
  readonly length: number;
}

function readJson(file: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new PolicyError(`${file}: ${what} not found; ship it beside the manifest or fix the path in the manifest`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new PolicyError(`${file}: ${what} is not valid JSON: ${(e as Error).message}`);
  }
}

const fit = (ids: number[], length: number, pad: number) => (ids.length >= length ? ids.slice(0, length) : [...ids, ...Array(length - ids.length).fill(pad)]);

/** Words of a text as the word-level tokenizer splits them: runs of letters and digits. */
export function words(text: string, lowercase: boolean): string[] {
  return (lowercase ? text.toLowerCase() : text).split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

/** The encoder an instruction input describes; files are resolved against the manifest's folder. */
export function instructionEncoder(spec: InstructionInputSpec, dir: string, manifestFile: string): InstructionEncoder {
  const length = spec.shape[1];
  if (typeof length !== 'number') throw new PolicyError(`${manifestFile}: inputs "${spec.name}".shape[1]: the token count must be a fixed number`);
  const tk = spec.tokenizer;
  if (tk.type === 'word') {
    const file = path.join(dir, tk.vocab);
    const vocab = readJson(file, 'the vocabulary');
    if (!vocab || typeof vocab !== 'object' || Array.isArray(vocab) || !Object.values(vocab).every((v) => Number.isInteger(v))) {
      throw new PolicyError(`${file}: a word vocabulary must be a JSON object of word -> integer id`);
    }
    const ids = new Map(Object.entries(vocab as Record<string, number>));
    return { length, encode: (text) => fit(words(text, tk.lowercase).map((w) => ids.get(w) ?? tk.unk), length, tk.pad) };
  }
  const file = path.join(dir, tk.file);
  const json = readJson(file, 'the tokenizer');
  const config = tk.config ? readJson(path.join(dir, tk.config), 'the tokenizer config') : {};
  let tokenizer: Tokenizer;
  try {
    tokenizer = new Tokenizer(json as object, config as object);
  } catch (e) {
    throw new PolicyError(`${file}: @huggingface/tokenizers cannot read this tokenizer.json: ${(e as Error).message}`);
  }
  return {
    length,
    encode: (text) => {
      const ids: number[] = tokenizer.encode(text).ids;
      if (ids.some((x) => !Number.isInteger(x))) throw new Error(`${file}: the tokenizer gave no id for a token of ${JSON.stringify(text)} (does its model define an unk_token?)`);
      return fit(ids, length, tk.pad);
    },
  };
}
