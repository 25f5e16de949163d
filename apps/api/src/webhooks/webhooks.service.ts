/**
 * Webhook subscriptions, their delivery log, manual redelivery and the test ping. A subscription belongs to the
 * user who made it, and to the personal API token it was made with when it was (it then ends with the token);
 * only its owner sees or changes it, and anyone else gets NOT_FOUND.
 */
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { AuthUser } from '../auth/auth.types.js';
import { AppError } from '../common/errors.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { COMMIT_HORIZON } from '../engine/repositories/outbox.js';
import { returned, WebhookDelivery, webhookId } from './delivery.js';
import { batchLog, materialiseLogged } from './log.js';
import { sealSecret, type StoredSecret } from './secrets.js';
import { PING_EVENT, type WebhookEventType } from './events.js';
import { newWebhookSecret } from './sender.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface SubscriptionRecord {
  id: string;
  owner_user_id: string;
  owner_token_id: string | null;
  url: string;
  event_types: string[];
  description: string;
  secrets: StoredSecret[];
  active: boolean;
  disabled_reason: string | null;
  disabled_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

function notFound(): AppError {
  return new AppError('NOT_FOUND', 'No such webhook subscription.');
}

function view(s: SubscriptionRecord) {
  return {
    id: s.id,
    url: s.url,
    eventTypes: s.event_types as WebhookEventType[],
    description: s.description,
    ownedByToken: s.owner_token_id !== null,
    active: s.active,
    disabledReason: s.disabled_reason,
    disabledAt: s.disabled_at?.toISOString() ?? null,
    // how many secrets sign each delivery now (two during a rotation); the secrets themselves are never shown again
    activeSecrets: s.secrets.filter((x) => !x.expiresAt || Date.parse(x.expiresAt) > Date.now()).length,
    createdAt: s.created_at.toISOString(),
    updatedAt: s.updated_at.toISOString(),
  };
}

@Injectable()
export class WebhooksService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly delivery: WebhookDelivery,
  ) {}

  private async refuseUrl(url: string): Promise<void> {
    const why = await this.delivery.guard.refusal(url);
    if (why)
      throw new AppError('VALIDATION_FAILED', `Invalid body: url ${why}`, {
        errors: [{ in: 'body', field: 'url', code: 'url_refused', message: why }],
      });
  }

  private async owned(m: EntityManager, user: AuthUser, id: string, lock = false): Promise<SubscriptionRecord> {
    if (!UUID.test(id)) throw notFound();
    const [s] = await m.query(`SELECT * FROM webhook_subscriptions WHERE id = $1 AND owner_user_id = $2 ${lock ? 'FOR UPDATE' : ''}`, [
      id,
      user.id,
    ]);
    if (!s) throw notFound();
    return s;
  }

  async list(user: AuthUser) {
    const rows: SubscriptionRecord[] = await this.db.query(
      `SELECT * FROM webhook_subscriptions WHERE owner_user_id = $1 ORDER BY created_at, id`,
      [user.id],
    );
    return { items: rows.map(view) };
  }

  async get(user: AuthUser, id: string) {
    return view(await this.owned(this.db.manager, user, id));
  }

  async create(user: AuthUser, body: { url: string; eventTypes: WebhookEventType[]; description?: string }) {
    await this.refuseUrl(body.url);
    const [{ kind }] = await this.db.query(`SELECT kind FROM auth_tokens WHERE id = $1`, [user.tokenId]).then((r) => (r.length ? r : [{}]));
    const secret = newWebhookSecret();
    // the secret is stored sealed, bound to the subscription's id: the id is drawn first
    const [{ id }]: { id: string }[] = await this.db.query(`SELECT gen_random_uuid() AS id`);
    const [row]: SubscriptionRecord[] = await this.db.query(
      // its cursor starts at the commit horizon: the events that commit from now on
      `INSERT INTO webhook_subscriptions (id, owner_user_id, owner_token_id, url, event_types, description, secrets, cursor_tx)
       VALUES ($1, $2, $3, $4, $5, $6, $7, (${COMMIT_HORIZON})) RETURNING *`,
      [
        id,
        user.id,
        kind === 'personal' ? user.tokenId : null,
        body.url,
        [...new Set(body.eventTypes)],
        body.description ?? '',
        JSON.stringify([sealSecret(this.delivery.ring, id, secret, null)]),
      ],
    );
    return { ...view(row), secret };
  }

  async update(
    user: AuthUser,
    id: string,
    body: { url?: string; eventTypes?: WebhookEventType[]; description?: string; active?: boolean },
  ) {
    if (body.url !== undefined) await this.refuseUrl(body.url);
    const updated = await this.db.transaction(async (m) => {
      const s = await this.owned(m, user, id, true);
      const enabling = body.active === true && !s.active;
      const [row] = returned<SubscriptionRecord>(
        await m.query(
          `UPDATE webhook_subscriptions SET url = $2, event_types = $3, description = $4, active = $5,
                disabled_reason = CASE WHEN $5 THEN NULL ELSE coalesce(disabled_reason, 'disabled by its owner') END,
                disabled_at = CASE WHEN $5 THEN NULL ELSE coalesce(disabled_at, now()) END, updated_at = now()
          WHERE id = $1 RETURNING *`,
          [
            id,
            body.url ?? s.url,
            body.eventTypes ? [...new Set(body.eventTypes)] : s.event_types,
            body.description ?? s.description,
            body.active ?? s.active,
          ],
        ),
      );
      // the deliveries left pending while it was disabled go now, each chain in its order; the events that happened
      // while it was disabled are not sent (its cursor moves to the horizon, as for a new subscription)
      if (enabling) {
        await m.query(`UPDATE webhook_deliveries SET next_attempt_at = now() WHERE subscription_id = $1 AND status = 'pending'`, [id]);
        await m.query(
          `UPDATE webhook_subscriptions SET cursor_tx = (${COMMIT_HORIZON}), cursor_id = 0, batch_tx = NULL, batch_id = NULL,
                  batch_at = NULL, lease_until = NULL WHERE id = $1`,
          [id],
        );
      }
      return view(row);
    });
    this.delivery.wake();
    return updated;
  }

  async remove(user: AuthUser, id: string): Promise<void> {
    await this.owned(this.db.manager, user, id);
    await this.db.query(`DELETE FROM webhook_subscriptions WHERE id = $1`, [id]);
  }

  /** A new secret (shown once); the previous ones keep signing for `overlapHours` so receivers can switch. */
  async rotate(user: AuthUser, id: string, overlapHours: number) {
    return this.db.transaction(async (m) => {
      const s = await this.owned(m, user, id, true);
      const until = new Date(Date.now() + overlapHours * 3_600_000).toISOString();
      const now = Date.now();
      const kept = s.secrets
        .filter((x) => !x.expiresAt || Date.parse(x.expiresAt) > now)
        .map((x) => ({ sealed: x.sealed, expiresAt: x.expiresAt && x.expiresAt < until ? x.expiresAt : until }));
      const secret = newWebhookSecret();
      const [row] = returned<SubscriptionRecord>(
        await m.query(`UPDATE webhook_subscriptions SET secrets = $2, updated_at = now() WHERE id = $1 RETURNING *`, [
          id,
          JSON.stringify([sealSecret(this.delivery.ring, id, secret, null), ...(overlapHours > 0 ? kept : [])]),
        ]),
      );
      return { ...view(row), secret, previousSecretsExpireAt: overlapHours > 0 && kept.length ? until : null };
    });
  }

  async ping(user: AuthUser, id: string) {
    const pinged = await this.db.transaction(async (m) => {
      const s = await this.owned(m, user, id);
      if (!s.active) throw new AppError('CONFLICT', 'The subscription is disabled; enable it first.');
      const at = new Date();
      const [d] = await m.query(
        `INSERT INTO webhook_deliveries (subscription_id, document_id, seq, event_type, payload)
         VALUES ($1, NULL, $2, $3, $4) RETURNING id`,
        [id, at.getTime(), PING_EVENT, JSON.stringify({ type: PING_EVENT, timestamp: at.toISOString(), data: { subscriptionId: id } })],
      );
      return this.deliveryView(m, d.id);
    });
    this.delivery.wake();
    return pinged;
  }

  async redeliver(user: AuthUser, id: string, deliveryId: string) {
    const redelivered = await this.db.transaction(async (m) => {
      await this.owned(m, user, id);
      if (!UUID.test(deliveryId)) throw notFound();
      // delivered at its first attempt, it is in a batch's log only: it gets its row (with that attempt) first
      await materialiseLogged(m, id, deliveryId);
      // under the delivery's row lock, as an attempt's claim and its end: while an attempt is being sent (its lease
      // runs) the redelivery is only remembered, and that attempt's end schedules it — never two sends at once
      const [d]: { id: string; document_id: string | null; sending: boolean }[] = await m.query(
        `SELECT id, document_id, coalesce(sending_until > now(), false) AS sending FROM webhook_deliveries
          WHERE id = $1 AND subscription_id = $2 FOR UPDATE`,
        [deliveryId, id],
      );
      if (!d) throw new AppError('NOT_FOUND', 'No such delivery.');
      if (d.sending) await m.query(`UPDATE webhook_deliveries SET redeliver_requested = true WHERE id = $1`, [d.id]);
      else {
        await m.query(
          `UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = now(), finished_at = NULL, sending_until = NULL,
                  redeliver_requested = false WHERE id = $1`,
          [d.id],
        );
      }
      return this.deliveryView(m, d.id);
    });
    this.delivery.wake();
    return redelivered;
  }

  /**
   * The log, newest first: the delivery rows (retries, failures, redeliveries, pings) merged with the batches'
   * log of events delivered at their first attempt.
   */
  async deliveries(user: AuthUser, id: string, q: { limit: number; before?: string }) {
    await this.owned(this.db.manager, user, id);
    const rows: { id: string }[] = await this.db.query(
      `SELECT id FROM webhook_deliveries WHERE subscription_id = $1 AND ($2::timestamptz IS NULL OR created_at < $2)
        ORDER BY created_at DESC, seq DESC LIMIT $3`,
      [id, q.before ?? null, q.limit],
    );
    const items = [];
    for (const r of rows) items.push(await this.deliveryView(this.db.manager, r.id));
    const logged = await batchLog(this.db.manager, id, q.before ?? null, q.limit);
    const have = new Set(items.map((i) => i.id));
    for (const l of logged) if (!have.has(l.id)) items.push(l);
    items.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
    return { items: items.slice(0, q.limit) };
  }

  private async deliveryView(m: EntityManager, deliveryId: string) {
    const [d] = await m.query(`SELECT * FROM webhook_deliveries WHERE id = $1`, [deliveryId]);
    const attempts = await m.query(`SELECT * FROM webhook_attempts WHERE delivery_id = $1 ORDER BY attempt, id`, [deliveryId]);
    return {
      id: d.id as string,
      webhookId: webhookId(d.id),
      eventType: d.event_type as string,
      documentId: d.document_id as string | null,
      status: d.status as 'pending' | 'delivered' | 'failed',
      attempts: d.attempts as number,
      nextAttemptAt: d.status === 'pending' ? (d.next_attempt_at as Date).toISOString() : null,
      createdAt: (d.created_at as Date).toISOString(),
      finishedAt: d.finished_at ? (d.finished_at as Date).toISOString() : null,
      payload: d.payload as Record<string, unknown>,
      log: attempts.map((a: Record<string, any>) => ({
        attempt: a.attempt as number,
        startedAt: (a.started_at as Date).toISOString(),
        durationMs: a.duration_ms as number,
        request: a.request as { url: string; headers: Record<string, string>; body: string },
        responseStatus: a.response_status as number | null,
        responseBody: a.response_body as string | null,
        error: a.error as string | null,
      })),
    };
  }
}
