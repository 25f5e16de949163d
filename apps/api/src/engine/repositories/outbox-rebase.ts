/**
 * Outbox positions after a restore into another PostgreSQL cluster (disaster recovery).
 *
 * The outbox and the audit trail record their writing transaction's id (`tx`, xid8), and every cursor over them
 * — the relay's (outbox_relay), each webhook subscription's cursor and batch, the events feed's — is a position
 * (tx, id) read below the commit horizon. Transaction ids belong to the cluster, not to the data: pg_dump keeps the
 * stored values, and a cluster restored from it (a new one, in disaster recovery) counts from far behind. New
 * transactions would then get ids BELOW the stored rows and cursors: the relay and the webhooks would never pass
 * them (silent loss) and the feed would order them before the old history.
 *
 * At start-up, under the migrations' advisory lock, one cheap query looks for a stored position at or above the
 * cluster's next transaction id (it never is in the normal case: every stored value was a transaction id, or the
 * horizon, when written). When there is one, the stored values are rebased in ONE transaction that locks the four
 * tables against writes: every distinct value (of outbox rows, audit events, and the cursors and batch ends
 * themselves) is mapped, in order, to 3, 4, 5, … Since cursors and batch ends are ranked among the rows' values,
 * each keeps exactly the rows before it, after it and inside its batch. The mapped values must be below every
 * transaction id still to come in this database: before the rebase, transaction ids are consumed (committed one by
 * one) until the cluster's next one is above them; the rebase checks, under its locks, that they are below the
 * commit horizon, else it rolls back, consumes more and tries again.
 *
 * Events-feed cursors that clients hold are not stored here: after a rebase theirs are from the future, and the
 * feed answers them with a problem (EventsService) rather than waiting.
 */
import type { DataSource, QueryRunner } from 'typeorm';
import { COMMIT_HORIZON } from './outbox.js';

/** What a rebase did (null from rebaseOutboxPositions: nothing to do). */
export interface OutboxRebase {
  /** Distinct stored tx values mapped (rows' and cursors'). */
  values: number;
  outboxRows: number;
  auditRows: number;
  /** Relay cursor rows and webhook subscriptions rewritten. */
  cursors: number;
  /** Transaction ids consumed so that the cluster's next one is above the mapped values. */
  xidsConsumed: number;
  /** The largest stored value before (the old cluster's) and the cluster's next transaction id before. */
  before: { max: string; next: string };
}

/** The largest stored position's tx and the cluster's next transaction id (one query; max(tx) by the indexes). */
const FUTURE = `
  SELECT greatest((SELECT max(tx) FROM outbox), (SELECT max(tx) FROM audit_events), (SELECT max(cursor_tx) FROM outbox_relay),
                  (SELECT max(greatest(cursor_tx, batch_tx)) FROM webhook_subscriptions))::text AS max,
         pg_snapshot_xmax(pg_current_snapshot())::text AS next`;

/** Every stored position's tx, distinct (the values a rebase maps). */
const VALUES = `
  SELECT tx FROM outbox UNION SELECT tx FROM audit_events UNION SELECT cursor_tx FROM outbox_relay
  UNION SELECT cursor_tx FROM webhook_subscriptions UNION SELECT batch_tx FROM webhook_subscriptions WHERE batch_tx IS NOT NULL`;

/** The first value mapped to (FirstNormalTransactionId): the mapped values are FIRST, FIRST + 1, … */
const FIRST = 3n;

/** Transaction ids consumed beyond the need, so that a few transactions starting meanwhile do not force a retry. */
const MARGIN = 1000n;

/**
 * Commits `n` transactions that each take a transaction id (and write nothing else: no flush is waited for). A DO
 * block may COMMIT when it is not itself inside a transaction block: the query runner's connection is not.
 */
async function consumeXids(q: QueryRunner, n: bigint): Promise<void> {
  for (let left = n; left > 0n;) {
    const step = left > 100_000n ? 100_000n : left;
    await q.query(`DO $$ BEGIN
        FOR i IN 1..${step} LOOP
          PERFORM set_config('synchronous_commit', 'off', true);
          PERFORM pg_current_xact_id();
          COMMIT;
        END LOOP;
      END $$`);
    left -= step;
  }
}

/** Consumes transaction ids until the cluster's next one is above `above`; answers how many it consumed. */
export async function consumeUntilAbove(q: QueryRunner, above: bigint): Promise<bigint> {
  let consumed = 0n;
  for (;;) {
    const [{ next }] = await q.query(`SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS next`);
    if (BigInt(next) > above) return consumed;
    const n = above - BigInt(next) + 1n;
    await consumeXids(q, n);
    consumed += n;
  }
}

/**
 * Rebases the stored outbox and audit positions when they are from another cluster's future (see the file's
 * header); answers what it did, or null when there was nothing to do (the normal case: one query). Run it where
 * no other process writes the outbox yet (under the migrations' lock at start-up); it is idempotent.
 */
export async function rebaseOutboxPositions(db: DataSource, log: (m: string) => void = () => undefined): Promise<OutboxRebase | null> {
  const [found]: { max: string | null; next: string }[] = await db.query(FUTURE);
  if (found.max === null || BigInt(found.max) < BigInt(found.next)) return null;
  log(
    `outbox positions from the future (largest stored transaction id ${found.max}, this cluster's next ${found.next}): ` +
      `the database was restored into another cluster; rebasing them`,
  );
  const q = db.createQueryRunner();
  await q.connect();
  try {
    let consumed = 0n;
    for (let attempt = 1; ; attempt++) {
      const [{ n }] = await q.query(`SELECT count(*)::text AS n FROM (${VALUES}) v`);
      // the mapped values are FIRST … FIRST + n - 1: the next transaction id must be above them (and a margin)
      consumed += await consumeUntilAbove(q, FIRST + BigInt(n) + MARGIN);
      await q.startTransaction();
      try {
        await q.query(`LOCK TABLE outbox, audit_events, outbox_relay, webhook_subscriptions IN EXCLUSIVE MODE`);
        const [{ max, next }] = await q.query(FUTURE);
        if (max === null || BigInt(max) < BigInt(next)) {
          // another process rebased them meanwhile
          await q.rollbackTransaction();
          return null;
        }
        await q.query(
          `CREATE TEMPORARY TABLE outbox_rebase ON COMMIT DROP AS
             SELECT v.tx AS old, (row_number() OVER (ORDER BY v.tx) + ${FIRST - 1n})::text::xid8 AS new FROM (${VALUES}) v`,
        );
        await q.query(`CREATE UNIQUE INDEX ON outbox_rebase (old)`);
        await q.query(`ANALYZE outbox_rebase`);
        // every mapped value must be below every transaction id that may still write here (the horizon, as the
        // cursors read it): a transaction already running with a lower id would write behind the cursors
        const [{ values, top, horizon }] = await q.query(
          `SELECT count(*)::int AS values, max(new)::text AS top, (SELECT h::text FROM (${COMMIT_HORIZON}) x) AS horizon FROM outbox_rebase`,
        );
        if (BigInt(top) >= BigInt(horizon)) {
          await q.rollbackTransaction();
          if (attempt >= 5) throw new Error(`outbox rebase: the commit horizon (${horizon}) stays below the rebased positions (${top})`);
          continue;
        }
        const affected = async (sql: string) => Number((await q.query(sql, [], true)).affected ?? 0);
        const outboxRows = await affected(`UPDATE outbox o SET tx = r.new FROM outbox_rebase r WHERE o.tx = r.old`);
        const auditRows = await affected(`UPDATE audit_events a SET tx = r.new FROM outbox_rebase r WHERE a.tx = r.old`);
        const cursors =
          (await affected(`UPDATE outbox_relay o SET cursor_tx = (SELECT r.new FROM outbox_rebase r WHERE r.old = o.cursor_tx)`)) +
          (await affected(
            `UPDATE webhook_subscriptions s SET cursor_tx = (SELECT r.new FROM outbox_rebase r WHERE r.old = s.cursor_tx),
                  batch_tx = (SELECT r.new FROM outbox_rebase r WHERE r.old = s.batch_tx)`,
          ));
        await q.commitTransaction();
        const done: OutboxRebase = {
          values,
          outboxRows,
          auditRows,
          cursors,
          xidsConsumed: Number(consumed),
          before: { max: found.max, next: found.next },
        };
        log(
          `outbox positions rebased: ${values} transaction ids mapped in order to ${FIRST}…${top}; ${done.outboxRows} outbox rows, ` +
            `${done.auditRows} audit events, ${done.cursors} cursors (relay and webhook subscriptions) rewritten; ` +
            `${done.xidsConsumed} transaction ids consumed. Events-feed cursors held by clients are no longer valid.`,
        );
        return done;
      } catch (e) {
        if (q.isTransactionActive) await q.rollbackTransaction();
        throw e;
      }
    }
  } finally {
    await q.release();
  }
}
