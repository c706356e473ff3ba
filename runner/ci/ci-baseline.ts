// The reference a CI job compares with: the counts (successes / trials) of every metric of an earlier
// run of the job, written only by `chaingap ci --update-baseline`. Counts, not rates, so the tests
// know each sample's size; every metric is kept, so comparing more metrics later needs no new file.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { writeDurably } from '../results/store.ts';
import { CiConfigError } from './ci-config.ts';
import { readJsonFile } from '../../scenes/json.ts';
import { SpecError } from '../../scenes/errors.ts';

export const CI_BASELINE_FORMAT = 'chaingap-ci-baseline/1';

const CountsSchema = z.strictObject({ successes: z.number().int().min(0), trials: z.number().int().min(0) })
  .refine((c) => c.successes <= c.trials, { error: 'successes must not exceed trials' });

export const CiBaselineSchema = z.strictObject({
  format: z.literal(CI_BASELINE_FORMAT),
  /** The job's name when it was recorded. */
  name: z.string(),
  policy: z.string(),
  /** ONNX policies: the model's fingerprint. */
  policyModel: z.string().optional(),
  /** Hash of what decides the job's results (suites, seeds, settings, repeats, mode, baseline episodes). */
  job: z.string(),
  /** ISO time of recording. */
  recorded: z.string(),
  chaingap: z.string(),
  /** `<suite>/<setting>/<metric>` (setting `controlled`, `clutter=0.5`, ..., or `isolated`) -> counts. */
  metrics: z.record(z.string(), CountsSchema),
});
export type CiBaseline = z.output<typeof CiBaselineSchema>;

/** Read a reference file; a missing or malformed file is a config error naming the config's `baseline` field. */
export function readCiBaseline(file: string, configFile: string): CiBaseline {
  if (!existsSync(file)) {
    throw new CiConfigError(`${configFile}: baseline: ${file} does not exist; record one on a known-good commit with \`chaingap ci --config ${configFile} --update-baseline\` and commit it`);
  }
  try {
    return readJsonFile(file, CiBaselineSchema, { what: 'a reference file written by `chaingap ci --update-baseline`' });
  } catch (e) {
    if (!(e instanceof SpecError)) throw e;
    throw new CiConfigError(`${configFile}: baseline: ${e.message}; it was not written by \`chaingap ci --update-baseline\` of this version: write it again with that command`);
  }
}

export function writeCiBaseline(file: string, b: CiBaseline): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeDurably(file, JSON.stringify(b, null, 2) + '\n');
}
