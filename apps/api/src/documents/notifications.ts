/**
 * The outbox's side effect: notifications. After commit, a relay in every API process takes the next outbox
 * rows past the relay's one cursor, below the commit horizon (one process at a time: the cursor row is locked
 * FOR UPDATE SKIP LOCKED), publishes each with pg_notify and moves the cursor past them in the same statement —
 * so a row is published once, in (tx, id) order, exactly when the cursor passes it; a long-running transaction in
 * the database holds notifications back until it ends (engine/repositories/outbox.ts). Every process LISTENs and
 * forwards to its own server-sent-event streams
 * (GET /api/notifications/stream) what concerns each connected user: a new task for them, for a pool of
 * one of their roles, or for a principal they are the deputy of now (委托), never a document above their clearance. The web inbox reloads on such an event
 * instead of waiting for its next poll. Rows the cursor has passed are deleted after a day.
 */
import {
  Controller,
  Inject,
  Injectable,
  Logger,
  Sse,
  type MessageEvent,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import pg from 'pg';
import {
  catchError,
  concatMap,
  EMPTY,
  filter,
  from,
  interval,
  map,
  merge,
  Observable,
  of,
  ReplaySubject,
  share,
  Subject,
  takeUntil,
} from 'rxjs';
import type { DataSource } from 'typeorm';
import { classificationRank } from '#gongwen/document';
import type { AuthUser } from '../auth/auth.types.js';
import { CurrentUser, RequireScope } from '../auth/decorators.js';
import { ApiProblems } from '../common/openapi.js';
import { Periodic } from '../common/periodic.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { OUTBOX_CHANNEL, pruneOutbox, relayOutbox, selectTaskUserIds } from '../engine/repositories/outbox.js';
import { sessionStillHolds } from '../engine/repositories/sessions.js';
import { TransitionEngine } from '../engine/transition-engine.js';

export const CHANNEL = OUTBOX_CHANNEL;
/** How often a stream checks its session and pings (tests may shorten it). */
export let PING_MS = 25_000;
export function setPingMs(ms: number): void {
  PING_MS = ms;
}

/**
 * One outbox row as published: the users and role pools it concerns. Past NOTIFY's 8000-byte limit (hundreds
 * of readers) the users are left out (`truncated`) and each process reads them from document_tasks.
 */
export interface DocumentNotification {
  id: number;
  documentId: string;
  topic: string;
  event: string | null;
  state: string | null;
  users: string[];
  roles: string[];
  rank: number;
  truncated?: boolean;
}

@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger('OutboxRelay');
  private readonly relay = new Periodic('relaying the outbox', this.log, async () => {
    // a backlog (after an outage) drains in batches, without waiting a tick between them
    while (!this.relay.stopping && (await this.relayOnce()) === 500);
  });
  private readonly pruner = new Periodic('pruning the outbox', this.log, async () => {
    await this.prune();
  });

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly adapterHost: HttpAdapterHost,
    private readonly engine: TransitionEngine,
  ) {}

  onApplicationBootstrap(): void {
    const ms = this.config.GONGWEN_OUTBOX_RELAY_MS;
    if (!ms || !this.adapterHost.httpAdapter) return;
    this.relay.start(ms);
    this.pruner.start(3_600_000);
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([this.relay.stop(), this.pruner.stop()]);
  }

  /** Relays up to `limit` rows past the cursor; returns how many it passed (0 while another process relays). */
  async relayOnce(limit = 500): Promise<number> {
    return relayOutbox(this.db.manager, limit, this.engine.workflows.delegableKeys());
  }

  /**
   * Rows older than a day that the relay (and every active webhook subscription) has passed go (the audit trail is
   * the history; the outbox is a queue), oldest first in chunks of 5,000 by position, so that no delete is one long
   * statement.
   */
  async prune(): Promise<number> {
    return pruneOutbox(this.db, () => this.pruner.stopping);
  }
}

/** This process's LISTEN connection, fanned out to its event streams; reconnects by itself. */
@Injectable()
export class NotificationsHub implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger('Notifications');
  private readonly events = new Subject<DocumentNotification>();
  /** Emits (and replays to late subscribers) when the application closes: every stream ends, so the server can close. */
  readonly closed = new ReplaySubject<void>(1);
  private health?: NodeJS.Timeout;
  private client: pg.Client | null = null;
  private retry?: NodeJS.Timeout;
  private closing = false;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  onApplicationBootstrap(): void {
    if (this.adapterHost.httpAdapter) void this.connect();
  }

  private async connect(): Promise<void> {
    if (this.closing) return;
    const options = this.db.options as { url?: string };
    const client = new pg.Client({ connectionString: options.url, application_name: 'gongwen-notifications', keepAlive: true });
    const again = (why: string) => {
      if (this.closing || this.client !== client) return;
      this.client = null;
      client.removeAllListeners('notification');
      void client.end().catch(() => undefined);
      this.log.warn(`notification listener lost (${why}); reconnecting`);
      this.retry = setTimeout(() => void this.connect(), 2000);
      this.retry.unref();
    };
    client.on('error', (e) => again(e.message));
    client.on('end', () => again('connection ended'));
    client.on('notification', (m) => {
      if (m.channel !== CHANNEL || !m.payload) return;
      let n: DocumentNotification;
      try {
        n = JSON.parse(m.payload) as DocumentNotification;
      } catch {
        return; // not ours
      }
      if (!n.truncated) {
        this.events.next(n);
        return;
      }
      // too many assignees for one NOTIFY: read them (document_tasks is kept from assignee_ids)
      void selectTaskUserIds(this.db.manager, n.documentId)
        .then((users) => this.events.next({ ...n, users, truncated: false }))
        .catch((e) => this.log.warn(`notification ${n.id}: reading its assignees failed: ${(e as Error).message}`));
    });
    this.client = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch (e) {
      again((e as Error).message);
      return;
    }
    // a half-open connection (a failover, a NAT timeout) signals nothing: ask every 30 s
    if (this.health) clearInterval(this.health);
    this.health = setInterval(() => {
      if (this.client !== client) return;
      const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error('no answer in 10 s')), 10_000).unref());
      void Promise.race([client.query('SELECT 1'), timeout]).catch((e) => again((e as Error).message));
    }, 30_000);
    this.health.unref();
  }

  /**
   * Whether the stream's session still stands, with the same roles and clearance: a logout, a revoked or
   * expired token, a deactivated user or changed rights end it. A database error counts as still valid.
   */
  valid(user: AuthUser): Observable<boolean> {
    return from(sessionStillHolds(this.db.manager, user.tokenId, user.roles, user.clearance)).pipe(catchError(() => of(true)));
  }

  get isClosing(): boolean {
    return this.closing;
  }

  /** Every notification: the events feed (apps/api/src/events) wakes its long polls on them and applies visibility itself. */
  get all(): Observable<DocumentNotification> {
    return this.events.asObservable();
  }

  /** The notifications that concern `user`. */
  forUser(user: AuthUser): Observable<DocumentNotification> {
    const rank = classificationRank(user.clearance);
    return this.events.pipe(
      filter((n) => n.rank <= rank && (n.users.includes(user.id) || n.roles.some((r) => (user.roles as string[]).includes(r)))),
    );
  }

  async onModuleDestroy(): Promise<void> {
    this.closing = true;
    if (this.retry) clearTimeout(this.retry);
    if (this.health) clearInterval(this.health);
    this.closed.next();
    this.closed.complete();
    this.events.complete();
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => undefined);
  }
}

@ApiTags('documents')
@Controller('api/notifications')
export class NotificationsController {
  constructor(private readonly hub: NotificationsHub) {}

  @Sse('stream')
  @RequireScope('read')
  @ApiOperation({
    operationId: 'notificationStream',
    summary:
      'Server-sent events: `task` when a document becomes a task of yours (or of a pool of your roles, or of a principal whose delegation to you is in force: 委托); `notice` when a notice for you arrives (GET /api/notices); `ping` every 25 s',
  })
  @ApiProduces('text/event-stream')
  @ApiProblems()
  stream(@CurrentUser() user: AuthUser): Observable<MessageEvent> {
    if (this.hub.isClosing) return EMPTY;
    // every 25 s: is the session still good? then a ping; if not, the stream ends
    const checks = interval(PING_MS).pipe(
      concatMap(() => this.hub.valid(user)),
      share(),
    );
    return merge(
      this.hub.forUser(user).pipe(
        map((n) =>
          n.topic.startsWith('notice.')
            ? // a notice to this user alone (user_notices: a webhook subscription of theirs was disabled, …)
              { type: 'notice', id: String(n.id), data: { kind: n.topic } }
            : { type: 'task', id: String(n.id), data: { documentId: n.documentId, event: n.event, state: n.state } },
        ),
      ),
      checks.pipe(
        filter(Boolean),
        map(() => ({ type: 'ping', data: '' })),
      ),
    ).pipe(takeUntil(merge(checks.pipe(filter((ok) => !ok)), this.hub.closed)));
  }
}
