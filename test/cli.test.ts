// The command line as shell users and CI see it: one JSON document on stdout, documented exit codes.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const cli = (args: string[]) => spawnSync(process.execPath, ['scripts/chaingap.mjs', ...args], { encoding: 'utf8' });

it('tasks --json prints one JSON document with a row per task type', () => {
  const r = cli(['tasks', '--episodes', '1', '--json']);
  expect(r.status, r.stderr).toBe(0);
  const doc = JSON.parse(r.stdout);
  expect(doc.policy).toBe('expert');
  expect(doc.tasks.length).toBeGreaterThanOrEqual(9);
  for (const t of doc.tasks) expect(t).toMatchObject({ episodes: 1, ci: expect.any(Array) });
});

it('bad input exits 2 with a message naming what is wrong', () => {
  const r = cli(['tasks', '--task', 'tabletop_soup_on_plat', '--json']);
  expect(r.status).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(/tabletop_soup_on_plate/);
  const e = cli(['tasks', '--episodes', 'many']);
  expect(e.status).toBe(2);
  expect(e.stderr).toMatch(/--episodes/);
});

it('list tasks --json lists the shipped tasks', () => {
  const tasks = JSON.parse(cli(['list', 'tasks', '--json']).stdout);
  expect(tasks.map((t: { name: string }) => t.name)).toContain('cabinet_open_drawer');
});

it('list prints its data on stdout, one line per item, and names a bad kind', () => {
  const json = JSON.parse(cli(['list', 'tasks', '--json']).stdout);
  const plain = cli(['list', 'tasks']);
  expect(plain.status).toBe(0);
  const lines = plain.stdout.trim().split('\n');
  expect(lines).toHaveLength(json.length);
  expect(lines[0].split('\t')[0]).toBe(json[0].name);
  const bad = cli(['list', 'bogus']);
  expect(bad.status).toBe(2);
  expect(bad.stderr).toMatch(/list: "bogus" is not one of: scenes, tasks, policies, axes/);
});

describe('run: bad input exits 2, names what and where, and writes nothing', () => {
  const out = () => fs.mkdtempSync(path.join(os.tmpdir(), 'chaingap-cli-'));

  it('an unknown scene or policy', () => {
    const dir = path.join(out(), 'run');
    const a = cli(['run', '--scene', 'kitchn', '--out', dir, '--json']);
    expect(a.status).toBe(2);
    expect(a.stdout).toBe('');
    expect(a.stderr).toMatch(/"kitchn".*kitchen/);
    const b = cli(['run', '--policy', 'bernouli:0.9', '--out', dir]);
    expect(b.status).toBe(2);
    expect(b.stderr).toMatch(/unknown policy "bernouli".*bernoulli/);
    const c = cli(['run', '--policy', 'bernoulli:1.5', '--out', dir]);
    expect(c.status).toBe(2);
    expect(c.stderr).toMatch(/p must be a number in \[0, 1\]/);
    expect(fs.existsSync(dir)).toBe(false);
  });

  it('a chain file whose step is not possible after the earlier ones', () => {
    const d = out();
    const file = path.join(d, 'chains.json');
    fs.writeFileSync(file, JSON.stringify({ name: 'c', scene: 'cabinet_counter', steps: ['cabinet_open_drawer', 'cabinet_open_drawer'] }));
    const r = cli(['run', '--chain-file', file, '--out', path.join(d, 'run')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/chains\.json: steps\[1\]\.goal: .*not possible after steps 0-0 succeed: "cabinet" is already open/);
    expect(fs.existsSync(path.join(d, 'run'))).toBe(false);
  });
});

it('list policies names every policy spec', () => {
  const p = JSON.parse(cli(['list', 'policies', '--json']).stdout);
  expect(p.map((x: { usage: string }) => x.usage)).toEqual(['expert', 'bernoulli:<p>', 'noisy-expert:<sigma>', 'onnx:<model.onnx>', 'ws://<host>:<port>']);
});

it('render writes RGB, depth and segmentation PNGs of the requested size and names the segments', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chaingap-render-'));
  const out = path.join(dir, 'view.png');
  const r = cli(['render', '--scene', 'kitchen', '--size', '32', '--out', out, '--depth', '--seg', '--json']);
  expect(r.status, r.stderr).toBe(0);
  const doc = JSON.parse(r.stdout);
  expect(doc.files).toEqual({ rgb: out, depth: path.join(dir, 'view.depth.png'), depthPreview: path.join(dir, 'view.depth-preview.png'), segmentation: path.join(dir, 'view.seg.png') });
  expect(Object.values(doc.segmentation)).toEqual(expect.arrayContaining(['table', 'robot', 'cabinet', 'soup']));
  for (const f of Object.values(doc.files) as string[]) expect(fs.readFileSync(f).subarray(1, 4).toString()).toBe('PNG');
  // The depth data is 16-bit grey (PNG colour type 0, bit depth 16); the preview is 8-bit RGB (type 2) to look at.
  const ihdr = (f: string) => { const b = fs.readFileSync(f); return [b[24], b[25]]; };
  expect(ihdr(doc.files.depth)).toEqual([16, 0]);
  expect(ihdr(doc.files.depthPreview)).toEqual([8, 2]);
  const bad = cli(['render', '--scene', 'kitchn', '--out', out]);
  expect(bad.status).toBe(2);
  expect(bad.stderr).toMatch(/kitchen/);
});

it('a salted run records the salt only as a hash, and the same salt reproduces the run', () => {
  const run = (dir: string, salt: string) => cli(['run', '--policy', 'bernoulli:0.5', '--chains', '2', '--steps', '2', '--baseline-episodes', '1', '--salt', salt, '--out', dir, '--json']);
  const a = fs.mkdtempSync(path.join(os.tmpdir(), 'chaingap-salt-')), b = fs.mkdtempSync(path.join(os.tmpdir(), 'chaingap-salt-'));
  const ra = run(a, 's3cret-lab-salt'), rb = run(b, 's3cret-lab-salt');
  expect(ra.status, ra.stderr).toBe(0);
  const cfg = JSON.parse(fs.readFileSync(path.join(a, 'config.json'), 'utf8'));
  expect(cfg.saltHash).toMatch(/^[0-9a-f]{16}$/);
  for (const f of fs.readdirSync(a)) if (f.endsWith('.json') || f.endsWith('.jsonl') || f.endsWith('.md') || f.endsWith('.html')) expect(fs.readFileSync(path.join(a, f), 'utf8')).not.toContain('s3cret');
  const outcome = (s: { S: unknown; failures: unknown }) => [s.S, s.failures];
  expect(outcome(JSON.parse(rb.stdout))).toEqual(outcome(JSON.parse(ra.stdout)));
}, 120_000);

it('import-bddl writes a chain file that run accepts; a bad category exits 2 naming line and column', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chaingap-bddl-'));
  const out = path.join(dir, 'two.json');
  const r = cli(['import-bddl', 'test/fixtures/two_boxes_in_basket.bddl', '--out', out]);
  expect(r.status, r.stderr).toBe(0);
  const chains = JSON.parse(fs.readFileSync(out, 'utf8'));
  expect(chains.steps[0].goal).toEqual(['And', ['In', 'cream_cheese_1', 'basket_1'], ['In', 'butter_1', 'basket_1']]);
  const bad = path.join(dir, 'bad.bddl');
  fs.writeFileSync(bad, fs.readFileSync('test/fixtures/two_boxes_in_basket.bddl', 'utf8').replace('- basket', '- baskett'));
  const e = cli(['import-bddl', bad, '--out', path.join(dir, 'bad.json')]);
  expect(e.status).toBe(2);
  expect(e.stderr).toMatch(/bad\.bddl: line \d+, column \d+: found object category "baskett".*basket/);
});
