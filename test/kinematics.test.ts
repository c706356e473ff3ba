import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import {
  PANDA_DH,
  PANDA_FLANGE_D,
  PANDA_LOWER,
  PANDA_READY,
  PANDA_TCP_OFFSET,
  PANDA_UPPER,
  PANDA_VEL_LIMIT,
  fk,
  jacobian,
  linkFrames,
  quatAngle,
  quatConj,
  quatFromAxisAngle,
  quatMul,
  quatRotate,
  quatRotationError,
  quatToAxisAngle,
  solveIk,
  withinLimits,
  type Pose,
} from '../sim/kinematics.ts';

const DEG = Math.PI / 180;

function randomConfig(rng: () => number): number[] {
  const q: number[] = [];
  for (let i = 0; i < 7; i++) q.push(PANDA_LOWER[i] + rng() * (PANDA_UPPER[i] - PANDA_LOWER[i]));
  return q;
}

/** True when q is inside the limits exactly (no tolerance: the solver clamps every iterate). */
function insideLimits(q: readonly number[]): boolean {
  return q.length === 7 && q.every((v, i) => v >= PANDA_LOWER[i] && v <= PANDA_UPPER[i]);
}

describe('constants', () => {
  it('has 7 joints plus the flange row and consistent limits', () => {
    expect(PANDA_DH).toHaveLength(8);
    expect(PANDA_LOWER).toHaveLength(7);
    expect(PANDA_UPPER).toHaveLength(7);
    expect(PANDA_VEL_LIMIT).toHaveLength(7);
    for (let i = 0; i < 7; i++) expect(PANDA_LOWER[i]).toBeLessThan(PANDA_UPPER[i]);
    expect(withinLimits(PANDA_READY)).toBe(true);
    expect(PANDA_TCP_OFFSET).toBe(0.1034);
    expect(PANDA_FLANGE_D).toBe(0.107);
  });
});

describe('forward kinematics', () => {
  it('puts the TCP of the ready pose where the DH table says, pointing straight down', () => {
    // By hand: with q1 = q3 = q5 = 0 the arm lies in the x-z plane. Joint 2 (-pi/4) leans the
    // 0.316 m upper arm back: frame 3 at (-0.316 s, 0, 0.333 + 0.316 s), s = sin(pi/4) = cos(pi/4).
    // Joint 4 (-3pi/4) turns the 0.0825 offset to (+0.0825 s, 0, +0.0825 s) and the forearm
    // horizontal: frame 5 = frame 4 + (0.384, 0, 0.0825). Joint 6 (pi/2) points link 7 down after
    // the 0.088 offset along +x; flange 0.107 and TCP 0.1034 further down. So
    //   x = 0.384 + 0.088 - (0.316 - 0.0825) s = 0.472 - 0.2335 s
    //   z = 0.333 + 0.0825 - 0.107 - 0.1034 + (0.316 + 0.0825) s = 0.2051 + 0.3985 s
    const s = Math.SQRT1_2;
    const exact = fk([0, -Math.PI / 4, 0, (-3 * Math.PI) / 4, 0, Math.PI / 2, Math.PI / 4]);
    expect(exact.pos[0]).toBeCloseTo(0.472 - 0.2335 * s, 12);
    expect(Math.abs(exact.pos[1])).toBeLessThan(1e-12);
    expect(exact.pos[2]).toBeCloseTo(0.2051 + 0.3985 * s, 12);

    // PANDA_READY uses 6-decimal angles; the same chain evaluated independently (numpy, 4x4
    // matrices) gives x = 0.3068905857, z = 0.4868822048 (0.5e-6 from the exact-angle values).
    const tcp = fk(PANDA_READY);
    expect(Math.abs(tcp.pos[0] - 0.3068905857)).toBeLessThan(1e-6);
    expect(Math.abs(tcp.pos[1])).toBeLessThan(1e-6);
    expect(Math.abs(tcp.pos[2] - 0.4868822048)).toBeLessThan(1e-6);
    expect(Math.abs(tcp.pos[0] - 0.3069)).toBeLessThan(1e-4);
    expect(Math.abs(tcp.pos[2] - 0.4869)).toBeLessThan(1e-4);

    // Hand axes in the ready pose: z straight down, x along world +x, y along world -y.
    const z = quatRotate(tcp.quat, [0, 0, 1]);
    const x = quatRotate(tcp.quat, [1, 0, 0]);
    const y = quatRotate(tcp.quat, [0, 1, 0]);
    for (const [v, ref] of [[z, [0, 0, -1]], [x, [1, 0, 0]], [y, [0, -1, 0]]] as const) {
      for (let k = 0; k < 3; k++) expect(Math.abs(v[k] - ref[k])).toBeLessThan(1e-6);
    }
  });

  it('returns 9 frames: links 1..7, hand, TCP, chained as documented', () => {
    const rng = seedrandom('chaingap-kinematics-frames');
    for (let n = 0; n < 5; n++) {
      const q = randomConfig(rng);
      const frames = linkFrames(q);
      expect(frames).toHaveLength(9);
      const tcp = fk(q);
      const [hand, tcpFrame, link7, link1] = [frames[7], frames[8], frames[6], frames[0]];
      // Link 1 is the base rotated by q1 about z, at height 0.333.
      expect(link1.pos[2]).toBeCloseTo(0.333, 12);
      expect(quatAngle(link1.quat, quatFromAxisAngle([0, 0, 1], q[0]))).toBeLessThan(1e-9);
      // TCP = fk; TCP = hand + 0.1034 along hand z; hand = link 7 + 0.107 along z, yawed -pi/4.
      expect(quatAngle(tcpFrame.quat, tcp.quat)).toBeLessThan(1e-12);
      const hz = quatRotate(hand.quat, [0, 0, PANDA_TCP_OFFSET]);
      const lz = quatRotate(link7.quat, [0, 0, PANDA_FLANGE_D]);
      for (let k = 0; k < 3; k++) {
        expect(tcpFrame.pos[k]).toBeCloseTo(tcp.pos[k], 12);
        expect(tcp.pos[k]).toBeCloseTo(hand.pos[k] + hz[k], 12);
        expect(hand.pos[k]).toBeCloseTo(link7.pos[k] + lz[k], 12);
      }
      const handFromLink7 = quatMul(quatConj(link7.quat), hand.quat);
      expect(quatAngle(handFromLink7, quatFromAxisAngle([0, 0, 1], -Math.PI / 4))).toBeLessThan(1e-9);
      for (const f of frames) expect(Math.hypot(...f.quat)).toBeCloseTo(1, 12);
    }
  });
});

describe('quaternion helpers', () => {
  it('round-trips axis-angle and measures rotation error in the world frame', () => {
    const q = quatFromAxisAngle([1, 2, 2], 0.7);
    const { axis, angle } = quatToAxisAngle(q);
    expect(angle).toBeCloseTo(0.7, 12);
    expect(axis[0]).toBeCloseTo(1 / 3, 12);
    expect(axis[2]).toBeCloseTo(2 / 3, 12);
    const r = quatFromAxisAngle([0, 0, 1], 0.3);
    const target = quatMul(r, q); // world-frame rotation r applied after q
    const e = quatRotationError(target, q);
    expect(e[0]).toBeCloseTo(0, 12);
    expect(e[1]).toBeCloseTo(0, 12);
    expect(e[2]).toBeCloseTo(0.3, 12);
    const v = quatRotate(quatFromAxisAngle([0, 0, 1], Math.PI / 2), [1, 0, 0]);
    expect(v[0]).toBeCloseTo(0, 12);
    expect(v[1]).toBeCloseTo(1, 12);
  });
});

describe('jacobian', () => {
  it('matches central finite differences of fk at 20 random configurations', () => {
    const rng = seedrandom('chaingap-kinematics-jacobian');
    const h = 1e-6;
    const J = new Float64Array(42);
    let worst = 0;
    for (let n = 0; n < 20; n++) {
      const q = randomConfig(rng);
      jacobian(q, J);
      for (let i = 0; i < 7; i++) {
        const qp = q.slice();
        const qm = q.slice();
        qp[i] += h;
        qm[i] -= h;
        const a = fk(qp);
        const b = fk(qm);
        const w = quatRotationError(a.quat, b.quat); // world-frame angular displacement
        const col = [
          (a.pos[0] - b.pos[0]) / (2 * h),
          (a.pos[1] - b.pos[1]) / (2 * h),
          (a.pos[2] - b.pos[2]) / (2 * h),
          w[0] / (2 * h),
          w[1] / (2 * h),
          w[2] / (2 * h),
        ];
        for (let r = 0; r < 6; r++) worst = Math.max(worst, Math.abs(J[r * 7 + i] - col[r]));
      }
    }
    expect(worst).toBeLessThan(1e-5);
  });
});

describe('inverse kinematics', () => {
  it('reaches 50 random reachable poses from PANDA_READY within 5 mm / 2 deg, never leaving the limits', () => {
    // Targets are fk of seeded random configurations within the limits, so every one is reachable.
    // Each is first solved from PANDA_READY (the hard, honest case). solveIk is local: a target whose
    // solution lies in another elbow/wrist branch than READY's (typically past a joint limit the
    // gradient runs into, e.g. joint 7 turning the short way) can stop in a local minimum. Those are
    // retried from up to 20 seeded random starts, keeping the best result; the log reports how many
    // needed it.
    const rng = seedrandom('chaingap-kinematics-ik50');
    const startRng = seedrandom('chaingap-kinematics-ik50-restarts');
    const N = 50;
    let worstPos = 0;
    let worstRot = 0;
    let firstTryConverged = 0;
    let firstTryIters = 0;
    let totalIters = 0;
    let retried = 0;
    let maxRetries = 0;
    const t0 = performance.now();
    for (let n = 0; n < N; n++) {
      const target: Pose = fk(randomConfig(rng));
      let best = solveIk(target, PANDA_READY);
      expect(insideLimits(best.q)).toBe(true);
      firstTryIters += best.iters;
      totalIters += best.iters;
      if (best.converged) firstTryConverged++;
      let tries = 0;
      while (!best.converged && tries < 20) {
        tries++;
        const r = solveIk(target, randomConfig(startRng));
        expect(insideLimits(r.q)).toBe(true);
        totalIters += r.iters;
        if (r.converged || r.posErr + 0.1 * r.rotErr < best.posErr + 0.1 * best.rotErr) best = r;
      }
      if (tries > 0) retried++;
      maxRetries = Math.max(maxRetries, tries);
      // Independent check of the result with fk (not the solver's own numbers).
      const reached = fk(best.q);
      const posErr = Math.hypot(
        reached.pos[0] - target.pos[0],
        reached.pos[1] - target.pos[1],
        reached.pos[2] - target.pos[2],
      );
      const rotErr = quatAngle(reached.quat, target.quat);
      expect(posErr).toBeLessThan(0.005);
      expect(rotErr).toBeLessThan(2 * DEG);
      worstPos = Math.max(worstPos, posErr);
      worstRot = Math.max(worstRot, rotErr);
    }
    const ms = performance.now() - t0;
    console.log(
      `[kinematics] IK 50 random reachable poses: worst pos err ${(worstPos * 1000).toFixed(4)} mm, ` +
        `worst rot err ${(worstRot / DEG).toFixed(4)} deg; converged from PANDA_READY ${firstTryConverged}/${N} ` +
        `(mean ${(firstTryIters / N).toFixed(1)} iters on that first try); ${retried} needed seeded restarts ` +
        `(max ${maxRetries}); mean ${(totalIters / N).toFixed(1)} iters per pose incl. restarts; ` +
        `${(ms / N).toFixed(3)} ms per pose`,
    );
  });

  it('tracks a 30 cm straight line down and across in 1 cm steps, each step from the previous q', () => {
    const q0 = [...PANDA_READY];
    const start = fk(q0);
    const dir = [2 / 3, 2 / 3, -1 / 3]; // unit; 30 cm of it = (+0.2, +0.2, -0.1) m
    let q: number[] = q0;
    let worstPos = 0;
    let iters = 0;
    let solveMs = 0;
    for (let k = 1; k <= 30; k++) {
      const target: Pose = {
        pos: [start.pos[0] + 0.01 * k * dir[0], start.pos[1] + 0.01 * k * dir[1], start.pos[2] + 0.01 * k * dir[2]],
        quat: start.quat,
      };
      const t0 = performance.now();
      const r = solveIk(target, q);
      solveMs += performance.now() - t0;
      expect(r.converged).toBe(true);
      expect(insideLimits(r.q)).toBe(true);
      const reached = fk(r.q);
      const posErr = Math.hypot(
        reached.pos[0] - target.pos[0],
        reached.pos[1] - target.pos[1],
        reached.pos[2] - target.pos[2],
      );
      expect(posErr).toBeLessThan(1e-3);
      expect(quatAngle(reached.quat, target.quat)).toBeLessThan(1e-3 + 1e-9);
      // A 1 cm step must not make the arm jump to another branch.
      for (let i = 0; i < 7; i++) expect(Math.abs(r.q[i] - q[i])).toBeLessThan(0.2);
      worstPos = Math.max(worstPos, posErr);
      iters += r.iters;
      q = r.q;
    }
    const us = (solveMs / 30) * 1000;
    console.log(
      `[kinematics] tracking 30 x 1 cm: worst pos err ${(worstPos * 1000).toFixed(4)} mm, ` +
        `mean ${(iters / 30).toFixed(2)} iters, ${us.toFixed(1)} us per solveIk call (cold JIT)`,
    );
  });

  it('clamps an out-of-range start and an unreachable target into the limits', () => {
    const q0 = PANDA_READY.map((v, i) => (i === 3 ? 0.5 : v)); // joint 4 above its upper limit
    const far = solveIk({ pos: [2, 0, 0.5], quat: [1, 0, 0, 0] }, q0, { maxIters: 50 });
    expect(far.converged).toBe(false);
    expect(insideLimits(far.q)).toBe(true);
    expect(far.iters).toBeLessThanOrEqual(50);
    // Already there: zero iterations.
    const here = solveIk(fk(PANDA_READY), PANDA_READY);
    expect(here.converged).toBe(true);
    expect(here.iters).toBe(0);
  });
});
