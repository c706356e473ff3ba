// Option parsers shared by the CLI's commands, and what an action can set for `main` to return.
import { InvalidArgumentError } from 'commander';
import { parseOod, type OodLevels } from '../scenes/ood.ts';

/** What a command's action reports back to `main`: the exit code when nothing was thrown. */
export interface CliContext {
  exitCode: number;
}

export function intOption(name: string, min = 0) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be a whole number >= ${min}, got "${v}"`);
    return n;
  };
}

export function positiveNumber(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive number, got "${v}"`);
    return n;
  };
}

export function fraction(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError(`${name} must be a number in [0, 1], got "${v}"`);
    return n;
  };
}

export function parseOodOption(v: string): OodLevels {
  try {
    return parseOod(v);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
}

/** Exit code of a command stopped by Ctrl-C (what was recorded is kept and reported). */
export const EXIT_INTERRUPTED = 130;

/**
 * Ctrl-C for a long command: the first signal aborts `signal` (the command takes no new work, finishes
 * the units running and writes its report from what is recorded); a second one quits at once (130).
 * `signals` (default SIGINT; a worker also takes SIGTERM) and the line printed can be chosen.
 */
export function interruptible(o: { signals?: NodeJS.Signals[]; message?: string } = {}): { signal: AbortSignal; dispose(): void } {
  const ac = new AbortController();
  const signals = o.signals ?? ['SIGINT'];
  const onSignal = () => {
    if (ac.signal.aborted) process.exit(EXIT_INTERRUPTED);
    ac.abort();
    process.stderr.write(o.message ?? '\nchaingap: interrupted: finishing the work under way and writing the report (Ctrl-C again to quit at once)\n');
  };
  for (const s of signals) process.on(s, onSignal);
  return { signal: ac.signal, dispose: () => { for (const s of signals) process.off(s, onSignal); } };
}

/** The lines an interrupted command ends with; sets the exit code to 130. */
export function reportInterrupted(ctx: CliContext, recorded: number, total: number, unit: string, report: string, label = 'report (partial)'): void {
  process.stderr.write(`chaingap: interrupted: ${recorded} of ${total} ${unit} recorded; run the same command again to resume\n${label}: ${report}\n`);
  ctx.exitCode = EXIT_INTERRUPTED;
}
