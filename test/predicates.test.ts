// Goal predicates on real simulator state: each one holds in a state where it should and fails in a
// near miss (beside, held, tipped, just past a tolerance), and the And/Or/Not combinators compose them.
import { afterAll, describe, expect, it } from 'vitest';
import { Env } from '../sim/env.ts';
import { ExpertPolicy } from '../policies/expert.ts';
import { findTask } from '../scenes/load.ts';
import { getObjectKind } from '../scenes/objects.ts';
import { FIXTURE_DEFS, isOpenable, partOpenValue } from '../scenes/fixture-defs.ts';
import { partKey } from '../scenes/fixture-refs.ts';
import type { FixtureSpec, Formula, Quat, TaskSpec, Vec3 } from '../scenes/types.ts';
import { PREDICATE_TOLERANCES } from '../sim/predicates.ts';
import { Fixture } from '../sim/fixtures.ts';
import { initRapier, RAPIER } from '../sim/rapier.ts';
import { quatFromAxisAngle, quatRotate } from '../sim/kinematics.ts';
import type { Observation } from '../sim/policy.ts';
import { placeObject } from './helpers/place.ts';

const HOLD_OPEN = [0, 0, 0, 0, 0, 0, -1];
const env = new Env();
afterAll(() => env.close());

/** Reset the tabletop scene (seed 0) for a task naming its objects. */
async function tabletop(goal: Formula = ['On', 'soup', 'plate']): Promise<Observation> {
  const task: TaskSpec = { ...findTask('tabletop_soup_on_plate'), name: 'predicate_probe', goal };
  return (await env.reset({ seed: 0, task })).obs;
}

/** Teleport an object (frame origin = bottom centre) and zero its velocity. */
const put = (id: string, pos: Vec3, quat: Quat = [0, 0, 0, 1]): void => placeObject(env, id, pos, quat);

function settle(n = 15, action = HOLD_OPEN): Observation {
  let obs = env.observe();
  for (let i = 0; i < n; i++) obs = env.step(action).obs;
  return obs;
}

const pos = (id: string): Vec3 => env.world.objectPose(id).pos;
const speed = (id: string): number => {
  const v = env.world.body(id).linvel();
  return Math.hypot(v.x, v.y, v.z);
};
/** Bounding-box centre of an object, computed here from its pose and kind size. */
function centre(id: string): Vec3 {
  const { pos: p, quat } = env.world.objectPose(id);
  const h = getObjectKind(env.world.objects.get(id)!.kind).size[2] / 2;
  const up = quatRotate(quat, [0, 0, h]);
  return [p[0] + up[0], p[1] + up[1], p[2] + up[2]];
}

/** The expert grasps `id` (goal Grasped); then lift it 15 cm and carry it over `over`'s origin. */
async function graspAndCarryOver(id: string, over: string): Promise<void> {
  let obs = await tabletop(['Grasped', id]);
  const task = env.task!;
  const expert = new ExpertPolicy(env.privileged);
  expert.reset({ seed: 0, task, instruction: task.instruction, actionMode: 'delta_ee' });
  let grasped = false;
  for (let i = 0; i < 150 && !grasped; i++) {
    const r = env.step(expert.act(obs));
    obs = r.obs;
    grasped = r.info.success;
  }
  expect(grasped, `the expert did not grasp ${id}`).toBe(true);
  settle(4, [0, 0, 0, 0, 0, 0, 1]);
  settle(6, [0, 0, 0.5, 0, 0, 0, 1]);
  expect(pos(id)[2]).toBeGreaterThan(0.1);
  const p = pos(over);
  for (let i = 0; i < 40; i++) {
    const s = pos(id);
    const d = [p[0] - s[0], p[1] - s[1]];
    if (Math.hypot(d[0], d[1]) < 0.003) break;
    const c = (x: number) => Math.max(-0.5, Math.min(0.5, x / 0.05));
    env.step([c(d[0]), c(d[1]), 0, 0, 0, 0, 1]);
  }
  settle(3, [0, 0, 0, 0, 0, 0, 1]);
  expect(Math.hypot(pos(id)[0] - p[0], pos(id)[1] - p[1])).toBeLessThan(0.01);
  expect(env.holds(['Grasped', id])).toBe(true);
}

/**
 * Open the fingers (to `grip`, -1 = fully), back the hand off upwards and let things settle. Inside a
 * basket, fully opened fingers wedge against its walls and lift it.
 */
function release(grip = -1): void {
  settle(10, [0, 0, 0, 0, 0, 0, grip]);
  settle(5, [0, 0, 0.5, 0, 0, 0, grip]);
  settle(5, HOLD_OPEN);
}

describe('On', () => {
  it('holds for the soup resting on the plate and not for the soup on the table beside it', async () => {
    await tabletop();
    const p = pos('plate');
    put('soup', [p[0], p[1], 0.015]);
    settle();
    expect(env.world.contactsOf('soup').has('plate')).toBe(true);
    expect(env.holds(['On', 'soup', 'plate'])).toBe(true);
    // Beside the plate, on the table: 12 cm from the plate's centre (its rim is at 8.4 cm).
    put('soup', [p[0] + 0.12, p[1], 0.001]);
    settle();
    expect(pos('soup')[2]).toBeLessThan(0.005);
    expect(env.holds(['On', 'soup', 'plate'])).toBe(false);
    // The converse is false too: the plate is not on the soup.
    expect(env.holds(['On', 'plate', 'soup'])).toBe(false);
  });

  it('is false while the soup is held above the plate or held against it, true once released', async () => {
    await graspAndCarryOver('soup', 'plate');
    expect(env.holds(['On', 'soup', 'plate'])).toBe(false);
    // Lower it until it touches the plate, still pinched: over the footprint and touching, but held
    // (a pinched object also jitters at a few cm/s, so it is not at rest either).
    for (let i = 0; i < 60 && !env.world.contactsOf('soup').has('plate'); i++) env.step([0, 0, -0.1, 0, 0, 0, 1]);
    let checked = 0;
    for (let i = 0; i < 20; i++) {
      env.step([0, 0, 0, 0, 0, 0, 1]);
      const touching = env.world.contactsOf('soup');
      if (touching.has('plate') && touching.has('finger_left') && touching.has('finger_right')) {
        expect(env.holds(['Grasped', 'soup'])).toBe(true);
        expect(env.holds(['On', 'soup', 'plate'])).toBe(false);
        checked++;
      }
    }
    expect(checked, 'never saw the held soup touching the plate').toBeGreaterThan(0);
    // Open the fingers and back off: now it rests on the plate.
    release();
    expect(env.holds(['Grasped', 'soup'])).toBe(false);
    expect(env.holds(['On', 'soup', 'plate'])).toBe(true);
  });

  it('holds for a block stacked on a block, not for the two side by side', async () => {
    await tabletop();
    const b = pos('blue_block');
    put('red_block', [b[0], b[1], 0.052], env.world.objectPose('blue_block').quat);
    settle();
    expect(pos('red_block')[2]).toBeGreaterThan(0.045);
    expect(env.holds(['On', 'red_block', 'blue_block'])).toBe(true);
    expect(env.holds(['On', 'blue_block', 'red_block'])).toBe(false);
    // Side by side and touching: in contact, at rest, but not on top.
    put('red_block', [b[0] + 0.051, b[1], 0.001], env.world.objectPose('blue_block').quat);
    settle();
    expect(env.holds(['On', 'red_block', 'blue_block'])).toBe(false);
  });

  it('uses the 1 cm overhang tolerance: a box bridging two blocks is on both, or on neither when they are too far apart', async () => {
    const bridge = (half: number) => {
      const c: Vec3 = [0.42, -0.22, 0];
      put('red_block', [c[0] - half, c[1], 0.001]);
      put('blue_block', [c[0] + half, c[1], 0.001]);
      put('cheese', [c[0], c[1], 0.053]);
      settle(20);
      expect(env.world.contactsOf('cheese').has('red_block')).toBe(true);
      expect(env.world.contactsOf('cheese').has('blue_block')).toBe(true);
      // The box's centre is `half` from each block's centre; a block's footprint reaches 2.5 cm.
      expect(Math.abs(centre('cheese')[0] - pos('red_block')[0])).toBeCloseTo(half, 2);
    };
    await tabletop();
    // Centre 0.5 cm past each block's edge (within the 1 cm tolerance).
    bridge(0.03);
    expect(env.holds(['On', 'cheese', 'red_block'])).toBe(true);
    expect(env.holds(['On', 'cheese', 'blue_block'])).toBe(true);
    // Centre 1.5 cm past each edge.
    bridge(0.04);
    expect(env.holds(['On', 'cheese', 'red_block'])).toBe(false);
    expect(env.holds(['On', 'cheese', 'blue_block'])).toBe(false);
  });

  it('is false for a can resting on a block that stands on the plate (touching the block, not the plate)', async () => {
    await tabletop();
    const p = pos('plate');
    put('red_block', [p[0], p[1], 0.012]);
    put('soup', [p[0], p[1], 0.064]);
    settle(20);
    expect(env.holds(['On', 'red_block', 'plate'])).toBe(true);
    expect(env.holds(['On', 'soup', 'red_block'])).toBe(true);
    // Over the plate's footprint, above its top, at rest and not held, but not touching it.
    expect(env.world.contactsOf('soup').has('plate')).toBe(false);
    expect(env.holds(['On', 'soup', 'plate'])).toBe(false);
  });

  it('is false for a can sliding across the plate, true once it stops', async () => {
    await tabletop();
    const p = pos('plate');
    put('soup', [p[0], p[1] - 0.02, 0.012]);
    settle(10);
    expect(env.holds(['On', 'soup', 'plate'])).toBe(true);
    env.world.body('soup').setLinvel({ x: 0, y: 0.5, z: 0 }, true);
    env.step(HOLD_OPEN);
    // Touching the plate, over it, not held; only the speed is wrong.
    expect(env.world.contactsOf('soup').has('plate')).toBe(true);
    expect(speed('soup')).toBeGreaterThan(PREDICATE_TOLERANCES.restSpeed);
    expect(env.holds(['On', 'soup', 'plate'])).toBe(false);
    settle(20);
    expect(env.holds(['Upright', 'soup'])).toBe(true);
    expect(env.holds(['On', 'soup', 'plate'])).toBe(true);
  });

  it('is false for an object still falling onto the plate', async () => {
    await tabletop();
    const p = pos('plate');
    put('soup', [p[0], p[1], 0.2]);
    // Mid-air: over the footprint, above the support, but moving and not touching.
    settle(2);
    expect(speed('soup')).toBeGreaterThan(PREDICATE_TOLERANCES.restSpeed);
    expect(env.holds(['On', 'soup', 'plate'])).toBe(false);
    settle(25);
    expect(env.holds(['On', 'soup', 'plate'])).toBe(true);
  });
});

describe('In', () => {
  it('holds for the cheese dropped into the basket, not beside it', async () => {
    await tabletop();
    const k = pos('basket');
    put('cheese', [k[0], k[1], 0.04], env.world.objectPose('basket').quat);
    settle(20);
    expect(env.holds(['In', 'cheese', 'basket'])).toBe(true);
    // On the table just outside the basket's wall (outer half width along x is 8 cm).
    put('cheese', [k[0] - 0.08 - 0.045 - 0.01, k[1], 0.001], env.world.objectPose('basket').quat);
    settle(20);
    expect(pos('cheese')[2]).toBeLessThan(0.005);
    expect(env.holds(['In', 'cheese', 'basket'])).toBe(false);
    // Not a container: nothing is "in" the plate.
    expect(env.holds(['In', 'soup', 'plate'])).toBe(false);
  });

  it('is false while the cheese is held inside the basket, true once it is let go', async () => {
    await graspAndCarryOver('cheese', 'basket');
    expect(env.holds(['In', 'cheese', 'basket'])).toBe(false);
    // Lower it into the basket until its bottom is ~1 cm above the basket's floor (1 cm thick).
    for (let i = 0; i < 60 && pos('cheese')[2] > 0.022; i++) env.step([0, 0, -0.1, 0, 0, 0, 1]);
    settle(4, [0, 0, 0, 0, 0, 0, 1]);
    const k = pos('basket');
    expect(pos('cheese')[2]).toBeLessThan(0.03);
    expect(Math.hypot(pos('cheese')[0] - k[0], pos('cheese')[1] - k[1])).toBeLessThan(0.015);
    expect(env.holds(['Grasped', 'cheese'])).toBe(true);
    // A pinched object's solver velocity jitters at 1-2 cm/s while it stays put: zero it, so that only
    // the fingers decide (contacts are those of the last step).
    env.world.body('cheese').setLinvel({ x: 0, y: 0, z: 0 }, false);
    env.world.body('cheese').setAngvel({ x: 0, y: 0, z: 0 }, false);
    expect(env.holds(['In', 'cheese', 'basket'])).toBe(false);
    // A goal that asks for it held as well does not ask it released.
    expect(env.holds(['And', ['In', 'cheese', 'basket'], ['Grasped', 'cheese']])).toBe(true);
    release(-0.6);
    expect(env.holds(['Grasped', 'cheese'])).toBe(false);
    expect(pos('basket')[2]).toBeLessThan(0.002);
    expect(env.holds(['In', 'cheese', 'basket'])).toBe(true);
  });

  it('is false for the cheese sliding inside the basket, true once it stops', async () => {
    await tabletop(['In', 'cheese', 'basket']);
    const k = pos('basket');
    const q = env.world.objectPose('basket').quat;
    // Long side along the basket's long side, at one end of it.
    const back = quatRotate(q, [-0.025, 0, 0]);
    put('cheese', [k[0] + back[0], k[1] + back[1], 0.012], q);
    settle(10);
    expect(env.holds(['In', 'cheese', 'basket'])).toBe(true);
    const v = quatRotate(q, [0.8, 0, 0]);
    env.world.body('cheese').setLinvel({ x: v[0], y: v[1], z: 0 }, true);
    env.step(HOLD_OPEN);
    expect(speed('cheese')).toBeGreaterThan(PREDICATE_TOLERANCES.restSpeed);
    expect(env.holds(['In', 'cheese', 'basket'])).toBe(false);
    settle(20);
    expect(env.holds(['In', 'cheese', 'basket'])).toBe(true);
  });

  it('is false for a can standing on a plate laid over the bowl (above the bowl, not in it)', async () => {
    await tabletop(['In', 'soup', 'bowl']);
    const w = pos('bowl');
    put('plate', [w[0], w[1], 0.052]);
    put('soup', [w[0], w[1], 0.064]);
    settle(20);
    expect(env.holds(['On', 'soup', 'plate'])).toBe(true);
    expect(Math.hypot(pos('soup')[0] - w[0], pos('soup')[1] - w[1])).toBeLessThan(0.01);
    expect(env.holds(['In', 'soup', 'bowl'])).toBe(false);
  });

  it('holds for the soup dropped into the bowl, not beside it', async () => {
    await tabletop(['In', 'soup', 'bowl']);
    const w = pos('bowl');
    put('soup', [w[0], w[1], 0.03]);
    settle(20);
    expect(env.holds(['In', 'soup', 'bowl'])).toBe(true);
    put('soup', [w[0] - 0.11, w[1], 0.001]);
    settle(20);
    expect(env.holds(['In', 'soup', 'bowl'])).toBe(false);
  });
});

describe('Open / Closed', () => {
  it('cabinet: an Open init (0.18 m) is Open and not Closed; the default is Closed and not Open', async () => {
    await env.reset({ seed: 0, task: findTask('cabinet_close_drawer') });
    settle(5);
    const cab = env.world.fixtures.get('cabinet')!;
    expect(cab.value()).toBeCloseTo(partOpenValue(FIXTURE_DEFS.cabinet.parts[0]), 2);
    expect(env.holds(['Open', 'cabinet'])).toBe(true);
    expect(env.holds(['Closed', 'cabinet'])).toBe(false);
    await env.reset({ seed: 0, task: findTask('cabinet_open_drawer') });
    settle(5);
    expect(Math.abs(env.world.fixtures.get('cabinet')!.value())).toBeLessThan(0.002);
    expect(env.holds(['Closed', 'cabinet'])).toBe(true);
    expect(env.holds(['Open', 'cabinet'])).toBe(false);
  });

  it('microwave: an Open init is Open and not Closed; the default is Closed and not Open', async () => {
    await env.reset({ seed: 0, task: findTask('microwave_close_door') });
    settle(5);
    expect(env.world.fixtures.get('microwave')!.value()).toBeCloseTo(partOpenValue(FIXTURE_DEFS.microwave.parts[0]), 2);
    expect(env.holds(['Open', 'microwave'])).toBe(true);
    expect(env.holds(['Closed', 'microwave'])).toBe(false);
    await env.reset({ seed: 0, task: findTask('microwave_open_door') });
    settle(5);
    expect(env.holds(['Closed', 'microwave'])).toBe(true);
    expect(env.holds(['Open', 'microwave'])).toBe(false);
  });

  it('every kind: thresholds are ordered and init values fall on the right side of them', () => {
    for (const def of Object.values(FIXTURE_DEFS)) {
      for (const p of def.parts) {
        const what = `${def.kind}.${p.name}`;
        expect(p.range[0], what).toBeLessThan(p.range[1]);
        if (isOpenable(p)) {
          expect(p.closedAt!, what).toBeGreaterThanOrEqual(p.range[0]);
          expect(p.closedAt!, what).toBeLessThan(p.openAt!);
          expect(partOpenValue(p), what).toBeGreaterThan(p.openAt!);
          expect(partOpenValue(p), what).toBeLessThanOrEqual(p.range[1]);
        } else if (p.switch?.mode === 'toggle') {
          expect(p.switch.release, what).toBeLessThan(p.switch.press);
          expect(p.switch.press, what).toBeLessThan(p.range[1]);
        } else if (p.switch?.mode === 'level') {
          expect(p.switch.onAt, what).toBeGreaterThan(p.range[0]);
          expect(p.switch.onValue, what).toBeGreaterThan(p.switch.onAt);
          expect(p.switch.onValue, what).toBeLessThanOrEqual(p.range[1]);
        }
      }
    }
  });

  it('every drawer and door of every kind: isOpen / isClosed switch just either side of its thresholds (fixture built at that joint value)', async () => {
    await initRapier();
    const eps = 1e-3;
    let n = 0;
    for (const def of Object.values(FIXTURE_DEFS)) {
      for (const p of def.parts.filter(isOpenable)) {
        const at = (v: number) => {
          const world = new RAPIER.World({ x: 0, y: 0, z: -9.81 });
          const spec: FixtureSpec = { id: 'f', kind: def.kind, pos: [0.7, 0.1], yaw: 0.03 };
          const f = new Fixture(world, spec, { [partKey('f', def, p.name)]: v });
          const part = f.part(p.name);
          const r = { value: part.value(), open: part.isOpen(), closed: part.isClosed() };
          world.free();
          return r;
        };
        const label = (v: number) => `${def.kind}.${p.name} at ${v}`;
        const open = p.openAt!, closed = p.closedAt!;
        for (const v of [open + eps, open - eps, closed + eps, closed - eps, 0]) {
          expect(at(v).value, label(v)).toBeCloseTo(v, 4);
        }
        expect(at(open + eps), label(open + eps)).toMatchObject({ open: true, closed: false });
        expect(at(open - eps), label(open - eps)).toMatchObject({ open: false, closed: false });
        expect(at(closed + eps), label(closed + eps)).toMatchObject({ open: false, closed: false });
        expect(at(closed - eps), label(closed - eps)).toMatchObject({ open: false, closed: true });
        n++;
      }
    }
    expect(n).toBe(8); // cabinet, microwave, three drawers each of the wooden and the white cabinet
  });
});

describe('TurnedOn / TurnedOff', () => {
  it('each press of the button toggles it once; the state latches between presses', async () => {
    const task = findTask('cabinet_press_button');
    const absEnv = new Env({ actionMode: 'abs_ee' });
    try {
      await absEnv.reset({ seed: 0, task });
      const cap = absEnv.privileged.fixture('button').capTop!;
      const down = [Math.PI, 0, 0];
      const go = (z: number, n: number) => {
        let flips = 0;
        let prev = absEnv.holds(['TurnedOn', 'button']);
        for (let i = 0; i < n; i++) {
          absEnv.step([cap[0], cap[1], z, ...down, 1]);
          const now = absEnv.holds(['TurnedOn', 'button']);
          expect(absEnv.holds(['TurnedOff', 'button'])).toBe(!now);
          if (now !== prev) flips++;
          prev = now;
        }
        return flips;
      };
      expect(absEnv.holds(['TurnedOff', 'button'])).toBe(true);
      // Approach from above: nothing changes without touching it.
      expect(go(cap[2] + 0.08, 30)).toBe(0);
      expect(go(cap[2] + 0.003, 10)).toBe(0);
      expect(absEnv.holds(['TurnedOff', 'button'])).toBe(true);
      // Press and hold the cap down for half a second: exactly one toggle.
      expect(go(cap[2] - 0.0085, 10)).toBe(1);
      const button = absEnv.world.fixtures.get('button')!;
      expect(button.value()).toBeGreaterThan((FIXTURE_DEFS.button.parts[0].switch as { press: number }).press);
      expect(absEnv.holds(['TurnedOn', 'button'])).toBe(true);
      // Still held down, checked at every physics step: no further toggles.
      for (let i = 0; i < 48; i++) {
        absEnv.world.physicsStep();
        expect(button.value()).toBeGreaterThan((FIXTURE_DEFS.button.parts[0].switch as { press: number }).press);
        expect(absEnv.holds(['TurnedOn', 'button']), `physics step ${i}`).toBe(true);
      }
      // Let go: it stays on.
      expect(go(cap[2] + 0.08, 15)).toBe(0);
      expect(absEnv.world.fixtures.get('button')!.value()).toBeLessThan((FIXTURE_DEFS.button.parts[0].switch as { release: number }).release);
      expect(absEnv.holds(['TurnedOn', 'button'])).toBe(true);
      // A second press turns it off, and it stays off.
      expect(go(cap[2] - 0.0085, 10)).toBe(1);
      expect(absEnv.holds(['TurnedOff', 'button'])).toBe(true);
      expect(go(cap[2] + 0.08, 15)).toBe(0);
      expect(absEnv.holds(['TurnedOff', 'button'])).toBe(true);
    } finally {
      absEnv.close();
    }
  });

  it('a TurnedOn init starts on; the expert press task ends on', async () => {
    const task = findTask('cabinet_press_button');
    await env.reset({ seed: 0, task: { ...task, init: [['TurnedOn', 'button']] } });
    expect(env.holds(['TurnedOn', 'button'])).toBe(true);
    let { obs } = await env.reset({ seed: 0, task });
    expect(env.holds(['TurnedOn', 'button'])).toBe(false);
    const expert = new ExpertPolicy(env.privileged);
    expert.reset({ seed: 0, task, instruction: task.instruction, actionMode: 'delta_ee' });
    let success = false;
    for (let i = 0; i < task.maxSteps && !success; i++) {
      const r = env.step(expert.act(obs));
      obs = r.obs;
      success = r.info.success;
    }
    expect(success).toBe(true);
    expect(env.holds(['TurnedOn', 'button'])).toBe(true);
  });
});

describe('Upright', () => {
  it('holds for a standing can, not for one tipped on its side; the 15 degree tolerance is the edge', async () => {
    await tabletop();
    const s = pos('soup');
    expect(env.holds(['Upright', 'soup'])).toBe(true);
    const tilt = (deg: number): Quat => quatFromAxisAngle([1, 0, 0], (deg * Math.PI) / 180) as Quat;
    // Lying on its side (radius 3.2 cm): tipped by 90 degrees about x, then left to settle.
    put('soup', [s[0], s[1], 0.0325], tilt(90));
    settle(10);
    expect(pos('soup')[2]).toBeLessThan(0.04);
    expect(env.holds(['Upright', 'soup'])).toBe(false);
    // The predicate reads the pose only: just inside and just outside the tolerance.
    const tol = (PREDICATE_TOLERANCES.uprightAngle * 180) / Math.PI;
    put('soup', [s[0], s[1], 0.05], tilt(tol - 0.5));
    expect(env.holds(['Upright', 'soup'])).toBe(true);
    put('soup', [s[0], s[1], 0.05], tilt(tol + 0.5));
    expect(env.holds(['Upright', 'soup'])).toBe(false);
    // Upside down is not upright either.
    put('soup', [s[0], s[1], 0.05], tilt(180));
    expect(env.holds(['Upright', 'soup'])).toBe(false);
  });
});

describe('Near and InRegion', () => {
  it('Near holds for a distance just above the centre distance and not just below', async () => {
    await tabletop();
    const a = centre('soup'), b = centre('cheese');
    const d = Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
    // Upright objects on the table: centres at half their heights (7.6 cm can, 1.8 cm box).
    expect(a[2] - b[2]).toBeCloseTo(0.038 - 0.009, 3);
    expect(env.holds(['Near', 'soup', 'cheese', d + 0.002])).toBe(true);
    expect(env.holds(['Near', 'cheese', 'soup', d + 0.002])).toBe(true);
    expect(env.holds(['Near', 'soup', 'cheese', d - 0.002])).toBe(false);
    expect(env.holds(['Near', 'cheese', 'soup', d - 0.002])).toBe(false);
  });

  it('Near measures 3-D distance between centres: a stacked block is 5 cm from the one below', async () => {
    await tabletop();
    const b = pos('blue_block');
    put('red_block', [b[0], b[1], 0.052], env.world.objectPose('blue_block').quat);
    settle();
    const a = centre('red_block'), c = centre('blue_block');
    expect(Math.hypot(a[0] - c[0], a[1] - c[1])).toBeLessThan(0.005);
    const d = Math.hypot(a[0] - c[0], a[1] - c[1], a[2] - c[2]);
    expect(d).toBeCloseTo(0.05, 2);
    expect(env.holds(['Near', 'red_block', 'blue_block', d + 0.002])).toBe(true);
    expect(env.holds(['Near', 'red_block', 'blue_block', d - 0.002])).toBe(false);
  });

  it('InRegion holds inside the region on the table, not outside it nor lifted above it', async () => {
    await tabletop(['InRegion', 'butter', 'left_zone']);
    const r = env.privileged.region('left_zone');
    const q = env.world.objectPose('butter').quat;
    put('butter', [r.center[0], r.center[1], 0.001], q);
    settle();
    expect(env.holds(['InRegion', 'butter', 'left_zone'])).toBe(true);
    expect(env.holds(['InRegion', 'butter', 'right_zone'])).toBe(false);
    // Centre 1 cm past the region's far edge in y.
    put('butter', [r.center[0], r.center[1] + r.halfExtents[1] + 0.01, 0.001], q);
    settle();
    expect(env.holds(['InRegion', 'butter', 'left_zone'])).toBe(false);
    // Centre 1 cm inside the edge.
    put('butter', [r.center[0], r.center[1] + r.halfExtents[1] - 0.01, 0.001], q);
    settle();
    expect(env.holds(['InRegion', 'butter', 'left_zone'])).toBe(true);
    // Over the region but resting on a block, not on the table.
    put('red_block', [r.center[0], r.center[1], 0.001]);
    put('butter', [r.center[0], r.center[1], 0.052], [0, 0, 0, 1]);
    settle();
    expect(env.holds(['On', 'butter', 'red_block'])).toBe(true);
    expect(pos('butter')[2]).toBeGreaterThan(PREDICATE_TOLERANCES.onTableZ);
    expect(env.holds(['InRegion', 'butter', 'left_zone'])).toBe(false);
    expect(env.holds(['InRegion', 'red_block', 'left_zone'])).toBe(true);
  });
});

describe('formula combinators', () => {
  it('And / Or / Not follow propositional logic over real atoms', async () => {
    await tabletop();
    const p = pos('plate');
    put('soup', [p[0], p[1], 0.015]);
    settle();
    const T: Formula = ['On', 'soup', 'plate'];
    const F: Formula = ['In', 'soup', 'bowl'];
    expect(env.holds(T)).toBe(true);
    expect(env.holds(F)).toBe(false);
    const table: [Formula, boolean][] = [
      [['And', T, T], true],
      [['And', T, F], false],
      [['And', F, T], false],
      [['And', T, T, F], false],
      [['Or', F, T], true],
      [['Or', F, F], false],
      [['Or', F, F, T], true],
      [['Not', T], false],
      [['Not', F], true],
      [['Not', ['Not', T]], true],
      [['And', ['Not', F], ['Or', F, T]], true],
      [['Or', ['And', T, F], ['Not', T]], false],
      // De Morgan
      [['Not', ['And', T, F]], true],
      [['And', ['Not', T], ['Not', F]], false],
    ];
    for (const [f, want] of table) expect(env.holds(f), JSON.stringify(f)).toBe(want);
  });

  it('an unknown predicate, object or region is an error, not false', async () => {
    await tabletop();
    expect(() => env.holds(['Onn', 'soup', 'plate'] as unknown as Formula)).toThrow(/unknown predicate "Onn"/);
    expect(() => env.holds(['On', 'soupp', 'plate'])).toThrow(/soupp/);
    expect(() => env.holds(['InRegion', 'soup', 'nowhere'])).toThrow(/nowhere/);
  });
});
