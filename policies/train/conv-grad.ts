// Conv2D gradients for tfjs backends that lack the backprop kernels, built only from forward kernels.
//
// @tensorflow/tfjs-backend-wasm 4.22 registers Conv2D (XNNPACK) and a naive Conv2DBackpropInput, but no
// Conv2DBackpropFilter, so the backward pass of any conv net (tf.conv2d, tf.fused.conv2d, tf.layers.conv2d)
// throws "Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'". This module registers kernels
// for the two backprop ops that are computed with the backend's own forward kernels (Conv2D with explicit
// pads and dilations, Transpose, Reshape, PadV2, Slice, Reverse):
//
//   filter grad  dW[kh,kw,ci,co] = sum_{n,oh,ow} xpad[n, oh*s+kh, ow*s+kw, ci] * dy[n,oh,ow,co]
//                = a stride-1 convolution of x^T ([Cin, H, W, N]: batch and channels swapped) with dy^T
//                  ([OH, OW, N, Cout] used as the filter) at dilation s, output [Cin, KH, KW, Cout].
//   input grad   dx = a stride-1 convolution of dy, zero-inserted (s-1 zeros between rows/cols) and padded
//                  by (K-1-pad) in front, with the filter flipped in space and with in/out channels swapped.
//
// Registering kernels (not a gradient config for Conv2D) matters: tf.fused.conv2d — which tf.layers.conv2d
// uses — has its own custom gradient that calls the Conv2DBackprop* ops directly, so only kernels cover it.
// Layout: NHWC only; dilation 1 (the backprop ops have no dilation attribute); any strides; padding
// 'valid', 'same' (pads computed by tfjs' computeConv2DInfo, i.e. as TF does), a number, or explicit.
//
// Also here, because dense layers hit it in every backward pass: registerMatMulTransposes, which keeps wasm's
// matmul on XNNPACK when an operand is transposed (see there).

import type * as tfjs from '@tensorflow/tfjs';

type Tf = typeof import('@tensorflow/tfjs');
type TensorInfo = tfjs.TensorInfo;
type KernelBackend = tfjs.KernelBackend;
type Pad = tfjs.Conv2DBackpropFilterAttrs['pad'];
type Strides = [number, number] | number;
type DimRounding = 'floor' | 'round' | 'ceil' | undefined;
type Pads4 = [[number, number], [number, number], [number, number], [number, number]];

/** Runs forward kernels of one backend directly (no engine, no tape) and frees the intermediates. */
class KernelRunner {
  private readonly temps: TensorInfo[] = [];
  constructor(
    private readonly tf: Tf,
    readonly backend: KernelBackend,
    private readonly backendName: string,
  ) {}

  run(kernelName: string, inputs: Record<string, TensorInfo>, attrs: Record<string, unknown>): TensorInfo {
    const kernel = this.tf.getKernel(kernelName, this.backendName);
    if (!kernel) throw new Error(`conv-grad: kernel '${kernelName}' is not registered for backend '${this.backendName}'`);
    const out = kernel.kernelFunc({ inputs, backend: this.backend, attrs: attrs as tfjs.NamedAttrMap });
    if (Array.isArray(out)) throw new Error(`conv-grad: kernel '${kernelName}' returned several outputs`);
    this.temps.push(out);
    return out;
  }

  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    return this.run('Transpose', { x }, { perm });
  }
  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.run('Reshape', { x }, { shape });
  }
  slice(x: TensorInfo, begin: number[], size: number[]): TensorInfo {
    return this.run('Slice', { x }, { begin, size });
  }
  pad(x: TensorInfo, paddings: number[][]): TensorInfo {
    return this.run('PadV2', { x }, { paddings, constantValue: 0 });
  }
  reverse(x: TensorInfo, dims: number[]): TensorInfo {
    return this.run('Reverse', { x }, { dims });
  }

  /**
   * Stride-1 NHWC convolution with per-side spatial pads that may be negative (a negative pad crops the
   * input: a Conv2D kernel only takes pads >= 0).
   */
  conv(x: TensorInfo, filter: TensorInfo, pads: [number, number, number, number], dilations: [number, number]): TensorInfo {
    let [top, bottom, left, right] = pads;
    if (top < 0 || bottom < 0 || left < 0 || right < 0) {
      const [n, h, w, c] = x.shape;
      const begin = [0, Math.max(0, -top), Math.max(0, -left), 0];
      const size = [n, h - begin[1] - Math.max(0, -bottom), w - begin[2] - Math.max(0, -right), c];
      x = this.slice(x, begin, size);
      [top, bottom, left, right] = [top, bottom, left, right].map((p) => Math.max(0, p)) as typeof pads;
    }
    const explicit: Pads4 = [[0, 0], [top, bottom], [left, right], [0, 0]];
    return this.run('Conv2D', { x, filter }, {
      strides: [1, 1],
      pad: explicit,
      dataFormat: 'NHWC',
      dilations,
      dimRoundingMode: undefined,
    });
  }

  /** Frees every intermediate except `keep` (the result handed to the caller). */
  release(keep?: TensorInfo): void {
    for (const t of this.temps) if (t !== keep) this.backend.disposeData(t.dataId);
    this.temps.length = 0;
  }
}

interface ConvGeometry {
  batch: number;
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  outC: number;
  kH: number;
  kW: number;
  sH: number;
  sW: number;
  /** Pads of the forward convolution as TF computes them ('same' splits the total, extra at the bottom/right). */
  padTop: number;
  padLeft: number;
}

function geometry(
  tf: Tf,
  xShape: number[],
  filterShape: number[],
  strides: Strides,
  pad: Pad,
  dimRoundingMode: DimRounding,
  dataFormat: string | undefined,
): ConvGeometry {
  if (dataFormat !== undefined && dataFormat !== 'NHWC') {
    throw new Error(`conv-grad: only dataFormat 'NHWC' is supported, got '${dataFormat}'`);
  }
  if (xShape.length !== 4 || filterShape.length !== 4) {
    throw new Error(`conv-grad: expected rank-4 input and filter, got [${xShape}] and [${filterShape}]`);
  }
  if (xShape[3] !== filterShape[2]) {
    throw new Error(`conv-grad: input channels ${xShape[3]} do not match filter in-channels ${filterShape[2]}`);
  }
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  return {
    batch: info.batchSize,
    inH: info.inHeight,
    inW: info.inWidth,
    inC: info.inChannels,
    outH: info.outHeight,
    outW: info.outWidth,
    outC: info.outChannels,
    kH: info.filterHeight,
    kW: info.filterWidth,
    sH: info.strideHeight,
    sW: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

function checkDy(g: ConvGeometry, dyShape: number[]): void {
  const want = [g.batch, g.outH, g.outW, g.outC];
  if (dyShape.length !== 4 || dyShape.some((d, i) => d !== want[i])) {
    throw new Error(`conv-grad: dy has shape [${dyShape}], the convolution's output is [${want}]`);
  }
}

function filterGradInfo(r: KernelRunner, x: TensorInfo, dy: TensorInfo, g: ConvGeometry): TensorInfo {
  // Output row kh reads input rows kh + oh*sH (padded coordinates) for oh < OH, so the padded extent used is
  // (OH-1)*sH + KH; the bottom pad is whatever makes the extent exactly that (negative = crop the input).
  const bottom = (g.outH - 1) * g.sH + g.kH - g.inH - g.padTop;
  const right = (g.outW - 1) * g.sW + g.kW - g.inW - g.padLeft;
  const xT = r.transpose(x, [3, 1, 2, 0]); // [Cin, H, W, N]: channels become the batch, the batch the channels
  const dyT = r.transpose(dy, [1, 2, 0, 3]); // [OH, OW, N, Cout]: dy as a filter
  const g4 = r.conv(xT, dyT, [g.padTop, bottom, g.padLeft, right], [g.sH, g.sW]); // [Cin, KH, KW, Cout]
  return r.transpose(g4, [1, 2, 0, 3]); // [KH, KW, Cin, Cout]
}

function inputGradInfo(r: KernelRunner, dy: TensorInfo, filter: TensorInfo, g: ConvGeometry): TensorInfo {
  const { batch: n, outH, outW, outC, sH, sW } = g;
  // Zero-insert dy: each row/column is followed by s-1 zero rows/columns (also after the last one, which the
  // bottom/right pads below take back).
  let d = dy;
  if (sW > 1) {
    d = r.reshape(d, [n * outH, outW, 1, outC]);
    d = r.pad(d, [[0, 0], [0, 0], [0, sW - 1], [0, 0]]);
    d = r.reshape(d, [n, outH, outW * sW, outC]);
  }
  if (sH > 1) {
    d = r.reshape(d, [n, outH, 1, outW * sW * outC]);
    d = r.pad(d, [[0, 0], [0, 0], [0, sH - 1], [0, 0]]);
    d = r.reshape(d, [n, outH * sH, outW * sW, outC]);
  }
  // Full correlation: dx[i] = sum_k dyDilated[i + k - (K-1-padTop)] * W[K-1-k], over rows 0..H-1.
  const top = g.kH - 1 - g.padTop;
  const left = g.kW - 1 - g.padLeft;
  const bottom = g.inH + g.kH - 1 - top - outH * sH;
  const right = g.inW + g.kW - 1 - left - outW * sW;
  const flipped = r.reverse(filter, [0, 1]); // [KH, KW, Cin, Cout], flipped in space
  const wT = r.transpose(flipped, [0, 1, 3, 2]); // [KH, KW, Cout, Cin]
  return r.conv(d, wT, [top, bottom, left, right], [1, 1]); // [N, H, W, Cin]
}

/** Run `f` with `r`, then free every intermediate `r` made except the result (all of them on an error). */
function keepOnly(r: KernelRunner, f: (r: KernelRunner) => TensorInfo): TensorInfo {
  try {
    const out = f(r);
    r.release(out);
    return out;
  } catch (e) {
    r.release();
    throw e;
  }
}

/** Implementation of the Conv2DBackpropFilter kernel for `backendName`, made of that backend's forward kernels. */
export function conv2DBackpropFilterKernel(tf: Tf, backendName: string): tfjs.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
    const a = attrs as unknown as tfjs.Conv2DBackpropFilterAttrs;
    const g = geometry(tf, x.shape, a.filterShape, a.strides, a.pad, a.dimRoundingMode, a.dataFormat);
    checkDy(g, dy.shape);
    return keepOnly(new KernelRunner(tf, backend as KernelBackend, backendName), (r) => filterGradInfo(r, x, dy, g));
  };
}

/** Implementation of the Conv2DBackpropInput kernel for `backendName`, made of that backend's forward kernels. */
export function conv2DBackpropInputKernel(tf: Tf, backendName: string): tfjs.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
    const a = attrs as unknown as tfjs.Conv2DBackpropInputAttrs;
    const g = geometry(tf, a.inputShape, filter.shape, a.strides, a.pad, a.dimRoundingMode, a.dataFormat);
    checkDy(g, dy.shape);
    return keepOnly(new KernelRunner(tf, backend as KernelBackend, backendName), (r) => inputGradInfo(r, dy, filter, g));
  };
}

export interface ConvGradOptions {
  strides: Strides;
  pad: Pad;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function runDirect(tf: Tf, kernel: tfjs.KernelFunc, inputs: Record<string, tfjs.Tensor>, attrs: object): tfjs.Tensor4D {
  const engine = tf.engine();
  const backend = engine.backend;
  const out = kernel({ inputs, backend, attrs: attrs as tfjs.NamedAttrMap }) as TensorInfo;
  return engine.makeTensorFromTensorInfo(out, backend) as tfjs.Tensor4D;
}

/**
 * dL/dfilter of `tf.conv2d(x, filter, strides, pad)` (NHWC, dilation 1) given dL/dy, computed with this module's
 * forward-kernel construction on the current backend (whichever it is) — bypassing the kernel registry, so it can
 * be compared with a backend's own Conv2DBackpropFilter.
 */
export function conv2dFilterGrad(
  tf: Tf,
  x: tfjs.Tensor4D,
  dy: tfjs.Tensor4D,
  filterShape: [number, number, number, number],
  o: ConvGradOptions,
): tfjs.Tensor4D {
  const attrs: tfjs.Conv2DBackpropFilterAttrs = { ...o, filterShape, dataFormat: 'NHWC' };
  return runDirect(tf, conv2DBackpropFilterKernel(tf, tf.getBackend()), { x, dy }, attrs);
}

/** dL/dx of `tf.conv2d(x, filter, strides, pad)` given dL/dy; see conv2dFilterGrad. */
export function conv2dInputGrad(
  tf: Tf,
  inputShape: [number, number, number, number],
  dy: tfjs.Tensor4D,
  filter: tfjs.Tensor4D,
  o: ConvGradOptions,
): tfjs.Tensor4D {
  const attrs: tfjs.Conv2DBackpropInputAttrs = { ...o, inputShape, dataFormat: 'NHWC' };
  return runDirect(tf, conv2DBackpropInputKernel(tf, tf.getBackend()), { dy, filter }, attrs);
}

const OURS = Symbol.for('chaingap.convGrad');
type Marked = tfjs.KernelConfig & { [OURS]?: true };

function isOurs(tf: Tf, kernelName: string, backendName: string): boolean {
  const k = tf.getKernel(kernelName, backendName) as Marked | undefined;
  return k?.[OURS] === true;
}

function install(tf: Tf, kernelName: string, backendName: string, kernelFunc: tfjs.KernelFunc): void {
  // Unregister first: registerKernel warns when it overwrites a kernel.
  if (tf.getKernel(kernelName, backendName)) tf.unregisterKernel(kernelName, backendName);
  const config: Marked = { kernelName, backendName, kernelFunc, [OURS]: true };
  tf.registerKernel(config);
}

export interface RegisterConvGradientsOptions {
  /** Backend to register for (default 'wasm'). */
  backendName?: string;
  /**
   * Also replace the backend's own Conv2DBackpropInput when it has one. wasm 4.22 has one, a plain C++ loop,
   * and it is the slower: training a 3-conv (16/32/32, 3x3 stride 2) + 2-dense net on 64x64x6 inputs, batch
   * 32, took ~0.093 s a step with it and ~0.06 s with this construction. So the default is true for 'wasm' and
   * false otherwise.
   */
  replaceInput?: boolean;
}

export interface RegisteredConvGradients {
  backendName: string;
  /** Which kernels now run this module's construction on that backend. */
  filter: boolean;
  input: boolean;
}

/**
 * wasm 4.22 runs BatchMatMul/_FusedMatMul through XNNPACK only when neither transposeA nor transposeB is set
 * (and the batch is 1); otherwise it falls to a naive C++ triple loop. The backward pass of every dense layer
 * asks for exactly those transposes (dW = x^T·dy, dx = dy·W^T): for a [32,2048]x[2048,128] layer that is
 * 22 ms (transposeA) and 7.6 ms (transposeB) instead of ~1 ms. This wraps the backend's own kernels so a
 * transposed operand is transposed explicitly first and the kernel then runs untransposed.
 */
export function registerMatMulTransposes(tf: Tf, o: { backendName?: string } = {}): boolean {
  const backendName = o.backendName ?? 'wasm';
  let all = true;
  for (const kernelName of ['BatchMatMul', '_FusedMatMul']) {
    if (isOurs(tf, kernelName, backendName)) continue;
    const original = tf.getKernel(kernelName, backendName);
    if (!original) {
      all = false;
      continue;
    }
    const kernelFunc: tfjs.KernelFunc = ({ inputs, backend, attrs }) => {
      const { transposeA, transposeB } = attrs as { transposeA?: boolean; transposeB?: boolean };
      if (!transposeA && !transposeB) return original.kernelFunc({ inputs, backend, attrs });
      const r = new KernelRunner(tf, backend as KernelBackend, backendName);
      const swapLast2 = (t: TensorInfo) => {
        const perm = t.shape.map((_, i) => i);
        const n = perm.length;
        [perm[n - 2], perm[n - 1]] = [perm[n - 1], perm[n - 2]];
        return r.transpose(t, perm);
      };
      const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
      try {
        const out = original.kernelFunc({
          inputs: { ...inputs, a: transposeA ? swapLast2(a) : a, b: transposeB ? swapLast2(b) : b },
          backend,
          attrs: { ...attrs, transposeA: false, transposeB: false },
        }) as TensorInfo;
        r.release();
        return out;
      } catch (e) {
        r.release();
        throw e;
      }
    };
    tf.unregisterKernel(kernelName, backendName);
    const config: Marked = { ...original, kernelFunc, [OURS]: true };
    tf.registerKernel(config);
  }
  return all;
}

/**
 * Registers Conv2DBackpropFilter (when the backend lacks it) and, optionally, Conv2DBackpropInput kernels made
 * of forward kernels for `backendName`. Idempotent; kernels the backend already has are left alone unless
 * replaceInput says otherwise. Works before or after the backend is initialized (these kernels need no setup).
 */
export function registerConvGradients(tf: Tf, o: RegisterConvGradientsOptions = {}): RegisteredConvGradients {
  const backendName = o.backendName ?? 'wasm';
  const replaceInput = o.replaceInput ?? backendName === 'wasm';
  const names = { filter: 'Conv2DBackpropFilter', input: 'Conv2DBackpropInput' } as const;
  if (!isOurs(tf, names.filter, backendName) && !tf.getKernel(names.filter, backendName)) {
    install(tf, names.filter, backendName, conv2DBackpropFilterKernel(tf, backendName));
  }
  if (!isOurs(tf, names.input, backendName) && (replaceInput || !tf.getKernel(names.input, backendName))) {
    install(tf, names.input, backendName, conv2DBackpropInputKernel(tf, backendName));
  }
  return {
    backendName,
    filter: isOurs(tf, names.filter, backendName),
    input: isOurs(tf, names.input, backendName),
  };
}
