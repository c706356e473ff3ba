// `chaingap demo` with the shipped learned policy: besides the calibration policies' runs, tiny-vla's sweep
// has its controlled cell and one cell per demo OOD setting over the same chains, one shared baseline, and
// a sweep report; the shipped folder is what the host needs (manifest, vocabulary) and is small.
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runDemo, DEMO_LEARNED_MODEL, DEMO_LEARNED_AXES } from '../runner/demo.ts';
import { loadManifest } from '../policies/onnx-manifest.ts';

describe('chaingap demo with tiny-vla', () => {
  it('ships tiny-vla as a trained ONNX policy folder under 20 MB', () => {
    const { manifest } = loadManifest(DEMO_LEARNED_MODEL);
    expect(manifest.trained).toBe(true);
    expect(manifest.inputs.map((i) => i.kind).sort()).toEqual(['image', 'image', 'instruction', 'state']);
    const dir = path.dirname(DEMO_LEARNED_MODEL);
    const bytes = fs.readdirSync(dir).reduce((s, f) => s + fs.statSync(path.join(dir, f)).size, 0);
    expect(bytes).toBeLessThan(20 * 2 ** 20);
    for (const f of ['vocab.json', 'MODEL_CARD.md', 'loss.svg', 'training.json']) expect(fs.existsSync(path.join(dir, f)), f).toBe(true);
  });

  it('runs the learned policy on the baseline, the chains and the demo OOD settings, into a sweep report', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'chaingap-demo-'));
    const r = await runDemo({ out, chains: 1, steps: 2, baselineEpisodes: 1, learnedBaselineEpisodes: 1, policies: ['bernoulli:0.95'], workers: 1 });
    expect(r.runs).toHaveLength(1);
    const settings = r.learned!.cells.map((c) => c.setting);
    expect(settings[0]).toBe('controlled');
    const want = Object.entries(DEMO_LEARNED_AXES).flatMap(([a, ls]) => ls!.map((l) => `${a}=${l}`));
    expect(settings.slice(1).sort()).toEqual(want.sort());
    for (const c of r.learned!.cells) {
      expect(c.summary.chains).toBe(1);
      expect(c.summary.baseline.tasks.length).toBeGreaterThan(0);
    }
    expect(fs.readFileSync(r.learned!.reportHtml, 'utf8')).toMatch(/tiny-vla|tiny_vla/);
  }, 240_000);
});
