// Physics benchmark: steps/s of chaingap's world on the tabletop30 scene, of raw Rapier on exactly the
// same content, and of MuJoCo (mujoco-testspeed, when installed) on an MJCF export of it, in one run.
//
//   npm run bench:physics            (node --import tsx benchmarks/physics/run.ts)
//
// Human-readable progress goes to stderr; the last stdout line is the JSON document that is also
// written to benchmarks/results/physics.json (the document every benchmark writes: name, figures, ratios,
// env { node, cpu, cores }). See README.md here.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initRapier, RAPIER } from '../../sim/rapier.ts';
import { CONTACT_FREQUENCY, SimWorld } from '../../sim/world.ts';
import { GRIPPER } from '../../sim/robot.ts';
import { DT, SUBSTEPS, sweepJointTargets, tabletop30Scene } from './scene.ts';
import { describeWorld, summarize, type WorldDesc } from './describe.ts';
import { toMjcf } from './mjcf.ts';
import { RawRapierWorld, type InputTrack } from './raw-rapier.ts';
import { QUICK, median, pinToCpu, writeResult } from '../harness.ts';

type RWorld = InstanceType<typeof RAPIER.World>;
type RCollider = InstanceType<typeof RAPIER.Collider>;

const HERE = dirname(fileURLToPath(import.meta.url));
const RESULTS = resolve(HERE, '../results');
const ANCHOR = resolve(HERE, '../../../shared/anchors/mujoco/tabletop30.xml');

/** Timing plan. All variants walk the same step range: warm-up, then REPS timed repetitions of REP_STEPS. */
const WARMUP_STEPS = (QUICK ? 1 : 20) * 2 * SUBSTEPS; // 2 s of simulated time
// Short repetitions, many of them: the variants alternate often, so drifts of the machine's speed (shared
// VMs) hit them all alike, and the medians and per-round ratios rest on many samples.
const REP_STEPS = 25 * SUBSTEPS; // 1.25 s of simulated time per repetition
const REPS = QUICK ? 2 : 48;
const TOTAL_STEPS = WARMUP_STEPS + REPS * REP_STEPS;
/** MuJoCo: a testspeed run of this many steps after every eighth Rapier round (6 runs, median). */
const MUJOCO_STEPS = QUICK ? 500 : 10000;
const MUJOCO_EVERY = 8;
/** The anchor is timed once, with the protocol its published figure was measured with: `mujoco-testspeed FILE 20000 1 0.01`. */
const ANCHOR_STEPS = QUICK ? 1000 : 20000;
const CTRL_NOISE = '0.01';

const log = (msg: string): void => { process.stderr.write(`${msg}\n`); };
const round = (x: number, digits = 4): number => Number(x.toPrecision(digits));

// ---------------------------------------------------------------------------------------------
// Contact counting (Rapier): collider pairs whose manifolds hold at least one contact point.

interface ContactCount { pairs: number; points: number; robotPairs: number }

function countContacts(world: RWorld, robotColliders: Set<number>): ContactCount {
  let pairs = 0, points = 0, robotPairs = 0;
  world.forEachCollider((c: RCollider) => {
    world.contactPairsWith(c, (o: RCollider) => {
      if (o.handle <= c.handle) return; // each pair once
      let n = 0;
      world.contactPair(c, o, (m: InstanceType<typeof RAPIER.TempContactManifold>) => { n += m.numContacts(); });
      if (n > 0) {
        pairs++;
        points += n;
        if (robotColliders.has(c.handle) || robotColliders.has(o.handle)) robotPairs++;
      }
    });
  });
  return { pairs, points, robotPairs };
}

// ---------------------------------------------------------------------------------------------
// chaingap world: built from the scene, driven like the env drives it (a joint target per control step).

async function chaingapWorld(sleep: boolean, forceLimit = true): Promise<SimWorld> {
  return SimWorld.create(tabletop30Scene(), { sleep, substeps: SUBSTEPS, forceLimit });
}

/** Advance a chaingap world from physics step `from` by `n` steps along the joint targets. */
function stepChaingap(sw: SimWorld, targets: number[][], from: number, n: number): void {
  for (let s = from; s < from + n; s++) {
    if (s % SUBSTEPS === 0) sw.robot.setJointTarget(targets[s / SUBSTEPS]);
    sw.physicsStep();
  }
}

function describeChaingap(sw: SimWorld): WorldDesc {
  const names = new Map<number, string>();
  names.set(sw.robot.base.handle, 'robot_base');
  sw.robot.links.forEach((b, i) => names.set(b.handle, i < 7 ? `link${i + 1}` : 'hand'));
  names.set(sw.robot.fingers[0].handle, 'finger_left');
  names.set(sw.robot.fingers[1].handle, 'finger_right');
  for (const o of sw.objects.values()) names.set(o.handle, o.id);
  const fingers = new Set(sw.robot.fingers.map((f) => f.handle));
  const joints = new Set(sw.robot.joints.map((j) => j.handle));
  return describeWorld(sw.world, {
    contactNaturalFrequency: CONTACT_FREQUENCY,
    // Fingers never sleep in chaingap; objects follow the run's sleep policy.
    canSleep: (h) => (fingers.has(h) ? false : undefined),
    motor: (h) => (joints.has(h)
      ? { model: 'force', target: sw.robot.gripperTarget / 2, stiffness: GRIPPER.stiffness, damping: GRIPPER.damping }
      : undefined),
    bodyName: (h) => names.get(h) ?? (sw.world.getRigidBody(h).isFixed() ? 'table' : undefined),
  });
}

interface Recording {
  desc: WorldDesc;
  track: InputTrack;
  contacts: { pairs: number; points: number; robotPairs: number; pairsAtRest: number };
  /** Deepest penetration of the arm into the table over the run (m). */
  tablePenetration: number;
  objectsToppled: string[];
  objectsOffTable: string[];
}

/**
 * One untimed pass of chaingap's world over the whole step range: describes the world at step 0, records
 * the kinematic link poses and finger motor targets every step (the raw world's input track), counts
 * contacts every step, and checks the arm never goes into the table.
 */
async function record(targets: number[][]): Promise<Recording> {
  const sw = await chaingapWorld(false);
  const desc = describeChaingap(sw);
  const kinematic = desc.bodies.flatMap((b, i) => (b.type.startsWith('kinematic') ? [i] : []));
  const motorJoints = desc.joints.flatMap((j, i) => (j.motor ? [i] : []));
  const poses = new Float64Array(TOTAL_STEPS * kinematic.length * 7);
  const motorTargets = new Float64Array(TOTAL_STEPS * motorJoints.length);
  const solverIterations = new Uint8Array(TOTAL_STEPS);
  // Capture the motor targets chaingap sets (robot.ts computes them from the finger state each step).
  let step = 0;
  motorJoints.forEach((ji, k) => {
    const joint = sw.robot.joints.find((j) => j.handle === desc.joints[ji].handle)!;
    const configure = joint.configureMotorPosition.bind(joint);
    joint.configureMotorPosition = (target: number, stiffness: number, damping: number) => {
      motorTargets[step * motorJoints.length + k] = target;
      configure(target, stiffness, damping);
    };
  });
  const kinBodies = kinematic.map((i) => sw.world.getRigidBody(desc.bodies[i].handle));
  const robotColliders = new Set(sw.robot.colliders.map((c) => c.handle));
  let pairs = 0, points = 0, robotPairs = 0, pairsAtRest = 0, tablePenetration = 0;
  for (step = 0; step < TOTAL_STEPS; step++) {
    stepChaingap(sw, targets, step, 1);
    solverIterations[step] = sw.world.numSolverIterations;
    kinBodies.forEach((b, i) => {
      const p = b.translation(), r = b.rotation();
      poses.set([p.x, p.y, p.z, r.x, r.y, r.z, r.w], (step * kinematic.length + i) * 7);
    });
    const c = countContacts(sw.world, robotColliders);
    pairs += c.pairs;
    points += c.points;
    robotPairs += c.robotPairs;
    if (step === WARMUP_STEPS - 1) pairsAtRest = c.pairs;
    for (const p of sw.penetrations(0)) if (p.other === 'table') tablePenetration = Math.max(tablePenetration, p.depth);
  }
  const objectsToppled: string[] = [], objectsOffTable: string[] = [];
  for (const o of sw.objects.values()) {
    const { pos, quat } = sw.objectPose(o.id);
    // Upright: the object's z axis within 30 degrees of vertical.
    const zz = 1 - 2 * (quat[0] * quat[0] + quat[1] * quat[1]);
    if (zz < Math.cos(Math.PI / 6)) objectsToppled.push(o.id);
    if (pos[2] < -0.05) objectsOffTable.push(o.id);
  }
  sw.free();
  return {
    desc,
    track: { steps: TOTAL_STEPS, kinematic, poses, motorJoints, motorTargets, solverIterations },
    contacts: { pairs: pairs / TOTAL_STEPS, points: points / TOTAL_STEPS, robotPairs: robotPairs / TOTAL_STEPS, pairsAtRest },
    tablePenetration,
    objectsToppled,
    objectsOffTable,
  };
}

// ---------------------------------------------------------------------------------------------
// MuJoCo

interface MujocoRun { stepsPerS: number; contacts: number | null; constraints: number | null }

function hasTestspeed(): boolean {
  const r = spawnSync('mujoco-testspeed', [], { encoding: 'utf8', cwd: tmpdir() });
  return !r.error;
}

function testspeed(file: string, steps: number): MujocoRun {
  // cwd: MuJoCo appends warnings to MUJOCO_LOG.TXT in its working directory; keep that out of the repo.
  const r = spawnSync('mujoco-testspeed', [file, String(steps), '1', CTRL_NOISE], { encoding: 'utf8', cwd: tmpdir() });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  const num = (re: RegExp): number | null => {
    const m = re.exec(out);
    return m ? Number(m[1]) : null;
  };
  const stepsPerS = num(/Steps per second\s*:\s*([\d.]+)/);
  if (r.status !== 0 || stepsPerS === null) throw new Error(`mujoco-testspeed ${file} failed (status ${r.status}):\n${out}`);
  if (/WARNING/.test(out)) log(`  mujoco-testspeed warned: ${out.split('\n').filter((l) => /WARNING/.test(l)).join(' | ')}`);
  return {
    stepsPerS,
    contacts: num(/Contacts per step\s*:\s*([\d.]+)/),
    constraints: num(/Constraints per step\s*:\s*([\d.]+)/),
  };
}

function mujocoVersion(): string | null {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Version}', 'libmujoco-samples'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout ? r.stdout.trim() : null;
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  // Every engine on the same CPU: this process and every thread it has, and (inheriting the affinity)
  // each mujoco-testspeed child. The virtual CPUs of a shared host need not run this work equally fast
  // (2026-12-05: one thread of tabletop30 ran 6,617-6,653 steps/s pinned to CPU 0 and 4,926-4,963 pinned
  // to CPU 1 while an arithmetic loop ran as fast on both), and an unpinned MuJoCo child may run on the
  // other CPU than the Rapier loop did, which would skew vs_mujoco by as much. `--no-pin` to leave it.
  const notPinned = process.argv.includes('--no-pin') ? 'run with --no-pin' : pinToCpu(0);
  if (notPinned) log(`  not pinned to one CPU: ${notPinned}`);
  await initRapier();
  mkdirSync(RESULTS, { recursive: true });
  const t0 = performance.now();

  const targets = sweepJointTargets(TOTAL_STEPS / SUBSTEPS);
  log(`physics benchmark: tabletop30, dt = 1/${Math.round(1 / DT)} s, ${WARMUP_STEPS} warm-up steps, ` +
    `${REPS} x ${REP_STEPS} timed steps per variant`);

  log('recording chaingap run (untimed): input track for raw Rapier, contact counts, checks ...');
  const rec = await record(targets);
  log(`  world: ${summarize(rec.desc)}`);
  log(`  contacts/step (Rapier): ${rec.contacts.pairs.toFixed(1)} pairs (${rec.contacts.pairsAtRest} at rest after warm-up), ` +
    `${rec.contacts.points.toFixed(1)} points; arm pairs ${rec.contacts.robotPairs.toFixed(2)}/step`);
  log(`  arm into table: ${(rec.tablePenetration * 1000).toFixed(2)} mm max; after the sweep toppled: ` +
    `${rec.objectsToppled.join(', ') || 'none'}; off the table: ${rec.objectsOffTable.join(', ') || 'none'}`);

  const mjcf = toMjcf(rec.desc, { model: 'chaingap_tabletop30' });
  const mjcfPath = join(RESULTS, 'physics-tabletop30.xml');
  writeFileSync(mjcfPath, mjcf.xml);
  log(`  MJCF export: ${mjcfPath} (${JSON.stringify(mjcf.stats)})`);
  const mujoco = hasTestspeed();
  if (!mujoco) log('  mujoco-testspeed not on PATH (Debian: apt-get install libmujoco-samples): MuJoCo figures are null');

  // The timed worlds. chaingap's two are built by SimWorld; the raw ones from the description.
  const cg = await chaingapWorld(false);
  const cgSleep = await chaingapWorld(true);
  // The same world with the unstoppable kinematic arm of earlier versions: what the force limit costs.
  const cgFree = await chaingapWorld(false, false);
  const raw = new RawRapierWorld(rec.desc, { sleep: false });
  raw.setTrack(rec.track);
  const rawStatic = new RawRapierWorld(rec.desc, { sleep: false }); // arm parked: no input track

  interface Variant { name: string; run: (from: number, n: number) => void; rates: number[] }
  const variants: Variant[] = [
    { name: 'chaingap', run: (from, n) => stepChaingap(cg, targets, from, n), rates: [] },
    { name: 'raw_rapier', run: (_from, n) => { for (let i = 0; i < n; i++) raw.stepTracked(); }, rates: [] },
    { name: 'chaingap_sleep', run: (from, n) => stepChaingap(cgSleep, targets, from, n), rates: [] },
    { name: 'raw_rapier_static_arm', run: (_from, n) => { for (let i = 0; i < n; i++) rawStatic.world.step(); }, rates: [] },
    { name: 'chaingap_no_force_limit', run: (from, n) => stepChaingap(cgFree, targets, from, n), rates: [] },
  ];
  log('warm-up ...');
  for (const v of variants) v.run(0, WARMUP_STEPS);

  const mj: MujocoRun[] = [];
  let sleepingSum = 0;
  const sleepingObjects = () => [...cgSleep.objects.values()].filter((o) => cgSleep.world.getRigidBody(o.handle).isSleeping()).length;
  for (let r = 0; r < REPS; r++) {
    const from = WARMUP_STEPS + r * REP_STEPS;
    // Rotate the order every round so no variant always runs first (or right after MuJoCo).
    for (let k = 0; k < variants.length; k++) {
      const v = variants[(r + k) % variants.length];
      const t = performance.now();
      v.run(from, REP_STEPS);
      v.rates.push(REP_STEPS / ((performance.now() - t) / 1000));
    }
    sleepingSum += sleepingObjects();
    if ((r + 1) % 4 === 0) {
      const last = (v: Variant) => median(v.rates.slice(-4)).toFixed(0);
      log(`  reps ${r - 2}-${r + 1}/${REPS} (median): ${variants.map((v) => `${v.name} ${last(v)}`).join(', ')} steps/s`);
    }
    if (mujoco && (r + 1) % MUJOCO_EVERY === 0) {
      const m = testspeed(mjcfPath, MUJOCO_STEPS);
      mj.push(m);
      log(`  mujoco-testspeed (${MUJOCO_STEPS} steps): ${m.stepsPerS} steps/s, ${m.contacts} contacts/step`);
    }
  }

  // Fidelity check: chaingap's world and the raw world replaying its inputs should be in the same state.
  let maxDiff = 0;
  rec.desc.bodies.forEach((b, i) => {
    const p1 = cg.world.getRigidBody(b.handle).translation(), p2 = raw.bodies[i].translation();
    maxDiff = Math.max(maxDiff, Math.hypot(p1.x - p2.x, p1.y - p2.y, p1.z - p2.z));
  });
  log(`  raw vs chaingap after ${TOTAL_STEPS} steps: max body position difference ${maxDiff.toExponential(2)} m`);
  for (const w of [cg, cgSleep, cgFree]) w.free();
  for (const w of [raw, rawStatic]) w.free();

  let anchor: MujocoRun | null = null;
  if (mujoco && existsSync(ANCHOR)) {
    anchor = testspeed(ANCHOR, ANCHOR_STEPS);
    log(`  anchor ${ANCHOR} (${ANCHOR_STEPS} steps): ${anchor.stepsPerS} steps/s, ${anchor.contacts} contacts/step`);
  }

  const variant = (name: string): Variant => variants.find((v) => v.name === name)!;
  const rate = (name: string): number => median(variant(name).rates);
  const windowRate = (name: string): number => (REPS * REP_STEPS) / variant(name).rates.reduce((t, x) => t + REP_STEPS / x, 0);
  const chaingap = rate('chaingap');
  const rawRate = rate('raw_rapier');
  const mujocoRate = mj.length ? median(mj.map((m) => m.stepsPerS)) : null;
  const mujocoContacts = mj.length && mj.every((m) => m.contacts !== null) ? median(mj.map((m) => m.contacts!)) : null;
  // Paired ratio per round (same step range, same round): robust to drift of the machine's speed.
  const paired = median(variants[1].rates.map((x, i) => x / variants[0].rates[i]));
  const freeRates = variant('chaingap_no_force_limit').rates;
  const forceLimitPaired = median(freeRates.map((x, i) => x / variants[0].rates[i]));

  const doc = {
    name: 'physics',
    figures: {
      chaingap_steps_per_s: round(chaingap),
      raw_rapier_steps_per_s: round(rawRate),
      mujoco_steps_per_s: mujocoRate === null ? null : round(mujocoRate),
      // Bimodal (objects fall asleep part-way through), so not a median: the whole timed window's rate.
      chaingap_sleep_steps_per_s: round(windowRate('chaingap_sleep')),
      chaingap_sleep_steps_per_s_first_rep: round(variant('chaingap_sleep').rates[0]),
      chaingap_sleep_steps_per_s_last_rep: round(variant('chaingap_sleep').rates[REPS - 1]),
      raw_rapier_static_arm_steps_per_s: round(rate('raw_rapier_static_arm')),
      chaingap_no_force_limit_steps_per_s: round(rate('chaingap_no_force_limit')),
      contacts_per_step_rapier: round(rec.contacts.pairs, 3),
      contact_points_per_step_rapier: round(rec.contacts.points, 3),
      arm_contact_pairs_per_step_rapier: round(rec.contacts.robotPairs, 3),
      ...(mujocoContacts === null ? {} : { contacts_per_step_mujoco: mujocoContacts }),
      ...(mj.length && mj[0].constraints !== null ? { constraints_per_step_mujoco: median(mj.map((m) => m.constraints!)) } : {}),
      mujoco_anchor_steps_per_s: anchor?.stepsPerS ?? null,
      mujoco_anchor_contacts_per_step: anchor?.contacts ?? null,
      sleeping_objects_mean: round(sleepingSum / REPS, 3),
      objects: rec.desc.bodies.filter((b, i) => b.type === 'dynamic' && !rec.desc.joints.some((j) => j.body2 === i)).length,
      dt: DT,
      timed_steps_per_variant: REPS * REP_STEPS,
      reps: REPS,
      mujoco_runs: mj.length,
      mujoco_steps_per_run: MUJOCO_STEPS,
      arm_table_penetration_m: round(rec.tablePenetration, 3),
      raw_vs_chaingap_max_pos_diff_m: maxDiff,
    },
    ratios: {
      vs_mujoco: mujocoRate === null ? null : round(chaingap / mujocoRate),
      overhead_vs_raw_rapier: round(rawRate / chaingap),
      overhead_vs_raw_rapier_paired: round(paired),
      sleep_speedup: round(windowRate('chaingap_sleep') / chaingap),
      // Steps/s without the force limit over steps/s with it (1.0 = free; the budget is 1.15).
      force_limit_cost: round(rate('chaingap_no_force_limit') / chaingap),
      force_limit_cost_paired: round(forceLimitPaired),
    },
    setup: { pinned_cpu: notPinned ? null : 0, not_pinned_because: notPinned },
    env: {
      node: process.version,
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      rapier: RAPIER.version(),
      mujoco: mujoco ? mujocoVersion() : null,
    },
  };
  log(`done in ${((performance.now() - t0) / 1000).toFixed(1)} s: chaingap ${doc.figures.chaingap_steps_per_s}, ` +
    `raw Rapier ${doc.figures.raw_rapier_steps_per_s}, MuJoCo ${doc.figures.mujoco_steps_per_s} steps/s; ` +
    `overhead ${doc.ratios.overhead_vs_raw_rapier}, vs MuJoCo ${doc.ratios.vs_mujoco}`);
  const json = JSON.stringify(doc);
  writeResult('physics', doc);
  process.stdout.write(`${json}\n`);
}

main().catch((e: unknown) => {
  log(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exit(1);
});
