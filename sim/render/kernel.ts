// The ray-casting kernel: gpu.js turns these plain functions into WebAssembly (default in Node), CPU
// JavaScript, or a GPU shader. One thread per pixel casts a camera ray against the scene's analytic
// primitives (box, sphere, cylinder, capsule), shades the nearest hit with ambient + directional/point
// lights with hard shadows and a procedural texture, and returns [packed RGB, depth, segment id, 0].
//
// gpu.js rules followed here: helper functions take and return numbers only (no arrays), loops have
// bounds known to `loopMaxIterations`, and the kernel returns at most 4 floats per pixel.

/** Floats per primitive in the flat primitive buffer. */
export const PRIM_STRIDE = 28;
/** Offsets within a primitive's record. */
export const P = {
  type: 0, center: 1, rot: 4, dims: 13, color: 16, seg: 19, texture: 20, texScale: 21, color2: 22, shininess: 25, bound: 26,
} as const;
/** Primitive type codes. */
export const PRIM_TYPE = { box: 1, sphere: 2, cylinder: 3, capsule: 4 } as const;
/** Floats per light: type (0 directional, 1 point), xyz (direction towards the light, or position), rgb intensity. */
export const LIGHT_STRIDE = 7;
/** Camera record: origin, right, up, forward (unit), tan(fov/2), aspect (width / height). */
export const CAMERA_FLOATS = 14;
/** Texture codes. */
export const TEXTURE = { none: 0, checker: 1, stripes: 2, noise: 3 } as const;
export const MAX_PRIMS = 256;
export const MAX_LIGHTS = 4;

/** Ray parameter t > 0 of the first hit of a local-frame ray with a primitive of type `ty` and dims a, b, c; -1 on a miss. */
export function hitLocal(ty: number, ox: number, oy: number, oz: number, dx: number, dy: number, dz: number, a: number, b: number, c: number): number {
  let best = -1.0;
  if (ty === 1) {
    // Box: slabs.
    const ix = 1.0 / (Math.abs(dx) < 1e-12 ? 1e-12 : dx);
    const iy = 1.0 / (Math.abs(dy) < 1e-12 ? 1e-12 : dy);
    const iz = 1.0 / (Math.abs(dz) < 1e-12 ? 1e-12 : dz);
    const tx1 = (-a - ox) * ix;
    const tx2 = (a - ox) * ix;
    const ty1 = (-b - oy) * iy;
    const ty2 = (b - oy) * iy;
    const tz1 = (-c - oz) * iz;
    const tz2 = (c - oz) * iz;
    const tmin = Math.max(Math.max(Math.min(tx1, tx2), Math.min(ty1, ty2)), Math.min(tz1, tz2));
    const tmax = Math.min(Math.min(Math.max(tx1, tx2), Math.max(ty1, ty2)), Math.max(tz1, tz2));
    if (tmax >= tmin && tmax > 1e-6) {
      best = tmin > 1e-6 ? tmin : tmax;
    }
  }
  if (ty === 2) {
    // Sphere of radius a.
    const bb = ox * dx + oy * dy + oz * dz;
    const cc = ox * ox + oy * oy + oz * oz - a * a;
    const disc = bb * bb - cc;
    if (disc >= 0.0) {
      const s = Math.sqrt(disc);
      const t1 = -bb - s;
      const t2 = -bb + s;
      if (t1 > 1e-6) {
        best = t1;
      } else if (t2 > 1e-6) {
        best = t2;
      }
    }
  }
  if (ty === 3 || ty === 4) {
    // Cylinder (ty 3) or capsule (ty 4) of radius a and half height b along the local y axis.
    const qa = dx * dx + dz * dz;
    const qb = ox * dx + oz * dz;
    const qc = ox * ox + oz * oz - a * a;
    if (qa > 1e-12) {
      const disc = qb * qb - qa * qc;
      if (disc >= 0.0) {
        const s = Math.sqrt(disc);
        const t1 = (-qb - s) / qa;
        const t2 = (-qb + s) / qa;
        const y1 = oy + t1 * dy;
        const y2 = oy + t2 * dy;
        if (t1 > 1e-6 && Math.abs(y1) <= b) {
          best = t1;
        } else if (t2 > 1e-6 && Math.abs(y2) <= b && (best < 0.0 || t2 < best)) {
          best = t2;
        }
      }
    }
    if (ty === 3) {
      // Flat caps at y = +-b.
      if (Math.abs(dy) > 1e-12) {
        const tc1 = (b - oy) / dy;
        const tc2 = (-b - oy) / dy;
        const x1 = ox + tc1 * dx;
        const z1 = oz + tc1 * dz;
        if (tc1 > 1e-6 && x1 * x1 + z1 * z1 <= a * a && (best < 0.0 || tc1 < best)) {
          best = tc1;
        }
        const x2 = ox + tc2 * dx;
        const z2 = oz + tc2 * dz;
        if (tc2 > 1e-6 && x2 * x2 + z2 * z2 <= a * a && (best < 0.0 || tc2 < best)) {
          best = tc2;
        }
      }
    } else {
      // Hemispherical ends: spheres of radius a at y = +-b.
      for (let e = 0; e < 2; e++) {
        const cy = e === 0 ? b : -b;
        const py = oy - cy;
        const bb = ox * dx + py * dy + oz * dz;
        const cc = ox * ox + py * py + oz * oz - a * a;
        const disc = bb * bb - cc;
        if (disc >= 0.0) {
          const s = Math.sqrt(disc);
          let t = -bb - s;
          if (t <= 1e-6) {
            t = -bb + s;
          }
          if (t > 1e-6 && (best < 0.0 || t < best)) {
            best = t;
          }
        }
      }
    }
  }
  return best;
}

/** Procedural texture weight in [0, 1] at world point (x, y, z): 0 gives the base colour, 1 the second colour. */
export function textureWeight(kind: number, scale: number, x: number, y: number, z: number): number {
  if (kind === 1) {
    const s = Math.floor(x / scale) + Math.floor(y / scale) + Math.floor(z / scale);
    return s - 2.0 * Math.floor(s / 2.0);
  }
  if (kind === 2) {
    const s = Math.floor((x + y) / scale);
    return s - 2.0 * Math.floor(s / 2.0);
  }
  if (kind === 3) {
    // Value noise on a lattice of `scale`, bilinear in x and y.
    const gx = Math.floor(x / scale);
    const gy = Math.floor(y / scale);
    const fx = x / scale - gx;
    const fy = y / scale - gy;
    const h00 = Math.abs(Math.sin(gx * 127.1 + gy * 311.7) * 43758.5453) % 1.0;
    const h10 = Math.abs(Math.sin((gx + 1.0) * 127.1 + gy * 311.7) * 43758.5453) % 1.0;
    const h01 = Math.abs(Math.sin(gx * 127.1 + (gy + 1.0) * 311.7) * 43758.5453) % 1.0;
    const h11 = Math.abs(Math.sin((gx + 1.0) * 127.1 + (gy + 1.0) * 311.7) * 43758.5453) % 1.0;
    const sx = fx * fx * (3.0 - 2.0 * fx);
    const sy = fy * fy * (3.0 - 2.0 * fy);
    return (h00 * (1.0 - sx) + h10 * sx) * (1.0 - sy) + (h01 * (1.0 - sx) + h11 * sx) * sy;
  }
  return 0.0;
}

interface KernelThis {
  thread: { x: number; y: number };
  output: { x: number; y: number };
}

/** Pixels per side of a screen tile (primary rays only test the primitives listed for their tile). */
export const TILE = 8;
/** Floats per light in the shadow-grid record: a0, b0, cell, nx, ny, e1 (3), e2 (3), first cell index. */
export const GRID_STRIDE = 12;

/**
 * The per-pixel kernel. prims: primitive records; cam: CAMERA_FLOATS; lights: nLights records; env:
 * [ambient r, g, b, background r, g, b]. Primary rays test only the primitives listed for the pixel's
 * 8x8 tile (tileStart / tileCount into tileList); shadow rays towards a directional light test only
 * the primitives listed for the cell of that light's grid the hit point projects into (a directional
 * shadow ray projects to a single point on the plane across the light), point lights test all.
 * Returns [r * 65536 + g * 256 + b (0..255 each), depth along the optical axis in metres (0 where
 * nothing is hit), segment id (0 for nothing), 0].
 */
export function castKernel(
  this: KernelThis, prims: number[], n: number, cam: number[], lights: number[], nLights: number, env: number[],
  tileStart: number[], tileCount: number[], tileList: number[], tilesX: number,
  grid: number[], cellStart: number[], cellCount: number[], cellList: number[],
): number[] {
  const W = this.output.x;
  const H = this.output.y;
  // Pixel (x, y) with row 0 at the top of the image.
  const u = ((this.thread.x + 0.5) / W * 2.0 - 1.0) * cam[12] * cam[13];
  const v = (1.0 - (this.thread.y + 0.5) / H * 2.0) * cam[12];
  let dx = cam[9] + u * cam[3] + v * cam[6];
  let dy = cam[10] + u * cam[4] + v * cam[7];
  let dz = cam[11] + u * cam[5] + v * cam[8];
  const dl = Math.sqrt(dx * dx + dy * dy + dz * dz);
  dx = dx / dl;
  dy = dy / dl;
  dz = dz / dl;
  const ox = cam[0];
  const oy = cam[1];
  const oz = cam[2];

  const tile = Math.floor(this.thread.x / 8) + Math.floor(this.thread.y / 8) * tilesX;
  const t0 = tileStart[tile];
  const tn = tileCount[tile];
  let bestT = 1e30;
  let bestI = -1;
  for (let k = 0; k < tn; k++) {
    const i = tileList[t0 + k];
    const base = i * 28;
    const cx = prims[base + 1] - ox;
    const cy = prims[base + 2] - oy;
    const cz = prims[base + 3] - oz;
    const along = cx * dx + cy * dy + cz * dz;
    const rb = prims[base + 26];
    const perp2 = cx * cx + cy * cy + cz * cz - along * along;
    if (perp2 <= rb * rb && along + rb > 0.0 && along - rb < bestT) {
      // Ray into the primitive's frame: R^T (o - c), R^T d (R stored row-major, world-from-local).
      const lox = -(cx * prims[base + 4] + cy * prims[base + 7] + cz * prims[base + 10]);
      const loy = -(cx * prims[base + 5] + cy * prims[base + 8] + cz * prims[base + 11]);
      const loz = -(cx * prims[base + 6] + cy * prims[base + 9] + cz * prims[base + 12]);
      const ldx = dx * prims[base + 4] + dy * prims[base + 7] + dz * prims[base + 10];
      const ldy = dx * prims[base + 5] + dy * prims[base + 8] + dz * prims[base + 11];
      const ldz = dx * prims[base + 6] + dy * prims[base + 9] + dz * prims[base + 12];
      const t = hitLocal(prims[base], lox, loy, loz, ldx, ldy, ldz, prims[base + 13], prims[base + 14], prims[base + 15]);
      if (t > 0.0 && (t < bestT || (t === bestT && i < bestI))) {
        bestT = t;
        bestI = i;
      }
    }
  }
  if (bestI < 0) {
    return [Math.floor(env[3] * 255.0 + 0.5) * 65536.0 + Math.floor(env[4] * 255.0 + 0.5) * 256.0 + Math.floor(env[5] * 255.0 + 0.5), 0.0, 0.0, 0.0];
  }
  const base = bestI * 28;
  const hx = ox + dx * bestT;
  const hy = oy + dy * bestT;
  const hz = oz + dz * bestT;
  const rx = hx - prims[base + 1];
  const ry = hy - prims[base + 2];
  const rz = hz - prims[base + 3];
  const lpx = rx * prims[base + 4] + ry * prims[base + 7] + rz * prims[base + 10];
  const lpy = rx * prims[base + 5] + ry * prims[base + 8] + rz * prims[base + 11];
  const lpz = rx * prims[base + 6] + ry * prims[base + 9] + rz * prims[base + 12];
  const ty = prims[base];
  const a = prims[base + 13];
  const b = prims[base + 14];
  const c = prims[base + 15];
  // The outward unit normal at the hit in the primitive's frame (inline, not a helper: helpers return one
  // number, and one call per axis evaluated it three times).
  let lnx = 0.0;
  let lny = 0.0;
  let lnz = 0.0;
  if (ty === 1) {
    const qx = Math.abs(lpx) / a;
    const qy = Math.abs(lpy) / b;
    const qz = Math.abs(lpz) / c;
    if (qx >= qy && qx >= qz) {
      lnx = lpx > 0.0 ? 1.0 : -1.0;
    } else if (qy >= qz) {
      lny = lpy > 0.0 ? 1.0 : -1.0;
    } else {
      lnz = lpz > 0.0 ? 1.0 : -1.0;
    }
  }
  if (ty === 2) {
    lnx = lpx;
    lny = lpy;
    lnz = lpz;
  }
  if (ty === 3) {
    if (Math.abs(lpy) >= b - 1e-5) {
      lny = lpy > 0.0 ? 1.0 : -1.0;
    } else {
      lnx = lpx;
      lnz = lpz;
    }
  }
  if (ty === 4) {
    lnx = lpx;
    lny = lpy - Math.max(-b, Math.min(b, lpy));
    lnz = lpz;
  }
  const lnl = Math.sqrt(lnx * lnx + lny * lny + lnz * lnz) + 1e-12;
  lnx = lnx / lnl;
  lny = lny / lnl;
  lnz = lnz / lnl;
  let nx = prims[base + 4] * lnx + prims[base + 5] * lny + prims[base + 6] * lnz;
  let ny = prims[base + 7] * lnx + prims[base + 8] * lny + prims[base + 9] * lnz;
  let nz = prims[base + 10] * lnx + prims[base + 11] * lny + prims[base + 12] * lnz;
  if (nx * dx + ny * dy + nz * dz > 0.0) {
    nx = -nx;
    ny = -ny;
    nz = -nz;
  }
  const w = textureWeight(prims[base + 20], prims[base + 21], hx, hy, hz);
  const br = prims[base + 16] * (1.0 - w) + prims[base + 22] * w;
  const bg = prims[base + 17] * (1.0 - w) + prims[base + 23] * w;
  const bb = prims[base + 18] * (1.0 - w) + prims[base + 24] * w;
  const shin = prims[base + 25];

  let cr = env[0] * br;
  let cg = env[1] * bg;
  let cb = env[2] * bb;
  // Start shadow rays a little off the surface.
  const sx = hx + nx * 1e-4;
  const sy = hy + ny * 1e-4;
  const sz = hz + nz * 1e-4;
  for (let l = 0; l < nLights; l++) {
    const lb = l * 7;
    let lx = lights[lb + 1];
    let ly = lights[lb + 2];
    let lz = lights[lb + 3];
    let maxT = 1e30;
    let fall = 1.0;
    const point = lights[lb] > 0.5;
    if (point) {
      lx = lx - hx;
      ly = ly - hy;
      lz = lz - hz;
      const d2 = lx * lx + ly * ly + lz * lz;
      maxT = Math.sqrt(d2);
      fall = 1.0 / (1.0 + d2);
    }
    const ll = Math.sqrt(lx * lx + ly * ly + lz * lz) + 1e-12;
    lx = lx / ll;
    ly = ly / ll;
    lz = lz / ll;
    const ndl = nx * lx + ny * ly + nz * lz;
    if (ndl > 0.0) {
      // Candidate occluders: the grid cell of a directional light, or every primitive for a point light.
      let c0 = 0;
      let cn = n;
      let listed = 0.0;
      if (!point) {
        const gb = l * 12;
        const pa = sx * grid[gb + 5] + sy * grid[gb + 6] + sz * grid[gb + 7];
        const pb = sx * grid[gb + 8] + sy * grid[gb + 9] + sz * grid[gb + 10];
        const gx = Math.floor((pa - grid[gb]) / grid[gb + 2]);
        const gy = Math.floor((pb - grid[gb + 1]) / grid[gb + 2]);
        cn = 0;
        if (gx >= 0 && gy >= 0 && gx < grid[gb + 3] && gy < grid[gb + 4]) {
          const cell = grid[gb + 11] + gx + gy * grid[gb + 3];
          c0 = cellStart[cell];
          cn = cellCount[cell];
        }
        listed = 1.0;
      }
      let lit = 1.0;
      for (let k = 0; k < cn; k++) {
        if (lit > 0.5) {
          let j = k;
          if (listed > 0.5) {
            j = cellList[c0 + k];
          }
          const jb = j * 28;
          // A primitive is convex: it cannot shadow its own lit side, so the hit primitive is skipped.
          const self = j === bestI ? 1.0 : 0.0;
          const qx = prims[jb + 1] - sx;
          const qy = prims[jb + 2] - sy;
          const qz = prims[jb + 3] - sz;
          const al = qx * lx + qy * ly + qz * lz;
          const rj = prims[jb + 26];
          const pp = qx * qx + qy * qy + qz * qz - al * al;
          if (self < 0.5 && pp <= rj * rj && al + rj > 0.0 && al - rj < maxT) {
            const sox = -(qx * prims[jb + 4] + qy * prims[jb + 7] + qz * prims[jb + 10]);
            const soy = -(qx * prims[jb + 5] + qy * prims[jb + 8] + qz * prims[jb + 11]);
            const soz = -(qx * prims[jb + 6] + qy * prims[jb + 9] + qz * prims[jb + 12]);
            const sdx = lx * prims[jb + 4] + ly * prims[jb + 7] + lz * prims[jb + 10];
            const sdy = lx * prims[jb + 5] + ly * prims[jb + 8] + lz * prims[jb + 11];
            const sdz = lx * prims[jb + 6] + ly * prims[jb + 9] + lz * prims[jb + 12];
            const ts = hitLocal(prims[jb], sox, soy, soz, sdx, sdy, sdz, prims[jb + 13], prims[jb + 14], prims[jb + 15]);
            if (ts > 0.0 && ts < maxT) {
              lit = 0.0;
            }
          }
        }
      }
      if (lit > 0.5) {
        // Lambert plus a Blinn-Phong highlight whose sharpness is the material's shininess.
        const hvx = lx - dx;
        const hvy = ly - dy;
        const hvz = lz - dz;
        const hl = Math.sqrt(hvx * hvx + hvy * hvy + hvz * hvz) + 1e-12;
        const ndh = Math.max(0.0, (nx * hvx + ny * hvy + nz * hvz) / hl);
        // ndh^shin by squaring (shininess is a whole number below 256): Math.pow is a call out of WebAssembly.
        let spec = 0.0;
        if (shin > 0.0) {
          let pw = 1.0;
          let base2 = ndh;
          let e = shin;
          for (let q = 0; q < 8; q++) {
            const half = Math.floor(e / 2.0);
            if (e - 2.0 * half > 0.5) {
              pw = pw * base2;
            }
            base2 = base2 * base2;
            e = half;
          }
          spec = 0.25 * pw;
        }
        cr = cr + fall * lights[lb + 4] * (br * ndl + spec);
        cg = cg + fall * lights[lb + 5] * (bg * ndl + spec);
        cb = cb + fall * lights[lb + 6] * (bb * ndl + spec);
      }
    }
  }
  const r8 = Math.floor(Math.min(1.0, Math.max(0.0, cr)) * 255.0 + 0.5);
  const g8 = Math.floor(Math.min(1.0, Math.max(0.0, cg)) * 255.0 + 0.5);
  const b8 = Math.floor(Math.min(1.0, Math.max(0.0, cb)) * 255.0 + 0.5);
  // Depth along the optical axis.
  const depth = bestT * (dx * cam[9] + dy * cam[10] + dz * cam[11]);
  return [r8 * 65536.0 + g8 * 256.0 + b8, depth, prims[base + 19], 0.0];
}
