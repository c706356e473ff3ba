// Append-only results: one JSON line per finished unit of work (a chain run, a baseline episode),
// fsynced as it finishes, beside the config the run was started with. Reopening resumes: finished
// work is known by key, a torn last line (a write cut by a kill) is cut off so that unit is redone,
// and anything else unexpected is an error that leaves the files as they are.
import { UserError } from '../../scenes/errors.ts';
import { readJsonFile } from '../../scenes/json.ts';
import fs from 'node:fs';
import path from 'node:path';
import type { BaselineRecord, ChainRecord } from './records.ts';

export class ResultsError extends UserError {}

/** The identity of a chain run within a run directory. */
export function recordKey(r: Pick<ChainRecord, 'chainId' | 'repeat'>): string {
  return `${r.chainId}#${r.repeat}`;
}

/** The identity of a baseline episode within a run directory. */
export function baselineKey(r: Pick<BaselineRecord, 'task' | 'episode'>): string {
  return `${r.task}#${r.episode}`;
}

/** One JSON Lines file of records with unique keys, appended durably. */
export class AppendLog<T> {
  private readonly records: T[] = [];
  private readonly keys = new Set<string>();
  private fd = -1;
  /** Bytes of a torn trailing record that were cut off when the log was opened (0 if it ended cleanly). */
  readonly tornBytes: number;

  /** With `readOnly`, nothing is written: a torn tail is skipped (and counted), not cut off. */
  constructor(readonly file: string, private readonly keyOf: (r: T) => string, private readonly readOnly = false) {
    this.tornBytes = this.load();
    if (!readOnly) this.fd = fs.openSync(file, 'a');
  }

  private load(): number {
    if (!fs.existsSync(this.file)) return 0;
    const buf = fs.readFileSync(this.file);
    const text = buf.toString('utf8');
    const end = text.lastIndexOf('\n') + 1;
    const lines = text.slice(0, end).split('\n').slice(0, -1);
    lines.forEach((line, i) => {
      let r: T;
      try {
        r = JSON.parse(line) as T;
      } catch {
        throw new ResultsError(`${this.file}: line ${i + 1} is not valid JSON and is not the last line; the file was edited or damaged, so it will not be guessed at`);
      }
      const key = this.keyOf(r);
      if (this.keys.has(key)) throw new ResultsError(`${this.file}: line ${i + 1}: ${key} is recorded twice`);
      this.keys.add(key);
      this.records.push(r);
    });
    // Whatever follows the last newline is a record whose write was cut short: drop it, redo the work.
    const torn = Buffer.byteLength(text.slice(end));
    if (torn > 0 && !this.readOnly) fs.truncateSync(this.file, buf.length - torn);
    return torn;
  }

  has(key: string): boolean {
    return this.keys.has(key);
  }

  /** Records in the order they were written. */
  all(): readonly T[] {
    return this.records;
  }

  /** Append one record and make it durable before returning. */
  append(r: T): void {
    if (this.readOnly) throw new ResultsError(`${this.file}: opened read-only`);
    const key = this.keyOf(r);
    if (this.keys.has(key)) throw new ResultsError(`${this.file}: ${key} is already recorded`);
    fs.writeSync(this.fd, JSON.stringify(r) + '\n');
    fs.fsyncSync(this.fd);
    this.keys.add(key);
    this.records.push(r);
  }

  close(): void {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
  }
}

export interface OpenedStore {
  store: ResultsStore;
  /** Bytes of torn trailing records that were cut off (0 when the files ended cleanly). */
  tornBytes: number;
}

/** A run directory: `config.json`, `records.jsonl` (chain runs) and `baseline.jsonl` (baseline episodes). */
export class ResultsStore {
  private constructor(
    readonly dir: string,
    readonly chains: AppendLog<ChainRecord>,
    readonly baseline: AppendLog<BaselineRecord>,
  ) {}

  get file(): string {
    return this.chains.file;
  }

  /**
   * Open (or create) a run directory for `config`. A directory started with a different config is
   * refused, naming the first field that differs, and left untouched.
   */
  static open(dir: string, config: unknown, opts: { readOnly?: boolean } = {}): OpenedStore {
    if (opts.readOnly) ResultsStore.readConfig(dir);
    else claimRunDir(dir, config);
    const chains = new AppendLog<ChainRecord>(path.join(dir, 'records.jsonl'), recordKey, opts.readOnly);
    let baseline: AppendLog<BaselineRecord>;
    try {
      baseline = new AppendLog<BaselineRecord>(path.join(dir, 'baseline.jsonl'), baselineKey, opts.readOnly);
    } catch (e) {
      chains.close();
      throw e;
    }
    return { store: new ResultsStore(dir, chains, baseline), tornBytes: chains.tornBytes + baseline.tornBytes };
  }

  /** Read a finished or partial run directory without writing to it. */
  static readConfig(dir: string): unknown {
    const cfgPath = path.join(dir, 'config.json');
    if (!fs.existsSync(cfgPath)) throw new ResultsError(`${dir}: not a run directory (no config.json); pass the --out directory of a \`chaingap run\``);
    return readJsonFile(cfgPath, undefined, { what: 'the config.json a run directory starts with', as: ResultsError });
  }

  has(key: string): boolean {
    return this.chains.has(key);
  }

  all(): readonly ChainRecord[] {
    return this.chains.all();
  }

  append(r: ChainRecord): void {
    this.chains.append(r);
  }

  close(): void {
    this.chains.close();
    this.baseline.close();
  }
}

/** Write `config.json` into a new run directory, or check that an existing one holds the same config. */
export function claimRunDir(dir: string, config: unknown): void {
  fs.mkdirSync(dir, { recursive: true });
  const cfgPath = path.join(dir, 'config.json');
  const cfgText = JSON.stringify(config, null, 2) + '\n';
  if (fs.existsSync(cfgPath)) {
    const old = fs.readFileSync(cfgPath, 'utf8');
    if (old !== cfgText) {
      let diff: string;
      try {
        diff = firstDifference(JSON.parse(old), config) ?? '(formatting)';
      } catch {
        throw new ResultsError(`${cfgPath}: not valid JSON; this directory was damaged or is not a chaingap run; use a new --out directory`);
      }
      throw new ResultsError(`${cfgPath}: this run directory was started with another config (field ${diff} differs); use a new --out directory or the original options`);
    }
  } else {
    writeDurably(cfgPath, cfgText);
  }
}

/** Write a file through a temporary name and rename, so a reader never sees half of it. */
export function writeDurably(file: string, text: string | Uint8Array): void {
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, text);
  const fd = fs.openSync(tmp, 'r');
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  fs.renameSync(tmp, file);
}

/** JSON path of the first difference between two plain values, or null when equal. */
function firstDifference(a: unknown, b: unknown, at = ''): string | null {
  if (a === b) return null;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return at || '(root)';
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of [...keys].sort()) {
    const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], Array.isArray(a) ? `${at}[${k}]` : at ? `${at}.${k}` : k);
    if (d) return d;
  }
  return null;
}
