// Probes of the arm against the world, shared by the force-limit tests and the figure script:
// a held block driven down into the table at a given speed (then released and watched for 2 s), and
// the hand swept sideways into the cabinet's fixed shell.
import { Env } from '../../sim/env.ts';
import { ExpertPolicy } from '../../policies/expert.ts';
import type { SceneSpec, TaskSpec } from '../../scenes/types.ts';
import { findScene } from '../../scenes/load.ts';
import { quatRotate } from '../../sim/kinematics.ts';

export interface PressResult {
  /** Lowest the block's bottom went below the table top (m, positive = below), over the whole probe. */
  worstDepth: number;
  /** Fastest the block moved (m/s) from the first contact through the release and 2 s after. */
  worstSpeed: number;
  /** Deepest arm penetration into anything (m). */
  worstArmPenetration: number;
  /** Where the block ended (z of its bottom, m). */
  finalZ: number;
  /** Control steps the physics-health monitor called sim_unstable. */
  unstableSteps: number;
}

const probeScene: SceneSpec = {
  name: 'press_probe',
  table: { size: [1.4, 1.2], center: [0.35, 0], friction: 0.8, color: [0.6, 0.5, 0.4] },
  regions: { spot: { center: [0.5, 0.05], halfExtents: [0.005, 0.005] } },
  fixtures: [],
  objects: [{ id: 'obj', kind: 'red_block', region: 'spot', yaw: [0, 0.1] }],
};

function probeTask(kind: string): TaskSpec {
  return {
    name: `press_${kind}`, scene: 'press_probe', type: 'pick_place', instruction: `pick up the ${kind}`,
    paraphrases: [], init: [], goal: ['Grasped', 'obj'], maxSteps: 10_000, objectsOfInterest: ['obj'],
  };
}

/** Grasp a block (or `kind`), lift it 10 cm, drive it down into the table at `speed` m/s, let go, watch. */
export async function pressHeldObject(speed: number, kind = 'red_block', seed = 1, forceLimit = true): Promise<PressResult> {
  const env = new Env({ forceLimit });
  const scene: SceneSpec = { ...probeScene, objects: [{ ...probeScene.objects[0], kind }] };
  const task = probeTask(kind);
  let { obs } = await env.reset({ seed, task, scene });
  const expert = new ExpertPolicy(env.privileged);
  expert.reset({ seed, step: 0, task, instruction: task.instruction, actionMode: 'delta_ee' });
  let grasped = false;
  for (let i = 0; i < 200 && !grasped; i++) {
    const r = env.step(expert.act(obs) as number[]);
    obs = r.obs;
    grasped = env.world.graspedObjects().has('obj');
  }
  if (!grasped) throw new Error(`press probe: the ${kind} was not grasped`);
  for (let i = 0; i < 5; i++) env.step([0, 0, 0, 0, 0, 0, 1]);
  for (let i = 0; i < 5; i++) env.step([0, 0, 0.4, 0, 0, 0, 1]);
  const res: PressResult = { worstDepth: 0, worstSpeed: 0, worstArmPenetration: 0, finalZ: 0, unstableSteps: 0 };
  let touched = false;
  const watch = (info: { health: { maxPenetration: number; unstable: string[] } }) => {
    const o = env.privileged.object('obj');
    res.worstDepth = Math.max(res.worstDepth, -o.pos[2]);
    if (env.world.contactsOf('obj').has('table')) touched = true;
    if (touched) res.worstSpeed = Math.max(res.worstSpeed, Math.hypot(...o.linvel));
    res.worstArmPenetration = Math.max(res.worstArmPenetration, info.health.maxPenetration);
    if (info.health.unstable.length) res.unstableSteps++;
  };
  // Down at `speed` (delta actions: 1.0 = 5 cm per 50 ms step = 1 m/s) until 1 s after first contact.
  const dz = -speed;
  let after = 0;
  for (let i = 0; i < 400 && after < 20; i++) {
    watch(env.step([0, 0, dz, 0, 0, 0, 1]).info);
    if (touched) after++;
  }
  // Let go while still pushing down, then hold still for 2 s.
  for (let i = 0; i < 10; i++) watch(env.step([0, 0, dz, 0, 0, 0, -1]).info);
  for (let i = 0; i < 40; i++) watch(env.step([0, 0, 0, 0, 0, 0, -1]).info);
  res.finalZ = env.privileged.object('obj').pos[2];
  env.close();
  return res;
}

/** Sweep the hand sideways into the kitchen cabinet's fixed shell at `speed` m/s; deepest hand penetration (m). */
export async function sweepIntoCabinet(speed: number, seed = 1, forceLimit = true): Promise<{ worstPenetration: number; part: string | null }> {
  const env = new Env({ forceLimit });
  const scene = findScene('kitchen');
  const task: TaskSpec = {
    name: 'sweep_probe', scene: 'kitchen', type: 'press_button', instruction: 'touch the cabinet',
    paraphrases: [], init: [], goal: ['Grasped', scene.objects[0].id], maxSteps: 10_000, objectsOfInterest: [],
  };
  await env.reset({ seed, task, scene });
  const cab = env.privileged.fixture('cabinet');
  // Move the TCP in front of the cabinet's side wall at mid height, then sweep towards it.
  const target = [cab.pos[0], cab.pos[1] - 0.35, 0.12];
  for (let i = 0; i < 60; i++) {
    const t = env.privileged.tcp().pos;
    const a = [0, 1, 2].map((k) => Math.max(-1, Math.min(1, (target[k] - t[k]) / 0.05)));
    env.step([...a, 0, 0, 0, -1]);
  }
  let worst = 0;
  let part: string | null = null;
  for (let i = 0; i < 40; i++) {
    const r = env.step([0, speed, 0, 0, 0, 0, -1]);
    if (r.info.health.maxPenetration > worst) {
      worst = r.info.health.maxPenetration;
      part = r.info.penetrations[0]?.part ?? part;
    }
  }
  env.close();
  return { worstPenetration: worst, part };
}

/**
 * Push a block sideways, fingertips low, into the kitchen cabinet's side wall and keep pushing for 2 s:
 * the block is wedged between the closed fingers and a fixed wall. Deepest arm penetration (m) and the
 * fastest unexplained object speed (m/s).
 */
export async function pushBlockIntoWall(speed: number, seed = 1, forceLimit = true, onStep?: (env: Env) => void): Promise<{ worstPenetration: number; worstExcessSpeed: number; blockY: number; wallY: number }> {
  const env = new Env({ forceLimit });
  const scene = findScene('kitchen');
  const task: TaskSpec = {
    name: 'wedge_probe', scene: 'kitchen', type: 'press_button', instruction: 'push the block into the wall',
    paraphrases: [], init: [], goal: ['Grasped', 'red_block'], maxSteps: 10_000, objectsOfInterest: [],
  };
  await env.reset({ seed, task, scene });
  const cab = env.privileged.fixture('cabinet');
  const wallY = cab.pos[1] - 0.18;
  const block = env.world.body('red_block');
  block.setTranslation({ x: cab.pos[0], y: wallY - 0.026, z: 0.0005 }, true);
  block.setRotation({ x: 0, y: 0, z: 0, w: 1 }, true);
  block.setLinvel({ x: 0, y: 0, z: 0 }, true);
  // Fingertips 2 cm above the table, 6 cm short of the block, gripper closed, the hand turned a quarter
  // turn so that the closed fingers (not the palm's wide side) lead.
  const target = [cab.pos[0], wallY - 0.052 - 0.06, 0.02];
  const yawOf = () => {
    const x = quatRotate(env.privileged.tcp().quat, [1, 0, 0]);
    return Math.atan2(x[1], x[0]);
  };
  const yawGoal = yawOf() + Math.PI / 2;
  for (let i = 0; i < 60; i++) {
    const t = env.privileged.tcp().pos;
    const a = [0, 1, 2].map((k) => Math.max(-1, Math.min(1, (target[k] - t[k]) / 0.05)));
    const dyaw = Math.atan2(Math.sin(yawGoal - yawOf()), Math.cos(yawGoal - yawOf()));
    env.step([...a, 0, 0, Math.max(-1, Math.min(1, dyaw / 0.5)), 1]);
  }
  let worstPenetration = 0, worstExcessSpeed = 0;
  for (let i = 0; i < 40 + Math.ceil(0.06 / (speed / 20)); i++) {
    const r = env.step([0, speed, 0, 0, 0, 0, 1]);
    onStep?.(env);
    worstPenetration = Math.max(worstPenetration, r.info.health.maxPenetration);
    worstExcessSpeed = Math.max(worstExcessSpeed, r.info.health.maxExcessSpeed);
  }
  const blockY = env.privileged.object('red_block').pos[1];
  env.close();
  return { worstPenetration, worstExcessSpeed, blockY, wallY };
}
