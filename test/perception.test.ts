// Perception against the objects' own stable poses: the stable poses derived from each kind's shapes
// (faces, rolls, which look the same), an object resting on another stable face is not lost and not
// knocked over, a stacked cube turned 90 degrees is still On (and its next step still possible), while
// a can that fell over next to where it stood is knocked and one leaning at 45 degrees is lost.
import { afterAll, describe, expect, it } from 'vitest';
import { Env } from '../sim/env.ts';
import { findScene, findTask } from '../scenes/load.ts';
import { getObjectKind } from '../scenes/objects.ts';
import { novelKind } from '../scenes/novel-objects.ts';
import { CHECK_MARGINS, applyGoal, sceneFacts } from '../scenes/chain-model.ts';
import { nearestStablePose, stablePoses, type StablePose } from '../scenes/stable-poses.ts';
import type { Formula, Quat, TaskSpec, Vec3 } from '../scenes/types.ts';
import { quatFromAxisAngle, quatRotate } from '../sim/kinematics.ts';
import { perceive } from '../runner/chains/perceive.ts';
import { TaskTrace } from '../runner/chains/failures.ts';
import { placeObject } from './helpers/place.ts';

const HOLD = [0, 0, 0, 0, 0, 0, -1];
const env = new Env();
afterAll(() => env.close());
const facts = sceneFacts(findScene('tabletop'));

async function tabletop(goal: Formula = ['On', 'soup', 'plate']): Promise<void> {
  const task: TaskSpec = { ...findTask('tabletop_soup_on_plate'), name: 'perception_probe', goal, objectsOfInterest: ['soup', 'plate'] };
  await env.reset({ seed: 0, task });
}

/** Teleport an object (frame origin = bottom centre) at rest. */
const put = (id: string, pos: Vec3, quat: Quat = [0, 0, 0, 1]): void => placeObject(env, id, pos, quat);

/** Put an object turned by `quat` about its bounding-box centre, with that centre at `centre`. */
function putCentred(id: string, centre: Vec3, quat: Quat): void {
  const h = getObjectKind(env.world.objects.get(id)!.kind).size[2] / 2;
  const up = quatRotate(quat, [0, 0, h]);
  put(id, [centre[0] - up[0], centre[1] - up[1], centre[2] - up[2]], quat);
}

function settle(n = 20): void {
  for (let i = 0; i < n; i++) env.step(HOLD);
}

const pos = (id: string): Vec3 => env.world.objectPose(id).pos;
const QUARTER_X = quatFromAxisAngle([1, 0, 0], Math.PI / 2) as Quat;
const classes = (ps: StablePose[], type: 'face' | 'roll') => new Set(ps.filter((p) => p.type === type).map((p) => p.cls));

describe('stable poses from the shapes', () => {
  it('a cube rests on 6 faces that all look the same', () => {
    const ps = stablePoses(getObjectKind('red_block'));
    expect(ps.filter((p) => p.type === 'face')).toHaveLength(6);
    expect(classes(ps, 'face').size).toBe(1);
    expect(classes(ps, 'roll').size).toBe(0);
  });

  it('a box rests on 6 faces in 3 classes (opposite faces alike); a can on either end (alike) or rolled on its side', () => {
    const box = stablePoses(getObjectKind('cream_cheese'));
    expect(box).toHaveLength(6);
    expect(classes(box, 'face').size).toBe(3);
    const can = stablePoses(getObjectKind('alphabet_soup'));
    expect(can.filter((p) => p.type === 'face').map((p) => (p as { up: Vec3 }).up[2]).sort()).toEqual([-1, 1]);
    expect(classes(can, 'face').size).toBe(1);
    expect(can.filter((p) => p.type === 'roll')).toHaveLength(1);
    expect(new Set(can.map((p) => p.cls)).size).toBe(2);
  });

  it('asymmetric and unstable poses: a wine bottle does not stand on its neck, a bowl\'s 12 side walls are alike, an apple only sits on its foot, a capsule only lies', () => {
    const wine = stablePoses(getObjectKind('wine_bottle'));
    expect(wine.some((p) => p.type === 'face' && p.up[2] < -0.99)).toBe(false);
    expect(wine.some((p) => p.type === 'roll')).toBe(true);
    const ketchup = stablePoses(getObjectKind('ketchup'));
    const ends = ketchup.filter((p) => p.type === 'face');
    expect(ends).toHaveLength(2);
    expect(ends[0].cls).not.toBe(ends[1].cls);
    const bowl = stablePoses(getObjectKind('bowl'));
    const sides = bowl.filter((p) => p.type === 'face' && Math.abs(p.up[2]) < 1e-6);
    expect(sides).toHaveLength(12);
    expect(new Set(sides.map((p) => p.cls)).size).toBe(1);
    expect(stablePoses(getObjectKind('apple')).map((p) => p.type === 'face' && p.up[2])).toEqual([1]);
    // Find a capsule ("pod") among the novel kinds: it cannot stand on a round end.
    const pod = Array.from({ length: 200 }, (_, i) => novelKind(i)).find((k) => k.shapes.length === 1 && k.shapes[0].type === 'capsule')!;
    expect(stablePoses(pod).map((p) => p.type)).toEqual(['roll']);
  });

  it('nearestStablePose measures the tilt from the closest pose', () => {
    const cube = getObjectKind('red_block');
    const tilt = (a: number) => nearestStablePose(cube, quatFromAxisAngle([1, 0, 0], a) as Quat)!.angle;
    expect(tilt(Math.PI / 2)).toBeCloseTo(0, 6);
    expect(tilt((40 * Math.PI) / 180)).toBeCloseTo((40 * Math.PI) / 180, 6);
    expect(tilt((60 * Math.PI) / 180)).toBeCloseTo((30 * Math.PI) / 180, 6);
    const can = getObjectKind('alphabet_soup');
    expect(nearestStablePose(can, quatFromAxisAngle([0, 1, 0], Math.PI / 2) as Quat)!.pose.type).toBe('roll');
  });
});

describe('perceive', () => {
  it('a cube resting on a side face is not lost', async () => {
    await tabletop();
    const p = pos('red_block');
    putCentred('red_block', [p[0], p[1], 0.0255], QUARTER_X);
    settle();
    expect(Math.abs(quatRotate(env.world.objectPose('red_block').quat, [0, 0, 1])[2])).toBeLessThan(0.05);
    const s = perceive(env, facts);
    expect(s.objects.red_block.at).toBe('home');
    // Where it stands is its centre, not its frame origin (which now sits on a side face).
    const home = s.objects.red_block as { at: 'home'; pos: [number, number] };
    expect(Math.hypot(home.pos[0] - p[0], home.pos[1] - p[1])).toBeLessThan(0.005);
    expect(applyGoal(facts, s, ['On', 'red_block', 'plate'], CHECK_MARGINS)).not.toBeTypeOf('string');
  });

  it('a can lying on its side is not lost, one leaning at 45 degrees is', async () => {
    await tabletop();
    const p = pos('soup');
    putCentred('soup', [p[0], p[1], 0.0325], QUARTER_X);
    settle();
    expect(perceive(env, facts).objects.soup.at).toBe('home');
    // Tilted 45 degrees (not a pose it can rest in): read as is, before physics settles it.
    putCentred('soup', [p[0], p[1], 0.06], quatFromAxisAngle([1, 0, 0], Math.PI / 4) as Quat);
    expect(perceive(env, facts).objects.soup.at).toBe('lost');
  });

  it('a stacked cube turned 90 degrees is still On, and the next step that moves it is still possible', async () => {
    await tabletop(['On', 'red_block', 'blue_block']);
    const b = pos('blue_block');
    const bq = env.world.objectPose('blue_block').quat;
    putCentred('red_block', [b[0], b[1], 0.0755], QUARTER_X);
    settle();
    expect(env.holds(['On', 'red_block', 'blue_block'])).toBe(true);
    const s = perceive(env, facts);
    expect(s.objects.red_block).toEqual({ at: 'on', target: 'blue_block' });
    expect(applyGoal(facts, s, ['On', 'red_block', 'plate'], CHECK_MARGINS)).not.toBeTypeOf('string');
    // The lower cube turned onto its side, the upper one upright on it: still stacked.
    putCentred('blue_block', [b[0], b[1], 0.0255], QUARTER_X);
    put('red_block', [b[0], b[1], 0.0505], bq);
    settle();
    expect(env.holds(['On', 'red_block', 'blue_block'])).toBe(true);
    expect(perceive(env, facts).objects.red_block).toEqual({ at: 'on', target: 'blue_block' });
    // Beside it on the table, touching: not on it.
    put('red_block', [b[0], b[1] + 0.052, 0.0005], bq);
    settle();
    expect(env.holds(['On', 'red_block', 'blue_block'])).toBe(false);
  });
});

describe('knocked over', () => {
  const trace = () => new TaskTrace(env, ['On', 'soup', 'plate'], ['soup', 'plate']);

  it('a cube turned onto another face where it stood is not knocked; one that rolled a face over is (it moved)', async () => {
    await tabletop();
    const t = trace();
    const p = pos('red_block');
    const centre: Vec3 = [p[0], p[1], 0.0255];
    putCentred('red_block', centre, QUARTER_X);
    settle();
    expect(t.disturbed()).toEqual([]);
    // Rolled one face over: its centre is 5 cm away.
    putCentred('red_block', [centre[0] + 0.05, centre[1], centre[2]], [0, 0, 0, 1]);
    settle();
    expect(t.disturbed()).toEqual(['red_block']);
  });

  it('a cube or a box that starts on its side and stays is not knocked; a box stood up from its side in place is', async () => {
    await tabletop();
    const p = pos('red_block');
    putCentred('red_block', [p[0], p[1], 0.0255], QUARTER_X);
    // The butter lying on its long side (22.5 mm half width).
    const q = pos('butter');
    putCentred('butter', [q[0], q[1], 0.0225], QUARTER_X);
    settle();
    const t = trace();
    settle();
    expect(t.disturbed()).toEqual([]);
    expect(t.disturbed()).toEqual([]);
    // The butter box turned from its long side onto its bottom in place: another, different pose
    // (an object that started tilted can still be knocked over).
    const u = trace();
    putCentred('butter', [q[0], q[1], 0.0175], [0, 0, 0, 1]);
    settle();
    expect(u.disturbed()).toEqual(['butter']);
  });
});
