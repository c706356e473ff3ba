// Trace the scripted expert on one LIBERO BDDL file: its phases, the TCP, a fixture part's value and the
// arm's contacts, every phase change and every 25 control steps (for finding why an episode fails).
//   node --import tsx scripts/libero-trace.ts FILE.bddl [SEED] [FIXTURE_REF]   (JOINTS=1 also prints joints)
import { readFileSync } from 'node:fs';
import { bddlChain, importBddl } from '../scenes/bddl.ts';
import { parseChains } from '../scenes/chains.ts';
import { Env } from '../sim/env.ts';
import { ExpertPolicy } from '../policies/expert.ts';
const file = process.argv[2]; const seed = Number(process.argv[3] ?? 0); const watch = process.argv[4];
const { scene, task } = importBddl(readFileSync(file, 'utf8'), file, 'dbg');
console.log(JSON.stringify(scene.fixtures), JSON.stringify(task.goal), JSON.stringify(task.init));
const [chain] = parseChains(JSON.parse(JSON.stringify(bddlChain({ scene, task, standIns: {} }))), 'x.json');
const env = new Env();
const step = chain.steps[0];
let { obs } = await env.reset({ seed, task: { ...step, init: chain.init }, scene: chain.sceneSpec });
const ex = new ExpertPolicy(env.privileged);
ex.reset({ seed, task: step, instruction: step.instruction, actionMode: 'delta_ee' });
let last = '';
for (let i = 0; i < 400; i++) {
  const a = ex.act(obs);
  const r = env.step(a);
  obs = r.obs;
  if (ex.phase !== last || i % 25 === 0) {
    const tcp = env.privileged.tcp();
    const pens = env.world.penetrations(0.001).map((p) => `${p.part}>${p.other}:${p.depth.toFixed(3)}`).join(' ');
    if (process.env.JOINTS) console.log('q', env.privileged.joints().map((x) => x.toFixed(2)).join(','), 'yaw', (2*Math.atan2(env.privileged.tcp().quat[2], env.privileged.tcp().quat[3])).toFixed(2));
    console.log(i, ex.phase, 'tcp', tcp.pos.map((x) => x.toFixed(3)).join(','), watch ? env.privileged.fixture(watch).value.toFixed(3) : '', r.info.success, pens);
    last = ex.phase;
  }
  if (r.info.success) { console.log('SUCCESS at', i); break; }
}
