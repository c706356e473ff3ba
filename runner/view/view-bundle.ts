// The viewer page, bundled with esbuild (three.js, msgpack and the page's own modules into one ES
// module, no CDN) into viewer/dist/, next to its index.html and style.css. `npm ci` builds it (the
// package's prepare script); `chaingap view` rebuilds it when a source is newer than the bundle, into a
// temporary folder when the package folder is read-only.
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const VIEWER_SRC = fileURLToPath(new URL('../../viewer/', import.meta.url));
/** The page's files, the only ones `chaingap view` serves besides the run directory. */
export const VIEWER_FILES = ['index.html', 'style.css', 'main.js'] as const;

function newestSource(): number {
  let t = 0;
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      if (n === 'dist') continue;
      const f = path.join(d, n), s = statSync(f);
      if (s.isDirectory()) walk(f);
      else t = Math.max(t, s.mtimeMs);
    }
  };
  walk(VIEWER_SRC);
  return t;
}

function fresh(dist: string, since: number): boolean {
  return VIEWER_FILES.every((f) => existsSync(path.join(dist, f)) && statSync(path.join(dist, f)).mtimeMs >= since);
}

/** Build the page into `outDir` (default viewer/dist); returns the folder and the bundle's size. */
export async function buildViewer(outDir = path.join(VIEWER_SRC, 'dist')): Promise<{ dir: string; bytes: number; ms: number }> {
  const t0 = performance.now();
  const { build } = await import('esbuild');
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: [path.join(VIEWER_SRC, 'main.ts')], bundle: true, format: 'esm', platform: 'browser', target: 'es2022',
    minify: true, sourcemap: false, outfile: path.join(outDir, 'main.js'), logLevel: 'error', legalComments: 'none',
  });
  for (const f of ['index.html', 'style.css']) copyFileSync(path.join(VIEWER_SRC, f), path.join(outDir, f));
  return { dir: outDir, bytes: statSync(path.join(outDir, 'main.js')).size, ms: performance.now() - t0 };
}

/** The folder of an up-to-date built page, building it first when needed. */
export async function viewerBundle(): Promise<string> {
  const since = newestSource();
  const own = path.join(VIEWER_SRC, 'dist');
  if (fresh(own, since)) return own;
  try {
    return (await buildViewer(own)).dir;
  } catch (e) {
    if (!['EACCES', 'EROFS', 'EPERM'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e;
    const tmp = path.join(tmpdir(), 'chaingap-viewer');
    if (fresh(tmp, since)) return tmp;
    return (await buildViewer(tmp)).dir;
  }
}
