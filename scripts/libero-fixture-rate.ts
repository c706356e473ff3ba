// The scripted expert on every operation of LIBERO's fixture kinds (scenes/fixture-defs.ts), each in a
// small scene of its own, over seeded resets: open/close each drawer of the wooden and white cabinets,
// put a box into a drawer, turn the stove on and off, put a box on its cook region, a bottle in the
// wine rack, books in the caddy's compartments, a box on a cabinet's top.
//   node --import tsx scripts/libero-fixture-rate.ts [--episodes N] [--only substring]
import { parseArgs } from 'node:util';
import { libraryFixtureCases, runFixtureCase } from '../test/helpers/libero-fixture-cases.ts';

const { values } = parseArgs({ options: { episodes: { type: 'string', default: '10' }, only: { type: 'string' } } });
const episodes = Number(values.episodes);
const t0 = performance.now();
let total = 0, ok = 0;
for (const c of libraryFixtureCases().filter((x) => !values.only || x.name.includes(values.only))) {
  let s = 0;
  const failed: number[] = [];
  for (let seed = 0; seed < episodes; seed++) {
    const r = await runFixtureCase(c, seed);
    if (r.success) s++;
    else failed.push(seed);
  }
  total += episodes;
  ok += s;
  console.log(`${c.name.padEnd(40)} ${s}/${episodes}${failed.length ? `  failed seeds ${failed.join(',')}` : ''}`);
}
console.log(`all: ${ok}/${total} (${((100 * ok) / total).toFixed(1)}%) in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
