// What each OOD setting of a sweep looks like, for the sweep report: the agentview camera at the reset of
// the sweep's first chain (repeat 0, with the env seed the sweep's cells reset it with) under each
// setting's levels, rendered with chaingap's ray renderer on the CPU. One reset and one render per
// distinct setting (shared by every policy: the reset does not depend on the policy); no policy acts
// and nothing is stepped beyond what a reset does (its settle steps). Everything is read from the sweep
// directory (each cell's config.json and records), so a report regenerated from a directory (a merge,
// a resumed sweep) gets the same frames.
import fs from 'node:fs';
import path from 'node:path';
import type { OodLevels } from '../../scenes/ood.ts';
import { findScene } from '../../scenes/load.ts';
import type { ChainSpec } from '../../scenes/types.ts';
import { Env } from '../../sim/env.ts';
import { rgbPng } from '../../sim/render/images.ts';
import { RayRenderer, type RenderDevice } from '../../sim/render/renderer.ts';
import type { ChainRecord } from '../results/records.ts';
import { AppendLog, ResultsStore, recordKey } from '../results/store.ts';
import { SweepSpecSchema, settingKey, sweepChainSeed, sweepChains, type SweepCell } from './sweep.ts';

export interface OodFrame {
  /** The setting's key as the sweep names it (`controlled`, `lighting=0.5`, `clutter=1+pose=1`). */
  setting: string;
  /** Its active levels ({} for the controlled setting). */
  ood: OodLevels;
  /** The camera image at the reset, as PNG. */
  png: Uint8Array;
  width: number;
  height: number;
  /** Wall time of the reset and the render (ms). */
  ms: number;
}

export interface OodFrames {
  /** The chain whose reset is shown and the env seed it resets with (null when no frame could be made). */
  chain: string | null;
  seed: number | null;
  camera: string;
  /** One frame per distinct setting, the controlled one first, then the cells' settings in their order. */
  frames: OodFrame[];
  /** Why there are no frames or fewer than settings (one line for the report), if so. */
  note?: string;
}

export interface OodFramesOptions {
  /** Square image size in pixels (default 192). */
  size?: number;
  /** Camera (default `agentview`: the camera the camera OOD axis moves). */
  camera?: string;
  /** gpu.js backend (default `cpu`). */
  device?: RenderDevice;
  /** At most this many frames (default 40): the controlled setting and one-axis settings come first. */
  maxFrames?: number;
}

/** What a sweep cell's config.json holds that decides its chains (runner/sweep/sweep.ts `base`). */
interface CellConfig {
  sweep?: string;
  scene: string | null;
  chainFile: string | null;
  chains: number;
  steps: number;
  seed: number;
  saltHash: string | null;
}

/**
 * Frames of the sweep in `dir` (its cells as summarised): the reset of its first chain, repeat 0, in the
 * controlled setting and in every setting of `cells`. The env seed comes from `sweepChainSeed`, as the
 * sweep's units get it; when the directory holds that chain run's record, the record's seed is used (and
 * is the same). A sweep run with a private salt cannot rebuild its chains from the directory: no frames,
 * with a note saying so.
 */
export async function sweepOodFrames(dir: string, cells: readonly Pick<SweepCell, 'dir' | 'ood' | 'setting'>[], o: OodFramesOptions = {}): Promise<OodFrames> {
  const camera = o.camera ?? 'agentview';
  const none = (note: string): OodFrames => ({ chain: null, seed: null, camera, frames: [], note });
  if (!cells.length) return none('the sweep has no cells yet');
  const first = cells.find((c) => fs.existsSync(path.join(dir, c.dir, 'config.json')));
  if (!first) return none(`no cell directory of the sweep (with its config.json) is under ${dir}`);
  const config = ResultsStore.readConfig(path.join(dir, first.dir)) as CellConfig;
  if (config.saltHash) return none('the sweep ran with a private salt (only its hash is stored), so its chains cannot be rebuilt from the directory to show them');
  const spec = SweepSpecSchema.parse({
    name: 'frames', policies: ['expert'], chains: config.chains, steps: config.steps, seed: config.seed,
    ...(config.chainFile ? { chainFile: config.chainFile } : { scene: config.scene ?? undefined }),
  });
  const chain: ChainSpec = sweepChains(spec)[0];
  let seed = sweepChainSeed(config.seed, chain.name);
  // The record of that chain run, where one is stored: its seed is by definition the one the policy saw.
  const rec = firstRecord(dir, cells, chain.name);
  if (rec && rec.tasks.join() !== chain.steps.map((t) => t.name).join()) {
    return none(`the recorded run of chain ${chain.name} has other tasks than the chain rebuilt from ${config.chainFile ?? `scene ${config.scene}`} (was the chain file changed?)`);
  }
  if (rec) seed = rec.seed;

  // Distinct settings: controlled first, then one-axis settings, then combinations, each in cell order.
  const settings = new Map<string, OodLevels>([['controlled', {}]]);
  const byAxes = [...cells].sort((a, b) => Math.min(2, Object.keys(a.ood).length) - Math.min(2, Object.keys(b.ood).length));
  for (const c of byAxes) if (!settings.has(settingKey(c.ood))) settings.set(settingKey(c.ood), c.ood);
  const max = Math.max(1, o.maxFrames ?? 40);
  const chosen = [...settings].slice(0, max);

  const size = o.size ?? 192;
  const env = new Env({ renderer: new RayRenderer({ width: size, height: size, device: o.device ?? 'cpu' }), cameras: [camera] });
  const scene = chain.sceneSpec ?? findScene(chain.scene);
  const frames: OodFrame[] = [];
  try {
    for (const [key, ood] of chosen) {
      const t0 = performance.now();
      // The chain's reset as runChain does it; the observation carries sensor noise when the setting has it.
      const { obs } = await env.reset({ seed, task: { ...chain.steps[0], init: chain.init }, scene, ood });
      const img = obs.images![camera];
      frames.push({ setting: key, ood, png: rgbPng(img), width: img.width, height: img.height, ms: performance.now() - t0 });
    }
  } finally {
    env.close();
  }
  const left = settings.size - chosen.length;
  return { chain: chain.name, seed, camera, frames, ...(left > 0 ? { note: `${left} more setting${left === 1 ? '' : 's'} not shown (at most ${max} frames)` } : {}) };
}

/** The stored record of `chainId` repeat 0 in any cell (the controlled one first), if there is one. */
function firstRecord(dir: string, cells: readonly Pick<SweepCell, 'dir' | 'setting'>[], chainId: string): ChainRecord | undefined {
  const order = [...cells.filter((c) => c.setting === 'controlled'), ...cells.filter((c) => c.setting !== 'controlled')];
  const key = recordKey({ chainId, repeat: 0 });
  for (const c of order) {
    const file = path.join(dir, c.dir, 'records.jsonl');
    if (!fs.existsSync(file)) continue;
    let log: AppendLog<ChainRecord>;
    try {
      log = new AppendLog<ChainRecord>(file, recordKey, true);
    } catch {
      continue; // a damaged file is the store's business, not the report's
    }
    if (log.has(key)) return log.all().find((r) => recordKey(r) === key);
  }
  return undefined;
}
