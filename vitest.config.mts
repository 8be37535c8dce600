import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          pool: 'threads',
          // Projects run one after another (unit, workflows, integration): two cores, no contention.
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          // One Temporal dev server and one workflow bundle for the whole suite.
          globalSetup: ['test/support/global-setup.ts'],
          setupFiles: ['test/support/quiet-logs.ts'],
          // Temporal's native worker runs best in child processes, not worker threads.
          pool: 'forks',
          testTimeout: 120_000,
          hookTimeout: 180_000,
          sequence: { groupOrder: 2 },
        },
      },
      {
        test: {
          // Each workflow on the dev server with mocked activities and durations of milliseconds.
          name: 'workflows',
          include: ['test/workflows/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          pool: 'forks',
          // The files mostly wait on the server's timers: two at a time even on two cores, each
          // process importing the SDK once for all the files it runs.
          maxWorkers: 2,
          isolate: false,
          testTimeout: 30_000,
          hookTimeout: 180_000,
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          // Recovery on every change: the worker SIGKILLed once during 50 onboardings (about a
          // minute); `npm run chaos` runs the long scenarios for figures.
          name: 'chaos-smoke',
          include: ['test/chaos/worker-kill-smoke.test.ts'],
          globalSetup: ['test/chaos/global-setup.ts'],
          pool: 'forks',
          testTimeout: 5 * 60_000,
          hookTimeout: 3 * 60_000,
          sequence: { groupOrder: 3 },
        },
      },
    ],
  },
});
