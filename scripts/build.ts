// Build the published package into dist/ (`npm run build`; `npm pack` runs it as prepack): the compiled
// JS and .d.ts (tsconfig.build.json), mirroring the source tree, plus every file the compiled code
// reads by a path relative to its own module, copied to the same place relative to dist/:
//   scenes/data/**          shipped scenes and tasks (scenes/load.ts)
//   policies/models/**      the shipped ONNX policies (the demo's tiny-vla, the example CNN)
//   viewer/dist/**          the bundled viewer page (runner/view/view-bundle.ts; built here when stale)
//   runner/**/*.mjs         worker-thread entries (they import the sibling .js when compiled)
//   package.json            version and dependency versions recorded in run configs (runner/chains/run.ts)
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { viewerBundle } from '../runner/view/view-bundle.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const DIST = path.join(ROOT, 'dist');
const t0 = performance.now();

rmSync(DIST, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const r = spawnSync(process.execPath, [tsc, '-p', path.join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
if (r.status !== 0) {
  process.stderr.write(`build: tsc failed (exit ${r.status ?? r.signal})\n`);
  process.exit(1);
}

const copy = (rel: string) => cpSync(path.join(ROOT, rel), path.join(DIST, rel), { recursive: true });
copy('scenes/data');
copy('policies/models');
const page = await viewerBundle();
cpSync(page, path.join(DIST, 'viewer/dist'), { recursive: true });
for (const f of readdirSync(path.join(ROOT, 'runner'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.mjs'))) copy(`runner/${f}`);

const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
writeFileSync(path.join(DIST, 'package.json'), JSON.stringify({
  name: `${pkg.name}-dist`, private: true, description: 'compiled by scripts/build.ts; read at run time for the version and dependency versions',
  version: pkg.version, type: 'module', dependencies: pkg.dependencies,
}, null, 2) + '\n');

let files = 0, bytes = 0;
const walk = (d: string): void => {
  for (const e of readdirSync(d, { withFileTypes: true })) {
    const f = path.join(d, e.name);
    if (e.isDirectory()) walk(f);
    else { files++; bytes += readFileSync(f).length; }
  }
};
walk(DIST);
process.stderr.write(`build: dist/ ${files} files, ${(bytes / 1024 / 1024).toFixed(1)} MiB in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
