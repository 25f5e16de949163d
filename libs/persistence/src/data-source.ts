import pg from 'pg';
import { DataSource } from 'typeorm';
import { AuthTokenEntity } from './entities/auth-token.entity.js';
import { UnitEntity } from './entities/unit.entity.js';
import { UserEntity } from './entities/user.entity.js';
import { migrations } from './migrations/index.js';

export const entities = [UnitEntity, UserEntity, AuthTokenEntity];

/**
 * A pg client that always has an 'error' listener. When PostgreSQL terminates its connections (a restart, a
 * failover), a pooled connection being handed from the pool to TypeORM has none for a moment: pg-pool removes
 * its idle listener, calls back, and TypeORM adds its own only in a promise continuation. A termination
 * message read in that moment (it can arrive in the same socket read as the previous answer) is an 'error'
 * event without a listener, which ends the process — seen once in four runs of the PostgreSQL-restart fault
 * test. This listener only keeps the event handled: pg-pool and TypeORM still see the error through their
 * own listeners or the failed query, and drop the connection.
 */
export class GuardedClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    this.on('error', () => undefined);
  }
}

/**
 * The startup options of every connection: the URL's own `options` parameter (else PGOPTIONS), and `jit=off`.
 * PostgreSQL compiles a statement whose estimated cost passes jit_above_cost with LLVM, tens of milliseconds
 * spent before it runs; the application's statements are short (a transition, a page of a list), and a
 * generic plan's estimates, or a table's statistics before its first analyze, can push one of them over that
 * line now and then: a stall in the tail for nothing (issue #26). Reports over a whole table run the same.
 */
export function connectionOptions(url: string): string {
  let own: string | null = null;
  try {
    own = new URL(url).searchParams.get('options');
  } catch {
    /* not a URL: pg reads it */
  }
  return [own ?? process.env.PGOPTIONS, '-c jit=off'].filter(Boolean).join(' ');
}

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
    extra: { Client: GuardedClient, options: connectionOptions(url) },
  });
}
