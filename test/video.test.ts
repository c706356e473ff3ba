// Rollout clips: a recorded chain run replayed from its stored poses looks like what the live camera
// saw at the same instants, and `chaingap video` writes a GIF with one frame per recorded frame.
import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Env } from '../sim/env.ts';
import { RayRenderer } from '../sim/render/renderer.ts';
import type { CameraImage } from '../sim/policy.ts';
import { ExpertPolicy } from '../policies/expert.ts';
import { runChain } from '../runner/chains/chain.ts';
import { ChainRecorder, readRecording, recordingPath, writeRecording } from '../runner/view/recording.ts';
import { renderRecording } from '../runner/view/video.ts';
import { runChains } from '../runner/chains/run.ts';
import { fixtureChain, libraryFixtureCases } from './helpers/libero-fixture-cases.ts';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'chaingap-video-'));

/** Frames of a GIF (image descriptors) and its logical screen size, read block by block. */
function gifFrames(b: Buffer): { width: number; height: number; frames: number } {
  expect(b.subarray(0, 6).toString('ascii')).toBe('GIF89a');
  const width = b.readUInt16LE(6), height = b.readUInt16LE(8);
  let i = 13 + ((b[10] & 0x80) ? 3 * 2 ** ((b[10] & 7) + 1) : 0);
  const skipBlocks = () => { while (b[i] !== 0) i += b[i] + 1; i++; };
  let frames = 0;
  while (i < b.length && b[i] !== 0x3b) {
    if (b[i] === 0x21) { i += 2; skipBlocks(); continue; }
    expect(b[i]).toBe(0x2c);
    frames++;
    const packed = b[i + 9];
    i += 10 + ((packed & 0x80) ? 3 * 2 ** ((packed & 7) + 1) : 0) + 1; // descriptor, local table, LZW code size
    skipBlocks();
  }
  expect(b[i]).toBe(0x3b);
  return { width, height, frames };
}

const meanAbsDiff = (a: CameraImage, b: CameraImage) => {
  let s = 0;
  for (let i = 0; i < a.rgb.length; i++) s += Math.abs(a.rgb[i] - b.rgb[i]);
  return s / a.rgb.length;
};

describe('rollout clips', () => {
  it('a replay shows what the live camera saw at the start and after each step (arm, fingers, drawer, object)', async () => {
    const c = libraryFixtureCases().find((x) => x.name === 'wooden_cabinet_butter_in_top')!;
    const chain = fixtureChain(c);
    const env = new Env({ renderer: new RayRenderer({ width: 64, height: 64, device: 'cpu' }), cameras: ['agentview'] });
    const live: CameraImage[] = [];
    const recorder = new ChainRecorder();
    const dir = tmp();
    try {
      const rec = await runChain(env, new ExpertPolicy(env.privileged), chain, {
        runId: 'v', mode: 'strict', seed: 3, repeat: 0, policySeed: 3, recorder, frameCamera: 'agentview', onFrame: (img) => live.push(img),
      });
      expect(rec.steps[0].success).toBe(true);
      writeRecording(dir, rec, recorder);
    } finally {
      env.close();
    }
    const recording = readRecording(recordingPath(dir, chain.name, 0));
    const replay = await renderRecording(recording, { width: 64, height: 64 });
    expect(replay.length).toBe(recording.t.length);
    const at = [recording.steps[0].startFrame, ...recording.steps.map((s) => s.endFrame)];
    expect(at.length).toBe(live.length);
    at.forEach((f, k) => expect(meanAbsDiff(replay[f], live[k]), `frame ${f}`).toBeLessThan(1));
    // And the replay moves: the last frame differs from the first where the arm and the butter went.
    expect(meanAbsDiff(replay[0], replay.at(-1)!)).toBeGreaterThan(1);
  });

  it('chaingap video writes a GIF with one frame per recorded frame at the size asked for', async () => {
    const dir = tmp();
    const cli = path.resolve('scripts/chaingap.mjs');
    execFileSync(process.execPath, [cli, 'run', '--policy', 'expert', '--chains', '1', '--steps', '1', '--baseline-episodes', '1', '--seed', '4', '--record', 'all', '-o', dir, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const [file] = fs.readdirSync(path.join(dir, 'recordings'));
    const chainId = file.replace(/-r0\.msgpack$/, '');
    const clip = path.join(dir, 'clip.gif');
    const out = JSON.parse(execFileSync(process.execPath, [cli, 'video', dir, '--chain', chainId, '--size', '48x40', '-o', clip, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] }).toString());
    const gif = gifFrames(fs.readFileSync(clip));
    const rec = readRecording(path.join(dir, 'recordings', file));
    expect(gif).toEqual({ width: 48, height: 40, frames: rec.t.length });
    expect(out).toMatchObject({ format: 'gif', frames: rec.t.length, width: 48, height: 40, fps: 10, bytes: fs.statSync(clip).size });
    // A clip of a chain that was not recorded, or to an unknown format, is refused with the fix named.
    const bad = (args: string[]) => {
      try { execFileSync(process.execPath, [cli, 'video', dir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] }); return ''; } catch (e) { return String((e as { stderr: Buffer }).stderr); }
    };
    expect(bad(['--chain', 'nope', '-o', clip])).toMatch(/no recording of chain "nope" repeat 0; run with --record/);
    expect(bad(['--chain', chainId, '-o', path.join(dir, 'clip.avi')])).toMatch(/\.gif or \.mp4/);

    // MP4 through Debian's ffmpeg (installed by .ci/run; elsewhere only when present): ffprobe counts
    // the frames and reads the size back.
    const hasFfmpeg = spawnSync('ffprobe', ['-version'], { stdio: 'ignore' }).status === 0;
    if (!hasFfmpeg && process.env.CHAINGAP_CI === '1') throw new Error('ffmpeg/ffprobe missing: .ci/run installs them with apt-get');
    if (hasFfmpeg) {
      const mp4 = path.join(dir, 'clip.mp4');
      const m = JSON.parse(execFileSync(process.execPath, [cli, 'video', dir, '--chain', chainId, '--size', '64x48', '-o', mp4, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] }).toString());
      expect(m).toMatchObject({ format: 'mp4', frames: rec.t.length, width: 64, height: 48 });
      const probe = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=width,height,nb_read_frames,codec_name', '-of', 'json', mp4]).toString()).streams[0];
      expect(probe).toMatchObject({ codec_name: 'h264', width: 64, height: 48, nb_read_frames: String(rec.t.length) });
    }
  });

  it('report.html shows a clip of the last seconds before each recorded failure, up to 3 per label, captioned', async () => {
    const out = tmp();
    await runChains({ out, policy: 'noisy-expert:0.3', chains: 3, steps: 2, seed: 2, baselineEpisodes: 1, record: 'failures', log: () => {} });
    const records = fs.readFileSync(path.join(out, 'records.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const failed = records.filter((r) => r.steps.some((s: { success: boolean }) => !s.success));
    expect(failed.length).toBeGreaterThan(0);
    const html = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
    const clips = [...html.matchAll(/<figure class="clip"><img alt="[^"]*" src="data:image\/gif;base64,([^"]+)"><figcaption>([^<]+) \(repeat (\d+)\), step (\d+) "[^"]*": <span class="fail">([^<]+)<\/span><\/figcaption><\/figure>/g)];
    const byLabel = new Map<string, number>();
    for (const r of failed) {
      const first = r.steps.find((s: { success: boolean }) => !s.success);
      byLabel.set(first.failure ?? 'failed', Math.min(3, (byLabel.get(first.failure ?? 'failed') ?? 0) + 1));
    }
    expect(clips.length).toBe([...byLabel.values()].reduce((a, b) => a + b, 0));
    for (const [, b64, chain, repeat, step, label] of clips) {
      const r = failed.find((x) => x.chainId === chain && x.repeat === Number(repeat))!;
      const k = r.steps.findIndex((s: { success: boolean }) => !s.success);
      expect(Number(step)).toBe(k + 1);
      expect(label).toBe(r.steps[k].failure ?? 'failed');
      const gif = gifFrames(Buffer.from(b64, 'base64'));
      expect([gif.width, gif.height]).toEqual([96, 96]);
      expect(gif.frames).toBeGreaterThan(1);
      expect(gif.frames).toBeLessThanOrEqual(41);
    }
  });
});
