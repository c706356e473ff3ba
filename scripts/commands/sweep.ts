// `chaingap sweep`.
import { type Command, Option } from 'commander';
import { UserError } from '../../scenes/errors.ts';
import { healthLine } from '../../runner/results/health.ts';
import { type RecordMode } from '../../runner/view/recording.ts';
import { loadSweepSpec, runSweep } from '../../runner/sweep/sweep.ts';
import { type CliContext, interruptible, intOption, reportInterrupted } from '../options.ts';
import { Progress } from '../progress.ts';
import { type PolicyCliOptions, addPolicyOptions, policyOptionsFrom } from '../policy-options.ts';
import { summaryTable } from '../tables.ts';
import { prepareOutDir } from '../output-paths.ts';

export function registerSweep(program: Command, ctx: CliContext): void {
  const sweepCmd = program
    .command('sweep')
    .description('Run a sweep spec (policies x OOD settings x chains x repeats, always with the controlled setting, plus each policy\'s controlled baseline) on worker threads; resumes; writes one run directory per policy and setting, summary.json and report.html.')
    .argument('<spec>', 'sweep spec JSON: {name, policies, scene, axes: {axis: [levels]}, design: one-at-a-time|grid, chains, steps, repeats, mode, seed, baselineEpisodes}')
    .requiredOption('-o, --out <dir>', 'sweep directory (resumed when it holds this sweep)')
    .option('-w, --workers <n>', 'worker threads', intOption('--workers', 1), 1)
    .option('--shard <i/n>', 'run only share i of n (0-based), for splitting a sweep across machines')
    .option('--salt <secret>', 'private salt for a fresh test set (only its hash is recorded)')
    .option('--json', 'print the sweep summary on stdout')
    .addOption(new Option('--record <which>', 'keep chain trajectories (poses at 10 Hz, steps, outcomes, health events) in each cell\'s recordings/').choices(['none', 'failures', 'all']).default('none'));
  addPolicyOptions(sweepCmd)
    .action(async (file: string, o: PolicyCliOptions & { out: string; workers: number; shard?: string; json?: boolean; salt?: string; record: RecordMode }) => {
      prepareOutDir('--out', o.out);
      let shard: { index: number; count: number } | undefined;
      if (o.shard) {
        const m = /^(\d+)\/(\d+)$/.exec(o.shard);
        if (!m || Number(m[1]) >= Number(m[2])) throw new UserError(`--shard must be i/n with 0 <= i < n, got "${o.shard}"`);
        shard = { index: Number(m[1]), count: Number(m[2]) };
      }
      const spec = loadSweepSpec(file);
      const progress = new Progress(process.stderr);
      const interrupt = interruptible();
      const r = await runSweep(spec, {
        out: o.out, workers: o.workers, shard, salt: o.salt, record: o.record, policyOptions: policyOptionsFrom(o), signal: interrupt.signal,
        onProgress: (done, total, resumed, u) => progress.update({ phase: 'units', done, total, resumed, chain: u?.chain, baseline: u?.baseline }, 'sweep'),
      }).finally(() => {
        interrupt.dispose();
        progress.stop();
      });
      if (interrupt.signal.aborted && r.stopped) {
        reportInterrupted(ctx, r.units!.recorded, r.units!.total, 'units (chain runs and baseline episodes)', r.files!.reportHtml);
        return;
      }
      if (o.json) process.stdout.write(JSON.stringify(r) + '\n');
      else {
        process.stderr.write(`\n${r.ran} units run, ${r.resumed} already recorded; ${r.workers} worker(s), ${Number.isFinite(r.chainsPerHour) ? r.chainsPerHour.toFixed(0) : 'n/a'} chains/hour\n\n`);
        process.stderr.write(summaryTable(r.cells.map((c) => ({ ...c.summary, policy: `${c.policy} ${c.setting}` }))) + '\n');
        process.stderr.write(`\n${healthLine(r.physicsHealth)}\n`);
        if (r.recordings.written) process.stderr.write(`recorded ${r.recordings.written} chain runs in the cells' recordings/ (${((r.recordings.meanBytes ?? 0) / 1024).toFixed(1)} KiB per chain run on average)\n`);
        process.stderr.write(`\nreports: ${r.files!.reportHtml}\n         ${r.files!.summaryJson}\n`);
      }
    });
}
