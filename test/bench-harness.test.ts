// The benchmark harnesses' own inputs stay valid as the library changes (the harnesses themselves run
// in .ci/run as `npm run bench -- --quick`): the physics benchmark's hand-made tabletop30 layout follows
// the object library's sizes, with nothing overlapping or floating; bench:e2e's pin to one core holds.
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { Command } from 'commander';
import { expect, it } from 'vitest';
import { type PolicyCliOptions, addPolicyOptions, policyOptionsFrom } from '../scripts/policy-options.ts';
import { checkLayout, tabletop30Objects, tabletop30Scene } from '../benchmarks/physics/scene.ts';

it('tabletop30: 30 objects, stacks resting on what is under them, no overlap, all reachable', () => {
  const scene = tabletop30Scene();
  expect(scene.objects).toHaveLength(30);
  const byId = new Map(tabletop30Objects().map((o) => [o.id, o]));
  // Stacked objects sit at their support's top, from the library's sizes (cookies box 19 mm, cream cheese 18 mm).
  expect(byId.get('cream_cheese_1')!.pos[2]).toBeCloseTo(0.019, 6);
  expect(byId.get('butter_1')!.pos[2]).toBeCloseTo(0.037, 6);
  expect(byId.get('block_3')!.pos[2]).toBeCloseTo(0.1, 6);
  // The check itself rejects a moved object.
  const moved = tabletop30Objects().map((o) => (o.id === 'can_2' ? { ...o, pos: [o.pos[0] - 0.01, o.pos[1], o.pos[2]] as typeof o.pos } : o));
  expect(() => checkLayout(moved)).toThrow(/can_1 and can_2 overlap|can_2 and can_\d overlap/);
});

// bench:e2e's one-core figure: the process pins itself and every thread it starts, and says so only if
// every thread stayed on the CPU. onnxruntime pins its intra-op pool one thread per core on some hosts,
// escaping the pin unless the model is opened with one intra-op thread; the harness must see any thread
// that escapes. (Whether onnxruntime's default pool escapes depends on the host's CPU topology: it did on
// the 2026-12-04 host and did not on 2026-12-05's, so the escape is made here with taskset on one thread.)
it('pinToCpu keeps every thread on CPU 0 with a one-thread onnxruntime session, and threadAffinities sees a thread that escapes', () => {
  const probe = (escape: boolean) => spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `
    import { execFileSync } from 'node:child_process';
    import { readdirSync } from 'node:fs';
    import { pinToCpu, threadAffinities } from './benchmarks/harness.ts';
    import { OnnxChunkModel } from './policies/onnx-model.ts';
    const why = pinToCpu(0);
    const model = await OnnxChunkModel.load('policies/models/example-cnn/model.onnx', { device: 'cpu', threads: 1, log: () => {} });
    const before = threadAffinities();
    // One thread other than the main one moved to CPU 1, as onnxruntime moves its pool's threads.
    if (${escape}) execFileSync('taskset', ['-pc', '1', readdirSync('/proc/self/task').find((t) => t !== String(process.pid))], { stdio: 'ignore' });
    console.log(JSON.stringify({ why, before, after: threadAffinities() }));
    await model.close();`], { encoding: 'utf8' });
  const one = probe(false);
  expect(one.status, one.stderr).toBe(0);
  const r1 = JSON.parse(one.stdout.trim().split('\n').pop()!) as { why: string | null; before: Record<string, number> };
  expect(r1.why).toBeNull();
  expect(Object.keys(r1.before)).toEqual(['0']);
  if (cpus().length < 2) return; // no second CPU to escape to
  const moved = probe(true);
  expect(moved.status, moved.stderr).toBe(0);
  const r2 = JSON.parse(moved.stdout.trim().split('\n').pop()!) as { before: Record<string, number>; after: Record<string, number> };
  expect(Object.keys(r2.before)).toEqual(['0']);
  expect(r2.after).toEqual({ '0': r2.before['0'] - 1, '1': 1 });
});

it('--onnx-threads reaches the library as PolicyOpenOptions.threads, and 0 is refused naming the flag', () => {
  const parse = (args: string[]) => addPolicyOptions(new Command().exitOverride().configureOutput({ writeErr: () => {} })).parse(args, { from: 'user' }).opts<PolicyCliOptions>();
  expect(policyOptionsFrom(parse(['--onnx-threads', '1'])).threads).toBe(1);
  expect(policyOptionsFrom(parse([])).threads).toBeUndefined();
  expect(() => parse(['--onnx-threads', '0'])).toThrow(/--onnx-threads must be a whole number > 0, got "0"/);
});
