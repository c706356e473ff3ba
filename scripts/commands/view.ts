// `chaingap view`.
import type { Command } from 'commander';
import { listRecordings } from '../../runner/view/view-data.ts';
import { DEFAULT_VIEW_PORT, startViewer } from '../../runner/view/view-server.ts';
import { type CliContext, intOption } from '../options.ts';

export function registerView(program: Command, ctx: CliContext): void {
  program
    .command('view')
    .description('Serve the three.js viewer for the recordings under a run directory (a run\'s, a sweep\'s or a ci job\'s out; record with --record): chain list with filters, playback with a timeline of the steps, side by side with the same chain seed at another setting. Stop with Ctrl-C.')
    .argument('<dir>', 'directory to serve (recordings are found below it)')
    .option('--port <n>', 'port (0: any free one)', intOption('--port'), DEFAULT_VIEW_PORT)
    .option('--host <addr>', 'address to bind; anything but loopback exposes the run directory to the network', '127.0.0.1')
    .option('--json', 'print the address and the recordings found as JSON')
    .action(async (dir: string, o: { port: number; host: string; json?: boolean }) => {
      const v = await startViewer({ dir, port: o.port, host: o.host });
      const n = listRecordings(dir).length;
      if (o.json) process.stdout.write(JSON.stringify({ url: v.url, recordings: n }) + '\n');
      else process.stderr.write(`viewer: ${v.url} (${n} recorded chain runs under ${dir}${n ? '' : '; record some with run --record all'}); Ctrl-C to stop\n`);
      await new Promise<void>((resolve) => {
        const stop = () => void v.close().then(resolve);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
