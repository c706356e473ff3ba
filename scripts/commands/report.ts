// `chaingap report`.
import type { Command } from 'commander';
import { reportRun } from '../../runner/chains/run.ts';
import { type CliContext } from '../options.ts';
import { printRunResult } from './run.ts';

export function registerReport(program: Command, ctx: CliContext): void {
  program
    .command('report')
    .description('Recompute summary.json, report.md and report.html of a run directory from its records.')
    .argument('<dir>', 'a run directory written by `chaingap run`')
    .option('--json', 'print the summary as one JSON document on stdout')
    .action(async (dir: string, o: { json?: boolean }) => {
      const r = await reportRun(dir);
      const [done, planned] = r.partial.chains;
      if (done < planned || Number.isNaN(r.summary.baseline.P_ind)) {
        process.stderr.write(`note: a partial run (${done} of ${planned} chain runs, ${r.partial.baseline} baseline episodes recorded); P_ind, C and O need the whole baseline\n`);
      }
      printRunResult({ dir, summary: r.summary, files: r.files, recordings: { written: 0, meanBytes: null } }, o.json);
    });
}
