// Regenerates the README's camera images in docs/: the tabletop scene after a seeded reset (seed 0),
// 256x256 on the webasm backend, the agentview and the wrist camera, the wrist depth colour-mapped with
// turbo (near red, far blue, nothing hit black; sim/render/images.ts depthPreviewPng) and the wrist
// segmentation. The 16-bit millimetre depth is data, not a picture: `chaingap render --depth` writes it.
//
//   node --import tsx scripts/docs-images.ts [outDir]        (default docs/)
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { depthPreview, rgbPng, segmentationPng } from '../sim/render/images.ts';
import { renderSnapshot } from '../sim/render/snapshot.ts';

const out = process.argv[2] ?? path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'docs');
const size = 256, seed = 0, scene = 'tabletop';
const { images } = await renderSnapshot({ scene, seed, cameras: ['agentview', 'wrist'], renderer: { width: size, height: size, device: 'webasm', depth: true, segmentation: true } });
const write = (name: string, png: Uint8Array) => {
  const file = path.join(out, name);
  writeFileSync(file, png);
  process.stderr.write(`${file}\n`);
};
write(`${scene}-agentview.png`, rgbPng(images.agentview));
write(`${scene}-wrist.png`, rgbPng(images.wrist));
const d = depthPreview(images.wrist);
write(`${scene}-wrist.depth.png`, d.png);
write(`${scene}-wrist.seg.png`, segmentationPng(images.wrist));
process.stderr.write(`wrist depth colour-mapped over ${d.near.toFixed(3)}..${d.far.toFixed(3)} m (turbo: near red, far blue; black: nothing hit)\n`);
