// The CI job's config file (`chaingap.ci.json`): which policy, which seeded chains under which OOD
// settings, how many repeats and baseline episodes, the absolute floors, the reference (baseline)
// results to compare with, the significance level, the smallest drop worth failing on, and a time
// budget. Validated with zod; every error names the file and the field. Paths in the file are relative
// to the file.
import { UserError } from '../../scenes/errors.ts';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_CHAIN_STEPS } from '../../scenes/chains.ts';
import { OOD_AXES, activeLevels, type OodLevels } from '../../scenes/ood.ts';
import { TASK_TYPES } from '../../scenes/schema.ts';
import { ONNX_DEVICES } from '../../policies/onnx-model.ts';
import { parsePolicy, PolicyError } from '../../policies/registry.ts';
import { readJsonFile } from '../../scenes/json.ts';

/** A config file that cannot run: the message names the file, the field and what to do. */
export class CiConfigError extends UserError {}

const TYPE_METRIC = new RegExp(`^type:(${TASK_TYPES.join('|')})$`);
/** Metrics of a chain setting: compounded success `S_k`, and step success per task type `type:<t>`. */
const ChainMetric = z.string().refine((s) => /^S_[1-9][0-9]*$/.test(s) || TYPE_METRIC.test(s), {
  message: `a chain metric is S_<k> (k = 1..steps) or type:<task type> (${TASK_TYPES.join(', ')})`,
});
/** Metrics of the isolated-task baseline: pooled success `q`, and per task type `type:<t>`. */
const IsolatedMetric = z.string().refine((s) => s === 'q' || TYPE_METRIC.test(s), {
  message: `an isolated-task metric is q or type:<task type> (${TASK_TYPES.join(', ')})`,
});
const Rate = z.number({ error: 'must be a number in [0, 1]' }).min(0, { error: 'must be in [0, 1]' }).max(1, { error: 'must be in [0, 1]' });
const Levels = z.partialRecord(z.enum(OOD_AXES), Rate);

const SettingSchema = z.strictObject({
  /** OOD levels of this setting ({} is the controlled setting). */
  ood: Levels.default({}),
  /** Absolute floors on this setting's metrics, e.g. {"S_1": 0.9, "S_10": 0.5, "type:open_drawer": 0.8}. */
  floors: z.record(ChainMetric, Rate).default({}),
});

const SuiteSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, { error: 'a name of letters, digits, _ and - starting with a letter' }),
  /** Scene the chains are generated in (ignored with chainFile). */
  scene: z.string().default('kitchen'),
  /** A chain file (relative to the config) instead of generated chains. */
  chainFile: z.string().optional(),
  /** Number of generated chains. */
  chains: z.number().int().min(1).default(20),
  steps: z.number().int().min(1).max(50).default(DEFAULT_CHAIN_STEPS),
  /** Seed of the chains, their layouts and the policy's randomness: fixed, so a job is repeatable. */
  seed: z.number().int().min(0).default(0),
  /** The OOD settings the chains run under (default: the controlled setting only). */
  settings: z.array(SettingSchema).min(1).default([{ ood: {}, floors: {} }]),
  /** Floors on the isolated-task (LIBERO-style controlled) baseline of this suite's tasks. */
  isolatedFloors: z.record(IsolatedMetric, Rate).default({}),
});

export const CiConfigSchema = z.strictObject({
  /** Shown in reports and JUnit. */
  name: z.string().min(1).default('chaingap-ci'),
  /** Policy spec, as `run --policy` takes it. */
  policy: z.string().min(1),
  /** How to open a learned policy (the API key comes from $CHAINGAP_API_KEY, never from this file). */
  policyOptions: z.strictObject({
    device: z.enum(ONNX_DEVICES).optional(),
    timeoutMs: z.number().int().min(1).optional(),
    /** Observation preset of a remote policy: `libero`, `chaingap` or a JSON file. */
    preset: z.string().optional(),
    execute: z.number().int().min(1).optional(),
    ensembleDecay: z.number().min(0).nullable().optional(),
  }).default({}),
  suites: z.array(SuiteSchema).min(1),
  /** Runs of each chain with different policy seeds. */
  repeats: z.number().int().min(1).default(1),
  mode: z.enum(['strict', 'continue']).default('strict'),
  /** Isolated-task episodes per distinct task of the chains. */
  baselineEpisodes: z.number().int().min(1).default(10),
  /**
   * Metrics compared with the reference, per chain setting (`S_<k>`, `type:<t>`, `type:*` for every
   * type present, `S_N` for the last step) and for the isolated baseline (`q`, `isolated:type:<t>`).
   * Default: S_1, S_N, q.
   */
  compare: z.array(z.string()).optional(),
  /** Reference results (a file `--update-baseline` wrote); without it only the floors are checked. */
  baseline: z.string().optional(),
  /** Significance level of the whole family of comparisons (Holm-corrected). */
  alpha: z.number().gt(0, { error: 'must be in (0, 0.5]' }).max(0.5, { error: 'must be in (0, 0.5]' }).default(0.05),
  /** A drop smaller than this (absolute, e.g. 0.05 = 5 points) is never a regression, however significant. */
  minEffect: Rate.default(0.05),
  /** Power at which the minimum detectable effect is reported. */
  power: z.number().gt(0).lt(1).default(0.8),
  /** Multiple-comparison correction across the job's tests (significant floors and comparisons). */
  correction: z.enum(['holm', 'none']).default('holm'),
  /**
   * significant: a floor is broken only when the rate is significantly below it (one-sided exact
   * binomial test at alpha, in the Holm family); estimate: whenever the observed rate is below it.
   */
  floorRule: z.enum(['significant', 'estimate']).default('significant'),
  /** Wall-clock budget; when it runs out no new unit is started and the job ends with exit 2. */
  timeBudgetMinutes: z.number().gt(0).default(30),
  /** Worker threads (default: 2). */
  workers: z.number().int().min(1).default(2),
  /** Results directory, relative to the config (resumed when it holds this job). */
  out: z.string().default('chaingap-ci'),
});
export type CiConfig = z.output<typeof CiConfigSchema>;
export type CiSuite = CiConfig['suites'][number];

/** A checked config with its paths resolved and the compared metrics spelled out. */
export interface ResolvedCiConfig extends CiConfig {
  /** The config file (or `<inline>`), for messages. */
  file: string;
  /** Absolute paths. */
  baselinePath: string | null;
  outPath: string;
  suites: (CiSuite & { chainPath: string | null })[];
  /** Compared chain metrics (per setting; `S_N` is S_<steps of the chains>) and isolated metrics (per suite), per suite. */
  compared: { chain: string[]; isolated: string[] }[];
}

function issueText(file: string, iss: z.core.$ZodIssue): string {
  const where = iss.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('') || '(root)';
  if (iss.code === 'unrecognized_keys') {
    const field = `${where === '(root)' ? '' : `${where}.`}${iss.keys[0]}`;
    return `${file}: ${field}: unknown field; remove it (fields here: ${allowedKeys(iss.path).join(', ')})`;
  }
  if (iss.code === 'invalid_key') return `${file}: ${where}: ${iss.issues[0]?.message ?? iss.message}`;
  return `${file}: ${where}: ${iss.message}`;
}

function allowedKeys(p: PropertyKey[]): string[] {
  const named = p.filter((x) => typeof x === 'string');
  const last = named[named.length - 1];
  if (last === undefined) return Object.keys(CiConfigSchema.shape);
  if (last === 'policyOptions') return Object.keys(CiConfigSchema.shape.policyOptions.unwrap().shape);
  if (last === 'suites') return Object.keys(SuiteSchema.shape);
  if (last === 'settings') return Object.keys(SettingSchema.shape);
  return [];
}

/** Validate a parsed config; `file` is where it came from (paths resolve against its directory). */
export function parseCiConfig(json: unknown, file = '<inline>'): ResolvedCiConfig {
  const r = CiConfigSchema.safeParse(json);
  if (!r.success) throw new CiConfigError(issueText(file, r.error.issues[0]));
  const c = r.data;
  const dir = file === '<inline>' ? process.cwd() : path.dirname(path.resolve(file));
  try {
    parsePolicy(c.policy);
  } catch (e) {
    if (e instanceof PolicyError) throw new CiConfigError(`${file}: policy: ${e.message}`);
    throw e;
  }
  const names = new Set<string>();
  const suites = c.suites.map((s, i) => {
    const at = `${file}: suites[${i}]`;
    if (names.has(s.name)) throw new CiConfigError(`${at}.name: "${s.name}" is used by another suite; names must differ`);
    names.add(s.name);
    const chainPath = s.chainFile ? path.resolve(dir, s.chainFile) : null;
    if (chainPath && !existsSync(chainPath)) throw new CiConfigError(`${at}.chainFile: ${chainPath} does not exist`);
    const keys = new Set<string>();
    s.settings.forEach((st, j) => {
      const key = JSON.stringify(activeLevels(st.ood as OodLevels));
      if (keys.has(key)) throw new CiConfigError(`${at}.settings[${j}].ood: the same OOD levels are listed twice`);
      keys.add(key);
      for (const m of Object.keys(st.floors)) checkK(m, s, `${at}.settings[${j}].floors.${m}`);
    });
    return { ...s, chainPath };
  });
  const compared = suites.map((s, i) => {
    const chain: string[] = [], isolated: string[] = [];
    for (const m of c.compare ?? ['S_1', 'S_N', 'q']) {
      if (m === 'q') isolated.push('q');
      else if (m.startsWith('isolated:') && TYPE_METRIC.test(m.slice(9))) isolated.push(m.slice(9));
      else if (m === 'isolated:type:*') isolated.push('type:*');
      else if (m === 'type:*' || m === 'S_N' || ChainMetric.safeParse(m).success) {
        checkK(m, s, `${file}: compare: "${m}" (suites[${i}])`);
        chain.push(m);
      } else throw new CiConfigError(`${file}: compare: "${m}" is not a metric; use S_<k>, S_N, type:<task type>, type:*, q, isolated:type:<task type> or isolated:type:*`);
    }
    return { chain: [...new Set(chain)], isolated: [...new Set(isolated)] };
  });
  const baselinePath = c.baseline ? path.resolve(dir, c.baseline) : null;
  return { ...c, file, suites, compared, baselinePath, outPath: path.resolve(dir, c.out) };
}

function checkK(metric: string, s: CiSuite, where: string): void {
  const m = /^S_(\d+)$/.exec(metric);
  if (m && !s.chainFile && Number(m[1]) > s.steps) throw new CiConfigError(`${where}: the chains have ${s.steps} steps, so k must be 1..${s.steps}`);
}

/** Read and validate a config file. */
export function loadCiConfig(file: string): ResolvedCiConfig {
  return parseCiConfig(readJsonFile(file, undefined, { what: 'a CI config (see scripts/examples/chaingap.ci.json)', as: CiConfigError }), file);
}
