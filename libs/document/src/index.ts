export * from './model.js';
export * from './canonical.js';
export * from './diff.js';
export * from './collate.js';
