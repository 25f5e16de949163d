export * from './sm.js';
export * from './ses.js';
export * from './x509.js';
export * from './keystore.js';
export * from './seal.js';
export * from './image.js';
export * from './authority.js';
