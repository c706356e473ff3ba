// `chaingap tasks`.
import type { Command } from 'commander';
import { ExpertPolicy } from '../../policies/expert.ts';
import { type TaskSummary, demoTasks, evaluateTasks } from '../../runner/chains/suite.ts';
import { findTask, loadTask } from '../../scenes/load.ts';
import { type CliContext, intOption } from '../options.ts';

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

export function registerTasks(program: Command, ctx: CliContext): void {
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
}
