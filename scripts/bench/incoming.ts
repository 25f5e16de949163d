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
  stateCounts: Record<string, number>;
  figures: IncomingFigure[];
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

async function seed(db: pg.Client, n: number, units: string[], zhk: string, ghk: string, u: Record<string, string>): Promise<number> {
  const t0 = performance.now();
  const tpl = templates(units[0], zhk, ghk, u);
  await db.query(
    `CREATE TEMP TABLE bench_tpl (state text, pos int, snapshot jsonb, unit_keys text[], assignee_ids uuid[], task_roles text[], participant_ids uuid[])`,
  );
  let pos = 0;
  for (const [state, per] of MIX) {
    const x = tpl[state];
    await db.query(`INSERT INTO bench_tpl VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
      state,
      pos,
      x.snapshot,
      x.unitKeys,
      x.tasks.assigneeIds,
      x.tasks.taskRoles,
      x.participants,
    ]);
    pos += per;
  }
  await db.query(`ALTER TABLE documents DISABLE TRIGGER USER`).catch(() => undefined);
  // item g: unit by g % 10 (6 in 10 区发改局, 3 区财政局, 1 区教育局), state by g % 1000, created over five years
  const chunk = 200_000;
  for (let from = 1; from <= n; from += chunk) {
    const to = Math.min(n, from + chunk - 1);
    await db.query(
      `INSERT INTO documents (id, workflow_id, workflow_version, state, snapshot, kind, title, classification, classification_rank, urgency, urgency_rank,
         major, issuer_unit_ids, chief_id, participant_ids, assignee_ids, task_roles, current_revision, deadline, created_by, created_at, updated_at,
         version, document_number, unit_id, unit_keys)
       SELECT md5('incoming' || g)::uuid, 'incoming', 1, t.state,
              jsonb_set(t.snapshot, '{context,unitId}', to_jsonb(un.unit::text)),
              '通知', '关于' || (ARRAY['安全生产','营商环境','乡村振兴','财政预算','防汛抗旱'])[1 + g % 5] || '工作的通知（' || g || '）', 'none', 0,
              CASE WHEN g % 7 = 0 THEN 'urgent' ELSE 'none' END, CASE WHEN g % 7 = 0 THEN 1 ELSE 0 END,
              false, '{}', $3, t.participant_ids, t.assignee_ids,
              (SELECT coalesce(array_agg(replace(k, $4, un.unit::text)), '{}') FROM unnest(t.task_roles) k),
              1, CASE WHEN g % 3 = 0 THEN now() + ((g % 60) || ' days')::interval END, $3,
              now() - ((g * 157680000.0 / $5) || ' seconds')::interval, now() - ((g * 157680000.0 / $5) || ' seconds')::interval, 5, NULL, un.unit,
              (SELECT coalesce(array_agg(replace(k, $4, un.unit::text)), '{}') FROM unnest(t.unit_keys) k)
         FROM generate_series($1::int, $2::int) g
         CROSS JOIN LATERAL (SELECT CASE WHEN g % 10 < 6 THEN $6::uuid WHEN g % 10 < 9 THEN $7::uuid ELSE $8::uuid END AS unit) un
         CROSS JOIN LATERAL (SELECT * FROM bench_tpl b WHERE b.pos <= g % 1000 ORDER BY b.pos DESC LIMIT 1) t`,
      [from, to, u.fgw_registrar, units[0], n, units[0], units[1], units[2]],
    );
    await db.query(
      `INSERT INTO revisions (document_id, number, author_id, content, hash, created_at)
       SELECT d.id, 1, d.created_by, jsonb_build_object('title', d.title, 'kind', '通知', 'senderName', '中共××区委办公室', 'classification', 'none',
              'urgency', d.urgency, 'copies', 1, 'attachments', '[]'::jsonb), md5(d.id::text) || md5(d.title), d.created_at
         FROM documents d WHERE d.id IN (SELECT md5('incoming' || g)::uuid FROM generate_series($1::int, $2::int) g)`,
      [from, to],
    );
    await db.query(
      `INSERT INTO incoming_register (document_id, unit_id, year, serial, receive_number, registered_at, registered_by, received_at, sender_name,
         sender_number, title, kind, classification, classification_rank, urgency, copies, medium)
       SELECT d.id, d.unit_id, extract(year FROM d.created_at)::int, g, '收〔' || extract(year FROM d.created_at)::int || '〕' || g || '号',
              d.created_at, $3, d.created_at, '中共××区委办公室', '区委办发〔2026〕' || g || '号', d.title, '通知', 'none', 0, d.urgency, 1, 'electronic'
         FROM generate_series($1::int, $2::int) g JOIN documents d ON d.id = md5('incoming' || g)::uuid
        WHERE d.state NOT IN ('receipt', 'registration')`,
      [from, to, u.fgw_registrar],
    );
    log(`  … ${to} incoming items`);
  }
  await db.query(`ALTER TABLE documents ENABLE TRIGGER USER`).catch(() => undefined);
  // document_tasks (the outgoing inbox's table, kept by triggers) is not read by incoming queues
  await db.query(`ANALYZE documents; ANALYZE revisions; ANALYZE incoming_register`);
  return round((performance.now() - t0) / 1000, 1);
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
    const seedSeconds = await seed(db, opts.items, units, unit('发改局综合科'), unit('发改局规划科'), u);
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
      { name: '收文登记簿, one day', as: 'fgw_registrar', path: `/api/incoming/register?from=${day(30)}&to=${day(30)}` },
      { name: '收文登记簿, one week', as: 'fgw_registrar', path: `/api/incoming/register?from=${day(36)}&to=${day(30)}` },
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
    return { items: opts.items, seedSeconds, stateCounts, figures };
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
