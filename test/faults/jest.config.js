/**
 * Fault tests (`npm run test:faults`): the built API (dist/) as real child processes, killed, cut off from
 * PostgreSQL, doubled and restored from a backup. Same TypeScript/ESM setup as the root config.
 *
 * The root config ignores test/faults/ (these tests need `dist/`, which `npm test` does not build).
 */

export default {
  rootDir: '../..',
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts', '.tsx'],
  transform: { '^.+\\.tsx?$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.json' }] },
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
    '^#gongwen/(document|docx|archive|persistence|authority|numbering|registers)$': '<rootDir>/libs/$1/src/index.ts',
    '^#gongwen/(document|docx|archive|persistence|authority|numbering|registers)/(.*)$': '<rootDir>/libs/$1/src/$2',
    '^#gongwen/workflows/outgoing$': '<rootDir>/workflows/outgoing/index.ts',
    '^#gongwen/workflows/incoming$': '<rootDir>/workflows/incoming/index.ts',
    '^#gongwen/workflows/outgoing/(.*)$': '<rootDir>/workflows/outgoing/$1',
    '^#gongwen/calendar$': '<rootDir>/libs/calendar/src/index.ts',
    '^#gongwen/calendar/(.*)$': '<rootDir>/libs/calendar/src/$1',
    '^#gongwen/workflows/supervision$': '<rootDir>/workflows/supervision/index.ts',
    '^#gongwen/workflows/supervision/(.*)$': '<rootDir>/workflows/supervision/$1',
    '^#gongwen/workflows/incoming/(.*)$': '<rootDir>/workflows/incoming/$1',
  },
  testMatch: ['<rootDir>/test/faults/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  reporters: ['default', '<rootDir>/test/support/summary-reporter.cjs'],
  testTimeout: 120000,
  maxWorkers: 1,
};
