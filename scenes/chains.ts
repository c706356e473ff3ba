// Chains as data: the seeded generator of solvable N-step chains for a scene, and the loader/checker
// of chain files (written by hand or by `chaingap chains`). A chain file holds one chain object or an
// array of them: `{ "name", "scene", "init"?, "steps": [ "<shipped task name>" | { task fields } ] }`;
// a step object may leave out `scene` (the chain's) and `init` (derived from the state the earlier
// steps leave). Every problem is a SpecError naming the file, the JSON path and the fix.
import { readFileSync } from 'node:fs';
import seedrandom from 'seedrandom';
import { SpecError, closestList, describe, formatPath } from './errors.ts';
import { parseJsonText } from './json.ts';
import { FILE_MARGINS, LIBERO_MARGINS, PLAN_MARGINS, applyGoal, initialState, possibleAtoms, sceneFacts, taskTypeOf, type SceneFacts, type SymbolicState } from './chain-model.ts';
import { stepTask } from './chain-language.ts';
import { checkInit } from './schema.ts';
import { findScene, findTask, listTasks, parseScene, parseTask } from './load.ts';
import { closestNames } from './objects.ts';
import type { Atom, ChainSpec, SceneSpec, TaskSpec, TaskType } from './types.ts';

export const DEFAULT_CHAIN_STEPS = 10;
/** Generation attempts per chain before the scene is declared unable to make chains that long. */
export const MAX_CHAIN_ATTEMPTS = 200;
/** Weight of a step type equal to the previous one's, and of undoing the previous step (vs 1). */
const REPEAT_WEIGHT = 0.25;

export interface GenerateOptions {
  /** The scene: a shipped scene's name (as `runChains` takes it, e.g. `'kitchen'`) or a parsed spec. */
  scene: string | SceneSpec;
  /** Number of chains. */
  count: number;
  /** Steps per chain (default 10). */
  steps?: number;
  seed: number;
  /** Chain-id prefix (default: the scene name). */
  prefix?: string;
  /**
   * A private salt: with it, the chains are drawn from a stream no one without the salt can
   * reproduce (a fresh test set), and anyone with it gets the same chains.
   */
  salt?: string;
}

function weightedPick<T>(rng: () => number, items: T[], weight: (t: T) => number): T {
  const w = items.map(weight);
  const total = w.reduce((a, b) => a + b, 0);
  let r = rng() * total;
  for (let i = 0; i < items.length; i++) {
    r -= w[i];
    if (r < 0) return items[i];
  }
  return items[items.length - 1];
}

/**
 * Why a step could not run alone from a fresh reset of its scene (with its fixture init), or null.
 * Such a step has no controlled baseline q_t, so chains do not use it (e.g. pushing a block along a
 * path that, in the scene's initial layout, other objects block).
 */
export function notRunnableAlone(facts: SceneFacts, task: TaskSpec, margins = PLAN_MARGINS): string | null {
  const r = applyGoal(facts, initialState(facts, task.init), task.goal, margins);
  return typeof r === 'string' ? r : null;
}

/** One step choice: a task type first (so types mix evenly), then an instance of it. */
function chooseStep(facts: SceneFacts, s: SymbolicState, rng: () => number, prev: Atom | null) {
  const options = possibleAtoms(facts, s).filter((o) => notRunnableAlone(facts, stepTask(facts, o.atom, s)) === null);
  if (!options.length) return null;
  const byType = new Map<TaskType, typeof options>();
  for (const o of options) {
    const t = taskTypeOf(facts, o.atom);
    byType.set(t, [...(byType.get(t) ?? []), o]);
  }
  const prevType = prev ? taskTypeOf(facts, prev) : null;
  const types = [...byType.keys()];
  const type = weightedPick(rng, types, (t) => (t === prevType ? REPEAT_WEIGHT : 1));
  const undoes = (a: Atom) => prev !== null && a[1] === prev[1] && a.length === 2 && prev.length === 2;
  return weightedPick(rng, byType.get(type)!, (o) => (undoes(o.atom) ? REPEAT_WEIGHT : 1));
}

/**
 * `count` chains of `steps` tasks each, every one solvable from the state its earlier steps leave when
 * they succeed. Deterministic in (scene, seed, count, steps); chain i depends only on (seed, i).
 */
export function generateChains(o: GenerateOptions): ChainSpec[] {
  const n = o.steps ?? DEFAULT_CHAIN_STEPS;
  if (!Number.isInteger(n) || n < 1) throw new Error(`steps must be a whole number >= 1, got ${n}`);
  const scene = typeof o.scene === 'string' ? findScene(o.scene) : o.scene;
  const facts = sceneFacts(scene);
  const out: ChainSpec[] = [];
  for (let i = 0; i < o.count; i++) {
    const rng = seedrandom(o.salt ? `${o.salt}:${o.seed}:chain:${i}` : `${o.seed}:chain:${i}`);
    let chain: ChainSpec | null = null;
    for (let attempt = 0; attempt < MAX_CHAIN_ATTEMPTS && !chain; attempt++) {
      let s = initialState(facts);
      const steps: TaskSpec[] = [];
      let prev: Atom | null = null;
      for (let j = 0; j < n; j++) {
        const pick = chooseStep(facts, s, rng, prev);
        if (!pick) break;
        steps.push(stepTask(facts, pick.atom, s));
        s = pick.next;
        prev = pick.atom;
      }
      if (steps.length === n) chain = { name: `${o.prefix ?? scene.name}_s${o.seed}_c${String(i).padStart(4, '0')}`, scene: scene.name, init: [], steps };
    }
    if (!chain) {
      throw new SpecError(`scene "${scene.name}"`, '', `no ${n}-step chain after ${MAX_CHAIN_ATTEMPTS} attempts (the scene runs out of possible steps)`,
        'a scene with more objects, places to put them, or fixtures to operate; or fewer --steps');
    }
    out.push(chain);
  }
  return out;
}

/**
 * Check that every step of a chain is possible after the earlier ones succeed; throws a SpecError
 * naming the step, what it needs and what the earlier steps left.
 */
export function checkChainSolvable(chain: ChainSpec, scene: SceneSpec, file = `chain "${chain.name}"`): void {
  const facts = sceneFacts(scene);
  let s = initialState(facts, chain.init);
  chain.steps.forEach((t, i) => {
    const r = applyGoal(facts, s, t.goal);
    if (typeof r === 'string') {
      const after = i === 0 ? 'at the start of the chain' : `after steps 0-${i - 1} succeed`;
      throw new SpecError(file, `steps[${i}].goal`, `${describe(t.goal)} ("${t.instruction}"), which is not possible ${after}: ${r}`,
        'a chain whose every step is possible once the earlier steps succeeded: reorder, change or remove this step');
    }
    s = r;
  });
}

/** The symbolic state before each step (and after the last), for a solvable chain. */
export function chainStates(chain: ChainSpec, scene: SceneSpec): SymbolicState[] {
  const facts = sceneFacts(scene);
  const states = [initialState(facts, chain.init)];
  for (const t of chain.steps) {
    const r = applyGoal(facts, states[states.length - 1], t.goal);
    if (typeof r === 'string') throw new Error(`chain "${chain.name}" is not solvable: ${r}`);
    states.push(r);
  }
  return states;
}

const NAME_RE = /^[A-Za-z][A-Za-z0-9_]*$/;

function parseOneChain(v: unknown, file: string, at: string): ChainSpec {
  const p = (s: string) => (at ? `${at}.${s}` : s);
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new SpecError(file, at, describe(v), 'a chain: an object with the fields name, scene, init (optional), steps');
  const o = v as Record<string, unknown>;
  const known = ['name', 'scene', 'init', 'steps', 'rules'];
  for (const k of Object.keys(o)) {
    if (!known.includes(k)) throw new SpecError(file, p(k), JSON.stringify(k), `the fields of a chain: ${known.join(', ')}${closestList(closestNames(k, known, 1))}`);
  }
  if (typeof o.name !== 'string' || !NAME_RE.test(o.name)) throw new SpecError(file, p('name'), describe(o.name), 'a chain name: letters, digits and "_", starting with a letter');
  let scene: SceneSpec;
  let inline = false;
  if (typeof o.scene === 'object' && o.scene !== null && !Array.isArray(o.scene)) {
    try {
      scene = parseScene(o.scene, file);
    } catch (e) {
      const se = e as SpecError;
      throw new SpecError(file, se.path ? `${p('scene')}.${se.path}` : p('scene'), se.found, se.allowed);
    }
    inline = true;
  } else {
    if (typeof o.scene !== 'string') throw new SpecError(file, p('scene'), describe(o.scene), 'the name of a shipped scene, or a scene object');
    try {
      scene = findScene(o.scene);
    } catch (e) {
      throw new SpecError(file, p('scene'), JSON.stringify(o.scene), (e as SpecError).allowed ?? String(e));
    }
  }
  // "rules": "libero" checks the steps as LIBERO's problems are (scenes/chain-model.ts LIBERO_MARGINS): the
  // import writes it.
  if (o.rules !== undefined && o.rules !== 'libero') throw new SpecError(file, p('rules'), describe(o.rules), '"libero" (LIBERO\'s layout rules), or no field');
  const margins = o.rules === 'libero' ? LIBERO_MARGINS : FILE_MARGINS;
  const init = o.init ?? [];
  const initIssues = checkInit(init, ['init']);
  if (initIssues.length) throw new SpecError(file, `${at}${at ? '.' : ''}${formatPath(initIssues[0].path)}`, initIssues[0].found, initIssues[0].allowed);
  if (!Array.isArray(o.steps) || o.steps.length === 0) throw new SpecError(file, p('steps'), describe(o.steps), 'a non-empty array of steps (shipped task names or task objects)');
  const facts = sceneFacts(scene);
  let state = initialState(facts, init as Atom[]);
  const steps: TaskSpec[] = o.steps.map((step, i) => {
    const sp = p(`steps[${i}]`);
    let task: TaskSpec;
    if (typeof step === 'string') {
      const names = listTasks();
      if (!names.includes(step)) throw new SpecError(file, sp, JSON.stringify(step), `the name of a shipped task${closestList(closestNames(step, names, 3))}, or a task object`);
      task = findTask(step);
    } else if (typeof step === 'object' && step !== null && !Array.isArray(step)) {
      const s = step as Record<string, unknown>;
      const filled = { ...s, scene: s.scene ?? scene.name, init: s.init ?? [] };
      try {
        task = parseTask(filled, file, scene);
      } catch (e) {
        const se = e as SpecError;
        throw new SpecError(file, se.path ? `${sp}.${se.path}` : sp, se.found, se.allowed);
      }
      if (s.init === undefined) {
        // Derive the fixture init a fresh reset of this task needs from the state the chain is in.
        const derived = stepTask(facts, (task.goal[0] === 'And' ? task.goal[1] : task.goal) as Atom, state).init;
        task = { ...task, init: derived };
      }
    } else {
      throw new SpecError(file, sp, describe(step), 'a shipped task name (string) or a task object');
    }
    if (task.scene !== scene.name) throw new SpecError(file, `${sp}`, `task "${task.name}" of scene "${task.scene}"`, `a task of the chain's scene "${scene.name}"`);
    const next = applyGoal(facts, state, task.goal, margins);
    if (typeof next === 'string') {
      const after = i === 0 ? 'at the start of the chain' : `after steps 0-${i - 1} succeed`;
      throw new SpecError(file, `${sp}.goal`, `${describe(task.goal)} ("${task.instruction}"), which is not possible ${after}: ${next}`,
        'a chain whose every step is possible once the earlier steps succeeded: reorder, change or remove this step');
    }
    const alone = notRunnableAlone(facts, task, margins);
    if (alone !== null) {
      throw new SpecError(file, `${sp}.goal`, `${describe(task.goal)} ("${task.instruction}"), which cannot run alone from a fresh reset of scene "${scene.name}" (${alone}), so it has no controlled baseline`,
        'steps that are each possible from the scene\'s initial layout (with their fixture init) as well as in the chain');
    }
    state = next;
    return task;
  });
  const chain: ChainSpec = { name: o.name, scene: scene.name, init: init as Atom[], steps };
  if (o.rules === 'libero') chain.rules = 'libero';
  if (inline) chain.sceneSpec = scene;
  return chain;
}

/** Validate chain JSON (text or parsed): one chain or an array of chains. Throws SpecError. */
export function parseChains(json: unknown, sourceName: string): ChainSpec[] {
  const v = typeof json === 'string' ? parseJsonText(json, sourceName) : json;
  const list = Array.isArray(v) ? v.map((c, i) => parseOneChain(c, sourceName, `[${i}]`)) : [parseOneChain(v, sourceName, '')];
  const seen = new Set<string>();
  list.forEach((c, i) => {
    if (seen.has(c.name)) throw new SpecError(sourceName, Array.isArray(v) ? `[${i}].name` : 'name', JSON.stringify(c.name), 'a chain name not used by another chain in the file');
    seen.add(c.name);
  });
  return list;
}

export function loadChains(path: string): ChainSpec[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new SpecError(path, '', (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(e), 'a readable chain JSON file');
  }
  return parseChains(text, path);
}
