import { resolve } from 'node:path';
import type { DataSource } from 'typeorm';
import { createDataSource } from '#gongwen/persistence';
import { setMigrationSecretKeyRing } from '#gongwen/persistence/secret-box';
import type { AppConfig } from '../config/config.js';
import { secretKeyRing } from '../config/secret-key.js';
import { rebaseOutboxPositions } from '../engine/repositories/outbox-rebase.js';
import { startEmbeddedPostgres, type EmbeddedServer } from './embedded.js';

export interface Database {
  dataSource: DataSource;
  embedded?: EmbeddedServer;
  url: string;
  close(): Promise<void>;
}

/**
 * Connects to DATABASE_URL, or starts the embedded PostgreSQL (data under GONGWEN_DATA_DIR), and runs
 * pending migrations, then rebases outbox positions restored from another cluster (engine/repositories/outbox-rebase.ts). The
 * schema only ever comes from migrations.
 */
export async function openDatabase(config: AppConfig, opts: { migrate?: boolean; log?: (m: string) => void } = {}): Promise<Database> {
  let embedded: EmbeddedServer | undefined;
  let url = config.DATABASE_URL;
  if (!url) {
    embedded = await startEmbeddedPostgres(resolve(config.GONGWEN_DATA_DIR, 'pgdata'), config.GONGWEN_EMBEDDED_PG_PORT, opts.log);
    await embedded.createDatabase('gongwen');
    url = embedded.url('gongwen');
  }
  const dataSource = createDataSource(url, { poolSize: config.DATABASE_POOL_SIZE });
  await dataSource.initialize();
  // a migration that encrypts stored secrets does so with this deployment's key
  setMigrationSecretKeyRing(secretKeyRing(config));
  if (opts.migrate !== false) {
    // several processes may start at once (a cluster, a rolling deploy): one migrates, the others wait for it and
    // then find nothing to do. The advisory lock belongs to one session, so it is taken on a dedicated connection.
    const lock = dataSource.createQueryRunner();
    await lock.connect();
    try {
      await lock.query('SELECT pg_advisory_lock(7419001)');
      await dataSource.runMigrations({ transaction: 'each' });
      // restored into another cluster (disaster recovery): stored outbox positions are rebased (engine/repositories/outbox-rebase.ts)
      await rebaseOutboxPositions(dataSource, opts.log ?? ((m) => console.warn(`[database] ${m}`)));
    } finally {
      await lock.query('SELECT pg_advisory_unlock(7419001)').catch(() => undefined);
      await lock.release();
    }
  }
  return {
    dataSource,
    embedded,
    url,
    async close() {
      if (dataSource.isInitialized) await dataSource.destroy();
      await embedded?.stop();
    },
  };
}
