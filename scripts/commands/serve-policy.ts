// `chaingap serve-policy`.
import type { Command } from 'commander';
import { servePolicy } from '../../policies/policy-server.ts';
import { PolicyError, parsePolicy } from '../../policies/registry.ts';
import { type CliContext, intOption } from '../options.ts';
import { type PolicyCliOptions, addPolicyOptions, policyOptionsFrom } from '../policy-options.ts';

export function registerServePolicy(program: Command, ctx: CliContext): void {
  const serveCmd = program
    .command('serve-policy')
    .description("Serve a learned policy (onnx:<model.onnx>, or relay a ws:// one) over openpi's websocket protocol, so many evaluators (chaingap run --policy ws://host:port, or openpi clients) share one model; answers GET /healthz. Requests that arrive together are batched. Runs until interrupted.")
    .requiredOption('-p, --policy <spec>', 'the policy to serve: onnx:<model.onnx> or ws://host:port (simulator-state policies such as the expert cannot be served: they read the simulator, not observations)')
    .option('--port <n>', 'port (0: any free port, printed)', intOption('--port'), 8000)
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option('--json', 'print {url, port, metadata} as one JSON line on stdout once listening');
  addPolicyOptions(serveCmd)
    .action(async (o: PolicyCliOptions & { policy: string; port: number; host: string; json?: boolean }) => {
      const opts = policyOptionsFrom(o);
      const host = await parsePolicy(o.policy).open(opts);
      if (!host.model) {
        await host.close();
        throw new PolicyError(`serve-policy: ${o.policy} reads simulator state, not observations, so it cannot be served; serve an onnx:<model.onnx> or ws:// policy`);
      }
      const server = await servePolicy(host.model, { port: o.port, host: o.host, preset: opts.preset, apiKey: opts.apiKey });
      if (o.json) process.stdout.write(JSON.stringify({ url: server.url, port: server.port, metadata: host.model.metadata() }) + '\n');
      process.stderr.write(`serving ${host.model.id} at ${server.url} (preset ${opts.preset!.name}); GET /healthz; Ctrl-C to stop\n`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await server.close();
      await host.close();
    });
}
