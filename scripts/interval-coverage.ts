// How often do the summary's 95% intervals of C and P_ind contain the truth? A Monte Carlo check on
// synthetic runs where steps fail independently by construction (the bernoulli calibration policy's
// world without physics): every chain step and every baseline episode of task t succeeds with
// probability q_t, so the true C is exactly 1 and the true P_ind is the mean over chains of the
// product of their q's. Run: node --import tsx scripts/interval-coverage.ts [--reps 400] [--chains 20]
// [--episodes 20] [--q 0.95] [--steps 10] [--tasks 10] [--json]
import { Command } from 'commander';
import { intervalCoverage } from '../runner/results/interval-coverage.ts';

const o = new Command()
  .option('--reps <n>', 'synthetic runs', '400')
  .option('--chains <n>', 'chains per run', '20')
  .option('--episodes <n>', 'baseline episodes per task', '20')
  .option('--q <p>', 'per-step success of every task', '0.95')
  .option('--steps <n>', 'chain length', '10')
  .option('--tasks <n>', 'distinct tasks', '10')
  .option('--json', 'print JSON')
  .parse()
  .opts();
const r = intervalCoverage({ reps: +o.reps, chains: +o.chains, episodesPerTask: +o.episodes, q: +o.q, steps: +o.steps, tasks: +o.tasks });
if (o.json) console.log(JSON.stringify(r));
else console.log(`${r.reps} runs of ${r.chains} chains x ${r.steps} steps, ${r.episodesPerTask} baseline episodes per task, q = ${r.q}:\n  C interval contains 1: ${r.coverageC.toFixed(3)}\n  P_ind interval contains the truth: ${r.coveragePInd.toFixed(3)}\n  C interval above 1 (false "failures compound"): ${r.falseCompounding.toFixed(3)}\n  C interval below 1 (false "chains beat independence"): ${r.falseRecovery.toFixed(3)}`);
