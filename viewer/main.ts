// The chaingap viewer page: the chain list with its filters, one or two synchronised stages, the
// playback clock and controls, the timeline with one mark per chain step, the instruction overlay, and
// the live stream. `?path=` (or `?run=&chain=&repeat=`, as report.html links) opens a chain,
// `?side=1` shows it side by side, `?clock=manual` leaves the clock to a script (tests: window.chaingapViewer).
import { Stage } from './stage.ts';
import { copy, decode, Track, trackFromPlayback, type Entry } from './track.ts';
import type { ViewerScene } from '../sim/viewer-scene.ts';
import type { RecordedStep } from '../runner/view/recording.ts';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const params = new URLSearchParams(location.search);
const manualClock = params.get('clock') === 'manual';

interface Pane { el: HTMLElement; stage: Stage; track: Track | null }
const panes: Pane[] = ['pane-a', 'pane-b'].map((id) => {
  const el = $(id);
  const pane: Pane = { el, stage: null!, track: null };
  pane.stage = new Stage(el.querySelector('canvas')!, () => syncCameras(pane));
  return pane;
});

let entries: Entry[] = [];
const liveTracks = new Map<string, Track>();
let current: Entry | null = null;
let side = false;
let time = 0;
let playing = false;
let speed = 1;
let followLive = true;

function syncCameras(from: Pane): void {
  if (!side) return;
  for (const p of panes) if (p !== from && p.track) { p.stage.follow(from.stage); p.stage.render(); }
}

const levelText = (e: Entry) => {
  const k = Object.entries(e.ood ?? {}).filter(([, v]) => v);
  return k.length ? k.map(([a, v]) => `${a} ${v}`).join(', ') : 'controlled';
};

// ---- chain list and filters ----
function fillSelect(id: string, values: string[]): void {
  const s = $<HTMLSelectElement>(id), keep = s.value;
  s.length = 1;
  for (const v of [...new Set(values)].sort()) s.add(new Option(v, v));
  s.value = values.includes(keep) ? keep : '';
}

function allEntries(): Entry[] {
  return [...[...liveTracks.values()].map((t) => t.entry).reverse(), ...entries];
}

function renderList(): void {
  const failed = $<HTMLInputElement>('f-failed').checked, task = $<HTMLSelectElement>('f-task').value;
  const level = $<HTMLSelectElement>('f-level').value, policy = $<HTMLSelectElement>('f-policy').value;
  const all = allEntries();
  const shown = all.filter((e) => (!failed || e.failed) && (!task || e.steps.some((s) => s.task === task)) && (!level || levelText(e) === level) && (!policy || e.policy === policy));
  $('count').textContent = `${shown.length} of ${all.length} recorded chain runs`;
  const ul = $('chains');
  ul.replaceChildren(...shown.map((e) => {
    const li = document.createElement('li');
    li.dataset.path = e.path;
    if (current?.path === e.path) li.classList.add('sel');
    const dots = document.createElement('span');
    dots.className = 'dots';
    for (const s of e.steps) {
      const i = document.createElement('i');
      i.className = s.success ? 'ok' : 'fail';
      i.title = `${s.task}: ${s.success ? 'success' : s.failure ?? 'failed'}`;
      dots.append(i);
    }
    if (e.live && !liveTracks.get(e.path)?.ended) { const i = document.createElement('i'); i.className = 'pending'; dots.append(i); }
    const title = document.createElement('div');
    title.append(`${e.live ? 'LIVE ' : ''}${e.chainId} r${e.repeat}`, dots);
    const sub = document.createElement('div');
    sub.className = 'sub';
    sub.textContent = `${e.policy ?? ''} · ${levelText(e)} · ${e.live ? 'live' : e.path}`;
    li.append(title, sub);
    if (!e.playable) { li.title = 'recorded before chaingap kept the resolved scene: record again to view'; li.style.opacity = '0.5'; }
    li.onclick = () => { followLive = false; void select(e.path); };
    return li;
  }));
}

function refreshFilters(): void {
  const all = allEntries();
  fillSelect('f-task', all.flatMap((e) => e.steps.map((s) => s.task)));
  fillSelect('f-level', all.map(levelText));
  fillSelect('f-policy', all.map((e) => e.policy ?? '').filter(Boolean));
}

// ---- loading ----
const loaded = new Map<string, Track>();
async function loadTrack(path: string): Promise<Track> {
  const live = liveTracks.get(path);
  if (live) return live;
  let tr = loaded.get(path);
  if (tr) return tr;
  const res = await fetch(`/api/playback?path=${encodeURIComponent(path)}`);
  if (!res.ok) throw new Error(`${path}: ${res.status} ${(await res.text()).trim()}`);
  tr = trackFromPlayback(new Uint8Array(await res.arrayBuffer()));
  loaded.set(path, tr);
  return tr;
}

/** Other recordings of the same chain seed (same chain and repeat), the controlled one first. */
function partners(e: Entry): Entry[] {
  return entries.filter((x) => x.path !== e.path && x.chainId === e.chainId && x.repeat === e.repeat && x.seed === e.seed && x.playable)
    .sort((a, b) => Number(levelText(a) !== 'controlled') - Number(levelText(b) !== 'controlled') || a.path.localeCompare(b.path));
}

async function select(path: string, partnerPath?: string): Promise<void> {
  const e = allEntries().find((x) => x.path === path);
  if (!e) { status(`no recording ${path}`); return; }
  current = e;
  status('');
  try {
    const a = await loadTrack(path);
    panes[0].track = a;
    panes[0].stage.load(a);
    const cands = partners(e);
    const ps = $<HTMLSelectElement>('partner');
    ps.replaceChildren(...cands.map((c) => new Option(`${levelText(c)} · ${c.policy ?? ''} · ${c.path}`, c.path)));
    const pick = cands.find((c) => c.path === partnerPath) ?? cands.find((c) => levelText(c) !== levelText(e)) ?? cands[0];
    if (pick) ps.value = pick.path;
    await setSide(side);
    time = Math.min(time, a.duration);
    if (!e.live) history.replaceState(null, '', `?path=${encodeURIComponent(path)}${side ? '&side=1' : ''}${manualClock ? '&clock=manual' : ''}`);
  } catch (err) {
    status(String((err as Error).message ?? err));
  }
  renderList();
  drawTimeline();
  draw();
}

async function setSide(on: boolean): Promise<void> {
  side = on;
  $<HTMLInputElement>('b-side').checked = on;
  const ps = $<HTMLSelectElement>('partner');
  ps.classList.toggle('hidden', !on);
  panes[1].el.classList.toggle('hidden', !on);
  panes[1].track = null;
  if (on && ps.value) {
    const b = await loadTrack(ps.value);
    panes[1].track = b;
    panes[1].stage.load(b);
    panes[1].stage.follow(panes[0].stage);
  } else if (on) status('no other recording of this chain seed (same chain and repeat at another setting) under this directory');
  for (const p of panes) p.stage.resize();
  draw();
}

// ---- timeline, overlay, clock ----
function drawTimeline(): void {
  const tr = panes[0].track, marks = $('marks'), scrub = $<HTMLInputElement>('scrub');
  marks.replaceChildren();
  if (!tr || !tr.frames) return;
  const dur = Math.max(1, tr.duration);
  scrub.max = String(dur);
  const at = (t: number) => `${(100 * t) / dur}%`;
  for (const s of tr.steps) {
    const seg = document.createElement('div');
    const t0 = tr.timeOf(s.startFrame), t1 = tr.timeOf(s.endFrame);
    seg.className = `seg ${s.success ? 'ok' : 'fail'}`;
    seg.style.left = at(t0);
    seg.style.width = `${(100 * Math.max(0.5, t1 - t0)) / dur}%`;
    seg.dataset.step = String(s.index + 1);
    if (!s.success) seg.dataset.failure = s.failure ?? 'failed';
    seg.title = `step ${s.index + 1}: ${s.instruction}\n${s.success ? 'success' : `failed: ${s.failure ?? 'no label'}`}`;
    seg.onclick = () => seek(t0);
    marks.append(seg);
  }
  for (const ev of tr.events) {
    const m = document.createElement('div');
    m.className = 'event';
    m.style.left = at(tr.timeOf(ev.frame));
    m.title = `${ev.kind}: ${ev.text}`;
    marks.append(m);
  }
}

function overlayFor(tr: Track, t: number): string {
  const s = tr.stepAt(t);
  if (!s) return '';
  const n = tr.entry.length || tr.steps.length;
  const done = tr.ended || tr.steps.indexOf(s) < tr.steps.length - 1 || s.endFrame > s.startFrame;
  const out = !done ? '' : s.success ? ' <span class="out-ok">✓ success</span>' : ` <span class="out-fail">✗ ${esc(s.failure ?? 'failed')}</span>`;
  return `<b>step ${s.index + 1}/${n}</b> ${esc(s.instruction)}${out}`;
}

const esc = (x: string) => x.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

function draw(): void {
  const a = panes[0].track;
  for (const p of panes) {
    if (!p.track || p.el.classList.contains('hidden')) continue;
    p.stage.show(time);
    p.stage.render();
    p.el.querySelector('.overlay')!.innerHTML = overlayFor(p.track, time);
    p.el.querySelector('.label')!.textContent = `${p.track.entry.policy ?? ''} · ${levelText(p.track.entry)}`;
  }
  if (a) {
    $<HTMLInputElement>('scrub').value = String(Math.round(time));
    $('clock').textContent = `${(time / a.controlHz).toFixed(2)} s / ${(a.duration / a.controlHz).toFixed(2)} s · frame ${a.locate(time).i + 1}/${a.frames}`;
  }
}

function seek(t: number): void {
  const a = panes[0].track;
  time = Math.max(0, Math.min(t, a?.duration ?? 0));
  draw();
}

function stepFrame(d: number): void {
  const a = panes[0].track;
  if (!a) return;
  playing = false;
  $('b-play').textContent = 'play';
  const { i, alpha } = a.locate(time);
  seek(a.timeOf(d > 0 ? i + 1 : alpha > 0 ? i : i - 1));
}

function setPlaying(on: boolean): void {
  playing = on;
  $('b-play').textContent = on ? 'pause' : 'play';
  const a = panes[0].track;
  if (on && a && time >= a.duration && a.ended) time = 0;
}

let last = performance.now();
function tick(now: number): void {
  const dt = Math.min(0.1, (now - last) / 1000);
  last = now;
  const a = panes[0].track;
  if (!manualClock && a) {
    if (a.entry.live && followLive && !a.ended) { time = a.duration; draw(); }
    else if (playing) {
      time += dt * a.controlHz * speed;
      if (time >= a.duration) { time = a.duration; if (a.ended) setPlaying(false); }
      draw();
    }
  }
  requestAnimationFrame(tick);
}

function status(s: string): void {
  $('status').textContent = s;
}

// ---- live ----
function connectLive(): void {
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/live`);
  ws.binaryType = 'arraybuffer';
  ws.onopen = () => ws.send(JSON.stringify({ type: 'hello' }));
  ws.onclose = () => status('live stream closed (the run ended or stopped); what it sent stays here to replay');
  ws.onmessage = (ev) => {
    const m = decode(new Uint8Array(ev.data as ArrayBuffer)) as { type: string; key: string } & Record<string, unknown>;
    if (m.type === 'chain') {
      const entry: Entry = { path: `live:${m.key}`, runId: m.runId as string, chainId: m.chainId as string, repeat: m.repeat as number, seed: m.seed as number, length: m.length as number, scene: m.scene as string, policy: 'live', ood: m.ood as Entry['ood'], steps: [], failed: false, playable: true, live: true };
      liveTracks.set(entry.path, new Track(entry, m.viewerScene as ViewerScene, m.controlHz as number, [], []));
      refreshFilters();
      renderList();
      if (followLive) void select(entry.path);
      return;
    }
    if (m.type === 'run-end') { status('run finished'); return; }
    const tr = liveTracks.get(`live:${m.key}`);
    if (!tr) return;
    if (m.type === 'frames') {
      const t = m.t as number[];
      tr.append(t, m.gripper as number[], copy(m.poses as Uint8Array, Float32Array));
      if (tr === panes[0].track) drawTimeline();
    } else if (m.type === 'step') {
      const s = m.step as RecordedStep;
      tr.steps.push(s);
      tr.entry.steps.push({ task: s.task, instruction: s.instruction, success: s.success, ...(s.failure ? { failure: s.failure } : {}) });
      if (!s.success) tr.entry.failed = true;
      renderList();
      if (tr === panes[0].track) drawTimeline();
    } else if (m.type === 'end') {
      tr.ended = true;
      renderList();
    }
  };
}

// ---- wiring ----
$('b-play').onclick = () => setPlaying(!playing);
$('b-prev').onclick = () => stepFrame(-1);
$('b-next').onclick = () => stepFrame(1);
$<HTMLSelectElement>('speed').onchange = (e) => { speed = Number((e.target as HTMLSelectElement).value); };
$<HTMLInputElement>('scrub').oninput = (e) => { followLive = false; seek(Number((e.target as HTMLInputElement).value)); };
$<HTMLInputElement>('b-side').onchange = (e) => {
  void setSide((e.target as HTMLInputElement).checked).then(() => { if (current && !current.live) void select(current.path, $<HTMLSelectElement>('partner').value); });
};
$<HTMLSelectElement>('partner').onchange = () => void setSide(true);
for (const id of ['f-failed', 'f-task', 'f-level', 'f-policy']) $(id).onchange = renderList;
window.addEventListener('resize', () => draw());
window.addEventListener('keydown', (e) => {
  if ((e.target as HTMLElement).tagName === 'INPUT' && (e.target as HTMLInputElement).type !== 'range') return;
  if (e.key === ' ') { e.preventDefault(); setPlaying(!playing); } else if (e.key === ',') stepFrame(-1); else if (e.key === '.') stepFrame(1);
});

/** What a test (or a script) drives: the clock, the selection, side by side; and what it reads back. */
const api = {
  ready: false,
  setTime: (t: number) => seek(t),
  /** Seek to the start of 1-based step `n` of the main pane's chain, plus `into` control steps. */
  seekStep: (n: number, into = 0) => { const tr = panes[0].track, s = tr?.steps[n - 1]; if (tr && s) seek(tr.timeOf(s.startFrame) + into); return time; },
  select: (path: string) => select(path),
  setSide: (on: boolean) => setSide(on),
  play: (on: boolean) => setPlaying(on),
  /** Pixel under the named part in pane `k` (see Stage.probe). */
  probe: (name: string, k = 0) => panes[k].stage.probe(name),
  state: () => ({
    time, playing, side, path: current?.path ?? null,
    overlay: panes.map((p) => (p.el.classList.contains('hidden') ? null : (p.el.querySelector('.overlay') as HTMLElement).innerText)),
    panes: panes.map((p) => (p.track ? { path: p.track.entry.path, frames: p.track.frames, ...p.stage.counts() } : null)),
  }),
  /** Render `n` frames as fast as the page's animation loop allows; frames per second. */
  measureFps: (n = 120): Promise<number> => new Promise((resolve) => {
    const a = panes[0].track;
    if (!a) return resolve(0);
    let k = 0;
    const t0 = performance.now();
    const loop = () => {
      time = (time + 2) % Math.max(1, a.duration);
      draw();
      if (++k < n) requestAnimationFrame(loop);
      else resolve((1000 * n) / (performance.now() - t0));
    };
    requestAnimationFrame(loop);
  }),
};
(window as unknown as { chaingapViewer: typeof api }).chaingapViewer = api;

async function start(): Promise<void> {
  const res = await fetch('/api/index.json');
  const idx = (await res.json()) as { dir: string; live: boolean; recordings: Entry[] };
  entries = idx.recordings;
  $('dirname').textContent = idx.dir;
  refreshFilters();
  renderList();
  if (idx.live) connectLive();
  side = params.get('side') === '1';
  let path = params.get('path');
  if (!path && params.get('chain')) {
    const run = params.get('run'), chain = params.get('chain'), rep = Number(params.get('repeat') ?? 0);
    path = entries.find((e) => e.chainId === chain && e.repeat === rep && (!run || e.runId === run))?.path ?? null;
    if (!path) status(`no recording of chain ${chain} repeat ${rep}${run ? ` of run ${run}` : ''} here`);
  }
  if (!path && !idx.live) path = entries.find((e) => e.playable)?.path ?? null;
  if (path) await select(path);
  if (params.get('t')) seek(Number(params.get('t')));
  api.ready = true;
  requestAnimationFrame(tick);
}

start().catch((e) => status(String(e)));
