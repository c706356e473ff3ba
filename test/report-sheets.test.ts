// Contact sheets in report.html: each frame is captioned with the step it follows and that step's
// outcome, and a short sheet is shown at no more than twice its pixel size (not stretched to the page).
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runChains } from '../runner/chains/run.ts';

describe('contact sheets in report.html', () => {
  it('captions every frame with its step and outcome, failures with their label, and keeps the sheet small', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'chaingap-sheets-'));
    await runChains({ out, policy: 'noisy-expert:0.3', chains: 3, steps: 2, seed: 2, baselineEpisodes: 1, sheets: 3, log: () => {} });
    const html = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
    const records = fs.readFileSync(path.join(out, 'records.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const figures = [...html.matchAll(/<figure class="sheet"><figcaption>([^<]+)<\/figcaption><img[^>]*style="width: min\(100%, (\d+)px\)"[^>]*><ol class="frames">(.*?)<\/ol><\/figure>/g)];
    expect(figures.length).toBe(3);
    for (const [, chain, shown, list] of figures) {
      const rec = records.find((r) => r.chainId === chain && r.repeat === 0);
      const png = fs.readFileSync(path.join(out, 'sheets', `${chain}.png`));
      expect(Number(shown)).toBe(2 * png.readUInt32BE(16));
      const items = [...list.matchAll(/<li>(.*?)<\/li>/g)].map((m) => m[1].replace(/<[^>]+>/g, ''));
      expect(items[0]).toBe('start');
      expect(items.length).toBe(1 + rec.steps.length);
      rec.steps.forEach((st: { task: string; success: boolean; failure?: string }, k: number) => {
        expect(items[k + 1]).toBe(`after step ${k + 1}, ${st.task}: ${st.success ? 'success' : `failed${st.failure ? ` (${st.failure})` : ''}`}`);
      });
    }
    // This seed has a failed step, and its label is shown.
    expect(records.some((r) => r.steps.some((s: { success: boolean }) => !s.success))).toBe(true);
    expect(html).toMatch(/class="fail">failed \(/);
  });
});
