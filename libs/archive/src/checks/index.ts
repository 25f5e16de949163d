export * from './types.js';
export * from './package.js';
export * from './formats.js';
export * from './clamav.js';
export * from './checks.js';
export * from './engine.js';
export * from './report.js';
export * from './dat46.js';
