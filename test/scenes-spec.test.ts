import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  SpecError, findScene, findTask, listScenes, listTasks, loadScene, loadTask, parseScene, parseTask,
} from '../scenes/load.ts';
import type { SceneSpec } from '../scenes/types.ts';

const SCENE_FILE = 'scenes/data/scenes/tabletop.json';
const TASK_FILE = 'scenes/data/tasks/tabletop_soup_on_plate.json';
const rawScene = (): any => JSON.parse(readFileSync(new URL(`../${SCENE_FILE}`, import.meta.url), 'utf8'));
const rawTask = (): any => JSON.parse(readFileSync(new URL(`../${TASK_FILE}`, import.meta.url), 'utf8'));

/** Runs fn, expects a SpecError, checks its fields and that the message names all of them. */
function expectSpecError(
  fn: () => unknown,
  want: { file: string; path: string; found: string | RegExp; allowed: string | RegExp },
): SpecError {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err, 'expected a SpecError').toBeInstanceOf(SpecError);
  const e = err as SpecError;
  expect(e.file).toBe(want.file);
  expect(e.path).toBe(want.path);
  if (typeof want.found === 'string') expect(e.found).toContain(want.found);
  else expect(e.found).toMatch(want.found);
  if (typeof want.allowed === 'string') expect(e.allowed).toContain(want.allowed);
  else expect(e.allowed).toMatch(want.allowed);
  expect(e.message.startsWith(`${want.file}: `)).toBe(true);
  if (e.line !== undefined) {
    expect(e.message).toContain(`: line ${e.line}, column ${e.column}${want.path ? ` (at ${want.path})` : ''}: found `);
  } else if (want.path) expect(e.message).toContain(`: ${want.path}: found `);
  expect(e.message).toContain(`found ${e.found}; allowed: ${e.allowed}`);
  return e;
}

const sceneWith = (mutate: (s: any) => void): string => {
  const s = rawScene();
  mutate(s);
  return JSON.stringify(s, null, 2);
};
const taskWith = (mutate: (t: any) => void): any => {
  const t = rawTask();
  mutate(t);
  return t;
};

describe('scene and task specs: errors', () => {
  it('bad JSON syntax: names the line and column, what was found and what JSON allows there', () => {
    const text = '{\n  "name": "tabletop",\n  "fixtures": [],\n}\n';
    const e = expectSpecError(() => parseScene(text, SCENE_FILE), {
      file: SCENE_FILE, path: '', found: '"}"', allowed: 'a field name in double quotes',
    });
    expect(e.line).toBe(4);
    expect(e.column).toBe(1);
    expect(e.message).toBe(`${SCENE_FILE}: line 4, column 1: found "}"; allowed: a field name in double quotes (JSON has no trailing commas) (invalid JSON)`);

    const e2 = expectSpecError(() => parseScene('{"name": "x",\n "table": {"size": [0.9 1.0]}}', SCENE_FILE), {
      file: SCENE_FILE, path: 'table.size', found: '"1"', allowed: '"," or "]"',
    });
    expect([e2.line, e2.column]).toEqual([2, 25]);
    const e3 = expectSpecError(() => parseScene('{"name": tabletop}', SCENE_FILE), {
      file: SCENE_FILE, path: 'name', found: '"tabletop"', allowed: 'a JSON value',
    });
    expect(e3.message).toContain('line 1, column 10');
    expectSpecError(() => parseScene('{"name": "tabletop"', SCENE_FILE), {
      file: SCENE_FILE, path: '', found: 'the end of the file', allowed: '"," or "}"',
    });
  });

  it('duplicate JSON field is an error (JSON.parse would silently keep the last)', () => {
    const e = expectSpecError(() => parseScene('{\n  "name": "a",\n  "name": "b"\n}', SCENE_FILE), {
      file: SCENE_FILE, path: 'name', found: 'a second "name" field', allowed: 'each field at most once',
    });
    expect([e.line, e.column]).toEqual([3, 3]);
  });

  it('missing field', () => {
    expectSpecError(() => parseScene(sceneWith((s) => delete s.table.friction), SCENE_FILE), {
      file: SCENE_FILE, path: 'table.friction', found: 'nothing (the field is missing)', allowed: 'a friction coefficient between 0 and 2',
    });
    expectSpecError(() => parseTask(taskWith((t) => delete t.goal), TASK_FILE), {
      file: TASK_FILE, path: 'goal', found: 'nothing (the field is missing)', allowed: 'a formula',
    });
  });

  it('wrong type', () => {
    expectSpecError(() => parseScene(sceneWith((s) => { s.objects[1].yaw = '0.3'; }), SCENE_FILE), {
      file: SCENE_FILE, path: 'objects[1].yaw', found: '"0.3"', allowed: 'a yaw range [min, max] in radians',
    });
    expectSpecError(() => parseScene(sceneWith((s) => { s.regions.soup_init.center[1] = 'left'; }), SCENE_FILE), {
      file: SCENE_FILE, path: 'regions.soup_init.center[1]', found: '"left"', allowed: 'a number of metres',
    });
    expectSpecError(() => parseTask(taskWith((t) => { t.maxSteps = '300'; }), TASK_FILE), {
      file: TASK_FILE, path: 'maxSteps', found: '"300"', allowed: 'a whole number between 1 and 100000',
    });
    expectSpecError(() => parseScene('[1, 2]', SCENE_FILE), {
      file: SCENE_FILE, path: '', found: '[1,2] (an array of 2)', allowed: 'a scene: a JSON object with the fields name, description, table',
    });
  });

  it('unknown field', () => {
    expectSpecError(() => parseScene(sceneWith((s) => { s.table.colour = s.table.color; delete s.table.color; }), SCENE_FILE), {
      file: SCENE_FILE, path: 'table.colour', found: 'unknown field "colour"', allowed: 'the fields of the table: size, center, friction, color (closest: color)',
    });
    expectSpecError(() => parseScene(sceneWith((s) => { s.objects[3].mass = 0.1; }), SCENE_FILE), {
      file: SCENE_FILE, path: 'objects[3].mass', found: 'unknown field "mass"', allowed: 'the fields of an object placement: id, kind, region, on, in, clearance, yaw (closest: yaw)',
    });
    expectSpecError(() => parseTask(taskWith((t) => { t.goals = t.goal; }), TASK_FILE), {
      file: TASK_FILE, path: 'goals', found: 'unknown field "goals"', allowed: 'the fields of a task: name, scene, type',
    });
  });

  it('out-of-range number', () => {
    expectSpecError(() => parseScene(sceneWith((s) => { s.table.friction = 5; }), SCENE_FILE), {
      file: SCENE_FILE, path: 'table.friction', found: '5', allowed: 'a friction coefficient between 0 and 2',
    });
    expectSpecError(() => parseScene(sceneWith((s) => { s.table.color = [1, 0.5, 255]; }), SCENE_FILE), {
      file: SCENE_FILE, path: 'table.color[2]', found: '255', allowed: 'a colour component between 0 and 1',
    });
    expectSpecError(() => parseScene(sceneWith((s) => { s.regions.left_zone.halfExtents = [-0.1, 0.05]; }), SCENE_FILE), {
      file: SCENE_FILE, path: 'regions.left_zone.halfExtents[0]', found: '-0.1', allowed: 'a half size in metres between 0 and 1',
    });
    expectSpecError(() => parseScene(sceneWith((s) => { s.robotInit = [0, 0, 0]; }), SCENE_FILE), {
      file: SCENE_FILE, path: 'robotInit', found: '[0,0,0] (an array of 3)', allowed: 'an array of 7 numbers',
    });
    expectSpecError(() => parseTask(taskWith((t) => { t.goal = ['Near', 'soup', 'plate', -1]; }), TASK_FILE), {
      file: TASK_FILE, path: 'goal[3]', found: '-1', allowed: 'a distance in metres, > 0',
    });
    expectSpecError(() => parseScene(sceneWith((s) => { s.regions.left_zone.center = [0.38, 0.48]; }), SCENE_FILE), {
      file: SCENE_FILE, path: 'regions.left_zone', found: 'a region spanning x 0.32..0.44, y 0.405..0.555', allowed: 'a region on the table (x 0.1..1, y -0.5..0.5)',
    });
    expectSpecError(() => parseScene(sceneWith((s) => { s.objects[0].yaw = [1, -1]; }), SCENE_FILE), {
      file: SCENE_FILE, path: 'objects[0].yaw', found: '(min > max)', allowed: 'min <= max',
    });
  });

  it('unknown object kind: names the closest kinds', () => {
    const e = expectSpecError(() => parseScene(sceneWith((s) => { s.objects[2].kind = 'bowl_x'; }), SCENE_FILE), {
      file: SCENE_FILE, path: 'objects[2].kind', found: '"bowl_x"', allowed: 'a kind from the object library (closest: bowl, bowl_white',
    });
    expect(e.message).toMatch(/^scenes\/data\/scenes\/tabletop\.json: objects\[2\]\.kind: found "bowl_x"; allowed: a kind from the object library \(closest: bowl, bowl_white, /);
  });

  it('unknown region', () => {
    expectSpecError(() => parseScene(sceneWith((s) => { s.objects[0].region = 'soup_int'; }), SCENE_FILE), {
      file: SCENE_FILE, path: 'objects[0].region', found: '"soup_int"', allowed: /a region of this scene: .*soup_init.*\(closest: soup_init\)/,
    });
    const scene = findScene('tabletop');
    expectSpecError(() => parseTask(taskWith((t) => { t.goal = ['InRegion', 'butter', 'left']; }), TASK_FILE, scene), {
      file: TASK_FILE, path: 'goal[2]', found: '"left"', allowed: /a region of scene "tabletop": .*\(closest: left_zone\)/,
    });
  });

  it('unknown id in goal / init / objectsOfInterest', () => {
    const scene = findScene('tabletop');
    expectSpecError(() => parseTask(taskWith((t) => { t.goal = ['On', 'soupp', 'plate']; }), TASK_FILE, scene), {
      file: TASK_FILE, path: 'goal[1]', found: '"soupp" (no such id in scene "tabletop")', allowed: 'an object id of scene "tabletop" (closest: soup',
    });
    expectSpecError(() => parseTask(taskWith((t) => { t.goal = ['And', ['On', 'soup', 'plate'], ['Not', ['On', 'soup', 'plato']]]; }), TASK_FILE, scene), {
      file: TASK_FILE, path: 'goal[2][1][2]', found: '"plato"', allowed: '(closest: plate',
    });
    expectSpecError(() => parseTask(taskWith((t) => { t.objectsOfInterest = ['soup', 'dish']; }), TASK_FILE, scene), {
      file: TASK_FILE, path: 'objectsOfInterest[1]', found: '"dish"', allowed: 'an object or fixture id of the scene',
    });
    const cab = findScene('cabinet_counter');
    const openTask = JSON.parse(readFileSync(new URL('../scenes/data/tasks/cabinet_close_drawer.json', import.meta.url), 'utf8'));
    openTask.init = [['Open', 'drawer']];
    expectSpecError(() => parseTask(openTask, 'scenes/data/tasks/cabinet_close_drawer.json', cab), {
      file: 'scenes/data/tasks/cabinet_close_drawer.json', path: 'init[0][1]', found: '"drawer"', allowed: 'a drawer or door: a cabinet, a cabinet drawer region, or a microwave of scene "cabinet_counter" (closest: cabinet_drawer_region, cabinet)',
    });
  });

  it('predicates used on the wrong kind of thing', () => {
    const scene = findScene('tabletop');
    const cab = findScene('cabinet_counter');
    expectSpecError(() => parseTask(taskWith((t) => { t.goal = ['In', 'soup', 'plate']; }), TASK_FILE, scene), {
      file: TASK_FILE, path: 'goal[2]', found: '"plate" (an object of kind plate)', allowed: /a container object \(bowl, basket\) or a fixture region with an interior \(a drawer, a caddy compartment\); in scene "tabletop": bowl, basket/,
    });
    expectSpecError(() => parseTask(taskWith((t) => { t.scene = 'cabinet_counter'; t.goal = ['Open', 'button']; }), TASK_FILE, cab), {
      file: TASK_FILE, path: 'goal[1]', found: '"button" (a fixture of kind button)', allowed: 'Open\'s argument 1: a drawer or door: a cabinet, a cabinet drawer region, or a microwave; in scene "cabinet_counter": cabinet',
    });
    expectSpecError(() => parseTask(taskWith((t) => { t.scene = 'cabinet_counter'; t.goal = ['TurnedOn', 'cabinet']; }), TASK_FILE, cab), {
      file: TASK_FILE, path: 'goal[1]', found: '"cabinet" (a fixture of kind cabinet)', allowed: 'a switch: a button or a stove; in scene "cabinet_counter": button',
    });
    expectSpecError(() => parseTask(taskWith((t) => { t.goal = ['Open', 'soup']; }), TASK_FILE, scene), {
      file: TASK_FILE, path: 'goal[1]', found: '"soup" (an object of kind alphabet_soup)', allowed: 'a drawer or door: a cabinet, a cabinet drawer region, or a microwave',
    });
    expectSpecError(() => parseTask(taskWith((t) => { t.goal = ['Grasped', 'basket']; }), TASK_FILE, scene), {
      file: TASK_FILE, path: 'goal[1]', found: '"basket" (an object of kind basket)', allowed: 'a graspable object id',
    });
    expectSpecError(() => parseTask(taskWith((t) => { t.goal = ['On', 'soup', 'soup']; }), TASK_FILE, scene), {
      file: TASK_FILE, path: 'goal[2]', found: 'the same id as argument 1', allowed: 'On between two different ids',
    });
    expectSpecError(() => parseTask(taskWith((t) => { t.goal = ['On', 'basket', 'mug']; }), TASK_FILE, scene), {
      file: TASK_FILE, path: 'goal[2]', found: '"mug" (no such id', allowed: 'an object with a flat top or a container',
    });
    // On a fixture's top is allowed (cabinet / microwave), on a button is not.
    expect(parseTask(taskWith((t) => { t.scene = 'cabinet_counter'; t.goal = ['On', 'ketchup', 'cabinet']; t.objectsOfInterest = ['ketchup', 'cabinet']; }), TASK_FILE, cab).goal).toEqual(['On', 'ketchup', 'cabinet']);
    expectSpecError(() => parseTask(taskWith((t) => { t.scene = 'cabinet_counter'; t.goal = ['On', 'ketchup', 'button']; }), TASK_FILE, cab), {
      file: TASK_FILE, path: 'goal[2]', found: '"button" (a fixture of kind button)', allowed: `or a fixture's top or region (cabinet top_side, stove cook_region, wine rack...); in scene "cabinet_counter": bowl, cabinet, cabinet_drawer_region, cabinet_top_side`,
    });
    expectSpecError(() => parseTask(taskWith((t) => { t.scene = 'cabinet_counter'; t.goal = ['On', 'milk', 'ketchup']; }), TASK_FILE, cab), {
      file: TASK_FILE, path: 'goal[2]', found: '"ketchup" (an object of kind ketchup)', allowed: 'an object with a flat top',
    });
    expectSpecError(() => parseTask(taskWith((t) => { t.scene = 'kitchen'; }), TASK_FILE, scene), {
      file: TASK_FILE, path: 'scene', found: '"kitchen"', allowed: 'the name of the scene checked against: "tabletop"',
    });
  });

  it('wrong predicate name or arity', () => {
    expectSpecError(() => parseTask(taskWith((t) => { t.goal = ['On', 'soup']; }), TASK_FILE), {
      file: TASK_FILE, path: 'goal', found: '["On","soup"] (an array of 2) with 1 argument', allowed: 'On takes 2 arguments: ["On", object id, object or fixture id]',
    });
    expectSpecError(() => parseTask(taskWith((t) => { t.goal = ['OnTop', 'soup', 'plate']; }), TASK_FILE), {
      file: TASK_FILE, path: 'goal[0]', found: '"OnTop"', allowed: /a connective or predicate name: And, Or, Not, On, .* \(closest: On/,
    });
    expectSpecError(() => parseTask(taskWith((t) => { t.goal = ['And', ['On', 'soup', 'plate'], ['Not', ['Open', 'a'], ['Open', 'b']]]; }), TASK_FILE), {
      file: TASK_FILE, path: 'goal[2]', found: 'with 2 operands', allowed: 'Not takes exactly 1 formula',
    });
    expectSpecError(() => parseTask(taskWith((t) => { t.goal = ['Near', 'soup', 'plate']; }), TASK_FILE), {
      file: TASK_FILE, path: 'goal', found: 'with 2 arguments', allowed: 'Near takes 3 arguments: ["Near", object id, object or fixture id, distance in metres]',
    });
    expectSpecError(() => parseTask(taskWith((t) => { t.goal = ['On', 'soup', 3]; }), TASK_FILE), {
      file: TASK_FILE, path: 'goal[2]', found: '3', allowed: "On's argument 2: an object or fixture id (a string)",
    });
    expectSpecError(() => parseTask(taskWith((t) => { t.goal = 'On soup plate'; }), TASK_FILE), {
      file: TASK_FILE, path: 'goal', found: '"On soup plate"', allowed: 'a formula: ["And", f, ...]',
    });
    expectSpecError(() => parseTask(taskWith((t) => { t.init = [['On', 'soup', 'plate']]; }), TASK_FILE), {
      file: TASK_FILE, path: 'init[0][0]', found: '"On"', allowed: 'an init predicate: Open, Closed, TurnedOn, TurnedOff',
    });
    expectSpecError(() => parseTask(taskWith((t) => { t.type = 'pick_and_place'; }), TASK_FILE), {
      file: TASK_FILE, path: 'type', found: '"pick_and_place"', allowed: 'a task type: one of pick_place, put_in',
    });
  });

  it('duplicate id', () => {
    expectSpecError(() => parseScene(sceneWith((s) => { s.objects[1].id = 'soup'; }), SCENE_FILE), {
      file: SCENE_FILE, path: 'objects[1].id', found: '"soup" (already the id of objects[0])', allowed: 'an object id not used by another object',
    });
    const cab = JSON.parse(readFileSync(new URL('../scenes/data/scenes/cabinet_counter.json', import.meta.url), 'utf8'));
    const file = 'scenes/data/scenes/cabinet_counter.json';
    expectSpecError(() => parseScene({ ...cab, objects: [...cab.objects, { ...cab.objects[0], id: 'button' }] }, file), {
      file, path: 'objects[3].id', found: '"button" (already the id of fixtures[1])', allowed: 'an object id not used by a fixture',
    });
    expectSpecError(() => parseScene({ ...cab, fixtures: [cab.fixtures[0], { ...cab.fixtures[1], id: 'cabinet' }] }, file), {
      file, path: 'fixtures[1].id', found: '"cabinet" (already the id of fixtures[0])', allowed: 'a fixture id not used by another fixture',
    });
  });

  it('fixtures: unknown kind, off the table, overlapping another fixture\'s swing zone', () => {
    const cab = JSON.parse(readFileSync(new URL('../scenes/data/scenes/cabinet_counter.json', import.meta.url), 'utf8'));
    const file = 'scenes/data/scenes/cabinet_counter.json';
    expectSpecError(() => parseScene({ ...cab, fixtures: [{ ...cab.fixtures[0], kind: 'fridge' }] }, file), {
      file, path: 'fixtures[0].kind', found: '"fridge"', allowed: 'one of "cabinet", "microwave", "button"',
    });
    expectSpecError(() => parseScene({ ...cab, fixtures: [{ ...cab.fixtures[0], pos: [0.9, 0.18] }] }, file), {
      file, path: 'fixtures[0].pos', found: 'a cabinet spanning x 0.75..1.05', allowed: 'on the table (x 0.1..1, y -0.5..0.5)',
    });
    expectSpecError(() => parseScene({ ...cab, fixtures: [cab.fixtures[0], { ...cab.fixtures[1], pos: [0.5, 0.18] }] }, file), {
      file, path: 'fixtures[1].pos', found: 'overlaps fixtures[0] ("cabinet") or its drawer/door swing zone', allowed: 'clear of the other fixtures',
    });
  });

  it('files: missing file, unknown shipped names, user paths named relative to cwd', () => {
    expectSpecError(() => loadScene('scenes/data/scenes/nope.json'), {
      file: 'scenes/data/scenes/nope.json', path: '', found: 'no such file', allowed: 'a readable JSON file',
    });
    expectSpecError(() => findScene('table_top'), {
      file: 'scenes/data/scenes', path: '', found: '"table_top"', allowed: 'the name of a shipped scene (closest: tabletop',
    });
    expectSpecError(() => findTask('open_drawer'), {
      file: 'scenes/data/tasks', path: '', found: '"open_drawer"', allowed: 'cabinet_open_drawer',
    });
  });
});

describe('shipped specs', () => {
  it('lists the shipped scenes and tasks', () => {
    expect(listScenes()).toEqual(['cabinet_counter', 'kitchen', 'microwave_counter', 'tabletop']);
    expect(listTasks()).toEqual([
      'cabinet_close_drawer', 'cabinet_open_drawer', 'cabinet_press_button', 'microwave_close_door', 'microwave_open_door',
      'tabletop_cheese_in_basket', 'tabletop_push_butter_left', 'tabletop_soup_in_bowl', 'tabletop_soup_on_plate',
      'tabletop_stack_red_on_blue',
    ]);
    expect(listTasks('microwave_counter')).toEqual(['microwave_close_door', 'microwave_open_door']);
  });

  it('every shipped scene and task validates; tasks have >= 3 paraphrases and sensible budgets', () => {
    for (const name of listScenes()) {
      const s: SceneSpec = loadScene(`scenes/data/scenes/${name}.json`);
      expect(s.name).toBe(name);
      expect(findScene(name)).toEqual(s);
    }
    for (const name of listTasks()) {
      const t = findTask(name);
      expect(t.name).toBe(name);
      expect(loadTask(`scenes/data/tasks/${name}.json`)).toEqual(t);
      expect(t.paraphrases.length).toBeGreaterThanOrEqual(3);
      expect(new Set([t.instruction, ...t.paraphrases]).size).toBe(t.paraphrases.length + 1);
      expect(t.objectsOfInterest.length).toBeGreaterThan(0);
      const fixtureTask = ['open_drawer', 'close_drawer', 'open_door', 'close_door', 'press_button'].includes(t.type);
      expect(t.maxSteps).toBe(fixtureTask ? 250 : 300);
    }
  });

  it('the expected goals', () => {
    expect(findTask('tabletop_soup_on_plate').goal).toEqual(['On', 'soup', 'plate']);
    expect(findTask('tabletop_cheese_in_basket').goal).toEqual(['In', 'cheese', 'basket']);
    expect(findTask('tabletop_stack_red_on_blue').goal).toEqual(['On', 'red_block', 'blue_block']);
    expect(findTask('tabletop_push_butter_left').goal).toEqual(['InRegion', 'butter', 'left_zone']);
    expect(findTask('tabletop_soup_in_bowl').goal).toEqual(['In', 'soup', 'bowl']);
    expect(findTask('cabinet_close_drawer').init).toEqual([['Open', 'cabinet']]);
    expect(findTask('cabinet_press_button').goal).toEqual(['TurnedOn', 'button']);
    expect(findTask('microwave_close_door').init).toEqual([['Open', 'microwave']]);
  });

  it('parseScene accepts text or a parsed value, and the result has no extra fields', () => {
    const text = readFileSync(new URL(`../${SCENE_FILE}`, import.meta.url), 'utf8');
    expect(parseScene(text, 'x.json')).toEqual(parseScene(JSON.parse(text), 'x.json'));
    expect(parseScene(text, 'x.json')).toEqual(JSON.parse(text));
  });
});
