/**
 * `npm run test:unit`: the pure tier, with no database, browser or LibreOffice (no globalSetup): the workflow, the
 * libraries, the API's unit specs and the tooling checks. The same TypeScript/ESM setup as jest.config.js.
 */
import base from './jest.config.js';

export default {
  ...base,
  testMatch: ['<rootDir>/{apps,libs,workflows}/**/*.spec.ts', '<rootDir>/test/tooling/**/*.test.ts'],
  // contract-served compares with the running app (PostgreSQL)
  testPathIgnorePatterns: [...base.testPathIgnorePatterns, '/test/tooling/contract-served\\.test\\.ts$'],
  globalSetup: undefined,
  globalTeardown: undefined,
};
