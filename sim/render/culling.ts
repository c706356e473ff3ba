// Per-frame acceleration lists built in JS, so each pixel tests a handful of primitives instead of
// all of them: screen tiles (8x8 pixels) list the primitives whose projected bounding sphere touches
// them (conservatively: a sphere reaching behind the camera covers every tile), and each directional
// light gets a grid on the plane across it, whose cells list the primitives whose bounding discs
// touch them; a shadow ray towards that light projects to a single point of that plane.
import { GRID_STRIDE, P, PRIM_STRIDE, TILE } from './kernel.ts';

/** Grid cell size on a light's plane (m) and the largest grid side. */
export const SHADOW_CELL = 0.04;
export const SHADOW_GRID_MAX = 64;
const NEAR = 1e-3;

/**
 * Reusable output arrays whose lengths only grow, in powers of two: gpu.js compiles a kernel for its
 * argument sizes, so arrays that changed length every frame would recompile it every frame.
 */
export class ListBuffers {
  private readonly arrays = new Map<string, Float32Array>();

  take(name: string, n: number): Float32Array {
    let a = this.arrays.get(name);
    if (!a || a.length < n) {
      let len = 1024;
      while (len < n) len *= 2;
      a = new Float32Array(len);
      this.arrays.set(name, a);
    }
    return a;
  }
}

export interface TileLists {
  tileStart: Float32Array;
  tileCount: Float32Array;
  tileList: Float32Array;
  tilesX: number;
}

export function buildTiles(prims: Float32Array, count: number, cam: Float32Array, width: number, height: number, buf = new ListBuffers()): TileLists {
  const tilesX = Math.ceil(width / TILE), tilesY = Math.ceil(height / TILE);
  const lists: number[][] = Array.from({ length: tilesX * tilesY }, () => []);
  const th = cam[12], ta = cam[12] * cam[13];
  for (let i = 0; i < count; i++) {
    const b = i * PRIM_STRIDE;
    const d0 = prims[b + P.center] - cam[0], d1 = prims[b + P.center + 1] - cam[1], d2 = prims[b + P.center + 2] - cam[2];
    const x = d0 * cam[3] + d1 * cam[4] + d2 * cam[5];
    const y = d0 * cam[6] + d1 * cam[7] + d2 * cam[8];
    const z = d0 * cam[9] + d1 * cam[10] + d2 * cam[11];
    const r = prims[b + P.bound];
    if (z + r <= NEAR) continue; // wholly behind the camera
    // Wholly outside one of the four side planes of the view frustum (planes through the camera).
    const sa = Math.sqrt(1 + ta * ta), sh = Math.sqrt(1 + th * th);
    if ((x - z * ta) / sa > r || (-x - z * ta) / sa > r || (y - z * th) / sh > r || (-y - z * th) / sh > r) continue;
    let tx0 = 0, tx1 = tilesX - 1, ty0 = 0, ty1 = tilesY - 1;
    if (z - r > NEAR) {
      const hi = (c: number) => (c + r >= 0 ? (c + r) / (z - r) : (c + r) / (z + r));
      const lo = (c: number) => (c - r <= 0 ? (c - r) / (z - r) : (c - r) / (z + r));
      const px0 = ((lo(x) / ta + 1) / 2) * width - 1, px1 = ((hi(x) / ta + 1) / 2) * width + 1;
      const py0 = ((1 - hi(y) / th) / 2) * height - 1, py1 = ((1 - lo(y) / th) / 2) * height + 1;
      if (px1 < 0 || py1 < 0 || px0 >= width || py0 >= height) continue;
      tx0 = Math.max(0, Math.floor(px0 / TILE));
      tx1 = Math.min(tilesX - 1, Math.floor(px1 / TILE));
      ty0 = Math.max(0, Math.floor(py0 / TILE));
      ty1 = Math.min(tilesY - 1, Math.floor(py1 / TILE));
    }
    for (let ty = ty0; ty <= ty1; ty++) for (let tx = tx0; tx <= tx1; tx++) lists[ty * tilesX + tx].push(i);
  }
  return packLists(lists, tilesX, buf, 'tile');
}

function packLists(lists: number[][], tilesX: number, buf: ListBuffers, name: string): TileLists {
  const tileStart = buf.take(`${name}Start`, lists.length), tileCount = buf.take(`${name}Count`, lists.length);
  let total = 0;
  lists.forEach((l, i) => { tileStart[i] = total; tileCount[i] = l.length; total += l.length; });
  const tileList = buf.take(`${name}List`, total);
  lists.forEach((l, i) => tileList.set(l, tileStart[i]));
  return { tileStart, tileCount, tileList, tilesX };
}

export interface ShadowGrids {
  grid: Float32Array;
  cellStart: Float32Array;
  cellCount: Float32Array;
  cellList: Float32Array;
}

/** Grids for the directional lights among `lights` (records of LIGHT_STRIDE = 7); point lights get none. */
export function buildShadowGrids(prims: Float32Array, count: number, lights: Float32Array, nLights: number, buf = new ListBuffers()): ShadowGrids {
  const grid = buf.take('grid', Math.max(1, nLights) * GRID_STRIDE);
  const all: number[][] = [];
  for (let l = 0; l < nLights; l++) {
    const lb = l * 7;
    if (lights[lb] > 0.5) continue; // point light: the kernel tests every primitive
    const L = [lights[lb + 1], lights[lb + 2], lights[lb + 3]];
    // An orthonormal pair across the light direction.
    const helper = Math.abs(L[2]) < 0.9 ? [0, 0, 1] : [1, 0, 0];
    let e1 = [L[1] * helper[2] - L[2] * helper[1], L[2] * helper[0] - L[0] * helper[2], L[0] * helper[1] - L[1] * helper[0]];
    const n1 = Math.hypot(e1[0], e1[1], e1[2]);
    e1 = e1.map((v) => v / n1);
    const e2 = [L[1] * e1[2] - L[2] * e1[1], L[2] * e1[0] - L[0] * e1[2], L[0] * e1[1] - L[1] * e1[0]];
    const disc: [number, number, number][] = [];
    let a0 = Infinity, b0 = Infinity, a1 = -Infinity, b1 = -Infinity;
    for (let i = 0; i < count; i++) {
      const b = i * PRIM_STRIDE;
      const c = [prims[b + 1], prims[b + 2], prims[b + 3]];
      const a = c[0] * e1[0] + c[1] * e1[1] + c[2] * e1[2];
      const bb = c[0] * e2[0] + c[1] * e2[1] + c[2] * e2[2];
      const r = prims[b + P.bound];
      disc.push([a, bb, r]);
      a0 = Math.min(a0, a - r); a1 = Math.max(a1, a + r);
      b0 = Math.min(b0, bb - r); b1 = Math.max(b1, bb + r);
    }
    const cell = Math.max(SHADOW_CELL, (a1 - a0) / SHADOW_GRID_MAX, (b1 - b0) / SHADOW_GRID_MAX);
    const nx = Math.max(1, Math.ceil((a1 - a0) / cell)), ny = Math.max(1, Math.ceil((b1 - b0) / cell));
    const first = all.length;
    for (let k = 0; k < nx * ny; k++) all.push([]);
    disc.forEach(([a, bb, r], i) => {
      // The table (segment 1) lies under everything that is drawn, so it shadows nothing.
      if (prims[i * PRIM_STRIDE + P.seg] === 1) return;
      const gx0 = Math.max(0, Math.floor((a - r - a0) / cell)), gx1 = Math.min(nx - 1, Math.floor((a + r - a0) / cell));
      const gy0 = Math.max(0, Math.floor((bb - r - b0) / cell)), gy1 = Math.min(ny - 1, Math.floor((bb + r - b0) / cell));
      for (let gy = gy0; gy <= gy1; gy++) for (let gx = gx0; gx <= gx1; gx++) all[first + gy * nx + gx].push(i);
    });
    grid.set([a0, b0, cell, nx, ny, ...e1, ...e2, first], l * GRID_STRIDE);
  }
  const packed = packLists(all.length ? all : [[]], 0, buf, 'cell');
  return { grid, cellStart: packed.tileStart, cellCount: packed.tileCount, cellList: packed.tileList };
}
