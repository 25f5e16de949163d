/**
 * Webhook delivery: from the transactional outbox to the receivers.
 *
 * First attempts (every process with GONGWEN_WEBHOOK_WORKERS > 0): each subscription reads the outbox through its
 * own cursor, a batch at a time, and writes one statement per batch (cursor.ts): nothing per event delivered at
 * once, nothing at all without subscriptions. Every event not delivered at once gets a delivery row, sent from
 * here on as below.
 *
 * Retries, redeliveries and pings (delivery rows): a dispatcher claims due deliveries many at a time in
 * one statement (repository.ts claimDeliveries: only the first pending delivery of each (subscription, document)
 * chain, so a document's later event waits for its earlier one; SKIP LOCKED and a lease, so each is claimed by one
 * process at a time) — the claim counts the attempt, logs it (as interrupted, until its answer replaces that),
 * sets the next attempt's time and takes the delivery's lease (`sending_until`, the timeout and a margin). It
 * checks what the owners may see (a statement per subscription of the batch), sends each delivery as its own
 * request on kept-alive connections, and records the 2xx answers many at a time in one statement; any other answer
 * is recorded on its own (retry at the scheduled time, Retry-After, 410, failure). The dispatcher claims again as
 * soon as answers are recorded (a document's next event follows at once), after each batch of a cursor, and
 * every poll interval (new outbox rows, retries falling due, leases run out). Cursors are claimed at each poll
 * interval, at once after a full batch (a backlog), and when this process's own commits pause (SETTLE_MS after
 * its last transition or new document: see `settle`): under a saturating load a batch carries a poll interval's
 * events, and the last events of a burst, or a lone transition, go out within milliseconds instead of waiting for
 * the next poll. Events other processes commit, and those of background work (reminders, overdue sweeps), wait
 * for the poll.
 *
 * A process killed mid-request leaves a logged attempt with a lease: once the lease has run out and the next
 * attempt is due, any process claims it as the schedule's next attempt, so a receiver gets a webhook-id at most
 * once per attempt; one killed between attempts loses nothing (the delivery waits, pending, for its time). A
 * manual redelivery during an attempt is remembered (`redeliver_requested`) and scheduled by that attempt's end,
 * under the delivery's row lock.
 *
 * A subscription disabled by its deliveries (410 Gone, or a delivery that failed its whole schedule) tells its
 * owner: an outbox row without a document, which the relay turns into a user notice (the web inbox shows it)
 * and pushes to the owner's event stream.
 *
 * Visibility is decided when sending, with the owner's rights at that moment (the rule of every document read): a
 * delivery about a document the owner cannot see now is deleted unsent, so the log shows nothing of it either.
 */
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import type { SecretKeyRing } from '#gongwen/persistence/secret-box';
import type { DataSource, EntityManager } from 'typeorm';
import type { AuthUser } from '../auth/auth.types.js';
import { Periodic } from '../common/periodic.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { secretKeyRing } from '../config/secret-key.js';
import { insertNoticeOutbox } from '../engine/repositories/outbox.js';
import { selectValidSessionUser } from '../engine/repositories/sessions.js';
import { TransitionEngine } from '../engine/transition-engine.js';
import { AddressGuard } from './address-guard.js';
import { claimCursors, type CursorHost, runBatch, webhookId } from './cursor.js';
import { pruneWebhookLog } from './log.js';
import { claimDeliveries, type ClaimedDelivery, deleteDeliveries, recordDelivered, selectVisibleIds } from './repository.js';
import { activeSecrets, resealSecrets } from './secrets.js';
import { Agents, sendWebhook, type SendResult } from './sender.js';

export { activeSecrets, resealSecrets, sealSecret, secretContext, type StoredSecret } from './secrets.js';

/** Subscriptions one claim of cursors takes at most. */
const CURSOR_CLAIM = 8;
/** Deliveries one claim takes at most. */
const CLAIM_BATCH = 200;
/** Requests in flight per worker (GONGWEN_WEBHOOK_WORKERS): the process claims no more than workers × this. */
const IN_FLIGHT_PER_WORKER = 32;
/**
 * Milliseconds without a commit in this process after which its events are sent without waiting for the poll.
 * Under a saturating load the commits never pause that long and the poll alone claims: batches stay as large as
 * before. Below it, each pause claims (at most one claim per this long, 50 a second), so batches are smaller, down
 * to one event, and cost more statements per event while the process has time to spare; with no subscription
 * enabled such a claim is two statements that find nothing.
 */
const SETTLE_MS = 20;

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

type Outcome = 'delivered' | 'retry' | 'failed';

/** A subscription's active signing secrets, or why they cannot be opened. */
type Signing = { secrets: string[] } | { error: string };

/** The rows of an UPDATE … RETURNING: TypeORM answers those as [rows, count], other statements as rows. */
export function returned<T>(result: unknown): T[] {
  const r = result as unknown[];
  return Array.isArray(r) && r.length === 2 && Array.isArray(r[0]) && typeof r[1] === 'number' ? (r[0] as T[]) : (r as T[]);
}

export { webhookId };

@Injectable()
export class WebhookDelivery implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger('Webhooks');
  readonly guard: AddressGuard;
  /** The key ring the subscriptions' secrets are sealed with. */
  readonly ring: SecretKeyRing;
  /** New outbox rows, retries falling due, leases run out. */
  private readonly poll = new Periodic('webhook dispatch', this.log, async () => this.wake());
  /** The delivery log's old entries (GONGWEN_WEBHOOK_LOG_RETENTION_DAYS), hourly in every process (log.ts). */
  private readonly pruner = new Periodic('pruning the webhook log', this.log, async () => {
    const n = await this.pruneLog();
    if (n) this.log.log(`deleted ${n} old webhook log row(s)`);
  });
  private stopping = false;
  private sending = false;
  /** The connections requests go out on (opened when first used). */
  private readonly agents: Agents;
  /** Requests in flight, and the most this process has at once. */
  private inFlight = 0;
  private maxInFlight = 0;
  private claiming = false;
  private claimAgain = false;
  /** Answers not recorded yet, and the recording in progress. */
  private answers: { d: ClaimedDelivery; r: SendResult }[] = [];
  private recording: Promise<void> | null = null;
  private readonly sends = new Set<Promise<void>>();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly engine: TransitionEngine,
    private readonly adapterHost: HttpAdapterHost,
  ) {
    this.guard = new AddressGuard(config.GONGWEN_WEBHOOK_ALLOW_CIDRS);
    this.ring = secretKeyRing(config);
    this.agents = new Agents(Math.max(1, config.GONGWEN_WEBHOOK_WORKERS), this.guard);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.adapterHost.httpAdapter) return;
    if (this.config.GONGWEN_WEBHOOK_LOG_RETENTION_DAYS > 0) this.pruner.start(3_600_000, 60_000);
    // a key rotation (a new first key in GONGWEN_SECRET_KEY): the secrets move to it
    if (this.ring.length > 1)
      await resealSecrets(this.db, this.ring).then(
        (n) => n && this.log.log(`re-sealed the secrets of ${n} webhook subscription(s) with key ${this.ring[0].id}`),
        (e: Error) => this.log.error(`re-sealing webhook secrets failed: ${e.message}`),
      );
    const workers = this.config.GONGWEN_WEBHOOK_WORKERS;
    if (workers > 0) {
      this.sending = true;
      this.maxInFlight = workers * IN_FLIGHT_PER_WORKER;
      this.poll.start(this.config.GONGWEN_WEBHOOK_POLL_MS ?? (this.config.NODE_ENV === 'test' ? 100 : 250));
      this.engine.onCommit(this.committed);
    }
  }

  /** performance.now() of this process's last commit, and the timer that waits for its commits to pause. */
  private lastCommit = 0;
  private settling: NodeJS.Timeout | undefined;

  /** After each commit of this process (the engine's hint): one timer at a time, not one per commit. */
  private readonly committed = (): void => {
    this.lastCommit = performance.now();
    if (!this.settling && !this.stopping) this.settling = setTimeout(this.settle, SETTLE_MS).unref();
  };

  /** SETTLE_MS after a commit: claims now if no commit followed since, else waits for the pause. */
  private readonly settle = (): void => {
    const quiet = performance.now() - this.lastCommit;
    if (quiet < SETTLE_MS && !this.stopping) {
      this.settling = setTimeout(this.settle, SETTLE_MS - quiet).unref();
      return;
    }
    this.settling = undefined;
    this.wake();
  };

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.settling);
    await Promise.all([this.poll.stop(), this.pruner.stop()]);
    // the requests in flight end (each within its timeout) and their answers are recorded
    while (this.sends.size || this.claiming || this.recording) {
      await Promise.all([...this.sends, this.recording]);
      await new Promise((r) => setTimeout(r, 10));
    }
    await this.agents.destroy();
  }

  /** Deletes the delivery log's entries older than GONGWEN_WEBHOOK_LOG_RETENTION_DAYS (each subscription's latest stay). */
  async pruneLog(): Promise<number> {
    return pruneWebhookLog(this.db, this.config.GONGWEN_WEBHOOK_LOG_RETENTION_DAYS, () => this.pruner.stopping);
  }

  /**
   * Claims and sends due deliveries now (after this process made or changed some: a batch, a ping, a
   * redelivery, a subscription enabled); other processes find them at their next poll.
   */
  wake(): void {
    this.cursorsDue = true;
    this.dispatch();
  }

  /**
   * Claims due deliveries now, and the cursors as well when they are due (`cursorsDue`: at each poll, after a full
   * batch, on wake()). A batch that was not full leaves the subscription's next one to the poll, so that under load
   * a batch carries a poll interval's events and its handful of statements are spread over them — not the few
   * that committed while the last batch was out (with requests pipelined, batches went out twice as often and
   * PostgreSQL's CPU per event grew with them).
   */
  private dispatch(): void {
    if (!this.sending || this.stopping) return;
    if (this.claiming) {
      this.claimAgain = true;
      return;
    }
    this.claiming = true;
    void this.claimLoop()
      .catch((e: Error) => this.log.warn(`webhook dispatch failed: ${e.message}`))
      .finally(() => {
        this.claiming = false;
      });
  }

  private async claimLoop(): Promise<void> {
    do {
      this.claimAgain = false;
      while (!this.stopping) {
        const room = Math.min(CLAIM_BATCH, this.maxInFlight - this.inFlight);
        if (room <= 0) break; // an answer's recording wakes the dispatcher
        const claimed = await this.claim(room);
        if (claimed < room) break;
      }
      if (this.cursorsDue && !this.stopping && this.maxInFlight - this.inFlight > 0) {
        this.cursorsDue = false;
        await this.claimCursors();
      }
    } while (this.claimAgain && !this.stopping);
  }

  // ---------------------------------------------------------------- cursors

  private host?: CursorHost;
  private get cursorHost(): CursorHost {
    return (this.host ??= this.makeCursorHost());
  }

  private makeCursorHost(): CursorHost {
    return {
      db: this.db,
      log: this.log,
      schedule: this.config.GONGWEN_WEBHOOK_RETRY_SCHEDULE,
      leaseMs: this.config.GONGWEN_WEBHOOK_TIMEOUT_MS + 5000,
      room: () => this.maxInFlight - this.inFlight,
      viewer: (u) => this.engine.viewer(u),
      ownerNow: (sub) => this.ownerNow(this.db.manager, sub),
      secretsOf: (id, stored) => {
        try {
          return { secrets: activeSecrets(this.ring, id, stored) };
        } catch (e) {
          return { error: (e as Error).message };
        }
      },
      send: (subscriptionId, url, id, body, signing, at) => this.request(subscriptionId, url, id, body, signing, at),
      flying: (delta) => {
        this.inFlight += delta;
      },
      recordFailure: (d, r) => this.record(d, 1, r),
    };
  }

  /** Subscriptions whose cursors are being sent by this process (one batch at a time each). */
  private batches = 0;
  /** The next dispatch claims cursors as well (see dispatch). */
  private cursorsDue = true;

  /** Claims subscriptions with new events and sends their batches (not awaited: each wakes the dispatcher when done). */
  private async claimCursors(): Promise<void> {
    const cursors = await claimCursors(this.cursorHost, CURSOR_CLAIM);
    // as many as a claim takes: more subscriptions may be waiting
    if (cursors.length >= CURSOR_CLAIM) this.cursorsDue = this.claimAgain = true;
    for (const c of cursors) {
      this.batches++;
      const p: Promise<void> = runBatch(this.cursorHost, c)
        .then((r) => {
          // a full batch: more rows wait past it (a backlog), the next batch goes at once
          if (r.full) this.cursorsDue = true;
        })
        .catch((e: Error) => this.log.warn(`webhook batch of subscription ${c.id} failed: ${e.message}`))
        .finally(() => {
          this.batches--;
          this.sends.delete(p);
          // (the deliveries its failures made, or its events waiting behind them, are claimed now)
          this.dispatch();
        });
      this.sends.add(p);
    }
  }

  // ---------------------------------------------------------------- delivery

  private claimOpts(limit: number, one?: string) {
    return {
      limit,
      schedule: this.config.GONGWEN_WEBHOOK_RETRY_SCHEDULE,
      leaseMs: this.config.GONGWEN_WEBHOOK_TIMEOUT_MS + 5000,
      at: new Date(),
      one,
    };
  }

  /** Claims up to `limit` due deliveries and starts sending them; answers how many it claimed. */
  private async claim(limit: number): Promise<number> {
    const opts = this.claimOpts(limit);
    const claimed = await claimDeliveries(this.db.manager, opts);
    if (claimed.length === 0) return 0;
    // the time the claim logged: the webhook-timestamp signed
    const at = opts.at;
    const sendable = await this.sendable(claimed);
    for (const { d, secrets } of sendable) {
      this.inFlight++;
      const p: Promise<void> = this.send(d, secrets, at)
        .catch((e: Error): SendResult => ({
          status: null,
          body: null,
          error: e.message,
          retryAfter: null,
          durationMs: 0,
        }))
        .then((r) => {
          this.answers.push({ d, r });
        })
        .finally(() => {
          this.inFlight--;
          this.sends.delete(p);
          this.recordSoon();
        });
      this.sends.add(p);
    }
    return claimed.length;
  }

  /**
   * The claimed deliveries to send, each with its subscription's signing secrets now: those about documents their
   * owner may no longer see (or whose owner is no longer valid) are deleted unsent; a lost one (its schedule's last
   * attempt was interrupted) is recorded as failed.
   */
  private async sendable(claimed: ClaimedDelivery[]): Promise<{ d: ClaimedDelivery; secrets: Signing }[]> {
    const bySub = new Map<string, ClaimedDelivery[]>();
    for (const d of claimed) {
      const list = bySub.get(d.subscription_id);
      if (list) list.push(d);
      else bySub.set(d.subscription_id, [d]);
    }
    const out: { d: ClaimedDelivery; secrets: Signing }[] = [];
    const hidden: string[] = [];
    for (const ds of bySub.values()) {
      const owner = await this.ownerNow(this.db.manager, ds[0]);
      const docs = [...new Set(ds.map((d) => d.document_id).filter((x): x is string => x !== null))];
      const visible = owner ? await selectVisibleIds(this.db.manager, docs, this.engine.viewer(owner)) : new Set<string>();
      let secrets: Signing;
      try {
        secrets = { secrets: activeSecrets(this.ring, ds[0].subscription_id, ds[0].secrets) };
      } catch (e) {
        secrets = { error: (e as Error).message };
      }
      for (const d of ds) {
        if (!owner || (d.document_id !== null && !visible.has(d.document_id))) hidden.push(d.id);
        else if (d.lost) await this.record(d, d.attempts, null);
        else out.push({ d, secrets });
      }
    }
    await deleteDeliveries(this.db.manager, hidden);
    return out;
  }

  private send(d: ClaimedDelivery, secrets: Signing, at: Date): Promise<SendResult> {
    return this.request(d.subscription_id, d.url, webhookId(d.id), d.body, secrets, at);
  }

  /** Sends one request (never rejects). */
  private request(subscriptionId: string, url: string, id: string, body: string, secrets: Signing, at: Date): Promise<SendResult> {
    if ('error' in secrets)
      // a secret sealed with a key no longer configured: nothing can be signed, the attempt fails without a request
      return Promise.resolve({
        status: null,
        body: null,
        error: `cannot sign: ${secrets.error}`,
        retryAfter: null,
        durationMs: 0,
      });
    return sendWebhook(
      this.agents,
      url,
      { id, body, secrets: secrets.secrets, lane: subscriptionId },
      this.config.GONGWEN_WEBHOOK_TIMEOUT_MS,
      at,
    );
  }

  /** Records the answers collected so far (one recording at a time), then claims again. */
  private recordSoon(): void {
    if (this.recording) return;
    this.recording = (async () => {
      while (this.answers.length) {
        const batch = this.answers.splice(0);
        await this.recordAnswers(batch).catch((e: Error) =>
          // their leases run out and the attempts count as interrupted: the next ones go at their time
          this.log.warn(`recording ${batch.length} webhook answer(s) failed: ${e.message}`),
        );
      }
    })().finally(() => {
      this.recording = null;
      if (this.answers.length) this.recordSoon();
      else this.dispatch();
    });
  }

  private async recordAnswers(batch: { d: ClaimedDelivery; r: SendResult }[]): Promise<Outcome[]> {
    const ok = (r: SendResult) => r.status !== null && r.status >= 200 && r.status < 300;
    const again = new Set(
      await recordDelivered(
        this.db.manager,
        batch
          .filter(({ r }) => ok(r))
          .map(({ d, r }) => ({ id: d.id, attempt: d.attempts, duration_ms: r.durationMs, status: r.status!, body: r.body })),
      ),
    );
    const outcomes: Outcome[] = [];
    for (const { d, r } of batch) outcomes.push(ok(r) ? (again.has(d.id) ? 'retry' : 'delivered') : await this.record(d, d.attempts, r));
    return outcomes;
  }

  /** The owner as the API would authenticate them now (null: no longer a valid owner). */
  private async ownerNow(m: EntityManager, sub: Pick<ClaimedDelivery, 'owner_user_id' | 'owner_token_id'>): Promise<AuthUser | null> {
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

  /**
   * Sends delivery `deliveryId` now if it is due, outside the dispatcher and without regard to its chain: what a
   * second sender racing the dispatcher would do (the tests force that race with it); the claim lets one send.
   */
  async attemptNow(deliveryId: string): Promise<Outcome | 'busy' | 'not due'> {
    const [due] = await this.db.query(
      `SELECT 1 FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id AND s.active
        WHERE d.id = $1 AND d.status = 'pending' AND greatest(d.next_attempt_at, coalesce(d.sending_until, d.next_attempt_at)) <= now()`,
      [deliveryId],
    );
    if (!due) return 'not due';
    const opts = this.claimOpts(1, deliveryId);
    const claimed = await claimDeliveries(this.db.manager, opts);
    if (claimed.length === 0) return 'busy';
    const [one] = await this.sendable(claimed);
    if (!one) return 'failed';
    const r = await this.send(one.d, one.secrets, opts.at);
    const [outcome] = await this.recordAnswers([{ d: one.d, r }]);
    this.dispatch();
    return outcome;
  }

  /**
   * Records attempt `attempt`'s answer `r` other than 2xx (null: it was interrupted, and it was the last) and the
   * delivery's next step, in one transaction under the delivery's row lock: another attempt at the time the claim
   * set (or the receiver's Retry-After), or failed — which disables the subscription and tells its owner. A
   * redelivery asked for meanwhile is scheduled now.
   */
  private async record(d: ClaimedDelivery, attempt: number, r: SendResult | null): Promise<Outcome> {
    const schedule = this.config.GONGWEN_WEBHOOK_RETRY_SCHEDULE;
    const ok = r !== null && r.status !== null && r.status >= 200 && r.status < 300;
    const gone = r?.status === 410;
    let outcome: Outcome = ok ? 'delivered' : gone || attempt > schedule.length ? 'failed' : 'retry';
    let next: Date | null = null;
    if (outcome === 'retry' && r && r.retryAfter !== null) next = new Date(Date.now() + Math.min(r.retryAfter, 86_400) * 1000);
    return this.db.transaction(async (m) => {
      const [row]: { redeliver_requested: boolean }[] = await m.query(
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
        await m.query(
          `UPDATE webhook_attempts SET duration_ms = $3, response_status = $4, response_body = $5, error = $6
            WHERE delivery_id = $1 AND attempt = $2`,
          [d.id, attempt, r.durationMs, r.status, r.body, r.error],
        );
      await m.query(
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
          await m.query(
            `UPDATE webhook_subscriptions SET active = false, disabled_reason = $2, disabled_at = now(), updated_at = now()
              WHERE id = $1 AND active RETURNING id`,
            [d.subscription_id, reason],
          ),
        );
        if (disabled.length) {
          // its owner is told (once: only the attempt that disabled it gets a row back)
          const notice: WebhookDisabledNotice = {
            userId: d.owner_user_id,
            subscriptionId: d.subscription_id,
            url: d.url,
            reason: gone ? 'gone' : 'failing',
            attempts: attempt,
            lastStatus: r?.status ?? null,
            lastError: r ? r.error : 'interrupted',
          };
          await insertNoticeOutbox(m, WEBHOOK_DISABLED_NOTICE, notice);
          this.log.warn(`webhook subscription ${d.subscription_id} disabled: ${reason}`);
        }
      }
      return outcome;
    });
  }
}
