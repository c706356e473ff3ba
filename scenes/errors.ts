import type { z } from 'zod';

// User errors. `UserError` is the base of every error a user can fix (a bad file, flag, spec, path or
// policy): the CLI maps it to exit 2 with its one-line message, in one place (scripts/cli.ts). It lives
// here, in the lowest layer, so every layer can extend it. `SpecError` is the scenes layer's own: it names
// the file, the JSON path, what was found and what is allowed.

/** A mistake the user can fix; its message names the file or flag and the fix. The CLI exits 2 on it. */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class SpecError extends UserError {
  /** File (or source name) the problem is in. */
  readonly file: string;
  /** JSON path of the offending value, like `objects[2].region`; '' for the whole document. */
  readonly path: string;
  /** What was found, already formatted (strings quoted). */
  readonly found: string;
  /** What is allowed there. */
  readonly allowed: string;
  /** 1-based line and column, for JSON syntax errors. */
  readonly line?: number;
  readonly column?: number;

  constructor(file: string, path: string, found: string, allowed: string, where?: { line: number; column: number }) {
    const loc = where ? `line ${where.line}, column ${where.column}${path ? ` (at ${path})` : ''}` : path;
    super(`${file}: ${loc ? `${loc}: ` : ''}found ${found}; allowed: ${allowed}`);
    this.name = 'SpecError';
    this.file = file;
    this.path = path;
    this.found = found;
    this.allowed = allowed;
    if (where) {
      this.line = where.line;
      this.column = where.column;
    }
  }
}

/** One problem, before it is attached to a file. */
export interface SpecIssue {
  path: PropertyKey[];
  found: string;
  allowed: string;
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `['objects', 2, 'region']` -> `objects[2].region`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else {
      const s = String(seg);
      if (IDENT.test(s)) out += out ? `.${s}` : s;
      else out += `[${JSON.stringify(s)}]`;
    }
  }
  return out;
}

/** A short, readable rendering of a JSON value for error messages. */
export function describe(value: unknown, max = 60): string {
  if (value === undefined) return 'nothing (the field is missing)';
  let s: string;
  try {
    s = JSON.stringify(value) ?? String(value);
  } catch {
    s = String(value);
  }
  if (typeof value === 'number' && !Number.isFinite(value)) s = String(value);
  if (s.length > max) s = `${s.slice(0, max - 3)}...`;
  if (Array.isArray(value)) return `${s} (an array of ${value.length})`;
  if (value !== null && typeof value === 'object') return `${s} (an object)`;
  return s;
}

/** `closest: a, b, c` list rendered for messages. */
export function closestList(names: string[]): string {
  return names.length ? ` (closest: ${names.join(', ')})` : '';
}

/** Value at `path` inside `root`, or undefined. */
export function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    if (!Object.prototype.hasOwnProperty.call(v, seg)) return undefined;
    v = (v as Record<PropertyKey, unknown>)[seg];
  }
  return v;
}

/** zod issues -> SpecIssues, unknown fields first (a misspelt field also shows up as a missing one). */
export function specIssuesFromZod(input: unknown, error: z.ZodError): SpecIssue[] {
  const out: SpecIssue[] = [];
  const later: SpecIssue[] = [];
  for (const iss of error.issues) {
    const path = iss.path as PropertyKey[];
    if (iss.code === 'unrecognized_keys') {
      for (const key of iss.keys) out.push({ path: [...path, key], found: `unknown field ${JSON.stringify(key)}`, allowed: iss.message });
    } else if (iss.code === 'custom') {
      const found = (iss.params as { found?: string } | undefined)?.found ?? describe(valueAt(input, path));
      later.push({ path, found, allowed: iss.message });
    } else if (iss.code === 'invalid_key') {
      const key = path[path.length - 1];
      later.push({ path, found: `the name ${describe(key)}`, allowed: iss.message });
    } else {
      later.push({ path, found: describe(valueAt(input, path)), allowed: iss.message });
    }
  }
  return [...out, ...later];
}
