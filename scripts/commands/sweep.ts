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
import { checkQueueName, checkQueueUrl } from '../../runner/queue/queue-url.ts';

export function registerSweep(program: Command, ctx: CliContext): void {
  const sweepCmd = program
    .command('sweep')
    .description('Run a sweep spec (policies x OOD settings x chains x repeats, always with the controlled setting, plus each policy\'s controlled baseline) on worker threads; resumes; writes one run directory per policy and setting, summary.json and report.html.')
    .argument('<spec>', 'sweep spec JSON: {name, policies, scene, axes: {axis: [levels]}, design: one-at-a-time|grid, chains, steps, repeats, mode, seed, baselineEpisodes}')
    .option('-o, --out <dir>', 'sweep directory (resumed when it holds this sweep); required unless --status')
    .option('-w, --workers <n>', 'worker threads', intOption('--workers', 1), 1)
    .option('--shard <i/n>', 'run only share i of n (0-based), for splitting a sweep across machines')
    .option('--salt <secret>', 'private salt for a fresh test set (only its hash is recorded)')
    .option('--queue <redis-url>', 'run the units on `chaingap worker`s through this Redis (redis://host:port); this process enqueues them and collects the results into --out (docs/distributed.md)')
    .option('--queue-name <name>', 'BullMQ queue name (workers must serve the same one)', 'chaingap')
    .option('--attempts <n>', 'with --queue: runs of a unit before it counts as failed (listed in the report; a rerun retries it)', intOption('--attempts', 1), 3)
    .option('--status', 'with --queue: print where this sweep\'s units are (waiting, running per worker, failed, collected) and exit; changes nothing')
    .option('--json', 'print the sweep summary (or with --status, the status) on stdout')
    .addOption(new Option('--record <which>', 'keep chain trajectories (poses at 10 Hz, steps, outcomes, health events) in each cell\'s recordings/').choices(['none', 'failures', 'all']).default('none'));
  addPolicyOptions(sweepCmd)
    .action(async (file: string, o: PolicyCliOptions & { out?: string; workers: number; shard?: string; json?: boolean; salt?: string; record: RecordMode; queue?: string; queueName: string; attempts: number; status?: boolean }) => {
      if (o.queue) {
        checkQueueUrl(o.queue);
        checkQueueName(o.queueName);
      }
      if (o.status) {
        if (!o.queue) throw new UserError('--status reads a queue: add --queue redis://host:port');
        const { queueStatus, statusLines } = await import('../../runner/queue/status.ts');
        const s = await queueStatus({ url: o.queue, name: o.queueName }, loadSweepSpec(file).name);
        process.stdout.write(o.json ? JSON.stringify(s) + '\n' : statusLines(s).join('\n') + '\n');
        return;
      }
      if (!o.out) throw new UserError("required option '-o, --out <dir>' not specified");
      if (o.queue && o.shard) throw new UserError('--shard and --queue do not mix: the queue already spreads the units over every worker');
      const out = o.out;
      prepareOutDir('--out', out);
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
        out, workers: o.workers, shard, salt: o.salt, record: o.record, policyOptions: policyOptionsFrom(o), signal: interrupt.signal,
        ...(o.queue ? { queue: { url: o.queue, name: o.queueName, attempts: o.attempts } } : {}),
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
        const where = r.queue ? `queue ${r.queue.name} at ${r.queue.url} (${r.queue.duplicates} duplicate result(s) dropped, ${r.queue.requeued} job(s) enqueued again)` : `${r.workers} worker(s)`;
        process.stderr.write(`\n${r.ran} units run, ${r.resumed} already recorded; ${where}, ${Number.isFinite(r.chainsPerHour) ? r.chainsPerHour.toFixed(0) : 'n/a'} chains/hour\n\n`);
        process.stderr.write(summaryTable(r.cells.map((c) => ({ ...c.summary, policy: `${c.policy} ${c.setting}` }))) + '\n');
        process.stderr.write(`\n${healthLine(r.physicsHealth)}\n`);
        if (r.recordings.written) process.stderr.write(`recorded ${r.recordings.written} chain runs in the cells' recordings/ (${((r.recordings.meanBytes ?? 0) / 1024).toFixed(1)} KiB per chain run on average)\n`);
        process.stderr.write(`\nreports: ${r.files!.reportHtml}\n         ${r.files!.summaryJson}\n`);
      }
      if (r.failed?.length) {
        process.stderr.write(`chaingap: ${r.failed.length} unit(s) failed on the queue's workers and are in no figure (listed in the report):\n${r.failed.map((f) => `  ${f.unit}: ${f.error}`).join('\n')}\nrun the same command again to retry them\n`);
        ctx.exitCode = 1;
      }
    });
}
