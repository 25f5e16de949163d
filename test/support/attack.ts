/**
 * Helpers for the attacking tests in test/security (authorisation matrix, leakage, fuzzing, IDOR):
 * the route list read from the live OpenAPI document, a raw HTTP sender that never throws, a database
 * fingerprint (row counts + row-version checksums) to prove a refused request changed nothing, the problem-document
 * normaliser used to compare "hidden" with "absent", and the demo office as the security policy states it.
 */
import type { TestApp } from './app.js';
import { docClient, driveSimple, para, type Doc, type Ids } from './flow.js';

export type Level = 'none' | 'confidential' | 'secret' | 'top_secret';
export const LEVELS: readonly Level[] = ['none', 'confidential', 'secret', 'top_secret'];
export const rank = (l: Level): number => LEVELS.indexOf(l);

/**
 * The demo office as the security policy describes it (README and the issue), written down here on
 * purpose instead of being read from the seed: the tests check the application against the policy.
 */
export const DEMO: Record<string, { roles: string[]; clearance: Level }> = {
  secretary: { roles: ['secretary'], clearance: 'top_secret' },
  secretary2: { roles: ['secretary'], clearance: 'secret' },
  chief: { roles: ['chief', 'secretary'], clearance: 'top_secret' },
  discussant: { roles: ['discussant'], clearance: 'secret' },
  discussant2: { roles: ['discussant'], clearance: 'confidential' },
  proofreader: { roles: ['proofreader'], clearance: 'top_secret' },
  reviewer: { roles: ['reviewer'], clearance: 'top_secret' },
  signer: { roles: ['signer'], clearance: 'top_secret' },
  signer2: { roles: ['signer'], clearance: 'top_secret' },
  clerk: { roles: ['clerk'], clearance: 'top_secret' },
  reader: { roles: ['reader'], clearance: 'secret' },
  reader2: { roles: ['reader'], clearance: 'none' },
  archivist: { roles: ['archivist'], clearance: 'top_secret' },
  admin: { roles: ['admin'], clearance: 'none' },
  // reads the administrators' audit log and the archive access log; has no part in any document and acts on nothing
  auditor: { roles: ['auditor'], clearance: 'top_secret' },
  // the receiving units (收文) and supervision
  fgw_registrar: { roles: ['registrar'], clearance: 'secret' },
  fgw_chief: { roles: ['chief'], clearance: 'secret' },
  fgw_leader: { roles: ['leader'], clearance: 'secret' },
  fgw_leader2: { roles: ['leader'], clearance: 'confidential' },
  fgw_handler: { roles: ['handler'], clearance: 'secret' },
  fgw_handler2: { roles: ['handler'], clearance: 'confidential' },
  czj_registrar: { roles: ['registrar'], clearance: 'none' },
  supervisor: { roles: ['supervisor'], clearance: 'secret' },
  // the seal custodian (印章管理员) of 区委办: seals registered documents, reads the seal registry
  seal_keeper: { roles: ['seal_keeper'], clearance: 'top_secret' },
};
export const USERS = Object.keys(DEMO);
export const hasRole = (user: string, ...roles: string[]) => roles.some((r) => DEMO[user].roles.includes(r));

export const DOCX_MIME = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
/** A well-formed (version 4) UUID that names nothing. */
export const ABSENT_UUID = '7f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b';
export const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

// ------------------------------------------------------------------------------------------ routes

export interface Op {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  id: string;
  pathParams: string[];
  queryParams: string[];
  /** Media types of the request body (empty: none described). */
  bodyTypes: string[];
  write: boolean;
  /** The request body's JSON schema, when described. */
  bodySchema?: Record<string, unknown>;
}

/** Every operation of the running application's OpenAPI document. */
export async function operations(t: TestApp): Promise<Op[]> {
  const res = await t.request('/api/openapi.json');
  if (res.status !== 200) throw new Error(`openapi.json: ${res.status}`);
  const doc = (await res.json()) as { paths: Record<string, Record<string, any>> };
  const out: Op[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [m, op] of Object.entries(item)) {
      const method = m.toUpperCase() as Op['method'];
      if (!['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(method)) continue;
      const params: { in: string; name: string }[] = op.parameters ?? [];
      const content = op.requestBody?.content ?? {};
      out.push({
        method,
        path,
        id: op.operationId,
        pathParams: [...path.matchAll(/\{([^}]+)\}/g)].map((x) => x[1]),
        queryParams: params.filter((p) => p.in === 'query').map((p) => p.name),
        bodyTypes: Object.keys(content),
        write: WRITE_METHODS.has(method),
        bodySchema: content['application/json']?.schema,
      });
    }
  }
  return out;
}

/** Replaces each {param} of an OpenAPI path (values are URL-encoded unless `raw`). */
export function fillPath(path: string, values: Record<string, string>, raw = false): string {
  return path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const v = values[name] ?? ABSENT_UUID;
    return raw ? v : encodeURIComponent(v);
  });
}

/** Is this operation about one document (its path names a document id)? */
export const isDocumentOp = (op: Pick<Op, 'path'>) => op.path.startsWith('/api/documents/{id}') || /\{documentId\}/.test(op.path);

// ------------------------------------------------------------------------------------------ HTTP

export interface Reply {
  status: number;
  text: string;
  body: any;
  headers: Headers;
  type: string;
}

export interface SendOptions {
  as?: string;
  /** A raw bearer secret (personal tokens, revoked tokens …). */
  bearer?: string;
  json?: unknown;
  /** A raw body (string or bytes) sent as is with `contentType`. */
  raw?: string | Uint8Array;
  contentType?: string;
  headers?: Record<string, string>;
}

/** One request; never throws on an HTTP status. The body is read as text (and parsed when JSON). */
export async function send(t: TestApp, method: string, path: string, o: SendOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...(o.headers ?? {}) };
  if (o.as) headers.authorization = `Bearer ${await t.token(o.as)}`;
  if (o.bearer) headers.authorization = `Bearer ${o.bearer}`;
  let body: string | Uint8Array | undefined;
  if (o.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(o.json);
  } else if (o.raw !== undefined) {
    if (o.contentType) headers['content-type'] = o.contentType;
    body = o.raw;
  }
  const res = await t.dispatch(path, { method, headers, body: body as BodyInit | undefined, redirect: 'manual' });
  const type = res.headers.get('content-type') ?? '';
  if (type.startsWith('text/event-stream')) {
    // a stream that was let through stays open: its status and headers are the answer
    await res.body?.cancel();
    return { status: res.status, text: '<event stream>', body: null, headers: res.headers, type };
  }
  const buf = Buffer.from(await res.arrayBuffer());
  const text = /json|text|csv/.test(type) || !type ? buf.toString('utf8') : `<${buf.length} bytes of ${type}>`;
  let parsed: any = null;
  if (/json/.test(type)) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = null;
    }
  }
  return { status: res.status, text, body: parsed, headers: res.headers, type };
}

/** "METHOD path → status code" for assertion messages. */
export const describeReply = (method: string, path: string, r: Reply) =>
  `${method} ${path} → ${r.status} ${r.body?.code ?? ''} ${r.body?.detail ?? r.text.slice(0, 120)}`.trim();

/**
 * A response with the parts that must differ between two requests blanked: the request id (body and
 * header) and `instance` (it echoes the path the caller sent). Everything else must be byte-identical.
 */
export function normalised(r: Reply): string {
  // an ETag of a problem document hashes its body, request id included: noise, like the request id itself
  const skip = new Set(['date', 'x-request-id', 'connection', 'keep-alive', ...(/problem\+json/.test(r.type) ? ['etag'] : [])]);
  const headers = [...r.headers.entries()]
    .filter(([k]) => !skip.has(k))
    .map(([k, v]) => `${k}: ${v}`)
    .sort();
  const body = r.text.replace(/"requestId":"[^"]*"/g, '"requestId":"…"').replace(/"instance":"[^"]*"/g, '"instance":"…"');
  return [`status ${r.status}`, ...headers, '', body].join('\n');
}

// ------------------------------------------------------------------------------------------ database

/**
 * The tables whose every row version is checksummed; the others (some written by background jobs: the outbox relay's
 * cursor, the archive's files) are counted.
 */
const CHECKSUMMED = [
  'documents',
  'revisions',
  'audit_events',
  'document_copies',
  'document_grants',
  'export_approvals',
  'users',
  'units',
  'auth_tokens',
];

/** The statement that fingerprints every table of a test app's database but `ignore` (built once per app and list). */
const fingerprintStatements = new WeakMap<TestApp, Map<string, Promise<string>>>();

function fingerprintStatement(t: TestApp, ignore: string[]): Promise<string> {
  let byIgnore = fingerprintStatements.get(t);
  if (!byIgnore) fingerprintStatements.set(t, (byIgnore = new Map()));
  const key = JSON.stringify([...ignore].sort());
  let statement = byIgnore.get(key);
  if (!statement) {
    statement = (async () => {
      // the tables are the migrations' (no test creates or drops one)
      const tables: { table_name: string }[] = await t.db.dataSource.query(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`,
      );
      return tables
        .map((x) => x.table_name)
        .filter((n) => !ignore.includes(n) && n !== 'migrations')
        .map((n) =>
          CHECKSUMMED.includes(n)
            ? `SELECT '${n}' AS t, count(*)::int AS n, coalesce(sum(hashtextextended(x.ctid::text || ':' || x.xmin::text, 0)), 0)::text AS h FROM "${n}" x`
            : `SELECT '${n}' AS t, count(*)::int AS n, NULL AS h FROM "${n}"`,
        )
        .join(' UNION ALL ');
    })();
    byIgnore.set(key, statement);
  }
  return statement;
}

/**
 * Row counts of every table plus a checksum of the row versions (each row's ctid and xmin) of the tables whose
 * content matters most (documents, revisions, audit trail, copies, grants, export approvals, users, units, tokens),
 * in one statement. Equal fingerprints before and after a refused request prove it changed nothing: PostgreSQL
 * writes every insert and every update as a new row version (a new ctid, the writing transaction's xmin), so any
 * write to a checksummed table, even one that rewrites a row with the same content, changes its checksum.
 */
export async function fingerprint(t: TestApp, ignore: string[] = []): Promise<Record<string, string | number>> {
  const rows: { t: string; n: number; h: string }[] = await t.db.dataSource.query(await fingerprintStatement(t, ignore));
  const out: Record<string, string | number> = {};
  for (const r of rows) {
    out[r.t] = r.n;
    if (r.h !== null) out[`${r.t}#rows`] = r.h;
  }
  return out;
}

// ------------------------------------------------------------------------------------------ documents

/** Creates a user through the admin API and returns its id. The password is the demo one, so `t.token(username)` works. */
export async function createUser(
  t: TestApp,
  username: string,
  roles: string[],
  clearance: Level,
  extra: Record<string, unknown> = {},
): Promise<string> {
  const r = await send(t, 'POST', '/api/admin/users', {
    as: 'admin',
    json: { username, displayName: `测试${username}`, password: 'gongwen-demo', roles, clearance, ...extra },
  });
  if (r.status !== 201) throw new Error(`create user ${username}: ${r.status} ${r.text}`);
  return r.body.id;
}

export async function ok(p: Promise<Reply>): Promise<any> {
  const r = await p;
  if (r.status >= 300) throw new Error(`expected success, got ${r.status}: ${r.text}`);
  return r.body;
}

/** A major document with two sections (secretary: s1, secretary2: s2) driven to the discussion with both discussants invited. */
export async function driveToDiscussion(t: TestApp, ids: Ids, title = '关于推进基层治理现代化建设的意见'): Promise<Doc> {
  const c = docClient(t);
  const { u } = ids;
  let d = await c.ok(
    c.create('chief', {
      kind: '意见',
      title,
      issuerUnitIds: [ids.committee],
      signers: [{ issuerUnitId: ids.committee, signerId: u.signer }],
      mainRecipients: ['各乡镇党委'],
      major: true,
      sections: [
        { id: 's1', title: '总体要求', drafterId: u.secretary },
        { id: 's2', title: '工作措施', drafterId: u.secretary2 },
      ],
    }),
  );
  await c.ok(c.section('secretary', d.id, 's1', [para('p1', '坚持党建引领。')]));
  await c.ok(c.section('secretary2', d.id, 's2', [para('p2', '健全工作机制。')]));
  await c.ok(c.event('secretary', d.id, { type: 'SUBMIT_SECTION', sectionId: 's1' }));
  await c.ok(c.event('secretary2', d.id, { type: 'SUBMIT_SECTION', sectionId: 's2' }));
  await c.ok(c.event('chief', d.id, { type: 'START_CONSOLIDATION' }));
  d = await c.ok(c.event('chief', d.id, { type: 'START_DISCUSSION', invitees: [u.discussant, u.discussant2], requireAll: true }));
  if (d.state !== 'discussion') throw new Error(`expected discussion, got ${d.state}`);
  return d;
}

/** A classified document driven to archiving: circulated, acknowledged, every copy recalled, circulation closed. */
export async function driveClassifiedToArchiving(t: TestApp, ids: Ids, title: string, level: Level, readers: string[]): Promise<Doc> {
  const c = docClient(t);
  let d = await driveSimple(t, ids, 'circulation', title, { extra: { classification: level, secrecyPeriod: '1年' }, readers });
  for (const r of readers) d = await c.ok(c.event(r, d.id, { type: 'ACKNOWLEDGE' }));
  const copies = (await ok(send(t, 'GET', `/api/documents/${d.id}/copies`, { as: 'clerk' }))).items as {
    copyNumber: string;
    status: string;
  }[];
  for (const copy of copies.filter((x) => x.status === 'issued')) {
    await ok(
      send(t, 'POST', `/api/documents/${d.id}/copies/${copy.copyNumber}/recall`, { as: 'clerk', json: { disposition: 'returned' } }),
    );
  }
  d = await c.ok(c.event('clerk', d.id, { type: 'CLOSE_CIRCULATION', reason: '传阅完毕，份数清退' }));
  if (d.state !== 'archiving') throw new Error(`expected archiving, got ${d.state}`);
  return d;
}

/** A valid Word draft: the DOCX the application renders for a document the user can see. */
export async function sampleDocx(t: TestApp, as: string, documentId: string): Promise<Buffer> {
  const res = await t.request(`/api/documents/${documentId}/docx`, { as });
  if (res.status !== 200) throw new Error(`docx: ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}
