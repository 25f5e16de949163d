export * from './data-source.js';
export * from './entities/unit.entity.js';
export * from './entities/user.entity.js';
export * from './entities/auth-token.entity.js';
export { SYSTEM_USER_ID } from './migrations/1764000900000-SystemAccount.js';
export * from './secret-box.js';
