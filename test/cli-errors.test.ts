// Mistakes a user makes on the command line: each exits 2 with one line naming the flag or file and the
// fix, never a stack trace; a model that fails to load leaves the run directory unclaimed; Ctrl-C keeps
// what was recorded, writes the partial report, says how to resume, and exits 130.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const cli = (args: string[]) => spawnSync(process.execPath, ['scripts/chaingap.mjs', ...args], { encoding: 'utf8' });
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'chaingap-err-'));
const isRoot = process.getuid?.() === 0;
/** A path nobody can create: under /proc for root (which ignores permissions), else under a 0555 directory. */
function unwritable(name: string): string {
  if (isRoot) return `/proc/chaingap-test-${process.pid}/${name}`;
  const dir = tmp();
  fs.chmodSync(dir, 0o555);
  return path.join(dir, name);
}

/** Exit 2, one line on stderr matching `re`, nothing on stdout, no stack trace. */
function expectUserError(r: ReturnType<typeof cli>, re: RegExp): void {
  expect(r.status, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(re);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
}

describe('output paths: one line naming the flag, the path and the fix', () => {
  it('run --out at a file', () => {
    const file = path.join(tmp(), 'afile');
    fs.writeFileSync(file, 'x');
    expectUserError(cli(['run', '--out', file, '--chains', '1', '--steps', '2']), /--out .*afile: is a file.*give a directory path/);
  });

  it('run --out where nothing can be written', () => {
    const out = unwritable('run');
    expectUserError(cli(['run', '--out', out, '--chains', '1', '--steps', '2']), /--out .*run: cannot write there \(.*\); give a directory you can write to/);
  });

  it('sweep --out at a file', () => {
    const file = path.join(tmp(), 'afile');
    fs.writeFileSync(file, 'x');
    expectUserError(cli(['sweep', 'scripts/examples/sweep-kitchen.json', '--out', file]), /--out .*afile: is a file.*give a directory path/);
  });

  it('render --out where nothing can be written', () => {
    const out = unwritable('x.png');
    expectUserError(cli(['render', '--out', out]), /--out .*x\.png: cannot write there \(.*\); give a path you can write to/);
  });
});

it('a value the library refuses (not the option parser) is a user error too, and writes nothing', () => {
  const out = path.join(tmp(), 'c');
  expectUserError(cli(['collect', '--size', '1024', '-o', out]), /collect: size must be a whole number of pixels in 16\.\.512, got 1024/);
  expect(fs.existsSync(out)).toBe(false);
});

it('a model that fails to load exits 2 and leaves --out unclaimed, so the next run there works', () => {
  const dir = tmp();
  const model = path.join(dir, 'm', 'model.onnx');
  fs.mkdirSync(path.dirname(model));
  for (const f of ['manifest.json', 'vocab.json']) fs.copyFileSync(path.join('policies/models/example-cnn', f), path.join(dir, 'm', f));
  fs.writeFileSync(model, 'not an onnx model');
  const out = path.join(dir, 'run');
  const args = ['--out', out, '--chains', '1', '--steps', '1', '--baseline-episodes', '1'];
  expectUserError(cli(['run', '--policy', `onnx:${model}`, ...args]), /model\.onnx: .*cannot load the model/);
  expect(fs.existsSync(path.join(out, 'config.json'))).toBe(false);
  const ok = cli(['run', '--policy', 'expert', ...args]);
  expect(ok.status, ok.stderr).toBe(0);
  expect(ok.stderr).toMatch(/reports: .*report\.html/);
});

it('Ctrl-C keeps what was recorded, writes the partial report, says how to resume and exits 130; the rerun finishes the rest', async () => {
  const out = path.join(tmp(), 'run');
  const args = ['scripts/chaingap.mjs', 'run', '--out', out, '--chains', '3', '--steps', '1', '--baseline-episodes', '1'];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let sent = false;
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    stderr += s;
    if (!sent && /^chains: 1\/3/m.test(stderr)) {
      sent = true;
      child.kill('SIGINT');
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  expect(code, stderr).toBe(130);
  const m = /interrupted: (\d+) of 3 chain runs recorded; run the same command again to resume/.exec(stderr);
  expect(m, stderr).not.toBeNull();
  expect(stderr).toMatch(/report \(partial\): .*report\.html/);
  expect(stderr).not.toMatch(/^\s+at /m);
  expect(fs.existsSync(path.join(out, 'report.html'))).toBe(true);
  const recorded = Number(m![1]);
  // The chain run under way when Ctrl-C came finishes; whatever was not started is left for the rerun.
  expect(recorded).toBeGreaterThanOrEqual(1);

  const again = cli(args.slice(1));
  expect(again.status, again.stderr).toBe(0);
  expect(again.stderr).toMatch(new RegExp(`resumed: ${recorded} chain runs`));
  const lines = fs.readFileSync(path.join(out, 'records.jsonl'), 'utf8').trim().split('\n');
  expect(lines).toHaveLength(3);
});
