// `chaingap libero`.
import { type Command, Option } from 'commander';
import { LIBERO_CHAIN_STEPS } from '../../runner/libero/libero-chains.ts';
import { liberoText } from '../../runner/libero/libero-report.ts';
import { LIBERO_EPISODES, LIBERO_IDLE_STEPS, LIBERO_SUITES, type LiberoSuite } from '../../runner/libero/libero-suite.ts';
import { runLibero } from '../../runner/libero/libero.ts';
import { ACTION_MODES, type ActionMode } from '../../sim/controller.ts';
import { type CliContext, interruptible, intOption, reportInterrupted } from '../options.ts';
import { type PolicyCliOptions, addPolicyOptions, policyOptionsFrom } from '../policy-options.ts';
import { Progress } from '../progress.ts';
import { prepareOutDir } from '../output-paths.ts';

export function registerLibero(program: Command, ctx: CliContext): void {
  const liberoCmd = program
    .command('libero')
    .description("Run a folder of LIBERO BDDL files the way LIBERO's evaluations do (openpi's examples/libero/main.py): per task, N episodes from fresh seeded initial states, the suite's step budget (220 libero_spatial, 280 libero_object, 300 libero_goal, 520 libero_10, 400 libero_90; from the folder name) after 10 do-nothing steps; prints the per-task success table with Wilson 95% CIs and the suite mean; writes results.jsonl (resumable), summary.json, report.md, report.html. Files that do not import are listed with their error. Exit 2 when no file imports.")
    .argument('<dir>', 'a folder of .bddl problem files (named libero_spatial, libero_object, libero_goal, libero_10 or libero_90 for LIBERO\'s budget)')
    .option('-e, --episodes <n>', 'episodes per task', intOption('--episodes', 1), LIBERO_EPISODES)
    .option('-p, --policy <spec>', 'policy: expert | bernoulli:<p> | noisy-expert:<sigma> | onnx:<model.onnx> | ws://host:port', 'expert')
    .option('--budget <n>', 'policy steps per episode (overrides the suite\'s budget)', intOption('--budget', 1))
    .addOption(new Option('--suite <name>', 'use this suite\'s budget whatever the folder is called').choices(LIBERO_SUITES))
    .option('--idle-steps <n>', 'do-nothing steps after each reset before the policy acts', intOption('--idle-steps'), LIBERO_IDLE_STEPS)
    .option('-o, --out <dir>', 'results directory (default runs/libero/<folder name>; resumed when it holds this run)')
    .option('--chains', 'also run chains of the tasks that share a scene (LIBERO-style long horizons) against the single-task rates')
    .option('--chain-steps <n>', 'steps per chain at most', intOption('--chain-steps', 2), LIBERO_CHAIN_STEPS)
    .option('--chain-runs <n>', 'runs per chain (default: --episodes)', intOption('--chain-runs', 1))
    .option('-s, --seed <n>', 'seed of the initial states and the chain orders', intOption('--seed'), 0)
    .option('--stand-in', 'replace object categories the library does not have by a stand-in instead of failing the file')
    .option('-b, --batch <n>', 'episodes run side by side', intOption('--batch', 1), 1)
    .addOption(new Option('--action-mode <mode>', 'how actions are read (osc_pose: robosuite-OSC-like set-point tracking, for LIBERO-trained models; docs/libero-conventions.md)').choices([...ACTION_MODES]).default('delta_ee'))
    .option('--json', 'print the summary as one JSON document on stdout');
  addPolicyOptions(liberoCmd)
    .action(async (dir: string, o: PolicyCliOptions & {
      episodes: number; policy: string; budget?: number; suite?: LiberoSuite; idleSteps: number; out?: string; chains?: boolean;
      chainSteps: number; chainRuns?: number; seed: number; standIn?: boolean; batch: number; actionMode: ActionMode; json?: boolean;
    }) => {
      const progress = new Progress(process.stderr);
      const out = o.out ?? `runs/libero/${dir.replace(/\/+$/, '').split('/').pop()}`;
      prepareOutDir('--out', out);
      const interrupt = interruptible();
      let r;
      try {
        r = await runLibero({
          signal: interrupt.signal,
          dir, out, episodes: o.episodes, policy: o.policy, policyOptions: policyOptionsFrom(o), budget: o.budget, suite: o.suite,
          idleSteps: o.idleSteps, seed: o.seed, standIn: o.standIn, batch: o.batch, env: { actionMode: o.actionMode },
          chains: o.chains ? { steps: o.chainSteps, ...(o.chainRuns ? { runs: o.chainRuns } : {}) } : false,
          onProgress: (p) => progress.update(p),
        });
      } finally {
        interrupt.dispose();
        progress.stop();
      }
      if (r.stopped) {
        reportInterrupted(ctx, r.planned! - r.stopped, r.planned!, 'episodes and chain runs', r.files.reportHtml);
        return;
      }
      if (r.resumed.episodes || r.resumed.chains || r.tornBytes || r.stale) {
        process.stderr.write(`resumed: ${r.resumed.episodes} episodes and ${r.resumed.chains} chain runs were already recorded${r.stale ? `; ${r.stale} records of an earlier import of a changed file are not counted` : ''}${r.tornBytes ? `; a torn last record (${r.tornBytes} bytes) was cut off and redone` : ''}\n`);
      }
      if (o.json) process.stdout.write(JSON.stringify(r.summary) + '\n');
      else process.stderr.write(`\n${liberoText(r.summary)}\n\nreports: ${r.files.reportHtml}\n         ${r.files.summaryJson}\n         ${r.files.results}\n`);
      if (r.summary.imported === 0) {
        process.stderr.write(`chaingap: no file of ${dir} imported (see the errors above); nothing was run\n`);
        ctx.exitCode = 2;
      }
    });
}
