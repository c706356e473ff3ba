// The `chaingap` command line: a thin layer over the library API. Human text goes to stderr;
// `--json` prints exactly one JSON document on stdout.
//
// Exit codes:
//   0  success
//   1  the command ran but a check failed (`run --fail-below`: S_N under the threshold; `ci`: a floor
//      broken or a significant regression)
//   2  bad input: unknown scene/task/policy, a bad spec, chain file, CI config or model manifest, a chain
//      that is not solvable, a results directory started with another config, a bad option, a `libero`
//      folder none of whose files import; a policy server that stayed unreachable; a `ci` job whose
//      time budget ran out. Nothing already recorded is touched (run the same command again to resume).
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CiConfigError, loadCiConfig } from '../runner/ci-config.ts';
import { CiRuntimeError, runCi } from '../runner/ci.ts';
import { mergeSweep, parseSweepSpec, runSweep } from '../runner/sweep.ts';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { listScenes, listTasks, findScene, findTask, loadTask } from '../scenes/load.ts';
import { SpecError } from '../scenes/errors.ts';
import { DEFAULT_CHAIN_STEPS, generateChains } from '../scenes/chains.ts';
import { bddlChain, bddlTaskName, importBddl } from '../scenes/bddl.ts';
import type { TaskSpec } from '../scenes/types.ts';
import { ACTION_MODES, type ActionMode } from '../sim/controller.ts';
import { ExpertPolicy } from '../policies/expert.ts';
import { PolicyError, listPolicies, parsePolicy } from '../policies/registry.ts';
import { evaluateTasks, type TaskSummary } from '../runner/suite.ts';
import { ResultsError } from '../runner/store.ts';
import { reportRun, runChains, type RunOptions, type RunResult } from '../runner/run.ts';
import type { RunSummary } from '../runner/summary.ts';
import { Progress } from './progress.ts';
import { addPolicyOptions, policyOptionsFrom, type PolicyCliOptions } from './policy-options.ts';
import { PolicyUnavailableError } from '../sim/policy.ts';
import { servePolicy } from '../policies/policy-server.ts';
import { runDemo, DEMO_POLICIES, DEMO_LEARNED_AXES, type DemoResult } from '../runner/demo.ts';
import { summaryTable } from './tables.ts';
import { healthLine } from '../runner/health.ts';
import { healthWarning } from '../runner/ci-report.ts';
import { OOD_AXES, OOD_MAPPINGS, OodError, parseOod, type OodLevels } from '../scenes/ood.ts';

function parseOodOption(v: string): OodLevels {
  try {
    return parseOod(v);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
}
import { renderSnapshot } from '../sim/render/snapshot.ts';
import { depthPng, rgbPng, segmentationPng } from '../sim/render/images.ts';
import type { RenderDevice } from '../sim/render/renderer.ts';
import type { RecordMode } from '../runner/recording.ts';
import { writeVideo } from '../runner/video.ts';
import { listRecordings } from '../runner/view-data.ts';
import { collectDemos } from '../runner/collect.ts';
import { trainPolicy } from '../runner/train.ts';
import { STATE_PARTS, type StatePart } from '../policies/onnx-manifest.ts';
import { LIBERO_PROBLEMS, type LiberoProblem } from '../policies/libero-frame.ts';
import { startLiveViewer, type LiveViewer } from '../runner/live-viewer.ts';
import { DEFAULT_VIEW_PORT, startViewer } from '../runner/view-server.ts';
import { runLibero } from '../runner/libero.ts';
import { liberoText } from '../runner/libero-report.ts';
import { LIBERO_EPISODES, LIBERO_IDLE_STEPS, LIBERO_SUITES, type LiberoSuite } from '../runner/libero-suite.ts';
import { LIBERO_CHAIN_STEPS } from '../runner/libero-chains.ts';

function intOption(name: string, min = 0) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be a whole number >= ${min}, got "${v}"`);
    return n;
  };
}

function positiveNumber(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive number, got "${v}"`);
    return n;
  };
}

function fraction(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError(`${name} must be a number in [0, 1], got "${v}"`);
    return n;
  };
}

/** One task per task type from the shipped baseline scenes (the first by name). */
export function demoTasks(): TaskSpec[] {
  const byType = new Map<string, TaskSpec>();
  for (const name of listTasks()) {
    const t = findTask(name);
    if (!byType.has(t.type)) byType.set(t.type, t);
  }
  return [...byType.values()];
}

function taskTable(rows: TaskSummary[]): string {
  const head = ['task', 'type', 'success', '95% CI', 'steps', 'collisions', 'ms/ep'];
  const body = rows.map((r) => [
    r.task, r.type, `${r.successes}/${r.episodes} (${(100 * r.rate).toFixed(1)}%)`,
    `[${(100 * r.ci[0]).toFixed(1)}, ${(100 * r.ci[1]).toFixed(1)}]`, r.meanSteps.toFixed(0),
    String(r.collisions), r.msPerEpisode.toFixed(0),
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(w[i])).join('  ');
  return [line(head), line(w.map((n) => '-'.repeat(n))), ...body.map(line)].join('\n');
}

interface RunCliOptions extends PolicyCliOptions {
  batch: number;
  scene: string; policy: string; chains: number; steps: number; chainFile?: string; repeats: number;
  mode: 'strict' | 'continue'; seed: number; paraphrases: 'instruction' | 'random'; baselineEpisodes: number;
  out: string; json?: boolean; failBelow?: number; sheets: number; record: RecordMode; ood: OodLevels; salt?: string;
  actionMode: ActionMode;
  live?: boolean; port: number; host: string;
}

function printRunResult(r: RunResult, json: boolean | undefined): void {
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

export async function main(argv: string[]): Promise<number> {
  const program = new Command();
  program
    .name('chaingap')
    .description('Measure how robot manipulation policies hold up per step, over 10-step chains, and out of distribution.')
    .exitOverride()
    .configureOutput({ writeOut: (s) => process.stderr.write(s), writeErr: (s) => process.stderr.write(s) })
    .addHelpText('after', '\nExit codes: 0 success; 1 a check failed (run --fail-below); 2 bad input (nothing recorded is touched).');

  let code = 0;

  const runCmd = program
    .command('run')
    .description('Run chains (generated from a scene, or from --chain-file) with a policy, plus the controlled baseline; append results to --out and write summary.json, report.md, report.html. Run again with the same options to resume.')
    .requiredOption('-o, --out <dir>', 'run directory (created; an existing one is resumed if it holds the same run)')
    .option('-p, --policy <spec>', 'policy: expert | bernoulli:<p> | noisy-expert:<sigma> | onnx:<model.onnx> | ws://host:port (see `list policies`)', 'expert')
    .option('-b, --batch <n>', 'episodes run side by side; a learned policy is called once per control tick with up to n observations', intOption('--batch', 1), 1)
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
      const progress = new Progress(process.stderr);
      const opts: RunOptions = {
        out: o.out, policy: o.policy, scene: o.scene, chains: o.chains, steps: o.steps, chainFile: o.chainFile,
        repeats: o.repeats, mode: o.mode, seed: o.seed, paraphrases: o.paraphrases, baselineEpisodes: o.baselineEpisodes,
        sheets: o.sheets, record: o.record, ood: o.ood, salt: o.salt, onProgress: (p) => progress.update(p),
        batch: o.batch, policyOptions: policyOptionsFrom(o), env: { actionMode: o.actionMode },
      };
      let viewer: LiveViewer | null = null;
      if (o.live) {
        mkdirSync(o.out, { recursive: true });
        viewer = await startLiveViewer({ dir: o.out, port: o.port, host: o.host });
        opts.live = viewer;
        process.stderr.write(`live viewer: ${viewer.url}\n`);
      }
      let r: RunResult;
      try {
        r = await runChains(opts);
      } finally {
        progress.stop();
        await viewer?.close();
      }
      if (r.resumed.chains || r.resumed.baseline || r.tornBytes) {
        process.stderr.write(`resumed: ${r.resumed.chains} chain runs and ${r.resumed.baseline} baseline episodes were already recorded${r.tornBytes ? `; a torn last record (${r.tornBytes} bytes) was cut off and redone` : ''}\n`);
      }
      printRunResult(r, o.json);
      const sN = r.summary.S[r.summary.steps - 1]?.value ?? 0;
      if (o.failBelow !== undefined && !(sN >= o.failBelow)) {
        process.stderr.write(`chaingap: S_${r.summary.steps} = ${sN.toFixed(3)} is below --fail-below ${o.failBelow}\n`);
        code = 1;
      }
    });

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
      let shard: { index: number; count: number } | undefined;
      if (o.shard) {
        const m = /^(\d+)\/(\d+)$/.exec(o.shard);
        if (!m || Number(m[1]) >= Number(m[2])) throw new InvalidArgumentError(`--shard must be i/n with 0 <= i < n, got "${o.shard}"`);
        shard = { index: Number(m[1]), count: Number(m[2]) };
      }
      let json: unknown;
      try {
        json = JSON.parse(readFileSync(file, 'utf8'));
      } catch (e) {
        throw new InvalidArgumentError(`${file}: ${(e as Error).message}`);
      }
      const spec = parseSweepSpec(json, file);
      const r = await runSweep(spec, { out: o.out, workers: o.workers, shard, salt: o.salt, record: o.record, policyOptions: policyOptionsFrom(o), onProgress: (d, t) => { if (d === t || d % 20 === 0) process.stderr.write(`sweep: ${d}/${t} units\n`); } });
      if (o.json) process.stdout.write(JSON.stringify(r) + '\n');
      else {
        process.stderr.write(`\n${r.ran} units run, ${r.resumed} already recorded; ${r.workers} worker(s), ${Number.isFinite(r.chainsPerHour) ? r.chainsPerHour.toFixed(0) : 'n/a'} chains/hour\n\n`);
        process.stderr.write(summaryTable(r.cells.map((c) => ({ ...c.summary, policy: `${c.policy} ${c.setting}` }))) + '\n');
        process.stderr.write(`\n${healthLine(r.physicsHealth)}\n`);
        if (r.recordings.written) process.stderr.write(`recorded ${r.recordings.written} chain runs in the cells' recordings/ (${((r.recordings.meanBytes ?? 0) / 1024).toFixed(1)} KiB per chain run on average)\n`);
      }
    });

  program
    .command('merge')
    .description('Join the directories of shards of one sweep (run with --shard i/n, maybe on other machines) into one, report duplicates, conflicts and gaps, and write the sweep report. Nothing is run.')
    .argument('<spec>', 'the sweep spec the shards ran')
    .argument('<shards...>', 'shard directories')
    .requiredOption('-o, --out <dir>', 'merged sweep directory')
    .option('--json', 'print the merge report and sweep summary as JSON')
    .action(async (file: string, shards: string[], o: { out: string; json?: boolean }) => {
      const spec = parseSweepSpec(JSON.parse(readFileSync(file, 'utf8')), file);
      const { merge, result } = await mergeSweep(spec, o.out, shards);
      if (o.json) process.stdout.write(JSON.stringify({ merge, sweep: result }) + '\n');
      else process.stderr.write(`${merge.cells} cells: ${merge.chainRecords} chain records and ${merge.baselineRecords} baseline records merged; ${merge.duplicates} duplicates kept once; ${merge.conflicts.length} conflicts${merge.conflicts.length ? ` (${merge.conflicts.slice(0, 5).join('; ')})` : ''}; ${merge.missing} units missing\n`);
      if (merge.conflicts.length || merge.missing) code = 1;
    });

  program
    .command('ci')
    .description('Regression job for CI: run a config\'s seeded chains under its OOD settings plus the isolated-task baseline, check absolute floors, and compare with a reference; a drop fails only when significant at alpha (Holm) and at least minEffect. Writes summary.json, junit.xml and summary.md (also appended to $GITHUB_STEP_SUMMARY). Exit 0 pass, 1 regression or floor broken, 2 config or runtime error.')
    .requiredOption('-c, --config <file>', 'CI config JSON (see scripts/examples/chaingap.ci.json)')
    .option('--policy <spec>', 'policy to check instead of the config\'s (e.g. the checkpoint a training job just wrote)')
    .option('--update-baseline', 'write the reference file the config names from this run (never done implicitly); floors are still checked')
    .option('-o, --out <dir>', 'results directory (default: the config\'s out)')
    .option('--fresh', 'discard results a previous job left in the results directory instead of resuming them')
    .option('-w, --workers <n>', 'worker threads (default: the config\'s workers)', intOption('--workers', 1))
    .option('--json', 'print summary.json on stdout')
    .addOption(new Option('--record <which>', 'keep chain trajectories of the job (poses at 10 Hz, steps, outcomes, health events) in the suites\' recordings/').choices(['none', 'failures', 'all']).default('none'))
    .action(async (o: { config: string; policy?: string; updateBaseline?: boolean; out?: string; fresh?: boolean; workers?: number; json?: boolean; record: RecordMode }) => {
      const cfg = loadCiConfig(o.config);
      const progress = new Progress(process.stderr, Boolean(process.stdout.isTTY && process.stderr.isTTY));
      const r = await runCi(cfg, {
        policy: o.policy, updateBaseline: o.updateBaseline, out: o.out, fresh: o.fresh, workers: o.workers, record: o.record,
        onProgress: (p) => progress.update({ phase: 'units', done: p.done, total: p.total, resumed: false }, `ci ${p.suite}`),
      }).finally(() => progress.stop());
      const md = readFileSync(r.files.markdown, 'utf8');
      if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, md + '\n');
      if (o.json) process.stdout.write(JSON.stringify(r) + '\n');
      const failed = r.checks.filter((c) => c.status === 'fail');
      for (const c of failed) process.stderr.write(`FAIL ${c.id}: ${c.message}\n`);
      for (const [g, h] of Object.entries(r.physicsHealth)) if (h.contaminated) process.stderr.write(`WARNING ${healthWarning(g, h)}\n`);
      if (r.recordings.written) process.stderr.write(`recorded ${r.recordings.written} chain runs (${((r.recordings.meanBytes ?? 0) / 1024).toFixed(1)} KiB each on average)\n`);
      process.stderr.write(`chaingap ci: ${r.status.toUpperCase()}: ${r.checks.length} checks, ${failed.length} failed${r.baselineWritten ? `; reference written to ${r.baselineWritten}` : ''}; ${r.wallSeconds.toFixed(0)} s; ${r.files.junitXml}, ${r.files.markdown}\n`);
      code = r.exitCode;
    });

  program
    .command('report')
    .description('Recompute summary.json, report.md and report.html of a run directory from its records.')
    .argument('<dir>', 'a run directory written by `chaingap run`')
    .option('--json', 'print the summary as one JSON document on stdout')
    .action(async (dir: string, o: { json?: boolean }) => {
      const r = await reportRun(dir);
      const [done, planned] = r.partial.chains;
      if (done < planned || Number.isNaN(r.summary.baseline.P_ind)) {
        process.stderr.write(`note: a partial run (${done} of ${planned} chain runs, ${r.partial.baseline} baseline episodes recorded); P_ind, C and O need the whole baseline\n`);
      }
      printRunResult({ dir, summary: r.summary, files: r.files, resumed: { chains: 0, baseline: 0 }, tornBytes: 0, recordings: { written: 0, meanBytes: null } }, o.json);
    });

  program
    .command('chains')
    .description('Generate solvable chains for a scene and write them as a chain file (to edit, share, or pass to `run --chain-file`).')
    .option('--scene <name>', 'scene', 'kitchen')
    .option('-c, --count <n>', 'number of chains', intOption('--count', 1), 5)
    .option('--steps <n>', 'steps per chain', intOption('--steps', 1), DEFAULT_CHAIN_STEPS)
    .option('-s, --seed <n>', 'seed', intOption('--seed'), 0)
    .option('-o, --out <file>', 'write the chains here (default: stdout)')
    .action((o: { scene: string; count: number; steps: number; seed: number; out?: string }) => {
      const chains = generateChains({ scene: findScene(o.scene), count: o.count, steps: o.steps, seed: o.seed });
      const text = JSON.stringify(chains, null, 2) + '\n';
      if (o.out) {
        writeFileSync(o.out, text);
        process.stderr.write(`${chains.length} chains of ${o.steps} steps written to ${o.out}\n`);
      } else process.stdout.write(text);
    });

  program
    .command('demo')
    .description(`The main demo: ${DEMO_POLICIES.join(', ')} on 20 ten-step chains each plus the controlled baseline, then the shipped learned pixel policy (tiny-vla) on its controlled baseline, the same chains and the chains at ${Object.entries(DEMO_LEARNED_AXES).map(([a, l]) => `${a}=${l!.join('/')}`).join(', ')}; prints S_1, S_5, S_10, P_ind, C, O and the top failure labels, and writes an HTML report per policy (a sweep report for tiny-vla).`)
    .option('-o, --out <dir>', 'directory for the run directories', 'runs/demo')
    .option('-c, --chains <n>', 'chains per policy', intOption('--chains', 1), 20)
    .option('--baseline-episodes <n>', 'baseline episodes per distinct task', intOption('--baseline-episodes', 1), 20)
    .option('--learned-baseline-episodes <n>', 'baseline episodes per distinct task for tiny-vla', intOption('--learned-baseline-episodes', 1), 10)
    .option('--no-learned', 'leave the learned policy out')
    .option('-w, --workers <n>', 'worker threads for the learned policy', intOption('--workers', 1), 2)
    .option('-s, --seed <n>', 'seed', intOption('--seed'), 0)
    .option('--json', 'print the summaries as one JSON document on stdout')
    .action(async (o: { out: string; chains: number; baselineEpisodes: number; learnedBaselineEpisodes: number; learned: boolean; workers: number; seed: number; json?: boolean }) => {
      const t0 = performance.now();
      const progress = new Progress(process.stderr);
      let results: DemoResult;
      try {
        results = await runDemo({ ...o, learned: o.learned ? undefined : null, onProgress: (policy, p) => progress.update(p, policy) });
      } finally {
        progress.stop();
      }
      const seconds = (performance.now() - t0) / 1000;
      const learned = results.learned;
      const cells = learned?.cells.map((c) => ({ ...c.summary, policy: `tiny-vla ${c.setting}` })) ?? [];
      if (o.json) {
        process.stdout.write(JSON.stringify({
          seconds, runs: results.runs.map((r) => ({ dir: r.dir, summary: r.summary })),
          learned: learned && { dir: learned.dir, cells: learned.cells.map((c) => ({ setting: c.setting, ood: c.ood, dir: c.dir, summary: c.summary })) },
        }) + '\n');
      } else {
        process.stderr.write('\n' + summaryTable([...results.runs.map((r) => r.summary), ...cells]) + '\n\n');
        for (const r of results.runs) process.stderr.write(`${r.summary.policy.padEnd(20)} ${r.files.reportHtml}\n`);
        if (learned) {
          const q = Object.values(learned.cells[0].summary.baseline.q);
          process.stderr.write(`${'tiny-vla'.padEnd(20)} ${learned.reportHtml} (controlled baseline: mean single-task success ${(q.reduce((a, b) => a + b, 0) / q.length).toFixed(2)} over ${q.length} tasks)\n`);
        }
        for (const r of results.runs) process.stderr.write(`${r.summary.policy.padEnd(20)} ${healthLine(r.summary.physicsHealth)}\n`);
        if (learned) process.stderr.write(`${'tiny-vla'.padEnd(20)} ${healthLine(learned.physicsHealth)}\n`);
        process.stderr.write(`\n${seconds.toFixed(0)} s in all\n`);
      }
    });

  program
    .command('render')
    .description('Render a scene after a seeded reset to PNG: RGB, and with --depth / --seg the depth (16-bit, mm) and segmentation images beside it.')
    .option('--scene <name>', 'scene', 'tabletop')
    .option('-s, --seed <n>', 'layout seed', intOption('--seed'), 0)
    .addOption(new Option('--camera <name>', 'camera').choices(['agentview', 'wrist']).default('agentview'))
    .option('--size <n>', 'image width and height in pixels', intOption('--size', 8), 128)
    .addOption(new Option('--device <d>', 'gpu.js backend (gpu falls back, saying why, where there is none)').choices(['webasm', 'cpu', 'gpu']).default('webasm'))
    .requiredOption('-o, --out <file.png>', 'RGB output; depth and segmentation go to <file>.depth.png and <file>.seg.png')
    .option('--depth', 'also write the depth image')
    .option('--seg', 'also write the segmentation image')
    .option('--json', 'print what was written (and the segmentation ids) as JSON')
    .action(async (o: { scene: string; seed: number; camera: string; size: number; device: RenderDevice; out: string; depth?: boolean; seg?: boolean; json?: boolean }) => {
      const { images, segmentationNames } = await renderSnapshot({ scene: o.scene, seed: o.seed, cameras: [o.camera], renderer: { width: o.size, height: o.size, device: o.device, depth: o.depth, segmentation: o.seg } });
      const img = images[o.camera];
      const stem = o.out.replace(/\.png$/i, '');
      const files: Record<string, string> = { rgb: o.out };
      writeFileSync(o.out, rgbPng(img));
      if (o.depth) writeFileSync((files.depth = `${stem}.depth.png`), depthPng(img));
      if (o.seg) writeFileSync((files.segmentation = `${stem}.seg.png`), segmentationPng(img));
      if (o.json) process.stdout.write(JSON.stringify({ files, width: img.width, height: img.height, segmentation: Object.fromEntries(segmentationNames) }) + '\n');
      else process.stderr.write(`${Object.values(files).join(', ')} (${img.width}x${img.height})\n`);
    });

  program
    .command('video')
    .description('Render a recorded chain run (kept with --record on run, sweep or ci) to an animated GIF, or an MP4 when ffmpeg is on the PATH, with chaingap\'s renderer, at the rate its frames were recorded.')
    .argument('<dir>', 'run directory holding recordings/ (for a sweep or ci job: a cell directory, <out>/<policy>/<setting>)')
    .requiredOption('--chain <id>', 'chain id (records.jsonl chainId)')
    .option('--repeat <n>', 'repeat of the chain', intOption('--repeat'), 0)
    .addOption(new Option('--camera <name>', 'camera').choices(['agentview', 'wrist']).default('agentview'))
    .option('--size <WxH>', 'frame size in pixels', '256x256')
    .option('--from <frame>', 'first frame (index into the recording)', intOption('--from'))
    .option('--to <frame>', 'last frame', intOption('--to'))
    .addOption(new Option('--device <d>', 'gpu.js backend (gpu falls back, saying why, where there is none)').choices(['webasm', 'cpu', 'gpu']).default('cpu'))
    .requiredOption('-o, --out <clip.gif|clip.mp4>', 'output clip; the extension picks the format')
    .option('--json', 'print what was written as JSON')
    .action(async (dir: string, o: { chain: string; repeat: number; camera: string; size: string; from?: number; to?: number; device: RenderDevice; out: string; json?: boolean }) => {
      const m = /^(\d+)x(\d+)$/.exec(o.size);
      if (!m || Number(m[1]) < 8 || Number(m[2]) < 8) throw new InvalidArgumentError(`--size must be WxH with both at least 8, got "${o.size}"`);
      const r = await writeVideo({ dir, chain: o.chain, repeat: o.repeat, camera: o.camera, out: o.out, width: Number(m[1]), height: Number(m[2]), from: o.from, to: o.to, device: o.device });
      if (o.json) process.stdout.write(JSON.stringify(r) + '\n');
      else process.stderr.write(`${r.file}: ${r.frames} frames ${r.width}x${r.height} at ${r.fps} fps, ${(r.bytes / 1024).toFixed(0)} KiB, ${r.seconds.toFixed(1)} s\n`);
    });

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
      const r = await collectDemos({
        out: o.out, scene: o.scene, chains: o.chains, steps: o.steps, single: o.single, seed: o.seed, preset: o.preset, size: o.size, actionMode: o.actionMode,
        onProgress: (p) => process.stderr.write(`\rchains and single-task episodes ${p.chains}/${p.total}: ${p.episodes} episodes, ${p.frames} frames`),
      });
      process.stderr.write('\n');
      if (o.json) process.stdout.write(JSON.stringify(r) + '\n');
      else process.stderr.write(`${r.dir}: ${r.episodes} episodes, ${r.frames} frames, ${(r.bytes / 2 ** 20).toFixed(1)} MiB in ${r.seconds.toFixed(0)} s (${r.failedSteps} unsolved steps left out${r.resumedChains ? `; ${r.resumedChains} chains were already collected` : ''})\n`);
    });

  program
    .command('train')
    .description('Train the tiny-vla pixel policy by behaviour cloning on LeRobot datasets (chaingap collect): both camera images, the state and the word-tokenised instruction in, a chunk of delta_ee actions out; L1 on normalised actions, random image shifts, Adam with cosine decay, on tfjs\'s WASM backend. Seeded. Writes an ONNX policy folder (model.onnx, manifest.json, vocab.json) with loss.svg and training.json, checks the ONNX export against the trained network on held-out frames, and checkpoints every epoch: run again with the same options to resume.')
    .requiredOption('--data <dir...>', 'LeRobot dataset folder(s); their episodes are pooled')
    .requiredOption('-o, --out <dir>', 'policy folder to write, e.g. policies/models/my-vla (a checkpointed run there with the same options is resumed)')
    .option('--name <name>', 'model name in the manifest (default: the folder name)')
    .option('-s, --seed <n>', 'seed of the weights, the held-out split, batch order and augmentation', intOption('--seed'), 0)
    .option('--epochs <n>', 'passes over the training frames', intOption('--epochs', 1), 20)
    .option('--batch-size <n>', 'frames per gradient step', intOption('--batch-size', 1), 64)
    .option('--lr <x>', 'peak learning rate (Adam; cosine decay to 1% of it)', positiveNumber('--lr'), 1e-3)
    .option('--image-size <px>', 'side of the square camera images the network sees (the host renders at this size)', intOption('--image-size', 16), 64)
    .option('--horizon <n>', 'actions per predicted chunk', intOption('--horizon', 1), 8)
    .option('--execute <n>', 'actions of each chunk executed before asking again (default: horizon / 2)', intOption('--execute', 1))
    .option('--tokens <n>', 'token ids per instruction', intOption('--tokens', 1), 16)
    .option('--conv <filters>', 'filters of the three stride-2 convolutions', '16,32,32')
    .option('--hidden <n>', 'units of the fused hidden layer', intOption('--hidden', 1), 256)
    .option('--val <fraction>', 'fraction of the episodes held out for the validation loss and the export check', fraction('--val'), 0.05)
    .option('--shift <px>', 'largest random image shift (augmentation; 0: off; default image size / 16)', intOption('--shift'))
    .option('--state-layout <parts>', `state layout of datasets not collected by chaingap, comma-separated (${Object.keys(STATE_PARTS).join(', ')})`)
    .option('--libero-frame <problem>', `with --state-layout: the state is in LIBERO's frame of this problem (${LIBERO_PROBLEMS.join(', ')})`)
    .addOption(new Option('--backend <b>', 'tfjs backend (wasm falls back to cpu, saying why)').choices(['wasm', 'cpu']).default('wasm'))
    .option('--json', 'print the result as JSON')
    .action(async (o: { data: string[]; out: string; name?: string; seed: number; epochs: number; batchSize: number; lr: number; imageSize: number; horizon: number; execute?: number; tokens: number; conv: string; hidden: number; val: number; shift?: number; stateLayout?: string; liberoFrame?: string; backend: 'wasm' | 'cpu'; json?: boolean }) => {
      const conv = o.conv.split(',').map(Number);
      if (conv.length !== 3 || !conv.every((f) => Number.isInteger(f) && f >= 1)) throw new InvalidArgumentError(`--conv must be three whole numbers such as 16,32,32, got "${o.conv}"`);
      const layout = o.stateLayout?.split(',').map((p) => p.trim());
      const bad = layout?.find((p) => !(p in STATE_PARTS));
      if (bad) throw new InvalidArgumentError(`--state-layout: "${bad}" is not a state part; use ${Object.keys(STATE_PARTS).join(', ')}`);
      if (o.liberoFrame && !(LIBERO_PROBLEMS as readonly string[]).includes(o.liberoFrame)) throw new InvalidArgumentError(`--libero-frame must be one of ${LIBERO_PROBLEMS.join(', ')}, got "${o.liberoFrame}"`);
      const started = Date.now();
      const r = await trainPolicy({
        data: o.data, out: o.out, name: o.name, seed: o.seed, epochs: o.epochs, batchSize: o.batchSize, lr: o.lr, imageSize: o.imageSize, horizon: o.horizon,
        execute: o.execute, tokens: o.tokens, convFilters: conv, hidden: o.hidden, valFraction: o.val, shift: o.shift, backend: o.backend,
        stateLayout: layout as StatePart[] | undefined, liberoFrame: (o.liberoFrame as LiberoProblem | undefined) ?? null,
        onBatch: (b) => { if (process.stderr.isTTY) process.stderr.write(`\repoch ${b.epoch}/${o.epochs} batch ${b.batch}/${b.batches} loss ${b.loss.toFixed(4)}   `); },
        onEpoch: (e) => process.stderr.write(`${process.stderr.isTTY ? '\r' : ''}epoch ${e.epoch}/${o.epochs}: train ${e.trainLoss.toFixed(4)}, validation ${e.valLoss.toFixed(4)}, ${e.samplesPerSecond.toFixed(0)} frames/s, ${e.seconds.toFixed(0)} s${' '.repeat(20)}\n`),
      });
      if (o.json) process.stdout.write(JSON.stringify(r) + '\n');
      else {
        process.stderr.write(`${r.model}: ${r.parameters} parameters, ${(r.modelBytes / 2 ** 20).toFixed(1)} MiB; ${r.samples.train} training and ${r.samples.val} held-out frames; trained ${(r.seconds / 60).toFixed(1)} min (this call ${((Date.now() - started) / 60000).toFixed(1)} min)\n`);
        if (r.exportCheck) process.stderr.write(`export check: ONNX against the trained network on ${r.exportCheck.samples} held-out frames, max |difference| ${r.exportCheck.maxAbsDiff.toExponential(1)}\n`);
        process.stderr.write(`run it: chaingap run --policy onnx:${r.model}\n`);
      }
    });

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

  program
    .command('import-bddl')
    .description('Import a LIBERO BDDL problem file, or every .bddl file of a folder, as one-step chain files with the scene inline (run one with `run --chain-file`). Errors name the BDDL line and column; a folder import converts every file it can, prints one line per file and a summary, and exits 2 if any failed.')
    .argument('<file-or-dir>', 'a .bddl problem file, or a folder of them')
    .requiredOption('-o, --out <path>', 'where to write: a chain file for one .bddl file, a folder (created) for a folder')
    .option('--name <name>', 'task and scene name of a single file (default: from the file name)')
    .option('--stand-in', 'replace object categories the library does not have by a stand-in instead of failing')
    .action((src: string, o: { out: string; name?: string; standIn?: boolean }) => {
      const read = (file: string) => {
        try {
          return readFileSync(file, 'utf8');
        } catch (e) {
          throw new SpecError(file, '', (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(e), 'a readable .bddl file or a folder of them');
        }
      };
      const convert = (file: string, out: string, name: string) => {
        const r = importBddl(read(file), file, name, { standIn: o.standIn });
        writeFileSync(out, JSON.stringify(bddlChain(r), null, 2) + '\n');
        return r;
      };
      if (existsSync(src) && statSync(src).isDirectory()) {
        const files = readdirSync(src).filter((f) => f.toLowerCase().endsWith('.bddl')).sort();
        if (!files.length) throw new SpecError(src, '', 'a folder with no .bddl file', 'a folder of LIBERO .bddl problem files');
        mkdirSync(o.out, { recursive: true });
        let failed = 0;
        for (const f of files) {
          const name = bddlTaskName(f);
          try {
            const r = convert(join(src, f), join(o.out, `${name}.json`), name);
            const stand = Object.entries(r.standIns).map(([c, k]) => ` stand-in ${c} -> ${k};`).join('');
            process.stderr.write(`ok    ${f}: "${r.task.instruction}" (${r.scene.objects.length} objects, ${r.scene.fixtures.length} fixtures;${stand} ${r.task.maxSteps} steps)\n`);
          } catch (e) {
            if (!(e instanceof SpecError)) throw e;
            failed++;
            process.stderr.write(`FAIL  ${e.message}\n`);
          }
        }
        process.stderr.write(`\nimported ${files.length - failed} of ${files.length} files into ${o.out}${failed ? `; ${failed} failed` : ''}\n`);
        if (failed) code = 2;
        return;
      }
      const name = o.name ?? bddlTaskName(src);
      const r = convert(src, o.out, name);
      for (const [cat, kind] of Object.entries(r.standIns)) process.stderr.write(`stand-in: "${cat}" -> ${kind}\n`);
      process.stderr.write(`${o.out}: "${r.task.instruction}" (${r.scene.objects.length} objects, ${r.scene.fixtures.length} fixtures); run it with: chaingap run --chain-file ${o.out} --out <dir>\n`);
    });

  program
    .command('tasks')
    .description('Run a policy-free sanity check: the scripted expert on every task type of the baseline scenes, from fresh seeded resets; prints a success table.')
    .option('-e, --episodes <n>', 'seeded episodes per task', intOption('--episodes'), 20)
    .option('-s, --seed <n>', 'first seed', intOption('--seed'), 0)
    .option('-t, --task <file-or-name...>', 'run these tasks instead (names of shipped tasks or paths to task JSON files)')
    .option('--json', 'print the results as one JSON document on stdout')
    .action(async (o: { episodes: number; seed: number; task?: string[]; json?: boolean }) => {
      const tasks = o.task ? o.task.map((t) => (t.endsWith('.json') ? loadTask(t) : findTask(t))) : demoTasks();
      const t0 = performance.now();
      const rows = await evaluateTasks({
        tasks, episodes: o.episodes, firstSeed: o.seed,
        makePolicy: (p) => new ExpertPolicy(p),
        onEpisode: (r, done, total) => {
          if (process.stderr.isTTY) process.stderr.write(`\r${done}/${total} ${r.task} seed ${r.seed}        `);
          else if (done % 20 === 0 || done === total) process.stderr.write(`${done}/${total} episodes\n`);
        },
      });
      if (process.stderr.isTTY) process.stderr.write('\n');
      const seconds = (performance.now() - t0) / 1000;
      if (o.json) {
        process.stdout.write(JSON.stringify({ policy: 'expert', episodes: o.episodes, firstSeed: o.seed, seconds, tasks: rows }) + '\n');
      } else {
        process.stderr.write(`\nscripted expert, ${o.episodes} seeded episodes per task (seeds ${o.seed}..${o.seed + o.episodes - 1})\n\n`);
        process.stderr.write(taskTable(rows) + '\n');
        process.stderr.write(`\n${seconds.toFixed(1)} s in all\n`);
      }
    });

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
      let r;
      try {
        r = await runLibero({
          dir, out, episodes: o.episodes, policy: o.policy, policyOptions: policyOptionsFrom(o), budget: o.budget, suite: o.suite,
          idleSteps: o.idleSteps, seed: o.seed, standIn: o.standIn, batch: o.batch, env: { actionMode: o.actionMode },
          chains: o.chains ? { steps: o.chainSteps, ...(o.chainRuns ? { runs: o.chainRuns } : {}) } : false,
          onProgress: (p) => progress.update(p),
        });
      } finally {
        progress.stop();
      }
      if (r.resumed.episodes || r.resumed.chains || r.tornBytes || r.stale) {
        process.stderr.write(`resumed: ${r.resumed.episodes} episodes and ${r.resumed.chains} chain runs were already recorded${r.stale ? `; ${r.stale} records of an earlier import of a changed file are not counted` : ''}${r.tornBytes ? `; a torn last record (${r.tornBytes} bytes) was cut off and redone` : ''}\n`);
      }
      if (o.json) process.stdout.write(JSON.stringify(r.summary) + '\n');
      else process.stderr.write(`\n${liberoText(r.summary)}\n\nreports: ${r.files.reportHtml}\n         ${r.files.summaryJson}\n         ${r.files.results}\n`);
      if (r.summary.imported === 0) {
        process.stderr.write(`chaingap: no file of ${dir} imported (see the errors above); nothing was run\n`);
        code = 2;
      }
    });

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

  program
    .command('list')
    .description('List shipped scenes, tasks, the policies `run --policy` accepts, or the OOD axes and what their levels mean.')
    .argument('<what>', 'scenes | tasks | policies | axes')
    .option('--json', 'print as JSON')
    .action((what: string, o: { json?: boolean }) => {
      let items: unknown[];
      if (what === 'scenes') items = listScenes();
      else if (what === 'tasks') items = listTasks().map((n) => { const t = findTask(n); return { name: t.name, type: t.type, scene: t.scene, instruction: t.instruction }; });
      else if (what === 'policies') items = listPolicies();
      else if (what === 'axes') items = OOD_AXES.map((a) => ({ axis: a, level: OOD_MAPPINGS[a] }));
      // A RangeError, not commander's InvalidArgumentError: thrown from an action, commander's own error type is not printed.
      else throw new RangeError(`list: "${what}" is not one of: scenes, tasks, policies, axes`);
      // The list is the command's data: stdout, so it pipes (`chaingap list tasks | wc -l`).
      if (o.json) process.stdout.write(JSON.stringify(items) + '\n');
      else for (const i of items) process.stdout.write((typeof i === 'string' ? i : Object.values(i as object).join('\t')) + '\n');
    });

  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof PolicyUnavailableError) {
      process.stderr.write(`chaingap: ${e.message}; the results recorded so far are kept: run the same command again to resume\n`);
      return 2;
    }
    if (e instanceof CiConfigError || e instanceof CiRuntimeError || e instanceof SpecError || e instanceof InvalidArgumentError || e instanceof PolicyError || e instanceof ResultsError || e instanceof RangeError || e instanceof OodError) {
      process.stderr.write(`chaingap: ${(e as Error).message}\n`);
      return 2;
    }
    throw e;
  }
  return code;
}

export type { RunSummary };
