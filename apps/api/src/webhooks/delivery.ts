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
 * Visibility is decided when sending, with the owner's rights at that moment (TransitionEngine.loadVisible): a
 * delivery about a document the owner cannot see now is deleted unsent, so the log shows nothing of it either.
 */
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import PgBoss from 'pg-boss';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import type { AuthUser } from '../auth/auth.types.js';
import { inTransaction } from '../archive/jobs.js';
import { Periodic } from '../common/periodic.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { takeOutboxForWebhooks } from '../engine/repositories/outbox.js';
import { selectValidSessionUser } from '../engine/repositories/sessions.js';
import { TransitionEngine } from '../engine/transition-engine.js';
import { AddressGuard } from './address-guard.js';
import { concernsUser, eventsOf, type OutboxEvent } from './events.js';
import { sendWebhook } from './sender.js';

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
  secrets: { secret: string; expiresAt: string | null }[];
  active: boolean;
  roles: string[];
}

interface DeliveryRow {
  id: string;
  subscription_id: string;
  document_id: string | null;
  seq: string;
  event_type: string;
  payload: unknown;
  attempts: number;
  next_attempt_at: Date;
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

/** The secrets a subscription signs with now: the current one and any still inside its rotation window. */
export function activeSecrets(secrets: SubscriptionRow['secrets'], now = Date.now()): string[] {
  return secrets.filter((s) => !s.expiresAt || Date.parse(s.expiresAt) > now).map((s) => s.secret);
}

@Injectable()
export class WebhookDelivery implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger('Webhooks');
  private boss: PgBoss | null = null;
  readonly guard: AddressGuard;
  private readonly fanout = new Periodic('webhook fan-out', this.log, async () => {
    while (!this.fanout.stopping && (await this.fanOutOnce()) === FANOUT_BATCH);
  });
  private stopping = false;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly engine: TransitionEngine,
    private readonly adapterHost: HttpAdapterHost,
  ) {
    this.guard = new AddressGuard(config.GONGWEN_WEBHOOK_ALLOW_CIDRS);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.adapterHost.httpAdapter) return;
    await this.startBoss();
    if (!this.boss) return;
    for (let i = 0; i < this.config.GONGWEN_WEBHOOK_WORKERS; i++) {
      await this.boss.work<ChainJob>(
        WEBHOOK_QUEUE,
        { batchSize: 1, pollingIntervalSeconds: this.config.NODE_ENV === 'test' ? 0.5 : 1 },
        async ([job]) => this.deliverChain(job.data),
      );
    }
    if (this.config.GONGWEN_WEBHOOK_FANOUT_MS) this.fanout.start(this.config.GONGWEN_WEBHOOK_FANOUT_MS);
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
    await this.fanout.stop();
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
          `SELECT id, subscription_id, document_id, seq, event_type, payload, attempts, next_attempt_at FROM webhook_deliveries
            WHERE subscription_id = $1 AND document_id IS NOT DISTINCT FROM $2 AND status = 'pending' ORDER BY seq, created_at LIMIT 1`,
          [chain.subscriptionId, chain.documentId],
        );
        if (!d) return;
        if (d.next_attempt_at.getTime() > Date.now()) {
          // not yet due: a job at its time (one already enqueued for it only finds it busy or done)
          await this.enqueue([chain], undefined, d.next_attempt_at);
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

  /** One attempt: sent, logged, and the delivery's next step recorded (with its job) in one transaction. */
  private async attempt(q: QueryRunner, sub: SubscriptionRow, d: DeliveryRow): Promise<'delivered' | 'retry' | 'failed'> {
    const startedAt = new Date();
    const body = JSON.stringify(d.payload);
    const r = await sendWebhook(
      this.guard,
      sub.url,
      { id: webhookId(d.id), body, secrets: activeSecrets(sub.secrets) },
      this.config.GONGWEN_WEBHOOK_TIMEOUT_MS,
      startedAt,
    );
    const attempt = d.attempts + 1;
    const ok = r.status !== null && r.status >= 200 && r.status < 300;
    const gone = r.status === 410;
    const schedule = this.config.GONGWEN_WEBHOOK_RETRY_SCHEDULE;
    const outcome = ok ? 'delivered' : gone || attempt > schedule.length ? 'failed' : 'retry';
    let next: Date | null = null;
    if (outcome === 'retry') {
      const planned = schedule[attempt - 1] * (0.9 + Math.random() * 0.2);
      const seconds = r.retryAfter !== null ? Math.min(r.retryAfter, 86_400) : planned;
      next = new Date(Date.now() + seconds * 1000);
    }
    await q.startTransaction();
    try {
      await q.query(
        `INSERT INTO webhook_attempts (delivery_id, attempt, started_at, duration_ms, request, response_status, response_body, error)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [d.id, attempt, startedAt, r.durationMs, JSON.stringify(r.request), r.status, r.body, r.error],
      );
      await q.query(
        `UPDATE webhook_deliveries SET attempts = $2, status = $3, next_attempt_at = coalesce($4, next_attempt_at),
                finished_at = CASE WHEN $3 = 'pending' THEN NULL ELSE now() END WHERE id = $1`,
        [d.id, attempt, outcome === 'retry' ? 'pending' : outcome, next],
      );
      if (outcome === 'failed') {
        const reason = gone
          ? 'the endpoint answered 410 Gone'
          : `a delivery failed ${attempt} times (last: ${r.status ?? r.error}); fix the endpoint and enable the subscription again`;
        await q.query(
          `UPDATE webhook_subscriptions SET active = false, disabled_reason = $2, disabled_at = now(), updated_at = now() WHERE id = $1 AND active`,
          [sub.id, reason],
        );
        this.log.warn(`webhook subscription ${sub.id} disabled: ${reason}`);
      }
      if (next) await this.enqueue([{ subscriptionId: sub.id, documentId: d.document_id }], q.manager, next);
      await q.commitTransaction();
    } catch (e) {
      await q.rollbackTransaction();
      throw e;
    }
    return outcome;
  }
}
