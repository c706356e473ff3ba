// LIBERO-style long horizons from a folder's own tasks: tasks whose files import to the same scene
// (LIBERO names them by a shared prefix such as KITCHEN_SCENE3) are run one after another in one
// episode, in a fixed seeded order in which each step is possible once the earlier ones succeeded.
import { createHash } from 'node:crypto';
import seedrandom from 'seedrandom';
import { LIBERO_MARGINS, applyGoal, initialState, sceneFacts, type SymbolicState } from '../../scenes/chain-model.ts';
import type { ChainSpec, SceneSpec } from '../../scenes/types.ts';
import type { LiberoTask } from './libero-suite.ts';
import { UserError } from '../../scenes/errors.ts';

export interface LiberoChainOptions {
  /** Steps per chain at most (default 5). */
  steps?: number;
  /** Orders drawn per scene (default 1); orders that give the same chain are kept once. */
  perScene?: number;
}

export const LIBERO_CHAIN_STEPS = 5;

/** A folder's tasks that could not join a chain, and why. */
export interface LiberoChainSkip {
  /** The scene group, or the task for a task-level reason. */
  name: string;
  reason: string;
}

export interface LiberoChainPlan {
  chains: ChainSpec[];
  /** Scene group of each chain, by chain name. */
  groups: Record<string, string>;
  skipped: LiberoChainSkip[];
}

/** LIBERO's scene prefix of a file name (`KITCHEN_SCENE3_turn_on...` -> `KITCHEN_SCENE3`), or null. */
export function liberoScenePrefix(file: string): string | null {
  return /^([A-Z][A-Z_]*_SCENE\d+)_/.exec(file)?.[1] ?? null;
}

/** A scene's identity without its name and description: files of one LIBERO scene import to the same. */
function sceneKey(s: SceneSpec): string {
  const { name: _n, description: _d, ...rest } = s;
  return createHash('sha256').update(JSON.stringify(rest)).digest('hex');
}

/** Tasks grouped by identical scene, each group named by its files' LIBERO prefix (or the first task's name). */
export function sceneGroups(tasks: readonly LiberoTask[]): { name: string; tasks: LiberoTask[] }[] {
  const byKey = new Map<string, LiberoTask[]>();
  for (const t of tasks) {
    const k = sceneKey(t.scene);
    byKey.set(k, [...(byKey.get(k) ?? []), t]);
  }
  const used = new Map<string, number>();
  return [...byKey.values()].map((ts) => {
    const prefixes = [...new Set(ts.map((t) => liberoScenePrefix(t.file)))];
    const base = prefixes.length === 1 && prefixes[0] ? prefixes[0] : `scene_of_${ts[0].name}`;
    const n = (used.get(base) ?? 0) + 1;
    used.set(base, n);
    return { name: n === 1 ? base : `${base}_${n}`, tasks: ts };
  });
}

/**
 * Apply a task's goal in the symbolic model, with the margins chain files are checked with (a basket
 * takes as many things as fit); a goal the model cannot read is not possible.
 */
function advance(scene: SceneSpec, s: SymbolicState, t: LiberoTask): SymbolicState | string {
  try {
    return applyGoal(sceneFacts(scene), s, t.task.goal, LIBERO_MARGINS);
  } catch (e) {
    return `the chain model cannot read its goal (${(e as Error).message})`;
  }
}

/** The chain `chosen` extended greedily: the next task in `order` possible after the earlier ones, each task once. */
function extend(scene: SceneSpec, order: readonly LiberoTask[], chosen: LiberoTask[], state: SymbolicState, steps: number): LiberoTask[] {
  const out = [...chosen];
  let s = state;
  while (out.length < steps) {
    let next: { t: LiberoTask; s: SymbolicState } | null = null;
    for (const t of order) {
      if (out.includes(t)) continue;
      const r = advance(scene, s, t);
      if (typeof r !== 'string') {
        next = { t, s: r };
        break;
      }
    }
    if (!next) break;
    out.push(next.t);
    s = next.s;
  }
  return out;
}

/**
 * Chains of up to `steps` tasks per scene group: for each of `perScene` seeded orders of the group's tasks,
 * a task possible from its own initial state starts the chain, then repeatedly the next task in the order
 * that is possible after the earlier ones succeeded (each task once); of the starts, the longest chain is
 * kept. Chains need two steps at least.
 * Deterministic in (tasks, seed, options).
 */
export function planLiberoChains(tasks: readonly LiberoTask[], seed: number, o: LiberoChainOptions = {}): LiberoChainPlan {
  const steps = o.steps ?? LIBERO_CHAIN_STEPS;
  const perScene = o.perScene ?? 1;
  if (!Number.isInteger(steps) || steps < 2) throw new UserError(`chain steps must be a whole number >= 2, got ${steps}`);
  if (!Number.isInteger(perScene) || perScene < 1) throw new UserError(`chains per scene must be a whole number >= 1, got ${perScene}`);
  const chains: ChainSpec[] = [];
  const groups: Record<string, string> = {};
  const skipped: LiberoChainSkip[] = [];
  for (const g of sceneGroups(tasks)) {
    if (g.tasks.length < 2) {
      skipped.push({ name: g.name, reason: `only one task (${g.tasks[0].file}) has this scene` });
      continue;
    }
    const scene: SceneSpec = { ...g.tasks[0].scene, name: g.name, description: `LIBERO scene ${g.name} (${g.tasks.length} task files)` };
    const seen = new Set<string>();
    for (let c = 0; c < perScene; c++) {
      const rng = seedrandom(`${seed}:libero-chain:${g.name}:${c}`);
      const order = g.tasks.map((t) => ({ t, r: rng() })).sort((a, b) => a.r - b.r).map((x) => x.t);
      // Each task possible from its own initial state may start; the longest chain wins (the first on a tie).
      let chosen: LiberoTask[] = [];
      let starts = 0;
      for (const first of order) {
        const s0 = advance(scene, initialState(sceneFacts(scene), first.task.init), first);
        if (typeof s0 === 'string') continue;
        starts++;
        const cand = extend(scene, order, [first], s0, steps);
        if (cand.length > chosen.length) chosen = cand;
        if (chosen.length === steps) break;
      }
      if (chosen.length < 2) {
        skipped.push({ name: g.name, reason: starts ? `order ${c}: after any of its ${starts} task(s) possible from the start succeeds, no other task is possible (chain model)` : `order ${c}: no task is possible from its own initial state in the chain model` });
        continue;
      }
      const key = chosen.map((t) => t.name).join('>');
      if (seen.has(key)) continue;
      seen.add(key);
      const hash = createHash('sha256').update(JSON.stringify([scene, chosen.map((t) => [t.importHash, t.task.maxSteps])])).digest('hex').slice(0, 6);
      const name = `${g.name}_c${c}_${hash}`;
      chains.push({ name, scene: scene.name, init: chosen[0].task.init, steps: chosen.map((t) => ({ ...t.task, scene: scene.name })), sceneSpec: scene });
      groups[name] = g.name;
    }
  }
  return { chains, groups, skipped };
}
