// Novel objects: a stable, distinct, graspable kind for every id; scenes accept them; the expert
// picks them; the novel_objects axis swaps distractors for them.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { NOVEL_FAMILIES, novelKind } from '../scenes/novel-objects.ts';
import { getObjectKind, MAX_GRASP_WIDTH } from '../scenes/objects.ts';
import { parseScene } from '../scenes/load.ts';
import { resolveScene } from '../scenes/layout.ts';
import { findScene, findTask } from '../scenes/load.ts';
import { novelPickScene as novelKindPickScene } from '../scenes/novel-objects.ts';

describe('novel objects', () => {
  it('object 417 is the same object in every version', () => {
    const k = novelKind(417);
    expect(getObjectKind('novel_417')).toBe(k);
    expect(createHash('sha256').update(JSON.stringify(k)).digest('hex').slice(0, 16)).toBe(PINNED_417);
  });

  it('1000 ids give 1000 distinct objects (geometry and colour) across every family, all graspable by the gripper', () => {
    const seen = new Set<string>();
    const families = new Set<string>();
    for (let id = 0; id < 1000; id++) {
      const k = novelKind(id);
      seen.add(JSON.stringify([k.shapes, k.color]));
      families.add(k.category.split('_').pop()!);
      expect(k.graspable).toBe(true);
      const across = k.grasp.axis === 'y' ? k.size[1] : k.size[0];
      expect(Math.min(across, k.size[0], k.size[1]), k.kind).toBeLessThanOrEqual(MAX_GRASP_WIDTH + 0.03);
    }
    expect(seen.size).toBe(1000);
    expect([...families].sort()).toEqual([...NOVEL_FAMILIES].sort());
  });

  it('scenes accept novel kinds; an id that is not a whole number is refused', () => {
    const { scene } = novelKindPickScene(12);
    expect(parseScene(scene, 'novel.json').objects[0].kind).toBe('novel_12');
    expect(() => parseScene({ ...scene, objects: [{ ...scene.objects[0], kind: 'novel_x' }, scene.objects[1]] }, 'bad.json')).toThrow(/bad\.json: objects\[0\]\.kind/);
  });

  it('the novel_objects axis makes a share of the clutter novel, from its own stream', () => {
    const kitchen = findScene('tabletop'), task = findTask('tabletop_soup_on_plate');
    const novelShare = (level: number) => {
      const s = resolveScene(kitchen, 3, task, { clutter: 1, novel_objects: level });
      const d = s.objects.filter((o) => o.id.startsWith('distractor_'));
      return d.filter((o) => o.kind.startsWith('novel_')).length / d.length;
    };
    expect(novelShare(0)).toBe(0);
    expect(novelShare(1)).toBe(1);
    expect(novelShare(0.5)).toBeGreaterThan(0.2);
    expect(novelShare(0.5)).toBeLessThan(0.8);
  });
});

const PINNED_417 = '8d3733e493c2488f';
