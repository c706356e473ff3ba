// The `chaingap` command line: a thin layer over the library API. Human text goes to stderr;
// `--json` prints exactly one JSON document on stdout.
//
// Exit codes: 0 success; 1 the command ran but a check failed (e.g. demo below its floor);
// 2 bad input (unknown task, bad spec file, bad option).
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { listScenes, listTasks, findTask, loadTask } from '../scenes/load.ts';
import { SpecError } from '../scenes/errors.ts';
import type { TaskSpec } from '../scenes/types.ts';
import { ExpertPolicy } from '../policies/expert.ts';
import { evaluateTasks, type TaskSummary } from '../runner/suite.ts';

function intOption(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a non-negative integer, got "${v}"`);
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

function table(rows: TaskSummary[]): string {
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

export async function main(argv: string[]): Promise<number> {
  const program = new Command();
  program
    .name('chaingap')
    .description('Measure how robot manipulation policies hold up per step, over chains, and out of distribution.')
    .exitOverride()
    .configureOutput({ writeOut: (s) => process.stderr.write(s), writeErr: (s) => process.stderr.write(s) });

  let code = 0;

  program
    .command('demo')
    .description('Run the scripted expert on every task type of the baseline scenes and print a success table.')
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
        process.stderr.write(table(rows) + '\n');
        process.stderr.write(`\n${seconds.toFixed(1)} s in all\n`);
      }
    });

  program
    .command('list')
    .description('List shipped scenes or tasks.')
    .argument('<what>', 'scenes | tasks')
    .option('--json', 'print as JSON')
    .action((what: string, o: { json?: boolean }) => {
      let items: unknown[];
      if (what === 'scenes') items = listScenes();
      else if (what === 'tasks') items = listTasks().map((n) => { const t = findTask(n); return { name: t.name, type: t.type, scene: t.scene, instruction: t.instruction }; });
      else throw new InvalidArgumentError(`list: "${what}" is not one of: scenes, tasks`);
      if (o.json) process.stdout.write(JSON.stringify(items) + '\n');
      else for (const i of items) process.stderr.write((typeof i === 'string' ? i : Object.values(i as object).join('\t')) + '\n');
    });

  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof SpecError || e instanceof InvalidArgumentError) {
      process.stderr.write(`chaingap: ${(e as Error).message}\n`);
      return 2;
    }
    throw e;
  }
  return code;
}
