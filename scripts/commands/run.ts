// `chaingap run`.
import { type Command, Option } from 'commander';
import { healthLine } from '../../runner/results/health.ts';
import { type LiveViewer, startLiveViewer } from '../../runner/view/live-viewer.ts';
import { type RecordMode } from '../../runner/view/recording.ts';
import { type RunOptions, type RunResult, runChains } from '../../runner/chains/run.ts';
import { DEFAULT_VIEW_PORT } from '../../runner/view/view-server.ts';
import { DEFAULT_CHAIN_STEPS } from '../../scenes/chains.ts';
import { type OodLevels } from '../../scenes/ood.ts';
import { ACTION_MODES, type ActionMode } from '../../sim/controller.ts';
import { type CliContext, fraction, interruptible, intOption, parseOodOption, reportInterrupted } from '../options.ts';
import { type PolicyCliOptions, addPolicyOptions, policyOptionsFrom } from '../policy-options.ts';
import { Progress } from '../progress.ts';
import { summaryTable } from '../tables.ts';
import { prepareOutDir } from '../output-paths.ts';

export interface RunCliOptions extends PolicyCliOptions {
  batch: number;
  laneGroups: number;
  scene: string; policy: string; chains: number; steps: number; chainFile?: string; repeats: number;
  mode: 'strict' | 'continue'; seed: number; paraphrases: 'instruction' | 'random'; baselineEpisodes: number;
  out: string; json?: boolean; failBelow?: number; sheets: number; record: RecordMode; ood: OodLevels; salt?: string;
  actionMode: ActionMode;
  live?: boolean; port: number; host: string;
}

export function printRunResult(r: Pick<RunResult, 'dir' | 'summary' | 'files' | 'recordings'>, json: boolean | undefined): void {
  if (json) process.stdout.write(JSON.stringify(r.summary) + '\n');
  else {
    process.stderr.write('\n' + summaryTable([r.summary]) + '\n');
    process.stderr.write(`\n${healthLine(r.summary.physicsHealth)}\n`);
    if (r.recordings.written) {
      process.stderr.write(`\nrecorded ${r.recordings.written} chain runs in ${r.dir}/recordings/ (${((r.recordings.meanBytes ?? 0) / 1024).toFixed(1)} KiB per chain run on average)\n`);
    }
    process.stderr.write(`\nreports: ${r.files.reportHtml}\n         ${r.files.reportMd}\n         ${r.files.summaryJson}\n`);
  }
}

export function registerRun(program: Command, ctx: CliContext): void {
  const runCmd = program
    .command('run')
    .description('Run chains (generated from a scene, or from --chain-file) with a policy, plus the controlled baseline; append results to --out and write summary.json, report.md, report.html. Run again with the same options to resume.')
    .requiredOption('-o, --out <dir>', 'run directory (created; an existing one is resumed if it holds the same run)')
    .option('-p, --policy <spec>', 'policy: expert | bernoulli:<p> | noisy-expert:<sigma> | onnx:<model.onnx> | ws://host:port (see `list policies`)', 'expert')
    .option('-b, --batch <n>', 'episodes run side by side; a learned policy is called once per control tick with up to n observations', intOption('--batch', 1), 1)
    .option('--lane-groups <n>', 'with --batch: split the episodes into n groups that call the policy in turn, so one group steps while another\'s call is in flight (remote policies); results are the same', intOption('--lane-groups', 1), 1)
    .option('--scene <name>', 'scene to generate chains in', 'kitchen')
    .option('-c, --chains <n>', 'number of chains to generate', intOption('--chains', 1), 20)
    .option('--steps <n>', 'steps per generated chain', intOption('--steps', 1), DEFAULT_CHAIN_STEPS)
    .option('--chain-file <file>', 'run the chains in this JSON file instead of generating them')
    .option('-r, --repeats <n>', 'runs per chain with different policy seeds (pass@k, pass^k)', intOption('--repeats', 1), 1)
    .addOption(new Option('-m, --mode <mode>', 'strict: stop at the first failure; continue: go on while the next step is possible').choices(['strict', 'continue']).default('strict'))
    .option('-s, --seed <n>', 'run seed (chains, layouts, policy seeds)', intOption('--seed'), 0)
    .addOption(new Option('--paraphrases <how>', 'instruction given per step').choices(['instruction', 'random']).default('instruction'))
    .option('--baseline-episodes <n>', 'controlled-baseline episodes per distinct task', intOption('--baseline-episodes', 1), 20)
    .option('--ood <levels>', 'OOD levels of the chains, e.g. clutter=0.5,lighting=1 (axes: see `list axes`); the baseline stays controlled', (v: string) => parseOodOption(v), {})
    .option('--salt <secret>', 'private salt: draws chains and layouts no public set holds; anyone with the salt reproduces them; only its hash is recorded')
    .option('--sheets <n>', 'contact sheets (agentview after each step) for the first n chains, in sheets/ and report.html', intOption('--sheets'), 0)
    .addOption(new Option('--record <which>', 'keep chain trajectories (poses at 10 Hz, steps, outcomes, health events) in recordings/').choices(['none', 'failures', 'all']).default('none'))
    .addOption(new Option('--action-mode <mode>', 'how actions are read: delta_ee moves the full scaled delta each step; osc_pose tracks it like robosuite\'s OSC (LIBERO-trained models; docs/libero-conventions.md)').choices([...ACTION_MODES]).default('delta_ee'))
    .option('--fail-below <s>', 'exit 1 when S_N is below this value (for CI)', fraction('--fail-below'))
    .option('--live', 'serve the viewer while the run goes on and stream every chain run to it (open the printed address)')
    .option('--port <n>', 'viewer port with --live', intOption('--port'), DEFAULT_VIEW_PORT)
    .option('--host <addr>', 'viewer address with --live (anything but loopback exposes the run to the network)', '127.0.0.1')
    .option('--json', 'print the summary as one JSON document on stdout');
  addPolicyOptions(runCmd)
    .action(async (o: RunCliOptions) => {
      prepareOutDir('--out', o.out);
      const progress = new Progress(process.stderr);
      const opts: RunOptions = {
        out: o.out, policy: o.policy, scene: o.scene, chains: o.chains, steps: o.steps, chainFile: o.chainFile,
        repeats: o.repeats, mode: o.mode, seed: o.seed, paraphrases: o.paraphrases, baselineEpisodes: o.baselineEpisodes,
        sheets: o.sheets, record: o.record, ood: o.ood, salt: o.salt, onProgress: (p) => progress.update(p),
        batch: o.batch, policyOptions: { ...policyOptionsFrom(o), laneGroups: o.laneGroups }, env: { actionMode: o.actionMode },
      };
      let viewer: LiveViewer | null = null;
      if (o.live) {
        viewer = await startLiveViewer({ dir: o.out, port: o.port, host: o.host });
        opts.live = viewer;
        process.stderr.write(`live viewer: ${viewer.url}\n`);
      }
      const interrupt = interruptible();
      opts.signal = interrupt.signal;
      let r: RunResult;
      try {
        r = await runChains(opts);
      } finally {
        interrupt.dispose();
        progress.stop();
        await viewer?.close();
      }
      if (r.stopped) {
        reportInterrupted(ctx, r.chainRuns.recorded, r.chainRuns.total, 'chain runs', r.files.reportHtml);
        return;
      }
      if (r.resumed.chains || r.resumed.baseline || r.tornBytes) {
        process.stderr.write(`resumed: ${r.resumed.chains} chain runs and ${r.resumed.baseline} baseline episodes were already recorded${r.tornBytes ? `; a torn last record (${r.tornBytes} bytes) was cut off and redone` : ''}\n`);
      }
      printRunResult(r, o.json);
      const sN = r.summary.S[r.summary.steps - 1]?.value ?? 0;
      if (o.failBelow !== undefined && !(sN >= o.failBelow)) {
        process.stderr.write(`chaingap: S_${r.summary.steps} = ${sN.toFixed(3)} is below --fail-below ${o.failBelow}\n`);
        ctx.exitCode = 1;
      }
    });
}
