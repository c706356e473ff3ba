// The counts behind every metric a CI job can check, from a setting's chain records and a suite's
// isolated-task (LIBERO-style baseline) records:
//   S_k        chain runs whose first k steps all succeeded / chain runs;
//   type:<t>   chain steps of task type t that succeeded / chain steps of type t that were recorded
//              (in strict mode only steps that were reached);
//   q          isolated-task episodes that succeeded / episodes (pooled over the suite's tasks; every task
//              has the same number of episodes, so this is the plain mean of q_t over the distinct tasks,
//              not the run summary's meanQ, which weights each task by how often it appears in the chains);
//   type:<t>   (isolated) the same per task type.
// Definitions: docs/metrics.md ("CI metrics and checks").
import type { TaskType } from '../../scenes/types.ts';
import type { BaselineRecord, ChainRecord } from '../results/records.ts';
import { leadingSuccesses } from '../results/metrics.ts';
import type { Counts } from './ci-compare.ts';

export type MetricCounts = Record<string, Counts>;

function bump(m: MetricCounts, key: string, ok: boolean): void {
  const c = (m[key] ??= { successes: 0, trials: 0 });
  c.trials++;
  if (ok) c.successes++;
}

/** S_1..S_steps and type:<t> for every task type the records contain. */
export function chainMetrics(records: readonly ChainRecord[], steps: number, typeOf: (task: string) => TaskType): MetricCounts {
  const m: MetricCounts = {};
  const lead = records.map(leadingSuccesses);
  for (let k = 1; k <= steps; k++) m[`S_${k}`] = { successes: lead.filter((l) => l >= k).length, trials: records.length };
  const types: MetricCounts = {};
  for (const r of records) for (const s of r.steps) bump(types, `type:${typeOf(s.task)}`, s.success);
  for (const k of Object.keys(types).sort()) m[k] = types[k];
  return m;
}

/** q and type:<t> over isolated-task episodes. */
export function isolatedMetrics(records: readonly BaselineRecord[], typeOf: (task: string) => TaskType): MetricCounts {
  const m: MetricCounts = { q: { successes: 0, trials: 0 } };
  const types: MetricCounts = {};
  for (const r of records) {
    bump(m, 'q', r.success);
    bump(types, `type:${typeOf(r.task)}`, r.success);
  }
  for (const k of Object.keys(types).sort()) m[k] = types[k];
  return m;
}
