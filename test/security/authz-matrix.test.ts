/**
 * Authorisation matrix (issue "[security]" point 6.1): every operation of the live OpenAPI document ×
 * every demo user × every relation a user can have to a document. The expected outcome of each cell is
 * computed from the small explicit policy below, never from the application's own code:
 *
 *   - PUBLIC: the only routes that answer without a token; every other one answers 401.
 *   - ROLE_GATES: routes that answer 403 FORBIDDEN_ROLE to every other role, whatever the document.
 *   - VISIBLE relations: a document exists for a user only through one of them, and only when the user
 *     is cleared for its classification; otherwise every document route answers 404, byte-identical
 *     to the answer for a document that does not exist. A pure administrator never sees a document.
 *   - DOCUMENT_WRITES: who may act on a visible document; a visible user who may not gets 403.
 *   - MIN_SCOPE: the personal-token scope each route needs (read < draft < full).
 *
 * Writes carry valid bodies so that a refusal can only be about who sends them. Where a permitted user's
 * write would change the fixture, it is sent with a stale If-Match and must get 409 (it passed every
 * authorisation check and reached the version check). No cell may answer 5xx.
 */
import { join } from 'node:path';
import { SYSTEM_USER_ID } from '#gongwen/persistence';
import { startTestApp, type TestApp } from '../support/app.js';
import { demoIds, docClient, driveSimple, para, simpleNotice, type Doc, type Ids } from '../support/flow.js';
import { itemBody as supervisionBody, supervisionIds, type SupIds } from '../supervision/support.js';
import {
  ABSENT_UUID,
  DEMO,
  DOCX_MIME,
  USERS,
  createUser,
  describeReply,
  driveClassifiedToArchiving,
  driveToDiscussion,
  fillPath,
  fingerprint,
  hasRole,
  isDocumentOp,
  normalised,
  ok,
  operations,
  rank,
  sampleDocx,
  send,
  type Level,
  type Op,
  type Reply,
  type SendOptions,
} from '../support/attack.js';

let t: TestApp;
let ids: Ids;
let ops: Op[];
let docx: Buffer;
let sup: SupIds;
/** A supervised item in progress (lead 区发展和改革局, assisting 区财政局), for the supervision item routes. */
let supItem: string;

/** Query strings that make a route's request valid (so that only authorisation can refuse it). */
const QUERY: Record<string, string> = {
  getSupervisionRegister: '?from=2026-01-01&to=2026-12-31',
  getSupervisionRegisterCsv: '?from=2026-01-01&to=2026-12-31',
  getSupervisionRegisterDocx: '?from=2026-01-01&to=2026-12-31',
  getSupervisionReport: '?period=monthly',
};
/** Path values for routes that are not about a document. */
const PATH_VALUES: Record<string, Record<string, string>> = {
  adminGetHolidayCalendar: { year: '2027' },
  adminPutHolidayCalendar: { year: '2027' },
  getSupervisionCardNotice: { colour: 'red' },
};

// ------------------------------------------------------------------------------------------ the policy

const PUBLIC = new Set(['login', 'healthLive', 'healthReady']);
/** Written by background jobs (the archive's file preparation), not by requests. */
const NOISE = ['archive_files'];

/** Role gates decided before anything else is looked at (so they say nothing about any document). */
function roleGate(op: Op): string[] | null {
  if (op.path.startsWith('/api/admin/audit')) return ['admin', 'auditor'];
  if (op.path.startsWith('/api/admin/')) return ['admin'];
  if (op.path.startsWith('/api/archive/')) {
    if (op.id === 'listArchiveAccessLog') return ['archivist', 'auditor'];
    // other deployments' seal roots trusted for the seal check: the archive's and the administrators' concern
    if (op.path.startsWith('/api/archive/trusted-seal-roots')) return ['archivist', 'admin'];
    return ['listDisposals', 'getDisposal', 'decideDisposal'].includes(op.id) ? ['archivist', 'signer'] : ['archivist'];
  }
  const gates: Record<string, string[]> = {
    importDocx: ['secretary', 'chief'], // only drafters import Word drafts
    recallCopy: ['clerk'], // 清退 is recorded by the clerk (文书)
    listUnitGroups: ['chief', 'secretary', 'clerk', 'registrar'], // those who name recipients or receive by exchange
    registerExternalIncoming: ['registrar'], // a unit's 收文员 registers what comes from outside
    getIncomingRegister: ['registrar', 'chief', 'leader'], // the unit's 收文登记簿
    // 督查督办: the supervision office registers items and keeps the register; leaders see the board, report and 问责
    createSupervisionItem: ['supervisor'],
    getSupervisionRegister: ['supervisor'],
    getSupervisionRegisterCsv: ['supervisor'],
    getSupervisionRegisterDocx: ['supervisor'],
    getSupervisionBoard: ['supervisor', 'leader'],
    getSupervisionReport: ['supervisor', 'leader'],
    getSupervisionAccountability: ['supervisor', 'leader'],
    // 委托: those who sign or read hand it over; an administrator for an absent leader
    createDelegation: ['signer', 'reader', 'leader', 'admin'],
    // the seal registry: administrators manage it; custodians and auditors read it and the seal-use register (用印登记)
    listSeals: ['admin', 'seal_keeper', 'auditor'],
    listSealUses: ['admin', 'seal_keeper', 'auditor'],
    listDocumentsAwaitingSeal: ['seal_keeper'],
    getSeal: ['admin', 'seal_keeper', 'auditor'],
    getSealImage: ['admin', 'seal_keeper', 'auditor'],
    createSeal: ['admin'],
    importSealCertificate: ['admin'],
    revokeSeal: ['admin'],
  };
  return gates[op.id] ?? null;
}

/**
 * Minimum personal-token scope: reads need `read`, writes `full`, except the drafting writes and recording what one
 * has seen (`draft`) and logout (`read`: a token can always end itself). A `read` token changes nothing else.
 */
const DRAFT_SCOPE = new Set([
  'markDocumentSeen',
  'markNotificationsRead',
  'heartbeatPresence',
  'leaveDocument',
  'createDocument',
  'sendDocumentEvent',
  'editSection',
  'editContent',
  'acceptMarkSuggestion',
  'importDocx',
  'importSectionDocx',
  'uploadAttachmentFile',
]);
const minScope = (op: Op): 'read' | 'draft' | 'full' =>
  !op.write || op.id === 'logout' ? 'read' : DRAFT_SCOPE.has(op.id) ? 'draft' : 'full';

type Relation = 'opener' | 'drafter' | 'invitee' | 'signer' | 'reader' | 'worker' | 'pool' | 'outsider' | 'uncleared' | 'admin';
const VISIBLE: ReadonlySet<Relation> = new Set(['opener', 'drafter', 'invitee', 'signer', 'reader', 'worker', 'pool']);
/** The stage each pool role works on: it sees every (cleared) document in those states. */
const POOL: Record<string, string[]> = {
  proofreader: ['proofreading'],
  reviewer: ['review'],
  clerk: ['registration', 'circulation'],
  archivist: ['archiving', 'archived'],
  // the seal custodian seals registered documents not yet filed (用印)
  seal_keeper: ['circulation', 'archiving'],
};

interface Fixture {
  name: string;
  doc: Doc;
  classification: Level;
  state: string;
  /** Everyone with a part, by how they took part (as the fixture was built). */
  parts: Record<string, Relation>;
  /** Users holding an issued numbered copy (份号) of a classified document. */
  copyHolders: string[];
  /** An event only some visible users may send, and who. */
  probe: { body: Record<string, unknown>; permitted: (user: string, rel: Relation) => boolean };
  /** A pending export request (classified documents). */
  exportRequest?: string;
}

function relation(user: string, fx: Fixture): Relation {
  const { roles, clearance } = DEMO[user];
  if (roles.length === 1 && roles[0] === 'admin') return 'admin';
  if (rank(clearance) < rank(fx.classification)) return 'uncleared';
  if (fx.parts[user]) return fx.parts[user];
  if (roles.some((r) => POOL[r]?.includes(fx.state))) return 'pool';
  return 'outsider';
}

type Expected =
  | { status: number; code?: string }
  /** 404, byte-identical (apart from request id and instance) to the answer for a document that does not exist. */
  | { hidden: true }
  /** 404 about something inside a visible document: must differ from the "no such document" answer. */
  | { inner404: true }
  /** Anything but 401/403/5xx (an endpoint whose semantics the policy does not spell out). */
  | { allowed: true };

interface Cell {
  path: string;
  init: SendOptions;
  expect: Expected;
}

const canEditSection = (fx: Fixture, user: string) => fx.state === 'drafting' && fx.parts[user] === 'drafter' && user === 'secretary';
const canEditContent = (fx: Fixture, user: string, rel: Relation) =>
  (fx.state === 'consolidation' && rel === 'opener') ||
  (fx.state === 'proofreading' && (rel === 'opener' || (rel === 'drafter' && hasRole(user, 'secretary'))));
const stale = { 'if-match': '"0"' };
const conflict: Expected = { status: 409, code: 'VERSION_CONFLICT' };
const forbidden: Expected = { status: 403, code: 'NOT_PERMITTED' };

/** The request and expected outcome of a document route for `user` on fixture `fx`. */
function documentCell(op: Op, fx: Fixture, user: string): Cell {
  const rel = relation(user, fx);
  const visible = VISIBLE.has(rel);
  const path =
    fillPath(op.path, {
      id: fx.doc.id,
      documentId: fx.doc.id,
      number: '1',
      sectionId: 's1',
      copyNumber: '000001',
      requestId: fx.exportRequest ?? ABSENT_UUID,
      fileId: ABSENT_UUID,
      mark: 'm0000000',
    }) + (op.id === 'diffRevisions' ? '?from=1&to=2' : op.id === 'uploadAttachmentFile' ? '?name=matrix.txt' : '');
  const gate = roleGate(op);
  const hidden: Expected = { hidden: true };
  const cell = (expect: Expected, init: SendOptions = {}): Cell => ({ path, init: { as: user, ...init }, expect });
  if (gate && !hasRole(user, ...gate)) return cell({ status: 403, code: 'FORBIDDEN_ROLE' }, bodyFor(op, fx, user));
  if (!visible) return cell(hidden, bodyFor(op, fx, user));
  const classified = fx.classification !== 'none';
  switch (op.id) {
    case 'getDocument':
    case 'getDocumentHistory':
    case 'listRevisions':
    case 'getRevision':
    case 'diffRevisions':
    case 'verifyDocument':
    case 'listCopies':
      return cell({ status: 200 });
    case 'markDocumentSeen':
    case 'markNotificationsRead':
    case 'heartbeatPresence':
      return cell({ status: 200 }, bodyFor(op, fx, user));
    case 'leaveDocument':
      return cell({ status: 204 });
    case 'getProcessingSheet':
      return cell({ status: 200 });
    case 'downloadPdf':
    case 'downloadProcessingSheetDocx':
    case 'downloadProcessingSheetPdf':
    case 'downloadDocx':
    case 'downloadOfd':
      return cell(!classified || fx.copyHolders.includes(user) ? { status: 200 } : { status: 403, code: 'EXPORT_APPROVAL_REQUIRED' });
    case 'sendDocumentEvent': {
      const permitted = fx.probe.permitted(user, rel);
      return cell(permitted ? conflict : forbidden, { json: fx.probe.body, headers: permitted ? stale : {} });
    }
    case 'editSection': {
      const permitted = canEditSection(fx, user);
      return cell(permitted ? conflict : forbidden, { ...bodyFor(op, fx, user), headers: permitted ? stale : {} });
    }
    case 'importSectionDocx': {
      const permitted = canEditSection(fx, user);
      return cell(permitted ? conflict : forbidden, { ...bodyFor(op, fx, user), headers: permitted ? stale : {} });
    }
    case 'editContent':
    case 'acceptMarkSuggestion': {
      // accepting a suggestion is a content edit: the same people reach the version check
      const permitted = canEditContent(fx, user, rel);
      return cell(permitted ? conflict : forbidden, { ...bodyFor(op, fx, user), headers: permitted ? stale : {} });
    }
    case 'listAttachmentFiles':
    case 'listReceipts': // 签收回执: whoever sees the document
    case 'listDocumentSeals': // the seals applied (用印), each checked: whoever sees the document
      return cell({ status: 200 });
    case 'downloadSealedDocx':
    case 'downloadSealedOfd':
    case 'downloadSealSignature':
    case 'downloadSealedPdf':
    case 'downloadSealedPdfSignature':
      // an export like the DOCX (classified: a numbered copy holder); no such seal use on the document: inner 404
      return cell(!classified || fx.copyHolders.includes(user) ? { inner404: true } : { status: 403, code: 'EXPORT_APPROVAL_REQUIRED' });
    case 'downloadAttachmentFile':
      return cell({ inner404: true });
    case 'uploadAttachmentFile':
      return cell(canEditSection(fx, user) || canEditContent(fx, user, rel) ? { status: 201 } : forbidden, bodyFor(op, fx, user));
    case 'grantAccess':
      return cell(rel === 'opener' ? { status: 201 } : forbidden, bodyFor(op, fx, user));
    case 'requestExport':
      return cell(classified ? { status: 201 } : { status: 400, code: 'VALIDATION_FAILED' }, bodyFor(op, fx, user));
    case 'approveExport': {
      const permitted =
        fx.classification === 'top_secret'
          ? user === 'signer' // the originating body's signer
          : hasRole(user, 'signer') && rank(DEMO[user].clearance) >= rank(fx.classification);
      return cell(!permitted ? forbidden : classified ? { status: 201 } : { inner404: true }, bodyFor(op, fx, user));
    }
    case 'recallCopy':
      return cell(
        !classified ? { inner404: true } : fx.copyHolders.length ? { status: 201 } : { status: 409, code: 'CONFLICT' },
        bodyFor(op, fx, user),
      );
    default:
      return cell({ allowed: true }, bodyFor(op, fx, user));
  }
}

/** A valid body for each write route (so that a refusal is about authorisation only). */
function bodyFor(op: Op, fx: Fixture | null, user: string): SendOptions {
  switch (op.id) {
    case 'sendDocumentEvent':
      return { json: fx?.probe.body ?? { type: 'OPEN' } };
    case 'editSection':
      return { json: { blocks: [para('p1', '各单位要高度重视安全生产工作，压实责任。')] } };
    case 'editContent':
      return { json: { metadata: { note: '（此件公开发布）' } } };
    case 'importSectionDocx':
    case 'importDocx':
      return { raw: docx, contentType: DOCX_MIME };
    case 'uploadAttachmentFile':
      return { raw: Buffer.from('附件内容'), contentType: 'text/plain' };
    case 'grantAccess':
      return { json: { userId: ids.u.chief, reason: '工作需要' } };
    case 'requestExport':
      return { json: { purpose: '汇编存档' } };
    case 'approveExport':
      return { json: {} };
    case 'markDocumentSeen':
      return { json: { revision: 1 } };
    case 'markNotificationsRead':
      return { json: { through: '2026-01-01T00:00:00.000Z' } };
    case 'heartbeatPresence':
      return { json: { editing: false } };
    case 'recallCopy':
      return { json: { disposition: 'returned', note: '清退' } };
    case 'createDocument':
      return { json: simpleNotice(ids, '关于矩阵测试的通知') };
    case 'createApiToken':
      return { json: { name: `matrix-${user}`, scope: 'read', expiresInDays: 1 } };
    case 'adminCreateUser':
      return {
        json: {
          username: `m-${user}-${Math.random().toString(36).slice(2, 8)}`,
          displayName: '矩阵',
          password: 'a-long-password-1',
          roles: ['reader'],
        },
      };
    case 'adminUpdateUser':
      return { json: { displayName: '矩阵用户' } };
    case 'adminCreateUnit':
      return { json: { name: `矩阵科${Math.random().toString(36).slice(2, 6)}`, kind: 'section' } };
    case 'login':
      return { json: { username: user, password: 'gongwen-demo' } };
    case 'createSupervisionItem':
      return { json: supervisionBody(sup, { deadline: '2099-12-31' }) };
    case 'sendSupervisionEvent':
      return { json: { type: 'FEEDBACK', text: '本周进展：方案已制定。' } };
    case 'createDelegation':
      // to nobody: refused after every authorisation check (DELEGATE_INVALID), so nothing is written
      return {
        json: { deputyId: ABSENT_UUID, scopes: ['sign'], endsAt: new Date(Date.now() + 7 * 86_400_000).toISOString(), reason: '矩阵' },
      };
    case 'adminPutHolidayCalendar':
      return { json: { source: '矩阵测试', holidays: [{ name: '元旦', from: '2027-01-01', to: '2027-01-03' }], workdays: [] } };
    default:
      return op.write && op.bodyTypes.includes('application/json') ? { json: {} } : {};
  }
}

// ------------------------------------------------------------------------------------------ checking

interface Mismatch {
  cell: string;
  expected: string;
  got: string;
}
const absentCache = new Map<string, Reply>();

/** The answer to the same request for a document that does not exist (cached per route, user and body). */
async function absentReply(op: Op, c: Cell): Promise<Reply> {
  const key = `${op.id}|${c.init.as ?? c.init.bearer}|${JSON.stringify(c.init.headers ?? {})}|${JSON.stringify(c.init.json ?? null)}`;
  let r = absentCache.get(key);
  if (!r) {
    const path = c.path.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/, ABSENT_UUID);
    r = await send(t, op.method, path, c.init);
    absentCache.set(key, r);
  }
  return r;
}

async function check(op: Op, c: Cell, label: string, out: Mismatch[]): Promise<Reply> {
  const r = await send(t, op.method, c.path, c.init);
  const got = describeReply(op.method, c.path, r);
  const e = c.expect;
  const fail = (expected: string) => out.push({ cell: label, expected, got });
  if (r.status >= 500) {
    fail('never 5xx');
    return r;
  }
  if ('hidden' in e) {
    if (r.status !== 404) fail('404 (hidden)');
    else {
      const absent = await absentReply(op, c);
      if (normalised(absent) !== normalised(r)) fail(`byte-identical to a missing document:\n${normalised(absent)}`);
    }
  } else if ('inner404' in e) {
    if (r.status !== 404) fail('404 (inside a visible document)');
    else if (normalised(await absentReply(op, c)) === normalised(r)) fail('an answer that differs from "no such document"');
  } else if ('allowed' in e) {
    if ([401, 403].includes(r.status)) fail('not 401/403');
  } else if (r.status !== e.status || (e.code && r.body?.code !== e.code)) {
    fail(`${e.status} ${e.code ?? ''}`.trim());
  }
  return r;
}

const report = (m: Mismatch[]) => m.map((x) => `${x.cell}\n   expected ${x.expected}\n   got      ${x.got}`).join('\n');

// ------------------------------------------------------------------------------------------ fixtures

let fixtures: Fixture[];
const seenRelations = new Set<Relation>();

beforeAll(async () => {
  // the PDF routes are about who may download, not layout: a stand-in LibreOffice answers at once (read per conversion)
  process.env.GONGWEN_SOFFICE = join(process.cwd(), 'test/support/fake-soffice.sh');
  t = await startTestApp();
  // authorisation is under test here, not HTTP: requests go through Fastify's inject (edge and fuzz tests keep real HTTP)
  t.transport = 'inject';
  ids = await demoIds(t);
  ops = await operations(t);
  const c = docClient(t);
  const simpleParts = { chief: 'opener', secretary: 'drafter', signer: 'signer' } as const;
  const circulated = { ...simpleParts, proofreader: 'worker', reviewer: 'worker', clerk: 'worker', reader: 'reader' } as const;

  const draft = await driveSimple(t, ids, 'drafting', '关于做好矩阵测试起草工作的通知');
  await c.ok(c.section('secretary', draft.id, 's1', [para('p1', '各单位要高度重视。')]));
  const discussion = await driveToDiscussion(t, ids);
  const circulation = await driveSimple(t, ids, 'circulation', '关于做好矩阵测试传阅工作的通知');
  const secret = await driveSimple(t, ids, 'circulation', '关于秘密矩阵事项的通知', {
    extra: { classification: 'secret', secrecyPeriod: '1年' },
    readers: ['reader'],
  });
  const topSecret = await driveSimple(t, ids, 'proofreading', '关于绝密矩阵事项的通知', {
    extra: { classification: 'top_secret', secrecyPeriod: '10年' },
  });
  const confArchiving = await driveClassifiedToArchiving(t, ids, '关于机密矩阵事项的通知', 'confidential', ['reader']);
  docx = await sampleDocx(t, 'chief', circulation.id);
  sup = await supervisionIds(t);
  supItem = (await ok(send(t, 'POST', '/api/supervision', { as: 'supervisor', json: supervisionBody(sup, { deadline: '2099-12-31' }) })))
    .id;
  await ok(send(t, 'POST', `/api/supervision/${supItem}/events`, { as: 'supervisor', json: { type: 'ASSIGN' } }));
  for (const u of ['fgw_registrar', 'czj_registrar'])
    await ok(send(t, 'POST', `/api/supervision/${supItem}/events`, { as: u, json: { type: 'SIGN_FOR' } }));
  // a red card on record (as the sweep records one), so that its 督查催办通知 can be fetched by those who see the item
  await t.db.dataSource.query(
    `INSERT INTO supervision_cards (document_id, colour, round, reason, issued_at, notified_unit_id) VALUES ($1, 'red', 0, '逾期未办结', now(), $2)`,
    [supItem, sup.fgw],
  );
  const request = async (d: Doc) =>
    (await ok(send(t, 'POST', `/api/documents/${d.id}/export-requests`, { as: 'chief', json: { purpose: '上报' } }))).id as string;

  fixtures = [
    {
      name: 'draft (none, drafting)',
      doc: draft,
      classification: 'none',
      state: 'drafting',
      parts: { ...simpleParts },
      copyHolders: [],
      probe: { body: { type: 'WITHDRAW', reason: '情况变化' }, permitted: (_u, rel) => rel === 'opener' },
    },
    {
      name: 'discussion (none, discussion)',
      doc: discussion,
      classification: 'none',
      state: 'discussion',
      parts: { ...simpleParts, secretary2: 'drafter', discussant: 'invitee', discussant2: 'invitee' },
      copyHolders: [],
      probe: { body: { type: 'COMMENT', position: 'agree', text: '同意。' }, permitted: (_u, rel) => rel === 'invitee' },
    },
    {
      name: 'circulation (none, circulation)',
      doc: circulation,
      classification: 'none',
      state: 'circulation',
      parts: { ...circulated, reader2: 'reader' },
      copyHolders: [],
      probe: { body: { type: 'ACKNOWLEDGE', opinion: '已阅' }, permitted: (_u, rel) => rel === 'reader' },
    },
    {
      name: 'secret (secret, circulation)',
      doc: secret,
      classification: 'secret',
      state: 'circulation',
      parts: { ...circulated },
      copyHolders: ['reader'],
      probe: { body: { type: 'CLOSE_CIRCULATION', reason: '传阅完毕' }, permitted: (u) => hasRole(u, 'clerk') },
      exportRequest: await request(secret),
    },
    {
      name: 'topSecret (top_secret, proofreading)',
      doc: topSecret,
      classification: 'top_secret',
      state: 'proofreading',
      parts: { ...simpleParts },
      copyHolders: [],
      probe: { body: { type: 'PASS_PROOFREADING' }, permitted: (u, rel) => hasRole(u, 'proofreader') && rel !== 'drafter' },
      exportRequest: await request(topSecret),
    },
    {
      name: 'confArchiving (confidential, archiving)',
      doc: confArchiving,
      classification: 'confidential',
      state: 'archiving',
      parts: { ...circulated },
      copyHolders: [],
      probe: { body: { type: 'FILE', retention: 'D30' }, permitted: (u) => hasRole(u, 'archivist') },
      exportRequest: await request(confArchiving),
    },
  ];
  for (const fx of fixtures) {
    const state = (await ok(send(t, 'GET', `/api/documents/${fx.doc.id}`, { as: 'chief' }))).state;
    if (state !== fx.state) throw new Error(`${fx.name}: fixture is in ${state}`);
  }
}, 120_000);
afterAll(async () => {
  await t?.close();
});

// ------------------------------------------------------------------------------------------ tests

describe('authorisation matrix over every OpenAPI operation', () => {
  it('reads its routes from the live OpenAPI document (every controller route is there)', () => {
    const known = [
      'login',
      'logout',
      'getCurrentUser',
      'createApiToken',
      'listApiTokens',
      'revokeApiToken',
      'adminListUsers',
      'adminCreateUser',
      'adminUpdateUser',
      'adminListUnits',
      'adminCreateUnit',
      'healthLive',
      'healthReady',
      'createDocument',
      'listDocuments',
      'getDocument',
      'sendDocumentEvent',
      'editSection',
      'editContent',
      'getDocumentHistory',
      'listRevisions',
      'getRevision',
      'diffRevisions',
      'verifyDocument',
      'downloadDocx',
      'downloadOfd',
      'downloadPdf',
      'getProcessingSheet',
      'downloadProcessingSheetDocx',
      'downloadProcessingSheetPdf',
      'acceptMarkSuggestion',
      'importDocx',
      'importSectionDocx',
      'listCopies',
      'recallCopy',
      'grantAccess',
      'requestExport',
      'approveExport',
      'uploadAttachmentFile',
      'listAttachmentFiles',
      'downloadAttachmentFile',
      'markDocumentSeen',
      'markNotificationsRead',
      'listDirectory',
      'listUnits',
      'listReceipts',
      'listUnitGroups',
      'listEvents',
    ];
    expect(ops.map((o) => o.id)).toEqual(expect.arrayContaining(known));
    expect(new Set(ops.map((o) => o.id)).size).toBe(ops.length);
  });

  it('covers every demo user with the roles and clearance the policy states (the auditor included)', async () => {
    const rows: { username: string; roles: string[]; clearance: Level }[] = await t.db.dataSource.query(
      `SELECT username, roles, clearance FROM users WHERE id <> $1 ORDER BY username`,
      [SYSTEM_USER_ID],
    );
    expect(Object.fromEntries(rows.map((r) => [r.username, { roles: r.roles, clearance: r.clearance }]))).toEqual(DEMO);
  });

  it('without a valid token every non-public route answers 401 (none, garbage, wrong scheme, revoked, expired); public ones do not', async () => {
    const revoked = await ok(send(t, 'POST', '/api/auth/tokens', { as: 'chief', json: { name: 'to-revoke', scope: 'full' } }));
    expect((await send(t, 'DELETE', `/api/auth/tokens/${revoked.id}`, { as: 'chief' })).status).toBe(204);
    const expired = await ok(send(t, 'POST', '/api/auth/tokens', { as: 'chief', json: { name: 'to-expire', scope: 'full' } }));
    await t.db.dataSource.query(`UPDATE auth_tokens SET expires_at = now() - interval '1 second' WHERE id = $1`, [expired.id]);
    const variants: [string, SendOptions][] = [
      ['no token', {}],
      ['garbage bearer', { bearer: 'gws_not-a-real-token' }],
      ['basic scheme', { headers: { authorization: 'Basic Y2hpZWY6Z29uZ3dlbi1kZW1v' } }],
      ['revoked token', { bearer: revoked.token }],
      ['expired token', { bearer: expired.token }],
      ['cookie with garbage session', { headers: { cookie: 'gw_session=gws_forged' } }],
    ];
    const before = await fingerprint(t, [...NOISE, 'login_failures']);
    const out: Mismatch[] = [];
    for (const op of ops.filter((o) => !PUBLIC.has(o.id))) {
      const path = fillPath(op.path, {
        id: fixtures[0].doc.id,
        documentId: fixtures[0].doc.id,
        number: '1',
        sectionId: 's1',
        copyNumber: '000001',
      });
      for (const [name, init] of variants) {
        const r = await send(t, op.method, path, { ...init, ...bodyFor(op, fixtures[0], 'chief') });
        const cell = `${op.id} [${name}]`;
        if (r.status >= 500) out.push({ cell, expected: 'never 5xx', got: describeReply(op.method, path, r) });
        else if (r.status !== 401 || r.body?.code !== 'UNAUTHENTICATED') {
          out.push({ cell, expected: '401 UNAUTHENTICATED', got: describeReply(op.method, path, r) });
        }
      }
    }
    expect(report(out)).toBe('');
    expect(await fingerprint(t, [...NOISE, 'login_failures'])).toEqual(before);
  });

  it('public routes answer without a token', async () => {
    for (const op of ops.filter((o) => PUBLIC.has(o.id))) {
      const r = await send(t, op.method, op.path, bodyFor(op, null, 'reader'));
      expect({ op: op.id, status: r.status }).toEqual({ op: op.id, status: 200 });
    }
  });

  it('every document route × every user × every relation to the document: visible, hidden (404 ≡ absent) or forbidden, per the policy', async () => {
    const out: Mismatch[] = [];
    const docOps = ops.filter(isDocumentOp);
    expect(docOps.length).toBeGreaterThanOrEqual(16);
    // reads first: the writes below (approvals, recalls) change who may download
    const ordered = [...docOps.filter((o) => !o.write), ...docOps.filter((o) => o.write)];
    for (const op of ordered) {
      for (const fx of fixtures) {
        for (const user of USERS) {
          seenRelations.add(relation(user, fx));
          await check(op, documentCell(op, fx, user), `${op.id} × ${user} (${relation(user, fx)}) × ${fx.name}`, out);
        }
      }
    }
    expect(report(out)).toBe('');
    // the fixtures exercise every relation the policy knows
    expect([...seenRelations].sort()).toEqual([
      'admin',
      'drafter',
      'invitee',
      'opener',
      'outsider',
      'pool',
      'reader',
      'signer',
      'uncleared',
      'worker',
    ]);
    // 23 users × 6 fixtures × every document route: minutes on a loaded machine
  }, 300_000);

  it('every incoming item route × every user: the receiving unit’s cleared people see it, all others get 404 ≡ absent; a check sent again is refused', async () => {
    // a secret external item of 区发展和改革局, registered and checked
    const boundary = 'matrixboundary';
    const body = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="metadata"\r\nContent-Type: application/json\r\n\r\n` +
        JSON.stringify({ title: '矩阵涉密来文', senderName: '市保密局', classification: 'secret' }) +
        `\r\n--${boundary}\r\nContent-Disposition: form-data; name="original"; filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4 matrix\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="attachments"; filename*=UTF-8''${encodeURIComponent('矩阵附件.pdf')}\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4 matrix attachment\r\n--${boundary}--\r\n`,
    );
    const created = await ok(
      send(t, 'POST', '/api/incoming', { as: 'fgw_registrar', raw: body, contentType: `multipart/form-data; boundary=${boundary}` }),
    );
    await ok(send(t, 'POST', `/api/incoming/${created.id}/events`, { as: 'fgw_registrar', json: { type: 'REGISTER' } }));
    const probe = { type: 'PASS_CHECK', checks: [1, 2, 3, 4, 5].map((item) => ({ item, passed: true })), route: 'action' };
    // checked and routed for action: now waiting for the chief's proposal (拟办), so the unit's chief and leaders see it too
    await ok(send(t, 'POST', `/api/incoming/${created.id}/events`, { as: 'fgw_registrar', json: probe }));
    // sight: the unit's registrar, chief and leaders (unit keys) with clearance; 王副局长 is confidential only
    const seers = ['fgw_registrar', 'fgw_chief', 'fgw_leader'];
    const out: Mismatch[] = [];
    for (const op of ops.filter((o) => o.path.startsWith('/api/incoming/{id}'))) {
      for (const user of USERS) {
        const path = fillPath(op.path, { id: created.id, fileId: created.content.attachments[0].fileId });
        const cell = (expect: Expected, init: SendOptions = {}): Cell => ({ path, init: { as: user, ...init }, expect });
        const init: SendOptions =
          op.id === 'sendIncomingEvent'
            ? { json: probe, headers: user === 'fgw_registrar' ? stale : {} }
            : op.id === 'startIncomingReply'
              ? { json: simpleNotice(ids, '关于矩阵来文的复函') }
              : {};
        let expect: Expected;
        if (!seers.includes(user)) expect = { hidden: true };
        else if (op.id === 'sendIncomingEvent') expect = user === 'fgw_registrar' ? conflict : forbidden;
        else if (op.id === 'startIncomingReply') expect = forbidden;
        else if (op.id === 'downloadIncomingReturnNotice') expect = { status: 409, code: 'CONFLICT' };
        else expect = { status: 200 };
        await check(op, cell(expect, init), `${op.id} × ${user} × secret incoming item`, out);
      }
    }
    expect(report(out)).toBe('');
  });

  it('an administrator gets 404 on every document route for every document, and an empty list', async () => {
    const out: Mismatch[] = [];
    for (const op of ops.filter(isDocumentOp)) {
      if (roleGate(op) && !roleGate(op)!.includes('admin')) continue; // refused by role before any lookup (403 FORBIDDEN_ROLE, covered above)
      for (const fx of fixtures)
        await check(op, { ...documentCell(op, fx, 'admin'), expect: { hidden: true } }, `${op.id} × admin × ${fx.name}`, out);
    }
    expect(report(out)).toBe('');
    for (const q of ['', '?mine=tasks', '?mine=all', '?state=circulation', `?q=${encodeURIComponent('矩阵')}`]) {
      const r = await send(t, 'GET', `/api/documents${q}`, { as: 'admin' });
      expect({ q, status: r.status, items: r.body.items, nextCursor: r.body.nextCursor }).toEqual({
        q,
        status: 200,
        items: [],
        nextCursor: null,
      });
    }
    // … even when made a participant: a grant from the chief changes nothing for an administrator
    const d = await driveSimple(t, ids, 'review', '关于授权管理员查看的通知');
    expect(
      (await send(t, 'POST', `/api/documents/${d.id}/grants`, { as: 'chief', json: { userId: ids.u.admin, reason: '系统维护' } })).status,
    ).toBe(201);
    for (const path of ['', '/history', '/revisions', '/verify', '/docx']) {
      expect({ path, status: (await send(t, 'GET', `/api/documents/${d.id}${path}`, { as: 'admin' })).status }).toEqual({
        path,
        status: 404,
      });
    }
    expect(
      (await send(t, 'POST', `/api/documents/${d.id}/events`, { as: 'admin', json: { type: 'WITHDRAW', reason: '管理员撤回' } })).status,
    ).toBe(404);
    expect((await send(t, 'GET', '/api/documents', { as: 'admin' })).body.items).toEqual([]);
  });

  it('routes that are not about one document: role gates answer 403 FORBIDDEN_ROLE to every other role; allowed roles get through', async () => {
    const out: Mismatch[] = [];
    const spare = await createUser(t, 'matrix-spare', ['reader'], 'none');
    for (const op of ops.filter((o) => !isDocumentOp(o) && !PUBLIC.has(o.id) && o.id !== 'logout')) {
      for (const user of USERS) {
        const gate = roleGate(op);
        let path =
          fillPath(op.path, { id: op.id === 'adminUpdateUser' ? spare : ABSENT_UUID, ...PATH_VALUES[op.id] }) + (QUERY[op.id] ?? '');
        if (op.id === 'revokeApiToken' && (!gate || hasRole(user, ...gate))) {
          path = `/api/auth/tokens/${(await ok(send(t, 'POST', '/api/auth/tokens', { as: user, json: { name: 'to-revoke' } }))).id}`;
        }
        let expect: Expected;
        if (gate && !hasRole(user, ...gate)) expect = { status: 403, code: 'FORBIDDEN_ROLE' };
        else {
          const byOp: Record<string, Expected> = {
            createDocument: hasRole(user, 'chief') ? { status: 201 } : { status: 403, code: 'FORBIDDEN_ROLE' },
            listDocuments: { status: 200 },
            // the events feed: what each user may see (the admin: nothing), never refused by role
            listEvents: { status: 200 },
            importDocx: { status: 200 },
            getCurrentUser: { status: 200 },
            createApiToken: { status: 201 },
            listApiTokens: { status: 200 },
            revokeApiToken: { status: 204 },
            adminListUsers: { status: 200 },
            adminListUnits: { status: 200 },
            adminCreateUser: { status: 201 },
            adminUpdateUser: { status: 200 },
            adminCreateUnit: { status: 201 },
            // reference data (people, issuing bodies and their signers) for everyone, without admin rights
            listDirectory: { status: 200 },
            listUnits: { status: 200 },
            listUnitGroups: { status: 200 },
            // the auditor's reads (and the administrator's, the archivist's), behind their role gates above
            adminAuditLog: { status: 200 },
            adminVerifyAuditLog: { status: 200 },
            listArchiveAccessLog: { status: 200 },
            // a unit's queues: everyone's own (empty without a unit's items); an item that does not exist is 404
            listIncoming: { status: 200 },
            getIncoming: { status: 404, code: 'NOT_FOUND' },
            getIncomingHistory: { status: 404, code: 'NOT_FOUND' },
            verifyIncoming: { status: 404, code: 'NOT_FOUND' },
            getIncomingDiagram: { status: 404, code: 'NOT_FOUND' },
            downloadIncomingOriginal: { status: 404, code: 'NOT_FOUND' },
            downloadIncomingReturnNotice: { status: 404, code: 'NOT_FOUND' },
            downloadIncomingAttachment: { status: 404, code: 'NOT_FOUND' },
            sendIncomingEvent: { status: 404, code: 'NOT_FOUND' },
            // supervision: lists for everyone; the office's reports behind their role gates; no such item → 404
            createSupervisionItem: { status: 201 },
            listSupervisionItems: { status: 200 },
            getSupervisionBoard: { status: 200 },
            getSupervisionRegister: { status: 200 },
            getSupervisionRegisterCsv: { status: 200 },
            getSupervisionRegisterDocx: { status: 200 },
            getSupervisionReport: { status: 200 },
            getSupervisionAccountability: { status: 200 },
            getSupervisionItem: { status: 404 },
            getSupervisionDiagram: { status: 404 },
            getSupervisionHistory: { status: 404 },
            verifySupervisionItem: { status: 404 },
            getSupervisionNotice: { status: 404 },
            getSupervisionCardNotice: { status: 404 },
            sendSupervisionEvent: { status: 404 },
            adminGetHolidayCalendar: { status: 200 },
            adminPutHolidayCalendar: { status: 200 },
            // webhooks: everyone may subscribe (deliveries are filtered by what the owner can see); a subscription
            // of someone else (here an absent one) is NOT_FOUND
            listWebhookSubscriptions: { status: 200 },
            getWebhookSubscription: { status: 404 },
            // delegations (委托): everyone's own lists; a delegation to nobody is refused after the checks; an absent one is 404
            listDelegations: { status: 200 },
            listDelegatedActions: { status: 200 },
            createDelegation:
              hasRole(user, 'admin') && !hasRole(user, 'signer', 'reader', 'leader')
                ? { status: 422 }
                : { status: 422, code: 'DELEGATE_INVALID' },
            revokeDelegation: { status: 404, code: 'NOT_FOUND' },
            // the seal registry (behind its role gates): lists; no such seal → 404; bodies of {} are invalid
            listSeals: { status: 200 },
            listSealUses: { status: 200 },
            listDocumentsAwaitingSeal: { status: 200 },
            getSeal: { status: 404, code: 'NOT_FOUND' },
            getSealImage: { status: 404, code: 'NOT_FOUND' },
            createSeal: { status: 400, code: 'VALIDATION_FAILED' },
            importSealCertificate: { status: 400, code: 'VALIDATION_FAILED' },
            revokeSeal: { status: 400, code: 'VALIDATION_FAILED' },
            // trusted foreign seal roots (behind their role gate): the list; a body of {} is invalid; no such root → 404
            listTrustedSealRoots: { status: 200 },
            addTrustedSealRoot: { status: 400, code: 'VALIDATION_FAILED' },
            removeTrustedSealRoot: { status: 404, code: 'NOT_FOUND' },
            // notices: everyone's own list; someone else's notice (here an absent one) is NOT_FOUND
            listNotices: { status: 200 },
            markNoticeRead: { status: 404, code: 'NOT_FOUND' },
          };
          expect = byOp[op.id] ?? { allowed: true };
        }
        const r = await check(op, { path, init: { as: user, ...bodyFor(op, null, user) }, expect }, `${op.id} × ${user}`, out);
        if (op.id === 'getCurrentUser' && r.body?.username !== user)
          out.push({ cell: `${op.id} × ${user}`, expected: `username ${user}`, got: r.text });
      }
    }
    expect(report(out)).toBe('');
    // every operation × every user, one request each: the webhook routes made it longer than the default minute
  }, 180_000);

  it('supervision item routes × every user: the office, the named leaders and the assigned units see the item, others get 404 ≡ absent; only the lead unit reports', async () => {
    const out: Mismatch[] = [];
    // who sees an assigned item: the supervision office (pool), the named leaders, the lead and assisting units' staff
    const sees = new Set(['supervisor', 'fgw_leader', 'fgw_leader2', 'fgw_registrar', 'czj_registrar']);
    const itemOps = ops.filter((o) => o.path.startsWith('/api/supervision/{id}'));
    expect(itemOps.map((o) => o.id).sort()).toEqual([
      'getSupervisionCardNotice',
      'getSupervisionDiagram',
      'getSupervisionHistory',
      'getSupervisionItem',
      'getSupervisionNotice',
      'sendSupervisionEvent',
      'verifySupervisionItem',
    ]);
    for (const op of itemOps) {
      for (const user of USERS) {
        const path = fillPath(op.path, { id: supItem, colour: 'red' });
        let expect: Expected;
        let init: SendOptions = { as: user, ...bodyFor(op, null, user) };
        if (!sees.has(user)) expect = { hidden: true };
        else if (op.id !== 'sendSupervisionEvent') expect = { status: 200 };
        else if (user === 'fgw_registrar') {
          // the lead unit may report: it passes every check and reaches the version check
          expect = conflict;
          init = { ...init, headers: stale };
        } else expect = forbidden;
        await check(op, { path, init, expect }, `${op.id} × ${user}`, out);
      }
    }
    expect(report(out)).toBe('');
  });

  it('logout ends only the session used, for every user', async () => {
    for (const user of USERS) {
      const fresh = await ok(send(t, 'POST', '/api/auth/login', { json: { username: user, password: 'gongwen-demo' } }));
      expect((await send(t, 'POST', '/api/auth/logout', { bearer: fresh.token })).status).toBe(204);
      expect((await send(t, 'GET', '/api/auth/me', { bearer: fresh.token })).status).toBe(401);
      expect((await send(t, 'GET', '/api/auth/me', { as: user })).status).toBe(200);
    }
  });

  describe('personal API tokens', () => {
    const DRAFTING_EVENTS = new Set([
      'ADD_SECTION',
      'SUBMIT_SECTION',
      'START_CONSOLIDATION',
      'RETURN_SECTION',
      'MARK_MAJOR',
      'START_DISCUSSION',
      'SKIP_DISCUSSION',
      'COMMENT',
      'CLOSE_DISCUSSION',
      'ADD_MARK',
      'DISMISS_MARK',
    ]);
    const holders = ['chief', 'secretary', 'clerk', 'signer', 'reader', 'archivist', 'admin', 'auditor'];

    it('scope read: every write route answers 403 TOKEN_SCOPE (nothing changes); every read route works', async () => {
      const out: Mismatch[] = [];
      const tokens: Record<string, string> = {};
      for (const u of holders)
        tokens[u] = (await ok(send(t, 'POST', '/api/auth/tokens', { as: u, json: { name: 'ro', scope: 'read' } }))).token;
      const before = await fingerprint(t, NOISE);
      for (const op of ops.filter((o) => o.write && !PUBLIC.has(o.id) && minScope(o) !== 'read')) {
        for (const u of holders) {
          const fx = fixtures.find((f) => VISIBLE.has(relation(u, f))) ?? fixtures[0];
          const cell = isDocumentOp(op)
            ? documentCell(op, fx, u)
            : { path: fillPath(op.path, {}), init: bodyFor(op, null, u), expect: { status: 0 } };
          const init = { ...cell.init, as: undefined, bearer: tokens[u] };
          await check(op, { path: cell.path, init, expect: { status: 403, code: 'TOKEN_SCOPE' } }, `${op.id} × ${u} [read token]`, out);
        }
      }
      expect(report(out)).toBe('');
      expect(await fingerprint(t, NOISE)).toEqual(before);
      // … while reading works with the same tokens
      for (const u of holders) expect((await send(t, 'GET', '/api/documents', { bearer: tokens[u] })).status).toBe(200);
      expect((await send(t, 'GET', `/api/documents/${fixtures[2].doc.id}`, { bearer: tokens.chief })).status).toBe(200);
      // logout is the one write a read token may do (it only ends itself)
      expect((await send(t, 'POST', '/api/auth/logout', { bearer: tokens.reader })).status).toBe(204);
      expect((await send(t, 'GET', '/api/documents', { bearer: tokens.reader })).status).toBe(401);
    });

    it('scope draft: drafting writes get through, every other write answers 403 TOKEN_SCOPE', async () => {
      const out: Mismatch[] = [];
      for (const u of holders) {
        const token = (await ok(send(t, 'POST', '/api/auth/tokens', { as: u, json: { name: 'drafting', scope: 'draft' } }))).token;
        for (const op of ops.filter((o) => o.write && !PUBLIC.has(o.id) && o.id !== 'logout')) {
          const fx = fixtures.find((f) => VISIBLE.has(relation(u, f))) ?? fixtures[0];
          const cell = isDocumentOp(op)
            ? documentCell(op, fx, u)
            : { path: fillPath(op.path, {}), init: bodyFor(op, null, u), expect: { allowed: true } as Expected };
          const init = { ...cell.init, as: undefined, bearer: token };
          // a draft token sends drafting events only: signing, numbering, reading, filing, withdrawing need "full"
          const eventType = (init as { json?: { type?: string } }).json?.type;
          const draftingEvent = !eventType || DRAFTING_EVENTS.has(eventType);
          if (minScope(op) === 'full' || (op.id === 'sendDocumentEvent' && !draftingEvent)) {
            await check(op, { path: cell.path, init, expect: { status: 403, code: 'TOKEN_SCOPE' } }, `${op.id} × ${u} [draft token]`, out);
          } else {
            const r = await send(t, op.method, cell.path, init);
            if (r.status >= 500 || r.body?.code === 'TOKEN_SCOPE')
              out.push({
                cell: `${op.id} × ${u} [draft token]`,
                expected: 'past the scope check',
                got: describeReply(op.method, cell.path, r),
              });
          }
        }
      }
      expect(report(out)).toBe('');
    });

    it('a personal token cannot mint tokens unless it is full', async () => {
      for (const scope of ['read', 'draft']) {
        const token = (await ok(send(t, 'POST', '/api/auth/tokens', { as: 'chief', json: { name: scope, scope } }))).token;
        const r = await send(t, 'POST', '/api/auth/tokens', { bearer: token, json: { name: 'escalate', scope: 'full' } });
        expect({ scope, status: r.status, code: r.body.code }).toEqual({ scope, status: 403, code: 'TOKEN_SCOPE' });
      }
    });
  });

  it('cookie sessions: every write route needs the X-CSRF-Token header matching the gw_csrf cookie', async () => {
    const login = await fetch(`${t.baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'chief', password: 'gongwen-demo' }),
    });
    const cookies = login.headers.getSetCookie().map((c) => c.split(';')[0]);
    const csrf = cookies.find((c) => c.startsWith('gw_csrf='))!.slice('gw_csrf='.length);
    const cookie = cookies.join('; ');
    const before = await fingerprint(t, NOISE);
    const out: Mismatch[] = [];
    for (const op of ops.filter((o) => o.write && !PUBLIC.has(o.id))) {
      const cell = isDocumentOp(op)
        ? documentCell(op, fixtures[0], 'chief')
        : { path: fillPath(op.path, {}), init: bodyFor(op, null, 'chief'), expect: { status: 0 } };
      for (const [name, headers] of [
        ['no header', { cookie }],
        ['wrong header', { cookie, 'x-csrf-token': `${csrf}x` }],
      ] as const) {
        const init = { ...cell.init, as: undefined, headers: { ...(cell.init.headers ?? {}), ...headers } };
        await check(op, { path: cell.path, init, expect: { status: 403, code: 'CSRF_FAILED' } }, `${op.id} [cookie, ${name}]`, out);
      }
    }
    expect(report(out)).toBe('');
    expect(await fingerprint(t, NOISE)).toEqual(before);
    const r = await send(t, 'POST', '/api/auth/tokens', { json: { name: 'via-cookie' }, headers: { cookie, 'x-csrf-token': csrf } });
    expect(r.status).toBe(201);
  });
});
