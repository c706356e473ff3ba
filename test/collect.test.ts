// `chaingap collect`: expert demonstrations as a LeRobot (v2.1) dataset, read back with a Parquet
// reader (hyparquet): meta files agree with the data, every column has the dtype and shape info.json
// declares, images decode to the declared size, indices run on across episodes, the same options give
// the same bytes, and a stopped collection resumes without duplicating an episode.
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { decode as decodePng } from 'fast-png';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { collectDemos } from '../runner/data/collect.ts';
import { dataPath } from '../runner/data/lerobot-dataset.ts';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'chaingap-collect-'));
const lines = (f: string) => fs.readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const read = async (file: string) => {
  const b = fs.readFileSync(file);
  const ab = b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
  return { rows: (await parquetReadObjects({ file: ab, utf8: false })) as Record<string, unknown>[], md: parquetMetadata(ab) };
};

describe('chaingap collect (LeRobot dataset)', () => {
  it('writes episodes whose columns match info.json, with stats, tasks and a data card; same options, same bytes; resumes', async () => {
    const out = path.join(tmp(), 'ds');
    const o = { out, chains: 2, steps: 3, seed: 5, size: 48 };
    const r = await collectDemos(o);
    expect(r.episodes).toBeGreaterThanOrEqual(5);
    const info = JSON.parse(fs.readFileSync(path.join(out, 'meta/info.json'), 'utf8'));
    expect(info).toMatchObject({ codebase_version: 'v2.1', total_episodes: r.episodes, total_frames: r.frames, fps: 20, chunks_size: 1000, video_path: null, splits: { train: `0:${r.episodes}` } });
    expect(info.data_path).toBe('data/chunk-{episode_chunk:03d}/episode_{episode_index:06d}.parquet');
    const f = info.features;
    expect(f['observation.images.image']).toEqual({ dtype: 'image', shape: [48, 48, 3], names: ['height', 'width', 'channel'] });
    expect(f['observation.state']).toMatchObject({ dtype: 'float32', shape: [8] });
    expect(f.action).toMatchObject({ dtype: 'float32', shape: [7] });
    for (const k of ['frame_index', 'episode_index', 'index', 'task_index']) expect(f[k]).toEqual({ dtype: 'int64', shape: [1], names: null });

    const episodes = lines(path.join(out, 'meta/episodes.jsonl'));
    const tasks = lines(path.join(out, 'meta/tasks.jsonl'));
    expect(episodes.length).toBe(r.episodes);
    expect(info.total_tasks).toBe(tasks.length);
    let index = 0;
    for (const e of episodes) {
      const { rows, md } = await read(path.join(out, dataPath(e.episode_index)));
      expect(rows.length).toBe(e.length);
      // Hugging Face datasets' feature metadata, as `datasets` writes it.
      const hf = JSON.parse(md.key_value_metadata!.find((kv) => kv.key === 'huggingface')!.value!);
      expect(hf.info.features['observation.images.image']).toEqual({ _type: 'Image' });
      expect(hf.info.features['observation.state']).toMatchObject({ _type: 'Sequence', length: 8 });
      const types = Object.fromEntries(md.schema.map((s) => [s.name, s.type]));
      expect(types).toMatchObject({ element: 'FLOAT', bytes: 'BYTE_ARRAY', timestamp: 'FLOAT', frame_index: 'INT64', index: 'INT64', task_index: 'INT64' });
      const task = tasks.find((t) => t.task === e.tasks[0]);
      rows.forEach((row, i) => {
        expect(row.frame_index).toBe(BigInt(i));
        expect(row.episode_index).toBe(BigInt(e.episode_index));
        expect(row.index).toBe(BigInt(index++));
        expect(row.task_index).toBe(BigInt(task.task_index));
        expect(row.timestamp).toBeCloseTo(i / 20, 5);
        expect((row['observation.state'] as number[]).length).toBe(8);
        expect((row.action as number[]).length).toBe(7);
      });
      for (const key of ['observation.images.image', 'observation.images.wrist_image']) {
        const img = decodePng((rows[0][key] as { bytes: Uint8Array }).bytes);
        expect([img.width, img.height, img.channels]).toEqual([48, 48, 3]);
      }
      // The expert closes the gripper on a grasp or a press: the gripper action is not constant in a pick.
      if (/block|butter/.test(e.tasks[0])) expect(new Set(rows.map((x) => (x.action as number[])[6])).size).toBeGreaterThan(1);
    }
    const stats = JSON.parse(fs.readFileSync(path.join(out, 'meta/stats.json'), 'utf8'));
    expect(stats['observation.state'].mean.length).toBe(8);
    expect(stats['observation.images.image'].mean).toHaveLength(3);
    expect(stats['observation.images.image'].mean[0]).toEqual([[expect.any(Number)]]); // shape [3, 1, 1], as LeRobot keeps image stats
    expect(stats.index.count).toEqual([r.frames]);
    expect(lines(path.join(out, 'meta/episodes_stats.jsonl')).length).toBe(r.episodes);
    expect(fs.readFileSync(path.join(out, 'README.md'), 'utf8')).toMatch(/episodes, \d+ frames at 20 fps/);

    // Determinism: the same options give byte-identical data.
    const again = path.join(tmp(), 'ds');
    await collectDemos({ ...o, out: again });
    expect(fs.readFileSync(path.join(again, dataPath(0)))).toEqual(fs.readFileSync(path.join(out, dataPath(0))));

    // Resume: a collection stopped after its first chain, run again, ends as the uninterrupted one.
    const part = path.join(tmp(), 'ds');
    await collectDemos({ ...o, out: part, chains: 1 });
    await expect(collectDemos({ ...o, out: part, size: 32 })).rejects.toThrow(/collected with .* Use another --out/);
    const res = await collectDemos({ ...o, out: part });
    expect(res.resumedChains).toBe(1);
    for (const f of ['meta/episodes.jsonl', 'meta/tasks.jsonl', 'meta/info.json', 'meta/episodes_stats.jsonl', dataPath(r.episodes - 1)]) {
      expect(fs.readFileSync(path.join(part, f), 'utf8'), f).toBe(fs.readFileSync(path.join(out, f), 'utf8'));
    }
  }, 180_000);

  it('the CLI and the example write the same kind of dataset', () => {
    const dir = tmp();
    const cli = JSON.parse(execFileSync(process.execPath, [path.resolve('scripts/chaingap.mjs'), 'collect', '--chains', '1', '--steps', '2', '--size', '32', '-o', path.join(dir, 'cli'), '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
    expect(cli.episodes).toBe(lines(path.join(dir, 'cli', 'meta/episodes.jsonl')).length);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'cli', 'meta/info.json'), 'utf8')).features['observation.images.wrist_image'].shape).toEqual([32, 32, 3]);
    // --single adds each distinct task of the chains alone from a fresh reset, to the same dataset (a resume).
    const more = JSON.parse(execFileSync(process.execPath, [path.resolve('scripts/chaingap.mjs'), 'collect', '--chains', '1', '--steps', '2', '--size', '32', '--single', '1', '-o', path.join(dir, 'cli'), '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
    expect(more.resumedChains).toBe(1);
    expect(more.episodes + more.failedSteps).toBe(cli.episodes + cli.failedSteps + 2);
    const units = JSON.parse(fs.readFileSync(path.join(dir, 'cli', 'meta/chaingap.json'), 'utf8')).chains as string[];
    expect(units.filter((u) => u.startsWith('single:'))).toHaveLength(2);
    expect(fs.readFileSync(path.join(dir, 'cli', 'README.md'), 'utf8')).toMatch(/Also \d single-task episodes/);
    const ex = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/examples/collect-demos.ts', path.join(dir, 'ex'), '1'], { encoding: 'utf8' });
    expect(ex).toMatch(/\d+ episodes, \d+ frames/);
    expect(ex).toContain('observation.state float32[8]');
  }, 240_000);
});
