/**
 * The supervision workflow (督查督办): public API. (The machine, policy and tasks follow; the types come first so
 * that the API can be built against them.)
 */
export * from './types.js';
