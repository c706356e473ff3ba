// `chaingap import-bddl`.
import type { Command } from 'commander';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bddlChain, bddlTaskName, importBddl } from '../../scenes/bddl.ts';
import { SpecError } from '../../scenes/errors.ts';
import { type CliContext } from '../options.ts';
import { prepareOutDir, prepareOutFile } from '../output-paths.ts';

export function registerImportBddl(program: Command, ctx: CliContext): void {
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
        mkdirSync(prepareOutDir('--out', o.out), { recursive: true });
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
        if (failed) ctx.exitCode = 2;
        return;
      }
      const name = o.name ?? bddlTaskName(src);
      prepareOutFile('--out', o.out);
      const r = convert(src, o.out, name);
      for (const [cat, kind] of Object.entries(r.standIns)) process.stderr.write(`stand-in: "${cat}" -> ${kind}\n`);
      process.stderr.write(`${o.out}: "${r.task.instruction}" (${r.scene.objects.length} objects, ${r.scene.fixtures.length} fixtures); run it with: chaingap run --chain-file ${o.out} --out <dir>\n`);
    });
}
