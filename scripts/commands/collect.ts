// `chaingap collect`.
import { type Command, Option } from 'commander';
import { collectDemos } from '../../runner/data/collect.ts';
import { DEFAULT_CHAIN_STEPS } from '../../scenes/chains.ts';
import { ACTION_MODES, type ActionMode } from '../../sim/controller.ts';
import { type CliContext, interruptible, intOption, reportInterrupted } from '../options.ts';
import { prepareOutDir } from '../output-paths.ts';

export function registerCollect(program: Command, ctx: CliContext): void {
  program
    .command('collect')
    .description('Expert demonstrations as a LeRobot dataset (v2.1 layout: meta/info.json, tasks, episodes, stats; data/chunk-000/episode_*.parquet with both camera images, observation.state and action): the expert runs generated chains in the controlled setting and every step it solves is an episode. Run again with the same options to resume.')
    .requiredOption('-o, --out <dir>', 'dataset directory (created; a partial collection with the same options is resumed)')
    .option('--scene <name>', 'scene to generate chains in', 'kitchen')
    .option('-c, --chains <n>', 'chains to run', intOption('--chains', 1), 50)
    .option('--steps <n>', 'steps per chain', intOption('--steps', 1), DEFAULT_CHAIN_STEPS)
    .option('--single <n>', 'also this many single-task episodes per distinct task of the chains, each from a fresh reset (LIBERO-style demonstrations)', intOption('--single', 0), 0)
    .option('-s, --seed <n>', 'seed of the chains and layouts', intOption('--seed'), 0)
    .option('--preset <name>', 'observation preset whose state layout observation.state uses (libero: eef pos + axis-angle + gripper qpos in LIBERO\'s frame; chaingap: lossless)', 'libero')
    .option('--size <px>', 'side of the square camera images', intOption('--size', 16), 128)
    .addOption(new Option('--action-mode <mode>', 'action mode the expert acts in (and the dataset records)').choices([...ACTION_MODES]).default('delta_ee'))
    .option('--json', 'print the result as JSON')
    .action(async (o: { out: string; scene: string; chains: number; steps: number; single: number; seed: number; preset: string; size: number; actionMode: ActionMode; json?: boolean }) => {
      prepareOutDir('--out', o.out);
      const interrupt = interruptible();
      const r = await collectDemos({
        signal: interrupt.signal,
        out: o.out, scene: o.scene, chains: o.chains, steps: o.steps, single: o.single, seed: o.seed, preset: o.preset, size: o.size, actionMode: o.actionMode,
        onProgress: (p) => process.stderr.write(`\rchains and single-task episodes ${p.chains}/${p.total}: ${p.episodes} episodes, ${p.frames} frames`),
      }).finally(() => interrupt.dispose());
      process.stderr.write('\n');
      if (r.stopped) {
        reportInterrupted(ctx, r.planned! - r.stopped, r.planned!, 'chains and single-task episodes', r.dir, 'dataset (what was collected)');
        return;
      }
      if (o.json) process.stdout.write(JSON.stringify(r) + '\n');
      else process.stderr.write(`${r.dir}: ${r.episodes} episodes, ${r.frames} frames, ${(r.bytes / 2 ** 20).toFixed(1)} MiB in ${r.seconds.toFixed(0)} s (${r.failedSteps} unsolved steps left out${r.resumedChains ? `; ${r.resumedChains} chains were already collected` : ''})\n`);
    });
}
