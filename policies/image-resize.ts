// Resizing an RGB camera image to the size a model takes (box filter: each output pixel averages the
// source pixels it covers, with fractional edges). Used when an image arrives at another size than the
// manifest's, e.g. 224x224 LIBERO-preset images sent to a served 64x64 model.
import type { CameraImage } from '../sim/policy.ts';

/** Weights of the source cells [i0, i1) covering output cell k of n over a source of m cells. */
function spans(m: number, n: number): { i0: number; w: number[] }[] {
  const s = m / n;
  return Array.from({ length: n }, (_, k) => {
    const a = k * s, b = (k + 1) * s;
    const i0 = Math.floor(a), i1 = Math.min(m, Math.ceil(b));
    const w: number[] = [];
    for (let i = i0; i < i1; i++) w.push((Math.min(b, i + 1) - Math.max(a, i)) / s);
    return { i0, w };
  });
}

export function resizeRgb(img: CameraImage, width: number, height: number): CameraImage {
  if (img.width === width && img.height === height) return img;
  const xs = spans(img.width, width);
  const ys = spans(img.height, height);
  const src = img.rgb;
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const { i0: y0, w: wy } = ys[y];
    for (let x = 0; x < width; x++) {
      const { i0: x0, w: wx } = xs[x];
      let r = 0, g = 0, b = 0;
      for (let j = 0; j < wy.length; j++) {
        const row = (y0 + j) * img.width;
        for (let i = 0; i < wx.length; i++) {
          const w = wy[j] * wx[i];
          const k = (row + x0 + i) * 3;
          r += w * src[k];
          g += w * src[k + 1];
          b += w * src[k + 2];
        }
      }
      const o = (y * width + x) * 3;
      rgb[o] = Math.min(255, Math.round(r));
      rgb[o + 1] = Math.min(255, Math.round(g));
      rgb[o + 2] = Math.min(255, Math.round(b));
    }
  }
  return { width, height, rgb };
}
