// Progress on stderr: a bar with ETA (cli-progress) on a terminal, plain lines otherwise (CI logs).
// Both show the running success rate of what was run so far in this invocation: chain runs that
// completed every step (S_N), baseline episodes that succeeded (ok), e.g.
//   chains: 12/20 S_N 0.58 | last c07#0 4/5
//   baseline: 120/440 ok 0.93 (8 failed) | last open_drawer: ok
import cliProgress from 'cli-progress';
import type { RunProgress } from '../runner/chains/run.ts';

type Update = Omit<RunProgress, 'phase'> & { phase: string };

export class Progress {
  private bar: cliProgress.SingleBar | null = null;
  private phase = '';
  private lastLine = 0;
  /** Per phase: outcomes seen in this invocation (resumed units carry none). */
  private readonly tally = new Map<string, { n: number; ok: number }>();

  /** `tty` overrides whether to draw a bar (default: whether the stream is a terminal). */
  constructor(private readonly stream: NodeJS.WriteStream, private readonly tty = Boolean(stream.isTTY)) {}

  update(p: Update, label = ''): void {
    const phase = `${label ? `${label} ` : ''}${p.phase}`;
    const outcome = succeeded(p);
    if (outcome !== null) {
      const key = `${phase}|${p.chain ? 'chain' : 'baseline'}`;
      const t = this.tally.get(key) ?? { n: 0, ok: 0 };
      t.n++;
      if (outcome) t.ok++;
      this.tally.set(key, t);
    }
    const rate = this.rate(phase);
    if (this.tty) {
      if (phase !== this.phase) {
        this.bar?.stop();
        this.bar = new cliProgress.SingleBar({
          stream: this.stream,
          format: `${phase.padEnd(28)} [{bar}] {value}/{total} | ETA {eta_formatted} | {rate} | {last}`,
          etaBuffer: 20,
          hideCursor: true,
        }, cliProgress.Presets.shades_classic);
        this.bar.start(p.total, 0, { last: '', rate: '' });
      }
      this.bar!.update(p.done, { last: describe(p), rate });
    } else {
      // Plain lines: every 10% and the last one; the rate covers every unit, not only the printed ones.
      const step = Math.max(1, Math.ceil(p.total / 10));
      if (phase !== this.phase) this.lastLine = 0;
      if (p.done === p.total || p.done - this.lastLine >= step) {
        const last = describe(p);
        this.stream.write(`${phase}: ${p.done}/${p.total}${p.resumed ? ' (resumed)' : ''}${rate ? ` ${rate}` : ''}${last ? ` | last ${last}` : ''}\n`);
        this.lastLine = p.done;
      }
    }
    this.phase = phase;
  }

  stop(): void {
    this.bar?.stop();
    this.bar = null;
    this.phase = '';
  }

  /**
   * Over the units run so far in this phase: `S_N 0.58` (chain runs that completed every step) and
   * `baseline ok 0.93 (8 failed)` (episodes), whichever it has.
   */
  private rate(phase: string): string {
    const c = this.tally.get(`${phase}|chain`);
    const b = this.tally.get(`${phase}|baseline`);
    const parts: string[] = [];
    if (c?.n) parts.push(`S_N ${(c.ok / c.n).toFixed(2)}`);
    if (b?.n) parts.push(`${c?.n ? 'baseline ' : ''}ok ${(b.ok / b.n).toFixed(2)}${b.n > b.ok ? ` (${b.n - b.ok} failed)` : ''}`);
    return parts.join(' | ');
  }
}

/** Whether the unit this update reports succeeded (a chain run: every step), or null when it carries no outcome. */
function succeeded(p: Omit<RunProgress, 'phase'>): boolean | null {
  if (p.chain) return p.chain.steps.filter((s) => s.success).length === p.chain.length;
  if (p.baseline) return p.baseline.success;
  return null;
}

function describe(p: Omit<RunProgress, 'phase'>): string {
  if (p.chain) {
    const ok = p.chain.steps.filter((s) => s.success).length;
    return `${p.chain.chainId}#${p.chain.repeat}: ${ok}/${p.chain.length}`;
  }
  if (p.baseline) return `${p.baseline.task}: ${p.baseline.success ? 'ok' : p.baseline.failure}`;
  return p.resumed ? 'already recorded' : '';
}
