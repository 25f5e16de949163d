/**
 * Queries at scale: a bench database with N documents and ~10 N audit events made with generate_series
 * (states, participants among ~500 users, Chinese titles), then the inbox, list-by-state, history and title
 * search through the real endpoints, the same SQL directly, and EXPLAIN (ANALYZE, BUFFERS) of each.
 *
 * Snapshots are copies of real ones (a document driven through every state by the API), so the list
 * endpoint reads realistic JSON. The audit rows' hashes are random: the chains do not verify (not measured).
 */
import pg from 'pg';
import { classificationRank, type ClassificationLevel } from '#gongwen/document/model';
import { listQuery } from '../../apps/api/src/documents/documents.service.js';
import type { Role } from '#gongwen/workflows/outgoing/types';
import { client, drive, startApi, type ApiProcess, type Client, type Ids } from './api.js';
import type { Server } from './server.js';
import { dist, log, round, type Dist } from './util.js';

/** Topics, most frequent first (the seeding picks them with a skewed distribution). */
const TOPICS = [
  '安全生产',
  '疫情防控',
  '防汛抗旱',
  '乡村振兴',
  '营商环境',
  '环境整治',
  '财政预算',
  '消防安全',
  '食品安全',
  '教育工作',
  '医疗保障',
  '交通管理',
  '城市建设',
  '垃圾分类',
  '网络安全',
  '审计整改',
  '统计调查',
  '招商引资',
  '文明创建',
  '民生实事',
  '信访维稳',
  '应急管理',
  '党风廉政',
  '干部培训',
  '档案管理',
  '保密工作',
  '森林防火',
  '耕地保护',
  '老旧小区改造',
  '河长制',
];
const PREFIXES = ['做好', '加强', '开展', '印发', '进一步做好', '深入推进', '组织开展', '报送'];
const ACTIONS = ['工作', '专项检查', '专项行动', '实施方案', '考核', '督查', '表彰', '部署', '自查自纠', '调研'];
const KINDS = ['通知', '通知', '通知', '通报', '意见', '决定', '报告', '请示', '批复', '函', '纪要'];

const STATE_ORDER = [
  'drafting',
  'consolidation',
  'discussion',
  'proofreading',
  'review',
  'signing',
  'registration',
  'circulation',
  'archiving',
  'archived',
  'withdrawn',
];

export interface QueryFigure {
  name: string;
  persona: string;
  path: string;
  api: Dist;
  sql: Dist;
  rows: number;
  matchesService?: boolean;
  plan: { summary: string; indexes: string[]; executionMs: number; planningMs: number; sharedHit: number; sharedRead: number };
  target?: number;
}

export interface ScaleResult {
  documents: number;
  auditEvents: number;
  users: number;
  seedSeconds: number;
  tableSizes: Record<string, string>;
  stateCounts: Record<string, number>;
  queries: QueryFigure[];
}

const ls = (xs: string[]) => `(ARRAY[${xs.map((x) => `'${x}'`).join(',')}]::text[])`;

async function seedSql(db: pg.Client, n: number, committee: string) {
  const t0 = performance.now();
  const step = async (what: string, sql: string, params: unknown[] = []) => {
    const t = performance.now();
    const r = await db.query(sql, params);
    log(`  ${what}: ${round((performance.now() - t) / 1000, 1)} s${r.rowCount ? ` (${r.rowCount} rows)` : ''}`);
    return r;
  };
  await db.query(`SET synchronous_commit = off`);
  await db.query(`SET maintenance_work_mem = '1GB'`);
  await db.query(`SET max_parallel_maintenance_workers = 2`);

  // ~500 users in all: the demo office plus generated colleagues (same password as the demo users)
  await step(
    'users',
    `
    INSERT INTO users (username, display_name, password_hash, unit_id, roles, clearance)
    SELECT 'u' || lpad(g::text, 4, '0'), '用户' || g, (SELECT password_hash FROM users WHERE username = 'secretary'),
           (SELECT id FROM units WHERE name = '秘书科'),
           (CASE WHEN g <= 40 THEN '{chief,secretary}' WHEN g <= 190 THEN '{secretary}' WHEN g <= 215 THEN '{discussant}'
                 WHEN g <= 230 THEN '{proofreader}' WHEN g <= 245 THEN '{reviewer}' WHEN g <= 265 THEN '{signer}'
                 WHEN g <= 275 THEN '{clerk}' WHEN g <= 476 THEN '{reader}' ELSE '{archivist}' END)::text[],
           (CASE WHEN g % 10 = 0 THEN 'secret' WHEN g % 3 = 0 THEN 'confidential' ELSE 'none' END)
      FROM generate_series(1, 486) g
    ON CONFLICT (username) DO NOTHING`,
  );

  // secondary indexes and foreign keys are rebuilt after the bulk load, exactly as the migrations define them
  const constraints = (
    await db.query(`
    SELECT conrelid::regclass::text AS tbl, conname, pg_get_constraintdef(oid) AS def, contype
      FROM pg_constraint
     WHERE (conrelid = 'documents'::regclass AND contype = 'f') OR (conrelid = 'audit_events'::regclass AND contype IN ('f', 'u', 'p'))
     ORDER BY contype DESC`)
  ).rows as { tbl: string; conname: string; def: string; contype: string }[];
  const indexes = (
    await db.query(`
    SELECT indexname, indexdef FROM pg_indexes
     WHERE schemaname = 'public' AND tablename IN ('documents', 'audit_events')
       AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid IN ('documents'::regclass, 'audit_events'::regclass))`)
  ).rows as { indexname: string; indexdef: string }[];
  for (const c of constraints) await db.query(`ALTER TABLE ${c.tbl} DROP CONSTRAINT ${c.conname}`);
  for (const i of indexes) await db.query(`DROP INDEX ${i.indexname}`);

  const states = `CASE WHEN rs < 0.020 THEN 'drafting' WHEN rs < 0.030 THEN 'consolidation' WHEN rs < 0.035 THEN 'discussion'
    WHEN rs < 0.045 THEN 'proofreading' WHEN rs < 0.055 THEN 'review' WHEN rs < 0.065 THEN 'signing' WHEN rs < 0.070 THEN 'registration'
    WHEN rs < 0.100 THEN 'circulation' WHEN rs < 0.110 THEN 'archiving' WHEN rs < 0.130 THEN 'withdrawn' ELSE 'archived' END`;
  const pick = (arr: string, r: string) => `${arr}[1 + floor(${r} * cardinality(${arr}))::int]`;
  await step(
    `documents (${n})`,
    `
    WITH ro AS (
      SELECT array_agg(id ORDER BY id) FILTER (WHERE 'chief' = ANY(roles)) AS chiefs,
             array_agg(id ORDER BY id) FILTER (WHERE 'secretary' = ANY(roles) AND NOT 'chief' = ANY(roles)) AS secs,
             array_agg(id ORDER BY id) FILTER (WHERE 'signer' = ANY(roles)) AS signers,
             array_agg(id ORDER BY id) FILTER (WHERE 'reader' = ANY(roles)) AS readers,
             array_agg(id ORDER BY id) FILTER (WHERE 'discussant' = ANY(roles)) AS discs,
             array_agg(id ORDER BY id) FILTER (WHERE 'proofreader' = ANY(roles)) AS proofs,
             array_agg(id ORDER BY id) FILTER (WHERE 'reviewer' = ANY(roles)) AS revs,
             array_agg(id ORDER BY id) FILTER (WHERE 'clerk' = ANY(roles)) AS clerks,
             array_agg(id ORDER BY id) FILTER (WHERE 'archivist' = ANY(roles)) AS archs
        FROM users WHERE active
    ), r AS MATERIALIZED (
      SELECT g, gen_random_uuid() AS id, random() AS rs, random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5,
             random() AS r6, random() AS r7, random() AS r8, random() AS r9, random() AS r10, random() AS r11, random() AS r12,
             random() AS r13, random() AS r14, random() AS r15, random() AS r16, random() AS r17, random() AS r18, random() AS r19, random() AS r20
        FROM generate_series(1, $1::int) g
    ), p AS (
      SELECT r.*, ${states} AS state, now() - r12 * interval '5 years' AS created,
             ${pick('ro.chiefs', 'r1')} AS chief, ${pick('ro.secs', 'r2')} AS d1, CASE WHEN r3 < 0.3 THEN ${pick('ro.secs', 'r17')} END AS d2,
             ${pick('ro.signers', 'r4')} AS signer, ${pick('ro.readers', 'r5')} AS rd1, ${pick('ro.readers', 'r6')} AS rd2,
             CASE WHEN r7 < 0.5 THEN ${pick('ro.readers', 'r18')} END AS rd3, ${pick('ro.discs', 'r8')} AS disc, ${pick('ro.proofs', 'r9')} AS proof,
             ${pick('ro.revs', 'r19')} AS rev, ${pick('ro.clerks', 'r20')} AS clerk, ${pick('ro.archs', 'r16')} AS arch,
             ${ls(TOPICS)}[1 + floor(power(r10, 2) * ${TOPICS.length})::int] AS topic,
             ${ls(PREFIXES)}[1 + floor(r11 * ${PREFIXES.length})::int] AS prefix,
             ${ls(ACTIONS)}[1 + floor(r13 * ${ACTIONS.length})::int] AS action,
             ${ls(KINDS)}[1 + floor(r14 * ${KINDS.length})::int] AS kind
        FROM r, ro
    ), q AS (
      SELECT p.*, array_position(${ls(STATE_ORDER)}, p.state) AS ord FROM p
    )
    INSERT INTO documents (id, workflow_id, workflow_version, state, version, snapshot, kind, title, classification, classification_rank,
                           urgency, urgency_rank, major, issuer_unit_ids, chief_id, participant_ids, assignee_ids, task_roles, current_revision,
                           document_number, deadline, created_by, created_at, updated_at)
    SELECT q.id, t.workflow_id, t.workflow_version, q.state,
           CASE q.state WHEN 'drafting' THEN 1 + floor(r15 * 3) WHEN 'consolidation' THEN 4 + floor(r15 * 2) WHEN 'discussion' THEN 5 + floor(r15 * 3)
                        WHEN 'proofreading' THEN 6 + floor(r15 * 3) WHEN 'review' THEN 7 + floor(r15 * 2) WHEN 'signing' THEN 8 + floor(r15 * 2)
                        WHEN 'registration' THEN 9 WHEN 'circulation' THEN 10 + floor(r15 * 3) WHEN 'archiving' THEN 12 + floor(r15 * 2)
                        WHEN 'withdrawn' THEN 2 + floor(r15 * 6) ELSE 10 + floor(r15 * 3) END,
           jsonb_set(jsonb_set(t.snapshot, '{context,chiefId}', to_jsonb(q.chief::text)), '{context,documentId}', to_jsonb(q.id::text)),
           q.kind, '关于' || q.prefix || q.topic || q.action || '的' || q.kind,
           CASE WHEN r16 < 0.92 THEN 'none' WHEN r16 < 0.98 THEN 'confidential' ELSE 'secret' END,
           CASE WHEN r16 < 0.92 THEN 0 WHEN r16 < 0.98 THEN 1 ELSE 2 END,
           CASE WHEN r17 < 0.85 THEN 'none' WHEN r17 < 0.97 THEN 'urgent' ELSE 'extra_urgent' END,
           CASE WHEN r17 < 0.85 THEN 0 WHEN r17 < 0.97 THEN 1 ELSE 2 END,
           false, ARRAY[$2::uuid], q.chief,
           array_remove(ARRAY[q.chief, q.d1, q.d2, q.signer,
             CASE WHEN q.state = 'discussion' THEN q.disc END,
             CASE WHEN q.ord BETWEEN 5 AND 10 THEN q.proof END,
             CASE WHEN q.ord BETWEEN 6 AND 10 THEN q.rev END,
             CASE WHEN q.ord BETWEEN 8 AND 10 THEN q.clerk END,
             CASE WHEN q.ord BETWEEN 8 AND 10 THEN q.rd1 END,
             CASE WHEN q.ord BETWEEN 8 AND 10 THEN q.rd2 END,
             CASE WHEN q.ord BETWEEN 8 AND 10 THEN q.rd3 END,
             CASE WHEN q.ord = 10 THEN q.arch END]::uuid[], NULL),
           CASE q.state WHEN 'drafting' THEN array_remove(ARRAY[q.d1, q.d2]::uuid[], NULL) WHEN 'consolidation' THEN ARRAY[q.chief]
                        WHEN 'discussion' THEN ARRAY[q.disc, q.chief] WHEN 'signing' THEN ARRAY[q.signer]
                        WHEN 'circulation' THEN array_remove(ARRAY[q.rd1, q.rd2, q.rd3]::uuid[], NULL) ELSE '{}'::uuid[] END,
           CASE q.state WHEN 'proofreading' THEN '{proofreader}' WHEN 'review' THEN '{reviewer}' WHEN 'registration' THEN '{clerk}'
                        WHEN 'archiving' THEN '{archivist}' ELSE '{}' END::text[],
           1 + floor(r18 * 3),
           CASE WHEN q.ord BETWEEN 8 AND 10 THEN '区委办发〔' || extract(year FROM q.created)::int || '〕' || (100000 + q.g) || '号' END,
           CASE WHEN r19 < 0.3 THEN q.created + interval '15 days' END,
           q.chief, q.created, least(now(), q.created + r20 * interval '30 days')
      FROM q JOIN bench_templates t ON t.state = q.state`,
    [n, committee],
  );

  const evTypes = [
    'CREATE',
    'EDIT_SECTION',
    'SUBMIT_SECTION',
    'START_CONSOLIDATION',
    'SKIP_DISCUSSION',
    'PASS_PROOFREADING',
    'REVIEW',
    'SIGN',
    'REGISTER',
    'OPEN',
    'OPEN',
    'ACKNOWLEDGE',
    'ACKNOWLEDGE',
    'REMIND',
    'FILE',
    'OPEN',
  ];
  const evStates = [
    'drafting',
    'drafting',
    'drafting',
    'consolidation',
    'proofreading',
    'review',
    'signing',
    'registration',
    'circulation',
    'circulation',
    'circulation',
    'archiving',
    'archiving',
    'archiving',
    'archived',
    'archived',
  ];
  await step(
    'audit events',
    `
    INSERT INTO audit_events (document_id, seq, actor_id, actor_roles, event_type, payload, from_state, to_state, reason, revision_number,
                              revision_hash, created_at, prev_hash, hash)
    SELECT d.id, s, d.chief_id, '{chief,secretary}', ${ls(evTypes)}[s],
           jsonb_build_object('event', jsonb_build_object('type', ${ls(evTypes)}[s], 'actor', jsonb_build_object('userId', d.chief_id, 'roles', '["chief","secretary"]'::jsonb),
                                                          'at', d.created_at + s * interval '1 hour')),
           CASE WHEN s > 1 THEN ${ls(evStates)}[s - 1] END, CASE WHEN s = d.version THEN d.state ELSE ${ls(evStates)}[s] END,
           NULL, 1, md5(d.id::text) || md5(d.chief_id::text), d.created_at + s * interval '1 hour',
           CASE WHEN s > 1 THEN md5(d.id::text || (s - 1)) || md5((s - 1) || d.id::text) END, md5(d.id::text || s) || md5(s || d.id::text)
      FROM documents d CROSS JOIN LATERAL generate_series(1, d.version) AS s
     WHERE NOT EXISTS (SELECT 1 FROM audit_events a WHERE a.document_id = d.id)`,
  );

  for (const c of constraints) await step(`constraint ${c.conname}`, `ALTER TABLE ${c.tbl} ADD CONSTRAINT ${c.conname} ${c.def}`);
  for (const i of indexes) await step(`index ${i.indexname}`, i.indexdef);
  await step('vacuum analyze', `VACUUM (ANALYZE) documents`);
  await step('vacuum analyze', `VACUUM (ANALYZE) audit_events`);
  await step('vacuum analyze', `VACUUM (ANALYZE) users`);
  // the inbox's index table, filled by the documents triggers: otherwise autovacuum works on its million rows
  // while the queries are measured
  await step('vacuum analyze', `VACUUM (ANALYZE) document_tasks`);
  // and the gigabytes just written are flushed now, not by the checkpointer during the measurements
  await step('checkpoint', `CHECKPOINT`);
  return (performance.now() - t0) / 1000;
}

/** Real snapshots for every state, from documents driven by the API (copied into bench_templates). */
async function templates(c: Client, db: pg.Client, ids: Ids) {
  await db.query(
    `CREATE TABLE bench_templates (state text PRIMARY KEY, snapshot jsonb NOT NULL, workflow_id text NOT NULL, workflow_version int NOT NULL)`,
  );
  const capture = async (state: string, id: string) => {
    await db.query(
      `INSERT INTO bench_templates SELECT state, snapshot, workflow_id, workflow_version FROM documents WHERE id = $1 AND state = $2 ON CONFLICT DO NOTHING`,
      [id, state],
    );
  };
  await drive(c, ids, 'archived', '关于做好安全生产工作的通知', capture);
  const d = await drive(c, ids, 'consolidation', '关于开展乡村振兴调研的通知');
  const disc = await c.event(d.id, 'chief', { type: 'START_DISCUSSION', invitees: [ids.u.discussant], requireAll: true });
  if (disc.status !== 200) throw new Error(`START_DISCUSSION: ${disc.status} ${JSON.stringify(disc.body)}`);
  await capture('discussion', d.id);
  const w = await drive(c, ids, 'drafting', '关于撤回的通知');
  const wd = await c.event(w.id, 'chief', { type: 'WITHDRAW', reason: '情况变化' });
  if (wd.status !== 200) throw new Error(`WITHDRAW: ${wd.status} ${JSON.stringify(wd.body)}`);
  await capture('withdrawn', w.id);
  const [{ n }] = (await db.query(`SELECT count(*)::int AS n FROM bench_templates`)).rows;
  if (n !== STATE_ORDER.length) throw new Error(`templates for ${n} of ${STATE_ORDER.length} states`);
}

interface Persona {
  username: string;
  id: string;
  roles: Role[];
  clearance: ClassificationLevel;
}

/** The SQL DocumentsService.list runs, from the service's own builder (so the bench measures what ships). */
function listSql(user: Persona, q: { state?: string; mine?: 'tasks'; q?: string; limit?: number }): { sql: string; params: unknown[] } {
  return listQuery({ id: user.id, clearance: user.clearance, roles: user.roles }, { ...q, limit: q.limit ?? 20 });
}

const HISTORY_SQL = `SELECT a.*, u.username, u.display_name FROM audit_events a JOIN users u ON u.id = a.actor_id WHERE a.document_id = $1 ORDER BY a.seq`;

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
  'Actual Rows'?: number;
  'Actual Loops'?: number;
}

function planSummary(plan: PlanNode): { summary: string; indexes: string[] } {
  const indexes: string[] = [];
  const walk = (n: PlanNode, depth: number): string => {
    if (n['Index Name']) indexes.push(n['Index Name']);
    const label = `${n['Node Type']}${n['Index Name'] ? ` ${n['Index Name']}` : n['Relation Name'] && n['Node Type'].includes('Scan') ? ` ${n['Relation Name']}` : ''} (${n['Actual Rows']}${(n['Actual Loops'] ?? 1) > 1 ? `×${n['Actual Loops']}` : ''})`;
    const kids = (n.Plans ?? []).map((k) => walk(k, depth + 1));
    return kids.length ? `${label} ← ${kids.length > 1 ? `[${kids.join(' | ')}]` : kids[0]}` : label;
  };
  return { summary: walk(plan, 0), indexes: [...new Set(indexes)] };
}

async function explain(db: pg.Client, sql: string, params: unknown[]) {
  const r = await db.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sql}`, params);
  const top = r.rows[0]['QUERY PLAN'][0] as {
    Plan: PlanNode & { 'Shared Hit Blocks': number; 'Shared Read Blocks': number };
    'Execution Time': number;
    'Planning Time': number;
  };
  return {
    ...planSummary(top.Plan),
    executionMs: round(top['Execution Time']),
    planningMs: round(top['Planning Time']),
    sharedHit: top.Plan['Shared Hit Blocks'],
    sharedRead: top.Plan['Shared Read Blocks'],
  };
}

export async function scaleQueries(server: Server, opts: { documents: number; requests: number; keep: boolean }): Promise<ScaleResult> {
  const name = `gongwen_bench_scale_${opts.documents}`;
  const url = await server.createDatabase(name);
  let api: ApiProcess | undefined;
  const db = new pg.Client({ connectionString: url });
  try {
    api = await startApi(url); // migrations + the demo office
    await db.connect();
    const c = client(api.baseUrl);
    const users: { id: string; username: string }[] = (await db.query(`SELECT id, username FROM users`)).rows;
    const ids: Ids = {
      u: Object.fromEntries(users.map((x) => [x.username, x.id])),
      committee: (await db.query(`SELECT id FROM units WHERE code = '区委办'`)).rows[0].id,
    };
    await templates(c, db, ids);
    log(`seeding ${opts.documents} documents and ~${opts.documents * 10} audit events with generate_series …`);
    const seedSeconds = await seedSql(db, opts.documents, ids.committee);
    const [{ d, a, u }] = (
      await db.query(
        `SELECT (SELECT count(*) FROM documents)::int AS d, (SELECT count(*) FROM audit_events)::int AS a, (SELECT count(*) FROM users)::int AS u`,
      )
    ).rows;
    const sizes = (
      await db.query(
        `SELECT relname, pg_size_pretty(pg_total_relation_size(oid)) AS s FROM pg_class WHERE relname IN ('documents', 'audit_events')`,
      )
    ).rows;
    const stateCounts = Object.fromEntries(
      (await db.query(`SELECT state, count(*)::int AS n FROM documents GROUP BY state ORDER BY 2 DESC`)).rows.map((r) => [r.state, r.n]),
    );

    const persona = async (username: string): Promise<Persona> => {
      const r = (await db.query(`SELECT id, roles, clearance FROM users WHERE username = $1`, [username])).rows[0];
      return { username, id: r.id, roles: r.roles, clearance: r.clearance };
    };
    const chief = await persona('chief');
    const clerk = await persona('clerk');
    const reader = await persona('reader');
    const archivist = await persona('archivist');
    // 委托: the signer's signing and reading delegated to a discussant of his office, so that the deputy's inbox and
    // list (a branch per delegation through document_tasks, and the delegation filter) are measured and EXPLAINed too
    const deputy = await persona('discussant');
    const signerId = (await db.query(`SELECT id FROM users WHERE username = 'signer'`)).rows[0].id;
    await db.query(
      `INSERT INTO delegations (principal_id, deputy_id, scopes, starts_at, ends_at, reason, created_by)
       VALUES ($1, $2, '{sign,read}', now() - interval '1 hour', now() + interval '7 days', 'bench', $1)`,
      [signerId, deputy.id],
    );
    const common = TOPICS[0].slice(0, 2);
    const rare = TOPICS[TOPICS.length - 1];
    const chiefDocs: string[] = (
      await db.query(
        `SELECT id FROM documents WHERE participant_ids @> ARRAY[$1]::uuid[] AND classification_rank <= $2 ORDER BY random() LIMIT $3`,
        [chief.id, classificationRank(chief.clearance), Math.max(50, opts.requests)],
      )
    ).rows.map((r) => r.id);

    const specs: { name: string; who: Persona; path: string; list?: Parameters<typeof listSql>[1]; history?: boolean; target?: number }[] =
      [
        { name: 'inbox (mine=tasks), chief', who: chief, path: '/api/documents?mine=tasks', list: { mine: 'tasks' }, target: 20 },
        { name: 'inbox (mine=tasks), reader', who: reader, path: '/api/documents?mine=tasks', list: { mine: 'tasks' }, target: 20 },
        { name: 'inbox (mine=tasks), clerk (pool)', who: clerk, path: '/api/documents?mine=tasks', list: { mine: 'tasks' }, target: 20 },
        {
          name: 'inbox (mine=tasks), archivist (pool)',
          who: archivist,
          path: '/api/documents?mine=tasks',
          list: { mine: 'tasks' },
          target: 20,
        },
        {
          name: 'inbox (mine=tasks), deputy of the signer (委托)',
          who: deputy,
          path: '/api/documents?mine=tasks',
          list: { mine: 'tasks' },
          target: 20,
        },
        { name: 'list (all), deputy of the signer (委托)', who: deputy, path: '/api/documents', list: {} },
        { name: 'list by state=circulation', who: clerk, path: '/api/documents?state=circulation', list: { state: 'circulation' } },
        { name: 'list by state=archived', who: chief, path: '/api/documents?state=archived', list: { state: 'archived' } },
        { name: 'history of one document', who: chief, path: '/api/documents/{id}/history', history: true, target: 20 },
        {
          name: `title search "${common}" (common)`,
          who: archivist,
          path: `/api/documents?q=${encodeURIComponent(common)}`,
          list: { q: common },
        },
        { name: `title search "${rare}" (rare)`, who: chief, path: `/api/documents?q=${encodeURIComponent(rare)}`, list: { q: rare } },
      ];
    const figures: QueryFigure[] = [];
    for (const s of specs) {
      const pathFor = (i: number) => (s.history ? s.path.replace('{id}', chiefDocs[i % chiefDocs.length]) : s.path);
      // warm-up (and login): enough calls for V8 to optimise the request path, so that p99 measures the steady state
      for (let i = 0; i < 25; i++) await c.get(pathFor(i), s.who.username);
      const apiMs: number[] = [];
      let last: any;
      for (let i = 0; i < opts.requests; i++) {
        const r = await c.get(pathFor(i), s.who.username);
        if (r.status !== 200) throw new Error(`${s.name}: ${r.status} ${JSON.stringify(r.body)}`);
        apiMs.push(r.ms);
        last = r.body;
      }
      const sqlMs: number[] = [];
      let rows = 0;
      let sql: string;
      let paramsFor: (i: number) => unknown[];
      if (s.history) {
        sql = HISTORY_SQL;
        paramsFor = (i) => [chiefDocs[i % chiefDocs.length]];
      } else {
        const built = listSql(s.who, s.list!);
        sql = built.sql;
        paramsFor = () => built.params;
      }
      for (let i = 0; i < opts.requests; i++) {
        const t0 = performance.now();
        const r = await db.query(sql, paramsFor(i));
        sqlMs.push(performance.now() - t0);
        rows = r.rowCount ?? 0;
      }
      let matchesService: boolean | undefined;
      if (!s.history) {
        const sqlIds = (await db.query(sql, paramsFor(0))).rows.slice(0, 20).map((r) => r.id);
        matchesService = JSON.stringify(sqlIds) === JSON.stringify(last.items.map((x: { id: string }) => x.id));
      }
      const plan = await explain(db, sql, paramsFor(0));
      figures.push({
        name: s.name,
        persona: s.who.username,
        path: s.path,
        api: dist(apiMs),
        sql: dist(sqlMs),
        rows,
        matchesService,
        plan,
        target: s.target,
      });
      log(
        `  ${s.name}: API p50 ${figures.at(-1)!.api.p50} ms p99 ${figures.at(-1)!.api.p99} ms; SQL p99 ${figures.at(-1)!.sql.p99} ms; ${plan.summary}`,
      );
    }
    return {
      documents: d,
      auditEvents: a,
      users: u,
      seedSeconds: round(seedSeconds, 1),
      tableSizes: Object.fromEntries(sizes.map((r) => [r.relname, r.s])),
      stateCounts,
      queries: figures,
    };
  } finally {
    await db.end().catch(() => undefined);
    await api?.stop();
    if (!opts.keep) await server.dropDatabase(name);
  }
}
