// The command line as shell users and CI see it: one JSON document on stdout, documented exit codes.
import { execFileSync, spawnSync } from 'node:child_process';
import { expect, it } from 'vitest';

const cli = (args: string[]) => spawnSync(process.execPath, ['scripts/chaingap.mjs', ...args], { encoding: 'utf8' });

it('demo --json prints one JSON document with a row per task type', () => {
  const r = cli(['demo', '--episodes', '1', '--json']);
  expect(r.status, r.stderr).toBe(0);
  const doc = JSON.parse(r.stdout);
  expect(doc.policy).toBe('expert');
  expect(doc.tasks.length).toBeGreaterThanOrEqual(9);
  for (const t of doc.tasks) expect(t).toMatchObject({ episodes: 1, ci: expect.any(Array) });
});

it('bad input exits 2 with a message naming what is wrong', () => {
  const r = cli(['demo', '--task', 'tabletop_soup_on_plat', '--json']);
  expect(r.status).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(/tabletop_soup_on_plate/);
  const e = cli(['demo', '--episodes', 'many']);
  expect(e.status).toBe(2);
  expect(e.stderr).toMatch(/--episodes/);
});

it('list tasks --json lists the shipped tasks', () => {
  const tasks = JSON.parse(cli(['list', 'tasks', '--json']).stdout);
  expect(tasks.map((t: { name: string }) => t.name)).toContain('cabinet_open_drawer');
});

it('the library example runs', () => {
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/examples/expert-episode.ts', 'cabinet_open_drawer', '3'], { encoding: 'utf8' });
  expect(out).toMatch(/success after \d+ steps/);
});
