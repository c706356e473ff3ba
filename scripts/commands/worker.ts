// `chaingap worker`: run sweep units from a Redis queue (runner/queue/worker.ts) on this machine.
import { type Command, Option } from 'commander';
import { ONNX_DEVICES, type OnnxDevice } from '../../policies/onnx-model.ts';
import { checkQueueName, checkQueueUrl } from '../../runner/queue/queue-url.ts';
import { type CliContext, interruptible, intOption, positiveNumber } from '../options.ts';

export function registerWorker(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('worker')
    .description('Run the units of queued sweeps (`sweep --queue`) on this machine until stopped: each result goes back through Redis to the sweep that collects it. Ctrl-C or SIGTERM finishes the units under way, then exits. Exit 2 if it refused a job planned by another chaingap version or other model weights.')
    .requiredOption('--queue <redis-url>', 'the Redis the sweeps enqueue to (redis://host:port)')
    .option('--queue-name <name>', 'BullMQ queue name (the sweep\'s --queue-name)', 'chaingap')
    .option('-c, --concurrency <n>', 'units run at once, each on its own thread (about one per core)', intOption('--concurrency', 1), 1)
    .option('--name <name>', 'this worker\'s name in `sweep --status` (default host:pid)')
    .option('--lock-seconds <s>', 'how long a unit\'s lock lasts unrenewed: how soon the unit of a killed worker is run again elsewhere', positiveNumber('--lock-seconds'), 30)
    .option('--idle-exit <s>', 'exit once the queue has had no waiting, retrying or running unit for this long (batch jobs, e.g. a Kubernetes Job)', positiveNumber('--idle-exit'))
    // Only what belongs to the machine: everything that decides a result (execute, ensembling, preset) is the sweep's.
    .addOption(new Option('--device <d>', 'ONNX execution provider on this machine (default: what the sweep planned, usually auto)').choices([...ONNX_DEVICES]))
    .option('--api-key <key>', 'remote policies: API key this machine sends (default: $CHAINGAP_API_KEY, else the sweep\'s)');
  cmd
    .action(async (o: { device?: OnnxDevice; apiKey?: string } & { queue: string; queueName: string; concurrency: number; name?: string; lockSeconds: number; idleExit?: number }) => {
      checkQueueUrl(o.queue);
      checkQueueName(o.queueName);
      const stop = interruptible({ signals: ['SIGINT', 'SIGTERM'], message: 'chaingap worker: stopping: finishing the units under way (again to quit at once)\n' });
      try {
        const { runQueueWorker } = await import('../../runner/queue/worker.ts');
        const r = await runQueueWorker({
          url: o.queue, name: o.queueName, concurrency: o.concurrency, workerName: o.name, lockMs: o.lockSeconds * 1000,
          policyOptions: { ...(o.device ? { device: o.device } : {}), ...((o.apiKey ?? process.env.CHAINGAP_API_KEY) ? { apiKey: o.apiKey ?? process.env.CHAINGAP_API_KEY } : {}) },
          idleExitMs: o.idleExit === undefined ? undefined : o.idleExit * 1000, signal: stop.signal,
        });
        process.stderr.write(`chaingap worker ${r.workerName}: ${r.done} unit(s) done, ${r.failed} failed attempt(s)\n`);
        if (r.refused) {
          process.stderr.write(`chaingap worker ${r.workerName}: refused a job: ${r.refused}\n`);
          ctx.exitCode = 2;
        }
      } finally {
        stop.dispose();
      }
    });
}
