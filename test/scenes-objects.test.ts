import { describe, expect, it } from 'vitest';
import {
  HAND_REACH, MAX_GRASP_HEIGHT, MAX_GRASP_WIDTH, MIN_GRASP_HEIGHT, OBJECT_KINDS, closestNames, footprintRadius, getObjectKind, shapesBounds,
} from '../scenes/objects.ts';
import { FIXTURE_DEFS } from '../scenes/fixture-defs.ts';

const kinds = Object.values(OBJECT_KINDS);

describe('object library', () => {
  it('has about 20 kinds keyed by their own name, with the required ones', () => {
    expect(kinds.length).toBeGreaterThanOrEqual(20);
    for (const [key, k] of Object.entries(OBJECT_KINDS)) expect(k.kind).toBe(key);
    for (const name of [
      'alphabet_soup', 'tomato_sauce', 'cream_cheese', 'butter', 'chocolate_pudding', 'milk', 'orange_juice', 'ketchup',
      'bbq_sauce', 'salad_dressing', 'mug', 'red_block', 'blue_block', 'green_block', 'bowl', 'plate', 'basket',
    ]) {
      expect(OBJECT_KINDS[name], name).toBeDefined();
    }
  });

  it('size is the exact bounding box of the shapes, origin at the bottom centre', () => {
    for (const k of kinds) {
      const { min, max } = shapesBounds(k.shapes);
      for (let i = 0; i < 3; i++) expect(k.size[i], `${k.kind} size[${i}]`).toBeCloseTo(max[i] - min[i], 6);
      expect(min[2], `${k.kind} bottom`).toBeCloseTo(0, 9);
      expect(Math.abs(min[0] + max[0]) / 2, `${k.kind} roughly centred in x`).toBeLessThan(0.015);
      expect(Math.abs(min[1] + max[1]) / 2, `${k.kind} centred in y`).toBeLessThan(1e-9);
      expect(footprintRadius(k)).toBeGreaterThanOrEqual(Math.max(k.size[0], k.size[1]) / 2 - 0.015);
    }
  });

  it('has plausible physical properties and colours', () => {
    for (const k of kinds) {
      expect(k.friction).toBeGreaterThanOrEqual(0.6);
      expect(k.friction).toBeLessThanOrEqual(1.0);
      expect(k.restitution).toBeLessThanOrEqual(0.05);
      for (const c of k.color) expect(c >= 0 && c <= 1).toBe(true);
      if (k.graspable) {
        expect(k.mass, k.kind).toBeGreaterThanOrEqual(0.05);
        expect(k.mass, k.kind).toBeLessThanOrEqual(0.4);
      }
      expect(k.name.length).toBeGreaterThan(0);
      expect(k.category.length).toBeGreaterThan(0);
    }
    const colours = new Set(kinds.map((k) => k.color.join(',')));
    expect(colours.size).toBe(kinds.length);
  });

  it('grasp hints fit the gripper: <= 6.5 cm across the grasp axis at pad height, pads >= 2.5 cm up', () => {
    for (const k of kinds) {
      if (!k.graspable) {
        expect(k.grasp.type, k.kind).toBe('none');
        continue;
      }
      // Rims (LIBERO's bowls, mugs, pan) are pinched across their wall: test/libero-objects.test.ts.
      if (k.grasp.type === 'rim') continue;
      expect(k.grasp.type, k.kind).toBe('top');
      const h = k.grasp.height;
      expect(h, k.kind).toBeGreaterThanOrEqual(MIN_GRASP_HEIGHT);
      expect(h, k.kind).toBeLessThanOrEqual(MAX_GRASP_HEIGHT);
      // At least 1.5 cm of pad on the object (LIBERO's butter is 1.8 cm high: the pads cover all of it).
      const pad = HAND_REACH.padLength / 2;
      expect(Math.min(k.size[2], h + pad) - Math.max(0, h - pad), k.kind).toBeGreaterThanOrEqual(0.015);
      // Width along the axis of the shapes the pads (+-2 cm) touch.
      const touched = k.shapes.filter((s) => {
        const b = shapesBounds([s]);
        return b.max[2] > h - 0.02 && b.min[2] < h + 0.02;
      });
      expect(touched.length, k.kind).toBeGreaterThan(0);
      const b = shapesBounds(touched);
      const i = k.grasp.axis === 'x' ? 0 : 1;
      expect(b.max[i] - b.min[i], `${k.kind} width along ${k.grasp.axis}`).toBeLessThanOrEqual(MAX_GRASP_WIDTH + 1e-9);
      if (k.size[2] > 0.12) {
        expect(h, `${k.kind} tall: grasp high`).toBeGreaterThanOrEqual(Math.min(0.09, 0.6 * k.size[2]) - 1e-9);
      }
    }
  });

  it('containers and supports', () => {
    for (const name of ['bowl', 'plate', 'basket']) expect(OBJECT_KINDS[name].graspable).toBe(false);
    for (const name of ['bowl', 'basket']) {
      const k = OBJECT_KINDS[name];
      expect(k.container, name).toBeDefined();
      const c = k.container!;
      expect(c.center[2] - c.halfExtents[2]).toBeGreaterThan(0);
      expect(c.center[2] + c.halfExtents[2]).toBeLessThanOrEqual(k.size[2] + 1e-9);
      expect(c.halfExtents[0]).toBeLessThan(k.size[0] / 2);
      expect(c.halfExtents[1]).toBeLessThan(k.size[1] / 2);
    }
    expect(OBJECT_KINDS.plate.supportTop).toBeCloseTo(0.01, 9);
    expect(OBJECT_KINDS.red_block.supportTop).toBe(0.05);
    expect(OBJECT_KINDS.red_block.size).toEqual([0.05, 0.05, 0.05]);
    expect(OBJECT_KINDS.cream_cheese.supportTop).toBeCloseTo(OBJECT_KINDS.cream_cheese.size[2], 9);
    // A can fits in the bowl, the cheese in the basket.
    const bowlIn = OBJECT_KINDS.bowl.container!;
    expect(OBJECT_KINDS.alphabet_soup.size[0] / 2).toBeLessThan(bowlIn.halfExtents[0] * Math.SQRT2);
    const basketIn = OBJECT_KINDS.basket.container!;
    expect(OBJECT_KINDS.cream_cheese.size[0] / 2).toBeLessThan(basketIn.halfExtents[0]);
    expect(OBJECT_KINDS.cream_cheese.size[1] / 2).toBeLessThan(basketIn.halfExtents[1]);
  });

  it('getObjectKind returns a kind or names the closest ones', () => {
    expect(getObjectKind('ketchup')).toBe(OBJECT_KINDS.ketchup);
    expect(() => getObjectKind('ketchupp')).toThrow(/unknown object kind "ketchupp".*"ketchup"/);
    expect(() => getObjectKind('toString')).toThrow(/unknown object kind/);
    expect(closestNames('bowl_x', Object.keys(OBJECT_KINDS), 2)).toEqual(['bowl', 'bowl_white']);
    expect(closestNames('abc', ['abd', 'xyz', 'abc'], 2)).toEqual(['abc', 'abd']);
  });

  it('fixture dimensions', () => {
    expect(FIXTURE_DEFS.cabinet.footprint).toEqual({ depth: 0.3, width: 0.36, height: 0.26 });
    expect(FIXTURE_DEFS.microwave.footprint).toEqual({ depth: 0.2, width: 0.35, height: 0.21 });
    expect(FIXTURE_DEFS.button.footprint).toEqual({ depth: 0.08, width: 0.08, height: 0.03 });
    expect(FIXTURE_DEFS.cabinet.swing).toBe(0.22);
  });
});
