// 2-D helpers on the table plane used by the schema checks and the layout sampler.

import { FIXTURE_DEFS } from './fixture-defs.ts';
import type { FixtureSpec, RegionSpec, Vec2 } from './types.ts';

/** An oriented rectangle on the table plane. */
export interface Rect {
  center: Vec2;
  halfExtents: Vec2;
  yaw: number;
}

/**
 * The rectangle a fixture occupies. With `withSwing`, it also covers the zone in front of the fixture
 * (towards its local -x) that its drawer / door sweeps.
 */
export function fixtureRect(f: Pick<FixtureSpec, 'kind' | 'pos' | 'yaw'>, withSwing: boolean): Rect {
  const def = FIXTURE_DEFS[f.kind];
  const fp = def.footprint;
  const swing = withSwing ? def.swing : 0;
  // Local x runs from -depth/2 - swing to +depth/2.
  const localCx = -swing / 2;
  const c = Math.cos(f.yaw);
  const s = Math.sin(f.yaw);
  return {
    center: [f.pos[0] + c * localCx, f.pos[1] + s * localCx],
    halfExtents: [fp.depth / 2 + swing / 2, fp.width / 2],
    yaw: f.yaw,
  };
}

export function regionRect(r: RegionSpec): Rect {
  return { center: r.center, halfExtents: r.halfExtents, yaw: 0 };
}

/** Distance from point p to the rectangle (0 when inside). */
export function pointRectDistance(p: Vec2, r: Rect): number {
  const dx = p[0] - r.center[0];
  const dy = p[1] - r.center[1];
  const c = Math.cos(r.yaw);
  const s = Math.sin(r.yaw);
  const lx = c * dx + s * dy;
  const ly = -s * dx + c * dy;
  const ex = Math.max(0, Math.abs(lx) - r.halfExtents[0]);
  const ey = Math.max(0, Math.abs(ly) - r.halfExtents[1]);
  return Math.hypot(ex, ey);
}

function corners(r: Rect): Vec2[] {
  const c = Math.cos(r.yaw);
  const s = Math.sin(r.yaw);
  const out: Vec2[] = [];
  for (const [sx, sy] of [[-1, -1], [1, -1], [1, 1], [-1, 1]]) {
    const lx = sx * r.halfExtents[0];
    const ly = sy * r.halfExtents[1];
    out.push([r.center[0] + c * lx - s * ly, r.center[1] + s * lx + c * ly]);
  }
  return out;
}

/** True when the two rectangles, each grown by `margin`, overlap with positive area (separating axes). */
export function rectsOverlap(a: Rect, b: Rect, margin = 0): boolean {
  const ca = corners(a);
  const cb = corners(b);
  for (const r of [a, b]) {
    for (const axis of [r.yaw, r.yaw + Math.PI / 2]) {
      const ux = Math.cos(axis);
      const uy = Math.sin(axis);
      let aMin = Infinity, aMax = -Infinity, bMin = Infinity, bMax = -Infinity;
      for (const p of ca) { const d = p[0] * ux + p[1] * uy; aMin = Math.min(aMin, d); aMax = Math.max(aMax, d); }
      for (const p of cb) { const d = p[0] * ux + p[1] * uy; bMin = Math.min(bMin, d); bMax = Math.max(bMax, d); }
      if (aMax + margin <= bMin || bMax + margin <= aMin) return false;
    }
  }
  return true;
}

/** Axis-aligned bounds [xmin, xmax, ymin, ymax] of a rectangle. */
export function rectBounds(r: Rect): [number, number, number, number] {
  const cs = corners(r);
  const xs = cs.map((p) => p[0]);
  const ys = cs.map((p) => p[1]);
  return [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
}

/** True when rectangle `inner` lies inside the axis-aligned rectangle given by centre and size (with tolerance). */
export function rectInsideAxisBox(inner: Rect, center: Vec2, size: Vec2, eps = 1e-9): boolean {
  const [x0, x1, y0, y1] = rectBounds(inner);
  return (
    x0 >= center[0] - size[0] / 2 - eps &&
    x1 <= center[0] + size[0] / 2 + eps &&
    y0 >= center[1] - size[1] / 2 - eps &&
    y1 <= center[1] + size[1] / 2 + eps
  );
}
