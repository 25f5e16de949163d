import pg from 'pg';
import type { TestApp } from '../support/app.js';
import { docClient, driveSimple, type Doc, type Ids } from '../support/flow.js';

export const currentYear = () =>
  Number(new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric' }).format(new Date()));

/** A second archivist (same demo password), for concurrent filing. */
export async function addArchivist(t: TestApp, username = 'archivist2'): Promise<string> {
  const [row] = await t.db.dataSource.query(
    `INSERT INTO users (username, display_name, password_hash, unit_id, roles, clearance)
     SELECT $1, '蒋档案员', password_hash, unit_id, roles, clearance FROM users WHERE username = 'archivist'
     ON CONFLICT (username) DO UPDATE SET username = EXCLUDED.username RETURNING id`,
    [username],
  );
  return row.id;
}

export async function json(res: Response): Promise<{ status: number; body: any; headers: Headers }> {
  const text = await res.text();
  let body: any = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON */
  }
  return { status: res.status, body, headers: res.headers };
}

export async function api(t: TestApp, as: string, path: string, init: RequestInit & { json?: unknown } = {}) {
  return json(await t.request(path, { ...init, as }));
}

/** Drives a 通知 to `archiving` and files it; returns the document. */
export async function fileDocument(
  t: TestApp,
  ids: Ids,
  opts: { title?: string; retention?: 'Y' | 'D30' | 'D10'; as?: string } = {},
): Promise<Doc> {
  const c = docClient(t);
  const d = await driveSimple(t, ids, 'archiving', opts.title);
  return c.ok(c.event(opts.as ?? 'archivist', d.id, { type: 'FILE', retention: opts.retention ?? 'D30' }));
}

export async function itemOf(t: TestApp, documentId: string): Promise<any> {
  const [row] = await t.db.dataSource.query(`SELECT id FROM archive_items WHERE document_id = $1`, [documentId]);
  if (!row) throw new Error(`document ${documentId} was not filed`);
  const r = await api(t, 'archivist', `/api/archive/items/${row.id}`);
  if (r.status !== 200) throw new Error(`item ${row.id}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** Waits until the preparation job has rendered, counted and stamped the items. */
export async function waitPrepared(t: TestApp, itemIds: string[], timeoutMs = 120000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const [{ n }] = await t.db.dataSource.query(
      `SELECT count(*)::int AS n FROM archive_items WHERE id = ANY($1::uuid[]) AND prepared_at IS NOT NULL`,
      [itemIds],
    );
    if (n === itemIds.length) return;
    if (Date.now() > until) throw new Error(`only ${n} of ${itemIds.length} items were prepared in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** A plain connection as the database owner (the test server's superuser), outside the application. */
export async function ownerClient(t: TestApp): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: t.db.url });
  await client.connect();
  return client;
}

export async function refusal(p: Promise<unknown>): Promise<{ code?: string; message: string }> {
  try {
    await p;
  } catch (e) {
    return { code: (e as { code?: string }).code, message: (e as Error).message };
  }
  throw new Error('expected the database to refuse the statement');
}
