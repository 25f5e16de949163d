/**
 * The outbox's side effect: notifications. After commit, a relay in every API process takes the outbox rows
 * that no process has handled yet (FOR UPDATE SKIP LOCKED, so each row is taken by one process once), marks
 * them processed and publishes each with pg_notify in the same statement — so a row is published if and
 * only if it is marked. Every process LISTENs and forwards to its own server-sent-event streams
 * (GET /api/notifications/stream) what concerns each connected user: a new task for them or for a pool of
 * one of their roles, never a document above their clearance. The web inbox reloads on such an event
 * instead of waiting for its next poll. Processed rows are deleted after a week.
 */
import { Controller, Inject, Injectable, Logger, Sse, type MessageEvent, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import pg from 'pg';
import { filter, interval, map, merge, Observable, Subject, takeUntil } from 'rxjs';
import type { DataSource } from 'typeorm';
import { classificationRank } from '../../../../libs/document/src/index.js';
import type { AuthUser } from '../auth/auth.types.js';
import { CurrentUser, RequireScope } from '../auth/decorators.js';
import { ApiProblems } from '../common/openapi.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';

export const CHANNEL = 'gongwen_documents';

/** One outbox row as published: who it concerns (null: too many to list, anyone may look). */
export interface DocumentNotification {
  id: number;
  documentId: string;
  topic: string;
  event: string | null;
  state: string | null;
  users: string[] | null;
  roles: string[];
  rank: number;
}

const RELAY_SQL = `
  WITH batch AS (
    SELECT id FROM outbox WHERE processed_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED),
  done AS (
    UPDATE outbox o SET processed_at = now(), attempts = o.attempts + 1 FROM batch WHERE o.id = batch.id
    RETURNING o.id, o.document_id, o.topic, o.payload)
  SELECT count(pg_notify('${CHANNEL}', CASE WHEN octet_length(n.full) < 7900 THEN n.full ELSE n.short END))::int AS n
    FROM done JOIN documents d ON d.id = done.document_id
   CROSS JOIN LATERAL (SELECT
     json_build_object('id', done.id, 'documentId', done.document_id, 'topic', done.topic, 'event', done.payload->>'event',
       'state', coalesce(done.payload->>'to', d.state), 'users', coalesce(done.payload->'assigneeIds', '[]'::jsonb),
       'roles', coalesce(done.payload->'taskRoles', '[]'::jsonb), 'rank', d.classification_rank)::text AS full,
     json_build_object('id', done.id, 'documentId', done.document_id, 'topic', done.topic, 'event', done.payload->>'event',
       'state', coalesce(done.payload->>'to', d.state), 'users', NULL, 'roles', '[]'::jsonb, 'rank', d.classification_rank)::text AS short) n`;

@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger('OutboxRelay');
  private timers: NodeJS.Timeout[] = [];
  private running = false;
  private closing = false;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  onApplicationBootstrap(): void {
    const ms = this.config.GONGWEN_OUTBOX_RELAY_MS;
    if (!ms || !this.adapterHost.httpAdapter) return;
    const tick = async () => {
      if (this.running || this.closing) return;
      this.running = true;
      try {
        // a backlog (after an outage) drains in batches, without waiting a tick between them
        while (!this.closing && (await this.relayOnce()) === 500);
      } catch (e) {
        this.log.warn(`relaying the outbox failed: ${(e as Error).message}`);
      } finally {
        this.running = false;
      }
    };
    const prune = () => void this.prune().catch((e) => this.log.warn(`pruning the outbox failed: ${(e as Error).message}`));
    this.timers = [setInterval(() => void tick(), ms), setInterval(prune, 3_600_000)];
    for (const t of this.timers) t.unref();
  }

  onModuleDestroy(): void {
    this.closing = true;
    for (const t of this.timers) clearInterval(t);
  }

  /** Publishes up to `limit` unhandled rows; returns how many. */
  async relayOnce(limit = 500): Promise<number> {
    const [{ n }] = await this.db.query(RELAY_SQL, [limit]);
    return n;
  }

  /** Processed rows older than a week go (the audit trail is the history; the outbox is a queue). */
  async prune(): Promise<number> {
    const rows: unknown[] = await this.db.query(`DELETE FROM outbox WHERE processed_at < now() - interval '7 days' RETURNING 1`);
    return rows.length;
  }
}

/** This process's LISTEN connection, fanned out to its event streams; reconnects by itself. */
@Injectable()
export class NotificationsHub implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger('Notifications');
  private readonly events = new Subject<DocumentNotification>();
  /** Emits once when the application closes: every open stream ends, so that the server can close. */
  readonly closed = new Subject<void>();
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
    const client = new pg.Client({ connectionString: options.url, application_name: 'gongwen-notifications' });
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
      try {
        this.events.next(JSON.parse(m.payload) as DocumentNotification);
      } catch { /* not ours */ }
    });
    this.client = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch (e) {
      again((e as Error).message);
    }
  }

  /** The notifications that concern `user`. */
  forUser(user: AuthUser): Observable<DocumentNotification> {
    const rank = classificationRank(user.clearance);
    return this.events.pipe(filter((n) => n.rank <= rank
      && (n.users === null || n.users.includes(user.id) || n.roles.some((r) => (user.roles as string[]).includes(r)))));
  }

  async onModuleDestroy(): Promise<void> {
    this.closing = true;
    if (this.retry) clearTimeout(this.retry);
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
    summary: 'Server-sent events: `task` when a document becomes a task of yours (or of a pool of your roles); `ping` every 25 s',
  })
  @ApiProduces('text/event-stream')
  @ApiProblems()
  stream(@CurrentUser() user: AuthUser): Observable<MessageEvent> {
    return merge(
      this.hub.forUser(user).pipe(map((n) => ({ type: 'task', id: String(n.id), data: { documentId: n.documentId, event: n.event, state: n.state } }))),
      interval(25_000).pipe(map(() => ({ type: 'ping', data: '' }))),
    ).pipe(takeUntil(this.hub.closed));
  }
}
