import { defineConfig } from 'vitest/config';

// Two projects, as the house style asks: `unit` runs in parallel with no services;
// `integration` talks to a real redis-server, the SQS emulator and spawned app processes,
// and runs its files one at a time because they share those services and the 2 CPUs.
// Both share their workers' module cache (`isolate: false`): importing the packages (BullMQ,
// the AWS SDK, openai, …) once per worker instead of once per file took the unit project from
// 80 to 28 s and the integration files from about 740 to 640 s. A file must therefore leave no
// state behind that the next could trip on (close its pools and connections; assert on its own
// labels in the process-wide metrics registry, which pools of earlier files also fill).
export default defineConfig({
  test: {
    reporters: ['default'],
    projects: [
      {
        test: {
          name: 'unit',
          isolate: false,
          include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'tools/*/src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/node_modules/**', '**/dist/**'],
        },
      },
      {
        test: {
          name: 'integration',
          isolate: false,
          include: ['packages/*/src/**/*.int.test.ts', 'apps/*/src/**/*.int.test.ts', 'tools/*/src/**/*.int.test.ts', 'test/**/*.int.test.ts'],
          exclude: ['**/node_modules/**', '**/dist/**'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
