/**
 * Webhook delivery: from the transactional outbox, through pg-boss, to the receivers.
 *
 * Fan-out (every process, one at a time: a transaction-level advisory lock): the outbox rows not yet taken
 * (webhooks_at IS NULL) become one delivery row per event of the vocabulary and subscription wanting it, and a
 * pg-boss job per (subscription, document) "chain" is enqueued in the same transaction — so a delivery exists
 * iff its row was taken, and has a job iff it exists. One fan-out at a time keeps a document's deliveries
 * appearing in the order of its outbox rows.
 *
 * A job delivers its chain's pending deliveries oldest first while holding a session advisory lock on the
 * chain (released with its connection if the process dies): so a delivery is sent by one process at a time,
 * and a document's later event waits for its earlier one. A job finding its chain busy fails, and pg-boss runs
 * it again a second later. A failed attempt is logged, and the next attempt's job enqueued, in one transaction
 * with the delivery's new schedule; so a process killed between attempts loses nothing and the next process
 * sends the same webhook-id when it is due.
 *
 * An attempt is claimed before its request goes out: one transaction counts it, logs it (as interrupted, until its
 * answer replaces that), takes the delivery's lease (`sending_until`, the timeout and a margin; when a
 * process dies mid-request, every process's lease sweep enqueues the chain once the lease has run out and the next
 * attempt is due) — the claim is conditional on the attempt number seen and an expired lease, so two
 * senders (two workers, a redelivery and a scheduled attempt) never send one delivery at once, and a process
 * killed mid-request leaves a logged attempt: the next one is the next of the schedule, so a receiver gets a
 * webhook-id at most once per attempt. A manual redelivery during an attempt is remembered
 * (`redeliver_requested`) and scheduled by that attempt's end, under the delivery's row lock.
 *
 * A subscription disabled by its deliveries (410 Gone, or a delivery that failed its whole schedule) tells its
 * owner: an outbox row without a document, which the relay turns into a user notice (the web inbox shows it)
 * and pushes to the owner's event stream.
 *
 * Visibility is decided when sending, with the owner's rights at that moment (TransitionEngine.loadVisible): a
 * delivery about a document the owner cannot see now is deleted unsent, so the log shows nothing of it either.
 */
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import PgBoss from 'pg-boss';
import { open, seal, sealedKeyId, type SecretKeyRing } from '#gongwen/persistence/secret-box';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import type { AuthUser } from '../auth/auth.types.js';
import { inTransaction } from '../archive/jobs.js';
import { Periodic } from '../common/periodic.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { secretKeyRing } from '../config/secret-key.js';
import { insertNoticeOutbox, takeOutboxForWebhooks } from '../engine/repositories/outbox.js';
import { selectValidSessionUser } from '../engine/repositories/sessions.js';
import { TransitionEngine } from '../engine/transition-engine.js';
import { AddressGuard } from './address-guard.js';
import { concernsUser, eventsOf, type OutboxEvent } from './events.js';
import { loggedRequest, sendWebhook, type SendResult } from './sender.js';

export const WEBHOOK_QUEUE = 'webhook-deliver';
const FANOUT_LOCK = 7_423_001;
const FANOUT_BATCH = 500;
/** A job gives its chain up (and enqueues its continuation) after this long, well inside pg-boss's expiry. */
const JOB_BUDGET_MS = 60_000;

interface ChainJob {
  subscriptionId: string;
  documentId: string | null;
}

interface SubscriptionRow {
  id: string;
  owner_user_id: string;
  owner_token_id: string | null;
  url: string;
  event_types: string[];
  secrets: StoredSecret[];
  active: boolean;
  roles: string[];
}

/** A signing secret as stored: sealed with the deployment's key ring (libs/persistence/src/secret-box.ts). */
export interface StoredSecret {
  sealed: string;
  expiresAt: string | null;
}

/** The notice a subscription's owner gets when its deliveries disabled it (user_notices.params). */
export interface WebhookDisabledNotice {
  userId: string;
  subscriptionId: string;
  url: string;
  /** gone: the endpoint answered 410; failing: a delivery failed every attempt of the schedule. */
  reason: 'gone' | 'failing';
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
}

export const WEBHOOK_DISABLED_NOTICE = 'notice.webhook_disabled';

interface DeliveryRow {
  id: string;
  subscription_id: string;
  document_id: string | null;
  seq: string;
  event_type: string;
  payload: unknown;
  attempts: number;
  next_attempt_at: Date;
  due_at: Date;
  /** Set (and expired, when the delivery is due): its last attempt was interrupted before its answer was recorded. */
  sending_until: Date | null;
}

/** The rows of an UPDATE … RETURNING: TypeORM answers those as [rows, count], other statements as rows. */
export function returned<T>(result: unknown): T[] {
  const r = result as unknown[];
  return Array.isArray(r) && r.length === 2 && Array.isArray(r[0]) && typeof r[1] === 'number' ? (r[0] as T[]) : (r as T[]);
}

/** The `webhook-id` of a delivery: the same on every attempt. */
export function webhookId(deliveryId: string): string {
  return `msg_${deliveryId.replace(/-/g, '')}`;
}

/** What a subscription's secrets are bound to when sealed (a sealed secret moved to another row does not open). */
export function secretContext(subscriptionId: string): string {
  return `webhook:${subscriptionId}`;
}

/**
 * Key rotation: re-seals with the ring's first key every secret sealed with another key of the ring (each
 * subscription under its row lock, so processes starting together do it once); returns how many subscriptions
 * changed. Once it has run, the old key can leave GONGWEN_SECRET_KEY.
 */
export async function resealSecrets(db: DataSource, ring: SecretKeyRing): Promise<number> {
  const current = ring[0].id;
  const ids: { id: string }[] = await db.query(
    `SELECT id FROM webhook_subscriptions s WHERE EXISTS (
       SELECT 1 FROM jsonb_array_elements(s.secrets) e WHERE split_part(e->>'sealed', '.', 2) <> $1)`,
    [current],
  );
  let changed = 0;
  const failed: string[] = [];
  for (const { id } of ids)
    await db
      .transaction(async (m) => {
        const [row]: { secrets: StoredSecret[] }[] = await m.query(`SELECT secrets FROM webhook_subscriptions WHERE id = $1 FOR UPDATE`, [
          id,
        ]);
        if (!row || row.secrets.every((x) => sealedKeyId(x.sealed) === current)) return;
        const secrets = row.secrets.map((x) =>
          sealedKeyId(x.sealed) === current ? x : sealSecret(ring, id, open(ring, x.sealed, secretContext(id)), x.expiresAt),
        );
        await m.query(`UPDATE webhook_subscriptions SET secrets = $2 WHERE id = $1`, [id, JSON.stringify(secrets)]);
        changed++;
      })
      // one that does not open (its key left the ring, or it was tampered with) stays as it is; the others move
      .catch(() => failed.push(id));
  if (failed.length)
    throw new Error(`the secrets of ${failed.length} subscription(s) could not be opened with GONGWEN_SECRET_KEY (${changed} moved)`);
  return changed;
}

/** A new secret as stored for subscription `id`. */
export function sealSecret(ring: SecretKeyRing, id: string, secret: string, expiresAt: string | null): StoredSecret {
  return { sealed: seal(ring, secret, secretContext(id)), expiresAt };
}

/** The secrets a subscription signs with now: the current one and any still inside its rotation window. */
export function activeSecrets(ring: SecretKeyRing, id: string, secrets: StoredSecret[], now = Date.now()): string[] {
  return secrets.filter((s) => !s.expiresAt || Date.parse(s.expiresAt) > now).map((s) => open(ring, s.sealed, secretContext(id)));
}

@Injectable()
export class WebhookDelivery implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger('Webhooks');
  private boss: PgBoss | null = null;
  readonly guard: AddressGuard;
  /** The key ring the subscriptions' secrets are sealed with. */
  readonly ring: SecretKeyRing;
  private readonly fanout = new Periodic('webhook fan-out', this.log, async () => {
    while (!this.fanout.stopping && (await this.fanOutOnce()) === FANOUT_BATCH);
  });
  private stopping = false;
  /** Chains whose last attempt was interrupted (a process died mid-request) get a job again once they are due. */
  private readonly leases = new Periodic('webhook lease sweep', this.log, async () => {
    const chains: { subscription_id: string; document_id: string | null }[] = await this.db.query(
      `SELECT DISTINCT subscription_id, document_id FROM webhook_deliveries
        WHERE status = 'pending' AND sending_until < now() AND next_attempt_at <= now()`,
    );
    await this.enqueue(chains.map((c) => ({ subscriptionId: c.subscription_id, documentId: c.document_id })));
  });

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly engine: TransitionEngine,
    private readonly adapterHost: HttpAdapterHost,
  ) {
    this.guard = new AddressGuard(config.GONGWEN_WEBHOOK_ALLOW_CIDRS);
    this.ring = secretKeyRing(config);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.adapterHost.httpAdapter) return;
    // a key rotation (a new first key in GONGWEN_SECRET_KEY): the secrets move to it
    if (this.ring.length > 1)
      await resealSecrets(this.db, this.ring).then(
        (n) => n && this.log.log(`re-sealed the secrets of ${n} webhook subscription(s) with key ${this.ring[0].id}`),
        (e: Error) => this.log.error(`re-sealing webhook secrets failed: ${e.message}`),
      );
    await this.startBoss();
    if (!this.boss) return;
    for (let i = 0; i < this.config.GONGWEN_WEBHOOK_WORKERS; i++) {
      const worker: { id?: string } = {};
      worker.id = await this.boss.work<ChainJob>(
        WEBHOOK_QUEUE,
        { batchSize: 1, pollingIntervalSeconds: this.config.NODE_ENV === 'test' ? 0.5 : 1 },
        async ([job]) => {
          try {
            await this.deliverChain(job.data);
          } finally {
            // pg-boss waits out its polling interval after every fetch, even one that found a job: one chain a
            // second per worker, far behind a busy office's events. A worker that found a job fetches again at once;
            // only an empty queue makes it wait.
            if (worker.id) this.boss?.notifyWorker(worker.id);
          }
        },
      );
    }
    if (this.config.GONGWEN_WEBHOOK_FANOUT_MS) this.fanout.start(this.config.GONGWEN_WEBHOOK_FANOUT_MS);
    if (this.config.GONGWEN_WEBHOOK_WORKERS) this.leases.start(Math.max(500, Math.min(5000, this.config.GONGWEN_WEBHOOK_FANOUT_MS * 10)));
  }

  private async startBoss(): Promise<void> {
    // processes starting together race to create pg-boss's schema (see ArchiveJobs): try again a few times
    for (let attempt = 1; attempt <= 5; attempt++) {
      const boss = new PgBoss({
        connectionString: (this.db.options as { url?: string }).url,
        schema: 'pgboss',
        max: 2,
        application_name: 'gongwen-webhooks',
        maintenanceIntervalSeconds: 30,
        schedule: false,
        supervise: true,
      } as PgBoss.ConstructorOptions);
      boss.on('error', (e) => this.log.warn(`pg-boss: ${e.message}`));
      try {
        await boss.start();
        await boss.createQueue(WEBHOOK_QUEUE, { name: WEBHOOK_QUEUE, policy: 'standard', expireInSeconds: 120 });
        this.boss = boss;
        return;
      } catch (e) {
        await boss.stop({ graceful: false, close: true }).catch(() => undefined);
        if (attempt === 5) this.log.error(`pg-boss did not start; webhooks are not delivered by this process: ${(e as Error).message}`);
        await new Promise((r) => setTimeout(r, 200 * attempt + Math.random() * 300));
      }
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    await Promise.all([this.fanout.stop(), this.leases.stop()]);
    const boss = this.boss;
    this.boss = null;
    await boss?.stop({ graceful: true, wait: true, timeout: 5000, close: true }).catch(() => undefined);
  }

  /** Enqueues the job of a chain (in `m`'s transaction when given), due at `at`. */
  async enqueue(chains: ChainJob[], m?: EntityManager, at?: Date): Promise<void> {
    if (!this.boss || chains.length === 0) return;
    const jobs = chains.map((data) => ({
      name: WEBHOOK_QUEUE,
      data,
      retryLimit: 100_000,
      retryDelay: 1,
      retryBackoff: false,
      expireInSeconds: 120,
      ...(at ? { startAfter: at } : {}),
    }));
    await this.boss.insert(jobs, m ? { db: inTransaction(m) } : {});
  }

  // ---------------------------------------------------------------- fan-out

  /** Takes up to 500 outbox rows and makes their deliveries; returns how many rows it took. */
  async fanOutOnce(): Promise<number> {
    return this.db.transaction(async (m) => {
      const [{ got }] = await m.query(`SELECT pg_try_advisory_xact_lock($1) AS got`, [FANOUT_LOCK]);
      if (!got) return 0;
      const rows = await takeOutboxForWebhooks(m, FANOUT_BATCH);
      if (rows.length === 0) return 0;
      const subs: SubscriptionRow[] = await m.query(
        `SELECT s.id, s.owner_user_id, s.event_types, u.roles FROM webhook_subscriptions s JOIN users u ON u.id = s.owner_user_id WHERE s.active`,
      );
      if (subs.length === 0) return rows.length;
      const ids = [...new Set(rows.map((r) => r.document_id))];
      const docs: { id: string; workflow_id: string; colour: string | null; first_state: string | null }[] = await m.query(
        `SELECT d.id, d.workflow_id, d.snapshot->'context'->>'colour' AS colour,
                (SELECT a.to_state FROM audit_events a WHERE a.document_id = d.id AND a.seq = 1) AS first_state
           FROM documents d WHERE d.id = ANY($1::uuid[])`,
        [ids],
      );
      const byId = new Map(docs.map((d) => [d.id, d]));
      const deliveries: { subscription_id: string; document_id: string; seq: string; event_type: string; payload: unknown }[] = [];
      for (const r of rows) {
        const d = byId.get(r.document_id);
        if (!d) continue;
        const created = r.topic === 'document.created';
        const ev: OutboxEvent = {
          id: Number(r.id),
          documentId: r.document_id,
          workflowId: d.workflow_id,
          event: created ? null : ((r.payload.event as string) ?? null),
          from: created ? null : ((r.payload.from as string) ?? null),
          to: created ? d.first_state : ((r.payload.to as string) ?? null),
          assigneeIds: (r.payload.assigneeIds as string[]) ?? [],
          taskRoles: (r.payload.taskRoles as string[]) ?? [],
          colour: d.colour,
          at: r.created_at,
        };
        for (const e of eventsOf(ev)) {
          for (const s of subs) {
            if (!s.event_types.includes(e.type)) continue;
            if (e.toAssignees && !concernsUser(ev, { id: s.owner_user_id, roles: s.roles })) continue;
            deliveries.push({
              subscription_id: s.id,
              document_id: r.document_id,
              seq: r.id,
              event_type: e.type,
              payload: {
                type: e.type,
                timestamp: ev.at instanceof Date ? ev.at.toISOString() : ev.at,
                data: { ...e.data, sequence: ev.id },
              },
            });
          }
        }
      }
      if (deliveries.length === 0) return rows.length;
      const inserted: { subscription_id: string; document_id: string }[] = await m.query(
        `INSERT INTO webhook_deliveries (subscription_id, document_id, seq, event_type, payload)
         SELECT subscription_id, document_id, seq, event_type, payload
           FROM jsonb_to_recordset($1::jsonb) AS x(subscription_id uuid, document_id uuid, seq bigint, event_type text, payload jsonb)
         ON CONFLICT DO NOTHING
         RETURNING subscription_id, document_id`,
        [JSON.stringify(deliveries)],
      );
      const chains = new Map<string, ChainJob>();
      for (const i of inserted)
        chains.set(`${i.subscription_id}:${i.document_id}`, { subscriptionId: i.subscription_id, documentId: i.document_id });
      await this.enqueue([...chains.values()], m);
      return rows.length;
    });
  }

  // ---------------------------------------------------------------- delivery

  /** Sends a chain's due deliveries in order; throws when another process holds the chain (pg-boss retries). */
  async deliverChain(chain: ChainJob): Promise<void> {
    const q = this.db.createQueryRunner();
    await q.connect();
    const key = `${chain.subscriptionId}:${chain.documentId ?? 'ping'}`;
    let locked = false;
    try {
      const [{ got }] = await q.query(`SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS got`, [key]);
      if (!got) throw new Error(`webhook chain ${key} is being delivered by another worker`);
      locked = true;
      const started = Date.now();
      while (!this.stopping) {
        if (Date.now() - started > JOB_BUDGET_MS) {
          await this.enqueue([chain]);
          return;
        }
        const [d]: DeliveryRow[] = await q.query(
          `SELECT id, subscription_id, document_id, seq, event_type, payload, attempts, next_attempt_at, sending_until,
                  greatest(next_attempt_at, coalesce(sending_until, next_attempt_at)) AS due_at FROM webhook_deliveries
            WHERE subscription_id = $1 AND document_id IS NOT DISTINCT FROM $2 AND status = 'pending' ORDER BY seq, created_at LIMIT 1`,
          [chain.subscriptionId, chain.documentId],
        );
        if (!d) return;
        if (d.due_at.getTime() > Date.now()) {
          // not yet due (or its attempt's lease still runs): a job at its time (one already enqueued for it only
          // finds it busy or done)
          await this.enqueue([chain], undefined, d.due_at);
          return;
        }
        const [sub]: SubscriptionRow[] = await q.query(`SELECT * FROM webhook_subscriptions WHERE id = $1`, [chain.subscriptionId]);
        if (!sub || !sub.active) return; // re-enabling enqueues the chains again
        if (!(await this.ownerMaySee(q.manager, sub, d))) {
          await q.query(`DELETE FROM webhook_deliveries WHERE id = $1`, [d.id]);
          continue;
        }
        const outcome = await this.attempt(q, sub, d);
        if (outcome !== 'delivered') return;
      }
    } finally {
      if (locked) await q.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [key]).catch(() => undefined);
      await q.release();
    }
  }

  /** The owner as the API would authenticate them now (null: no longer a valid owner). */
  private async ownerNow(m: EntityManager, sub: SubscriptionRow): Promise<AuthUser | null> {
    const u = sub.owner_token_id
      ? await selectValidSessionUser(m, sub.owner_token_id)
      : (
          await m.query(`SELECT id, username, display_name, unit_id, roles, clearance, authority FROM users WHERE id = $1 AND active`, [
            sub.owner_user_id,
          ])
        )[0];
    if (!u) return null;
    return {
      id: u.id,
      username: u.username,
      displayName: u.display_name,
      unitId: u.unit_id,
      roles: u.roles,
      clearance: u.clearance,
      authority: u.authority,
      via: 'system',
      tokenId: sub.owner_token_id ?? '00000000-0000-0000-0000-000000000000',
      tokenScope: 'read',
    };
  }

  private async ownerMaySee(m: EntityManager, sub: SubscriptionRow, d: DeliveryRow): Promise<boolean> {
    const owner = await this.ownerNow(m, sub);
    if (!owner) return false;
    if (!d.document_id) return true; // a ping
    try {
      await this.engine.loadVisible(m, owner, d.document_id);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Sends delivery `deliveryId` now if it is due, without the chain's lock: what a second sender racing the
   * chain's worker would do (the tests force that race with it); the claim lets one of them send.
   */
  async attemptNow(deliveryId: string): Promise<'delivered' | 'retry' | 'failed' | 'busy' | 'not due'> {
    const [d]: DeliveryRow[] = await this.db.query(
      `SELECT id, subscription_id, document_id, seq, event_type, payload, attempts, next_attempt_at, sending_until,
              greatest(next_attempt_at, coalesce(sending_until, next_attempt_at)) AS due_at
         FROM webhook_deliveries WHERE id = $1 AND status = 'pending'`,
      [deliveryId],
    );
    if (!d || d.due_at.getTime() > Date.now()) return 'not due';
    const [sub]: SubscriptionRow[] = await this.db.query(`SELECT * FROM webhook_subscriptions WHERE id = $1 AND active`, [
      d.subscription_id,
    ]);
    if (!sub) return 'not due';
    const q = this.db.createQueryRunner();
    await q.connect();
    try {
      return await this.attempt(q, sub, d);
    } finally {
      await q.release();
    }
  }

  /** Runs `work` in a transaction on `q`. */
  private async tx<T>(q: QueryRunner, work: () => Promise<T>): Promise<T> {
    await q.startTransaction();
    try {
      const r = await work();
      await q.commitTransaction();
      return r;
    } catch (e) {
      await q.rollbackTransaction();
      throw e;
    }
  }

  /**
   * One attempt: claimed and logged before it is sent (see the file's comment), sent, and its answer recorded
   * with the delivery's next step in one transaction. 'busy': another sender claimed it first.
   */
  private async attempt(q: QueryRunner, sub: SubscriptionRow, d: DeliveryRow): Promise<'delivered' | 'retry' | 'failed' | 'busy'> {
    const schedule = this.config.GONGWEN_WEBHOOK_RETRY_SCHEDULE;
    const attempt = d.attempts + 1;
    if (d.sending_until && d.attempts > schedule.length) {
      // the schedule's last attempt was interrupted before its answer was recorded: it stays the last
      return this.record(q, sub, d, d.attempts, null);
    }
    const startedAt = new Date();
    const id = webhookId(d.id);
    const body = JSON.stringify(d.payload);
    const request = loggedRequest(sub.url, id, startedAt, body);
    // when this attempt fails (or its process dies before its answer is recorded): the next one's time
    const retryAt = attempt <= schedule.length ? new Date(Date.now() + schedule[attempt - 1] * (0.9 + Math.random() * 0.2) * 1000) : null;
    const leaseMs = this.config.GONGWEN_WEBHOOK_TIMEOUT_MS + 5000;
    const claimed = await this.tx(q, async () => {
      const rows = returned<{ id: string }>(
        await q.query(
          `UPDATE webhook_deliveries SET attempts = $3, next_attempt_at = coalesce($4, now()),
                  sending_until = now() + make_interval(secs => $5::double precision / 1000)
            WHERE id = $1 AND attempts = $2 AND status = 'pending' AND next_attempt_at <= now()
              AND (sending_until IS NULL OR sending_until <= now())
           RETURNING id`,
          [d.id, d.attempts, attempt, retryAt, leaseMs],
        ),
      );
      if (!rows.length) return false;
      await q.query(
        `INSERT INTO webhook_attempts (delivery_id, attempt, started_at, duration_ms, request, response_status, response_body, error)
         VALUES ($1, $2, $3, 0, $4, NULL, NULL, $5)`,
        [d.id, attempt, startedAt, JSON.stringify(request), 'interrupted: the sending process stopped before an answer was recorded'],
      );
      return true;
    });
    if (!claimed) return 'busy';
    let secrets: string[];
    try {
      secrets = activeSecrets(this.ring, sub.id, sub.secrets);
    } catch (e) {
      // a secret sealed with a key no longer configured: nothing can be signed, the attempt fails without a request
      const r: SendResult = {
        status: null,
        body: null,
        error: `cannot sign: ${(e as Error).message}`,
        retryAfter: null,
        durationMs: 0,
        request,
      };
      return this.record(q, sub, d, attempt, r, retryAt);
    }
    const r = await sendWebhook(this.guard, sub.url, { id, body, secrets }, this.config.GONGWEN_WEBHOOK_TIMEOUT_MS, startedAt);
    return this.record(q, sub, d, attempt, r, retryAt);
  }

  /**
   * Records attempt `attempt`'s answer `r` (null: it was interrupted, and it was the last) and the delivery's next
   * step, in one transaction under the delivery's row lock; a redelivery asked for meanwhile is scheduled now.
   */
  private async record(
    q: QueryRunner,
    sub: SubscriptionRow,
    d: DeliveryRow,
    attempt: number,
    r: SendResult | null,
    retryAt: Date | null = null,
  ): Promise<'delivered' | 'retry' | 'failed'> {
    const schedule = this.config.GONGWEN_WEBHOOK_RETRY_SCHEDULE;
    const ok = r !== null && r.status !== null && r.status >= 200 && r.status < 300;
    const gone = r?.status === 410;
    let outcome: 'delivered' | 'retry' | 'failed' = ok ? 'delivered' : gone || attempt > schedule.length ? 'failed' : 'retry';
    let next: Date | null = null;
    if (outcome === 'retry') next = r && r.retryAfter !== null ? new Date(Date.now() + Math.min(r.retryAfter, 86_400) * 1000) : retryAt;
    return this.tx(q, async () => {
      const [row]: { redeliver_requested: boolean }[] = await q.query(
        `SELECT redeliver_requested FROM webhook_deliveries WHERE id = $1 FOR UPDATE`,
        [d.id],
      );
      if (!row) return outcome; // deleted meanwhile (the subscription was removed)
      if (row.redeliver_requested) {
        // its owner asked for it again during this attempt: once more, now
        outcome = 'retry';
        next = new Date();
      }
      if (r)
        await q.query(
          `UPDATE webhook_attempts SET duration_ms = $3, response_status = $4, response_body = $5, error = $6
            WHERE delivery_id = $1 AND attempt = $2`,
          [d.id, attempt, r.durationMs, r.status, r.body, r.error],
        );
      await q.query(
        `UPDATE webhook_deliveries SET status = $3, next_attempt_at = coalesce($4, next_attempt_at), sending_until = NULL,
                redeliver_requested = false, finished_at = CASE WHEN $3 = 'pending' THEN NULL ELSE now() END
          WHERE id = $1 AND attempts = $2`,
        [d.id, attempt, outcome === 'retry' ? 'pending' : outcome, next],
      );
      if (outcome === 'failed') {
        const reason = gone
          ? 'the endpoint answered 410 Gone'
          : `a delivery failed ${attempt} times (last: ${r ? (r.status ?? r.error) : 'interrupted'}); fix the endpoint and enable the subscription again`;
        const disabled = returned<{ id: string }>(
          await q.query(
            `UPDATE webhook_subscriptions SET active = false, disabled_reason = $2, disabled_at = now(), updated_at = now()
              WHERE id = $1 AND active RETURNING id`,
            [sub.id, reason],
          ),
        );
        if (disabled.length) {
          // its owner is told (once: only the attempt that disabled it gets a row back)
          const notice: WebhookDisabledNotice = {
            userId: sub.owner_user_id,
            subscriptionId: sub.id,
            url: sub.url,
            reason: gone ? 'gone' : 'failing',
            attempts: attempt,
            lastStatus: r?.status ?? null,
            lastError: r ? r.error : 'interrupted',
          };
          await insertNoticeOutbox(q.manager, WEBHOOK_DISABLED_NOTICE, notice);
          this.log.warn(`webhook subscription ${sub.id} disabled: ${reason}`);
        }
      }
      if (next) await this.enqueue([{ subscriptionId: sub.id, documentId: d.document_id }], q.manager, next);
      return outcome;
    });
  }
}
