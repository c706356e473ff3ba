// Plain-text tables for the terminal.
import type { RunSummary } from '../runner/results/summary.ts';

const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : 'n/a');

/** One row per run: S_1, S_5, S_N with CIs, P_ind, C, O and the top failure labels. */
export function summaryTable(runs: readonly RunSummary[]): string {
  const n = Math.max(...runs.map((r) => r.steps));
  const ks = [...new Set([1, Math.min(5, n), n])];
  const head = ['policy', 'chains', ...ks.map((k) => `S_${k} [95% CI]`), 'P_ind', 'C [95% CI]', 'O', 'top failure labels'];
  const body = runs.map((r) => {
    const top = Object.entries(r.failures).sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0)).slice(0, 3).map(([l, c]) => `${l} ${c}`).join(', ');
    return [
      r.policy, String(r.chains),
      ...ks.map((k) => { const s = r.S[k - 1]; return s ? `${f3(s.value)} [${f3(s.ci[0])}, ${f3(s.ci[1])}]` : 'n/a'; }),
      f3(r.baseline.P_ind), `${f3(r.C)} [${f3(r.Cci[0])}, ${r.Cci[1] === null ? 'inf' : f3(r.Cci[1])}]`, f3(r.O), top || '-',
    ];
  });
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(w[i])).join('  ').trimEnd();
  return [line(head), line(w.map((x) => '-'.repeat(x))), ...body.map(line)].join('\n');
}
