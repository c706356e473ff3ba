// Policies by name, for the CLI and the runners: `expert`, `bernoulli:<p>`, `noisy-expert:<sigma>`,
// `onnx:<model.onnx>` (a model with its manifest, run in-process) and `ws://host:port` (a policy served
// over openpi's websocket protocol). A spec is parsed (and checked) at once; `open` loads the model or
// connects. Bad specs throw a PolicyError naming the problem and the fix.
import { existsSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { closestNames } from '../scenes/objects.ts';
import type { Policy } from '../sim/policy.ts';
import type { PrivilegedState } from '../sim/privileged.ts';
import { BernoulliPolicy } from './bernoulli.ts';
import { ExpertPolicy } from './expert.ts';
import { NoisyExpertPolicy } from './noisy-expert.ts';
import { PolicyError } from './policy-error.ts';
import { BatchGate } from './batch-gate.ts';
import type { CameraNeed, ChunkModel } from './chunk-model.ts';
import { ChunkedPolicy } from './chunked-policy.ts';
import { loadManifest } from './onnx-manifest.ts';
import { OnnxChunkModel, type OnnxDevice } from './onnx-model.ts';
import type { ObsPreset } from './obs-preset.ts';
import { RemoteChunkModel, checkWebsocketUrl } from './remote-model.ts';

/** How to open a policy: device for ONNX models, connection settings for remote ones. */
export interface PolicyOpenOptions {
  /** ONNX execution provider (default `auto`: the manifest's preference, falling back to CPU). */
  device?: OnnxDevice;
  /**
   * ONNX on CPU: onnxruntime's intra-op threads (default: its own choice, one per core). 1 keeps the
   * model call on the calling thread, which is what a run pinned to one core, or one sweep worker per
   * core, wants: a pool of spinning threads on a shared core only competes with the env.
   */
  threads?: number;
  /** Remote: per-call timeout (ms, default 30000). */
  timeoutMs?: number;
  /** Remote: API key sent as `Authorization: Api-Key <key>`. */
  apiKey?: string;
  /** Remote: observation keys and state layout (default the LIBERO preset). */
  preset?: ObsPreset;
  /** Learned policies: actions executed per chunk before re-planning (default: the manifest's, or 5 for remote). */
  execute?: number;
  /** Learned policies: temporal-ensembling decay (ACT); null turns it off (default: the manifest's). */
  ensembleDecay?: number | null;
  /**
   * Learned policies run in several envs side by side (`batch`): split those lanes into this many groups,
   * each with its own batch gate and model calls, so one group's envs step while another group's call is
   * in flight (default 1: every lane waits for one call per tick). Pays off when the call does not hold
   * this process's thread, as a remote policy's does not; results are the same either way.
   */
  laneGroups?: number;
  /** Where one-line notices (device fallback, reconnects) go; default stderr. */
  log?: (line: string) => void;
}

/** An opened policy: makes one policy per env (lane); learned ones share one model and its batch gate. */
export interface PolicyHost {
  /** Cameras each observation must carry, at these sizes (none for simulator-state policies). */
  cameras: CameraNeed[];
  /** A fresh policy acting in the env whose privileged state this is. */
  make(privileged: PrivilegedState): Policy;
  /** The batch gate of a learned policy (calls and rows, for benchmarks): the first of `gates`. */
  gate?: BatchGate;
  /** All its batch gates, one per lane group (PolicyOpenOptions.laneGroups); lanes are dealt to them in turn. */
  gates?: BatchGate[];
  /** The model behind a learned policy. */
  model?: ChunkModel;
  close(): Promise<void>;
}

export interface PolicyEntry {
  /** Canonical id, e.g. `bernoulli:0.9` (also the policy's `id`). */
  id: string;
  description: string;
  /** ONNX: the first 16 hex digits of the weights' SHA-256, recorded in run configs. */
  fingerprint?: string;
  open(o?: PolicyOpenOptions): Promise<PolicyHost>;
}

/** A host for policies that read simulator state (no model, no cameras). */
const stateHost = (make: (s: PrivilegedState) => Policy): PolicyHost => ({ cameras: [], make, close: async () => {} });

/** A host for a chunk model: one ChunkedPolicy per lane, one batch gate per lane group (lanes dealt in turn). */
function chunkHost(model: ChunkModel, o: PolicyOpenOptions): PolicyHost {
  const groups = o.laneGroups ?? 1;
  if (!Number.isInteger(groups) || groups < 1) throw new PolicyError(`laneGroups must be a whole number >= 1, got ${groups}`);
  const gates = Array.from({ length: groups }, () => new BatchGate(model));
  let made = 0;
  return {
    cameras: [...model.cameras], gate: gates[0], gates, model,
    make: () => new ChunkedPolicy(gates[made++ % groups], { execute: o.execute, ensembleDecay: o.ensembleDecay }),
    close: () => model.close(),
  };
}

export { PolicyError };

interface Kind {
  name: string;
  usage: string;
  description: string;
  /** What the parameter is, for messages; absent for kinds without one. */
  param?: { what: string; example: string; valid(x: number): boolean };
  entry(x: number | undefined): PolicyEntry;
}

const KINDS: Kind[] = [
  {
    name: 'expert',
    usage: 'expert',
    description: 'the scripted expert: privileged simulator state, motion primitives, acts through env.step',
    entry: () => ({
      id: 'expert',
      description: 'the scripted expert',
      open: async () => stateHost((s) => new ExpertPolicy(s)),
    }),
  },
  {
    name: 'bernoulli',
    usage: 'bernoulli:<p>',
    description: 'calibration: the expert, which per task means to succeed with probability p (a seeded coin) and otherwise fails on purpose, physically',
    param: { what: 'p must be a number in [0, 1]', example: 'bernoulli:0.95', valid: (p) => p >= 0 && p <= 1 },
    entry: (p) => ({
      id: `bernoulli:${p}`,
      description: `the expert succeeding on purpose with probability ${p} per task`,
      open: async () => stateHost((s) => new BernoulliPolicy(s, p!)),
    }),
  },
  {
    name: 'noisy-expert',
    usage: 'noisy-expert:<sigma>',
    description: 'calibration: the expert with Gaussian action noise of std sigma and a random grasp offset (sigma * 2 cm, sigma * 0.15 rad); failures come from physics',
    param: { what: 'sigma must be a number >= 0', example: 'noisy-expert:0.3', valid: (x) => x >= 0 },
    entry: (sigma) => ({
      id: `noisy-expert:${sigma}`,
      description: `the expert with action noise std ${sigma}`,
      open: async () => stateHost((s) => new NoisyExpertPolicy(s, sigma!)),
    }),
  },
];

/** Kinds whose parameter is not a number; listed for messages and `chaingap list policies`. */
const LEARNED = [
  { name: 'onnx', usage: 'onnx:<model.onnx>', description: 'an ONNX policy run in-process on onnxruntime-node (CPU, or WebGPU/CUDA with --device), described by the manifest.json beside it' },
  { name: 'ws', usage: 'ws://<host>:<port>', description: "a policy served over openpi's websocket protocol (pi0, OpenVLA-style servers, or chaingap serve-policy)" },
];

function onnxEntry(file: string, spec: string): PolicyEntry {
  if (!file) throw new PolicyError(`${spec}: missing the model path, e.g. onnx:policies/models/example-cnn/model.onnx`);
  if (!existsSync(file)) throw new PolicyError(`${spec}: no such model file ${JSON.stringify(file)}; pass the path of a .onnx file with a manifest.json beside it`);
  const { manifest } = loadManifest(file);
  return {
    id: `onnx:${file}`,
    description: `ONNX policy ${manifest.name}${manifest.trained ? '' : ' (untrained)'}`,
    fingerprint: createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 16),
    open: async (o = {}) => chunkHost(await OnnxChunkModel.load(file, { device: o.device, threads: o.threads, log: o.log }), o),
  };
}

function remoteEntry(url: string): PolicyEntry {
  checkWebsocketUrl(url);
  return {
    id: url,
    description: `remote policy at ${url} (openpi websocket protocol)`,
    open: async (o = {}) => chunkHost(await RemoteChunkModel.connect(url, { preset: o.preset, timeoutMs: o.timeoutMs, apiKey: o.apiKey, execute: o.execute, log: o.log }), o),
  };
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;

/** The policy a spec like `expert`, `bernoulli:0.9` or `noisy-expert:0.3` names. */
export function parsePolicy(spec: string): PolicyEntry {
  const s = String(spec).trim();
  if (/^wss?:\/\//i.test(s)) return remoteEntry(s);
  if (s.startsWith('onnx:')) return onnxEntry(s.slice(5).trim(), s);
  const colon = s.indexOf(':');
  const name = colon < 0 ? s : s.slice(0, colon);
  const arg = colon < 0 ? undefined : s.slice(colon + 1).trim();
  const kind = KINDS.find((k) => k.name === name);
  if (!kind) {
    const [near] = closestNames(name, [...KINDS, ...LEARNED].map((k) => k.name), 1);
    throw new PolicyError(
      `unknown policy ${JSON.stringify(name)}${name === s ? '' : ` (in ${JSON.stringify(s)})`}; did you mean ${JSON.stringify(near)}? ` +
        `(known policies: ${[...KINDS, ...LEARNED].map((k) => k.usage).join(', ')}; see \`chaingap list policies\`)`,
    );
  }
  if (!kind.param) {
    if (arg !== undefined) throw new PolicyError(`${s}: policy "${kind.name}" takes no parameter; write just ${kind.usage}`);
    return kind.entry(undefined);
  }
  if (arg === undefined || arg === '') {
    throw new PolicyError(`${s}: missing parameter: ${kind.param.what}, e.g. ${kind.param.example} (usage: ${kind.usage})`);
  }
  const x = NUMBER.test(arg) ? Number(arg) : NaN;
  if (!Number.isFinite(x) || !kind.param.valid(x)) {
    throw new PolicyError(`${s}: ${kind.param.what}, e.g. ${kind.param.example} (got ${JSON.stringify(arg)})`);
  }
  return kind.entry(x);
}

/** The known policies, for `chaingap list policies`. */
export function listPolicies(): { name: string; usage: string; description: string }[] {
  return [...KINDS, ...LEARNED].map((k) => ({ name: k.name, usage: k.usage, description: k.description }));
}
