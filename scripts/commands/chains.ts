// `chaingap chains`.
import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { DEFAULT_CHAIN_STEPS, generateChains } from '../../scenes/chains.ts';
import { type CliContext, intOption } from '../options.ts';
import { prepareOutFile } from '../output-paths.ts';

export function registerChains(program: Command, ctx: CliContext): void {
  program
    .command('chains')
    .description('Generate solvable chains for a scene and write them as a chain file (to edit, share, or pass to `run --chain-file`).')
    .option('--scene <name>', 'scene', 'kitchen')
    .option('-c, --count <n>', 'number of chains', intOption('--count', 1), 5)
    .option('--steps <n>', 'steps per chain', intOption('--steps', 1), DEFAULT_CHAIN_STEPS)
    .option('-s, --seed <n>', 'seed', intOption('--seed'), 0)
    .option('-o, --out <file>', 'write the chains here (default: stdout)')
    .action((o: { scene: string; count: number; steps: number; seed: number; out?: string }) => {
      if (o.out) prepareOutFile('--out', o.out);
      const chains = generateChains({ scene: o.scene, count: o.count, steps: o.steps, seed: o.seed });
      const text = JSON.stringify(chains, null, 2) + '\n';
      if (o.out) {
        writeFileSync(o.out, text);
        process.stderr.write(`${chains.length} chains of ${o.steps} steps written to ${o.out}\n`);
      } else process.stdout.write(text);
    });
}
