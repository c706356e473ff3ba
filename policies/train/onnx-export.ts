// The trained tiny-vla network as an ONNX graph of standard ops (opset 17) that the ONNX host runs from its
// manifest: two NCHW camera images (already normalised by the host from the manifest's mean/std) are
// concatenated on channels, the three convolutions and the dense layers use the tfjs weights re-laid for
// ONNX (conv kernels [h,w,in,out] -> OIHW, dense kernels kept [in,out] for Gemm), the feature map is put
// back to NHWC before flattening so the flatten order is the one the dense layer was trained on, and the
// instruction's int64 token ids become the one-hot vector the network was trained on (OneHot + Reshape).
// Padding 'same' is written as explicit pads, split as TensorFlow splits them (the odd pixel at the end).
import type * as tfjs from '@tensorflow/tfjs';
import { GraphBuilder, type Dim } from '../onnx-writer.ts';
import type { VlaModelSpec } from './vla-model.ts';

/** Names of the exported graph's inputs and output (the manifest refers to them). */
export const VLA_ONNX = { agentview: 'agentview', wrist: 'wrist', state: 'state', tokens: 'tokens', actions: 'actions' } as const;

/** TensorFlow's 'same' padding along one axis: [before, after]. */
export function samePads(size: number, kernel: number, stride: number): [number, number] {
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + kernel - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/** Conv kernel [h, w, in, out] (tfjs) as [out, in, h, w] (ONNX). */
function ohwiFromHwio(data: Float32Array, [h, w, ci, co]: number[]): Float32Array {
  const out = new Float32Array(data.length);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++) {
    out[((o * ci + i) * h + y) * w + x] = data[((y * w + x) * ci + i) * co + o];
  }
  return out;
}

/** The layer weights of a built tiny-vla model by layer name: [kernel, bias] with their shapes. */
function layerWeights(model: tfjs.LayersModel): Map<string, { kernel: Float32Array; kshape: number[]; bias: Float32Array }> {
  const m = new Map<string, { kernel: Float32Array; kshape: number[]; bias: Float32Array }>();
  for (const layer of model.layers) {
    const w = layer.getWeights();
    if (w.length !== 2) continue;
    m.set(layer.name, { kernel: w[0].dataSync() as Float32Array, kshape: w[0].shape, bias: w[1].dataSync() as Float32Array });
  }
  return m;
}

export interface VlaOnnxOptions {
  /** Written into the model's metadata_props. */
  metadata?: Record<string, string>;
  doc?: string;
}

/** Serialise a trained tiny-vla model (built by buildVlaModel with `spec`) as ONNX bytes. */
export function exportVlaOnnx(model: tfjs.LayersModel, spec: VlaModelSpec, o: VlaOnnxOptions = {}): { bytes: Uint8Array; parameters: number } {
  const W = layerWeights(model);
  const get = (name: string) => {
    const l = W.get(name);
    if (!l) throw new Error(`onnx-export: the model has no layer "${name}" with a kernel and a bias; was it built by buildVlaModel?`);
    return l;
  };
  const g = new GraphBuilder();
  const S = spec.imageSize;
  const batch: Dim = 'batch';
  const a = g.input(VLA_ONNX.agentview, 'float32', [batch, 3, S, S]);
  const wr = g.input(VLA_ONNX.wrist, 'float32', [batch, 3, S, S]);
  const st = g.input(VLA_ONNX.state, 'float32', [batch, spec.stateSize]);
  const tk = g.input(VLA_ONNX.tokens, 'int64', [batch, spec.tokens]);

  let x = g.node('Concat', [a, wr], ['images'], { axis: 1 });
  let size = S;
  const filters = spec.convFilters ?? [16, 32, 32];
  filters.forEach((_, i) => {
    const l = get(`conv${i}`);
    const [kh, kw] = l.kshape;
    const [pt, pb] = samePads(size, kh, 2), [pl, pr] = samePads(size, kw, 2);
    const wname = g.initializer(`conv${i}.weight`, ohwiFromHwio(l.kernel, l.kshape), [l.kshape[3], l.kshape[2], kh, kw]);
    const bname = g.initializer(`conv${i}.bias`, l.bias, [l.bias.length]);
    x = g.node('Conv', [x, wname, bname], [`conv${i}`], { kernel_shape: [kh, kw], strides: [2, 2], pads: [pt, pl, pb, pr] });
    x = g.node('Relu', [x], [`conv${i}.relu`]);
    size = Math.ceil(size / 2);
  });
  x = g.node('Transpose', [x], ['features_nhwc'], { perm: [0, 2, 3, 1] });
  const flatShape = g.initializer('flatten.shape', new BigInt64Array([0n, -1n]), [2]);
  x = g.node('Reshape', [x, flatShape], ['flatten']);

  const dense = (input: string, layer: string, relu: boolean): string => {
    const l = get(layer);
    const wname = g.initializer(`${layer}.weight`, l.kernel, l.kshape);
    const bname = g.initializer(`${layer}.bias`, l.bias, [l.bias.length]);
    const y = g.node('Gemm', [input, wname, bname], [layer]);
    return relu ? g.node('Relu', [y], [`${layer}.relu`]) : y;
  };
  const vision = dense(x, 'vision', true);
  const stateF = dense(st, 'state_fc', true);
  const depth = g.initializer('onehot.depth', new BigInt64Array([BigInt(spec.vocabSize)]), [1]);
  const values = g.initializer('onehot.values', new Float32Array([0, 1]), [2]);
  const oh = g.node('OneHot', [tk, depth, values], ['tokens_onehot3'], { axis: -1 });
  const ohFlat = g.node('Reshape', [oh, flatShape], ['tokens_onehot']);
  const text = dense(ohFlat, 'text_fc', true);
  const fused = g.node('Concat', [vision, stateF, text], ['fuse'], { axis: 1 });
  const hidden = dense(fused, 'hidden', true);
  const flat = dense(hidden, 'actions_flat', false);
  const outShape = g.initializer('actions.shape', new BigInt64Array([0n, BigInt(spec.horizon), BigInt(spec.actionSize)]), [3]);
  g.node('Reshape', [flat, outShape], [VLA_ONNX.actions]);
  g.output(VLA_ONNX.actions, 'float32', [batch, spec.horizon, spec.actionSize]);
  return { bytes: g.toModel({ graphName: 'tiny_vla', doc: o.doc, metadata: o.metadata }), parameters: g.parameterCount() };
}
