// `chaingap list`.
import { type Command } from 'commander';
import { UserError } from '../../scenes/errors.ts';
import { listPolicies } from '../../policies/registry.ts';
import { findTask, listScenes, listTasks } from '../../scenes/load.ts';
import { OOD_AXES, OOD_MAPPINGS } from '../../scenes/ood.ts';
import { type CliContext } from '../options.ts';

export function registerList(program: Command, ctx: CliContext): void {
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
      else throw new UserError(`list: "${what}" is not one of: scenes, tasks, policies, axes`);
      // The list is the command's data: stdout, so it pipes (`chaingap list tasks | wc -l`).
      if (o.json) process.stdout.write(JSON.stringify(items) + '\n');
      else for (const i of items) process.stdout.write((typeof i === 'string' ? i : Object.values(i as object).join('\t')) + '\n');
    });
}
