// Output paths given on the command line (--out and friends): checked before any work starts, so a
// path that is a file, read-only or otherwise unusable is one line naming the flag and the fix, never
// a stack trace after minutes of work. `outputPathError` turns the same file-system mistakes met later
// (a disk that filled up, a directory made read-only mid-run) into such a line too.
import { type Stats, accessSync, closeSync, constants, mkdirSync, openSync, rmSync, statSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../scenes/errors.ts';

const WHY: Record<string, string> = {
  EEXIST: 'a file is in the way',
  ENOTDIR: 'a part of the path is a file, not a directory',
  EISDIR: 'it is a directory',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is exhausted',
  ENAMETOOLONG: 'the name is too long',
  ENOENT: 'the file system refuses new entries there',
};

function statOf(p: string): Stats | undefined {
  try {
    return statSync(p);
  } catch {
    return undefined;
  }
}

function fsCode(e: unknown): string | undefined {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && code in WHY ? code : undefined;
}

/**
 * Try to create `dir` (and what is missing above it), then remove what was created: the probe leaves
 * nothing behind, so a command that then finds bad input has written nothing.
 */
function probeDir(dir: string): void {
  const first = makeDirs(dir);
  if (first) rmSync(first, { recursive: true });
}

/**
 * mkdir -p, one level at a time; returns the first directory created. (Node's recursive mkdirSync
 * loops forever where a parent refuses new entries with ENOENT, as /proc does.)
 */
function makeDirs(dir: string): string | undefined {
  const missing: string[] = [];
  let d = path.resolve(dir);
  for (;;) {
    try {
      statSync(d);
      break;
    } catch {
      missing.unshift(d);
      const up = path.dirname(d);
      if (up === d) break;
      d = up;
    }
  }
  for (const m of missing) mkdirSync(m);
  return missing[0];
}

/** A directory the command writes into (created later by the command): an existing file or an unwritable place is a UserError. */
export function prepareOutDir(flag: string, dir: string): string {
  const st = statOf(dir);
  if (st && !st.isDirectory()) throw new UserError(`${flag} ${dir}: is a file, not a directory; give a directory path (it is created if missing)`);
  try {
    if (st) accessSync(dir, constants.W_OK);
    else probeDir(dir);
  } catch (e) {
    const code = fsCode(e);
    if (!code) throw e;
    throw new UserError(`${flag} ${dir}: cannot write there (${WHY[code]}, ${code}); give a directory you can write to`);
  }
  return dir;
}

/** A file the command writes (its directory is created if missing): a directory at the path or an unwritable place is a UserError. */
export function prepareOutFile(flag: string, file: string): string {
  const st = statOf(file);
  if (st?.isDirectory()) throw new UserError(`${flag} ${file}: is a directory; give a file path`);
  const dir = path.dirname(file);
  const dst = statOf(dir);
  if (dst && !dst.isDirectory()) throw new UserError(`${flag} ${file}: ${dir} is a file, not a directory; give a path in a directory`);
  try {
    if (!dst) makeDirs(dir);
    if (st) accessSync(file, constants.W_OK);
    else closeSync(openSync(file, 'wx')), unlinkSync(file);
  } catch (e) {
    const code = fsCode(e);
    if (!code) throw e;
    throw new UserError(`${flag} ${file}: cannot write there (${WHY[code]}, ${code}); give a path you can write to`);
  }
  return file;
}

/**
 * The one-line message for a file-system error a user can fix (the path, what went wrong, what to do),
 * or null when `e` is something else.
 */
export function outputPathError(e: unknown): string | null {
  const code = fsCode(e);
  if (!code) return null;
  const p = (e as NodeJS.ErrnoException).path ?? '(unknown path)';
  const fix = code === 'ENOSPC' || code === 'EDQUOT' ? 'free some space and run the same command again to resume' : 'check the path and its permissions; run the same command again to resume';
  return `${p}: ${WHY[code]} (${code}); ${fix}`;
}
