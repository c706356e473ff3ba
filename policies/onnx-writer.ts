// Writing small ONNX models from code: the subset of onnx.proto a feed-forward graph needs (field numbers
// as in onnx/onnx.proto, proto2), encoded with protobufjs, and a builder that collects inputs, outputs,
// initializers and nodes and emits a ModelProto (IR version 8, opset 17 by default). Used by
// scripts/make-example-model.ts and the tests' tiny models; tensors are stored as little-endian raw_data.
import protobuf from 'protobufjs';

export const IR_VERSION = 8;
export const DEFAULT_OPSET = 17;

const ONNX_PROTO = `
syntax = "proto2";
package onnx;
message AttributeProto {
  enum AttributeType { UNDEFINED = 0; FLOAT = 1; INT = 2; STRING = 3; FLOATS = 6; INTS = 7; }
  optional string name = 1;
  optional AttributeType type = 20;
  optional float f = 2;
  optional int64 i = 3;
  optional bytes s = 4;
  repeated float floats = 7;
  repeated int64 ints = 8;
}
message ValueInfoProto {
  optional string name = 1;
  optional TypeProto type = 2;
}
message NodeProto {
  repeated string input = 1;
  repeated string output = 2;
  optional string name = 3;
  optional string op_type = 4;
  repeated AttributeProto attribute = 5;
  optional string domain = 7;
}
message StringStringEntryProto {
  optional string key = 1;
  optional string value = 2;
}
message GraphProto {
  repeated NodeProto node = 1;
  optional string name = 2;
  repeated TensorProto initializer = 5;
  repeated ValueInfoProto input = 11;
  repeated ValueInfoProto output = 12;
}
message TensorProto {
  repeated int64 dims = 1;
  optional int32 data_type = 2;
  optional string name = 8;
  optional bytes raw_data = 9;
}
message TensorShapeProto {
  message Dimension {
    oneof value {
      int64 dim_value = 1;
      string dim_param = 2;
    }
  }
  repeated Dimension dim = 1;
}
message TypeProto {
  message Tensor {
    optional int32 elem_type = 1;
    optional TensorShapeProto shape = 2;
  }
  oneof value {
    Tensor tensor_type = 1;
  }
}
message OperatorSetIdProto {
  optional string domain = 1;
  optional int64 version = 2;
}
message ModelProto {
  optional int64 ir_version = 1;
  optional string producer_name = 2;
  optional string producer_version = 3;
  optional string doc_string = 6;
  optional GraphProto graph = 7;
  repeated OperatorSetIdProto opset_import = 8;
  repeated StringStringEntryProto metadata_props = 14;
}
`;

const ModelProto = protobuf.parse(ONNX_PROTO, { keepCase: true }).root.lookupType('onnx.ModelProto');

export type DType = 'float32' | 'int32' | 'int64';
/** A dimension: a fixed size, or a symbolic name such as `"batch"`. */
export type Dim = number | string;
export type TensorData = Float32Array | Int32Array | BigInt64Array;
/**
 * An attribute value: an integer number is INT and a non-integer FLOAT, a string STRING, an array of
 * integers INTS and any other array FLOATS; `{ float }` / `{ floats }` force floats (e.g. `alpha: { float: 1 }`).
 */
export type AttrValue = number | string | readonly number[] | { float: number } | { floats: readonly number[] };

/** TensorProto.DataType codes. */
const DATA_TYPE: Record<DType, number> = { float32: 1, int32: 6, int64: 7 };

export interface ModelOptions {
  opset?: number;
  producer?: string;
  producerVersion?: string;
  doc?: string;
  graphName?: string;
  /** ModelProto.metadata_props, written in key order. */
  metadata?: Record<string, string>;
}

function dtypeOf(data: TensorData): DType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Int32Array) return 'int32';
  return 'int64';
}

/** Row-major elements as fixed-width little-endian bytes (TensorProto.raw_data). */
function rawBytes(data: TensorData): Uint8Array {
  const out = new Uint8Array(data.byteLength);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) {
    if (data instanceof Float32Array) view.setFloat32(i * 4, data[i], true);
    else if (data instanceof Int32Array) view.setInt32(i * 4, data[i], true);
    else view.setBigInt64(i * 8, data[i], true);
  }
  return out;
}

function valueInfo(name: string, dtype: DType, dims: readonly Dim[]) {
  const dim = dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d }));
  return { name, type: { tensor_type: { elem_type: DATA_TYPE[dtype], shape: { dim } } } };
}

const isInt = (x: number) => Number.isInteger(x);

function attribute(name: string, v: AttrValue) {
  if (typeof v === 'string') return { name, type: 'STRING', s: new TextEncoder().encode(v) };
  if (typeof v === 'number') return isInt(v) ? { name, type: 'INT', i: v } : { name, type: 'FLOAT', f: v };
  if ('float' in v) return { name, type: 'FLOAT', f: v.float };
  if ('floats' in v) return { name, type: 'FLOATS', floats: [...v.floats] };
  return v.every(isInt) ? { name, type: 'INTS', ints: [...v] } : { name, type: 'FLOATS', floats: [...v] };
}

/** Collects a graph in order; nodes must be added in topological order. */
export class GraphBuilder {
  private readonly inputs: ReturnType<typeof valueInfo>[] = [];
  private readonly outputs: ReturnType<typeof valueInfo>[] = [];
  private readonly initializers: { name: string; dims: number[]; data_type: number; raw_data: Uint8Array }[] = [];
  private readonly nodes: { input: string[]; output: string[]; name: string; op_type: string; attribute: ReturnType<typeof attribute>[] }[] = [];
  private readonly names = new Set<string>();
  private params = 0;

  private claim(name: string): string {
    if (this.names.has(name)) throw new Error(`onnx-writer: the name "${name}" is already used in this graph`);
    this.names.add(name);
    return name;
  }

  /** A graph input; returns its name. */
  input(name: string, dtype: DType, dims: readonly Dim[]): string {
    this.inputs.push(valueInfo(this.claim(name), dtype, dims));
    return name;
  }

  /** A graph output (a value some node produces); returns its name. */
  output(name: string, dtype: DType, dims: readonly Dim[]): string {
    this.outputs.push(valueInfo(name, dtype, dims));
    return name;
  }

  /** A constant tensor (row-major `data` of shape `dims`); returns its name. */
  initializer(name: string, data: TensorData, dims: readonly number[]): string {
    const n = dims.reduce((a, b) => a * b, 1);
    if (n !== data.length) throw new Error(`onnx-writer: initializer "${name}" has ${data.length} elements but dims [${dims.join(', ')}] hold ${n}`);
    const dtype = dtypeOf(data);
    this.initializers.push({ name: this.claim(name), dims: [...dims], data_type: DATA_TYPE[dtype], raw_data: rawBytes(data) });
    if (dtype === 'float32') this.params += n;
    return name;
  }

  /** A node of the default ONNX domain; returns its first output's name. */
  node(op: string, inputs: readonly string[], outputs: readonly string[], attrs: Record<string, AttrValue> = {}): string {
    for (const o of outputs) this.claim(o);
    const attrList = Object.entries(attrs).map(([k, v]) => attribute(k, v));
    this.nodes.push({ input: [...inputs], output: [...outputs], name: `${op}_${this.nodes.length}`, op_type: op, attribute: attrList });
    return outputs[0];
  }

  /** Elements of the float32 initializers: the model's weights. */
  parameterCount(): number {
    return this.params;
  }

  /** The serialised ModelProto. */
  toModel(o: ModelOptions = {}): Uint8Array {
    const model = {
      ir_version: IR_VERSION,
      producer_name: o.producer ?? 'chaingap',
      producer_version: o.producerVersion,
      doc_string: o.doc,
      graph: { node: this.nodes, name: o.graphName ?? 'graph', initializer: this.initializers, input: this.inputs, output: this.outputs },
      opset_import: [{ domain: '', version: o.opset ?? DEFAULT_OPSET }],
      metadata_props: Object.keys(o.metadata ?? {}).sort().map((key) => ({ key, value: o.metadata![key] })),
    };
    return ModelProto.encode(ModelProto.fromObject(model)).finish();
  }
}

/** Decode a ModelProto (for inspection in tests): plain object, int64 as numbers, enums as names. */
export function decodeModel(bytes: Uint8Array): Record<string, any> {
  return ModelProto.toObject(ModelProto.decode(bytes), { longs: Number, enums: String, bytes: Array, defaults: false });
}
