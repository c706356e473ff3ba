// env.snapshot() / env.restore() is bitwise also in contact: a snapshot taken at any control step and
// restored continues exactly like the run it was taken from, to the end, given the same actions, down
// to Rapier's whole serialized state; and once an episode has taken a snapshot, later ones change
// nothing. (Rapier's serialization drops the broad phase's optimiser state and pair-map order;
// sim/world.ts rebuilds the broad phase from the serialized world every control step once snapshots
// are in use. Before that, snapshots taken before the fingers reached the drawer handle went elsewhere
// once they touched it.)
import { describe, expect, it } from 'vitest';
import { Env, type EnvSnapshot } from '../sim/env.ts';
import { ExpertPolicy } from '../policies/expert.ts';
import { findScene, findTask } from '../scenes/load.ts';
import { generateChains } from '../scenes/chains.ts';
import type { TaskSpec } from '../scenes/types.ts';
import { wasmMemoryBytes } from '../sim/rapier.ts';

interface RBodyView {
  translation(): { x: number; y: number; z: number };
  rotation(): { x: number; y: number; z: number; w: number };
  linvel(): { x: number; y: number; z: number };
  angvel(): { x: number; y: number; z: number };
}

/** Every body's pose and velocities, every fixture's joint value and the finger openings, as raw bits. */
function state(env: Env): Float64Array {
  const out: number[] = [];
  env.world.world.forEachRigidBody((b: RBodyView) => {
    const t = b.translation(), r = b.rotation(), v = b.linvel(), w = b.angvel();
    out.push(t.x, t.y, t.z, r.x, r.y, r.z, r.w, v.x, v.y, v.z, w.x, w.y, w.z);
  });
  for (const f of env.world.fixtures.values()) out.push(f.value());
  out.push(env.world.robot.fingerOpening(0), env.world.robot.fingerOpening(1));
  return new Float64Array(out);
}

const sameBits = (a: Float64Array, b: Float64Array) => Buffer.from(a.buffer).equals(Buffer.from(b.buffer));

function maxDiff(a: Float64Array, b: Float64Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

/** One uninterrupted expert run: the action of each control step and the state after it. */
interface Recording {
  actions: number[][];
  states: Float64Array[];
  /** Snapshot taken before each recorded control step ('every'), or only the one right after reset ('first'). */
  snaps: EnvSnapshot[];
  success: boolean;
  /** Objects held between both fingers at some recorded step. */
  grasped: Set<string>;
}

/**
 * Run the expert on `tasks` one after the other in one episode (a chain without reset), recording
 * the control steps of the last task; earlier tasks only lead up to it.
 */
async function record(env: Env, tasks: TaskSpec[], seed: number, snapshots: 'every' | 'first' | 'none'): Promise<Recording> {
  const expert = new ExpertPolicy(env.privileged);
  let { obs } = await env.reset({ seed, task: tasks[0] });
  const rec: Recording = { actions: [], states: [], snaps: [], success: false, grasped: new Set() };
  if (snapshots === 'first') rec.snaps.push(env.snapshot());
  for (let t = 0; t < tasks.length; t++) {
    if (t > 0) obs = env.setTask(tasks[t]);
    expert.reset({ seed, step: t, task: tasks[t], instruction: tasks[t].instruction, actionMode: env.actionMode });
    const last = t === tasks.length - 1;
    for (;;) {
      if (last && snapshots === 'every') rec.snaps.push(env.snapshot());
      const a = Array.from(expert.act(obs));
      const r = env.step(a);
      obs = r.obs;
      if (last) {
        rec.actions.push(a);
        rec.states.push(state(env));
        for (const id of env.world.graspedObjects()) rec.grasped.add(id);
      }
      if (r.terminated || r.truncated) {
        if (last) rec.success = r.info.success;
        break;
      }
    }
  }
  return rec;
}

/**
 * Restore the snapshots before steps `from` into `env` and replay the recorded actions to the end; the
 * snapshots whose continuation differs from the recorded run in any body, fixture or finger bit, or
 * (where the run snapshotted that step) anywhere in Rapier's serialized world.
 */
function divergences(env: Env, rec: Recording, from = rec.snaps.map((_, k) => k)): string[] {
  const out: string[] = [];
  for (const k of from) {
    env.restore(rec.snaps[k]);
    let first = -1;
    let s: Float64Array = new Float64Array();
    for (let j = k; j < rec.actions.length; j++) {
      env.step(rec.actions[j]);
      s = state(env);
      const rapier = rec.snaps[j + 1]?.world.rapier;
      if (first < 0 && (!sameBits(s, rec.states[j]) || (rapier && !Buffer.from(env.snapshot().world.rapier).equals(Buffer.from(rapier))))) first = j;
    }
    if (first >= 0) out.push(`snapshot before step ${k}: first differs after step ${first}, at the end by up to ${maxDiff(s, rec.states.at(-1)!).toExponential(2)}`);
  }
  return out;
}

describe('snapshot / restore in contact', () => {
  it('open drawer (expert, seed 7): every control step\'s snapshot restores and continues bitwise to the end', async () => {
    const task = findTask('cabinet_open_drawer');
    const env = new Env();
    const rec = await record(env, [task], 7, 'every');
    // The run pulls the drawer by its handle: the fingers close on it and it slides open.
    expect(rec.success).toBe(true);
    expect(env.world.fixtures.get('cabinet')!.value()).toBeGreaterThan(0.15);
    expect(rec.snaps.length).toBeGreaterThan(20);

    // Restored into a second env built from the same scene and seed, as a search or a resumed run would.
    const other = new Env();
    await other.reset({ seed: 7, task });
    expect(divergences(other, rec)).toEqual([]);
    // And into the env the run came from, after it went on to the end.
    expect(divergences(env, rec, rec.snaps.map((_, k) => k).filter((k) => k % 5 === 0))).toEqual([]);

    // Once a snapshot was taken (here right after reset), taking more changes nothing; with
    // exactSnapshots on from the start, taking none at all is the same run too.
    for (const [mode, opts] of [['first', {}], ['none', { exactSnapshots: true }]] as const) {
      const again = await record(new Env(opts), [task], 7, mode);
      expect(again.states.length).toBe(rec.states.length);
      for (let j = 0; j < again.states.length; j++) expect(sameBits(again.states[j], rec.states[j]), `${mode}: state after step ${j}`).toBe(true);
    }
    env.close();
    other.close();
  });

  it('a chain step that grasps and carries an object (kitchen, after a button press) restores bitwise from every step', async () => {
    const chain = generateChains({ scene: findScene('kitchen'), seed: 0, count: 2 })[1];
    const [press, carry] = chain.steps;
    expect(press.goal[0]).toBe('TurnedOn');
    expect(carry.goal).toEqual(['On', 'red_block', 'plate']);
    const env = new Env();
    const rec = await record(env, [press, carry], 3, 'every');
    expect(rec.success).toBe(true);
    expect([...rec.grasped]).toEqual(['red_block']);
    expect(divergences(env, rec)).toEqual([]);
    env.close();
  });

  it('restores the sensor_noise stream: the same noisy observations follow', async () => {
    const task = findTask('tabletop_soup_on_plate');
    const env = new Env();
    await env.reset({ seed: 4, task, ood: { sensor_noise: 1 } });
    const act = (i: number) => [0.3 * Math.sin(i / 3), 0.3 * Math.cos(i / 4), -0.2, 0, 0, 0, i < 6 ? -1 : 1];
    for (let i = 0; i < 5; i++) env.step(act(i));
    const snap = env.snapshot();
    const run = () => Array.from({ length: 10 }, (_, i) => {
      const { obs } = env.step(act(5 + i));
      return [...obs.state.eePos, obs.state.gripperWidth, ...state(env)];
    });
    const first = run();
    env.restore(snap);
    expect(run()).toEqual(first);
    env.close();
  });

  it('restoring over and over does not grow WASM memory', async () => {
    const env = new Env();
    await env.reset({ seed: 1, task: findTask('cabinet_open_drawer') });
    for (let i = 0; i < 5; i++) env.step([0, 0, -0.3, 0, 0, 0, -1]);
    const snap = env.snapshot();
    for (let i = 0; i < 50; i++) env.restore(snap);
    const before = wasmMemoryBytes();
    for (let i = 0; i < 1000; i++) env.restore(snap);
    expect(wasmMemoryBytes()).toBe(before);
    env.close();
  });

  it('refuses a snapshot of another world with a message naming both', async () => {
    const a = new Env();
    await a.reset({ seed: 1, task: findTask('cabinet_open_drawer') });
    const b = new Env();
    await b.reset({ seed: 2, task: findTask('cabinet_open_drawer') });
    expect(() => b.restore(a.snapshot())).toThrow(/snapshot is of scene "cabinet_counter" seed 1.*this world is scene "cabinet_counter" seed 2/);
    a.close();
    b.close();
  });
});
