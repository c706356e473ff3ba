// A folder of LIBERO BDDL problem files as an evaluation suite: which suite it is (from the folder's
// name), the step budget LIBERO's evaluations give it, and each file imported as a scene and a task.
// A file that does not import is kept with its error (file:line), never dropped silently.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { importBddl } from '../../scenes/bddl.ts';
import { SpecError, UserError } from '../../scenes/errors.ts';
import type { SceneSpec, TaskSpec } from '../../scenes/types.ts';

/**
 * Policy steps per episode by suite, as openpi's LIBERO client (examples/libero/main.py) sets them:
 * each is a little over the suite's longest training demonstration (193, 254, 270, 505, 373 steps).
 */
export const LIBERO_BUDGETS = {
  libero_spatial: 220,
  libero_object: 280,
  libero_goal: 300,
  libero_10: 520,
  libero_90: 400,
} as const;

export type LiberoSuite = keyof typeof LIBERO_BUDGETS;
export const LIBERO_SUITES = Object.keys(LIBERO_BUDGETS) as LiberoSuite[];

/** openpi's `num_steps_wait`: do-nothing steps after each reset while dropped objects settle. */
export const LIBERO_IDLE_STEPS = 10;
/** openpi's `num_trials_per_task`. */
export const LIBERO_EPISODES = 50;

/** The suite a folder holds, from its name (`.../libero_goal` -> `libero_goal`), or null. */
export function suiteOfFolder(dir: string): LiberoSuite | null {
  const base = path.basename(path.resolve(dir)).toLowerCase();
  return (LIBERO_SUITES as string[]).includes(base) ? (base as LiberoSuite) : null;
}

/** Where an episode's budget comes from: `--budget`, the suite's, or each task's own maxSteps. */
export type BudgetSource = 'option' | 'suite' | 'task';

export interface LiberoBudget {
  /** Policy steps per episode; null: each task's own maxSteps (an unknown folder, no `budget`). */
  steps: number | null;
  source: BudgetSource;
  suite: LiberoSuite | null;
}

/** The budget for a folder: `budget` if given, else the suite's (from `suite` or the folder name), else per task. */
export function liberoBudget(dir: string, o: { budget?: number; suite?: LiberoSuite } = {}): LiberoBudget {
  if (o.suite !== undefined && !(LIBERO_SUITES as string[]).includes(o.suite)) {
    throw new UserError(`suite must be one of ${LIBERO_SUITES.join(', ')}, got "${o.suite}"`);
  }
  const suite = o.suite ?? suiteOfFolder(dir);
  if (o.budget !== undefined) {
    if (!Number.isInteger(o.budget) || o.budget < 1) throw new UserError(`budget must be a whole number >= 1, got ${o.budget}`);
    return { steps: o.budget, source: 'option', suite };
  }
  return suite ? { steps: LIBERO_BUDGETS[suite], source: 'suite', suite } : { steps: null, source: 'task', suite: null };
}

/** One file of the folder that imported. */
export interface LiberoTask {
  /** File name within the folder. */
  file: string;
  /** Task and scene name, from the file name (letters, digits, `_`). */
  name: string;
  scene: SceneSpec;
  /** The imported task with the run's budget as its maxSteps. */
  task: TaskSpec;
  /** Object categories that got a stand-in (`standIn`). */
  standIns: Record<string, string>;
  /** 12 hex digits of the SHA-256 of the imported scene and task: results of an older import are not reused. */
  importHash: string;
}

/** One file that did not import. */
export interface LiberoImportFailure {
  file: string;
  /** BDDL line of the problem, when the importer names one. */
  line?: number;
  /** The importer's short reason (its BddlError's `reason`), to count files by what blocks them. */
  reason?: string;
  error: string;
}

export interface LiberoFolder {
  dir: string;
  /** Every `.bddl` file, by name, with the SHA-256 of its text. */
  files: { file: string; sha256: string }[];
  tasks: LiberoTask[];
  failures: LiberoImportFailure[];
}

/** A task name from a file name: `KITCHEN_SCENE1_open_the_drawer.bddl` -> `KITCHEN_SCENE1_open_the_drawer`. */
export function taskNameOf(file: string): string {
  return file.replace(/\.bddl$/i, '').replace(/[^A-Za-z0-9_]/g, '_').replace(/^[^A-Za-z]+/, 'task_');
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/** Import every `.bddl` file of `dir` (in name order), setting each task's budget to `budget` when given. */
export function loadLiberoFolder(dir: string, o: { budget?: number | null; standIn?: boolean } = {}): LiberoFolder {
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a directory');
    names = readdirSync(dir).filter((f) => f.toLowerCase().endsWith('.bddl')).sort();
  } catch (e) {
    throw new SpecError(dir, '', (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such directory' : (e as Error).message, 'a folder of LIBERO .bddl problem files');
  }
  if (!names.length) throw new SpecError(dir, '', 'no .bddl files', 'a folder of LIBERO .bddl problem files');
  const files: LiberoFolder['files'] = [];
  const tasks: LiberoTask[] = [];
  const failures: LiberoImportFailure[] = [];
  const used = new Set<string>();
  for (const file of names) {
    const full = path.join(dir, file);
    const text = readFileSync(full, 'utf8');
    files.push({ file, sha256: sha(text) });
    let name = taskNameOf(file);
    for (let i = 2; used.has(name); i++) name = `${taskNameOf(file)}_${i}`;
    used.add(name);
    try {
      const r = importBddl(text, full, name, { standIn: o.standIn });
      const task: TaskSpec = o.budget ? { ...r.task, maxSteps: o.budget } : r.task;
      tasks.push({ file, name, scene: r.scene, task, standIns: r.standIns, importHash: sha(JSON.stringify([r.scene, r.task])).slice(0, 12) });
    } catch (e) {
      // A bug in the importer is listed like a bad file: one file never stops the others.
      const f: LiberoImportFailure = { file, error: e instanceof SpecError ? e.message : `${(e as Error).name}: ${(e as Error).message}` };
      if (e instanceof SpecError && e.line !== undefined) f.line = e.line;
      const reason = (e as { reason?: unknown }).reason;
      if (typeof reason === 'string') f.reason = reason;
      failures.push(f);
    }
  }
  return { dir, files, tasks, failures };
}
