// Run the scripted expert on one shipped task, step by step, through the library API.
// Run: node --import tsx scripts/examples/expert-episode.ts [task] [seed]
import { Env, ExpertPolicy, findTask, evaluateTasks } from '../../index.ts';

const task = findTask(process.argv[2] ?? 'tabletop_soup_on_plate');
const seed = Number(process.argv[3] ?? 0);

// 1. One episode by hand: reset, then act/step until the goal holds or the budget runs out.
const env = new Env();
const expert = new ExpertPolicy(env.privileged);
let { obs } = await env.reset({ seed, task });
await expert.reset({ seed, task, instruction: task.instruction, actionMode: env.actionMode });
for (;;) {
  const r = env.step(await expert.act(obs));
  obs = r.obs;
  if (r.terminated || r.truncated) {
    console.log(`"${task.instruction}" seed ${seed}: ${r.info.success ? 'success' : 'failure'} after ${r.info.steps} steps`);
    break;
  }
}
env.close();

// 2. The same through the suite helper: 10 seeded episodes with a 95% Wilson interval.
const [row] = await evaluateTasks({ tasks: [task], episodes: 10, makePolicy: (p) => new ExpertPolicy(p) });
console.log(`${row.successes}/${row.episodes} successes, 95% CI [${row.ci.map((x) => x.toFixed(2)).join(', ')}]`);
