// The sweep report shows what each OOD level looks like: one agentview frame per axis and level (the
// controlled setting as level 0), the reset of the sweep's first chain with the env seed its cells used,
// embedded as PNG; lighting levels differ in pixels, a non-visual axis shows the controlled scene, and
// the same directory gives byte-identical frames (also when the report is written again from it).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { parseSweepSpec, runSweep, sweepChainSeed } from '../runner/sweep/sweep.ts';
import { writeSweepReport } from '../runner/report/sweep-report.ts';
import { sweepOodFrames } from '../runner/sweep/ood-frames.ts';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'chaingap-ood-frames-'));

/** Each strip of report.html under its axis heading: the captions and PNG bytes of its figures. */
function strips(html: string): Map<string, { caption: string; png: Buffer }[]> {
  const out = new Map<string, { caption: string; png: Buffer }[]>();
  for (const [, axis, inner] of html.matchAll(/<h3>([^<]+)<\/h3>\s*<div class="strip">(.*?)<\/div>/g)) {
    out.set(axis, [...inner.matchAll(/<figure class="ood-frame"><img alt="[^"]*"[^>]*src="data:image\/png;base64,([^"]+)"><figcaption>([^<]+)<\/figcaption><\/figure>/g)]
      .map((m) => ({ caption: m[2], png: Buffer.from(m[1], 'base64') })));
  }
  return out;
}

describe('OOD frames in the sweep report', () => {
  it('shows one captioned frame per axis and level, lighting levels differ, and the frames are deterministic', async () => {
    const out = tmp();
    const spec = parseSweepSpec({ name: 'frames', policies: ['bernoulli:0.8'], axes: { lighting: [0.5, 1], latency: [1] }, chains: 1, steps: 1, baselineEpisodes: 1, seed: 2 }, 'frames.json');
    const r = await runSweep(spec, { out, workers: 1 });
    const html = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
    const s = strips(html);
    expect([...s.keys()]).toEqual(['lighting', 'latency']);
    expect(s.get('lighting')!.map((f) => f.caption)).toEqual(['lighting 0 (controlled)', 'lighting 0.5', 'lighting 1']);
    expect(s.get('latency')!.map((f) => f.caption)).toEqual(['latency 0 (controlled)', 'latency 1']);
    for (const f of [...s.values()].flat()) {
      const img = decode(f.png);
      expect([img.width, img.height, img.channels]).toEqual([192, 192, 3]);
    }

    // Lighting 0 and 1 differ in many pixels; latency changes nothing the camera sees.
    const [l0, , l1] = s.get('lighting')!.map((f) => decode(f.png).data);
    let changed = 0;
    for (let i = 0; i < l0.length; i += 3) if (Math.abs(l0[i] - l1[i]) + Math.abs(l0[i + 1] - l1[i + 1]) + Math.abs(l0[i + 2] - l1[i + 2]) > 6) changed++;
    expect(changed).toBeGreaterThan(0.1 * 192 * 192);
    expect(s.get('latency')![1].png.equals(s.get('latency')![0].png)).toBe(true);

    // The reset shown is chain 0's, with the seed its repeat 0 ran with in the sweep.
    const frames = await sweepOodFrames(out, r.cells);
    const rec = fs.readFileSync(path.join(out, 'bernoulli_0.8', 'controlled', 'records.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l))
      .find((x) => x.repeat === 0 && x.chainId === frames.chain);
    expect(frames.chain).toBe('kitchen_s2_c0000');
    expect(frames.seed).toBe(rec.seed);
    expect(frames.seed).toBe(sweepChainSeed(2, frames.chain!));
    expect(frames.frames.map((f) => f.setting)).toEqual(['controlled', 'latency=1', 'lighting=0.5', 'lighting=1']);

    // Determinism: the same directory gives byte-identical frames, in a second call and in the report written again.
    const again = await sweepOodFrames(out, r.cells);
    expect(again.frames.map((f) => Buffer.from(f.png).toString('base64'))).toEqual(frames.frames.map((f) => Buffer.from(f.png).toString('base64')));
    expect(Buffer.from(frames.frames[3].png).equals(s.get('lighting')![2].png)).toBe(true);
    await writeSweepReport(out, r);
    const s2 = strips(fs.readFileSync(path.join(out, 'report.html'), 'utf8'));
    expect([...s2.values()].flat().map((f) => f.png.toString('base64'))).toEqual([...s.values()].flat().map((f) => f.png.toString('base64')));

    // Without frames the report has no strips.
    await writeSweepReport(out, r, { frames: false });
    expect(strips(fs.readFileSync(path.join(out, 'report.html'), 'utf8')).size).toBe(0);
  }, 60_000);

  it('says why there are no frames when the chains cannot be rebuilt (a private salt)', async () => {
    const out = tmp();
    const cell = path.join(out, 'expert', 'lighting=1');
    fs.mkdirSync(cell, { recursive: true });
    fs.writeFileSync(path.join(cell, 'config.json'), JSON.stringify({ sweep: 's', policy: 'expert', scene: 'kitchen', chainFile: null, chains: 1, steps: 1, seed: 0, saltHash: '0123456789abcdef' }));
    const f = await sweepOodFrames(out, [{ dir: path.join('expert', 'lighting=1'), ood: { lighting: 1 }, setting: 'lighting=1' }]);
    expect(f.frames).toEqual([]);
    expect(f.note).toMatch(/private salt/);
  });
});
