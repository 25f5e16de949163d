/**
 * Incoming items at scale (issue #20, performance): a bench database with N incoming items (default 1,000,000)
 * made with generate_series into documents, revisions and incoming_register (three receiving units, every state,
 * five years of registrations), then through the real API: the 待签收 queue of a registrar, the 承办 queue of a
 * department's handler, and the 收文登记簿 of one day and of one week — p50/p99 of sequential requests.
 *
 * Snapshots are copies of real ones (built by the pure machine for each state), so the queue reads realistic rows.
 */
import pg from 'pg';
import { createIncomingSnapshot, persistSnapshot, applyEvent, unitKeysOf, currentTasks, participantsOf } from '#gongwen/workflows/incoming';
import type { IncomingEvent, IncomingInput, IncomingSnapshot } from '#gongwen/workflows/incoming';
import { client, startApi, type ApiProcess } from './api.js';
import type { Server } from './server.js';
import { dist, log, round, type Dist } from './util.js';

export interface IncomingFigure {
  name: string;
  path: string;
  api: Dist;
  rows: number;
  target: number;
}

export interface IncomingResult {
  items: number;
  seedSeconds: number;
  /** Seconds of each part of the seed (templates, each table, the index builds, analyze). */
  seedPhases: Record<string, number>;
  stateCounts: Record<string, number>;
  figures: IncomingFigure[];
  /** EXPLAIN ANALYZE of the 待签收 and 承办 queue queries and the 收文登记簿 of a week at this size. */
  plans: Record<string, string>;
}

/** The snapshot of an item in each state the seed uses, built by the machine from a real sequence of events. */
function templates(unit: string, zhk: string, ghk: string, u: Record<string, string>) {
  const actor = (userId: string, roles: string[], unitId: string) => ({ userId, roles: roles as never, unitId });
  const registrar = actor(u.fgw_registrar, ['registrar'], unit);
  const at = new Date().toISOString();
  const input: IncomingInput = {
    documentId: '00000000-0000-4000-8000-00000000beef',
    unitId: unit,
    source: { kind: 'exchange', outgoingDocumentId: '00000000-0000-4000-8000-00000000cafe', senderUnitId: unit, deliveryId: 'bench' },
    senderName: '中共××区委办公室',
    classification: 'none',
    urgency: 'none',
    copies: 1,
  };
  const out: Record<string, IncomingSnapshot> = {};
  let s = createIncomingSnapshot(input);
  const step = (e: Omit<IncomingEvent, 'at'>, name?: string) => {
    const r = applyEvent(s, { ...e, at } as IncomingEvent);
    if (!r.accepted) throw new Error(`bench template: ${e.type} refused: ${JSON.stringify(r.violation)}`);
    s = r.snapshot;
    if (name) out[name] = s;
  };
  out.receipt = s;
  step({ type: 'SIGN_FOR', actor: registrar, copies: 1 } as never, 'registration');
  const year = new Date().getUTCFullYear();
  step(
    {
      type: 'REGISTER',
      actor: registrar,
      receiveNumber: `收〔${year}〕1号`,
      serial: 1,
      year,
      fields: { title: '关于做好营商环境工作的通知', senderName: '中共××区委办公室', classification: 'none', urgency: 'none', copies: 1 },
    } as never,
    'check',
  );
  step(
    { type: 'PASS_CHECK', actor: registrar, checks: [1, 2, 3, 4, 5].map((item) => ({ item, passed: true })), route: 'action' } as never,
    'proposal',
  );
  step(
    { type: 'PROPOSE', actor: actor(u.fgw_chief, ['chief'], unit), opinion: '请阅示。', leaderIds: [u.fgw_leader] } as never,
    'instruction',
  );
  step(
    {
      type: 'INSTRUCT',
      actor: actor(u.fgw_leader, ['leader'], unit),
      instruction: '请综合科办理。',
      lead: { departmentId: zhk, deadline: '2030-12-31' },
      assisting: [{ departmentId: ghk, deadline: '2030-12-31' }],
      readerIds: [u.fgw_leader, u.fgw_leader2],
    } as never,
    'handling',
  );
  step({ type: 'RECORD_HANDLING', actor: actor(u.fgw_handler2, ['handler'], ghk), text: '已协办。' } as never);
  step({ type: 'COMPLETE_HANDLING', actor: actor(u.fgw_handler, ['handler'], zhk), result: '已办理。' } as never, 'circulation');
  step({ type: 'READ', actor: actor(u.fgw_leader, ['leader'], unit) } as never);
  step({ type: 'READ', actor: actor(u.fgw_leader2, ['leader'], unit) } as never);
  step({ type: 'CLOSE_CIRCULATION', actor: registrar } as never, 'answer');
  step({ type: 'ANSWER', actor: registrar, text: '已答复。' } as never, 'done');
  step({ type: 'FILE', actor: actor(u.archivist, ['archivist'], unit), retention: 'D30' } as never, 'archived');
  return Object.fromEntries(
    Object.entries(out).map(([state, snap]) => {
      const p = persistSnapshot(snap);
      return [
        state,
        {
          snapshot: p,
          unitKeys: unitKeysOf(p.value, p.context),
          tasks: currentTasks(p.value, p.context),
          participants: participantsOf(p.context, []),
        },
      ];
    }),
  );
}

/** Per thousand items: which state (the rest archived). */
const MIX: [string, number][] = [
  ['receipt', 20],
  ['registration', 10],
  ['check', 10],
  ['proposal', 10],
  ['instruction', 10],
  ['handling', 50],
  ['circulation', 20],
  ['answer', 20],
  ['done', 50],
  ['archived', 800],
];

/** The tables the seed fills; their secondary indexes are dropped for the load and built after it. */
const LOADED = ['documents', 'revisions', 'incoming_register'];

/**
 * Loads n items with one INSERT … SELECT generate_series per table. What made the first version slow (934 s for
 * 1,000,000): every row maintained a dozen secondary indexes (GIN on participants, unit keys and task roles among
 * them) and the foreign-key and document_tasks triggers, in chunks. Now: the secondary indexes (not the primary
 * and unique keys, which the load must respect) are dropped and built again after the load, in parallel workers;
 * the session runs as a replica (session_replication_role) so that no trigger fires — the rows are consistent by
 * construction (every revision and register row joins a document just written) and document_tasks, which the
 * triggers keep, is the outgoing inbox's and not read by incoming queues.
 */
async function seed(
  db: pg.Client,
  n: number,
  units: string[],
  zhk: string,
  ghk: string,
  u: Record<string, string>,
): Promise<{ seconds: number; phases: Record<string, number> }> {
  const t0 = performance.now();
  const phases: Record<string, number> = {};
  let mark = t0;
  const phase = (name: string) => {
    const now = performance.now();
    phases[name] = round((now - mark) / 1000, 1);
    mark = now;
    log(`  … ${name}: ${phases[name]} s`);
  };
  const tpl = templates(units[0], zhk, ghk, u);
  await db.query(
    `CREATE TEMP TABLE bench_tpl (state text, pos int, next int, snapshot jsonb, unit_keys text[], assignee_ids uuid[], task_roles text[], participant_ids uuid[])`,
  );
  let pos = 0;
  for (const [state, per] of MIX) {
    const x = tpl[state];
    await db.query(`INSERT INTO bench_tpl VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, [
      state,
      pos,
      pos + per,
      x.snapshot,
      x.unitKeys,
      x.tasks.assigneeIds,
      x.tasks.taskRoles,
      x.participants,
    ]);
    pos += per;
  }
  // the templates per receiving unit, their unit id spliced in once (not once per row)
  await db.query(
    `CREATE TEMP TABLE bench_tpl_unit AS
       SELECT b.state, b.pos, b.next, un.k, un.unit, jsonb_set(b.snapshot, '{context,unitId}', to_jsonb(un.unit::text)) AS snapshot,
              b.assignee_ids, b.participant_ids,
              (SELECT coalesce(array_agg(replace(x, $1, un.unit::text)), '{}') FROM unnest(b.task_roles) x) AS task_roles,
              (SELECT coalesce(array_agg(replace(x, $1, un.unit::text)), '{}') FROM unnest(b.unit_keys) x) AS unit_keys
         FROM bench_tpl b CROSS JOIN (VALUES (0, $2::uuid), (1, $3::uuid), (2, $4::uuid)) AS un(k, unit)`,
    [units[0], units[0], units[1], units[2]],
  );
  // state by g % 1000 as a lookup array (no per-row subquery)
  const [{ states }] = (
    await db.query(
      `SELECT array_agg(b.pos ORDER BY s.i) AS states FROM generate_series(0, 999) s(i) JOIN bench_tpl b ON s.i >= b.pos AND s.i < b.next`,
    )
  ).rows;
  if ((states as number[]).length !== 1000) throw new Error('bench: the state mix must cover 1000 slots');

  const dropped: string[] = (
    await db.query(
      `SELECT i.indexdef FROM pg_indexes i
        WHERE i.schemaname = current_schema() AND i.tablename = ANY($1::text[])
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname AND c.contype IN ('p', 'u', 'x'))`,
      [LOADED],
    )
  ).rows.map((r: { indexdef: string }) => r.indexdef);
  for (const def of dropped) {
    const name = /INDEX (\S+) ON/.exec(def)![1];
    await db.query(`DROP INDEX ${name}`);
  }
  await db.query(`SET session_replication_role = replica`);
  phase(`prepared (${dropped.length} secondary indexes dropped)`);

  // item g: unit by g % 10 (6 in 10 区发改局, 3 区财政局, 1 区教育局), state by g % 1000, created over five years
  await db.query(
    `INSERT INTO documents (id, workflow_id, workflow_version, state, snapshot, kind, title, classification, classification_rank, urgency, urgency_rank,
       major, issuer_unit_ids, chief_id, participant_ids, assignee_ids, task_roles, current_revision, deadline, created_by, created_at, updated_at,
       version, document_number, unit_id, unit_keys)
     SELECT md5('incoming' || g)::uuid, 'incoming', 1, t.state, t.snapshot,
            '通知', '关于' || (ARRAY['安全生产','营商环境','乡村振兴','财政预算','防汛抗旱'])[1 + g % 5] || '工作的通知（' || g || '）', 'none', 0,
            CASE WHEN g % 7 = 0 THEN 'urgent' ELSE 'none' END, CASE WHEN g % 7 = 0 THEN 1 ELSE 0 END,
            false, '{}', $2, t.participant_ids, t.assignee_ids, t.task_roles,
            1, CASE WHEN g % 3 = 0 THEN now() + ((g % 60) || ' days')::interval END, $2,
            now() - make_interval(secs => g * 157680000.0 / $1), now() - make_interval(secs => g * 157680000.0 / $1), 5, NULL, t.unit, t.unit_keys
       FROM generate_series(1, $1::int) g
       JOIN bench_tpl_unit t ON t.k = CASE WHEN g % 10 < 6 THEN 0 WHEN g % 10 < 9 THEN 1 ELSE 2 END AND t.pos = ($3::int[])[1 + g % 1000]`,
    [n, u.fgw_registrar, states],
  );
  phase('documents');
  await db.query(
    `INSERT INTO revisions (document_id, number, author_id, content, hash, created_at)
     SELECT d.id, 1, d.created_by, jsonb_build_object('title', d.title, 'kind', '通知', 'senderName', '中共××区委办公室', 'classification', 'none',
            'urgency', d.urgency, 'copies', 1, 'attachments', '[]'::jsonb), md5(d.id::text) || md5(d.title), d.created_at
       FROM documents d WHERE d.workflow_id = 'incoming'`,
  );
  phase('revisions');
  await db.query(
    `INSERT INTO incoming_register (document_id, unit_id, year, serial, receive_number, registered_at, registered_by, received_at, sender_name,
       sender_number, title, kind, classification, classification_rank, urgency, copies, medium)
     SELECT d.id, d.unit_id, r.year, r.serial, '收〔' || r.year || '〕' || r.serial || '号',
            d.created_at, $1, d.created_at, '中共××区委办公室', '区委办发〔' || r.year || '〕' || r.serial || '号', d.title, '通知', 'none', 0, d.urgency, 1, 'electronic'
       FROM (SELECT d.id, extract(year FROM d.created_at AT TIME ZONE 'Asia/Shanghai')::int AS year,
                    row_number() OVER (PARTITION BY d.unit_id, extract(year FROM d.created_at AT TIME ZONE 'Asia/Shanghai') ORDER BY d.created_at, d.id)::int AS serial
               FROM documents d WHERE d.workflow_id = 'incoming' AND d.state NOT IN ('receipt', 'registration')) r
       JOIN documents d ON d.id = r.id`,
    [u.fgw_registrar],
  );
  phase('incoming_register');
  await db.query(`SET session_replication_role = origin`);
  await db.query(`SET max_parallel_maintenance_workers = 4`).catch(() => undefined);
  await db.query(`SET maintenance_work_mem = '512MB'`).catch(() => undefined);
  for (const def of dropped) await db.query(def);
  phase(`indexes built again (${dropped.length})`);
  await db.query(`ANALYZE documents; ANALYZE revisions; ANALYZE incoming_register`);
  phase('analyze');
  return { seconds: round((performance.now() - t0) / 1000, 1), phases };
}

/** EXPLAIN ANALYZE of the queue and register queries as the API sends them (the plans at this size, for the report). */
async function plans(db: pg.Client, units: string[], u: Record<string, string>, zhk: string): Promise<Record<string, string>> {
  const explain = async (sql: string, params: unknown[]) =>
    ((await db.query(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${sql}`, params)).rows as { 'QUERY PLAN': string }[])
      .map((r) => r['QUERY PLAN'])
      .join('\n');
  const queue = (state: string, keys: string[]) =>
    explain(
      `SELECT d.id, d.state, d.title, d.snapshot->'context'->'register'->>'receiveNumber' AS receive_number,
              COALESCE((SELECT g.sender_number FROM incoming_register g WHERE g.document_id = d.id),
                       (SELECT r.content->>'senderNumber' FROM revisions r WHERE r.document_id = d.id AND r.number = d.current_revision)) AS sender_number,
              COALESCE((SELECT a.created_at FROM audit_events a WHERE a.document_id = d.id AND a.from_state IS DISTINCT FROM a.to_state
                         ORDER BY a.seq DESC LIMIT 1), d.created_at) AS state_since
         FROM documents d
        WHERE d.unit_id = $1 AND d.workflow_id = 'incoming' AND d.classification_rank <= 3
          AND ($2 = ANY(d.participant_ids) OR (d.workflow_id || ':' || d.state) = ANY($3::text[]) OR d.unit_keys && $4::text[])
          AND d.state = $5
        ORDER BY d.urgency_rank DESC, d.deadline ASC NULLS LAST, d.created_at ASC, d.id ASC LIMIT 51`,
      [units[0], u.fgw_registrar, [], keys, state],
    );
  return {
    receiptQueue: await queue('receipt', [`registrar@${units[0]}`]),
    handlingQueue: await queue('handling', [`handler@${zhk}`]),
    registerWeek: await explain(
      `SELECT r.* FROM incoming_register r
        WHERE r.unit_id = $1 AND r.registered_at >= (($2::date)::timestamp AT TIME ZONE 'Asia/Shanghai')
          AND r.registered_at < (($3::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai') AND r.classification_rank <= 3
        ORDER BY r.registered_at, r.serial LIMIT 10000`,
      [
        units[0],
        new Date(Date.now() - 36 * 86_400_000).toISOString().slice(0, 10),
        new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10),
      ],
    ),
  };
}

export async function incomingQueries(server: Server, opts: { items: number; requests: number; keep: boolean }): Promise<IncomingResult> {
  const name = `gongwen_bench_incoming_${opts.items}`;
  const url = await server.createDatabase(name);
  let api: ApiProcess | undefined;
  const db = new pg.Client({ connectionString: url });
  try {
    api = await startApi(url);
    await db.connect();
    const users: { id: string; username: string }[] = (await db.query(`SELECT id, username FROM users`)).rows;
    const u = Object.fromEntries(users.map((x) => [x.username, x.id]));
    const unitRows: { id: string; name: string }[] = (await db.query(`SELECT id, name FROM units`)).rows;
    const unit = (n: string) => unitRows.find((r) => r.name === n)!.id;
    const units = [unit('区发展和改革局'), unit('区财政局'), unit('区教育局')];
    log(`seeding ${opts.items} incoming items with generate_series …`);
    const seeded = await seed(db, opts.items, units, unit('发改局综合科'), unit('发改局规划科'), u);
    const seedSeconds = seeded.seconds;
    const queryPlans = await plans(db, units, u, unit('发改局综合科'));
    for (const [k, v] of Object.entries(queryPlans)) log(`EXPLAIN ANALYZE ${k}:\n${v}`);
    const stateCounts = Object.fromEntries(
      (
        await db.query(`SELECT state, count(*)::int AS n FROM documents WHERE workflow_id = 'incoming' GROUP BY state ORDER BY 2 DESC`)
      ).rows.map((r) => [r.state, r.n]),
    );
    const c = client(api.baseUrl);
    const day = (daysAgo: number) => new Date(Date.now() + 8 * 3600_000 - daysAgo * 86_400_000).toISOString().slice(0, 10);
    const specs = [
      { name: '待签收 queue (registrar)', as: 'fgw_registrar', path: '/api/incoming?queue=receipt' },
      { name: '承办 queue (handler of the lead department)', as: 'fgw_handler', path: '/api/incoming?queue=handling' },
      { name: '承办 queue (handler of the assisting department)', as: 'fgw_handler2', path: '/api/incoming?queue=handling' },
      {
        name: '收文登记簿, one day (first page of 100)',
        as: 'fgw_registrar',
        path: `/api/incoming/register?from=${day(30)}&to=${day(30)}`,
      },
      {
        name: '收文登记簿, one week (first page of 100)',
        as: 'fgw_registrar',
        path: `/api/incoming/register?from=${day(36)}&to=${day(30)}`,
      },
    ];
    const figures: IncomingFigure[] = [];
    for (const s of specs) {
      const first = await c.get(s.path, s.as);
      if (first.status !== 200) throw new Error(`${s.name}: ${first.status} ${JSON.stringify(first.body).slice(0, 300)}`);
      for (let i = 0; i < 20; i++) await c.get(s.path, s.as); // warm
      const ms: number[] = [];
      for (let i = 0; i < opts.requests; i++) ms.push((await c.get(s.path, s.as)).ms);
      figures.push({ name: s.name, path: s.path, api: dist(ms), rows: first.body.items.length, target: 20 });
    }
    return { items: opts.items, seedSeconds, seedPhases: seeded.phases, stateCounts, figures, plans: queryPlans };
  } finally {
    await db.end().catch(() => undefined);
    await api?.stop();
    if (!opts.keep) await server.dropDatabase(name).catch(() => undefined);
  }
}

export function printIncoming(r: IncomingResult): string {
  const lines = [`incoming items at scale: ${r.items} items (seeded in ${r.seedSeconds} s)`];
  for (const f of r.figures)
    lines.push(
      `  ${f.name.padEnd(50)} p50 ${String(f.api.p50).padStart(6)} ms  p99 ${String(f.api.p99).padStart(6)} ms  (target ≤ ${f.target} ms; ${f.rows} rows)`,
    );
  return lines.join('\n');
}
