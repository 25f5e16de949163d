/** Jest runs TypeScript as ESM (NestJS 12 is ESM-only); see README "Tests". */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts', '.tsx'],
  transform: { '^.+\\.tsx?$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
    // @fastify/static require()s content-disposition 3, which is ESM only: Node 20 loads that (require(esm)),
    // Jest before Node 24.9 does not; in tests it gets the same function from the CommonJS 1.x line
    '^content-disposition$': 'content-disposition-cjs',
  },
  testMatch: ['<rootDir>/{apps,libs,workflows}/**/*.spec.ts', '<rootDir>/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/test/faults/'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  reporters: ['default', '<rootDir>/test/support/summary-reporter.cjs'],
  testTimeout: 60000,
  maxWorkers: 2,
};
