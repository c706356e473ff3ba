// How many BDDL files of a folder import, and why the others do not, grouped by cause.
//   node --import tsx scripts/libero-import-report.ts <LIBERO>/libero/libero/bddl_files/libero_90 [--stand-in] [--json]
// Prints "imported X of N", then one block per failure reason (most files first) listing the files and
// the first error message; --json prints the same as one JSON document on stdout.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { BddlError, bddlTaskName, importBddl } from '../scenes/bddl.ts';
import { SpecError } from '../scenes/errors.ts';

export interface ImportReport {
  dir: string;
  files: number;
  imported: string[];
  /** Failure reason -> files, most files first. */
  failures: { reason: string; files: { file: string; message: string }[] }[];
}

/** Import every .bddl file of `dir` (name order) and group the failures by BddlError.reason. */
export function importReport(dir: string, opts: { standIn?: boolean } = {}): ImportReport {
  const names = readdirSync(dir).filter((f) => f.toLowerCase().endsWith('.bddl')).sort();
  const imported: string[] = [];
  const groups = new Map<string, { file: string; message: string }[]>();
  for (const f of names) {
    const file = join(dir, f);
    try {
      importBddl(readFileSync(file, 'utf8'), file, bddlTaskName(f), opts);
      imported.push(f);
    } catch (e) {
      // A crash in the importer is a failure like any other, listed under its own reason.
      const reason = e instanceof BddlError ? e.reason : e instanceof SpecError ? 'syntax or structure' : `importer error: ${(e as Error).name}`;
      const list = groups.get(reason) ?? [];
      list.push({ file: f, message: (e as Error).message });
      groups.set(reason, list);
    }
  }
  const failures = [...groups.entries()].map(([reason, files]) => ({ reason, files }))
    .sort((a, b) => b.files.length - a.files.length || (a.reason < b.reason ? -1 : 1));
  return { dir, files: names.length, imported, failures };
}

export function reportText(r: ImportReport): string {
  const lines = [`${r.dir}: imported ${r.imported.length} of ${r.files}`];
  for (const g of r.failures) {
    lines.push('', `${g.files.length} x ${g.reason}`, `   e.g. ${g.files[0].message}`);
    for (const f of g.files) lines.push(`   - ${f.file}`);
  }
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const dir = args.find((a) => !a.startsWith('--'));
  if (!dir) {
    process.stderr.write('usage: node --import tsx scripts/libero-import-report.ts DIR [--stand-in] [--json]\n');
    process.exit(2);
  }
  const r = importReport(dir, { standIn: args.includes('--stand-in') });
  if (args.includes('--json')) process.stdout.write(JSON.stringify(r) + '\n');
  else process.stdout.write(reportText(r) + '\n');
}
