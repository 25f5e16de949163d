export * from './data-source.js';
export * from './entities/unit.entity.js';
export * from './entities/user.entity.js';
export * from './entities/auth-token.entity.js';
