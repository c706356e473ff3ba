// `chaingap render`.
import { type Command, Option } from 'commander';
import { writeFileSync } from 'node:fs';
import { depthPng, depthPreviewPng, rgbPng, segmentationPng } from '../../sim/render/images.ts';
import { type RenderDevice } from '../../sim/render/renderer.ts';
import { renderSnapshot } from '../../sim/render/snapshot.ts';
import { type CliContext, intOption } from '../options.ts';
import { prepareOutFile } from '../output-paths.ts';

export function registerRender(program: Command, ctx: CliContext): void {
  program
    .command('render')
    .description('Render a scene after a seeded reset to PNG: RGB, and with --depth / --seg the depth (16-bit millimetres, data) with a colour-mapped preview to look at (turbo: near red, far blue) and the segmentation images beside it.')
    .option('--scene <name>', 'scene', 'tabletop')
    .option('-s, --seed <n>', 'layout seed', intOption('--seed'), 0)
    .addOption(new Option('--camera <name>', 'camera').choices(['agentview', 'wrist']).default('agentview'))
    .option('--size <n>', 'image width and height in pixels', intOption('--size', 8), 128)
    .addOption(new Option('--device <d>', 'gpu.js backend (gpu falls back, saying why, where there is none)').choices(['webasm', 'cpu', 'gpu']).default('webasm'))
    .requiredOption('-o, --out <file.png>', 'RGB output; depth goes to <file>.depth.png (16-bit mm) and <file>.depth-preview.png (colour), segmentation to <file>.seg.png')
    .option('--depth', 'also write the depth image')
    .option('--seg', 'also write the segmentation image')
    .option('--json', 'print what was written (and the segmentation ids) as JSON')
    .action(async (o: { scene: string; seed: number; camera: string; size: number; device: RenderDevice; out: string; depth?: boolean; seg?: boolean; json?: boolean }) => {
      prepareOutFile('--out', o.out);
      const { images, segmentationNames } = await renderSnapshot({ scene: o.scene, seed: o.seed, cameras: [o.camera], renderer: { width: o.size, height: o.size, device: o.device, depth: o.depth, segmentation: o.seg } });
      const img = images[o.camera];
      const stem = o.out.replace(/\.png$/i, '');
      const files: Record<string, string> = { rgb: o.out };
      writeFileSync(o.out, rgbPng(img));
      if (o.depth) {
        writeFileSync((files.depth = `${stem}.depth.png`), depthPng(img));
        writeFileSync((files.depthPreview = `${stem}.depth-preview.png`), depthPreviewPng(img));
      }
      if (o.seg) writeFileSync((files.segmentation = `${stem}.seg.png`), segmentationPng(img));
      if (o.json) process.stdout.write(JSON.stringify({ files, width: img.width, height: img.height, segmentation: Object.fromEntries(segmentationNames) }) + '\n');
      else process.stderr.write(`${Object.values(files).join(', ')} (${img.width}x${img.height})\n`);
    });
}
