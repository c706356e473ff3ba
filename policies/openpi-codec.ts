// The msgpack encoding of openpi's websocket protocol (openpi_client/msgpack_numpy.py): numpy arrays
// travel as maps with BIN keys {b"__ndarray__": true, b"data": <raw bytes>, b"dtype": "<f4", b"shape": [..]}.
// @msgpack/msgpack writes only str keys, so atoms go through its Encoder and maps/arrays are framed here.
// Assumes a little-endian host (every platform Node runs on); big-endian arrays are byte-swapped on decode.
import { Decoder, Encoder } from '@msgpack/msgpack';

export type TypedArray =
  | Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array
  | Float32Array | Float64Array | BigInt64Array | BigUint64Array;

type TypedArrayCtor = { new (buffer: ArrayBuffer, byteOffset: number, length: number): TypedArray; BYTES_PER_ELEMENT: number };

/**
 * numpy dtype strings (`dtype.str`) and the typed arrays that hold them. int64/uint64 decode to
 * BigInt64Array/BigUint64Array (lossless; use Number() on the values); bool (`|b1`) to Uint8Array of 0/1.
 */
const DTYPES: Record<string, TypedArrayCtor> = {
  '|u1': Uint8Array, '|b1': Uint8Array, '|i1': Int8Array,
  '<u2': Uint16Array, '<i2': Int16Array, '<u4': Uint32Array, '<i4': Int32Array,
  '<f4': Float32Array, '<f8': Float64Array, '<i8': BigInt64Array, '<u8': BigUint64Array,
};

/** A numpy array: C-order data, numpy dtype string, shape. */
export class NdArray {
  readonly dtype: string;
  constructor(readonly data: TypedArray, readonly shape: number[], dtype?: string) {
    this.dtype = dtype ?? dtypeOf(data);
    if (!DTYPES[this.dtype] || !(data instanceof DTYPES[this.dtype])) throw new Error(`ndarray: dtype ${this.dtype} does not fit a ${data.constructor.name}`);
    const n = shape.reduce((a, b) => a * b, 1);
    if (n !== data.length) throw new Error(`ndarray: shape [${shape.join(', ')}] holds ${n} values but the data has ${data.length}`);
  }
}

/** An NdArray of `data` with `shape` (default 1-D), dtype from the typed array. */
export function ndarray(data: TypedArray, shape: number[] = [data.length]): NdArray {
  return new NdArray(data, shape);
}

function dtypeOf(data: TypedArray): string {
  const found = Object.keys(DTYPES).find((k) => k !== '|b1' && data instanceof DTYPES[k]);
  if (!found) throw new Error(`ndarray: no numpy dtype for ${data.constructor.name}`);
  return found;
}

// ---------------------------------------------------------------- encoding

const encoder = new Encoder();
const utf8 = new TextEncoder();
const atom = (v: unknown): Uint8Array => encoder.encode(v);

/** A map or array header: fix form below 16 entries, else 16- or 32-bit count. */
function header(n: number, fix: number, h16: number, h32: number): Uint8Array {
  if (n < 16) return Uint8Array.of(fix | n);
  if (n < 0x10000) return Uint8Array.of(h16, n >> 8, n & 0xff);
  return Uint8Array.of(h32, n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
}
const mapHeader = (n: number) => header(n, 0x80, 0xde, 0xdf);
const arrayHeader = (n: number) => header(n, 0x90, 0xdc, 0xdd);

/**
 * msgpack bin: the header, then the caller's bytes themselves (the one copy is into the message). An
 * image through the Encoder was copied twice, once into its buffer and again out of it.
 */
function packBin(bytes: Uint8Array, out: Uint8Array[]): void {
  const n = bytes.byteLength;
  out.push(n < 0x100 ? Uint8Array.of(0xc4, n) : n < 0x10000 ? Uint8Array.of(0xc5, n >> 8, n & 0xff) : Uint8Array.of(0xc6, n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff), bytes);
}

/** The bin keys of an ndarray map, encoded once. */
const KEY = { ndarray: atom(utf8.encode('__ndarray__')), data: atom(utf8.encode('data')), dtype: atom(utf8.encode('dtype')), shape: atom(utf8.encode('shape')) };

function packNdArray(a: NdArray, out: Uint8Array[]): void {
  const bytes = new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength);
  out.push(mapHeader(4), KEY.ndarray, atom(true), KEY.data);
  packBin(bytes, out);
  out.push(KEY.dtype, atom(a.dtype), KEY.shape, atom(a.shape));
}

function isPlainObject(v: object): v is Record<string, unknown> {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function packInto(v: unknown, out: Uint8Array[], at: string): void {
  if (v instanceof NdArray) return packNdArray(v, out);
  if (Array.isArray(v)) {
    out.push(arrayHeader(v.length));
    v.forEach((x, i) => packInto(x, out, `${at}[${i}]`));
  } else if (v instanceof Uint8Array) {
    packBin(v, out); // msgpack bin (Python bytes)
  } else if (typeof v !== 'object' || v === null) {
    out.push(atom(v));
  } else if (isPlainObject(v)) {
    const entries = Object.entries(v);
    out.push(mapHeader(entries.length));
    for (const [k, x] of entries) {
      out.push(atom(k));
      packInto(x, out, `${at}.${k}`);
    }
  } else {
    throw new Error(`packOpenpi: cannot encode the ${v.constructor?.name ?? typeof v} at ${at || '(root)'}; wrap typed arrays with ndarray()`);
  }
}

/** msgpack bytes of `value`: plain objects (str keys), NdArray (bin-keyed map), Uint8Array (bin), atoms, arrays. */
export function packOpenpi(value: unknown): Uint8Array {
  const parts: Uint8Array[] = [];
  packInto(value, parts, '');
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let k = 0;
  for (const p of parts) {
    out.set(p, k);
    k += p.length;
  }
  return out;
}

// ---------------------------------------------------------------- decoding

const utf8Decoder = new TextDecoder();
const decoder = new Decoder({
  mapKeyConverter: (key: unknown) => {
    const k = key instanceof Uint8Array ? utf8Decoder.decode(key) : key;
    if (k === '__proto__') throw new Error('unpackOpenpi: the map key __proto__ is not allowed');
    if (typeof k === 'string' || typeof k === 'number') return k;
    throw new Error(`unpackOpenpi: map key of type ${typeof key} is not supported`);
  },
});

/** Byte-swap a big-endian array's bytes into a fresh little-endian buffer. */
function swapBytes(bytes: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += size) for (let j = 0; j < size; j++) out[i + j] = bytes[i + size - 1 - j];
  return out;
}

function toNdArray(m: Record<string, unknown>): NdArray {
  const { data, dtype, shape } = m;
  if (!(data instanceof Uint8Array) || typeof dtype !== 'string' || !Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new Error('unpackOpenpi: an __ndarray__ map needs data (bytes), dtype (str) and shape (list of ints)');
  }
  const bigEndian = dtype.startsWith('>');
  const key = bigEndian ? `<${dtype.slice(1)}` : dtype;
  const Ctor = DTYPES[key];
  if (!Ctor) throw new Error(`unpackOpenpi: numpy dtype ${dtype} is not supported (use one of ${Object.keys(DTYPES).join(' ')})`);
  const size = Ctor.BYTES_PER_ELEMENT;
  const n = (shape as number[]).reduce((a, b) => a * b, 1);
  if (n * size !== data.byteLength) throw new Error(`unpackOpenpi: ndarray of shape [${shape.join(', ')}] and dtype ${dtype} needs ${n * size} bytes, got ${data.byteLength}`);
  // Typed arrays need offsets aligned to their element size: copy otherwise (and when swapping).
  const bytes = bigEndian ? swapBytes(data, size) : data.byteOffset % size ? new Uint8Array(data) : data; // not data.slice(): a Buffer slice is a view
  return new NdArray(new Ctor(bytes.buffer as ArrayBuffer, bytes.byteOffset, n), shape as number[], key);
}

function revive(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(revive);
  if (typeof v !== 'object' || v === null || v instanceof Uint8Array) return v;
  const m = v as Record<string, unknown>;
  if (m.__ndarray__ === true) return toNdArray(m);
  if (m.__npgeneric__ === true) return m.data; // a numpy scalar: its value
  for (const k of Object.keys(m)) m[k] = revive(m[k]);
  return m;
}

/** The bytes of a websocket message as `ws` delivers it (a Buffer, an ArrayBuffer or fragments). */
export function frameBytes(data: Uint8Array | ArrayBuffer | Uint8Array[]): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}

/** A short description of a decoded value for error messages: `<f8 ndarray [5, 8]`, `a list of 3`, `string`. */
export function describeValue(v: unknown): string {
  if (v instanceof NdArray) return `${v.dtype} ndarray [${v.shape.join(', ')}]`;
  if (Array.isArray(v)) return `a list of ${v.length}`;
  return v === null ? 'null' : typeof v === 'object' ? `a map with keys ${Object.keys(v).join(', ') || '(none)'}` : typeof v;
}

/** Decode openpi msgpack bytes: maps become plain objects (bin keys as str), numpy arrays NdArray, numpy scalars plain values. */
export function unpackOpenpi(bytes: Uint8Array): unknown {
  return revive(decoder.decode(bytes));
}
