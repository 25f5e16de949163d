import type { TestApp } from './app.js';

/** Demo users' and units' ids, read from the test database. */
export async function demoIds(t: TestApp) {
  const users: { id: string; username: string }[] = await t.db.dataSource.query(`SELECT id, username FROM users`);
  const units: { id: string; code: string | null; name: string }[] = await t.db.dataSource.query(`SELECT id, code, name FROM units`);
  const u = Object.fromEntries(users.map((x) => [x.username, x.id])) as Record<string, string>;
  const committee = units.find((x) => x.code === '区委办')!.id;
  const government = units.find((x) => x.code === '区政办')!.id;
  return { u, committee, government };
}

export type Ids = Awaited<ReturnType<typeof demoIds>>;

export interface Doc {
  id: string;
  version: number;
  state: string;
  [k: string]: any;
}

/** Small client for the document API used by the engine tests. */
export function docClient(t: TestApp) {
  const json = async (res: Response) => ({ status: res.status, body: res.status === 204 ? null : await res.json() });
  return {
    async create(as: string, body: unknown, headers: Record<string, string> = {}) {
      return json(await t.request('/api/documents', { method: 'POST', as, json: body, headers }));
    },
    async get(as: string, id: string) {
      return json(await t.request(`/api/documents/${id}`, { as }));
    },
    async event(as: string, id: string, body: Record<string, unknown>, headers: Record<string, string> = {}) {
      return json(await t.request(`/api/documents/${id}/events`, { method: 'POST', as, json: body, headers }));
    },
    async section(as: string, id: string, sectionId: string, blocks: unknown[], headers: Record<string, string> = {}) {
      return json(await t.request(`/api/documents/${id}/sections/${sectionId}`, { method: 'PUT', as, json: { blocks }, headers }));
    },
    async content(as: string, id: string, body: unknown, headers: Record<string, string> = {}) {
      return json(await t.request(`/api/documents/${id}/content`, { method: 'PUT', as, json: body, headers }));
    },
    /** Sends and insists on success, returning the document. */
    async ok(p: Promise<{ status: number; body: any }>): Promise<Doc> {
      const r = await p;
      if (r.status >= 300) throw new Error(`expected success, got ${r.status}: ${JSON.stringify(r.body)}`);
      return r.body;
    },
  };
}

export const para = (id: string, text: string) => ({ id, type: 'paragraph', text });

/** A simple 通知 (one section, one issuer) created by chief with secretary drafting. */
export function simpleNotice(ids: Ids, title = '关于做好2026年度安全生产工作的通知', extra: Record<string, unknown> = {}) {
  return {
    ...extra,
    kind: '通知',
    title,
    issuerUnitIds: [ids.committee],
    signers: [{ issuerUnitId: ids.committee, signerId: ids.u.signer }],
    mainRecipients: ['各乡镇党委', '区直各单位'],
    major: false,
    sections: [{ title: '正文', drafterId: ids.u.secretary, blocks: [] }],
  };
}

/** Drives a simple document from creation to `target` state through the API. */
export async function driveSimple(
  t: TestApp,
  ids: Ids,
  target: string,
  title?: string,
  opts: { extra?: Record<string, unknown>; readers?: string[] } = {},
): Promise<Doc> {
  const c = docClient(t);
  let d = await c.ok(c.create('chief', simpleNotice(ids, title, opts.extra)));
  const readers = opts.readers ?? ['reader', 'reader2'];
  const steps: [string, () => Promise<Doc>][] = [
    ['drafting', async () => d],
    [
      'consolidation',
      async () => {
        d = await c.ok(
          c.section('secretary', d.id, 's1', [
            { id: 'h1', type: 'heading', level: 1, text: '总体要求' },
            para('p1', '各单位要高度重视安全生产工作。'),
          ]),
        );
        d = await c.ok(c.event('secretary', d.id, { type: 'SUBMIT_SECTION', sectionId: 's1' }));
        return c.ok(c.event('chief', d.id, { type: 'START_CONSOLIDATION' }));
      },
    ],
    ['proofreading', async () => c.ok(c.event('chief', d.id, { type: 'SKIP_DISCUSSION', reason: '简单通知' }))],
    ['review', async () => c.ok(c.event('proofreader', d.id, { type: 'PASS_PROOFREADING' }))],
    [
      'signing',
      async () => c.ok(c.event('reviewer', d.id, { type: 'REVIEW', checks: [1, 2, 3, 4, 5].map((item) => ({ item, passed: true })) })),
    ],
    ['registration', async () => c.ok(c.event('signer', d.id, { type: 'SIGN', issuerUnitId: ids.committee, opinion: '同意' }))],
    ['circulation', async () => c.ok(c.event('clerk', d.id, { type: 'REGISTER', copies: 5, readerIds: readers.map((r) => ids.u[r]) }))],
    [
      'archiving',
      async () => {
        for (const r of readers) d = await c.ok(c.event(r, d.id, { type: 'ACKNOWLEDGE' }));
        return d;
      },
    ],
    ['archived', async () => c.ok(c.event('archivist', d.id, { type: 'FILE', retention: 'D30' }))],
  ];
  for (const [state, step] of steps) {
    d = await step();
    if (d.state !== state) throw new Error(`expected ${state}, got ${d.state}`);
    if (state === target) return d;
  }
  throw new Error(`unknown target ${target}`);
}
