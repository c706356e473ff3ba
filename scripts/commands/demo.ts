// `chaingap demo`.
import type { Command } from 'commander';
import { DEMO_LEARNED_AXES, DEMO_POLICIES, type DemoResult, runDemo } from '../../runner/demo.ts';
import { healthLine } from '../../runner/results/health.ts';
import { type CliContext, intOption } from '../options.ts';
import { Progress } from '../progress.ts';
import { summaryTable } from '../tables.ts';
import { prepareOutDir } from '../output-paths.ts';

export function registerDemo(program: Command, ctx: CliContext): void {
  program
    .command('demo')
    .description(`The main demo: ${DEMO_POLICIES.join(', ')} on 20 ten-step chains each plus the controlled baseline, then the shipped learned pixel policy (tiny-vla) on its controlled baseline, the same chains and the chains at ${Object.entries(DEMO_LEARNED_AXES).map(([a, l]) => `${a}=${l!.join('/')}`).join(', ')}; prints S_1, S_5, S_10, P_ind, C, O and the top failure labels, and writes an HTML report per policy (a sweep report for tiny-vla).`)
    .option('-o, --out <dir>', 'directory for the run directories', 'runs/demo')
    .option('-c, --chains <n>', 'chains per policy', intOption('--chains', 1), 20)
    .option('--steps <n>', 'steps per chain (fewer for a quick look; S_10 needs 10)', intOption('--steps', 1), 10)
    .option('--baseline-episodes <n>', 'baseline episodes per distinct task', intOption('--baseline-episodes', 1), 20)
    .option('--learned-baseline-episodes <n>', 'baseline episodes per distinct task for tiny-vla', intOption('--learned-baseline-episodes', 1), 10)
    .option('--no-learned', 'leave the learned policy out')
    .option('-w, --workers <n>', 'worker threads for the learned policy', intOption('--workers', 1), 2)
    .option('-s, --seed <n>', 'seed', intOption('--seed'), 0)
    .option('--json', 'print the summaries as one JSON document on stdout')
    .action(async (o: { out: string; chains: number; baselineEpisodes: number; learnedBaselineEpisodes: number; learned: boolean; workers: number; seed: number; json?: boolean }) => {
      prepareOutDir('--out', o.out);
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
}
