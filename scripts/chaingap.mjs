#!/usr/bin/env node
// Entry point of the `chaingap` command. In a source checkout (scripts/cli.ts beside this file) it
// registers the TypeScript loader (tsx, a devDependency) and runs the CLI from source, so an edit takes
// effect without a build; in the installed package (no .ts shipped) it runs the compiled CLI,
// dist/scripts/cli.js (`npm run build`).
import { existsSync } from 'node:fs';

const source = new URL('./cli.ts', import.meta.url);
const compiled = new URL('../dist/scripts/cli.js', import.meta.url);

async function load() {
  if (existsSync(source)) {
    try {
      const { register } = await import('tsx/esm/api');
      register();
      return await import(source.href);
    } catch (e) {
      // A checkout installed without devDependencies: the compiled CLI, if built, still runs.
      if (e?.code !== 'ERR_MODULE_NOT_FOUND' || !existsSync(compiled)) throw e;
    }
  }
  return import(compiled.href);
}

const { main } = await load();
process.exitCode = await main(process.argv);
