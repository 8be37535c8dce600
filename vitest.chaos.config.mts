import { defineConfig } from 'vitest/config';

// `npm run chaos`: the heavier reliability runs (worker killed, Temporal restarted, billing and SMTP
// faults; the cluster topology in cluster.test.ts), one file at a time, each on its own Temporal server
// (the dev server, or the cluster's on PostgreSQL) and stack; loopback only.
// Figures go to bench/results/chaos.default.json and BENCHMARKS.md (test/chaos/global-setup.ts).
export default defineConfig({
  test: {
    include: ['test/chaos/**/*.test.ts'],
    // The short worker-kill run belongs to `npm test`; the long one here gives the figures.
    exclude: ['test/chaos/worker-kill-smoke.test.ts'],
    globalSetup: ['test/chaos/global-setup.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 12 * 60_000,
    hookTimeout: 3 * 60_000,
  },
});
