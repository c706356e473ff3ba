// Build the viewer page (viewer/dist): run by `npm ci` through the prepare script, or by hand.
import { buildViewer } from '../runner/view/view-bundle.ts';

const r = await buildViewer();
process.stderr.write(`viewer: ${r.dir}/main.js ${(r.bytes / 1024).toFixed(0)} KiB in ${(r.ms / 1000).toFixed(1)} s\n`);
