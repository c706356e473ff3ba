// The force-limit probes' figures (test/arm-force.test.ts asserts their limits): a held block and a soup
// can driven into the table at 0.1-1.0 m/s then released and watched 2 s, the hand swept into the cabinet,
// a block wedged between the fingers and the cabinet wall. `--no-force-limit` runs the kinematic arm.
//
//   node --import tsx scripts/press-figures.ts [--no-force-limit]
import { pressHeldObject, pushBlockIntoWall, sweepIntoCabinet } from '../test/helpers/press-probes.ts';

const limit = !process.argv.includes('--no-force-limit');
const mm = (m: number) => `${(m * 1000).toFixed(1)} mm`;
for (const kind of ['red_block', 'alphabet_soup']) {
  for (const v of [0.1, 0.2, 0.5, 1.0]) {
    const r = await pressHeldObject(v, kind, 1, limit);
    console.log(`press ${kind} ${v} m/s: deepest ${mm(r.worstDepth)} below the table top, fastest ${r.worstSpeed.toFixed(2)} m/s, arm ${mm(r.worstArmPenetration)} into anything, sim_unstable steps ${r.unstableSteps}`);
  }
}
for (const v of [0.2, 0.5]) console.log(`cabinet sweep ${v} m/s: hand ${mm((await sweepIntoCabinet(v, 1, limit)).worstPenetration)} inside`);
for (const v of [0.1, 0.3]) {
  const r = await pushBlockIntoWall(v, 1, limit);
  console.log(`wedged block ${v} m/s: fingers ${mm(r.worstPenetration)} in, fastest unexplained ${r.worstExcessSpeed.toFixed(2)} m/s, block moved ${mm(Math.abs(r.blockY - (r.wallY - 0.026)))}`);
}
