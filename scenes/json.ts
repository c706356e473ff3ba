// A strict JSON parser that reports line and column of syntax errors and rejects duplicate fields.
// (JSON.parse reports only a character offset, and silently keeps the last of duplicate fields.)

import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { SpecError, formatPath, specIssuesFromZod } from './errors.ts';

class Parser {
  private i = 0;
  private readonly path: PropertyKey[] = [];

  constructor(private readonly text: string, private readonly file: string) {}

  parse(): unknown {
    if (this.text.charCodeAt(0) === 0xfeff) this.i = 1;
    this.ws();
    const v = this.value();
    this.ws();
    if (this.i < this.text.length) this.fail('the end of the file (only one JSON value per file)');
    return v;
  }

  private where(at: number): { line: number; column: number } {
    let line = 1;
    let col = 1;
    for (let k = 0; k < at && k < this.text.length; k++) {
      if (this.text[k] === '\n') {
        line++;
        col = 1;
      } else col++;
    }
    return { line, column: col };
  }

  private foundHere(): string {
    if (this.i >= this.text.length) return 'the end of the file';
    const ch = this.text[this.i];
    if (/[A-Za-z]/.test(ch)) {
      const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.i, this.i + 20));
      if (word) return JSON.stringify(word[0]);
    }
    return JSON.stringify(ch);
  }

  private fail(allowed: string, at = this.i, found = this.foundHere()): never {
    throw new SpecError(this.file, formatPath(this.path), found, `${allowed} (invalid JSON)`, this.where(at));
  }

  private ws(): void {
    const t = this.text;
    while (this.i < t.length) {
      const c = t[this.i];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') this.i++;
      else break;
    }
  }

  private value(): unknown {
    const c = this.text[this.i];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return this.string();
    if (c === '-' || (c >= '0' && c <= '9')) return this.number();
    for (const [word, val] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.text.startsWith(word, this.i)) {
        this.i += word.length;
        return val;
      }
    }
    return this.fail('a JSON value (object, array, string in double quotes, number, true, false or null)');
  }

  private object(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.i++; // {
    this.ws();
    if (this.text[this.i] === '}') {
      this.i++;
      return out;
    }
    for (;;) {
      this.ws();
      if (this.text[this.i] !== '"') {
        this.fail(this.text[this.i] === '}' ? 'a field name in double quotes (JSON has no trailing commas)' : 'a field name in double quotes');
      }
      const keyAt = this.i;
      const key = this.string();
      if (Object.prototype.hasOwnProperty.call(out, key)) {
        this.path.push(key);
        this.fail('each field at most once in an object', keyAt, `a second ${JSON.stringify(key)} field`);
      }
      this.ws();
      if (this.text[this.i] !== ':') this.fail('":" after the field name');
      this.i++;
      this.ws();
      this.path.push(key);
      const v = this.value();
      this.path.pop();
      Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
      this.ws();
      const c = this.text[this.i];
      if (c === ',') {
        this.i++;
        continue;
      }
      if (c === '}') {
        this.i++;
        return out;
      }
      this.fail('"," or "}" after a field value');
    }
  }

  private array(): unknown[] {
    const out: unknown[] = [];
    this.i++; // [
    this.ws();
    if (this.text[this.i] === ']') {
      this.i++;
      return out;
    }
    for (;;) {
      this.ws();
      if (this.text[this.i] === ']') this.fail('a JSON value (JSON has no trailing commas)');
      this.path.push(out.length);
      out.push(this.value());
      this.path.pop();
      this.ws();
      const c = this.text[this.i];
      if (c === ',') {
        this.i++;
        continue;
      }
      if (c === ']') {
        this.i++;
        return out;
      }
      this.fail('"," or "]" after an array item');
    }
  }

  private string(): string {
    const t = this.text;
    this.i++; // opening quote
    let out = '';
    for (;;) {
      if (this.i >= t.length) this.fail('a closing double quote');
      const c = t[this.i];
      if (c === '"') {
        this.i++;
        return out;
      }
      if (c === '\\') {
        const e = t[this.i + 1];
        const map: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e !== undefined && map[e] !== undefined) {
          out += map[e];
          this.i += 2;
        } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(t.slice(this.i + 2, this.i + 6))) {
          out += String.fromCharCode(parseInt(t.slice(this.i + 2, this.i + 6), 16));
          this.i += 6;
        } else {
          this.i++;
          this.fail('an escape: \\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX');
        }
        continue;
      }
      if (c < ' ') this.fail('a closing double quote (raw control characters or line breaks are not allowed in strings)');
      out += c;
      this.i++;
    }
  }

  private number(): number {
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(this.text.slice(this.i, this.i + 64));
    if (!m) return this.fail('a number like 0.5, -2 or 1e-3');
    const next = this.text[this.i + m[0].length];
    if (next !== undefined && /[0-9.eE]/.test(next)) {
      this.fail('a number like 0.5, -2 or 1e-3 (no leading zeros)', this.i + m[0].length, JSON.stringify(next));
    }
    this.i += m[0].length;
    return Number(m[0]);
  }
}

/** Parse JSON text strictly; every syntax problem is a SpecError with line and column. */
export function parseJsonText(text: string, file: string): unknown {
  return new Parser(text, file).parse();
}

export interface ReadJsonOptions {
  /** What the file should be, for the message when it cannot be read ("a CI config", "a sweep spec"). */
  what?: string;
  /** Throw this error type (a UserError subclass of the caller's layer) with the same one-line message. */
  as?: new (message: string) => Error;
}

/**
 * Read a JSON file, parse it strictly (syntax errors name line and column) and check it against a zod
 * schema. Every problem is one error naming the file, the field and what is allowed there: a
 * `SpecError`, or `o.as` with the same message. The one place the read/parse/check sequence is written.
 */
export function readJsonFile<S extends z.ZodType>(file: string, schema: S, o?: ReadJsonOptions): z.output<S>;
export function readJsonFile(file: string, schema?: undefined, o?: ReadJsonOptions): unknown;
export function readJsonFile(file: string, schema?: z.ZodType, o: ReadJsonOptions = {}): unknown {
  try {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const found = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory' : `an unreadable file (${code ?? String(e)})`;
      throw new SpecError(file, '', found, `${o.what ?? 'a JSON file'} at this path`);
    }
    const json = parseJsonText(text, file);
    if (!schema) return json;
    const r = schema.safeParse(json);
    if (r.success) return r.data;
    const issue = specIssuesFromZod(json, r.error)[0];
    throw new SpecError(file, formatPath(issue.path), issue.found, issue.allowed);
  } catch (e) {
    if (o.as && e instanceof SpecError) throw new o.as(e.message);
    throw e;
  }
}
