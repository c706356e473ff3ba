// Franka Emika Panda kinematics from the published modified (Craig) DH parameters.
//
// Pure math: no dependencies, no randomness, only arithmetic and Math.* functions. The hot paths
// (fk, jacobian, solveIk) work in preallocated module-level scratch buffers; they allocate only the
// values they return. Everything here is single-threaded JS, so sharing the scratch is safe.
//
// Conventions: the robot base frame is the world frame (z up). Quaternions are [x, y, z, w].
// Poses are { pos: [x, y, z], quat: [x, y, z, w] }. Angles are radians, lengths metres.
//
// Frame chain (Craig): T_{i-1,i} = RotX(alpha_{i-1}) * TransX(a_{i-1}) * RotZ(theta_i) * TransZ(d_i).
// Joint i rotates about the z axis of link frame i. After link 7 come the flange (d = 0.107),
// the hand frame (flange rotated by -pi/4 about its z) and the TCP (hand + 0.1034 m along hand z,
// the point between the fingertip pads).

type Vec3 = [number, number, number];
type Quat = [number, number, number, number];

/** A rigid pose in the world (= robot base) frame. */
export interface Pose {
  pos: Vec3;
  /** Unit quaternion [x, y, z, w]. */
  quat: Quat;
}

/** One row of the modified DH table: a_{i-1}, d_i, alpha_{i-1} (theta_i is the joint variable). */
export interface DhRow {
  a: number;
  d: number;
  alpha: number;
}

const HALF_PI = Math.PI / 2;

/** Modified (Craig) DH rows for joints 1..7 followed by the flange (theta fixed at 0). */
export const PANDA_DH: readonly Readonly<DhRow>[] = Object.freeze(
  [
    { a: 0, d: 0.333, alpha: 0 },
    { a: 0, d: 0, alpha: -HALF_PI },
    { a: 0, d: 0.316, alpha: HALF_PI },
    { a: 0.0825, d: 0, alpha: HALF_PI },
    { a: -0.0825, d: 0.384, alpha: -HALF_PI },
    { a: 0, d: 0, alpha: HALF_PI },
    { a: 0.088, d: 0, alpha: HALF_PI },
    { a: 0, d: 0.107, alpha: 0 },
  ].map((row) => Object.freeze(row)),
);

/** Number of actuated joints. */
export const PANDA_DOF = 7;
/** Lower joint limits (rad). */
export const PANDA_LOWER: readonly number[] = Object.freeze([-2.8973, -1.7628, -2.8973, -3.0718, -2.8973, -0.0175, -2.8973]);
/** Upper joint limits (rad). */
export const PANDA_UPPER: readonly number[] = Object.freeze([2.8973, 1.7628, 2.8973, -0.0698, 2.8973, 3.7525, 2.8973]);
/** Joint velocity limits (rad/s). */
export const PANDA_VEL_LIMIT: readonly number[] = Object.freeze([2.175, 2.175, 2.175, 2.175, 2.61, 2.61, 2.61]);
/** Ready pose: TCP points straight down at about x = 0.3069, y = 0, z = 0.4869. */
export const PANDA_READY: readonly number[] = Object.freeze([0, -0.785398, 0, -2.356194, 0, 1.570796, 0.785398]);
/** Distance from the hand frame to the TCP along hand z (m). */
export const PANDA_TCP_OFFSET = 0.1034;
/** Distance from link frame 7 to the flange along link-7 z (m). */
export const PANDA_FLANGE_D = 0.107;
/** Rotation of the hand frame about the flange z axis (rad). */
export const PANDA_HAND_YAW = -Math.PI / 4;
/** Number of frames returned by linkFrames: links 1..7, hand, TCP. */
export const PANDA_NUM_FRAMES = 9;
/** Index of the hand frame in linkFrames(). */
export const HAND_FRAME = 7;
/** Index of the TCP frame in linkFrames(). */
export const TCP_FRAME = 8;

// ---------------------------------------------------------------------------------------------
// Quaternion helpers ([x, y, z, w])
// ---------------------------------------------------------------------------------------------

/** Hamilton product a * b (apply b first, then a). */
export function quatMul(a: ArrayLike<number>, b: ArrayLike<number>): Quat {
  const ax = a[0], ay = a[1], az = a[2], aw = a[3];
  const bx = b[0], by = b[1], bz = b[2], bw = b[3];
  return [
    aw * bx + ax * bw + ay * bz - az * by,
    aw * by - ax * bz + ay * bw + az * bx,
    aw * bz + ax * by - ay * bx + az * bw,
    aw * bw - ax * bx - ay * by - az * bz,
  ];
}

/** Conjugate (= inverse for a unit quaternion). */
export function quatConj(q: ArrayLike<number>): Quat {
  return [-q[0], -q[1], -q[2], q[3]];
}

/** Unit-length copy of q (identity for a zero quaternion). */
export function quatNormalize(q: ArrayLike<number>): Quat {
  const n = Math.hypot(q[0], q[1], q[2], q[3]);
  if (n === 0) return [0, 0, 0, 1];
  return [q[0] / n, q[1] / n, q[2] / n, q[3] / n];
}

/** Rotation of `angle` rad about `axis` (need not be unit; a zero axis gives the identity). */
export function quatFromAxisAngle(axis: ArrayLike<number>, angle: number): Quat {
  const n = Math.hypot(axis[0], axis[1], axis[2]);
  if (n === 0) return [0, 0, 0, 1];
  const s = Math.sin(angle / 2) / n;
  return [axis[0] * s, axis[1] * s, axis[2] * s, Math.cos(angle / 2)];
}

/**
 * Rotation vector (axis * angle, angle in [0, pi]) of a unit quaternion: the log map, taking the
 * shorter of q and -q. Exact near the identity (no acos).
 */
export function quatToRotVec(q: ArrayLike<number>): Vec3 {
  let x = q[0], y = q[1], z = q[2], w = q[3];
  if (w < 0) { x = -x; y = -y; z = -z; w = -w; }
  const s = Math.hypot(x, y, z);
  if (s < 1e-12) return [2 * x, 2 * y, 2 * z];
  const k = (2 * Math.atan2(s, w)) / s;
  return [x * k, y * k, z * k];
}

/** Axis (unit; [1,0,0] for the identity) and angle in [0, pi] of a unit quaternion. */
export function quatToAxisAngle(q: ArrayLike<number>): { axis: Vec3; angle: number } {
  let x = q[0], y = q[1], z = q[2], w = q[3];
  if (w < 0) { x = -x; y = -y; z = -z; w = -w; }
  const s = Math.hypot(x, y, z);
  if (s < 1e-12) return { axis: [1, 0, 0], angle: 0 };
  return { axis: [x / s, y / s, z / s], angle: 2 * Math.atan2(s, w) };
}

/** Rotation vector taking `current` to `target` in the world frame: log(target * current^-1). */
export function quatRotationError(target: ArrayLike<number>, current: ArrayLike<number>): Vec3 {
  return quatToRotVec(quatMul(target, quatConj(current)));
}

/** Angle (rad, in [0, pi]) between two orientations. */
export function quatAngle(a: ArrayLike<number>, b: ArrayLike<number>): number {
  // 2*atan2(|vec(a^-1 b)|, |w(a^-1 b)|) is accurate near 0, where 2*acos(dot) is not.
  const r = quatMul(quatConj(a), b);
  return 2 * Math.atan2(Math.hypot(r[0], r[1], r[2]), Math.abs(r[3]));
}

/** Rotate vector v by unit quaternion q (q v q^-1). */
export function quatRotate(q: ArrayLike<number>, v: ArrayLike<number>): Vec3 {
  const x = q[0], y = q[1], z = q[2], w = q[3];
  const vx = v[0], vy = v[1], vz = v[2];
  // t = 2 * (q.xyz x v); v' = v + w t + q.xyz x t
  const tx = 2 * (y * vz - z * vy);
  const ty = 2 * (z * vx - x * vz);
  const tz = 2 * (x * vy - y * vx);
  return [vx + w * tx + (y * tz - z * ty), vy + w * ty + (z * tx - x * tz), vz + w * tz + (x * ty - y * tx)];
}

/** Row-major 3x3 rotation matrix of a unit quaternion, written into out (offset 0, 9 values). */
export function mat3FromQuat(q: ArrayLike<number>, out: Float64Array = new Float64Array(9)): Float64Array {
  const x = q[0], y = q[1], z = q[2], w = q[3];
  const xx = x * x, yy = y * y, zz = z * z, xy = x * y, xz = x * z, yz = y * z, wx = w * x, wy = w * y, wz = w * z;
  out[0] = 1 - 2 * (yy + zz); out[1] = 2 * (xy - wz); out[2] = 2 * (xz + wy);
  out[3] = 2 * (xy + wz); out[4] = 1 - 2 * (xx + zz); out[5] = 2 * (yz - wx);
  out[6] = 2 * (xz - wy); out[7] = 2 * (yz + wx); out[8] = 1 - 2 * (xx + yy);
  return out;
}

const QUAT_SCRATCH = new Float64Array(4);

/**
 * Unit quaternion of a rotation matrix given as 3 rows with stride `rowStride` starting at `o`
 * (stride 3 for a packed 3x3, 4 for a 3x4 transform). Shepperd's method; w >= 0.
 */
export function quatFromMat(m: ArrayLike<number>, o = 0, rowStride = 3): Quat {
  const q = matToQuatInto(QUAT_SCRATCH, m, o, rowStride);
  const n = Math.hypot(q[0], q[1], q[2], q[3]);
  return [q[0] / n, q[1] / n, q[2] / n, q[3] / n];
}


/**
 * Shepperd's method without allocation: writes the (unnormalised, w >= 0) quaternion [x, y, z, w]
 * of the rotation matrix in `m` (rows with stride `rowStride` from `o`) into `out`.
 */
function matToQuatInto(out: Float64Array, m: ArrayLike<number>, o: number, rowStride: number): Float64Array {
  const r00 = m[o], r01 = m[o + 1], r02 = m[o + 2];
  const r10 = m[o + rowStride], r11 = m[o + rowStride + 1], r12 = m[o + rowStride + 2];
  const r20 = m[o + 2 * rowStride], r21 = m[o + 2 * rowStride + 1], r22 = m[o + 2 * rowStride + 2];
  let x: number, y: number, z: number, w: number;
  const tr = r00 + r11 + r22;
  if (tr > 0) {
    const s = 2 * Math.sqrt(tr + 1);
    w = 0.25 * s; x = (r21 - r12) / s; y = (r02 - r20) / s; z = (r10 - r01) / s;
  } else if (r00 > r11 && r00 > r22) {
    const s = 2 * Math.sqrt(1 + r00 - r11 - r22);
    w = (r21 - r12) / s; x = 0.25 * s; y = (r01 + r10) / s; z = (r02 + r20) / s;
  } else if (r11 > r22) {
    const s = 2 * Math.sqrt(1 + r11 - r00 - r22);
    w = (r02 - r20) / s; x = (r01 + r10) / s; y = 0.25 * s; z = (r12 + r21) / s;
  } else {
    const s = 2 * Math.sqrt(1 + r22 - r00 - r11);
    w = (r10 - r01) / s; x = (r02 + r20) / s; y = (r12 + r21) / s; z = 0.25 * s;
  }
  if (w < 0) { x = -x; y = -y; z = -z; w = -w; }
  out[0] = x; out[1] = y; out[2] = z; out[3] = w;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Forward kinematics
// ---------------------------------------------------------------------------------------------

// Each frame is a row-major 3x4 transform [R | p] (12 values): frames 0..6 = links 1..7, 7 = hand, 8 = TCP.
const FRAME_STRIDE = 12;

// cos/sin of alpha and a, d per joint, snapped so that cos(pi/2) is exactly 0.
const snap = (v: number): number => (Math.abs(v) < 1e-12 ? 0 : v);
const DH_CA = new Float64Array(7);
const DH_SA = new Float64Array(7);
const DH_A = new Float64Array(7);
const DH_D = new Float64Array(7);
for (let i = 0; i < 7; i++) {
  const row = PANDA_DH[i];
  DH_CA[i] = snap(Math.cos(row.alpha));
  DH_SA[i] = snap(Math.sin(row.alpha));
  DH_A[i] = row.a;
  DH_D[i] = row.d;
}
const HAND_C = Math.cos(PANDA_HAND_YAW);
const HAND_S = Math.sin(PANDA_HAND_YAW);

/**
 * Writes the 9 world frames (links 1..7, hand, TCP) of configuration q into `out` as row-major
 * 3x4 transforms, 12 values each (108 in all). Allocation-free; the building block of everything else.
 */
export function computeFrames(q: ArrayLike<number>, out: Float64Array): Float64Array {
  // Parent rotation/position, starting at the base (identity).
  let p00 = 1, p01 = 0, p02 = 0, p10 = 0, p11 = 1, p12 = 0, p20 = 0, p21 = 0, p22 = 1;
  let px = 0, py = 0, pz = 0;
  for (let i = 0; i < 7; i++) {
    const ct = Math.cos(q[i]), st = Math.sin(q[i]);
    const ca = DH_CA[i], sa = DH_SA[i], a = DH_A[i], d = DH_D[i];
    // Local transform: rows [ct, -st, 0, a], [st*ca, ct*ca, -sa, -sa*d], [st*sa, ct*sa, ca, ca*d].
    const l00 = ct, l01 = -st; // l02 = 0
    const l10 = st * ca, l11 = ct * ca, l12 = -sa;
    const l20 = st * sa, l21 = ct * sa, l22 = ca;
    const lx = a, ly = -sa * d, lz = ca * d;
    const n00 = p00 * l00 + p01 * l10 + p02 * l20;
    const n01 = p00 * l01 + p01 * l11 + p02 * l21;
    const n02 = p01 * l12 + p02 * l22;
    const n10 = p10 * l00 + p11 * l10 + p12 * l20;
    const n11 = p10 * l01 + p11 * l11 + p12 * l21;
    const n12 = p11 * l12 + p12 * l22;
    const n20 = p20 * l00 + p21 * l10 + p22 * l20;
    const n21 = p20 * l01 + p21 * l11 + p22 * l21;
    const n22 = p21 * l12 + p22 * l22;
    const nx = p00 * lx + p01 * ly + p02 * lz + px;
    const ny = p10 * lx + p11 * ly + p12 * lz + py;
    const nz = p20 * lx + p21 * ly + p22 * lz + pz;
    const o = i * FRAME_STRIDE;
    out[o] = n00; out[o + 1] = n01; out[o + 2] = n02; out[o + 3] = nx;
    out[o + 4] = n10; out[o + 5] = n11; out[o + 6] = n12; out[o + 7] = ny;
    out[o + 8] = n20; out[o + 9] = n21; out[o + 10] = n22; out[o + 11] = nz;
    p00 = n00; p01 = n01; p02 = n02; p10 = n10; p11 = n11; p12 = n12; p20 = n20; p21 = n21; p22 = n22;
    px = nx; py = ny; pz = nz;
  }
  // Flange: link 7 + d along z (alpha = 0, a = 0, theta = 0). Hand: flange * RotZ(-pi/4).
  const fx = px + p02 * PANDA_FLANGE_D, fy = py + p12 * PANDA_FLANGE_D, fz = pz + p22 * PANDA_FLANGE_D;
  const h00 = HAND_C * p00 + HAND_S * p01, h01 = -HAND_S * p00 + HAND_C * p01;
  const h10 = HAND_C * p10 + HAND_S * p11, h11 = -HAND_S * p10 + HAND_C * p11;
  const h20 = HAND_C * p20 + HAND_S * p21, h21 = -HAND_S * p20 + HAND_C * p21;
  let o = 7 * FRAME_STRIDE;
  out[o] = h00; out[o + 1] = h01; out[o + 2] = p02; out[o + 3] = fx;
  out[o + 4] = h10; out[o + 5] = h11; out[o + 6] = p12; out[o + 7] = fy;
  out[o + 8] = h20; out[o + 9] = h21; out[o + 10] = p22; out[o + 11] = fz;
  o = 8 * FRAME_STRIDE;
  out[o] = h00; out[o + 1] = h01; out[o + 2] = p02; out[o + 3] = fx + p02 * PANDA_TCP_OFFSET;
  out[o + 4] = h10; out[o + 5] = h11; out[o + 6] = p12; out[o + 7] = fy + p12 * PANDA_TCP_OFFSET;
  out[o + 8] = h20; out[o + 9] = h21; out[o + 10] = p22; out[o + 11] = fz + p22 * PANDA_TCP_OFFSET;
  return out;
}

/** Allocates a buffer sized for computeFrames (9 frames x 12 values). */
export function newFrameBuffer(): Float64Array {
  return new Float64Array(PANDA_NUM_FRAMES * FRAME_STRIDE);
}

/** Pose of frame `index` (0..8, as in linkFrames) of a computeFrames buffer. */
export function poseOfFrame(f: Float64Array, index: number): Pose {
  const o = index * FRAME_STRIDE;
  return { pos: [f[o + 3], f[o + 7], f[o + 11]], quat: quatFromMat(f, o, 4) };
}

const FK_FRAMES = newFrameBuffer();

/**
 * World pose of each link frame 1..7 (frame after joint i's rotation, Craig DH; link bodies are
 * drawn in these frames), then the hand frame (index 7) and the TCP frame (index 8): 9 poses.
 */
export function linkFrames(q: ArrayLike<number>): Pose[] {
  return posesOfFrames(computeFrames(q, FK_FRAMES));
}

/** The 9 poses of linkFrames from a computeFrames buffer. */
export function posesOfFrames(f: Float64Array): Pose[] {
  const poses: Pose[] = new Array(PANDA_NUM_FRAMES);
  for (let i = 0; i < PANDA_NUM_FRAMES; i++) poses[i] = poseOfFrame(f, i);
  return poses;
}

/** TCP pose (between the fingertip pads) in the world frame. */
export function fk(q: ArrayLike<number>): Pose {
  computeFrames(q, FK_FRAMES);
  return poseOfFrame(FK_FRAMES, TCP_FRAME);
}

/** Hand frame pose (flange rotated -pi/4 about z) in the world frame. */
export function fkHand(q: ArrayLike<number>): Pose {
  computeFrames(q, FK_FRAMES);
  return poseOfFrame(FK_FRAMES, HAND_FRAME);
}

/** Jacobian of the TCP from precomputed frames (see computeFrames); row-major 6x7. */
function jacobianFromFrames(f: Float64Array, out: Float64Array): Float64Array {
  const t = TCP_FRAME * FRAME_STRIDE;
  const tx = f[t + 3], ty = f[t + 7], tz = f[t + 11];
  for (let i = 0; i < 7; i++) {
    const o = i * FRAME_STRIDE;
    const zx = f[o + 2], zy = f[o + 6], zz = f[o + 10];
    const rx = tx - f[o + 3], ry = ty - f[o + 7], rz = tz - f[o + 11];
    out[i] = zy * rz - zz * ry;
    out[7 + i] = zz * rx - zx * rz;
    out[14 + i] = zx * ry - zy * rx;
    out[21 + i] = zx;
    out[28 + i] = zy;
    out[35 + i] = zz;
  }
  return out;
}

const JAC_FRAMES = newFrameBuffer();

/**
 * 6x7 geometric Jacobian of the TCP in the world frame, row-major (42 values), rows
 * vx, vy, vz, wx, wy, wz: column i = [z_i x (p_tcp - p_i); z_i] with z_i, p_i the axis and origin
 * of link frame i. Written into `out` when given (length >= 42), else into a new array.
 */
export function jacobian(q: ArrayLike<number>, out: Float64Array = new Float64Array(42)): Float64Array {
  computeFrames(q, JAC_FRAMES);
  return jacobianFromFrames(JAC_FRAMES, out);
}

/** Copy of q clamped into [PANDA_LOWER, PANDA_UPPER]. */
export function clampToLimits(q: ArrayLike<number>): number[] {
  const r = new Array<number>(7);
  for (let i = 0; i < 7; i++) r[i] = Math.min(PANDA_UPPER[i], Math.max(PANDA_LOWER[i], q[i]));
  return r;
}

/** True when every joint of q lies within [lower - tol, upper + tol]. */
export function withinLimits(q: ArrayLike<number>, tol = 0): boolean {
  for (let i = 0; i < 7; i++) if (q[i] < PANDA_LOWER[i] - tol || q[i] > PANDA_UPPER[i] + tol) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Inverse kinematics
// ---------------------------------------------------------------------------------------------

export interface IkOptions {
  /** Iteration budget (each iteration = one trial step, accepted or rejected). Default 200. */
  maxIters?: number;
  /** Position tolerance, metres. Default 1e-4. */
  posTol?: number;
  /** Orientation tolerance, radians. Default 1e-3. */
  rotTol?: number;
  /** Initial damping lambda^2 of the damped least-squares step (adapted LM-style). Default 1e-3. */
  damping?: number;
  /** Gain of the null-space pull toward nullspaceTarget, per iteration. Default 0.05. 0 disables it. */
  nullspaceGain?: number;
  /** Posture the redundant DoF is pulled toward. Default PANDA_READY. */
  nullspaceTarget?: ArrayLike<number>;
  /** Largest change of any joint per iteration, rad (the whole step is scaled). Default 0.2. */
  maxStep?: number;
}

export interface IkResult {
  /** Solution (always within [PANDA_LOWER, PANDA_UPPER]); the best iterate if not converged. */
  q: number[];
  /** Final TCP position error, metres. */
  posErr: number;
  /** Final TCP orientation error, radians. */
  rotErr: number;
  /** Iterations used (trial steps, including rejected ones). */
  iters: number;
  converged: boolean;
}

// IK scratch (module-level, reused by every call).
const IK_FRAMES = newFrameBuffer();
const IK_J = new Float64Array(42);
const IK_A = new Float64Array(36);
const IK_E = new Float64Array(6); // current error
const IK_ERES = new Float64Array(6); // error left for the free joints
const IK_Y = new Float64Array(6);
const IK_W = new Float64Array(6);
const IK_Q = new Float64Array(7);
const IK_QTRY = new Float64Array(7);
const IK_DQ = new Float64Array(7);
const IK_FIXED = new Float64Array(7);
const IK_V = new Float64Array(7);
const IK_MASK = new Uint8Array(7);
const IK_RT = new Float64Array(9); // target rotation, row-major
const IK_RE = new Float64Array(9); // rotation error R_t R_c^T, row-major
const IK_QE = new Float64Array(4);

/** Writes the 6-D error [p_t - p_c; log(R_t R_c^T)] of frames f into e; returns the squared norm. */
function poseError(f: Float64Array, tp: ArrayLike<number>, Rt: Float64Array, e: Float64Array): number {
  const o = TCP_FRAME * FRAME_STRIDE;
  e[0] = tp[0] - f[o + 3];
  e[1] = tp[1] - f[o + 7];
  e[2] = tp[2] - f[o + 11];
  // R_e = R_t * R_c^T: (R_e)_{ij} = sum_k Rt_{ik} Rc_{jk}
  const c00 = f[o], c01 = f[o + 1], c02 = f[o + 2];
  const c10 = f[o + 4], c11 = f[o + 5], c12 = f[o + 6];
  const c20 = f[o + 8], c21 = f[o + 9], c22 = f[o + 10];
  const t00 = Rt[0], t01 = Rt[1], t02 = Rt[2], t10 = Rt[3], t11 = Rt[4], t12 = Rt[5], t20 = Rt[6], t21 = Rt[7], t22 = Rt[8];
  const re = IK_RE;
  re[0] = t00 * c00 + t01 * c01 + t02 * c02;
  re[1] = t00 * c10 + t01 * c11 + t02 * c12;
  re[2] = t00 * c20 + t01 * c21 + t02 * c22;
  re[3] = t10 * c00 + t11 * c01 + t12 * c02;
  re[4] = t10 * c10 + t11 * c11 + t12 * c12;
  re[5] = t10 * c20 + t11 * c21 + t12 * c22;
  re[6] = t20 * c00 + t21 * c01 + t22 * c02;
  re[7] = t20 * c10 + t21 * c11 + t22 * c12;
  re[8] = t20 * c20 + t21 * c21 + t22 * c22;
  // Log map via the quaternion of R_e (robust for every angle, including near 0 and pi).
  const qe = matToQuatInto(IK_QE, re, 0, 3);
  const x = qe[0], y = qe[1], z = qe[2], w = qe[3];
  const sn = Math.hypot(x, y, z);
  const k = sn < 1e-12 ? 2 : (2 * Math.atan2(sn, w)) / sn;
  e[3] = x * k; e[4] = y * k; e[5] = z * k;
  return e[0] * e[0] + e[1] * e[1] + e[2] * e[2] + e[3] * e[3] + e[4] * e[4] + e[5] * e[5];
}

/** In-place Cholesky of the 6x6 SPD matrix A (lower triangle). Returns false if not positive definite. */
function cholesky6(A: Float64Array): boolean {
  for (let j = 0; j < 6; j++) {
    let s = A[j * 6 + j];
    for (let k = 0; k < j; k++) s -= A[j * 6 + k] * A[j * 6 + k];
    if (!(s > 0)) return false;
    const l = Math.sqrt(s);
    A[j * 6 + j] = l;
    for (let i = j + 1; i < 6; i++) {
      let t = A[i * 6 + j];
      for (let k = 0; k < j; k++) t -= A[i * 6 + k] * A[j * 6 + k];
      A[i * 6 + j] = t / l;
    }
  }
  return true;
}

/** Solves L L^T x = b with the factor from cholesky6; x may alias b. */
function cholSolve6(L: Float64Array, b: Float64Array, x: Float64Array): void {
  for (let i = 0; i < 6; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[i * 6 + k] * x[k];
    x[i] = s / L[i * 6 + i];
  }
  for (let i = 5; i >= 0; i--) {
    let s = x[i];
    for (let k = i + 1; k < 6; k++) s -= L[k * 6 + i] * x[k];
    x[i] = s / L[i * 6 + i];
  }
}

/**
 * Inverse kinematics of the TCP by damped least squares (Levenberg-Marquardt with adaptive damping)
 * on the 6-D error [p_target - p; log(R_target R^T)], starting from q0.
 *
 * - Joint limits: a joint whose step would leave [lower, upper] is moved to its limit and removed
 *   from the least-squares problem for that step (the others re-solve for the remaining error);
 *   every iterate is also clamped, so the result never exceeds the limits.
 * - A small null-space term pulls the posture toward `nullspaceTarget` (default PANDA_READY)
 *   without disturbing the TCP (to first order), so the redundant DoF does not drift.
 * - Steps are scaled so no joint moves more than `maxStep` rad per iteration.
 * - Steps that do not reduce the error are rejected and the damping is raised.
 *
 * A local method: it finds the solution near q0. For far targets that need another elbow/wrist
 * branch it can stop in a local minimum (converged = false; q is the best iterate); retry from other
 * starts if that matters. Allocates only the result.
 */
export function solveIk(target: Pose, q0: ArrayLike<number>, opts: IkOptions = {}): IkResult {
  const maxIters = opts.maxIters ?? 200;
  const posTol = opts.posTol ?? 1e-4;
  const rotTol = opts.rotTol ?? 1e-3;
  const nsGain = opts.nullspaceGain ?? 0.05;
  const nsTarget = opts.nullspaceTarget ?? PANDA_READY;
  const maxStep = opts.maxStep ?? 0.2;
  let damp = opts.damping ?? 1e-3;
  const DAMP_MIN = 1e-6, DAMP_MAX = 1e3;

  mat3FromQuat(quatNormalize(target.quat), IK_RT);
  const tp = target.pos;
  const posTol2 = posTol * posTol, rotTol2 = rotTol * rotTol;

  const q = IK_Q;
  for (let i = 0; i < 7; i++) q[i] = Math.min(PANDA_UPPER[i], Math.max(PANDA_LOWER[i], q0[i]));
  computeFrames(q, IK_FRAMES);
  let cost = poseError(IK_FRAMES, tp, IK_RT, IK_E);
  const isDone = (e: Float64Array): boolean =>
    e[0] * e[0] + e[1] * e[1] + e[2] * e[2] <= posTol2 && e[3] * e[3] + e[4] * e[4] + e[5] * e[5] <= rotTol2;

  let iters = 0;
  let converged = isDone(IK_E);
  let needJ = true;
  let useNs = nsGain > 0;
  const J = IK_J, A = IK_A, dq = IK_DQ;

  while (!converged && iters < maxIters) {
    iters++;
    if (needJ) {
      jacobianFromFrames(IK_FRAMES, J);
      needJ = false;
    }
    // Sugihara-style damping: the error energy plus an adaptive floor.
    const lambda2 = 0.5 * cost + damp;

    for (let i = 0; i < 7; i++) { IK_MASK[i] = 1; IK_FIXED[i] = 0; }
    for (let r = 0; r < 6; r++) IK_ERES[r] = IK_E[r];

    for (let pass = 0; pass < 8; pass++) {
      // A = J M J^T + lambda2 I (lower triangle suffices for Cholesky, fill it fully anyway).
      for (let r = 0; r < 6; r++) {
        for (let c = 0; c <= r; c++) {
          let s = 0;
          for (let k = 0; k < 7; k++) if (IK_MASK[k]) s += J[r * 7 + k] * J[c * 7 + k];
          A[r * 6 + c] = s;
        }
        A[r * 6 + r] += lambda2;
      }
      if (!cholesky6(A)) break; // cannot happen with lambda2 > 0; keep the previous dq
      // Task step: dq = M J^T A^-1 e_res.
      cholSolve6(A, IK_ERES, IK_Y);
      for (let k = 0; k < 7; k++) {
        if (!IK_MASK[k]) { dq[k] = 0; continue; }
        let s = 0;
        for (let r = 0; r < 6; r++) s += J[r * 7 + k] * IK_Y[r];
        dq[k] = s;
      }
      // Null-space step: v - M J^T A^-1 J v with v = M * gain * (target - q).
      if (useNs) {
        for (let k = 0; k < 7; k++) IK_V[k] = IK_MASK[k] ? nsGain * (nsTarget[k] - q[k]) : 0;
        for (let r = 0; r < 6; r++) {
          let s = 0;
          for (let k = 0; k < 7; k++) s += J[r * 7 + k] * IK_V[k];
          IK_W[r] = s;
        }
        cholSolve6(A, IK_W, IK_W);
        for (let k = 0; k < 7; k++) {
          if (!IK_MASK[k]) continue;
          let s = 0;
          for (let r = 0; r < 6; r++) s += J[r * 7 + k] * IK_W[r];
          dq[k] += IK_V[k] - s;
        }
      }
      // Joints that would leave their range go to the limit and drop out; the rest re-solve.
      let violated = false;
      for (let k = 0; k < 7; k++) {
        if (!IK_MASK[k]) continue;
        const nq = q[k] + dq[k];
        let bound: number;
        if (nq > PANDA_UPPER[k]) bound = PANDA_UPPER[k];
        else if (nq < PANDA_LOWER[k]) bound = PANDA_LOWER[k];
        else continue;
        violated = true;
        IK_MASK[k] = 0;
        const fixed = bound - q[k];
        IK_FIXED[k] = fixed;
        dq[k] = 0;
        for (let r = 0; r < 6; r++) IK_ERES[r] -= J[r * 7 + k] * fixed;
      }
      if (!violated) break;
    }

    // Total step, scaled so no joint moves more than maxStep.
    let maxAbs = 0;
    for (let k = 0; k < 7; k++) {
      if (!IK_MASK[k]) dq[k] = IK_FIXED[k];
      const a = Math.abs(dq[k]);
      if (a > maxAbs) maxAbs = a;
    }
    const scale = maxAbs > maxStep ? maxStep / maxAbs : 1;
    for (let k = 0; k < 7; k++) {
      IK_QTRY[k] = Math.min(PANDA_UPPER[k], Math.max(PANDA_LOWER[k], q[k] + scale * dq[k]));
    }

    computeFrames(IK_QTRY, IK_FRAMES);
    const newCost = poseError(IK_FRAMES, tp, IK_RT, IK_ERES);
    if (newCost < cost || isDone(IK_ERES)) {
      for (let k = 0; k < 7; k++) q[k] = IK_QTRY[k];
      for (let r = 0; r < 6; r++) IK_E[r] = IK_ERES[r];
      cost = newCost;
      damp = Math.max(DAMP_MIN, damp * 0.3);
      needJ = true;
      converged = isDone(IK_E);
      useNs = nsGain > 0;
    } else if (useNs) {
      // Retry the same damping without the posture term before damping harder.
      useNs = false;
      computeFrames(q, IK_FRAMES);
    } else {
      damp = Math.min(DAMP_MAX, damp * 10);
      computeFrames(q, IK_FRAMES); // restore the frames of the accepted q (J is still valid)
    }
  }

  const out = new Array<number>(7);
  for (let k = 0; k < 7; k++) out[k] = q[k];
  return {
    q: out,
    posErr: Math.hypot(IK_E[0], IK_E[1], IK_E[2]),
    rotErr: Math.hypot(IK_E[3], IK_E[4], IK_E[5]),
    iters,
    converged,
  };
}
