/** Jest runs TypeScript as ESM (NestJS 12 is ESM-only); see README "Tests". */
import { availableParallelism } from 'node:os';

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
    '^#gongwen/(page-layout|ofd)$': '<rootDir>/libs/$1/src/index.ts',
    '^#gongwen/(page-layout|ofd)/(.*)$': '<rootDir>/libs/$1/src/$2',
    '^#gongwen/workflows/outgoing$': '<rootDir>/workflows/outgoing/index.ts',
    '^#gongwen/workflows/incoming$': '<rootDir>/workflows/incoming/index.ts',
    '^#gongwen/workflows/outgoing/(.*)$': '<rootDir>/workflows/outgoing/$1',
    '^#gongwen/workflows/incoming/(.*)$': '<rootDir>/workflows/incoming/$1',
    '^#gongwen/seal$': '<rootDir>/libs/seal/src/index.ts',
    '^#gongwen/seal/(.*)$': '<rootDir>/libs/seal/src/$1',
    '^#gongwen/calendar$': '<rootDir>/libs/calendar/src/index.ts',
    '^#gongwen/calendar/(.*)$': '<rootDir>/libs/calendar/src/$1',
    '^#gongwen/workflows/supervision$': '<rootDir>/workflows/supervision/index.ts',
    '^#gongwen/workflows/supervision/(.*)$': '<rootDir>/workflows/supervision/$1',
  },
  testMatch: ['<rootDir>/{apps,libs,workflows}/**/*.spec.ts', '<rootDir>/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/test/faults/'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  reporters: ['default', '<rootDir>/test/support/summary-reporter.cjs'],
  testSequencer: '<rootDir>/test/support/sequencer.cjs',
  testTimeout: 60000,
  // Three workers on two cores: a test file spends much of its time waiting (on Chromium, PostgreSQL, LibreOffice and
  // the API's own timers), so two workers left part of the cores idle (create.test.ts used 41 s of CPU in 90 s).
  // (at most four: each worker holds an API with its PostgreSQL pool and a Chromium)
  maxWorkers: Math.min(4, Math.max(2, Math.round(availableParallelism() * 1.5))),
  // A worker keeps what each test file's module registry held (≈ 60 MB more heap per file), and every major garbage
  // collection marks all of it: recycled once past this, 53 mid-sized files took 11 % less CPU on two workers
  // (400 → 355 s; a new worker's first file costs ≈ 4 s more to load).
  workerIdleMemoryLimit: '900MB',
};
