// Camera images to PNG (through fast-png): RGB as is, depth as 16-bit grey in millimetres (data: exact,
// but near-black in an image viewer) or colour-mapped with turbo for people to look at, and
// segmentation ids in a fixed colour palette, so they can be looked at and compared.
import { encode } from 'fast-png';
import type { CameraImage } from '../policy.ts';

export function rgbPng(img: CameraImage): Uint8Array {
  return encode({ width: img.width, height: img.height, data: img.rgb, channels: 3 });
}

/** Depth as a 16-bit greyscale PNG in millimetres (0 = nothing hit). */
export function depthPng(img: CameraImage): Uint8Array {
  if (!img.depth) throw new Error('the image has no depth channel (render with depth on)');
  const d = new Uint16Array(img.width * img.height);
  for (let i = 0; i < d.length; i++) d[i] = Math.min(65535, Math.round(img.depth[i] * 1000));
  return encode({ width: img.width, height: img.height, data: d, channels: 1, depth: 16 });
}

/**
 * Google's Turbo colormap (Mikhailov 2019, Apache-2.0) as its published polynomial approximation:
 * t in [0, 1] (clamped) -> RGB 0..255, dark blue at 0 through green to dark red at 1; perceptually
 * ordered, so nearer and farther read at a glance.
 */
export function turbo(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, t));
  const r = 0.13572138 + x * (4.6153926 + x * (-42.66032258 + x * (132.13108234 + x * (-152.94239396 + x * 59.28637943))));
  const g = 0.09140261 + x * (2.19418839 + x * (4.84296658 + x * (-14.18503333 + x * (4.27729857 + x * 2.82956604))));
  const b = 0.1066733 + x * (12.64194608 + x * (-60.58204836 + x * (110.36276771 + x * (-89.90310912 + x * 27.34824973))));
  const c = (v: number) => Math.round(255 * Math.min(1, Math.max(0, v)));
  return [c(r), c(g), c(b)];
}

/** The part of turbo a depth preview uses: its darkest ends are left out, so no depth reads as "nothing hit" black. */
const PREVIEW_LO = 0.05, PREVIEW_HI = 0.95;

export interface DepthPreviewOptions {
  /** Depth (m) drawn at the near end of the colormap (default: the nearest valid pixel). */
  near?: number;
  /** Depth (m) drawn at the far end (default: the farthest valid pixel); deeper pixels get the far colour. */
  far?: number;
  /** Near is red and far blue (default true, as depth previews usually are); false: near blue, far red. */
  nearIsWarm?: boolean;
}

/**
 * Depth colour-mapped for people: an 8-bit RGB PNG through the turbo colormap (its 0.05..0.95 part, so
 * that no depth is near black) over [near, far] metres (by default the range of the valid pixels; depths
 * outside it get the end colours), pixels where nothing was hit (0, NaN or Inf) black. For
 * the numbers use `depthPng` (16-bit millimetres); this is a picture only.
 */
export function depthPreviewPng(img: CameraImage, o: DepthPreviewOptions = {}): Uint8Array {
  return depthPreview(img, o).png;
}

/** `depthPreviewPng` with the range it used (metres), for a caption or a legend. */
export function depthPreview(img: CameraImage, o: DepthPreviewOptions = {}): { png: Uint8Array; near: number; far: number } {
  const depth = img.depth;
  if (!depth) throw new Error('the image has no depth channel (render with depth on)');
  const valid = (d: number) => Number.isFinite(d) && d > 0;
  let lo = Infinity, hi = -Infinity;
  for (const d of depth) if (valid(d)) { lo = Math.min(lo, d); hi = Math.max(hi, d); }
  const near = o.near ?? (Number.isFinite(lo) ? lo : 0);
  // One depth everywhere (or none): a range of 1 m above it, so the default never refuses an image.
  const far = o.far ?? (Number.isFinite(hi) && hi > near ? hi : near + 1);
  if (!(far > near)) throw new Error(`depth preview: far (${far}) must be greater than near (${near})`);
  const warm = o.nearIsWarm ?? true;
  const rgb = new Uint8Array(img.width * img.height * 3);
  for (let i = 0; i < depth.length; i++) {
    const d = depth[i];
    if (!valid(d)) continue;
    const t = Math.min(1, Math.max(0, (d - near) / (far - near)));
    rgb.set(turbo(PREVIEW_LO + (PREVIEW_HI - PREVIEW_LO) * (warm ? 1 - t : t)), i * 3);
  }
  return { png: encode({ width: img.width, height: img.height, data: rgb, channels: 3 }), near, far };
}

/** A distinct colour per segmentation id (0 is black). */
export function segColor(id: number): [number, number, number] {
  if (id === 0) return [0, 0, 0];
  const h = (id * 0.618033988749895) % 1;
  const f = (n: number) => {
    const k = (n + h * 6) % 6;
    return Math.round(255 * (1 - 0.65 * Math.max(0, Math.min(k, 4 - k, 1))));
  };
  return [f(5), f(3), f(1)];
}

export function segmentationPng(img: CameraImage): Uint8Array {
  if (!img.segmentation) throw new Error('the image has no segmentation channel (render with segmentation on)');
  const rgb = new Uint8Array(img.width * img.height * 3);
  for (let i = 0; i < img.segmentation.length; i++) rgb.set(segColor(img.segmentation[i]), i * 3);
  return encode({ width: img.width, height: img.height, data: rgb, channels: 3 });
}

/** Frames side by side in rows of `columns` (RGB only), `gap` pixels of white between them. */
export function contactSheet(frames: readonly CameraImage[], columns = frames.length, gap = 2): CameraImage {
  if (!frames.length) throw new Error('a contact sheet needs at least one frame');
  const w = frames[0].width, h = frames[0].height;
  const cols = Math.max(1, Math.min(columns, frames.length));
  const rows = Math.ceil(frames.length / cols);
  const W = cols * w + (cols - 1) * gap, H = rows * h + (rows - 1) * gap;
  const rgb = new Uint8Array(W * H * 3).fill(255);
  frames.forEach((f, k) => {
    if (f.width !== w || f.height !== h) throw new Error('contact sheet frames must share one size');
    const ox = (k % cols) * (w + gap), oy = Math.floor(k / cols) * (h + gap);
    for (let y = 0; y < h; y++) rgb.set(f.rgb.subarray(y * w * 3, (y + 1) * w * 3), ((oy + y) * W + ox) * 3);
  });
  return { width: W, height: H, rgb };
}
