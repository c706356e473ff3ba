// What a queued job is: one sweep unit (a chain run or a baseline episode, runner/sweep/sweep-unit.ts)
// with the identity of the code and weights that must run it. The job id is a hash of everything that
// decides the unit's result (chain spec, seeds, policy, OOD levels, salt hash, chaingap version, model
// fingerprint), so enqueueing the same sweep twice adds nothing, and a result is counted once per id.
import { createHash } from 'node:crypto';
import { parsePolicy } from '../../policies/registry.ts';
import { CHAINGAP_VERSION } from '../chains/run.ts';
import type { SweepUnit } from '../sweep/sweep-unit.ts';

/** The data of a queued job. */
export interface UnitJob {
  unit: SweepUnit;
  /** The chaingap version that planned the job; a worker of another version refuses it. */
  chaingap: string;
  /** First 16 hex digits of the model weights' SHA-256 (ONNX policies), or null; a worker whose file differs refuses. */
  policyFingerprint: string | null;
  /** The sweep's name (for `--status` and logs). */
  sweep: string;
}

/** JSON with object keys sorted, so the same content always hashes the same. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().filter((k) => (v as Record<string, unknown>)[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** The job of a unit; the unit's local recording directory is dropped (the collector writes what comes back). */
export function unitJob(unit: SweepUnit, sweep: string, policyFingerprint: string | null): UnitJob {
  const u: SweepUnit = unit.kind === 'chain' && unit.record ? { ...unit, record: { mode: unit.record.mode } } : unit;
  return { unit: u, chaingap: CHAINGAP_VERSION, policyFingerprint, sweep };
}

/**
 * The idempotent job id of a unit: a hash of the unit (chain spec, seeds, repeat, policy, OOD levels, run
 * id, which covers the salt hash and sweep config), the chaingap version and the model fingerprint.
 */
export function jobIdOf(job: UnitJob, saltHash: string | null): string {
  const { sweep: _name, ...decides } = job;
  return createHash('sha256').update(canonical({ ...decides, saltHash })).digest('hex').slice(0, 32);
}

/** A one-line description of a unit, for failure lists and logs. */
export function describeUnit(u: SweepUnit): string {
  return u.kind === 'chain' ? `${u.cell} chain ${u.chain.name} repeat ${u.repeat}` : `${u.cell} ${u.task.name} episode ${u.episode}`;
}

const fingerprints = new Map<string, string | null>();

/**
 * Why this process must not run a job, or null if it may: another chaingap version planned it, or the
 * policy's weights here are not the ones it was planned with (or are missing).
 */
export function refusalOf(job: UnitJob, version = CHAINGAP_VERSION): string | null {
  if (job.chaingap !== version) return `job planned by chaingap ${job.chaingap}, this worker is chaingap ${version}: run workers of the collector's version`;
  let here = fingerprints.get(job.unit.policy);
  if (here === undefined) {
    try {
      here = parsePolicy(job.unit.policy).fingerprint ?? null;
    } catch (e) {
      return `policy ${job.unit.policy}: ${(e as Error).message} (on this worker)`;
    }
    fingerprints.set(job.unit.policy, here);
  }
  if (here !== job.policyFingerprint) {
    return `policy ${job.unit.policy}: this worker's weights have fingerprint ${here ?? 'none'}, the sweep was planned with ${job.policyFingerprint ?? 'none'}: copy the same model file to every worker`;
  }
  return null;
}
