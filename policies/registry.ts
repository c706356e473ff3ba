// Policies by name, for the CLI and the runners: `expert`, `bernoulli:<p>`, `noisy-expert:<sigma>`.
// A spec is `<name>` or `<name>:<parameter>`; bad specs throw a PolicyError naming the problem and the fix.
import { closestNames } from '../scenes/objects.ts';
import type { Policy } from '../sim/policy.ts';
import type { PrivilegedState } from '../sim/privileged.ts';
import { BernoulliPolicy } from './bernoulli.ts';
import { ExpertPolicy } from './expert.ts';
import { NoisyExpertPolicy } from './noisy-expert.ts';
import { PolicyError } from './policy-error.ts';

export interface PolicyEntry {
  /** Canonical id, e.g. `bernoulli:0.9` (also the policy's `id`). */
  id: string;
  description: string;
  /** A fresh policy acting in the env whose privileged state this is. */
  make(privileged: PrivilegedState): Policy;
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
      make: (s) => new ExpertPolicy(s),
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
      make: (s) => new BernoulliPolicy(s, p!),
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
      make: (s) => new NoisyExpertPolicy(s, sigma!),
    }),
  },
  // Later: `onnx:<path>` (a model file plus its JSON manifest) and `remote:<url>` (openpi websocket).
];

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;

/** The policy a spec like `expert`, `bernoulli:0.9` or `noisy-expert:0.3` names. */
export function parsePolicy(spec: string): PolicyEntry {
  const s = String(spec).trim();
  const colon = s.indexOf(':');
  const name = colon < 0 ? s : s.slice(0, colon);
  const arg = colon < 0 ? undefined : s.slice(colon + 1).trim();
  const kind = KINDS.find((k) => k.name === name);
  if (!kind) {
    const [near] = closestNames(name, KINDS.map((k) => k.name), 1);
    throw new PolicyError(
      `unknown policy ${JSON.stringify(name)}${name === s ? '' : ` (in ${JSON.stringify(s)})`}; did you mean ${JSON.stringify(near)}? ` +
        `(known policies: ${KINDS.map((k) => k.usage).join(', ')}; see \`chaingap list policies\`)`,
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
  return KINDS.map((k) => ({ name: k.name, usage: k.usage, description: k.description }));
}
