// Progress on stderr: a bar with ETA (cli-progress) on a terminal, plain lines otherwise (CI logs).
import cliProgress from 'cli-progress';
import type { RunProgress } from '../runner/run.ts';

export class Progress {
  private bar: cliProgress.SingleBar | null = null;
  private phase = '';
  private lastLine = 0;

  /** `tty` overrides whether to draw a bar (default: whether the stream is a terminal). */
  constructor(private readonly stream: NodeJS.WriteStream, private readonly tty = Boolean(stream.isTTY)) {}

  update(p: Omit<RunProgress, 'phase'> & { phase: string }, label = ''): void {
    const phase = `${label ? `${label} ` : ''}${p.phase}`;
    if (this.tty) {
      if (phase !== this.phase) {
        this.bar?.stop();
        this.bar = new cliProgress.SingleBar({
          stream: this.stream,
          format: `${phase.padEnd(28)} [{bar}] {value}/{total} | ETA {eta_formatted} | {last}`,
          etaBuffer: 20,
          hideCursor: true,
        }, cliProgress.Presets.shades_classic);
        this.bar.start(p.total, 0, { last: '' });
      }
      this.bar!.update(p.done, { last: describe(p) });
    } else {
      // Plain lines: every 10% and the last one.
      const step = Math.max(1, Math.ceil(p.total / 10));
      if (phase !== this.phase) this.lastLine = 0;
      if (p.done === p.total || p.done - this.lastLine >= step) {
        this.stream.write(`${phase}: ${p.done}/${p.total}${p.resumed ? ' (resumed)' : ''} ${describe(p)}\n`);
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
}

function describe(p: Omit<RunProgress, 'phase'>): string {
  if (p.chain) {
    const ok = p.chain.steps.filter((s) => s.success).length;
    return `${p.chain.chainId}#${p.chain.repeat}: ${ok}/${p.chain.length}`;
  }
  if (p.baseline) return `${p.baseline.task}: ${p.baseline.success ? 'ok' : p.baseline.failure}`;
  return p.resumed ? 'already recorded' : '';
}
