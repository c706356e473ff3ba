// Worker-thread entry of a sweep: runs work units (one chain run or one baseline episode each) with the
// env and policy it keeps per policy spec. In the compiled package it imports the sibling sweep-unit.js;
// in a source checkout it registers the TypeScript loader (tsx) and imports sweep-unit.ts.
import { existsSync } from 'node:fs';

const compiled = new URL('./sweep-unit.js', import.meta.url);
let unit;
if (existsSync(compiled)) unit = await import(compiled.href);
else {
  const { register } = await import('tsx/esm/api');
  register();
  unit = await import('./sweep-unit.ts');
}
export default unit.runUnit;
