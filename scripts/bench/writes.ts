/**
 * What one transition costs PostgreSQL, in figures that do not depend on how loaded the machine is (issue #26):
 * WAL bytes, records and full-page images, buffers dirtied, rows written and updated in place (HOT), index
 * entries written, statements, and the API's CPU — per transition, over N transitions of the bench's load (the
 * clerk's REMIND and the readers' OPEN on documents in circulation), the outbox relay's work included; and the
 * relay's statement alone per row relayed (its PostgreSQL execution time: wall time, so load-dependent).
 *
 *   npm run bench:writes -- [--transitions=3000] [--docs=40] [--concurrency=8] [--pg=name=value,…]
 *
 * Runs its own embedded PostgreSQL (so that the WAL counted is this run's alone), even with DATABASE_URL set,
 * with the application's settings and --pg's on top of them (a server-wide setting A/B: two runs side by side).
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { client, drive, startApi, type Ids } from './api.js';
import { WRITE_TRANSITIONS } from '../../apps/api/src/engine/repositories/documents.js';
import { openServer } from './server.js';
import { keyValuesOption, log, pool, query, round, sleep, treeCpu } from './util.js';

const arg = (name: string, dflt: number) => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.split('=')[1]) : dflt;
};
const PG_SETTINGS = keyValuesOption(process.argv, 'pg');
const N = arg('transitions', 3000);
const DOCS = arg('docs', 40);
const CONCURRENCY = arg('concurrency', 8);
const HOT_TABLES = ['documents', 'audit_events', 'outbox', 'document_tasks', 'revisions', 'idempotency_keys', 'user_notices'];

const EVENTS = [
  { as: 'clerk', body: { type: 'REMIND' } },
  { as: 'reader', body: { type: 'OPEN' } },
  { as: 'reader2', body: { type: 'OPEN' } },
] as const;

async function tables(url: string) {
  const rows = await query<{ t: string; ins: number; upd: number; hot: number; del: number; indexes: number }>(
    url,
    `SELECT s.relname AS t, s.n_tup_ins::int AS ins, s.n_tup_upd::int AS upd, s.n_tup_hot_upd::int AS hot, s.n_tup_del::int AS del,
            (SELECT count(*) FROM pg_index i WHERE i.indrelid = s.relid)::int AS indexes
       FROM pg_stat_user_tables s WHERE s.relname = ANY($1)`,
    [HOT_TABLES],
  );
  return new Map(rows.map((r) => [r.t, r]));
}

async function wal(url: string) {
  const [w] = await query<{ bytes: string; records: string; fpi: string }>(
    url,
    `SELECT wal_bytes::text AS bytes, wal_records::text AS records, wal_fpi::text AS fpi FROM pg_stat_wal`,
  );
  return { bytes: Number(w.bytes), records: Number(w.records), fpi: Number(w.fpi) };
}

/** Outbox rows the relay has not published yet. */
async function pending(url: string): Promise<number> {
  return (
    await query<{ n: number }>(
      url,
      `SELECT count(*)::int AS n FROM outbox o, outbox_relay r WHERE (o.tx, o.id) > (r.cursor_tx, r.cursor_id)`,
    )
  )[0].n;
}

interface PlanNode {
  'Node Type': string;
  Operation?: string;
  'Relation Name'?: string;
  'WAL Records'?: number;
  'WAL FPI'?: number;
  'WAL Bytes'?: number;
  Plans?: PlanNode[];
}

/**
 * One transition statement (WRITE_TRANSITIONS) as the engine sends it — a REMIND of a document in circulation: its
 * snapshot with the reminder added, its last audit event's payload again — explained with its WAL per part, and
 * rolled back. The parts' own figures: a node's WAL includes its children's, so each is reported net of them.
 */
async function explainParts(url: string) {
  const [d] = await query<Record<string, any>>(url, `SELECT * FROM documents WHERE state = 'circulation' ORDER BY version DESC LIMIT 1`);
  const [a] = await query<Record<string, any>>(url, `SELECT * FROM audit_events WHERE document_id = $1 AND seq = $2`, [d.id, d.version]);
  const at = new Date().toISOString();
  const snapshot = structuredClone(d.snapshot);
  for (const r of snapshot.context.readers ?? []) if (!r.acknowledgedAt) r.remindedAt = [...(r.remindedAt ?? []), at];
  const write = {
    ord: 0,
    id: d.id,
    state: d.state,
    snapshot,
    participant_ids: d.participant_ids,
    assignee_ids: d.assignee_ids,
    task_roles: d.task_roles,
    unit_keys: d.unit_keys,
    current_revision: d.current_revision,
    document_number: d.document_number,
    title: d.title,
    urgency: d.urgency,
    urgency_rank: d.urgency_rank,
    major: d.major,
    expected_version: d.version,
    seq: d.version + 1,
    actor_id: a.actor_id,
    actor_roles: a.actor_roles,
    event_type: 'REMIND',
    payload: { event: { ...a.payload.event, type: 'REMIND', at } },
    from_state: d.state,
    reason: null,
    revision_hash: a.revision_hash,
    created_at: at,
    prev_hash: a.hash,
    hash: 'f'.repeat(64),
    outbox: { event: 'REMIND', from: d.state, to: d.state, assigneeIds: d.assignee_ids, taskRoles: d.task_roles },
    token_id: null,
    roles: null,
    clearance: null,
    authority: null,
    expected_xmin: null,
  };
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN');
    const r = await client.query(`EXPLAIN (ANALYZE, WAL, FORMAT JSON) ${WRITE_TRANSITIONS}`, [JSON.stringify([write])]);
    await client.query('ROLLBACK');
    const out: Record<string, unknown>[] = [];
    const walk = (n: PlanNode) => {
      const kids = n.Plans ?? [];
      const net = (k: 'WAL Records' | 'WAL FPI' | 'WAL Bytes') => (n[k] ?? 0) - kids.reduce((s, c) => s + (c[k] ?? 0), 0);
      if (net('WAL Records') > 0) {
        out.push({
          part: `${n.Operation ?? n['Node Type']} ${n['Relation Name'] ?? ''}`.trim(),
          records: net('WAL Records'),
          fpi: net('WAL FPI'),
          bytes: net('WAL Bytes'),
        });
      }
      kids.forEach(walk);
    };
    walk(r.rows[0]['QUERY PLAN'][0].Plan);
    return out;
  } finally {
    await client.end();
  }
}

async function main() {
  delete process.env.DATABASE_URL;
  const server = await openServer(PG_SETTINGS);
  try {
    const url = await server.createDatabase('gongwen_writes');
    await query(url, `CREATE EXTENSION IF NOT EXISTS pg_stat_statements`);
    const api = await startApi(url);
    try {
      const c = client(api.baseUrl);
      const users: { id: string; username: string }[] = await query(url, `SELECT id, username FROM users`);
      const ids: Ids = {
        u: Object.fromEntries(users.map((x) => [x.username, x.id])),
        committee: (await query(url, `SELECT id FROM units WHERE code = '区委办'`))[0].id,
      };
      log(`seeding ${DOCS} documents to circulation …`);
      const docs = await pool(
        Array.from({ length: DOCS }, (_, i) => i),
        8,
        async (i) => (await drive(c, ids, 'circulation', `关于做好第${i + 1}号安全检查工作的通知`)).id as string,
      );
      let k = 0;
      const send = async (n: number) => {
        let bad = 0;
        await pool(
          Array.from({ length: n }, (_, i) => i),
          CONCURRENCY,
          async () => {
            const e = EVENTS[k++ % EVENTS.length];
            const r = await c.event(docs[Math.floor(Math.random() * docs.length)], e.as, e.body);
            if (r.status !== 200) bad++;
          },
        );
        return bad;
      };
      await send(300); // warm-up (and the first reminders of every document)
      await sleep(1500); // the relay catches up
      await query(url, `CHECKPOINT`);
      await query(url, `SELECT pg_stat_statements_reset()`);
      const t0 = await tables(url);
      const w0 = await wal(url);
      const cpu0 = treeCpu(api.pid);
      const pg0 = server.postmasterPid ? treeCpu(server.postmasterPid) : NaN;
      const bad = await send(N);
      // the relay catches up: its work is counted
      for (let i = 0; i < 100 && (await pending(url)) > 0; i++) await sleep(200);
      await sleep(300);
      const cpu1 = treeCpu(api.pid);
      const pg1 = server.postmasterPid ? treeCpu(server.postmasterPid) : NaN;
      const w1 = await wal(url);
      const t1 = await tables(url);
      const per = (x: number) => round(x / N, 2);
      const out: Record<string, unknown> = {
        postgres: server.version,
        settings: PG_SETTINGS,
        transitions: N,
        refused: bad,
        walBytes: per(w1.bytes - w0.bytes),
        walRecords: per(w1.records - w0.records),
        walFullPageImages: per(w1.fpi - w0.fpi),
        apiCpuMs: round(((cpu1 - cpu0) * 1000) / N, 3),
        // every process of this run's own server (backends, relay, autovacuum, WAL writer, checkpointer)
        postgresCpuMs: round(((pg1 - pg0) * 1000) / N, 3),
      };
      const rows: Record<string, unknown>[] = [];
      let indexEntries = 0;
      for (const t of HOT_TABLES) {
        const a = t0.get(t);
        const b = t1.get(t);
        if (!a || !b) continue;
        const ins = b.ins - a.ins;
        const upd = b.upd - a.upd;
        const hot = b.hot - a.hot;
        // every index of the table gets an entry per inserted row and per update that is not HOT (partial
        // indexes whose predicate the row fails excepted: an upper bound)
        const entries = (ins + upd - hot) * b.indexes;
        indexEntries += entries;
        rows.push({
          table: t,
          inserted: per(ins),
          updated: per(upd),
          hot: per(hot),
          deleted: per(b.del - a.del),
          indexes: b.indexes,
          indexEntries: per(entries),
        });
      }
      out.indexEntriesUpperBound = per(indexEntries);
      const stmts = await query<Record<string, any>>(
        url,
        `SELECT regexp_replace(left(query, 70), '\\s+', ' ', 'g') AS query, calls::int, rows::int,
                wal_bytes::float AS wal_bytes, wal_fpi::int AS fpi, shared_blks_hit::int AS hit, shared_blks_dirtied::int AS dirtied
           FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
          ORDER BY wal_bytes DESC, calls DESC LIMIT 8`,
      );
      const [{ calls, dirtied, hit }] = await query<{ calls: number; dirtied: number; hit: number }>(
        url,
        `SELECT sum(calls)::float AS calls, sum(shared_blks_dirtied)::float AS dirtied, sum(shared_blks_hit)::float AS hit FROM pg_stat_statements
          WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      );
      // the outbox relay's statement (the one statement that calls pg_notify), per row relayed: its PostgreSQL time
      const [relay] = await query<{ calls: number; ms: number; wal: number; hit: number }>(
        url,
        `SELECT coalesce(sum(calls), 0)::int AS calls, coalesce(sum(total_exec_time), 0)::float AS ms, coalesce(sum(wal_bytes), 0)::float AS wal,
                coalesce(sum(shared_blks_hit), 0)::float AS hit
           FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND query LIKE '%pg_notify(%'`,
      );
      const relayed = (t1.get('outbox')?.ins ?? 0) - (t0.get('outbox')?.ins ?? 0);
      out.relay = {
        batches: relay.calls,
        rowsPerBatch: round(relayed / Math.max(1, relay.calls), 1),
        msPerRow: round(relay.ms / Math.max(1, relayed), 4),
        msPerBatch: round(relay.ms / Math.max(1, relay.calls), 3),
        walBytesPerRow: round(relay.wal / Math.max(1, relayed), 1),
        buffersHitPerRow: round(relay.hit / Math.max(1, relayed), 1),
      };
      out.statements = per(calls);
      out.buffersHit = per(hit);
      out.buffersDirtied = per(dirtied);
      console.log(JSON.stringify(out, null, 1));
      console.table(rows);
      console.table(
        stmts.map((s) => ({
          query: s.query,
          calls: s.calls,
          rows: s.rows,
          walBytesPerTransition: per(s.wal_bytes),
          fpiPerTransition: per(s.fpi),
          hitPerTransition: per(s.hit),
          dirtiedPerTransition: per(s.dirtied),
        })),
      );
      const sizes = await query(
        url,
        `SELECT (SELECT round(avg(pg_column_size(snapshot))) FROM documents WHERE state = 'circulation')::int AS snapshot_bytes,
                (SELECT round(avg(octet_length(snapshot::text))) FROM documents WHERE state = 'circulation')::int AS snapshot_chars,
                (SELECT round(avg(pg_column_size(a.*))) FROM (SELECT * FROM audit_events ORDER BY id DESC LIMIT 1000) a)::int AS audit_row_bytes,
                (SELECT round(avg(pg_column_size(a.payload))) FROM (SELECT * FROM audit_events ORDER BY id DESC LIMIT 1000) a)::int AS audit_payload_bytes,
                (SELECT round(avg(pg_column_size(o.*))) FROM (SELECT * FROM outbox ORDER BY id DESC LIMIT 1000) o)::int AS outbox_row_bytes,
                (SELECT n_tup_ins FROM pg_stat_all_tables WHERE relid = (SELECT reltoastrelid FROM pg_class WHERE relname = 'documents'))::int AS documents_toast_inserts_total`,
      );
      console.log(JSON.stringify(sizes[0]));
      console.log('WAL of each part of one transition statement (EXPLAIN ANALYZE WAL, rolled back):');
      console.table(await explainParts(url));
      console.log(`load average: ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
    } finally {
      await api.stop();
    }
  } finally {
    await server.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
