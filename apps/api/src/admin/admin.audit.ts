import { canonicalJson, sha256Hex } from '#gongwen/document/canonical';

/** Something that runs SQL: a DataSource, an EntityManager or a QueryRunner. */
interface Q {
  query(sql: string, params?: unknown[]): Promise<any>;
}

/** One admin audit entry as hashed: exactly the stored columns, so verify recomputes it from SQL rows. */
export interface AdminAuditRecord {
  seq: number;
  at: string;
  actorId: string;
  action: string;
  targetUserId: string | null;
  detail: Record<string, unknown>;
  prevHash: string | null;
}

/** SHA-256 over the canonical JSON (the same hashing as the document history, libs/document canonical.ts). */
export function adminAuditHash(r: AdminAuditRecord): string {
  return sha256Hex(canonicalJson(r));
}

function recordOf(row: Record<string, any>): AdminAuditRecord {
  return {
    seq: Number(row.seq),
    at: new Date(row.at).toISOString(),
    actorId: row.actor_id,
    action: row.action,
    targetUserId: row.target_user_id,
    detail: row.detail,
    prevHash: row.prev_hash,
  };
}

/**
 * Appends an entry to the chain. One chain for the whole deployment: a transaction-level advisory lock orders
 * the writers, so each entry links to the one before it. Run it in the transaction of the change it records.
 */
export async function appendAdminAudit(
  q: Q,
  entry: { actorId: string; action: string; targetUserId?: string | null; detail?: Record<string, unknown> },
): Promise<void> {
  await q.query(`SELECT pg_advisory_xact_lock(hashtext('gongwen.admin_audit_events'))`);
  const [last] = await q.query(`SELECT seq, hash FROM admin_audit_events ORDER BY seq DESC LIMIT 1`);
  // the detail as PostgreSQL's jsonb gives it back (a JSON round trip), so the hash recomputes from the row
  const record: AdminAuditRecord = {
    seq: last ? Number(last.seq) + 1 : 1,
    at: new Date().toISOString(),
    actorId: entry.actorId,
    action: entry.action,
    targetUserId: entry.targetUserId ?? null,
    detail: JSON.parse(JSON.stringify(entry.detail ?? {})),
    prevHash: last?.hash ?? null,
  };
  await q.query(
    `INSERT INTO admin_audit_events (seq, at, actor_id, action, target_user_id, detail, prev_hash, hash) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`,
    [record.seq, record.at, record.actorId, record.action, record.targetUserId, record.detail, record.prevHash, adminAuditHash(record)],
  );
}

export interface AdminAuditVerification {
  ok: boolean;
  entries: number;
  /** The first entry that does not verify: its sequence number and what is wrong. */
  firstBroken: { seq: number; problem: 'hash' | 'link' | 'gap' | 'anchor' } | null;
  /**
   * The newest entry: an operator records it (or a monitor does) and passes it back as `expected` later. The chain
   * alone cannot show that its newest entries were removed; an entry recorded outside the database can.
   */
  head: { seq: number; hash: string } | null;
}

/** `seq:hash`, as printed by the CLI and accepted by verify, parsed; null when malformed. */
export function parseAdminAuditAnchor(s: string): { seq: number; hash: string } | null {
  const m = /^(\d{1,15}):([0-9a-f]{64})$/.exec(s.trim());
  return m ? { seq: Number(m[1]), hash: m[2] } : null;
}

/**
 * Recomputes every entry's hash and link; a changed, inserted or removed row is reported by its sequence number.
 * With `expected` (a head recorded earlier), that entry must still be there with that hash: removing the newest
 * entries, or rewriting the whole chain, is then reported too (problem `anchor`).
 */
export async function verifyAdminAudit(q: Q, expected?: { seq: number; hash: string }): Promise<AdminAuditVerification> {
  const rows: Record<string, any>[] = await q.query(`SELECT * FROM admin_audit_events ORDER BY seq`);
  const last = rows.at(-1);
  const head = last ? { seq: Number(last.seq), hash: last.hash as string } : null;
  let prev: string | null = null;
  let expectedSeq = 1;
  for (const row of rows) {
    const r = recordOf(row);
    const broken = (problem: 'hash' | 'link' | 'gap') => ({ ok: false, entries: rows.length, firstBroken: { seq: r.seq, problem }, head });
    if (r.seq !== expectedSeq) return broken('gap');
    if (r.prevHash !== prev) return broken('link');
    if (adminAuditHash(r) !== row.hash) return broken('hash');
    prev = row.hash;
    expectedSeq++;
  }
  if (expected && rows[expected.seq - 1]?.hash !== expected.hash) {
    return { ok: false, entries: rows.length, firstBroken: { seq: expected.seq, problem: 'anchor' }, head };
  }
  return { ok: true, entries: rows.length, firstBroken: null, head };
}

export function adminAuditView(row: Record<string, any>) {
  return {
    seq: Number(row.seq),
    at: new Date(row.at).toISOString(),
    actorId: row.actor_id,
    actor: row.actor_username ?? null,
    action: row.action,
    targetUserId: row.target_user_id,
    target: row.target_username ?? null,
    detail: row.detail,
    hash: row.hash,
  };
}
