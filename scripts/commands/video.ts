// `chaingap video`.
import { type Command, Option } from 'commander';
import { UserError } from '../../scenes/errors.ts';
import { writeVideo } from '../../runner/view/video.ts';
import { type RenderDevice } from '../../sim/render/renderer.ts';
import { type CliContext, intOption } from '../options.ts';
import { prepareOutFile } from '../output-paths.ts';

export function registerVideo(program: Command, ctx: CliContext): void {
  program
    .command('video')
    .description('Render a recorded chain run (kept with --record on run, sweep or ci) to an animated GIF, or an MP4 when ffmpeg is on the PATH, with chaingap\'s renderer, at the rate its frames were recorded.')
    .argument('<dir>', 'run directory holding recordings/ (for a sweep or ci job: a cell directory, <out>/<policy>/<setting>)')
    .requiredOption('--chain <id>', 'chain id (records.jsonl chainId)')
    .option('--repeat <n>', 'repeat of the chain', intOption('--repeat'), 0)
    .addOption(new Option('--camera <name>', 'camera').choices(['agentview', 'wrist']).default('agentview'))
    .option('--size <WxH>', 'frame size in pixels', '256x256')
    .option('--from <frame>', 'first frame (index into the recording)', intOption('--from'))
    .option('--to <frame>', 'last frame', intOption('--to'))
    .addOption(new Option('--device <d>', 'gpu.js backend (gpu falls back, saying why, where there is none)').choices(['webasm', 'cpu', 'gpu']).default('cpu'))
    .requiredOption('-o, --out <clip.gif|clip.mp4>', 'output clip; the extension picks the format')
    .option('--json', 'print what was written as JSON')
    .action(async (dir: string, o: { chain: string; repeat: number; camera: string; size: string; from?: number; to?: number; device: RenderDevice; out: string; json?: boolean }) => {
      prepareOutFile('--out', o.out);
      const m = /^(\d+)x(\d+)$/.exec(o.size);
      if (!m || Number(m[1]) < 8 || Number(m[2]) < 8) throw new UserError(`--size must be WxH with both at least 8, got "${o.size}"`);
      const r = await writeVideo({ dir, chain: o.chain, repeat: o.repeat, camera: o.camera, out: o.out, width: Number(m[1]), height: Number(m[2]), from: o.from, to: o.to, device: o.device });
      if (o.json) process.stdout.write(JSON.stringify(r) + '\n');
      else process.stderr.write(`${r.file}: ${r.frames} frames ${r.width}x${r.height} at ${r.fps} fps, ${(r.bytes / 1024).toFixed(0)} KiB, ${r.seconds.toFixed(1)} s\n`);
    });
}
