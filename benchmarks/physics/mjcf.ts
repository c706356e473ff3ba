// MJCF (MuJoCo XML) export of a WorldDesc (describe.ts), so MuJoCo steps the same content as Rapier.
//
// Mapping (Rapier -> MuJoCo):
// - fixed bodies      -> static geoms in <worldbody>, at the world pose of each collider.
// - kinematic bodies  -> mocap bodies (mocap="true") at their current pose, with their geoms. Mocap
//   bodies are MuJoCo's kinematic bodies: infinite mass, posed from outside, pushing what they touch;
//   static geoms would behave the same only as long as nothing moves them. mujoco-testspeed never sets
//   mocap poses, so in a testspeed run the arm stands still in the pose it had when described.
// - dynamic bodies    -> bodies with <freejoint/>; a dynamic body that a prismatic/revolute impulse
//   joint ties to another body (the fingers) becomes that body's child with a slide/hinge joint, its
//   joint position 0 being the current configuration; its motor becomes a <general> actuator with the
//   same stiffness and damping (force = kp (target - q) - kd qdot; ctrl offsets the described target).
// - shapes: ball -> sphere, cuboid -> box, capsule/cylinder (Rapier: along local y) -> capsule/
//   cylinder (MuJoCo: along local z; rotated by -90 degrees about x), convex hull -> <mesh> with the
//   same vertices (or, with convexAs: 'cylinder', a regular prism becomes a native cylinder).
// - masses: each geom gets its collider's mass (MuJoCo derives the inertia from the geom, as Rapier does).
// - friction: the collider's friction as MuJoCo's sliding friction, with MuJoCo's default torsional and
//   rolling coefficients (0.005, 0.0001) and condim 3. MuJoCo combines a pair's frictions by max,
//   Rapier by the colliders' combine rule (average by default): the coefficients are the same numbers,
//   the pairwise values can differ slightly.
// - collision filtering: Rapier's interaction groups -> contype/conaffinity bits, one bit per distinct
//   group value, so exactly the same class pairs collide.
// - not exported: damping (Rapier's per-body velocity damping has no exact MuJoCo equivalent),
//   restitution (0 everywhere here), contact softness (MuJoCo's default solref/solimp are kept).
import type { ColliderDesc, JointDesc, Q4, V3, WorldDesc } from './describe.ts';
import { quatMul, quatRotate } from './describe.ts';

export interface MjcfOptions {
  model?: string;
  /** How convex hulls are exported: as meshes (exact, default) or, when they are regular prisms, as cylinders. */
  convexAs?: 'mesh' | 'cylinder';
  /** MuJoCo integrator (default: MuJoCo's own default, Euler). */
  integrator?: 'Euler' | 'implicit' | 'RK4';
}

export interface MjcfExport {
  xml: string;
  /** Counts of what was written, for the report. */
  stats: { staticGeoms: number; mocapBodies: number; freeBodies: number; jointedBodies: number; geoms: number; meshes: number; actuators: number };
}

/** Rotation taking MuJoCo's z-aligned capsules/cylinders onto Rapier's y axis (-90 degrees about x). */
const Z_TO_Y: Q4 = [-Math.SQRT1_2, 0, 0, Math.SQRT1_2];

/** Rapier stores f32: 7 significant digits carry all of a value (and print 0.04 rather than 0.0399999991). */
const fmt = (x: number): string => {
  if (Math.abs(x) < 1e-9) return '0';
  return Number(x.toPrecision(7)).toString();
};
const vec = (v: readonly number[]): string => v.map(fmt).join(' ');
/** MuJoCo writes quaternions w first. */
const mjQuat = (q: Q4): string => vec([q[3], q[0], q[1], q[2]]);
const isIdentity = (q: Q4): boolean => Math.abs(q[0]) < 1e-12 && Math.abs(q[1]) < 1e-12 && Math.abs(q[2]) < 1e-12;
const isZero = (v: V3): boolean => Math.abs(v[0]) < 1e-12 && Math.abs(v[1]) < 1e-12 && Math.abs(v[2]) < 1e-12;

function quatConj(q: Q4): Q4 {
  return [-q[0], -q[1], -q[2], q[3]];
}

/** Pose composition a * b. */
function compose(a: { pos: V3; quat: Q4 }, b: { pos: V3; quat: Q4 }): { pos: V3; quat: Q4 } {
  const r = quatRotate(a.quat, b.pos);
  return { pos: [a.pos[0] + r[0], a.pos[1] + r[1], a.pos[2] + r[2]], quat: quatMul(a.quat, b.quat) };
}

/** inv(a) * b. */
function relative(a: { pos: V3; quat: Q4 }, b: { pos: V3; quat: Q4 }): { pos: V3; quat: Q4 } {
  const ci = quatConj(a.quat);
  const d: V3 = [b.pos[0] - a.pos[0], b.pos[1] - a.pos[1], b.pos[2] - a.pos[2]];
  return { pos: quatRotate(ci, d), quat: quatMul(ci, b.quat) };
}

/** If the vertices form a regular prism along z centred at the origin, its radius and half height. */
function prismOf(vertices: number[]): { radius: number; halfHeight: number } | undefined {
  let r = -1, h = -1;
  for (let i = 0; i < vertices.length; i += 3) {
    const ri = Math.hypot(vertices[i], vertices[i + 1]);
    const hi = Math.abs(vertices[i + 2]);
    if (r < 0) { r = ri; h = hi; }
    if (Math.abs(ri - r) > 1e-6 || Math.abs(hi - h) > 1e-6) return undefined;
  }
  return r > 0 && h > 0 ? { radius: r, halfHeight: h } : undefined;
}

/** contype/conaffinity per interaction-group value: pair (i, j) collides in MuJoCo iff it does in Rapier. */
function collisionBits(colliders: ColliderDesc[]): Map<number, { contype: number; conaffinity: number }> {
  const groups = [...new Set(colliders.map((c) => c.collisionGroups >>> 0))];
  const compatible = (a: number, b: number): boolean => ((a >>> 16) & (b & 0xffff)) !== 0 && ((b >>> 16) & (a & 0xffff)) !== 0;
  const out = new Map<number, { contype: number; conaffinity: number }>();
  const allCompatible = groups.every((a) => groups.every((b) => compatible(a, b)));
  if (allCompatible) {
    for (const g of groups) out.set(g, { contype: 1, conaffinity: 1 });
    return out;
  }
  if (groups.length > 31) throw new Error(`mjcf: ${groups.length} distinct collision groups; MuJoCo has 32 contype bits`);
  // Class i gets contype bit i and conaffinity = bits of every class it collides with. MuJoCo's rule
  // (contype_i & conaffinity_j) || (contype_j & conaffinity_i) then reduces to compatible(i, j).
  groups.forEach((g, i) => {
    let aff = 0;
    groups.forEach((h, j) => { if (compatible(g, h)) aff |= 1 << j; });
    out.set(g, { contype: (1 << i) >>> 0, conaffinity: aff >>> 0 });
  });
  return out;
}

/** Write `desc` as MJCF. */
export function toMjcf(desc: WorldDesc, opts: MjcfOptions = {}): MjcfExport {
  const convexAs = opts.convexAs ?? 'mesh';
  const bits = collisionBits(desc.colliders);
  const stats = { staticGeoms: 0, mocapBodies: 0, freeBodies: 0, jointedBodies: 0, geoms: 0, meshes: 0, actuators: 0 };
  const meshes = new Map<string, string>(); // vertex string -> mesh name
  const collidersOf = new Map<number, ColliderDesc[]>();
  for (const c of desc.colliders) {
    if (c.body < 0) throw new Error(`mjcf: parentless collider ${c.handle} is not supported`);
    if (c.sensor) continue; // sensors do not make contacts
    const list = collidersOf.get(c.body) ?? [];
    list.push(c);
    collidersOf.set(c.body, list);
  }
  const bodyName = (i: number): string => desc.bodies[i].name ?? `body${i}`;

  const geom = (c: ColliderDesc, pose: { pos: V3; quat: Q4 }, withMass: boolean, name: string): string => {
    const s = c.shape;
    let quat = pose.quat;
    let type: string;
    let size: string;
    let extra = '';
    switch (s.type) {
      case 'ball': type = 'sphere'; size = fmt(s.radius); break;
      case 'cuboid': type = 'box'; size = vec(s.halfExtents); break;
      case 'capsule': type = 'capsule'; size = vec([s.radius, s.halfHeight]); quat = quatMul(quat, Z_TO_Y); break;
      case 'cylinder': type = 'cylinder'; size = vec([s.radius, s.halfHeight]); quat = quatMul(quat, Z_TO_Y); break;
      case 'convex': {
        const prism = convexAs === 'cylinder' ? prismOf(s.vertices) : undefined;
        if (prism) {
          type = 'cylinder';
          size = vec([prism.radius, prism.halfHeight]);
        } else {
          const key = vec(s.vertices);
          let m = meshes.get(key);
          if (!m) {
            m = `hull${meshes.size}`;
            meshes.set(key, m);
          }
          type = 'mesh';
          size = '';
          extra = ` mesh="${m}"`;
        }
        break;
      }
    }
    const b = bits.get(c.collisionGroups >>> 0)!;
    const filter = b.contype === 1 && b.conaffinity === 1 ? '' : ` contype="${b.contype}" conaffinity="${b.conaffinity}"`;
    const pos = isZero(pose.pos) ? '' : ` pos="${vec(pose.pos)}"`;
    const q = isIdentity(quat) ? '' : ` quat="${mjQuat(quat)}"`;
    const mass = withMass ? ` mass="${fmt(c.mass)}"` : '';
    stats.geoms++;
    return `<geom name="${name}" type="${type}"${size ? ` size="${size}"` : ''}${extra}${pos}${q}${mass}` +
      ` friction="${fmt(c.friction)} 0.005 0.0001"${filter}/>`;
  };

  const geomsOf = (bi: number, withMass: boolean): string[] =>
    (collidersOf.get(bi) ?? []).map((c, k) => geom(c, { pos: c.pos, quat: c.quat }, withMass, `${bodyName(bi)}_g${k}`));

  // Joints: child (body2) -> joint. A dynamic body2 is nested under body1.
  const jointOfChild = new Map<number, JointDesc>();
  for (const j of desc.joints) {
    if (j.type !== 'prismatic' && j.type !== 'revolute') throw new Error(`mjcf: joint type ${j.type} is not supported`);
    if (desc.bodies[j.body2].type !== 'dynamic') throw new Error('mjcf: a joint\'s second body must be dynamic');
    if (jointOfChild.has(j.body2)) throw new Error(`mjcf: body ${j.body2} has two parent joints`);
    jointOfChild.set(j.body2, j);
  }
  const childrenOf = new Map<number, number[]>();
  for (const [child, j] of jointOfChild) childrenOf.set(j.body1, [...(childrenOf.get(j.body1) ?? []), child]);

  const actuators: string[] = [];
  const poseOf = (i: number) => ({ pos: desc.bodies[i].pos, quat: desc.bodies[i].quat });

  const writeChild = (child: number, parent: number, indent: string): string[] => {
    const j = jointOfChild.get(child)!;
    const rel = relative(poseOf(parent), poseOf(child));
    // Current joint coordinate in Rapier's terms: the anchors' separation along the axis.
    const p1 = compose(poseOf(parent), { pos: j.anchor1, quat: [0, 0, 0, 1] }).pos;
    const p2 = compose(poseOf(child), { pos: j.anchor2, quat: [0, 0, 0, 1] }).pos;
    const axisW = quatRotate(desc.bodies[parent].quat, j.axis1!);
    const q0 = j.type === 'prismatic'
      ? (p2[0] - p1[0]) * axisW[0] + (p2[1] - p1[1]) * axisW[1] + (p2[2] - p1[2]) * axisW[2]
      : 0; // revolute: Rapier does not report the angle; take the current pose as 0
    const name = `${bodyName(child)}_joint`;
    const range = j.limits ? ` limited="true" range="${fmt(j.limits[0] - q0)} ${fmt(j.limits[1] - q0)}"` : '';
    const lines = [
      `${indent}<body name="${bodyName(child)}" pos="${vec(rel.pos)}"${isIdentity(rel.quat) ? '' : ` quat="${mjQuat(rel.quat)}"`}>`,
      `${indent}  <joint name="${name}" type="${j.type === 'prismatic' ? 'slide' : 'hinge'}" pos="${vec(j.anchor2)}" axis="${vec(j.axis2!)}"${range}/>`,
      ...geomsOf(child, true).map((g) => `${indent}  ${g}`),
      ...(childrenOf.get(child) ?? []).flatMap((c) => writeChild(c, child, `${indent}  `)),
      `${indent}</body>`,
    ];
    stats.jointedBodies++;
    if (j.motor) {
      const m = j.motor;
      // Position drive with ctrl as an offset from the motor's described target (ctrl 0 = that target):
      // force = kp (target - q) - kd qdot, with target = (m.target - q0) + ctrl in MuJoCo's coordinate.
      const ctrl = j.limits ? ` ctrllimited="true" ctrlrange="${fmt(j.limits[0] - m.target)} ${fmt(j.limits[1] - m.target)}"` : '';
      actuators.push(`<general name="${name}_motor" joint="${name}" gainprm="${fmt(m.stiffness)}" ` +
        `biastype="affine" biasprm="${fmt(m.stiffness * (m.target - q0))} ${fmt(-m.stiffness)} ${fmt(-m.damping)}"${ctrl}/>`);
      stats.actuators++;
    }
    return lines;
  };

  const world: string[] = [];
  desc.bodies.forEach((b, i) => {
    if (jointOfChild.has(i)) return; // written under its parent
    if (b.type === 'fixed') {
      (collidersOf.get(i) ?? []).forEach((c, k) => {
        world.push(geom(c, compose(poseOf(i), { pos: c.pos, quat: c.quat }), false, `${bodyName(i)}_g${k}`));
        stats.staticGeoms++;
      });
      if (childrenOf.has(i)) throw new Error('mjcf: joints to fixed bodies are not supported');
      return;
    }
    const kinematic = b.type !== 'dynamic';
    const attrs = `name="${bodyName(i)}" pos="${vec(b.pos)}"${isIdentity(b.quat) ? '' : ` quat="${mjQuat(b.quat)}"`}${kinematic ? ' mocap="true"' : ''}`;
    world.push(`<body ${attrs}>`);
    if (kinematic) stats.mocapBodies++;
    else {
      world.push('  <freejoint/>');
      stats.freeBodies++;
    }
    world.push(...geomsOf(i, !kinematic).map((g) => `  ${g}`));
    for (const c of childrenOf.get(i) ?? []) world.push(...writeChild(c, i, '  '));
    world.push('</body>');
  });

  // Generous buffers: up to 8 contacts per colliding geom pair, 4 rows each (pyramidal friction, condim 3).
  const nconmax = Math.max(500, 8 * desc.colliders.length);
  const njmax = 4 * nconmax;
  const asset = [...meshes].map(([v, name]) => `<mesh name="${name}" vertex="${v}"/>`);
  stats.meshes = asset.length;
  const g = desc.gravity;
  const integrator = opts.integrator ? ` integrator="${opts.integrator}"` : '';
  const xml = [
    `<mujoco model="${opts.model ?? 'chaingap'}">`,
    '<!-- Written by chaingap benchmarks/physics/mjcf.ts from a Rapier world description; see that file for the mapping. -->',
    '<compiler angle="radian" inertiafromgeom="true"/>',
    `<option timestep="${fmt(desc.dt)}" gravity="${vec(g)}"${integrator}/>`,
    // MuJoCo 2.2's default contact buffer (100) overflows here and then silently drops contacts.
    `<size nconmax="${nconmax}" njmax="${njmax}"/>`,
    ...(asset.length ? ['<asset>', ...asset.map((a) => `  ${a}`), '</asset>'] : []),
    '<worldbody>',
    ...world.map((l) => `  ${l}`),
    '</worldbody>',
    ...(actuators.length ? ['<actuator>', ...actuators.map((a) => `  ${a}`), '</actuator>'] : []),
    '</mujoco>',
    '',
  ].join('\n');
  return { xml, stats };
}
