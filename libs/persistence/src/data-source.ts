import { DataSource } from 'typeorm';
import { AuthTokenEntity } from './entities/auth-token.entity.js';
import { UnitEntity } from './entities/unit.entity.js';
import { UserEntity } from './entities/user.entity.js';
import { migrations } from './migrations/index.js';

export const entities = [UnitEntity, UserEntity, AuthTokenEntity];

/**
 * The one DataSource definition, shared by the application, the migration CLI and the tests.
 * The schema comes only from migrations (synchronize is off).
 */
export function createDataSource(url: string, options: { poolSize?: number; applicationName?: string } = {}): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities,
    migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    poolSize: options.poolSize ?? 10,
    applicationName: options.applicationName ?? 'gongwen',
  });
}
