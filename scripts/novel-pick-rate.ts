// How often the scripted expert picks up novel objects and sets them on a plate: a seeded sample of
// `n` novel kinds (default 200), one episode each. Prints the rate and the kinds it failed on.
//   node --import tsx scripts/novel-pick-rate.ts [n] [seed]
import seedrandom from 'seedrandom';
import { novelKind, novelPickScene } from '../scenes/novel-objects.ts';
import { Env } from '../sim/env.ts';
import { ExpertPolicy } from '../policies/expert.ts';
import { runTask } from '../runner/chains/episode.ts';
import { wilson } from '../runner/results/stats.ts';

export async function novelPickRate(n: number, seed = 0): Promise<{ successes: number; n: number; failed: { id: number; kind: string; label?: string }[] }> {
  const rng = seedrandom(`novel-pick:${seed}`);
  const env = new Env();
  const expert = new ExpertPolicy(env.privileged);
  const failed: { id: number; kind: string; label?: string }[] = [];
  for (let i = 0; i < n; i++) {
    const id = Math.floor(rng() * 1_000_000);
    const { scene, task } = novelPickScene(id);
    await env.reset({ seed: i, task, scene });
    const r = await runTask(env, expert, task, { policySeed: i });
    if (!r.success) failed.push({ id, kind: novelKind(id).category, label: r.failure });
  }
  env.close();
  return { successes: n - failed.length, n, failed };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] ?? 200);
  const r = await novelPickRate(n, Number(process.argv[3] ?? 0));
  const ci = wilson(r.successes, r.n);
  console.log(`expert picked ${r.successes}/${r.n} novel objects (${(100 * r.successes / r.n).toFixed(1)}%, 95% CI [${(100 * ci[0]).toFixed(1)}, ${(100 * ci[1]).toFixed(1)}])`);
  for (const f of r.failed) console.log(`  failed: novel_${f.id} (${f.kind}): ${f.label}`);
}
