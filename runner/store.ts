// Append-only results: one JSON line per chain run, fsynced as it finishes, beside the config the run
// was started with. Reopening resumes: finished chains are known by key, a torn last line (a write
// cut by a kill) is cut off so that chain is redone, and anything else unexpected is an error.
import fs from 'node:fs';
import path from 'node:path';
import type { ChainRecord } from './records.ts';

export class ResultsError extends Error {}

/** The identity of a chain run within a run directory. */
export function recordKey(r: Pick<ChainRecord, 'chainId' | 'repeat'>): string {
  return `${r.chainId}#${r.repeat}`;
}

export interface OpenedStore {
  store: ResultsStore;
  /** Bytes of a torn trailing record that were cut off (0 when the file ended cleanly). */
  tornBytes: number;
}

export class ResultsStore {
  private readonly records: ChainRecord[] = [];
  private readonly keys = new Set<string>();
  private fd: number;

  private constructor(readonly dir: string, readonly file: string) {
    this.fd = -1;
  }

  /**
   * Open (or create) a run directory for `config`. A directory started with a different config is
   * refused, naming the first field that differs, and left untouched.
   */
  static open(dir: string, config: unknown): OpenedStore {
    fs.mkdirSync(dir, { recursive: true });
    const cfgPath = path.join(dir, 'config.json');
    const cfgText = JSON.stringify(config, null, 2) + '\n';
    if (fs.existsSync(cfgPath)) {
      const old = fs.readFileSync(cfgPath, 'utf8');
      if (old !== cfgText) {
        const diff = firstDifference(JSON.parse(old), config) ?? '(formatting)';
        throw new ResultsError(`${cfgPath}: this run directory was started with another config (field ${diff} differs); use a new --out directory or the original options`);
      }
    } else {
      writeDurably(cfgPath, cfgText);
    }
    const store = new ResultsStore(dir, path.join(dir, 'records.jsonl'));
    const tornBytes = store.load();
    store.fd = fs.openSync(store.file, 'a');
    return { store, tornBytes };
  }

  private load(): number {
    if (!fs.existsSync(this.file)) return 0;
    const buf = fs.readFileSync(this.file);
    const text = buf.toString('utf8');
    const end = text.lastIndexOf('\n') + 1;
    const lines = text.slice(0, end).split('\n').slice(0, -1);
    lines.forEach((line, i) => {
      let r: ChainRecord;
      try {
        r = JSON.parse(line) as ChainRecord;
      } catch {
        throw new ResultsError(`${this.file}: line ${i + 1} is not valid JSON and is not the last line; the file was edited or damaged, so it will not be guessed at`);
      }
      const key = recordKey(r);
      if (this.keys.has(key)) throw new ResultsError(`${this.file}: line ${i + 1}: chain ${key} is recorded twice`);
      this.keys.add(key);
      this.records.push(r);
    });
    // Whatever follows the last newline is a record whose write was cut short: drop it, redo the chain.
    const torn = Buffer.byteLength(text.slice(end));
    if (torn > 0) fs.truncateSync(this.file, buf.length - torn);
    return torn;
  }

  has(key: string): boolean {
    return this.keys.has(key);
  }

  /** Records in the order they were written. */
  all(): readonly ChainRecord[] {
    return this.records;
  }

  /** Append one finished chain and make it durable before returning. */
  append(r: ChainRecord): void {
    const key = recordKey(r);
    if (this.keys.has(key)) throw new ResultsError(`${this.file}: chain ${key} is already recorded`);
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

function writeDurably(file: string, text: string): void {
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
