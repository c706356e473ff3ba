// A rollout clip from a script: run a few chains of a noisy expert keeping the trajectories of the
// failed ones, then render the first failed chain's last 60 frames (the failure) to a GIF.
//   node --import tsx scripts/examples/rollout-clip.ts [outDir]
// The same from a shell: `chaingap run ... --record failures`, then `chaingap video DIR --chain ID --out clip.gif`.
import { readFileSync } from 'node:fs';
import { readRecording, recordingPath, runChains, writeVideo } from '../../index.ts';

const out = process.argv[2] ?? 'runs/clip-example';
await runChains({ out, policy: 'noisy-expert:0.3', scene: 'kitchen', chains: 3, steps: 3, seed: 2, baselineEpisodes: 1, record: 'failures', log: () => {} });
const records = readFileSync(`${out}/records.jsonl`, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const failed = records.find((r) => r.steps.some((s: { success: boolean }) => !s.success));
if (!failed) {
  console.log('no chain failed with this seed: nothing to show');
} else {
  const rec = readRecording(recordingPath(out, failed.chainId, failed.repeat));
  const step = rec.steps.find((s) => !s.success)!;
  const clip = await writeVideo({ dir: out, chain: failed.chainId, repeat: failed.repeat, out: `${out}/${failed.chainId}.gif`, width: 192, height: 192, from: Math.max(step.startFrame, step.endFrame - 60), to: step.endFrame });
  console.log(`step ${step.index + 1} "${step.instruction}" failed (${step.failure}); ${clip.file}: ${clip.frames} frames at ${clip.fps} fps, ${(clip.bytes / 1024).toFixed(0)} KiB, ${clip.seconds.toFixed(1)} s`);
}
