// Import boundaries between the layers. The layers import one way:
//   scripts -> runner -> policies -> sim -> scenes
// so scenes/ imports nothing of ours (and of packages only node builtins, zod and seedrandom: it is the
// data layer every other one reads), sim/ only scenes/, policies/ only sim/ and scenes/, runner/ only
// policies/, sim/ and scenes/; each layer may import its own files. scripts/, index.ts (the package's
// entry), benchmarks/ and test/ may import anything. viewer/ is the browser page, bundled by esbuild
// (runner/view/view-bundle.ts): at run time it loads only its own files and browser packages, never a node
// builtin; from sim/, runner/ and scenes/ it takes types only (`import type`, erased from the bundle).
//
// What counts as an import: static `import`/`export ... from`, `import x = require()`, dynamic
// `import('...')` (also in type positions), `require('...')`, and `new URL('<file>.ts|.mjs|...',
// import.meta.url)` (how workers are started). A `new URL` of a directory or a data file (package.json,
// scenes' JSON, the viewer's sources given to esbuild) is an asset, not an import. Type-only imports
// count for the layers too: a layer that names another's types depends on it.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

type Layer = 'scenes' | 'sim' | 'policies' | 'runner' | 'scripts' | 'index' | 'benchmarks' | 'test' | 'viewer' | 'config';
const LAYERS: readonly Layer[] = ['scenes', 'sim', 'policies', 'runner', 'scripts', 'index', 'benchmarks', 'test', 'viewer', 'config'];

/** The other layers each layer may import at run time ('any': everything); its own files are always allowed. */
const MAY_IMPORT: Record<Layer, readonly Layer[] | 'any'> = {
  scenes: [],
  sim: ['scenes'],
  policies: ['sim', 'scenes'],
  runner: ['policies', 'sim', 'scenes'],
  scripts: 'any',
  index: 'any',
  benchmarks: 'any',
  test: 'any',
  viewer: [],
  config: 'any',
};
/** Layers whose types (only) a layer may import on top of MAY_IMPORT. */
const MAY_IMPORT_TYPES: Partial<Record<Layer, readonly Layer[]>> = {
  viewer: ['sim', 'runner', 'scenes'],
};
/** Packages (bare specifiers) a layer may import, where that is restricted. */
const PACKAGES: Partial<Record<Layer, (spec: string) => boolean>> = {
  scenes: (s) => s.startsWith('node:') || s === 'zod' || s === 'seedrandom',
  viewer: (s) => !s.startsWith('node:'),
};

const CODE = /\.(ts|mts|cts|js|mjs|cjs)$/;

/** The layer of a repository-relative path (posix), or null for a path outside every layer. */
export function layerOf(rel: string): Layer | null {
  if (rel.startsWith('../') || rel === '..') return null;
  const [head, ...rest] = rel.split('/');
  if (rest.length === 0) {
    if (head === 'index.ts') return 'index';
    if (head === 'vitest.config.ts') return 'config';
    return null;
  }
  return (LAYERS as readonly string[]).includes(head) && head !== 'index' && head !== 'config' ? (head as Layer) : null;
}

export interface ImportRef {
  spec: string;
  line: number;
  typeOnly: boolean;
  how: 'import' | 'export' | 'dynamic import' | 'import type()' | 'require' | 'new URL';
}

/** Every module reference in a source text, with its 1-based line. */
export function importsOf(file: string, text: string): ImportRef[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, /\.m?js$/.test(file) ? ts.ScriptKind.JS : ts.ScriptKind.TS);
  const out: ImportRef[] = [];
  const add = (node: ts.Node, spec: string, how: ImportRef['how'], typeOnly: boolean) =>
    out.push({ spec, how, typeOnly, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1 });
  const literal = (n: ts.Node | undefined): string | null => (n && (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) ? n.text : null);
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const c = node.importClause;
      const named = c?.namedBindings && ts.isNamedImports(c.namedBindings) ? c.namedBindings.elements : undefined;
      // `import type {..}`, or `import { type A, type B }` with no value binding: erased at run time.
      const typeOnly = !!c && (c.isTypeOnly || (!c.name && !!named && named.length > 0 && named.every((e) => e.isTypeOnly)));
      add(node, literal(node.moduleSpecifier)!, 'import', typeOnly);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
      add(node, literal(node.moduleSpecifier)!, 'export', node.isTypeOnly);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      const s = literal(node.moduleReference.expression);
      if (s !== null) add(node, s, 'require', node.isTypeOnly);
    } else if (ts.isImportTypeNode(node)) {
      const s = ts.isLiteralTypeNode(node.argument) ? literal(node.argument.literal) : null;
      if (s !== null) add(node, s, 'import type()', true);
    } else if (ts.isCallExpression(node)) {
      const s = literal(node.arguments[0]);
      if (s !== null && node.expression.kind === ts.SyntaxKind.ImportKeyword) add(node, s, 'dynamic import', false);
      else if (s !== null && ts.isIdentifier(node.expression) && node.expression.text === 'require') add(node, s, 'require', false);
    } else if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'URL') {
      const [first, base] = node.arguments ?? [];
      const s = literal(first);
      if (s !== null && base && base.getText(sf).replace(/\s/g, '') === 'import.meta.url' && CODE.test(s)) add(node, s, 'new URL', false);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

export interface Violation {
  file: string;
  line: number;
  message: string;
}

/** The boundary violations of one file (`file` repository-relative, posix). */
export function checkFile(file: string, text: string): Violation[] {
  const from = layerOf(file);
  if (from === null) return [{ file, line: 1, message: 'is in no layer: give its directory a rule in test/import-boundaries.test.ts' }];
  // A layer that may import anything (and any package) has nothing to check: not parsed.
  if (MAY_IMPORT[from] === 'any' && !PACKAGES[from]) return [];
  const out: Violation[] = [];
  for (const r of importsOf(file, text)) {
    const where = { file, line: r.line };
    if (!r.spec.startsWith('.') && !r.spec.startsWith('/')) {
      const pkg = PACKAGES[from];
      if (pkg && !pkg(r.spec)) out.push({ ...where, message: `${from}/ imports package "${r.spec}" (${r.how}), which ${from}/ may not` });
      continue;
    }
    if (r.spec.startsWith('/')) {
      out.push({ ...where, message: `imports the absolute path "${r.spec}" (${r.how})` });
      continue;
    }
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), r.spec));
    const to = layerOf(target);
    const allowed = MAY_IMPORT[from];
    if (to === from || allowed === 'any') continue;
    if (to !== null && allowed.includes(to)) continue;
    if (to !== null && r.typeOnly && MAY_IMPORT_TYPES[from]?.includes(to)) continue;
    const rule = `${from}/ may import ${[...allowed, ...(MAY_IMPORT_TYPES[from] ?? []).map((l) => `types of ${l}/`)].map((l) => (l.endsWith('/') || l.startsWith('types') ? l : `${l}/`)).join(', ') || 'nothing of ours'}`;
    out.push({ ...where, message: `${r.how} "${r.spec}"${r.typeOnly ? ' (type only)' : ''} reaches ${to === null ? `"${target}", outside every layer` : `${to}/`}; ${rule}` });
  }
  return out;
}

/** Every code file of the repository's layers (no node_modules, no build output). */
function sourceFiles(): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(ROOT, rel), { withFileTypes: true })) {
      if (e.name === 'node_modules' || e.name === 'dist' || e.name.startsWith('.')) continue;
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (rel === '' && !(LAYERS as readonly string[]).includes(e.name) && e.name !== 'docs') out.push(...codeIn(r));
        else if (rel !== '' || (LAYERS as readonly string[]).includes(e.name)) walk(r);
      } else if (CODE.test(e.name) && !e.name.endsWith('.d.ts')) out.push(r);
    }
  };
  // Code in a top-level directory that is not a layer: reported as "in no layer".
  const codeIn = (rel: string): string[] => {
    const found: string[] = [];
    for (const e of fs.readdirSync(path.join(ROOT, rel), { withFileTypes: true, recursive: true })) {
      if (e.isFile() && CODE.test(e.name) && !e.parentPath.includes('node_modules')) found.push(path.relative(ROOT, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
    }
    return found;
  };
  walk('');
  return out.sort();
}

const fmt = (v: Violation) => `${v.file}:${v.line}: ${v.message}`;

describe('the checker', () => {
  it('finds each kind of reference, with its line, and ignores comments and strings', () => {
    const src = [
      "import { a } from './a.ts';", // 1
      "import type { B } from '../scenes/types.ts';", // 2
      "export { c } from '../sim/c.ts';", // 3
      "// import { no } from '../runner/no.ts';", // 4
      "const s = \"import { no } from '../runner/no.ts'\";", // 5
      "const m = await import('../policies/m.ts');", // 6
      "type T = import('../runner/records.ts').ChainRecord;", // 7
      "const w = new Worker(new URL('../runner/sweep-worker.mjs', import.meta.url));", // 8
      "const d = new URL('../viewer/', import.meta.url);", // 9
      "const r = require('../scripts/x.ts');", // 10
      "import { type X, type Y } from '../sim/y.ts';", // 11
      '/* import z from "../runner/z.ts" */', // 12
    ].join('\n');
    expect(importsOf('policies/p.ts', src).map((r) => [r.line, r.how, r.spec, r.typeOnly])).toEqual([
      [1, 'import', './a.ts', false],
      [2, 'import', '../scenes/types.ts', true],
      [3, 'export', '../sim/c.ts', false],
      [6, 'dynamic import', '../policies/m.ts', false],
      [7, 'import type()', '../runner/records.ts', true],
      [8, 'new URL', '../runner/sweep-worker.mjs', false],
      [10, 'require', '../scripts/x.ts', false],
      [11, 'import', '../sim/y.ts', true],
    ]);
  });

  it('reports an import against the direction of the layers, and passes one along it', () => {
    expect(checkFile('sim/robot.ts', "import { Env } from './env.ts';\nimport type { TaskSpec } from '../scenes/types.ts';\n")).toEqual([]);
    expect(checkFile('runner/x.ts', "import { a } from '../policies/a.ts';\nimport { b } from '../sim/b.ts';\nimport { c } from '../scenes/c.ts';")).toEqual([]);
    const v = checkFile('sim/render/bad.ts', "import { ok } from '../world.ts';\n\nimport type { ChainRecord } from '../../runner/records.ts';\n");
    expect(v.map(fmt)).toEqual(['sim/render/bad.ts:3: import "../../runner/records.ts" (type only) reaches runner/; sim/ may import scenes/']);
    expect(checkFile('scenes/s.ts', "const { Env } = await import('../sim/env.ts');").map((x) => x.line)).toEqual([1]);
    expect(checkFile('scenes/s.ts', "import { z } from 'zod';\nimport three from 'three';").map(fmt)).toEqual(['scenes/s.ts:2: scenes/ imports package "three" (import), which scenes/ may not']);
    expect(checkFile('policies/p.ts', "\nnew Worker(new URL('../runner/view/live-worker.mjs', import.meta.url));").map((x) => [x.line, /new URL.*runner\//.test(x.message)])).toEqual([[2, true]]);
    expect(checkFile('runner/r.ts', "export * from '../scripts/cli.ts';")).toHaveLength(1);
    expect(checkFile('runner/r.ts', "import '../index.ts';")).toHaveLength(1);
    expect(checkFile('sim/s.ts', "import x from '../../elsewhere/x.ts';")[0].message).toMatch(/outside every layer/);
    expect(checkFile('scripts/s.ts', "import { runChains } from '../runner/chains/run.ts';\nimport '../test/helpers/x.ts';")).toEqual([]);
    expect(checkFile('test/t.ts', "import '../scripts/cli.ts';")).toEqual([]);
    expect(checkFile('lib/new.ts', '')).toHaveLength(1);
  });

  it('lets the viewer page take types, not code, from the other layers, and no node builtin', () => {
    expect(checkFile('viewer/main.ts', "import type { ViewerScene } from '../sim/viewer-scene.ts';\nimport { Stage } from './stage.ts';\nimport * as THREE from 'three';")).toEqual([]);
    expect(checkFile('viewer/main.ts', "import { viewerScene } from '../sim/viewer-scene.ts';").map((x) => x.line)).toEqual([1]);
    expect(checkFile('viewer/main.ts', "import fs from 'node:fs';")).toHaveLength(1);
  });
});

describe('the repository', () => {
  const files = sourceFiles();

  it('finds the code of every layer', () => {
    for (const l of ['scenes', 'sim', 'policies', 'runner', 'scripts', 'viewer', 'benchmarks', 'test'] as const) {
      expect(files.filter((f) => f.startsWith(`${l}/`)).length, l).toBeGreaterThan(0);
    }
    expect(files).toContain('index.ts');
    expect(files).toContain('runner/sweep/sweep-worker.mjs');
    expect(files).toContain('sim/render/renderer.ts');
  });

  it('every layer imports one way: scripts -> runner -> policies -> sim -> scenes', () => {
    const violations = files.flatMap((f) => checkFile(f, MAY_IMPORT[layerOf(f)!] === 'any' ? '' : fs.readFileSync(path.join(ROOT, f), 'utf8')));
    expect(violations.map(fmt)).toEqual([]);
  });
});
