// The camera renderer: plugs into the env's `ObservationRenderer` seam. For each camera it builds the
// scene's primitive buffer from the physics world, runs the ray-casting kernel through gpu.js, and
// unpacks RGB (uint8, HWC), depth (float32 metres along the optical axis, 0 where nothing is hit) and
// segmentation ids (int32; names in `segmentationNames`).
import { createRequire } from 'node:module';
import type { CameraImage } from '../policy.ts';
import type { ObservationRenderer } from '../env.ts';
import type { SimWorld } from '../world.ts';
import { castKernel, hitLocal, textureWeight, MAX_LIGHTS, MAX_PRIMS, PRIM_STRIDE } from './kernel.ts';
import { cameraRecord, DEFAULT_CAMERAS, type CameraSpec } from './camera.ts';
import { lightingRecords, STUDIO_LIGHTING, type Lighting } from './lights.ts';
import { sceneBuffer, type Material } from './scene-buffer.ts';
import { buildShadowGrids, buildTiles, ListBuffers } from './culling.ts';
import { oodCamera, oodLighting, oodTable } from './ood-render.ts';

const require = createRequire(import.meta.url);

/** gpu.js backends: `webasm` (default in Node: WebAssembly), `cpu` (plain JS), `gpu` (a GL/WebGPU device when one exists). */
export type RenderDevice = 'webasm' | 'cpu' | 'gpu';

export interface RendererOptions {
  width?: number;
  height?: number;
  device?: RenderDevice;
  cameras?: Record<string, CameraSpec>;
  lighting?: Lighting;
  /** Also return depth and segmentation (default false: RGB only, the policy's usual input). */
  depth?: boolean;
  segmentation?: boolean;
  table?: Material;
  /** Where to say why a requested device fell back (default: stderr). */
  warn?: (msg: string) => void;
}

interface GpuKernel {
  (...args: unknown[]): Float32Array[][] | Float32Array;
  setOutput(o: number[]): void;
  destroy?(): void;
}

export class RayRenderer implements ObservationRenderer {
  readonly width: number;
  readonly height: number;
  device: RenderDevice;
  readonly cameras: Record<string, CameraSpec>;
  lighting: Lighting;
  private readonly gpu: { createKernel: (...a: unknown[]) => GpuKernel; destroy?: () => void; mode: string };
  /** The backend actually in use (a requested `gpu` falls back where there is none). */
  private readonly kernel: GpuKernel;
  private readonly prims = new Float32Array(MAX_PRIMS * PRIM_STRIDE);
  private readonly cam = new Float32Array(14);
  private segNames = new Map<number, string>();
  private readonly lists = new ListBuffers();
  /** Whether the kernel hands back its flat output buffer (RGB-D-S-0 per pixel, rows top down). */
  readonly flatOutput: boolean;

  constructor(private readonly opts: RendererOptions = {}) {
    this.width = opts.width ?? 128;
    this.height = opts.height ?? 128;
    this.cameras = { ...DEFAULT_CAMERAS, ...opts.cameras };
    this.lighting = opts.lighting ?? STUDIO_LIGHTING;
    const { GPU } = require('gpu.js') as { GPU: new (o: { mode: string }) => RayRenderer['gpu'] };
    const wanted = opts.device ?? 'webasm';
    this.gpu = new GPU({ mode: wanted });
    this.kernel = this.gpu.createKernel(castKernel, {
      output: [this.width, this.height],
      returnType: 'Array(4)',
      loopMaxIterations: MAX_PRIMS,
      functions: [hitLocal, textureWeight],
      tactic: 'precision',
      dynamicArguments: true,
    });
    void MAX_LIGHTS;
    // gpu.js settles the backend when it builds the kernel: a requested GPU mode without a GL or
    // WebGPU device quietly becomes WebAssembly. Say so.
    const built = (this.gpu as unknown as { Kernel?: { mode?: string } }).Kernel?.mode ?? this.gpu.mode;
    this.device = built === 'webasm' || built === 'cpu' ? built : 'gpu';
    if (wanted === 'gpu' && this.device !== 'gpu') {
      (opts.warn ?? ((m) => process.stderr.write(m + '\n')))(`chaingap render: device "gpu" was requested but gpu.js found no GL or WebGPU device in this process; rendering with "${this.device}" instead`);
    }
    // gpu.js's WebAssembly backend computes every pixel into one flat buffer, then cuts it into a
    // 4-float view per pixel (32k objects for two 128x128 cameras, ~12% of a render). Take the flat
    // buffer instead; unpack reads either shape, so a gpu.js that changes this (or a kernel it swaps
    // in, such as the cpu fallback) still renders correctly, only slower.
    const inner = (this.kernel as unknown as { kernel?: { _shapeOutput?: unknown } }).kernel;
    this.flatOutput = this.device === 'webasm' && typeof inner?._shapeOutput === 'function';
    if (this.flatOutput) inner!._shapeOutput = (data: Float32Array) => data;
  }

  /** Segmentation id -> name for the last rendered world. */
  get segmentationNames(): ReadonlyMap<number, string> {
    return this.segNames;
  }

  render(world: SimWorld, cameras: readonly string[]): Record<string, CameraImage> {
    // The visual OOD axes of this reset, if any (lighting, the agentview camera, the table's look).
    const ood = world.scene.ood?.render;
    const table = this.opts.table ?? (ood?.texture ? oodTable(ood.texture) : undefined);
    const scene = sceneBuffer(world, this.prims, table);
    this.segNames = scene.segNames;
    const l = lightingRecords(ood?.lighting ? oodLighting(this.lighting, ood.lighting) : this.lighting);
    // Shadow grids depend on the scene and the lights, not on the camera: once per render call.
    const g = buildShadowGrids(this.prims, scene.count, l.lights, l.count, this.lists);
    const out: Record<string, CameraImage> = {};
    for (const name of cameras) {
      let spec = this.cameras[name];
      if (!spec) throw new Error(`unknown camera "${name}"; cameras: ${Object.keys(this.cameras).join(', ')}`);
      if (ood?.camera && name === 'agentview') spec = oodCamera(spec, ood.camera);
      cameraRecord(spec, world.robot.tcp, this.width, this.height, this.cam);
      const t = buildTiles(this.prims, scene.count, this.cam, this.width, this.height, this.lists);
      const rows = this.kernel(this.prims, scene.count, this.cam, l.lights, l.count, l.env, t.tileStart, t.tileCount, t.tileList, t.tilesX, g.grid, g.cellStart, g.cellCount, g.cellList);
      out[name] = this.unpack(rows);
    }
    return out;
  }

  private unpack(rows: Float32Array[][] | Float32Array): CameraImage {
    const W = this.width, H = this.height;
    const rgb = new Uint8Array(W * H * 3);
    const wantDepth = this.opts.depth ?? false;
    const wantSeg = this.opts.segmentation ?? false;
    const depth = wantDepth ? new Float32Array(W * H) : undefined;
    const seg = wantSeg ? new Int32Array(W * H) : undefined;
    if (rows instanceof Float32Array) {
      // Packed RGB is a whole number below 2^24, exact in float32 (a Uint8Array store keeps the low byte).
      const n = W * H;
      for (let j = 0, o = 0; o < n * 3; j += 4, o += 3) {
        const packed = rows[j] | 0;
        rgb[o] = packed >>> 16;
        rgb[o + 1] = packed >>> 8;
        rgb[o + 2] = packed;
      }
      if (depth) for (let i = 0; i < n; i++) depth[i] = rows[i * 4 + 1];
      if (seg) for (let i = 0; i < n; i++) seg[i] = rows[i * 4 + 2];
      return this.image(rgb, depth, seg);
    }
    for (let y = 0; y < H; y++) {
      const row = rows[y];
      for (let x = 0; x < W; x++) {
        const px = row[x];
        const i = y * W + x;
        const packed = px[0];
        rgb[i * 3] = Math.floor(packed / 65536);
        rgb[i * 3 + 1] = Math.floor(packed / 256) % 256;
        rgb[i * 3 + 2] = packed % 256;
        if (depth) depth[i] = px[1];
        if (seg) seg[i] = px[2];
      }
    }
    return this.image(rgb, depth, seg);
  }

  private image(rgb: Uint8Array, depth?: Float32Array, seg?: Int32Array): CameraImage {
    const img: CameraImage = { width: this.width, height: this.height, rgb };
    if (depth) img.depth = depth;
    if (seg) img.segmentation = seg;
    return img;
  }

  free(): void {
    this.kernel.destroy?.();
    this.gpu.destroy?.();
  }
}
