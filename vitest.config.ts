import { defineConfig } from 'vitest/config';

// Workspace packages resolve to their TypeScript sources in tests (the "@weft/source" export condition).
const conditions = ['@weft/source', 'node', 'import', 'module', 'default'];

const shared = {
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: conditions } },
};

/** Core tests that touch the database run twice: on the PostgreSQL server and on embedded PGlite. */
const driverIndependent = ['core/src/**/*.test.ts', 'core/test/**/*.test.ts'];

export default defineConfig({
  test: {
    reporters: ['default', './tests/support/summary-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        ...shared,
        extends: true,
        test: {
          name: 'postgres',
          env: { WEFT_TEST_DRIVER: 'postgres' },
          include: [...driverIndependent, 'plugin-sdk/src/**/*.test.ts', 'plugins/*/src/**/*.test.ts', 'plugins/*/test/**/*.test.ts', 'cli/test/**/*.test.ts', 'tests/**/*.test.ts'],
        },
      },
      {
        ...shared,
        extends: true,
        test: {
          name: 'pglite',
          env: { WEFT_TEST_DRIVER: 'pglite' },
          include: driverIndependent,
        },
      },
    ],
  },
});
