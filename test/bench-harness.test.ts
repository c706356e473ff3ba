// The benchmark harnesses' own inputs stay valid as the library changes (the harnesses themselves run
// in .ci/run as `npm run bench -- --quick`): the physics benchmark's hand-made tabletop30 layout follows
// the object library's sizes, with nothing overlapping or floating.
import { expect, it } from 'vitest';
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
