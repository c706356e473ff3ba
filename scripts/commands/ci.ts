// `chaingap ci`.
import { type Command, Option } from 'commander';
import { appendFileSync, readFileSync } from 'node:fs';
import { loadCiConfig } from '../../runner/ci/ci-config.ts';
import { healthWarning } from '../../runner/ci/ci-report.ts';
import { CiInterrupted, runCi } from '../../runner/ci/ci.ts';
import { type RecordMode } from '../../runner/view/recording.ts';
import { type CliContext, interruptible, intOption, reportInterrupted } from '../options.ts';
import { Progress } from '../progress.ts';
import { prepareOutDir } from '../output-paths.ts';
import { checkQueueName, checkQueueUrl } from '../../runner/queue/queue-url.ts';

export function registerCi(program: Command, ctx: CliContext): void {
  program
    .command('ci')
    .description('Regression job for CI: run a config\'s seeded chains under its OOD settings plus the isolated-task baseline, check absolute floors, and compare with a reference; a drop fails only when significant at alpha (Holm) and at least minEffect. Writes summary.json, junit.xml and summary.md (also appended to $GITHUB_STEP_SUMMARY). Exit 0 pass, 1 regression or floor broken, 2 config or runtime error.')
    .requiredOption('-c, --config <file>', 'CI config JSON (see scripts/examples/chaingap.ci.json)')
    .option('--policy <spec>', 'policy to check instead of the config\'s (e.g. the checkpoint a training job just wrote)')
    .option('--update-baseline', 'write the reference file the config names from this run (never done implicitly); floors are still checked')
    .option('-o, --out <dir>', 'results directory (default: the config\'s out)')
    .option('--fresh', 'discard results a previous job left in the results directory instead of resuming them')
    .option('-w, --workers <n>', 'worker threads (default: the config\'s workers)', intOption('--workers', 1))
    .option('--queue <redis-url>', 'run the units on `chaingap worker`s through this Redis (docs/distributed.md); units that keep failing make the job an error (exit 2)')
    .option('--queue-name <name>', 'BullMQ queue name (workers must serve the same one)', 'chaingap')
    .option('--json', 'print summary.json on stdout')
    .addOption(new Option('--record <which>', 'keep chain trajectories of the job (poses at 10 Hz, steps, outcomes, health events) in the suites\' recordings/').choices(['none', 'failures', 'all']).default('none'))
    .action(async (o: { config: string; policy?: string; updateBaseline?: boolean; out?: string; fresh?: boolean; workers?: number; json?: boolean; record: RecordMode; queue?: string; queueName: string }) => {
      if (o.queue) {
        checkQueueUrl(o.queue);
        checkQueueName(o.queueName);
      }
      const cfg = loadCiConfig(o.config);
      prepareOutDir(o.out ? '--out' : `${o.config}: out`, o.out ?? cfg.out);
      const progress = new Progress(process.stderr, Boolean(process.stdout.isTTY && process.stderr.isTTY));
      const interrupt = interruptible();
      let r;
      try {
        r = await runCi(cfg, {
          policy: o.policy, updateBaseline: o.updateBaseline, out: o.out, fresh: o.fresh, workers: o.workers, record: o.record, signal: interrupt.signal,
          ...(o.queue ? { queue: { url: o.queue, name: o.queueName } } : {}),
          onProgress: (p) => progress.update({ phase: 'units', done: p.done, total: p.total, resumed: p.resumed, chain: p.result?.chain, baseline: p.result?.baseline }, `ci ${p.suite}`),
        });
      } catch (e) {
        if (!(e instanceof CiInterrupted)) throw e;
        progress.stop();
        reportInterrupted(ctx, e.recorded, e.total, 'units', e.reports.join(', ') || '(none written yet)');
        return;
      } finally {
        interrupt.dispose();
        progress.stop();
      }
      const md = readFileSync(r.files.markdown, 'utf8');
      if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, md + '\n');
      if (o.json) process.stdout.write(JSON.stringify(r) + '\n');
      const failed = r.checks.filter((c) => c.status === 'fail');
      for (const c of failed) process.stderr.write(`FAIL ${c.id}: ${c.message}\n`);
      for (const [g, h] of Object.entries(r.physicsHealth)) if (h.contaminated) process.stderr.write(`WARNING ${healthWarning(g, h)}\n`);
      if (r.recordings.written) process.stderr.write(`recorded ${r.recordings.written} chain runs (${((r.recordings.meanBytes ?? 0) / 1024).toFixed(1)} KiB each on average)\n`);
      process.stderr.write(`chaingap ci: ${r.status.toUpperCase()}: ${r.checks.length} checks, ${failed.length} failed${r.baselineWritten ? `; reference written to ${r.baselineWritten}` : ''}; ${r.wallSeconds.toFixed(0)} s\nreports: ${[...(r.suiteReports ?? []), r.files.markdown, r.files.junitXml].join('\n         ')}\n`);
      ctx.exitCode = r.exitCode;
    });
}
