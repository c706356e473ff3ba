// The colour-mapped depth preview (sim/render/images.ts): 8-bit RGB through turbo, near warm and far
// cool, nothing-hit black; the 16-bit millimetre export stays as it was; the README's depth image is
// the preview (a 16-bit millimetre PNG shows black in a browser).
import fs from 'node:fs';
import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { depthPng, depthPreview, depthPreviewPng, turbo } from '../sim/render/images.ts';

/** A 4x1 image: nothing hit, 0.5 m, 1 m, 1.5 m. */
const img = { width: 4, height: 1, rgb: new Uint8Array(12), depth: new Float32Array([0, 0.5, 1, 1.5]) };
const px = (data: ArrayLike<number>, i: number) => [data[3 * i], data[3 * i + 1], data[3 * i + 2]];

describe('depth preview', () => {
  it('maps valid depth through turbo over its range, near red and far blue, and leaves nothing-hit black', () => {
    const d = depthPreview(img);
    expect([d.near, d.far]).toEqual([0.5, 1.5]);
    const png = decode(d.png);
    expect([png.channels, png.depth, png.width, png.height]).toEqual([3, 8, 4, 1]);
    expect(px(png.data, 0)).toEqual([0, 0, 0]);
    // turbo from 0.95 (near) to 0.05 (far): its darkest ends are left out, so no depth reads as black.
    expect(px(png.data, 1)).toEqual(turbo(0.95));
    expect(px(png.data, 2)).toEqual(turbo(0.5));
    expect(px(png.data, 3)).toEqual(turbo(0.05));
    const [near, far] = [px(png.data, 1), px(png.data, 3)];
    expect(near[0]).toBeGreaterThan(near[2]); // warm
    expect(far[2]).toBeGreaterThan(far[0]); // cool
    // A fixed range clamps: 1.5 m beyond far = 1 m gets the far colour.
    const fixed = decode(depthPreviewPng(img, { near: 0.5, far: 1 }));
    expect(px(fixed.data, 3)).toEqual(turbo(0.05));
    for (let i = 1; i < 4; i++) expect(Math.max(...px(png.data, i))).toBeGreaterThan(120);
    expect(() => depthPreviewPng(img, { near: 1, far: 1 })).toThrow(/far .* must be greater than near/);
  });

  it('keeps the 16-bit millimetre export for data', () => {
    const png = decode(depthPng(img));
    expect([png.channels, png.depth]).toEqual([1, 16]);
    expect([...png.data]).toEqual([0, 500, 1000, 1500]);
  });

  it('the README\'s wrist depth image is the colour-mapped preview, not 16-bit millimetres', () => {
    const png = decode(fs.readFileSync('docs/tabletop-wrist.depth.png'));
    expect([png.channels, png.depth]).toEqual([3, 8]);
    let coloured = 0;
    for (let i = 0; i < png.width * png.height; i++) if (png.data[3 * i] + png.data[3 * i + 1] + png.data[3 * i + 2] > 60) coloured++;
    expect(coloured / (png.width * png.height)).toBeGreaterThan(0.4);
  });
});
