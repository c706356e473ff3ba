// Worker-thread entry of a sweep: registers the TypeScript loader, then runs work units (one chain run
// or one baseline episode each) with the env and policy it keeps per policy spec.
import { register } from 'tsx/esm/api';

register();
const { runUnit } = await import('./sweep-unit.ts');
export default runUnit;
