// The published package, as a user gets it: `npm pack` (prepack builds dist/: compiled JS, .d.ts and
// the assets read at run time), the tarball installed into an empty folder, and there: plain `node`
// (no tsx, no loader) imports 'chaingap' and runs an env, generateChains by scene name, runChains and a
// sweep on a worker thread; the `chaingap` command runs; and a TypeScript consumer type-checks against
// the shipped .d.ts. The install reads npm's cache (filled by `npm ci`) and the registry for anything
// missing; the consumer denies onnxruntime-node's install script (it downloads CUDA binaries) the way
// the README tells users to.
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TSC = path.join(ROOT, 'node_modules/typescript/bin/tsc');

// Children get no npm_* variables from an enclosing `npm test` and no NODE_OPTIONS (no loader).
const ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && k !== 'NODE_OPTIONS'));
const times: Record<string, number> = {};

function sh(cmd: string, args: string[], cwd: string, label: string): SpawnSyncReturns<string> {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { cwd, env: ENV, encoding: 'utf8', maxBuffer: 64 << 20 });
  times[label] = (performance.now() - t0) / 1000;
  if (r.error) throw r.error;
  return r;
}
const ok = (r: SpawnSyncReturns<string>) => {
  expect(r.status, `exit ${r.status}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`).toBe(0);
  return r;
};

let tmp = '';
let app = '';
let pkg = '';

beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'chaingap-pack-'));
  const pack = ok(sh('npm', ['pack', '--json', '--pack-destination', tmp], ROOT, 'build + pack'));
  const tarball = path.join(tmp, JSON.parse(pack.stdout.match(/\[\s*\{[\s\S]*\]\s*$/)![0])[0].filename);
  app = path.join(tmp, 'app');
  mkdirSync(app);
  writeFileSync(path.join(app, 'package.json'), JSON.stringify({
    name: 'app', private: true, type: 'module', allowScripts: { 'onnxruntime-node': false },
  }, null, 2));
  ok(sh('npm', ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund'], app, 'install'));
  pkg = path.join(app, 'node_modules/chaingap');
}, 400_000);

afterAll(() => {
  // The install is ~800 MB of dependencies: removed in the background, so the suite does not wait on the disk.
  if (tmp && process.platform !== 'win32') spawn('rm', ['-rf', tmp], { detached: true, stdio: 'ignore' }).unref();
  else if (tmp) rmSync(tmp, { recursive: true, force: true });
  process.stderr.write(`package test: ${Object.entries(times).map(([k, v]) => `${k} ${v.toFixed(1)} s`).join(', ')}\n`);
});

describe('the packed package, installed into an empty folder', () => {
  it('ships compiled JS, .d.ts and the runtime assets, and no sources, tests or tsx', () => {
    const files: string[] = [];
    const walk = (d: string): void => {
      for (const n of readdirSync(d)) {
        const f = path.join(d, n);
        if (statSync(f).isDirectory()) walk(f);
        else files.push(path.relative(pkg, f).split(path.sep).join('/'));
      }
    };
    walk(pkg);
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    expect(files.filter((f) => /^(test|benchmarks|viewer|scenes|sim|runner|policies)\//.test(f))).toEqual([]);
    for (const f of ['dist/index.js', 'dist/index.d.ts', 'dist/scripts/cli.js', 'dist/package.json', 'dist/scenes/data/scenes/kitchen.json',
      'dist/policies/models/tiny-vla/model.onnx', 'dist/policies/models/tiny-vla/manifest.json', 'dist/viewer/dist/main.js',
      'dist/viewer/dist/index.html', 'dist/runner/sweep/sweep-worker.mjs', 'dist/runner/view/live-worker.mjs', 'scripts/chaingap.mjs', 'README.md']) {
      expect(files, f).toContain(f);
    }
    expect(existsSync(path.join(app, 'node_modules/tsx'))).toBe(false);
  });

  it('plain node imports it and runs an env, generateChains by scene name, runChains and a sweep on a worker thread', () => {
    writeFileSync(path.join(app, 'use.mjs'), `
import { Env, findTask, generateChains, runChains, runSweep, parseSweepSpec, listScenes } from 'chaingap';
const out = {};
out.resolved = import.meta.resolve('chaingap');
out.scenes = listScenes();
const env = new Env();
const task = findTask('tabletop_soup_on_plate');
const { obs } = await env.reset({ task, seed: 1 });
let r;
for (let i = 0; i < 3; i++) r = env.step(new Array(7).fill(0));
env.close();
out.env = { state: obs.state !== undefined, steps: r.info.steps, success: r.info.success };
const chains = generateChains({ scene: 'kitchen', count: 1, steps: 2, seed: 3 });
out.chains = chains.map((c) => ({ scene: c.scene, steps: c.steps.length }));
const run = await runChains({ out: 'out/run', policy: 'expert', scene: 'kitchen', chains: 1, steps: 2, seed: 0, baselineEpisodes: 1 });
out.run = { chains: run.summary.chains, steps: run.summary.steps, S: run.summary.S.length, policy: run.summary.policy, html: run.files.reportHtml };
const sweep = await runSweep(parseSweepSpec({ name: 'pkg', policies: ['expert'], chains: 1, steps: 2, baselineEpisodes: 1 }, 'spec'),
  { out: 'out/sweep', workers: 1, inProcess: false });
out.sweep = { cells: sweep.cells.length, ran: sweep.ran, workers: sweep.workers };
process.stdout.write(JSON.stringify(out));
`);
    const r = ok(sh('node', ['use.mjs'], app, 'node use.mjs'));
    const out = JSON.parse(r.stdout);
    expect(out.resolved).toBe(pathToFileURL(realpathSync(path.join(pkg, 'dist/index.js'))).href);
    expect(out.scenes).toContain('kitchen');
    expect(out.env.steps).toBe(3);
    expect(out.chains).toEqual([{ scene: 'kitchen', steps: 2 }]);
    expect(out.run).toMatchObject({ chains: 1, steps: 2, S: 2, policy: 'expert' });
    expect(existsSync(path.join(app, out.run.html))).toBe(true);
    expect(JSON.parse(readFileSync(path.join(app, 'out/run/config.json'), 'utf8')).chaingap).toBe(JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version);
    expect(out.sweep).toMatchObject({ cells: 1, workers: 1 });
    expect(out.sweep.ran).toBeGreaterThan(0);
  });

  it('`npx chaingap` runs the compiled CLI: a tiny run and a tiny demo write their reports', () => {
    ok(sh('npx', ['chaingap', 'run', '--policy', 'expert', '--chains', '1', '--steps', '2', '--baseline-episodes', '1', '-o', 'cli-run'], app, 'npx chaingap run'));
    expect(existsSync(path.join(app, 'cli-run/report.html'))).toBe(true);
    expect(existsSync(path.join(app, 'cli-run/summary.json'))).toBe(true);
    // The demo itself, made small: three policies on one two-step chain each, one baseline episode per task.
    ok(sh('npx', ['chaingap', 'demo', '--chains', '1', '--steps', '2', '--baseline-episodes', '1', '--no-learned', '-o', 'demo'], app, 'npx chaingap demo'));
    for (const p of ['expert', 'noisy-expert_0.1', 'bernoulli_0.95']) expect(existsSync(path.join(app, 'demo', p, 'report.html')), p).toBe(true);
  });

  it('types: a TypeScript consumer type-checks against the shipped .d.ts, and a wrong call is an error', () => {
    writeFileSync(path.join(app, 'consumer.ts'), `
import { Env, findTask, runChains, type Policy, type RunResult } from 'chaingap';

const still: Policy = { id: 'still', reset() {}, act: () => [0, 0, 0, 0, 0, 0, -1] };
export async function main(): Promise<number> {
  const env = new Env();
  const { obs } = await env.reset({ task: findTask('tabletop_soup_on_plate'), seed: 0 });
  const step = env.step(await still.act(obs));
  const done: boolean = step.terminated || step.info.success;
  // @ts-expect-error reset takes { task, seed }, not a task name
  await env.reset('tabletop_soup_on_plate');
  // @ts-expect-error a step result's reward is a number
  const s: string = step.reward;
  const r: RunResult = await runChains({ out: 'out', policy: 'expert', chains: 1, steps: 2 });
  await runChains({ out: 'out-still', policy: still, chains: 1, steps: 2 });
  // @ts-expect-error runChains needs its out directory
  await runChains({ policy: 'expert' });
  return r.summary.S[0].value + Number(done) + s.length;
}
`);
    // --skipLibCheck as in any real project: the .d.ts of dependencies (rapier, tfjs) do not pass
    // strict NodeNext checks themselves. The expect-error lines fail if chaingap's types were any.
    const r = sh('node', [TSC, '--noEmit', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--strict', '--skipLibCheck', 'consumer.ts'], app, 'tsc consumer.ts');
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
