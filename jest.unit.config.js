/**
 * `npm run test:unit`: the pure tier, with no database, browser or LibreOffice (no globalSetup): the workflow, the
 * libraries, the API's unit specs and the tooling checks. The same TypeScript/ESM setup as jest.config.js.
 */
import base from './jest.config.js';

export default {
  ...base,
  testMatch: ['<rootDir>/{apps,libs,workflows}/**/*.spec.ts', '<rootDir>/test/tooling/**/*.test.ts'],
  // not here: contract-served needs PostgreSQL; contract (builds the whole API in a child process) and lint
  // (type-aware ESLint) take 10-30 s each, so they run with `npm test`
  testPathIgnorePatterns: [...base.testPathIgnorePatterns, '/test/tooling/(contract|contract-served|lint)\\.test\\.ts$'],
  globalSetup: undefined,
  globalTeardown: undefined,
};
