import { describe, expect, it } from 'vitest';
import { FIXTURE_DEFS } from '../scenes/fixture-defs.ts';
import { fixtureRect, pointRectDistance } from '../scenes/geometry.ts';
import { DEFAULT_ROBOT_INIT, PLACEMENT_MARGIN, REST_Z, resolveScene } from '../scenes/layout.ts';
import { SpecError, findScene, findTask, listScenes, listTasks, parseTask } from '../scenes/load.ts';
import { OBJECT_KINDS, footprintRadius } from '../scenes/objects.ts';
import type { SceneSpec } from '../scenes/types.ts';

const yawOf = (q: number[]) => 2 * Math.atan2(q[2], q[3]);

describe('resolveScene', () => {
  it('same seed gives a deep-equal result; different seeds differ', () => {
    for (const name of listScenes()) {
      const spec = findScene(name);
      const a = resolveScene(spec, 7);
      const b = resolveScene(findScene(name), 7);
      expect(b).toEqual(a);
      expect(JSON.parse(JSON.stringify(b))).toEqual(JSON.parse(JSON.stringify(a)));
      const c = resolveScene(spec, 8);
      expect(c.objects.map((o) => o.pos)).not.toEqual(a.objects.map((o) => o.pos));
      expect(c.seed).toBe(8);
    }
  });

  it('places every object in its region and yaw range, on the table, with no overlaps (200 seeds, every scene)', () => {
    for (const name of listScenes()) {
      const spec = findScene(name);
      const zones = spec.fixtures.map((f) => ({ id: f.id, rect: fixtureRect(f, true) }));
      const seen = new Set<string>();
      for (let seed = 0; seed < 200; seed++) {
        const r = resolveScene(spec, seed);
        expect(r.objects.map((o) => o.id)).toEqual(spec.objects.map((o) => o.id));
        r.objects.forEach((o, i) => {
          const p = spec.objects[i];
          const reg = spec.regions[p.region!];
          expect(o.kind).toBe(p.kind);
          expect(Math.abs(o.pos[0] - reg.center[0])).toBeLessThanOrEqual(reg.halfExtents[0] + 1e-12);
          expect(Math.abs(o.pos[1] - reg.center[1])).toBeLessThanOrEqual(reg.halfExtents[1] + 1e-12);
          expect(o.pos[2]).toBe(REST_Z);
          expect(Math.hypot(...o.quat)).toBeCloseTo(1, 12);
          expect(o.quat[0]).toBe(0);
          expect(o.quat[1]).toBe(0);
          const yaw = yawOf(o.quat);
          expect(yaw).toBeGreaterThanOrEqual(p.yaw[0] - 1e-9);
          expect(yaw).toBeLessThanOrEqual(p.yaw[1] + 1e-9);
          const ri = footprintRadius(OBJECT_KINDS[o.kind]);
          // Whole object on the table.
          const t = spec.table;
          expect(Math.abs(o.pos[0] - t.center[0]) + ri).toBeLessThanOrEqual(t.size[0] / 2);
          expect(Math.abs(o.pos[1] - t.center[1]) + ri).toBeLessThanOrEqual(t.size[1] / 2);
          for (let j = 0; j < i; j++) {
            const q = r.objects[j];
            const rj = footprintRadius(OBJECT_KINDS[q.kind]);
            const d = Math.hypot(o.pos[0] - q.pos[0], o.pos[1] - q.pos[1]);
            expect(d, `${name} seed ${seed}: ${o.id} vs ${q.id}`).toBeGreaterThanOrEqual(ri + rj + PLACEMENT_MARGIN);
          }
          for (const z of zones) {
            expect(pointRectDistance([o.pos[0], o.pos[1]], z.rect), `${name} seed ${seed}: ${o.id} vs ${z.id}`)
              .toBeGreaterThanOrEqual(ri + PLACEMENT_MARGIN);
          }
        });
        seen.add(JSON.stringify(r.objects));
      }
      expect(seen.size).toBe(200);
    }
  });

  it('fixture states come from the task init; robotInit defaults to the ready pose', () => {
    const cab = findScene('cabinet_counter');
    expect(resolveScene(cab, 0).fixtureInit).toEqual({ cabinet: 0, button: 0 });
    expect(resolveScene(cab, 0, findTask('cabinet_close_drawer')).fixtureInit).toEqual({ cabinet: 0.18, button: 0 });
    expect(resolveScene(cab, 0, findTask('cabinet_open_drawer')).fixtureInit).toEqual({ cabinet: 0, button: 0 });
    const pressed = parseTask({ ...findTask('cabinet_press_button'), init: [['TurnedOn', 'button'], ['Open', 'cabinet']] }, 't', cab);
    expect(resolveScene(cab, 0, pressed).fixtureInit).toEqual({ cabinet: 0.18, button: 1 });
    const mw = findScene('microwave_counter');
    expect(resolveScene(mw, 3, findTask('microwave_close_door')).fixtureInit).toEqual({ microwave: 1.6 });
    expect(resolveScene(mw, 3, findTask('microwave_open_door')).fixtureInit).toEqual({ microwave: 0 });
    // The task does not change the sampled layout.
    expect(resolveScene(mw, 3, findTask('microwave_close_door')).objects).toEqual(resolveScene(mw, 3).objects);

    const r = resolveScene(findScene('tabletop'), 1);
    expect(r.robotInit).toEqual([...DEFAULT_ROBOT_INIT]);
    expect(r.fixtures).toEqual([]);
    const custom = resolveScene({ ...findScene('tabletop'), robotInit: [0, 0, 0, -2, 0, 2, 0.7] }, 1);
    expect(custom.robotInit).toEqual([0, 0, 0, -2, 0, 2, 0.7]);
  });

  it('every shipped task validates against its scene and resolves', () => {
    const tasks = listTasks();
    expect(tasks.length).toBeGreaterThanOrEqual(10);
    for (const name of tasks) {
      const task = findTask(name);
      const scene = findScene(task.scene);
      expect(parseTask(task, name, scene)).toEqual(task);
      const r = resolveScene(scene, 11, task);
      expect(r.spec.name).toBe(task.scene);
      for (const id of task.objectsOfInterest) {
        expect([...r.objects.map((o) => o.id), ...r.fixtures.map((f) => f.id)]).toContain(id);
      }
    }
  });

  it('a task for another scene is refused', () => {
    expect(() => resolveScene(findScene('tabletop'), 0, findTask('cabinet_open_drawer'))).toThrow(SpecError);
  });

  it('an object with no room gives a clear error naming the scene, object and blocker', () => {
    const base = findScene('cabinet_counter');
    const spec: SceneSpec = {
      ...base,
      regions: { ...base.regions, blocked: { center: [0.5, 0.18], halfExtents: [0.02, 0.02] } },
      objects: [...base.objects, { id: 'pudding', kind: 'chocolate_pudding', region: 'blocked', yaw: [0, 0] }],
    };
    expect(() => resolveScene(spec, 4)).toThrow(
      /^scene "cabinet_counter" \(seed 4\): objects\[3\]: found no free spot for object "pudding" \(chocolate_pudding, radius 0\.046 m\) in region "blocked" after 200 tries; blocked by fixture "cabinet"/,
    );
  });

  it('shipped layouts: handles reachable, fixtures where the brief puts them', () => {
    const cab = findScene('cabinet_counter');
    const cabinet = cab.fixtures.find((f) => f.id === 'cabinet')!;
    expect(cabinet.pos[0] - FIXTURE_DEFS.cabinet.footprint.depth / 2).toBeCloseTo(0.57, 9);
    const mw = findScene('microwave_counter').fixtures[0];
    expect(mw.pos[0] - FIXTURE_DEFS.microwave.footprint.depth / 2).toBeCloseTo(0.57, 9);
    // The butter push is ~15-20 cm from its region centre into left_zone.
    const t = findScene('tabletop');
    const butter = t.regions.butter_init;
    const left = t.regions.left_zone;
    expect(left.center[1] - butter.center[1]).toBeGreaterThan(0.15);
    expect(left.center[1] - butter.center[1]).toBeLessThan(0.2);
    expect(Math.abs(left.center[0] - butter.center[0])).toBeLessThan(0.01);
    // Every object region is within the reachable area.
    for (const name of listScenes()) {
      for (const o of findScene(name).objects) {
        const reg = findScene(name).regions[o.region!];
        expect(reg.center[0]).toBeGreaterThanOrEqual(0.3);
        expect(reg.center[0]).toBeLessThanOrEqual(0.75);
        expect(Math.abs(reg.center[1])).toBeLessThanOrEqual(0.35);
      }
    }
  });
});
