/** Jest runs TypeScript as ESM (NestJS 12 is ESM-only); see README "Tests". */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts', '.tsx'],
  transform: { '^.+\\.tsx?$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
    // the path aliases (package.json "imports"), to the TypeScript sources
    '^#gongwen/contract$': '<rootDir>/libs/contract/schema.d.ts',
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
  testMatch: ['<rootDir>/{apps,libs,workflows}/**/*.spec.ts', '<rootDir>/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/test/faults/'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  reporters: ['default', '<rootDir>/test/support/summary-reporter.cjs'],
  testTimeout: 60000,
  maxWorkers: 2,
};
