/**
 * Supervision at scale: a year of 100,000 supervised items (督查督办), seeded with generate_series from one item
 * created through the API (states, colours, lead units, leaders, closures spread over the year), then the board
 * (GET /api/supervision/board) and the register (GET /api/supervision/register, the first page and a page deep in
 * the year) through the real endpoints, sequentially; p50/p99 printed beside the target (p99 ≤ 50 ms). The whole
 * year's register as CSV is timed once (a download, not a page).
 */
import pg from 'pg';
import { client, startApi, type ApiProcess } from './api.js';
import type { Server } from './server.js';
import { dist, log, round, type Dist } from './util.js';

export interface SupervisionFigure {
  name: string;
  path: string;
  api: Dist;
  target?: number;
}

export interface SupervisionBenchResult {
  items: number;
  seedSeconds: number;
  registerSize: string;
  requests: number;
  figures: SupervisionFigure[];
  csv: { ms: number; bytes: number };
}

/** Seeds `n` items of 2026 beside the template item (register rows and their documents rows). */
async function seed(db: pg.Client, template: string, n: number): Promise<void> {
  const cols: string[] = (
    await db.query(
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'documents' AND table_schema = 'public' ORDER BY ordinal_position`,
    )
  ).rows.map((r) => r.column_name);
  const override: Record<string, string> = {
    id: `md5('sup-bench-' || g)::uuid`,
    document_number: `'督〔2026〕' || (g + 1) || '号'`,
    title: `'督办事项 ' || g`,
    state: `(ARRAY['registered','assigned','in_progress','in_progress','in_progress','review','closed','closed','archived','cancelled'])[1 + g % 10]`,
  };
  const select = cols.map((c) => override[c] ?? `t.${c}`).join(', ');
  await db.query(`INSERT INTO documents (${cols.join(', ')}) SELECT ${select} FROM documents t, generate_series(1, $2) g WHERE t.id = $1`, [
    template,
    n,
  ]);
  // the register: the same states; colours, units, leaders and times spread over the year. The board's trigger is
  // off for the bulk insert (100,000 updates of the same counter rows in one transaction would be quadratic) and
  // its counts are made from the register afterwards, as the trigger would have made them.
  await db.query(`ALTER TABLE supervision_register DISABLE TRIGGER supervision_board_insert`);
  await db.query(
    `INSERT INTO supervision_register (document_id, year, serial, item_number, title, source_kind, source_document_id,
       instructing_leader_id, responsible_leader_id, supervisor_id, handler_id, lead_unit_id, assisting_unit_ids,
       instruction_text, requirements, cadence, result_form, deadline, state, colour, colour_round, assigned_at,
       last_feedback_at, red_since, closed_at, on_time, registered_at, updated_at)
     SELECT md5('sup-bench-' || g)::uuid, 2026, g + 1, '督〔2026〕' || (g + 1) || '号', '督办事项 ' || g,
            (ARRAY['instruction','meeting','document','key_task'])[1 + g % 4], NULL,
            t.instructing_leader_id, (ARRAY[t.responsible_leader_id, t.instructing_leader_id])[1 + g % 2], t.supervisor_id, NULL,
            u.ids[1 + g % cardinality(u.ids)], '{}', t.instruction_text, t.requirements, t.cadence, t.result_form,
            (DATE '2026-01-01' + (g % 365) + 30), d.state,
            CASE WHEN d.state IN ('assigned','in_progress','review') THEN (ARRAY['none','none','blue','yellow','red'])[1 + g % 5] ELSE 'none' END,
            0, reg + interval '1 day', reg + interval '8 days',
            CASE WHEN g % 5 = 4 AND d.state IN ('assigned','in_progress','review') THEN reg + interval '40 days' END,
            CASE WHEN d.state IN ('closed','archived') THEN reg + interval '20 days' + (g % 20) * interval '1 day' END,
            CASE WHEN d.state IN ('closed','archived') THEN g % 7 <> 0 END,
            reg, reg
       FROM generate_series(1, $2) g
       JOIN documents d ON d.id = md5('sup-bench-' || g)::uuid
      CROSS JOIN (SELECT * FROM supervision_register WHERE document_id = $1) t
      CROSS JOIN (SELECT array_agg(id ORDER BY name) AS ids FROM units) u
      CROSS JOIN LATERAL (SELECT TIMESTAMPTZ '2026-01-01 09:00+08' + (g % 365) * interval '1 day' + (g % 480) * interval '1 minute' AS reg) r`,
    [template, n],
  );
  await db.query(`ALTER TABLE supervision_register ENABLE TRIGGER supervision_board_insert`);
  await db.query(`DELETE FROM supervision_board`);
  await db.query(
    `INSERT INTO supervision_board (year, dim, key, n, closed, on_time, red)
     SELECT r.year, d.dim, d.key, count(*), count(*) FILTER (WHERE r.closed_at IS NOT NULL), count(*) FILTER (WHERE r.on_time),
            count(*) FILTER (WHERE r.colour = 'red')
       FROM supervision_register r
      CROSS JOIN LATERAL (VALUES ('state', r.state), ('colour', r.colour), ('unit', r.lead_unit_id::text),
                                 ('leader', r.responsible_leader_id::text)) d(dim, key)
      GROUP BY r.year, d.dim, d.key`,
  );
  await db.query(`UPDATE supervision_number_counters SET last = $1 + 1 WHERE year = 2026`, [n]);
  await db.query(`ANALYZE documents`);
  await db.query(`ANALYZE supervision_register`);
}

export async function supervisionBench(
  server: Server,
  opts: { items: number; requests: number; keep: boolean },
): Promise<SupervisionBenchResult> {
  const name = `gongwen_bench_supervision_${opts.items}`;
  const url = await server.createDatabase(name);
  let api: ApiProcess | undefined;
  const db = new pg.Client({ connectionString: url });
  try {
    // no card sweep during the measurement (the seeded year has overdue items)
    api = await startApi(url, { env: { GONGWEN_SUPERVISION_SWEEP_SECONDS: '0' } });
    await db.connect();
    const c = client(api.baseUrl);
    const one = async (sql: string, params: unknown[] = []) => (await db.query(sql, params)).rows[0];
    const user = async (username: string) => (await one(`SELECT id FROM users WHERE username = $1`, [username])).id as string;
    const unit = async (n: string) => (await one(`SELECT id FROM units WHERE name = $1`, [n])).id as string;
    const created = await c.post('/api/supervision', 'supervisor', {
      title: '督办事项 0',
      source: { kind: 'key_task' },
      instructingLeaderId: await user('fgw_leader'),
      instructionText: '抓紧推进，按期完成。',
      requirements: '制定方案，明确进度，按期报送落实情况。',
      leadUnitId: await unit('区发展和改革局'),
      assistingUnitIds: [await unit('区财政局')],
      responsibleLeaderId: await user('fgw_leader2'),
      deadline: '2099-12-31',
      cadence: 'monthly',
      resultForm: '书面报告',
    });
    if (created.status !== 201) throw new Error(`creating the template item: ${created.status} ${JSON.stringify(created.body)}`);
    log(`seeding ${opts.items} supervised items with generate_series …`);
    const t0 = performance.now();
    await seed(db, created.body.id, opts.items - 1);
    const seedSeconds = round((performance.now() - t0) / 1000, 1);
    const { s: registerSize } = await one(`SELECT pg_size_pretty(pg_total_relation_size('supervision_register')) AS s`);

    // the cursor of a page half-way through the year (what a client following nextCursor would hold)
    const mid = await one(`SELECT registered_at, serial FROM supervision_register ORDER BY registered_at, serial OFFSET $1 LIMIT 1`, [
      Math.floor(opts.items / 2),
    ]);
    const deep = `${new Date(mid.registered_at).getTime()}.${mid.serial}`;
    const specs: { name: string; path: string; target?: number; as?: string }[] = [
      { name: 'board, a year (status, colour, unit, leader, on-time rates)', path: '/api/supervision/board?year=2026', target: 50 },
      { name: 'register, a year: first page (100)', path: '/api/supervision/register?from=2026-01-01&to=2026-12-31', target: 50 },
      {
        name: 'register, a year: a page deep in the year (100)',
        path: `/api/supervision/register?from=2026-01-01&to=2026-12-31&cursor=${deep}`,
        target: 50,
      },
      { name: 'register, one month: first page (100)', path: '/api/supervision/register?from=2026-06-01&to=2026-06-30', target: 50 },
      // a leader's own view: every seeded item was instructed by 郑副局长 (the template's leader), so this is the
      // leader with the most items; 王副局长 (named on each as responsible leader) instructed one at most
      { name: 'items I instructed, a leader (50)', path: '/api/supervision?queue=instructed&limit=50', target: 50, as: 'fgw_leader' },
      {
        name: 'items I instructed, a leader with none (50)',
        path: '/api/supervision?queue=instructed&limit=50',
        target: 50,
        as: 'fgw_leader2',
      },
    ];
    const figures: SupervisionFigure[] = [];
    for (const s of specs) {
      const as = s.as ?? 'supervisor';
      for (let i = 0; i < 20; i++) await c.get(s.path, as); // warm-up
      const ms: number[] = [];
      for (let i = 0; i < opts.requests; i++) {
        const r = await c.get(s.path, as);
        if (r.status !== 200) throw new Error(`${s.path}: ${r.status} ${JSON.stringify(r.body)}`);
        ms.push(r.ms);
      }
      figures.push({ name: s.name, path: s.path, api: dist(ms), target: s.target });
      log(`${s.name}: p50 ${round(dist(ms).p50)} ms, p99 ${round(dist(ms).p99)} ms`);
    }
    const t1 = performance.now();
    const csv = await c.get('/api/supervision/register.csv?from=2026-01-01&to=2026-12-31', 'supervisor');
    const csvMs = round(performance.now() - t1, 0);
    if (csv.status !== 200) throw new Error(`register.csv: ${csv.status}`);
    return {
      items: opts.items,
      seedSeconds,
      registerSize,
      requests: opts.requests,
      figures,
      csv: { ms: csvMs, bytes: Buffer.byteLength(String(csv.body)) },
    };
  } finally {
    await api?.stop();
    await db.end().catch(() => undefined);
    if (!opts.keep) await server.dropDatabase(name).catch(() => undefined);
  }
}
