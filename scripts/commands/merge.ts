// `chaingap merge`.
import type { Command } from 'commander';
import { mergeSweep, loadSweepSpec } from '../../runner/sweep/sweep.ts';
import { type CliContext } from '../options.ts';
import { prepareOutDir } from '../output-paths.ts';

export function registerMerge(program: Command, ctx: CliContext): void {
  program
    .command('merge')
    .description('Join the directories of shards of one sweep (run with --shard i/n, maybe on other machines) into one, report duplicates, conflicts and gaps, and write the sweep report. Nothing is run.')
    .argument('<spec>', 'the sweep spec the shards ran')
    .argument('<shards...>', 'shard directories')
    .requiredOption('-o, --out <dir>', 'merged sweep directory')
    .option('--json', 'print the merge report and sweep summary as JSON')
    .action(async (file: string, shards: string[], o: { out: string; json?: boolean }) => {
      prepareOutDir('--out', o.out);
      const spec = loadSweepSpec(file);
      const { merge, result } = await mergeSweep(spec, o.out, shards);
      if (o.json) process.stdout.write(JSON.stringify({ merge, sweep: result }) + '\n');
      else process.stderr.write(`${merge.cells} cells: ${merge.chainRecords} chain records and ${merge.baselineRecords} baseline records merged; ${merge.duplicates} duplicates kept once; ${merge.conflicts.length} conflicts${merge.conflicts.length ? ` (${merge.conflicts.slice(0, 5).join('; ')})` : ''}; ${merge.missing} units missing\nreport: ${result.files?.reportHtml}\n`);
      if (merge.conflicts.length || merge.missing) ctx.exitCode = 1;
    });
}
