// A table region's rectangles: its main one and any `extra` ones (LIBERO's several :ranges). Drawing a
// point picks a rectangle uniformly (as LIBERO's MultiRegionRandomSampler picks a range by index),
// then a point uniformly inside it; a point is in the region when it is in any rectangle.
import type { RegionRect, RegionSpec, Vec2 } from './types.ts';

export function regionRects(r: RegionSpec): RegionRect[] {
  return r.extra?.length ? [{ center: r.center, halfExtents: r.halfExtents }, ...r.extra] : [r];
}

/** True when `p` lies in one of the region's rectangles (edges included), grown by `margin` on each side. */
export function regionContains(r: RegionSpec, p: Vec2, margin = 0): boolean {
  return regionRects(r).some((q) => Math.abs(p[0] - q.center[0]) <= q.halfExtents[0] + margin && Math.abs(p[1] - q.center[1]) <= q.halfExtents[1] + margin);
}

/**
 * The rectangle a draw uses. Consumes one number of `rng` only when the region has extra rectangles,
 * so single-rectangle regions draw exactly as before they could have more.
 */
export function pickRegionRect(r: RegionSpec, rng: () => number): RegionRect {
  if (!r.extra?.length) return r;
  const rects = regionRects(r);
  return rects[Math.min(rects.length - 1, Math.floor(rng() * rects.length))];
}
