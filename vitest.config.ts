import { basename } from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

// The longest test files (seconds on the 2-core machine, 2026-12-04), started first so the two workers
// finish together. Vitest orders by the durations it cached on an earlier run, but a fresh clone (CI)
// has none and falls back to file size, which put the 110 s examples file last. Listed files go first
// in this order; the others follow in vitest's own order.
const LONGEST_FIRST = [
  'ci', // 163
  'examples', // 110
  'package', // 32-86: npm pack and install, partly waiting on the disk
  'distributed', // 78
  'sweep', // 76
  'resume', // 59
  'cli', // 59
  'remote-runner', // 53
  'train', // 49
  'recording', // 42
  'libero-objects', // 36
  'collect', // 30
  'grasp', // 24
];

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => {
      const i = LONGEST_FIRST.indexOf(basename(f.moduleId, '.test.ts'));
      return i < 0 ? LONGEST_FIRST.length : i;
    };
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Both cores: vitest's default outside watch mode is one worker fewer than the cores, which here is one.
    maxWorkers: 2,
    // Each worker process runs file after file without restarting: 613 s against 690 s for the whole
    // suite on the 2-core machine (2026-12-04), the saving being each file's start-up (loading Rapier,
    // onnxruntime, gpu.js again). Test files keep no state between them (no module mocks, no changed
    // process.env); a run with the files shuffled (--sequence.shuffle.files) passes too.
    isolate: false,
    sequence: { sequencer: LongestFirst },
    // The memory test measures the JS heap after a forced collection.
    execArgv: ['--expose-gc'],
  },
});
