// A LeRobot (v2.x) dataset read back for training: every frame's two camera images (decoded from the
// PNG bytes of the Image feature, resized to the model's input side), its state, its instruction (the
// episode's task) and the chunk of the next `horizon` actions from that frame, padded at the episode's
// end with its last action and marked as padding (LeRobot's `action_is_pad`). Reads chaingap's own
// datasets (`chaingap collect`) and any v2.x dataset with the same feature keys.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { decode as decodePng } from 'fast-png';
import { parquetReadObjects } from 'hyparquet';
import type { CameraImage } from '../../sim/policy.ts';
import { resizeRgb } from '../image-resize.ts';

export interface DemoSample {
  episode: number;
  frame: number;
  /** Agentview and wrist images, RGB uint8 HWC at `size` x `size`. */
  image: Uint8Array;
  wristImage: Uint8Array;
  state: Float32Array;
  instruction: string;
  /** `horizon` x action size, row-major. */
  actions: Float32Array;
  /** Which chunk rows are past the episode's end (copies of its last action). */
  pad: boolean[];
}

export interface DemoDatasetOptions {
  /** Side of the square images handed to the model (default: as stored). */
  size?: number;
  /** Actions per chunk (default 1). */
  horizon?: number;
  /** Feature keys (defaults: chaingap's / LeRobot's). */
  keys?: { image?: string; wristImage?: string; state?: string; action?: string };
  /** Only these episodes (default all). */
  episodes?: readonly number[];
}

interface Info { codebase_version: string; total_episodes: number; data_path: string; chunks_size: number; features: Record<string, { dtype: string; shape: number[] }> }

/** Read every sample of a dataset (episode order, frame order). */
export async function readDemoDataset(dir: string, o: DemoDatasetOptions = {}): Promise<{ samples: DemoSample[]; info: Info; tasks: string[] }> {
  const infoFile = path.join(dir, 'meta', 'info.json');
  if (!existsSync(infoFile)) throw new Error(`${dir}: no meta/info.json; give the folder of a LeRobot dataset (chaingap collect -o DIR)`);
  const info = JSON.parse(readFileSync(infoFile, 'utf8')) as Info;
  if (!/^v2\./.test(info.codebase_version)) throw new Error(`${infoFile}: codebase_version "${info.codebase_version}"; this reader takes the v2.x layout (one parquet file per episode)`);
  const keys = { image: 'observation.images.image', wristImage: 'observation.images.wrist_image', state: 'observation.state', action: 'action', ...o.keys };
  for (const [what, k] of Object.entries(keys)) {
    if (!info.features[k]) throw new Error(`${infoFile}: features has no "${k}" (${what}); features are ${Object.keys(info.features).join(', ')}; pass keys to name it`);
  }
  const tasks: string[] = [];
  for (const l of readFileSync(path.join(dir, 'meta', 'tasks.jsonl'), 'utf8').split('\n').filter(Boolean)) {
    const t = JSON.parse(l) as { task_index: number; task: string };
    tasks[t.task_index] = t.task;
  }
  const horizon = o.horizon ?? 1;
  const stored = info.features[keys.image].shape[0];
  const size = o.size ?? stored;
  const episodes = o.episodes ?? Array.from({ length: info.total_episodes }, (_, i) => i);
  const samples: DemoSample[] = [];
  const image = (cell: unknown): Uint8Array => {
    const png = decodePng((cell as { bytes: Uint8Array }).bytes);
    if (png.channels !== 3 && png.channels !== 4) throw new Error(`image with ${png.channels} channels; expected RGB`);
    let rgb = png.data as Uint8Array;
    if (png.channels === 4) rgb = Uint8Array.from({ length: png.width * png.height * 3 }, (_, i) => (png.data as Uint8Array)[4 * Math.floor(i / 3) + (i % 3)]);
    if (png.width === size && png.height === size) return rgb;
    const img: CameraImage = { width: png.width, height: png.height, rgb };
    return resizeRgb(img, size, size).rgb;
  };
  for (const ep of episodes) {
    const rel = info.data_path.replace('{episode_chunk:03d}', String(Math.floor(ep / info.chunks_size)).padStart(3, '0')).replace('{episode_index:06d}', String(ep).padStart(6, '0'));
    const b = readFileSync(path.join(dir, rel));
    const rows = (await parquetReadObjects({ file: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength), utf8: false })) as Record<string, unknown>[];
    const actions = rows.map((r) => Float32Array.from(r[keys.action] as number[]));
    const A = actions[0]?.length ?? 0;
    rows.forEach((r, i) => {
      const chunk = new Float32Array(horizon * A);
      const pad: boolean[] = [];
      for (let h = 0; h < horizon; h++) {
        const j = Math.min(i + h, rows.length - 1);
        chunk.set(actions[j], h * A);
        pad.push(i + h >= rows.length);
      }
      samples.push({
        episode: ep, frame: Number(r.frame_index), image: image(r[keys.image]), wristImage: image(r[keys.wristImage]),
        state: Float32Array.from(r[keys.state] as number[]), instruction: tasks[Number(r.task_index)], actions: chunk, pad,
      });
    });
  }
  return { samples, info, tasks };
}
