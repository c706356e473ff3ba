// The one error type of the scenes layer: names the file, the JSON path, what was found and what is allowed.

export class SpecError extends Error {
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
