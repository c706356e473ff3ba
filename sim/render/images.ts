// Camera images to PNG (through fast-png): RGB as is, depth as 16-bit grey in millimetres, and
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
