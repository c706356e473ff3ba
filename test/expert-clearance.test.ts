// The expert does not drag containers: it rises above whatever is near its way before moving
// sideways, and sets two objects down in one small basket (or two mugs on two plates) without pushing
// the containers or spilling the first object. Two-object goals are imported LIBERO-style problems.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importBddl } from '../scenes/bddl.ts';
import type { Vec3 } from '../scenes/types.ts';
import { Env } from '../sim/env.ts';
import { ExpertPolicy } from '../policies/expert.ts';
import { corridorHeight, gap, handBlocks, kindBlocks, type Footprint } from '../policies/clearance.ts';
import seedrandom from 'seedrandom';
import { getObjectKind } from '../scenes/objects.ts';
import { LIVING_ROOM, twoObjectProblem as problem } from '../scripts/two-object-rate.ts';

/** Run the expert on an imported problem: success, how far each object ever got from where it started, and where each ended. */
async function run(text: string, seed: number) {
  const { scene, task } = importBddl(text, 'p.bddl', 'p');
  const env = new Env();
  const expert = new ExpertPolicy(env.privileged);
  let { obs } = await env.reset({ seed, task, scene });
  expert.reset({ seed, task, instruction: task.instruction, actionMode: 'delta_ee' });
  const p = env.privileged;
  const start = new Map(p.objectIds().map((id) => [id, p.object(id).pos]));
  const moved = new Map(p.objectIds().map((id) => [id, 0]));
  let success = false;
  for (let i = 0; i < task.maxSteps && !success; i++) {
    const r = env.step(expert.act(obs));
    obs = r.obs;
    success = r.info.success;
    for (const id of p.objectIds()) {
      const a = start.get(id)!, b = p.object(id).pos;
      moved.set(id, Math.max(moved.get(id)!, Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2])));
    }
  }
  const settled = new Map(p.objectIds().map((id) => [id, p.object(id).pos]));
  env.close();
  return { success, moved, settled, start };
}

/** A rectangle footprint's corners (world xy), for the brute-force distances below. */
function polygon(f: Extract<Footprint, { h: unknown }>): [number, number][] {
  const c = Math.cos(f.yaw), s = Math.sin(f.yaw);
  return [[-1, -1], [1, -1], [1, 1], [-1, 1]].map(([a, b]) => [f.c[0] + c * a * f.h[0] - s * b * f.h[1], f.c[1] + s * a * f.h[0] + c * b * f.h[1]]);
}
function segmentPoint(p: [number, number], a: [number, number], b: [number, number]): number {
  const dx = b[0] - a[0], dy = b[1] - a[1];
  const t = Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy);
}
/** Exact distance between two disjoint convex polygons: the least vertex-to-edge distance either way. */
function polygonDistance(P: [number, number][], Q: [number, number][]): number {
  let d = Infinity;
  for (const [A, B] of [[P, Q], [Q, P]]) for (const v of A) for (let i = 0; i < 4; i++) d = Math.min(d, segmentPoint(v, B[i], B[(i + 1) % 4]));
  return d;
}

describe('footprint gap', () => {
  it('is the distance for rectangles apart along an axis, minus the depth when they overlap', () => {
    const a: Footprint = { c: [0, 0], h: [0.05, 0.02], yaw: 0 };
    expect(gap(a, { c: [0.2, 0], h: [0.05, 0.05], yaw: 0 })).toBeCloseTo(0.1, 12);
    expect(gap(a, { c: [0.08, 0.01], h: [0.05, 0.05], yaw: 0 })).toBeCloseTo(-0.02, 12);
    // A square turned 45 degrees, its corner 0.03 from a's right side.
    expect(gap(a, { c: [0.05 + 0.03 + 0.02 * Math.SQRT2, 0], h: [0.02, 0.02], yaw: Math.PI / 4 })).toBeCloseTo(0.03, 12);
    // Symmetric, and discs against rectangles measure from the disc's rim.
    const b: Footprint = { c: [0.13, -0.07], h: [0.03, 0.01], yaw: 0.7 };
    expect(gap(a, b)).toBe(gap(b, a));
    expect(gap({ c: [0.1, 0], r: 0.02 }, a)).toBeCloseTo(0.03, 12);
  });

  it('never exceeds the true distance between rectangles apart, and is negative when one has a corner inside the other', () => {
    const rnd = seedrandom('gap');
    const inside = (p: [number, number], f: Extract<Footprint, { h: unknown }>) => {
      const dx = p[0] - f.c[0], dy = p[1] - f.c[1], c = Math.cos(f.yaw), s = Math.sin(f.yaw);
      return Math.abs(c * dx + s * dy) < f.h[0] && Math.abs(-s * dx + c * dy) < f.h[1];
    };
    let apart = 0, overlapping = 0;
    for (let n = 0; n < 3000; n++) {
      const f = (): Extract<Footprint, { h: unknown }> => ({ c: [rnd() * 0.3, rnd() * 0.3], h: [0.005 + rnd() * 0.06, 0.005 + rnd() * 0.06], yaw: (rnd() - 0.5) * 2 * Math.PI });
      const a = f(), b = f();
      const g = gap(a, b);
      if (polygon(a).some((p) => inside(p, b)) || polygon(b).some((p) => inside(p, a))) {
        overlapping++;
        expect(g).toBeLessThan(0);
      } else if (g > 0) {
        apart++;
        expect(g).toBeLessThanOrEqual(polygonDistance(polygon(a), polygon(b)) + 1e-12);
      }
    }
    expect(apart).toBeGreaterThan(1000);
    expect(overlapping).toBeGreaterThan(100);
  });
});

describe('expert clearance', () => {
  it('a tall object beside the way raises the corridor above its top; one far off does not', () => {
    const tcp: Vec3 = [0.4, -0.2, 0.1];
    const hand = handBlocks(tcp, 0, 0.05);
    const milk = getObjectKind('milk');
    const near = kindBlocks('milk', milk, [0.5, -0.03, 0], 0);
    const far = kindBlocks('milk', milk, [0.5, 0.3, 0], 0);
    const m = { xy: 0.02, z: 0.03 };
    expect(corridorHeight(hand, tcp, [0.6, 0.1], near, m)).toBeCloseTo(milk.size[2] + m.z, 6);
    expect(corridorHeight(hand, tcp, [0.6, 0.1], far, m)).toBe(m.z);
    // Holding a 10 cm can, the can's bottom must clear the carton too.
    const soup = getObjectKind('alphabet_soup');
    const held = handBlocks(tcp, 0, 0.064, { kind: soup, relYaw: 0, rel: [0, 0], tcpAbove: 0.0425 });
    expect(corridorHeight(held, tcp, [0.6, 0.1], near, m)).toBeCloseTo(milk.size[2] + m.z + 0.0425, 6);
  });

  it('puts both boxes of the imported problem in the basket without moving the basket or the soup beside it', async () => {
    const text = fs.readFileSync(new URL('./fixtures/two_boxes_in_basket.bddl', import.meta.url), 'utf8');
    for (const seed of [0, 3]) {
      const r = await run(text, seed);
      expect(r.success, `seed ${seed}`).toBe(true);
      expect(r.moved.get('basket_1')!, `seed ${seed}: basket moved`).toBeLessThan(0.01);
      expect(r.moved.get('alphabet_soup_1')!, `seed ${seed}: soup moved`).toBeLessThan(0.01);
    }
  });

  // Seed 13 puts the soup where the palm would land on it over the cheese's nominal grasp.
  it('soup and cream cheese among tall cartons: both in the small basket, nothing else disturbed', async () => {
    const text = problem('put both the alphabet soup and the cream cheese box in the basket', LIVING_ROOM,
      '(In alphabet_soup_1 basket_1_contain_region) (In cream_cheese_1 basket_1_contain_region)');
    for (const seed of [1, 13]) {
      const r = await run(text, seed);
      expect(r.success, `seed ${seed}`).toBe(true);
      for (const [id, d] of r.moved) {
        if (id === 'alphabet_soup_1' || id === 'cream_cheese_1') continue;
        expect(d, `seed ${seed}: ${id} moved`).toBeLessThan(0.01);
      }
    }
  });

  it('two mugs on two plates: the plates stay put and the first mug stays on its plate', async () => {
    const text = problem('put the white mug on the left plate and put the red mug on the right plate', [
      ['plate_1', 'plate', 0.05, 0.2], ['plate_2', 'plate', 0.05, -0.2], ['porcelain_mug_1', 'porcelain_mug', -0.15, 0.05],
      ['red_coffee_mug_1', 'red_coffee_mug', -0.12, -0.12], ['chocolate_pudding_1', 'chocolate_pudding', 0.15, 0.0],
    ], '(On porcelain_mug_1 plate_1) (On red_coffee_mug_1 plate_2)');
    for (const seed of [1, 2]) {
      const r = await run(text, seed);
      expect(r.success, `seed ${seed}`).toBe(true);
      expect(r.moved.get('plate_1')!).toBeLessThan(0.01);
      expect(r.moved.get('plate_2')!).toBeLessThan(0.01);
      const mug = r.settled.get('porcelain_mug_1')!, plate = r.settled.get('plate_1')!;
      expect(Math.hypot(mug[0] - plate[0], mug[1] - plate[1]), `seed ${seed}: first mug off its plate`).toBeLessThan(0.04);
    }
  });
});
