// Novel objects: a procedural generator of unseen object kinds, `novel_<id>` for any id >= 0. Kind
// `id` is a pure function of the id (object 417 is the same object in every version): a shape family
// (tin, carton, jar with a lid, bottle, handled cup, wedge block, capsule pod, ball on a foot), its
// proportions and size within what the gripper can hold, a body colour and a part colour, mass,
// friction, and a made-up but consistent category name built from syllables.
import seedrandom from 'seedrandom';
import { graspHeightFor, makeKind, MAX_GRASP_WIDTH, topGrasp } from './objects.ts';
import type { ObjectKind, Rgb, SceneSpec, Shape, TaskSpec } from './types.ts';

export const NOVEL_PREFIX = 'novel_';
export const NOVEL_FAMILIES = ['tin', 'carton', 'jar', 'bottle', 'cup', 'wedge', 'pod', 'orb'] as const;

const SYLLABLES = ['ka', 'lo', 'mi', 'zu', 'ter', 'vin', 'ra', 'po', 'shen', 'dax', 'qui', 'mo', 'bel', 'fra', 'nu', 'gor', 'tal', 'wex', 'ly', 'sor'];

/** The made-up category word of an id (three syllables, stable). */
export function novelWord(id: number): string {
  const r = seedrandom(`novel-name:${id}`);
  return Array.from({ length: 3 }, () => SYLLABLES[Math.floor(r() * SYLLABLES.length)]).join('');
}

function hsv(h: number, s: number, v: number): Rgb {
  const f = (n: number) => {
    const k = (n + h * 6) % 6;
    return v - v * s * Math.max(0, Math.min(k, 4 - k, 1));
  };
  return [f(5), f(3), f(1)].map((x) => Math.round(x * 1000) / 1000) as Rgb;
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;

export function isNovelKind(kind: string): boolean {
  return /^novel_\d+$/.test(kind);
}

const cache = new Map<number, ObjectKind>();

/** Novel kind number `id`. */
export function novelKind(id: number): ObjectKind {
  if (!Number.isInteger(id) || id < 0) throw new Error(`a novel object id is a whole number >= 0, got ${id}`);
  const hit = cache.get(id);
  if (hit) return hit;
  const r = seedrandom(`novel:${id}`);
  const u = (a: number, b: number) => r3(a + (b - a) * r());
  const family = NOVEL_FAMILIES[Math.floor(r() * NOVEL_FAMILIES.length)];
  const hue = r();
  const color = hsv(hue, u(0.35, 0.9), u(0.35, 0.95));
  const color2 = hsv((hue + u(0.2, 0.8)) % 1, u(0.2, 0.9), u(0.2, 0.95));
  const mass = u(0.08, 0.3);
  const friction = u(0.6, 1.0);
  const word = novelWord(id);
  const maxR = MAX_GRASP_WIDTH / 2 - 0.003;
  let shapes: Shape[];
  let graspAxis: 'x' | 'y' = 'y', symmetric = true, graspAt: number | undefined, supportTop: number | undefined;
  switch (family) {
    case 'tin': {
      const rad = u(0.022, maxR), h = u(0.05, 0.13);
      shapes = [{ type: 'cylinder', radius: rad, halfHeight: r3(h / 2), pos: [0, 0, r3(h / 2)], color }];
      supportTop = h;
      break;
    }
    case 'carton': {
      const sx = u(0.05, 0.12), sy = u(0.035, MAX_GRASP_WIDTH - 0.005), sz = u(0.035, 0.14);
      shapes = [{ type: 'box', halfExtents: [r3(sx / 2), r3(sy / 2), r3(sz / 2)], pos: [0, 0, r3(sz / 2)], color }];
      graspAxis = 'y'; symmetric = false; supportTop = sz;
      break;
    }
    case 'jar': {
      const rad = u(0.022, maxR), h = u(0.05, 0.11), lid = u(0.01, 0.025), lidR = r3(Math.min(maxR, rad * u(0.8, 1.08)));
      shapes = [
        { type: 'cylinder', radius: rad, halfHeight: r3(h / 2), pos: [0, 0, r3(h / 2)], color },
        { type: 'cylinder', radius: lidR, halfHeight: r3(lid / 2), pos: [0, 0, r3(h + lid / 2)], color: color2 },
      ];
      graspAt = r3(Math.min(graspHeightFor(h + lid), h - 0.01));
      break;
    }
    case 'bottle': {
      const rad = u(0.022, maxR), h = u(0.08, 0.14), nr = r3(rad * u(0.35, 0.6)), nh = u(0.03, 0.06);
      shapes = [
        { type: 'cylinder', radius: rad, halfHeight: r3(h / 2), pos: [0, 0, r3(h / 2)], color },
        { type: 'cylinder', radius: nr, halfHeight: r3(nh / 2), pos: [0, 0, r3(h + nh / 2)], color: color2 },
      ];
      graspAt = r3(Math.min(graspHeightFor(h + nh), h - 0.015));
      break;
    }
    case 'cup': {
      const rad = u(0.024, maxR - 0.002), h = u(0.06, 0.1);
      shapes = [
        { type: 'cylinder', radius: rad, halfHeight: r3(h / 2), pos: [0, 0, r3(h / 2)], color },
        { type: 'box', halfExtents: [0.011, 0.005, r3(h * 0.28)], pos: [r3(rad + 0.009), 0, r3(h * 0.55)], color: color2 },
      ];
      symmetric = false;
      break;
    }
    case 'wedge': {
      // A block with a smaller block on top, offset: a stepped wedge.
      const sx = u(0.045, 0.09), sy = u(0.035, MAX_GRASP_WIDTH - 0.005), sz = u(0.025, 0.05), tz = u(0.015, 0.035);
      shapes = [
        { type: 'box', halfExtents: [r3(sx / 2), r3(sy / 2), r3(sz / 2)], pos: [0, 0, r3(sz / 2)], color },
        { type: 'box', halfExtents: [r3(sx / 4), r3(sy / 2), r3(tz / 2)], pos: [r3(-sx / 4), 0, r3(sz + tz / 2)], color: color2 },
      ];
      symmetric = false;
      graspAt = r3(Math.max(0.025, Math.min(graspHeightFor(sz), sz - 0.005)));
      break;
    }
    case 'pod': {
      const rad = u(0.02, maxR), hh = u(0.015, 0.045);
      shapes = [{ type: 'capsule', radius: rad, halfHeight: hh, pos: [0, 0, r3(rad + hh)], color }];
      break;
    }
    case 'orb': {
      const rad = u(0.025, maxR);
      shapes = [
        { type: 'sphere', radius: rad, pos: [0, 0, rad], color },
        { type: 'cylinder', radius: r3(rad * 0.55), halfHeight: 0.004, pos: [0, 0, 0.004], color: color2 },
      ];
      graspAt = r3(Math.max(0.025, rad));
      break;
    }
  }
  const height = Math.max(...shapes.map((s) => (s.pos?.[2] ?? 0) + (s.type === 'box' ? s.halfExtents[2] : s.type === 'sphere' ? s.radius : s.type === 'capsule' ? s.halfHeight + s.radius : s.halfHeight)));
  const kind = makeKind({
    kind: `${NOVEL_PREFIX}${id}`, category: `${word}_${family}`, name: `${word} ${family}`,
    mass, friction, color, shapes,
    grasp: topGrasp(height, graspAxis, symmetric, graspAt),
    ...(supportTop !== undefined ? { supportTop } : {}),
    graspable: true,
  });
  cache.set(id, kind);
  return kind;
}

/** A table with one novel object and a plate; the task puts the object on the plate. */
export function novelPickScene(id: number): { scene: SceneSpec; task: TaskSpec } {
  const scene: SceneSpec = {
    name: 'novel_pick', table: { size: [0.9, 1.0], center: [0.55, 0], friction: 0.7, color: [0.62, 0.47, 0.33] },
    regions: { thing_init: { center: [0.5, -0.12], halfExtents: [0.02, 0.02] }, plate_init: { center: [0.62, 0.16], halfExtents: [0.01, 0.01] } },
    fixtures: [],
    objects: [
      { id: 'thing', kind: `novel_${id}`, region: 'thing_init', yaw: [-0.4, 0.4] },
      { id: 'plate', kind: 'plate', region: 'plate_init', yaw: [0, 0] },
    ],
  };
  const k = novelKind(id);
  const task: TaskSpec = {
    name: 'novel_pick', scene: 'novel_pick', type: 'pick_place', instruction: `put the ${k.name} on the plate`, paraphrases: [],
    init: [], goal: ['On', 'thing', 'plate'], maxSteps: 300, objectsOfInterest: ['thing', 'plate'],
  };
  return { scene, task };
}

