import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('..', import.meta.url));

// Kept under test/ because the top-level layout of the repository is fixed.
export default defineConfig({
  test: {
    root,
    // The example plugin's own tests too (docs/examples/*/test), as `npm test` there runs them.
    include: ['test/**/*.test.ts', 'docs/examples/*/test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // describe.concurrent CLI files spawn a `sluice` per test (two with checkBoth): at the
    // default 5 at once, on 2 busy cores, each took past the 15 s hang guard.
    maxConcurrency: 2,
  },
  resolve: {
    // The examples import `sluice` as a project that installed it does: here that is this
    // checkout's build (npm test builds first), without an `npm install` in each example.
    // test/cli/writing-a-valve.test.ts installs the packed package for real.
    alias: [
      { find: /^sluice$/, replacement: `${root}dist/engine/index.js` },
      { find: /^sluice\/testing$/, replacement: `${root}dist/engine/testing/index.js` },
    ],
  },
});
