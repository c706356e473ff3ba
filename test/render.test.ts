// Camera observations: depth equals the analytic distance, segmentation names what is there, light
// direction and occluders change shading the right way, and a fixed scene matches a stored reference.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { decode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Env } from '../sim/env.ts';
import { RayRenderer } from '../sim/render/renderer.ts';
import { cameraRecord, projectPoint, DEFAULT_CAMERAS } from '../sim/render/camera.ts';
import { STUDIO_LIGHTING, type Lighting } from '../sim/render/lights.ts';
import { rgbPng } from '../sim/render/images.ts';
import { findTask } from '../scenes/load.ts';
import { getObjectKind } from '../scenes/objects.ts';
import type { CameraImage } from '../sim/policy.ts';

const SIZE = 128;
const REFERENCE = new URL('./fixtures/render-tabletop-agentview.png', import.meta.url);
const renderer = new RayRenderer({ width: SIZE, height: SIZE, depth: true, segmentation: true });
const env = new Env({ renderer, cameras: ['agentview', 'wrist'] });
let img: CameraImage;
let cam: Float32Array;

beforeAll(async () => {
  const { obs } = await env.reset({ seed: 3, task: findTask('tabletop_soup_on_plate') });
  img = obs.images!.agentview;
  cam = cameraRecord(DEFAULT_CAMERAS.agentview, env.world.robot.tcp, SIZE, SIZE);
});
afterAll(() => env.close());

function psnr(a: Uint8Array, b: Uint8Array): number {
  let se = 0;
  for (let i = 0; i < a.length; i++) se += (a[i] - b[i]) ** 2;
  const mse = se / a.length;
  return mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse);
}

const luma = (im: CameraImage, i: number) => 0.299 * im.rgb[3 * i] + 0.587 * im.rgb[3 * i + 1] + 0.114 * im.rgb[3 * i + 2];

describe('renderer', () => {
  // Whether this process has a GL or WebGPU device, asked of gpu.js itself (not of the renderer under
  // test). A Node test process here never has one: there the fallback is what is checked.
  const { GPU } = createRequire(import.meta.url)('gpu.js') as { GPU: Record<string, boolean> };
  const hasGpu = GPU.isHeadlessGLSupported || GPU.isWebGLSupported || GPU.isWebGL2Supported || GPU.isWebGPUSupported;

  it('a requested GPU device that is not there falls back to the backend it names, says so once, and renders the same image', () => {
    const said: string[] = [];
    const r = new RayRenderer({ width: SIZE, height: SIZE, device: 'gpu', warn: (m) => said.push(m) });
    try {
      if (hasGpu) {
        expect(r.device).toBe('gpu');
        expect(said).toEqual([]);
        return;
      }
      expect(['webasm', 'cpu']).toContain(r.device);
      expect(said).toEqual([`chaingap render: device "gpu" was requested but gpu.js found no GL or WebGPU device in this process; rendering with "${r.device}" instead`]);
      // The fallback renders what the backend it names renders, bit for bit (`img` is the default webasm renderer's).
      let want = img;
      if (r.device !== renderer.device) {
        const direct = new RayRenderer({ width: SIZE, height: SIZE, device: r.device });
        want = direct.render(env.world, ['agentview']).agentview;
        direct.free();
      }
      const got = r.render(env.world, ['agentview']).agentview;
      expect(Buffer.from(got.rgb).equals(Buffer.from(want.rgb))).toBe(true);
      expect(psnr(got.rgb, img.rgb)).toBeGreaterThanOrEqual(40);
    } finally {
      r.free();
    }
  });

  it('without a warn callback the fallback goes to stderr; a backend that exists is used silently', () => {
    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => { written.push(String(chunk)); return true; });
    let fellBack: string, cpu: string, plain: string;
    try {
      const r = new RayRenderer({ width: 16, height: 16, device: 'gpu' });
      fellBack = r.device;
      r.free();
      const c = new RayRenderer({ width: 16, height: 16, device: 'cpu' });
      cpu = c.device;
      c.free();
      const d = new RayRenderer({ width: 16, height: 16 });
      plain = d.device;
      d.free();
    } finally {
      spy.mockRestore();
    }
    const ours = written.join('').split('\n').filter((l) => l.includes('chaingap render'));
    expect(fellBack).toBe(hasGpu ? 'gpu' : 'webasm');
    expect(ours).toEqual(hasGpu ? [] : [`chaingap render: device "gpu" was requested but gpu.js found no GL or WebGPU device in this process; rendering with "${fellBack}" instead`]);
    expect(cpu).toBe('cpu');
    expect(plain).toBe('webasm');
  });

  it('draws a procedural checker texture on the table when asked', () => {
    const r = new RayRenderer({ width: SIZE, height: SIZE, segmentation: true, table: { color: [0.9, 0.9, 0.9], texture: { kind: 'checker', scale: 0.1, color2: [0.1, 0.1, 0.4] } } });
    const im = r.render(env.world, ['agentview']).agentview;
    r.free();
    let light = 0, dark = 0;
    for (let i = 0; i < SIZE * SIZE; i++) {
      if (im.segmentation![i] !== 1) continue;
      if (im.rgb[3 * i + 2] > im.rgb[3 * i] + 40) dark++;
      else if (im.rgb[3 * i] > 120) light++;
    }
    expect(light).toBeGreaterThan(300);
    expect(dark).toBeGreaterThan(300);
  });

  it('the WebAssembly backend hands back its flat buffer, unpacked to the same RGB, depth and segmentation as its per-pixel arrays', () => {
    // A gpu.js that renames or reshapes its output step makes flatOutput false (slower, still right):
    // this test says so instead of letting the speed go quietly.
    expect(renderer.device).toBe('webasm');
    expect(renderer.flatOutput).toBe(true);
    const perPixel = new RayRenderer({ width: SIZE, height: SIZE, depth: true, segmentation: true });
    try {
      // Back to gpu.js's own shaping: one 4-float view per pixel, rows of views.
      delete (perPixel as unknown as { kernel: { kernel: { _shapeOutput?: unknown } } }).kernel.kernel._shapeOutput;
      for (const name of ['agentview', 'wrist']) {
        const a = renderer.render(env.world, [name])[name];
        const b = perPixel.render(env.world, [name])[name];
        expect(Buffer.from(a.rgb).equals(Buffer.from(b.rgb))).toBe(true);
        expect(Buffer.from(a.depth!.buffer).equals(Buffer.from(b.depth!.buffer))).toBe(true);
        expect(Buffer.from(a.segmentation!.buffer).equals(Buffer.from(b.segmentation!.buffer))).toBe(true);
        expect(new Set(a.segmentation).size).toBeGreaterThan(2);
      }
    } finally {
      perPixel.free();
    }
  });

  it('gives RGB, depth and segmentation of the requested size from both cameras', () => {
    expect(img.rgb.length).toBe(SIZE * SIZE * 3);
    expect(img.depth!.length).toBe(SIZE * SIZE);
    expect(env.observe().images!.wrist.segmentation!.length).toBe(SIZE * SIZE);
  });

  it('depth on the table top equals the analytic ray-plane distance within 1 mm', () => {
    let checked = 0;
    for (let y = 0; y < SIZE; y += 7) for (let x = 0; x < SIZE; x += 7) {
      const i = y * SIZE + x;
      if (img.segmentation![i] !== 1) continue;
      // The pixel's ray, as the kernel builds it.
      const u = ((x + 0.5) / SIZE * 2 - 1) * cam[12] * cam[13];
      const v = (1 - (y + 0.5) / SIZE * 2) * cam[12];
      const d = [0, 1, 2].map((k) => cam[9 + k] + u * cam[3 + k] + v * cam[6 + k]);
      const t = -cam[2] / d[2]; // distance to z = 0 in units of d, whose forward component is 1
      // Only rays that meet the top face inside its edges (a pixel of the table's side face is not this face).
      const table = env.world.scene.spec.table;
      const hx = cam[0] + t * d[0], hy = cam[1] + t * d[1];
      if (Math.abs(hx - table.center[0]) > table.size[0] / 2 - 0.01 || Math.abs(hy - table.center[1]) > table.size[1] / 2 - 0.01) continue;
      expect(Math.abs(img.depth![i] - t)).toBeLessThan(0.001);
      checked++;
    }
    expect(checked).toBeGreaterThan(50);
  });

  it('the segmentation id at the projected centre of each visible object is that object', () => {
    const names = renderer.segmentationNames;
    let seen = 0;
    for (const id of env.world.objects.keys()) {
      const { pos } = env.world.objectPose(id);
      const top = getObjectKind(env.world.objects.get(id)!.kind).size[2];
      const p = projectPoint(cam, SIZE, SIZE, [pos[0], pos[1], pos[2] + top * 0.5]);
      const i = Math.round(p.y) * SIZE + Math.round(p.x);
      // Skip an object hidden behind a nearer one at its centre.
      if (img.depth![i] < p.depth - 0.08) continue;
      expect(names.get(img.segmentation![i]), id).toBe(id);
      seen++;
    }
    expect(seen).toBeGreaterThanOrEqual(6);
  });

  it('a light closer to the surface normal brightens the table; an occluder casts a shadow opposite the light', () => {
    const one = (vec: [number, number, number]): Lighting => ({ ...STUDIO_LIGHTING, lights: [{ type: 'directional', vec, color: [1, 1, 1], intensity: 0.8 }] });
    const shot = (l: Lighting) => {
      renderer.lighting = l;
      return renderer.render(env.world, ['agentview']).agentview;
    };
    const high = shot(one([0, 0, 1]));
    const low = shot(one([0, 1, 0.3]));
    const tableMean = (im: CameraImage) => {
      let s = 0, n = 0;
      for (let i = 0; i < SIZE * SIZE; i++) if (im.segmentation![i] === 1) { s += luma(im, i); n++; }
      return s / n;
    };
    expect(tableMean(high)).toBeGreaterThan(tableMean(low) + 5);
    // The soup can (10 cm tall): with the light low from -x, the table just beyond it (towards +x, the
    // camera's side) is in its shadow; with the light from +x the same spot is lit.
    const { pos } = env.world.objectPose('soup');
    const spot = projectPoint(cam, SIZE, SIZE, [pos[0] + 0.06, pos[1], 0]);
    const i = Math.round(spot.y) * SIZE + Math.round(spot.x);
    const fromMinusX = shot(one([-1, 0, 1]));
    const fromPlusX = shot(one([1, 0, 1]));
    renderer.lighting = STUDIO_LIGHTING;
    expect(fromMinusX.segmentation![i]).toBe(1);
    expect(luma(fromPlusX, i)).toBeGreaterThan(luma(fromMinusX, i) + 30);
  });

  it('a point light lights the table near it more than far from it', () => {
    renderer.lighting = { ...STUDIO_LIGHTING, lights: [{ type: 'point', vec: [0.45, -0.3, 0.25], color: [1, 1, 1], intensity: 1.2 }] };
    const im = renderer.render(env.world, ['agentview']).agentview;
    renderer.lighting = STUDIO_LIGHTING;
    const at = (p: [number, number, number]) => {
      const q = projectPoint(cam, SIZE, SIZE, p);
      const i = Math.round(q.y) * SIZE + Math.round(q.x);
      expect(im.segmentation![i]).toBe(1);
      return luma(im, i);
    };
    expect(at([0.45, -0.4, 0])).toBeGreaterThan(at([0.45, 0.42, 0]) + 10);
  });

  it('is bitwise deterministic and matches the stored reference image (PSNR >= 40 dB)', () => {
    const again = renderer.render(env.world, ['agentview']).agentview;
    expect(Buffer.from(again.rgb).equals(Buffer.from(img.rgb))).toBe(true);
    expect(Buffer.from(again.depth!.buffer).equals(Buffer.from(img.depth!.buffer))).toBe(true);
    // Regenerate deliberately (after a reviewed change to the renderer) with UPDATE_REFERENCE=1.
    if (process.env.UPDATE_REFERENCE === '1') fs.writeFileSync(REFERENCE, rgbPng(img));
    expect(fs.existsSync(REFERENCE), 'test/fixtures/render-tabletop-agentview.png is missing; run with UPDATE_REFERENCE=1 to write it').toBe(true);
    const ref = decode(fs.readFileSync(REFERENCE));
    expect([ref.width, ref.height]).toEqual([SIZE, SIZE]);
    expect(psnr(img.rgb, ref.data as Uint8Array)).toBeGreaterThanOrEqual(40);
  });

  it('the cpu backend gives the same image within a stated tolerance', () => {
    const cpu = new RayRenderer({ width: SIZE, height: SIZE, device: 'cpu', segmentation: true });
    const c = cpu.render(env.world, ['agentview']).agentview;
    cpu.free();
    expect(psnr(c.rgb, img.rgb)).toBeGreaterThanOrEqual(40);
    let agree = 0;
    for (let i = 0; i < SIZE * SIZE; i++) if (c.segmentation![i] === img.segmentation![i]) agree++;
    expect(agree / (SIZE * SIZE)).toBeGreaterThan(0.995);
  });
});
