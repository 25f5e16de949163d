/**
 * Helpers shared by test/engine/role-matrix.test.ts and test/engine/concurrency.test.ts:
 * a configurable driver (lead issuing body, major or simple), one sender for every client action
 * (the /events types plus the two content endpoints), sample payloads, and database probes.
 */
import type { OutgoingContext, OutgoingEventType, OutgoingState, Role, Actor, AuthorityScope } from '#gongwen/workflows/outgoing/types';
import { SYSTEM_USER_ID } from '#gongwen/persistence';
import type { TestApp } from './app.js';
import { docClient, para, type Doc, type Ids } from './flow.js';

/** Non-final states, in document order. */
export const LIVE_STATES = [
  'drafting',
  'consolidation',
  'discussion',
  'proofreading',
  'review',
  'signing',
  'registration',
  'circulation',
  'archiving',
] as const satisfies readonly OutgoingState[];
export type LiveState = (typeof LIVE_STATES)[number];

export interface DemoUser {
  id: string;
  username: string;
  roles: Role[];
  authority: AuthorityScope | null;
  /** The user's unit: a seal custodian (印章管理员) seals for the issuing body it belongs to. */
  unit_id: string | null;
}

/** Every user with roles and authority, straight from the users table (but the built-in system account, which cannot log in). */
export async function loadUsers(t: TestApp): Promise<DemoUser[]> {
  return t.db.dataSource.query(`SELECT id, username, roles, authority, unit_id FROM users WHERE id <> $1 ORDER BY username`, [
    SYSTEM_USER_ID,
  ]);
}

export function actorOf(u: DemoUser): Actor {
  return { userId: u.id, roles: u.roles, authority: u.authority ?? undefined, ...(u.unit_id ? { unitId: u.unit_id } : {}) };
}

/** The workflow snapshot as stored (documents.snapshot). */
export async function storedSnapshot(t: TestApp, id: string): Promise<{ state: OutgoingState; context: OutgoingContext }> {
  const [row] = await t.db.dataSource.query(`SELECT state, snapshot FROM documents WHERE id = $1`, [id]);
  return { state: row.state, context: row.snapshot.context };
}

/** What must not move when a request is refused. */
export async function fingerprint(t: TestApp, id: string) {
  const [row] = await t.db.dataSource.query(
    `SELECT d.state, d.version, d.current_revision, d.document_number, d.updated_at,
            (SELECT count(*)::int FROM audit_events a WHERE a.document_id = d.id) AS audit,
            (SELECT count(*)::int FROM revisions r WHERE r.document_id = d.id) AS revisions,
            (SELECT count(*)::int FROM outbox o WHERE o.document_id = d.id) AS outbox,
            (SELECT coalesce(sum(last_serial), 0)::int FROM document_number_counters) AS serials
       FROM documents d WHERE d.id = $1`,
    [id],
  );
  return row as { state: string; version: number; audit: number; revisions: number; outbox: number; serials: number };
}

export async function auditCount(t: TestApp, id: string, eventType?: string): Promise<number> {
  const [{ n }] = await t.db.dataSource.query(
    `SELECT count(*)::int AS n FROM audit_events WHERE document_id = $1 AND ($2::text IS NULL OR event_type = $2)`,
    [id, eventType ?? null],
  );
  return n;
}

/** The year the service numbers in (Asia/Shanghai). */
export function numberingYear(): number {
  return Number(new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric' }).format(new Date()));
}

export async function counterValue(t: TestApp, unitId: string): Promise<number | null> {
  const rows = await t.db.dataSource.query(`SELECT last_serial FROM document_number_counters WHERE issuer_unit_id = $1 AND year = $2`, [
    unitId,
    numberingYear(),
  ]);
  return rows.length ? rows[0].last_serial : null;
}

export interface Reply {
  status: number;
  body: any;
  headers: Headers;
}

/** A client action: an /events type or one of the content endpoints (EDIT_SECTION, EDIT_CONTENT). */
export type Action = OutgoingEventType;

/** Sends one action. EDIT_SECTION's payload is { sectionId, blocks }; EDIT_CONTENT's is the PUT content body. */
export async function sendAction(
  t: TestApp,
  as: string,
  docId: string,
  action: Action,
  payload: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<Reply> {
  let res: Response;
  if (action === 'EDIT_SECTION') {
    const { sectionId, ...body } = payload;
    res = await t.request(`/api/documents/${docId}/sections/${sectionId}`, { method: 'PUT', as, json: body, headers });
  } else if (action === 'EDIT_CONTENT') {
    res = await t.request(`/api/documents/${docId}/content`, { method: 'PUT', as, json: payload, headers });
  } else {
    res = await t.request(`/api/documents/${docId}/events`, { method: 'POST', as, json: { type: action, ...payload }, headers });
  }
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = text;
  }
  return { status: res.status, body, headers: res.headers };
}

const s1Blocks = () => [{ id: 'h1', type: 'heading', level: 1, text: '总体要求' }, para('p1', '各单位要高度重视安全生产工作。')];
const s2Blocks = () => [para('p2', '各乡镇要建立健全工作责任制。')];

/**
 * A valid payload for `action`, for the document `ctx`, sent by `user`: schema-valid and pointing at
 * things that exist (the user's own section if any, existing marks, real readers and discussants),
 * so a refusal can only be about who sends it and when.
 */
export function samplePayload(action: Action, ctx: OutgoingContext, user: DemoUser, ids: Ids): Record<string, unknown> {
  const own = ctx.sections.find((s) => s.drafterId === user.id)?.id ?? ctx.sections[0].id;
  switch (action) {
    case 'ADD_SECTION':
      return { title: '保障措施', drafterId: ids.u.secretary2 };
    case 'EDIT_SECTION':
      return { sectionId: own, blocks: own === 's2' ? s2Blocks() : s1Blocks() };
    case 'SUBMIT_SECTION':
      return { sectionId: own };
    case 'START_CONSOLIDATION':
      return {};
    case 'EDIT_CONTENT':
      return {
        sections: [
          {
            id: 's1',
            blocks: [{ id: 'h1', type: 'heading', level: 1, text: '总体要求' }, para('p1', '各单位要切实高度重视安全生产工作。')],
          },
        ],
      };
    case 'RETURN_SECTION':
      return { sectionId: ctx.sections[0].id, reason: '请补充具体措施' };
    case 'MARK_MAJOR':
      return { reason: '涉及面广，需集体讨论' };
    case 'START_DISCUSSION':
      return { invitees: [ids.u.discussant, ids.u.discussant2], requireAll: false };
    case 'SKIP_DISCUSSION':
      return { reason: '简单通知' };
    case 'COMMENT':
      return { position: 'agree', text: '同意。' };
    case 'CLOSE_DISCUSSION':
      return { decision: 'accept' };
    case 'ADD_MARK':
      return { blockId: 'p1', start: 0, end: 3, kind: 'wording', comment: '“各单位”宜改为“各部门”' };
    case 'DISMISS_MARK':
      return { markId: ctx.marks.find((m) => m.status === 'open')?.id ?? 'm0000000', reason: '原文无误' };
    case 'RESOLVE_MARK':
      return { markId: ctx.marks.find((m) => m.status === 'open')?.id ?? 'm0000000' };
    case 'PASS_PROOFREADING':
      return {};
    case 'REVIEW':
      return { checks: [1, 2, 3, 4, 5].map((item) => ({ item, passed: true })) };
    case 'SIGN': {
      const slot = ctx.requiredSigners.find((r) => r.signerId === user.id);
      return { issuerUnitId: slot?.issuerUnitId ?? ctx.issuerUnitIds[0], opinion: '同意' };
    }
    case 'REJECT':
      return { reason: '请再斟酌措辞' };
    case 'REGISTER':
      return { copies: 5, readerIds: [ids.u.reader, ids.u.reader2] };
    case 'OPEN':
      return {};
    case 'ACKNOWLEDGE':
      return { opinion: '已阅。' };
    case 'REMIND':
      return {};
    case 'CLOSE_CIRCULATION':
      return { reason: '传阅期限已到' };
    case 'FILE':
      return { retention: 'D30' };
    case 'APPLY_SEAL':
      return { issuerUnitId: ctx.issuerUnitIds[0] };
    case 'RETURN':
      return { reason: '格式需调整' };
    case 'WITHDRAW':
      return { reason: '情况变化，暂不发文' };
  }
}

export interface DriveOptions {
  /** Lead (and only) issuing body; default the committee (区委办). */
  lead?: 'committee' | 'government';
  /** A major document: two sections (secretary, secretary2) that must go through discussion. */
  major?: boolean;
  title?: string;
}

/** Creates a document and drives it through the API to `target`. */
export async function driveTo(t: TestApp, ids: Ids, target: OutgoingState, opts: DriveOptions = {}): Promise<Doc> {
  const c = docClient(t);
  const { u } = ids;
  const lead = opts.lead === 'government' ? ids.government : ids.committee;
  const signer = opts.lead === 'government' ? 'signer2' : 'signer';
  const sections = opts.major
    ? [
        { id: 's1', title: '总体要求', drafterId: u.secretary },
        { id: 's2', title: '工作措施', drafterId: u.secretary2 },
      ]
    : [{ id: 's1', title: '正文', drafterId: u.secretary }];
  let d = await c.ok(
    c.create('chief', {
      kind: '通知',
      title: opts.title ?? (opts.major ? '关于全面推进基层治理现代化建设的通知' : '关于做好2026年度安全生产工作的通知'),
      issuerUnitIds: [lead],
      signers: [{ issuerUnitId: lead, signerId: u[signer] }],
      mainRecipients: ['各乡镇党委', '区直各单位'],
      major: !!opts.major,
      sections,
    }),
  );
  const steps: [OutgoingState, () => Promise<Doc>][] = [
    ['drafting', async () => d],
    [
      'consolidation',
      async () => {
        await c.ok(c.section('secretary', d.id, 's1', s1Blocks()));
        await c.ok(c.event('secretary', d.id, { type: 'SUBMIT_SECTION', sectionId: 's1' }));
        if (opts.major) {
          await c.ok(c.section('secretary2', d.id, 's2', s2Blocks()));
          await c.ok(c.event('secretary2', d.id, { type: 'SUBMIT_SECTION', sectionId: 's2' }));
        }
        return c.ok(c.event('chief', d.id, { type: 'START_CONSOLIDATION' }));
      },
    ],
    ...(opts.major || target === 'discussion'
      ? ([
          [
            'discussion',
            async () =>
              c.ok(c.event('chief', d.id, { type: 'START_DISCUSSION', invitees: [u.discussant, u.discussant2], requireAll: false })),
          ],
          ['proofreading', async () => c.ok(c.event('chief', d.id, { type: 'CLOSE_DISCUSSION', decision: 'accept' }))],
        ] as [OutgoingState, () => Promise<Doc>][])
      : ([['proofreading', async () => c.ok(c.event('chief', d.id, { type: 'SKIP_DISCUSSION', reason: '简单通知' }))]] as [
          OutgoingState,
          () => Promise<Doc>,
        ][])),
    ['review', async () => c.ok(c.event('proofreader', d.id, { type: 'PASS_PROOFREADING' }))],
    [
      'signing',
      async () => c.ok(c.event('reviewer', d.id, { type: 'REVIEW', checks: [1, 2, 3, 4, 5].map((item) => ({ item, passed: true })) })),
    ],
    ['registration', async () => c.ok(c.event(signer, d.id, { type: 'SIGN', issuerUnitId: lead, opinion: '同意' }))],
    ['circulation', async () => c.ok(c.event('clerk', d.id, { type: 'REGISTER', copies: 5, readerIds: [u.reader, u.reader2] }))],
    [
      'archiving',
      async () => {
        await c.ok(c.event('reader', d.id, { type: 'ACKNOWLEDGE' }));
        return c.ok(c.event('reader2', d.id, { type: 'ACKNOWLEDGE' }));
      },
    ],
    ['archived', async () => c.ok(c.event('archivist', d.id, { type: 'FILE', retention: 'D30' }))],
  ];
  for (const [state, step] of steps) {
    d = await step();
    if (d.state !== state) throw new Error(`driveTo: expected ${state}, got ${d.state}`);
    if (state === target) return d;
  }
  throw new Error(`driveTo: cannot reach ${target}`);
}

/** Runs `fn` over `items` with at most `limit` in flight; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export async function verify(t: TestApp, id: string, as = 'chief') {
  const res = await t.request(`/api/documents/${id}/verify`, { as });
  return { status: res.status, body: await res.json() };
}
