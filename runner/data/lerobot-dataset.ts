// A LeRobot dataset (codebase v2.1 layout) written as episodes arrive:
//   meta/info.json            features, counts, fps, path templates
//   meta/tasks.jsonl          {"task_index", "task"} per distinct instruction
//   meta/episodes.jsonl       {"episode_index", "tasks", "length"} per episode
//   meta/episodes_stats.jsonl {"episode_index", "stats"} per episode (min, max, mean, std, count per feature)
//   meta/stats.json           the same over the whole dataset
//   data/chunk-000/episode_000000.parquet   one row per frame
// The parquet columns are what Hugging Face `datasets` writes for LeRobot's features: images as the
// Image feature (struct {bytes: PNG, path}), state and action as list<float>, timestamp float32,
// indices int64, with the `huggingface` schema metadata. Written with hyparquet-writer (pure JS,
// snappy). Chains are appended whole and recorded in meta/chaingap.json, so a collection that stops
// resumes at the next chain.
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { encode as encodePng } from 'fast-png';
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { CameraImage } from '../../sim/policy.ts';

export const LEROBOT_CODEBASE_VERSION = 'v2.1';
export const CHUNKS_SIZE = 1000;
/** LeRobot feature keys of the two cameras (LeRobot's `observation.images.<name>` convention). */
export const IMAGE_KEYS = { image: 'observation.images.image', wristImage: 'observation.images.wrist_image' } as const;
export const ACTION_NAMES = ['dx', 'dy', 'dz', 'droll', 'dpitch', 'dyaw', 'gripper'];

export interface DemoFrame {
  image: CameraImage;
  wristImage: CameraImage;
  state: number[];
  action: number[];
}

export interface DatasetSpec {
  fps: number;
  imageSize: number;
  stateNames: readonly string[];
  stateSize: number;
  actionMode: string;
  /** How the data was made (kept in meta/chaingap.json; a resume must match it). */
  config: Record<string, unknown>;
}

interface Stats { min: number[]; max: number[]; mean: number[]; std: number[]; count: number[] }

/** Running per-component sums of a feature (images: per channel, scaled to 0..1). */
class Moments {
  n = 0;
  sum: number[];
  sq: number[];
  min: number[];
  max: number[];
  constructor(readonly dim: number) {
    this.sum = Array(dim).fill(0);
    this.sq = Array(dim).fill(0);
    this.min = Array(dim).fill(Infinity);
    this.max = Array(dim).fill(-Infinity);
  }
  add(v: ArrayLike<number>, k = 0): void {
    const x = v[k];
    this.sum[k] += x; this.sq[k] += x * x;
    if (x < this.min[k]) this.min[k] = x;
    if (x > this.max[k]) this.max[k] = x;
  }
  addAll(v: ArrayLike<number>, count = 1): void {
    for (let k = 0; k < this.dim; k++) this.add(v, k);
    this.n += count;
  }
  merge(o: Moments): void {
    for (let k = 0; k < this.dim; k++) {
      this.sum[k] += o.sum[k]; this.sq[k] += o.sq[k];
      this.min[k] = Math.min(this.min[k], o.min[k]); this.max[k] = Math.max(this.max[k], o.max[k]);
    }
    this.n += o.n;
  }
  /** Stats with image features shaped [C, 1, 1] as LeRobot stores them. */
  stats(image = false): Stats {
    const mean = this.sum.map((s) => s / Math.max(1, this.nPer()));
    const std = this.sq.map((s, k) => Math.sqrt(Math.max(0, s / Math.max(1, this.nPer()) - mean[k] ** 2)));
    const wrap = (a: number[]) => (image ? a.map((x) => [[x]]) : a) as number[];
    return { min: wrap(this.min), max: wrap(this.max), mean: wrap(mean), std: wrap(std), count: [this.n] };
  }
  private pixels = 0;
  /** Per-component sample count (pixels for images, frames otherwise). */
  nPer(): number {
    return this.pixels || this.n;
  }
  addImage(rgb: Uint8Array): void {
    const px = rgb.length / 3;
    for (let i = 0; i < px; i++) {
      for (let c = 0; c < 3; c++) {
        const x = rgb[3 * i + c] / 255;
        this.sum[c] += x; this.sq[c] += x * x;
        if (x < this.min[c]) this.min[c] = x;
        if (x > this.max[c]) this.max[c] = x;
      }
    }
    this.pixels += px;
    this.n += 1;
  }
  mergeImage(o: Moments): void {
    this.merge(o);
    this.pixels += o.pixels;
  }
}

type FeatureStats = Record<string, Moments>;

function features(spec: DatasetSpec): Record<string, unknown> {
  const img = { dtype: 'image', shape: [spec.imageSize, spec.imageSize, 3], names: ['height', 'width', 'channel'] };
  const scalar = (dtype: string) => ({ dtype, shape: [1], names: null });
  return {
    [IMAGE_KEYS.image]: img,
    [IMAGE_KEYS.wristImage]: img,
    'observation.state': { dtype: 'float32', shape: [spec.stateSize], names: stateComponentNames(spec) },
    action: { dtype: 'float32', shape: [7], names: ACTION_NAMES },
    timestamp: scalar('float32'), frame_index: scalar('int64'), episode_index: scalar('int64'), index: scalar('int64'), task_index: scalar('int64'),
  };
}

function stateComponentNames(spec: DatasetSpec): string[] {
  const widths: Record<string, string[]> = {
    ee_pos: ['x', 'y', 'z'], ee_quat: ['qx', 'qy', 'qz', 'qw'], ee_axis_angle: ['ax', 'ay', 'az'], gripper_width: ['gripper_width'],
    gripper_qpos: ['gripper_qpos_left', 'gripper_qpos_right'], joints: ['j1', 'j2', 'j3', 'j4', 'j5', 'j6', 'j7'],
  };
  const names = spec.stateNames.flatMap((p) => widths[p] ?? [p]);
  return names.length === spec.stateSize ? names : Array.from({ length: spec.stateSize }, (_, i) => `s${i}`);
}

/** The `huggingface` schema metadata `datasets` writes (and reads the features back from). */
function hfFeatures(spec: DatasetSpec): Record<string, unknown> {
  const seq = (n: number) => ({ feature: { dtype: 'float32', _type: 'Value' }, length: n, _type: 'Sequence' });
  const val = (dtype: string) => ({ dtype, _type: 'Value' });
  return {
    [IMAGE_KEYS.image]: { _type: 'Image' }, [IMAGE_KEYS.wristImage]: { _type: 'Image' },
    'observation.state': seq(spec.stateSize), action: seq(7),
    timestamp: val('float32'), frame_index: val('int64'), episode_index: val('int64'), index: val('int64'), task_index: val('int64'),
  };
}

const SCHEMA = (names: string[]) => {
  const list = (name: string) => [
    { name, repetition_type: 'OPTIONAL', num_children: 1, converted_type: 'LIST' },
    { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
    { name: 'element', type: 'FLOAT', repetition_type: 'OPTIONAL' },
  ];
  const image = (name: string) => [
    { name, repetition_type: 'OPTIONAL', num_children: 2 },
    { name: 'bytes', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL' },
    { name: 'path', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
  ];
  const col: Record<string, object[]> = {
    [IMAGE_KEYS.image]: image(IMAGE_KEYS.image), [IMAGE_KEYS.wristImage]: image(IMAGE_KEYS.wristImage),
    'observation.state': list('observation.state'), action: list('action'),
    timestamp: [{ name: 'timestamp', type: 'FLOAT', repetition_type: 'OPTIONAL' }],
    ...Object.fromEntries(['frame_index', 'episode_index', 'index', 'task_index'].map((n) => [n, [{ name: n, type: 'INT64', repetition_type: 'OPTIONAL' }]])),
  };
  return [{ name: 'schema', num_children: names.length }, ...names.flatMap((n) => col[n])];
};

export class LeRobotWriter {
  episodes = 0;
  frames = 0;
  private tasks = new Map<string, number>();
  private chains = new Set<string>();
  private total: FeatureStats;

  private constructor(readonly dir: string, readonly spec: DatasetSpec) {
    this.total = this.emptyStats();
  }

  private emptyStats(): FeatureStats {
    return {
      [IMAGE_KEYS.image]: new Moments(3), [IMAGE_KEYS.wristImage]: new Moments(3), 'observation.state': new Moments(this.spec.stateSize),
      action: new Moments(7), timestamp: new Moments(1), frame_index: new Moments(1), episode_index: new Moments(1), index: new Moments(1), task_index: new Moments(1),
    };
  }

  /** Open `dir` for writing: new, or a partial collection with the same config (resumed). */
  static open(dir: string, spec: DatasetSpec): LeRobotWriter {
    const w = new LeRobotWriter(dir, spec);
    const own = path.join(dir, 'meta', 'chaingap.json');
    if (existsSync(own)) {
      const prev = JSON.parse(readFileSync(own, 'utf8')) as { config: unknown; chains: string[] };
      if (JSON.stringify(prev.config) !== JSON.stringify(spec.config)) {
        throw new Error(`${own}: this dataset was collected with ${JSON.stringify(prev.config)}; the options now are ${JSON.stringify(spec.config)}. Use another --out, or the same options to resume`);
      }
      w.chains = new Set(prev.chains);
      w.reload();
    } else if (existsSync(dir) && readdirSync(dir).length) {
      throw new Error(`${dir}: exists and is not a chaingap collection (no meta/chaingap.json); pick an empty or new --out`);
    }
    mkdirSync(path.join(dir, 'meta'), { recursive: true });
    return w;
  }

  /** Counts and stats of the episodes already written (resume). */
  private reload(): void {
    const meta = path.join(this.dir, 'meta');
    const lines = (f: string) => (existsSync(path.join(meta, f)) ? readFileSync(path.join(meta, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []);
    for (const t of lines('tasks.jsonl') as { task_index: number; task: string }[]) this.tasks.set(t.task, t.task_index);
    const eps = lines('episodes.jsonl') as { length: number }[];
    this.episodes = eps.length;
    this.frames = eps.reduce((a, e) => a + e.length, 0);
    const statsFile = path.join(meta, 'chaingap-moments.json');
    if (existsSync(statsFile)) {
      const saved = JSON.parse(readFileSync(statsFile, 'utf8')) as Record<string, Moments>;
      for (const [k, m] of Object.entries(saved)) {
        // JSON has no infinities: an untouched bound comes back as null.
        Object.assign(this.total[k], { ...m, min: m.min.map((x) => x ?? Infinity), max: m.max.map((x) => x ?? -Infinity) });
      }
    }
  }

  hasChain(name: string): boolean {
    return this.chains.has(name);
  }

  /** Write a unit's episodes (a chain's, one per solved step; or a single-task episode's), then mark the unit done. */
  appendChain(chain: string, episodes: readonly { task: string; instruction: string; step: number; frames: readonly DemoFrame[] }[]): void {
    for (const e of episodes) if (e.frames.length) this.writeEpisode(e.instruction, e.frames);
    this.chains.add(chain);
    this.writeMeta();
  }

  private writeEpisode(instruction: string, frames: readonly DemoFrame[]): void {
    const meta = path.join(this.dir, 'meta');
    let taskIndex = this.tasks.get(instruction);
    if (taskIndex === undefined) {
      taskIndex = this.tasks.size;
      this.tasks.set(instruction, taskIndex);
      appendFileSync(path.join(meta, 'tasks.jsonl'), JSON.stringify({ task_index: taskIndex, task: instruction }) + '\n');
    }
    const ep = this.episodes, n = frames.length, first = this.frames;
    const st = this.emptyStats();
    // As `datasets` embeds LeRobot's saved frames: the PNG file's bytes and its basename.
    const png = (im: CameraImage, i: number) => ({ bytes: encodePng({ width: im.width, height: im.height, data: im.rgb, channels: 3 }), path: `frame_${String(i).padStart(6, '0')}.png` });
    const cols = {
      [IMAGE_KEYS.image]: frames.map((f, i) => png(f.image, i)),
      [IMAGE_KEYS.wristImage]: frames.map((f, i) => png(f.wristImage, i)),
      'observation.state': frames.map((f) => Array.from(Float32Array.from(f.state))),
      action: frames.map((f) => Array.from(Float32Array.from(f.action))),
      timestamp: frames.map((_, i) => Math.fround(i / this.spec.fps)),
      frame_index: frames.map((_, i) => BigInt(i)),
      episode_index: frames.map(() => BigInt(ep)),
      index: frames.map((_, i) => BigInt(first + i)),
      task_index: frames.map(() => BigInt(taskIndex)),
    };
    frames.forEach((f, i) => {
      st[IMAGE_KEYS.image].addImage(f.image.rgb);
      st[IMAGE_KEYS.wristImage].addImage(f.wristImage.rgb);
      st['observation.state'].addAll(cols['observation.state'][i]);
      st.action.addAll(cols.action[i]);
      st.timestamp.addAll([cols.timestamp[i]]);
      st.frame_index.addAll([i]);
      st.episode_index.addAll([ep]);
      st.index.addAll([first + i]);
      st.task_index.addAll([taskIndex]);
    });
    const names = Object.keys(cols) as (keyof typeof cols)[];
    const buf = parquetWriteBuffer({
      columnData: names.map((name) => ({ name: name as string, data: cols[name] as unknown[] })),
      schema: SCHEMA(names as string[]) as never,
      kvMetadata: [{ key: 'huggingface', value: JSON.stringify({ info: { features: hfFeatures(this.spec) } }) }],
    });
    const file = path.join(this.dir, dataPath(ep));
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file + '.tmp', new Uint8Array(buf));
    renameSync(file + '.tmp', file);
    appendFileSync(path.join(meta, 'episodes.jsonl'), JSON.stringify({ episode_index: ep, tasks: [instruction], length: n }) + '\n');
    const stats = Object.fromEntries(Object.entries(st).map(([k, m]) => [k, m.stats(k.startsWith('observation.images.'))]));
    appendFileSync(path.join(meta, 'episodes_stats.jsonl'), JSON.stringify({ episode_index: ep, stats }) + '\n');
    for (const [k, m] of Object.entries(st)) {
      if (k.startsWith('observation.images.')) this.total[k].mergeImage(m);
      else this.total[k].merge(m);
    }
    this.episodes++;
    this.frames += n;
  }

  private writeMeta(): void {
    const meta = path.join(this.dir, 'meta');
    const info = {
      codebase_version: LEROBOT_CODEBASE_VERSION, robot_type: 'panda', total_episodes: this.episodes, total_frames: this.frames,
      total_tasks: this.tasks.size, total_videos: 0, total_chunks: Math.max(1, Math.ceil(this.episodes / CHUNKS_SIZE)), chunks_size: CHUNKS_SIZE,
      fps: this.spec.fps, splits: { train: `0:${this.episodes}` },
      data_path: 'data/chunk-{episode_chunk:03d}/episode_{episode_index:06d}.parquet', video_path: null,
      features: features(this.spec),
    };
    writeFileSync(path.join(meta, 'info.json'), JSON.stringify(info, null, 4) + '\n');
    const stats = Object.fromEntries(Object.entries(this.total).map(([k, m]) => [k, m.stats(k.startsWith('observation.images.'))]));
    writeFileSync(path.join(meta, 'stats.json'), JSON.stringify(stats, null, 4) + '\n');
    writeFileSync(path.join(meta, 'chaingap-moments.json'), JSON.stringify(this.total));
    writeFileSync(path.join(meta, 'chaingap.json'), JSON.stringify({ config: this.spec.config, actionMode: this.spec.actionMode, chains: [...this.chains] }, null, 2) + '\n');
  }

  /** Close: the data card (README.md) with episodes and frames per task. */
  finish(o: { failedSteps: number }): void {
    this.writeMeta();
    const eps = readFileSync(path.join(this.dir, 'meta', 'episodes.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { tasks: string[]; length: number });
    const per = new Map<string, { episodes: number; frames: number }>();
    for (const e of eps) {
      const p = per.get(e.tasks[0]) ?? { episodes: 0, frames: 0 };
      p.episodes++; p.frames += e.length;
      per.set(e.tasks[0], p);
    }
    const c = this.spec.config;
    const nSingle = [...this.chains].filter((u) => u.startsWith('single:')).length, nChains = this.chains.size - nSingle;
    const card = [
      '# chaingap demonstrations', '',
      `LeRobot dataset (codebase ${LEROBOT_CODEBASE_VERSION}) of scripted-expert demonstrations from chaingap, collected with \`chaingap collect\`.`, '',
      `- Scene ${String(c.scene)}; ${nChains} generated chains of ${String(c.steps)} steps, seed ${String(c.seed)}, controlled setting (no OOD axis).`,
      '- Each step the expert solved is one episode, starting where the previous step left the world (the first from a fresh reset); the task is the step\'s instruction.',
      ...(nSingle ? [`- Also ${nSingle} single-task episodes, each a task of those chains alone from a fresh reset with the task's initial fixture states (as LIBERO demonstrates and as the controlled baseline starts), at seeds apart from the ones \`run\` evaluates at.`] : []),
      `- Success filter: only solved steps are kept; ${o.failedSteps} step(s) the expert did not solve were left out.`,
      `- ${this.episodes} episodes, ${this.frames} frames at ${this.spec.fps} fps.`,
      `- Images: agentview (\`${IMAGE_KEYS.image}\`) and wrist (\`${IMAGE_KEYS.wristImage}\`), ${this.spec.imageSize}x${this.spec.imageSize} RGB PNG, as chaingap renders them.`,
      `- \`observation.state\`: preset ${String(c.preset)} (${this.spec.stateNames.join(' + ')}, ${this.spec.stateSize} floats).`,
      `- \`action\`: the 7 numbers sent to the env in action mode ${this.spec.actionMode} (position delta, rotation delta, gripper).`, '',
      '| task | episodes | frames |', '| --- | --- | --- |',
      ...[...per.entries()].sort().map(([t, p]) => `| ${t} | ${p.episodes} | ${p.frames} |`), '',
    ];
    writeFileSync(path.join(this.dir, 'README.md'), card.join('\n'));
  }

  /** Bytes on disk under the dataset folder. */
  bytes(): number {
    let total = 0;
    const walk = (d: string) => {
      for (const n of readdirSync(d)) {
        const f = path.join(d, n), s = statSync(f);
        if (s.isDirectory()) walk(f); else total += s.size;
      }
    };
    walk(this.dir);
    return total;
  }
}

/** Path of an episode's parquet file in the dataset (LeRobot's data_path template). */
export function dataPath(episode: number): string {
  return `data/chunk-${String(Math.floor(episode / CHUNKS_SIZE)).padStart(3, '0')}/episode_${String(episode).padStart(6, '0')}.parquet`;
}
