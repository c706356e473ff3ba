// Every benchmark harness in one run: `npm run bench` (full: each harness writes its
// benchmarks/results/<name>.json, and this writes benchmarks/results.json and benchmarks/results.md,
// every figure beside the baseline it is a ratio to, measured in the same harness run) or
// `npm run bench -- --quick` (each harness small, only to prove it runs: .ci/run does this; nothing in
// the repository is written, the summary goes to the temp dir). `--only physics,render` picks harnesses.
// Exit 1 if a harness failed; harnesses whose program is missing (chromium, redis-server) are skipped
// and say so, except under CHAINGAP_CI=1.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { QUICK } from './harness.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const has = (cmd: string, args: string[]) => spawnSync(cmd, args, { encoding: 'utf8' }).status === 0;
const HARNESSES: { name: string; needs?: { what: string; ok: () => boolean } }[] = [
  { name: 'physics' },
  { name: 'render' },
  { name: 'policy' },
  { name: 'remote' },
  { name: 'e2e' },
  { name: 'sweep' },
  { name: 'distributed', needs: { what: 'redis-server (apt-get install redis-server)', ok: () => has('redis-server', ['--version']) } },
  { name: 'train' },
  { name: 'viewer', needs: { what: 'chromium (apt-get install chromium)', ok: () => has(process.env.CHAINGAP_CHROMIUM ?? 'chromium', ['--version']) } },
];
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt > 0 ? new Set(process.argv[onlyAt + 1].split(',')) : null;
if (only) for (const n of only) if (!HARNESSES.some((h) => h.name === n)) throw new Error(`--only: no harness "${n}"; there are ${HARNESSES.map((h) => h.name).join(', ')}`);

type Doc = Record<string, unknown>;
/** Per harness: how it went, and when it ran (with --only, the others keep their last results). */
const results: Record<string, { status: 'ok' | 'failed' | 'skipped'; seconds: number; note?: string; doc?: Doc; ran?: string }> = {};
for (const h of HARNESSES) {
  if (only && !only.has(h.name)) continue;
  if (h.needs && !h.needs.ok()) {
    if (process.env.CHAINGAP_CI === '1') throw new Error(`bench ${h.name} needs ${h.needs.what}`);
    results[h.name] = { status: 'skipped', seconds: 0, note: `needs ${h.needs.what}` };
    process.stderr.write(`bench ${h.name}: skipped (needs ${h.needs.what})\n`);
    continue;
  }
  process.stderr.write(`bench ${h.name}${QUICK ? ' --quick' : ''} ...\n`);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(HERE, h.name, 'run.ts'), ...(QUICK ? ['--quick'] : [])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20 });
  const seconds = (performance.now() - t0) / 1000;
  const last = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).at(-1);
  let doc: Doc | undefined;
  try {
    doc = last ? (JSON.parse(last) as Doc) : undefined;
  } catch { /* reported below */ }
  results[h.name] = r.status === 0 && doc ? { status: 'ok', seconds, doc } : { status: 'failed', seconds, note: `exit ${r.status}${doc ? '' : ', no JSON result line'}` };
  process.stderr.write(`bench ${h.name}: ${results[h.name].status} in ${seconds.toFixed(1)} s\n`);
}

/** Numbers of a result document as dotted keys; {min, median, max} blocks stay together. */
function flatten(v: unknown, prefix: string, out: [string, string][]): void {
  if (typeof v === 'number') out.push([prefix, String(v)]);
  else if (typeof v === 'boolean') out.push([prefix, String(v)]);
  else if (v && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    if (typeof o.median === 'number' && typeof o.min === 'number' && typeof o.max === 'number') out.push([prefix, `${o.median} (${o.min} to ${o.max})`]);
    else for (const [k, x] of Object.entries(o)) flatten(x, prefix ? `${prefix}.${k}` : k, out);
  }
}
const outDir = QUICK ? join(tmpdir(), 'chaingap-bench-quick') : resolve(HERE);
mkdirSync(outDir, { recursive: true });
// With --only, the other harnesses' last results are kept (each says when it ran).
if (only && existsSync(join(outDir, 'results.json'))) {
  const before = JSON.parse(readFileSync(join(outDir, 'results.json'), 'utf8')) as { date: string; harnesses: typeof results };
  for (const [name, r] of Object.entries(before.harnesses)) if (!(name in results)) results[name] = { ...r, ran: r.ran ?? before.date };
}
for (const r of Object.values(results)) r.ran ??= new Date().toISOString();
const md: string[] = [`# chaingap benchmarks${QUICK ? ' (--quick: proves the harnesses run; the numbers mean nothing)' : ''}`, '',
  `${new Date().toISOString()}, node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? 'unknown'}. Ratios are against a baseline measured in the same harness run; a value "m (a to b)" is the median with min and max over the repeats.`, ''];
for (const [name, r] of Object.entries(results)) {
  md.push(`## ${name}: ${r.status}${r.note ? ` (${r.note})` : ''}, ${r.seconds.toFixed(0)} s, run ${r.ran}`, '');
  if (!r.doc) continue;
  for (const part of ['ratios', 'figures']) {
    const rows: [string, string][] = [];
    flatten(r.doc[part] ?? (part === 'figures' && !r.doc.ratios ? r.doc : undefined), '', rows);
    if (!rows.length) continue;
    md.push(`| ${part} | value |`, '| --- | --- |', ...rows.map(([k, v]) => `| ${k} | ${v} |`), '');
  }
}
writeFileSync(join(outDir, 'results.json'), JSON.stringify({ date: new Date().toISOString(), quick: QUICK, machine: { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length }, harnesses: results }, null, 2) + '\n');
writeFileSync(join(outDir, 'results.md'), md.join('\n'));
process.stderr.write(`wrote ${join(outDir, 'results.json')} and results.md\n`);
if (Object.values(results).some((r) => r.status === 'failed')) process.exitCode = 1;
