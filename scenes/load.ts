// Loading and validating scene / task JSON files. Every problem is a SpecError naming the file, the JSON
// path, what was found and what is allowed.

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import * as nodePath from 'node:path';
import { fileURLToPath } from 'node:url';
import { SpecError, formatPath, closestList, type SpecIssue } from './errors.ts';
import { parseJsonText } from './json.ts';
import { closestNames } from './objects.ts';
import { checkScene, checkTask } from './schema.ts';
import type { SceneSpec, TaskSpec } from './types.ts';

export { SpecError } from './errors.ts';

const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));
/** Directory of the shipped scene files. */
export const SCENES_DIR = fileURLToPath(new URL('./data/scenes/', import.meta.url));
/** Directory of the shipped task files. */
export const TASKS_DIR = fileURLToPath(new URL('./data/tasks/', import.meta.url));

/** How a file is named in messages: relative to the repo for shipped files, else relative to cwd. */
function displayName(absPath: string): string {
  const rel = (base: string) => {
    const r = nodePath.relative(base, absPath);
    return r && !r.startsWith('..') && !nodePath.isAbsolute(r) ? r.split(nodePath.sep).join('/') : undefined;
  };
  return rel(REPO_ROOT) ?? rel(process.cwd()) ?? absPath;
}

function toError(file: string, issue: SpecIssue): SpecError {
  return new SpecError(file, formatPath(issue.path), issue.found, issue.allowed);
}

function readJson(path: string): { file: string; text: string } {
  const abs = nodePath.resolve(path);
  const file = displayName(abs);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SpecError(file, '', code === 'ENOENT' ? 'no such file' : `an unreadable file (${code ?? String(e)})`, 'a readable JSON file');
  }
  return { file, text };
}

/** Parse text (string) or an already-parsed JSON value. */
function toValue(json: unknown, sourceName: string): unknown {
  return typeof json === 'string' ? parseJsonText(json, sourceName) : json;
}

/**
 * Validate a scene. `json` is JSON text or an already-parsed value; `sourceName` names it in errors.
 * Throws SpecError.
 */
export function parseScene(json: unknown, sourceName: string): SceneSpec {
  const r = checkScene(toValue(json, sourceName));
  if (!r.value) throw toError(sourceName, r.issues[0]);
  return r.value;
}

/**
 * Validate a task; with `scene`, also check every id, region and predicate argument against it.
 * `json` is JSON text or an already-parsed value. Throws SpecError.
 */
export function parseTask(json: unknown, sourceName: string, scene?: SceneSpec): TaskSpec {
  const r = checkTask(toValue(json, sourceName), scene);
  if (!r.value) throw toError(sourceName, r.issues[0]);
  return r.value;
}

/** Load and validate a scene file. */
export function loadScene(path: string): SceneSpec {
  const { file, text } = readJson(path);
  return parseScene(text, file);
}

/**
 * Load and validate a task file, and check it against its scene: `scene` when given, else the shipped
 * scene named by the task's `scene` field (an unknown scene name is an error).
 */
export function loadTask(path: string, scene?: SceneSpec): TaskSpec {
  const { file, text } = readJson(path);
  const task = parseTask(text, file);
  if (scene) return parseTask(task, file, scene);
  const names = listScenes();
  if (!names.includes(task.scene)) {
    throw new SpecError(file, 'scene', JSON.stringify(task.scene),
      `the name of a shipped scene (${names.join(', ')})${closestList(closestNames(task.scene, names, 1))}, or pass the scene to loadTask`);
  }
  return parseTask(task, file, findScene(task.scene));
}

function listJson(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

/** Names of the shipped scenes (file names without .json), sorted. */
export function listScenes(): string[] {
  return listJson(SCENES_DIR);
}

/** Names of the shipped tasks, sorted; with `scene`, only the tasks of that scene. */
export function listTasks(scene?: string): string[] {
  const names = listJson(TASKS_DIR);
  if (scene === undefined) return names;
  return names.filter((n) => {
    const { file, text } = readJson(nodePath.join(TASKS_DIR, `${n}.json`));
    return parseTask(text, file).scene === scene;
  });
}

function findIn(kind: 'scene' | 'task', name: string, names: string[], dir: string): { file: string; text: string } {
  if (!names.includes(name)) {
    throw new SpecError(displayName(dir), '', JSON.stringify(name),
      `the name of a shipped ${kind}${closestList(closestNames(name, names, 5))}`);
  }
  return readJson(nodePath.join(dir, `${name}.json`));
}

/** A shipped scene by name. */
export function findScene(name: string): SceneSpec {
  const { file, text } = findIn('scene', name, listScenes(), SCENES_DIR);
  const scene = parseScene(text, file);
  if (scene.name !== name) throw new SpecError(file, 'name', JSON.stringify(scene.name), `the file's name, ${JSON.stringify(name)}`);
  return scene;
}

/** A shipped task by name, checked against its scene. */
export function findTask(name: string): TaskSpec {
  const { file } = findIn('task', name, listTasks(), TASKS_DIR);
  const task = loadTask(nodePath.join(TASKS_DIR, `${name}.json`));
  if (task.name !== name) throw new SpecError(file, 'name', JSON.stringify(task.name), `the file's name, ${JSON.stringify(name)}`);
  return task;
}
