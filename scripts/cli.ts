// The `chaingap` command line: a thin layer over the library API, one module per command in
// scripts/commands/. Human text goes to stderr; data (`--json`, `list`) goes to stdout.
//
// Exit codes, decided here and nowhere else:
//   0    success
//   1    the command ran but a check failed (`run --fail-below`: S_N under the threshold; `ci`: a floor
//        broken or a significant regression; `merge`: conflicts or missing units)
//   2    a mistake the user can fix (a `UserError`, scenes/errors.ts; a bad option or path): unknown
//        scene/task/policy, a bad spec, chain file, CI config or model manifest, an --out that is a file
//        or not writable, a results directory started with another config, a policy server that stayed
//        unreachable, a `ci` job whose time budget ran out. One line on stderr names the file or flag
//        and the fix; nothing already recorded is touched (run the same command again to resume).
//   3    chaingap itself failed (a bug): the stack trace is printed; please report it.
//   130  interrupted (Ctrl-C): what was recorded is kept and reported; the same command resumes.
import { Command, CommanderError } from 'commander';
import { UserError } from '../scenes/errors.ts';
import { PolicyUnavailableError } from '../sim/policy.ts';
import { outputPathError } from './output-paths.ts';
import type { CliContext } from './options.ts';
import { registerChains } from './commands/chains.ts';
import { registerCi } from './commands/ci.ts';
import { registerCollect } from './commands/collect.ts';
import { registerDemo } from './commands/demo.ts';
import { registerImportBddl } from './commands/import-bddl.ts';
import { registerLibero } from './commands/libero.ts';
import { registerList } from './commands/list.ts';
import { registerMerge } from './commands/merge.ts';
import { registerRender } from './commands/render.ts';
import { registerReport } from './commands/report.ts';
import { registerRun } from './commands/run.ts';
import { registerServePolicy } from './commands/serve-policy.ts';
import { registerSweep } from './commands/sweep.ts';
import { registerTasks } from './commands/tasks.ts';
import { registerTrain } from './commands/train.ts';
import { registerVideo } from './commands/video.ts';
import { registerView } from './commands/view.ts';
import { registerWorker } from './commands/worker.ts';

export const EXIT = { ok: 0, checkFailed: 1, userError: 2, crash: 3, interrupted: 130 } as const;

/** The program with every command registered; actions set `ctx.exitCode` when they finish normally. */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command();
  program
    .name('chaingap')
    .description('Measure how robot manipulation policies hold up per step, over 10-step chains, and out of distribution.')
    .exitOverride()
    .configureOutput({ writeOut: (s) => process.stderr.write(s), writeErr: (s) => process.stderr.write(s) })
    .addHelpText('after', '\nExit codes: 0 success; 1 a check failed (run --fail-below, ci); 2 a mistake to fix (bad input, flag or path; nothing recorded is touched); 3 a chaingap bug; 130 interrupted (run the same command again to resume).');
  for (const register of [
    registerRun, registerSweep, registerMerge, registerCi, registerReport, registerChains, registerDemo, registerRender,
    registerVideo, registerCollect, registerTrain, registerView, registerImportBddl, registerTasks, registerLibero,
    registerServePolicy, registerWorker, registerList,
  ]) register(program, ctx);
  return program;
}

/** Run the CLI on `argv` (process.argv layout); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const ctx: CliContext = { exitCode: EXIT.ok };
  try {
    await buildProgram(ctx).parseAsync(argv);
  } catch (e) {
    return exitCodeFor(e);
  }
  return ctx.exitCode;
}

/** The one mapping from an error to an exit code and what the user reads. */
export function exitCodeFor(e: unknown): number {
  // Commander has printed its own message (unknown option, bad value, --help).
  if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.userError;
  const user = e instanceof PolicyUnavailableError
    ? `${e.message}; the results recorded so far are kept: run the same command again to resume`
    : e instanceof UserError ? e.message : outputPathError(e);
  if (user !== null) {
    process.stderr.write(`chaingap: ${user}\n`);
    return EXIT.userError;
  }
  process.stderr.write(`chaingap: internal error (a bug in chaingap; please report it with this trace):\n${(e as Error)?.stack ?? String(e)}\n`);
  return EXIT.crash;
}
