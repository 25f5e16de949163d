/**
 * The events feed for API clients that cannot receive webhooks (GET /api/events): the events of the audit trail
 * about documents the reader may see now, in commit-safe order, after a cursor, optionally long-polling.
 *
 * A long poll subscribes to this process's LISTEN fan-out (NotificationsHub) before it reads, so an event that
 * commits between the read and the wait still wakes it. Every accepted transition writes an outbox row that the
 * relay publishes once the row is below the commit horizon, as the feed reads (so a wake-up finds its event); the
 * wake-up carries no rights, so the poll reads again through the visibility filter.
 */
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { classificationRank } from '#gongwen/document';
import { filter, Subscription } from 'rxjs';
import type { DataSource } from 'typeorm';
import type { AuthUser } from '../auth/auth.types.js';
import { AppError } from '../common/errors.js';
import { NotificationsHub } from '../documents/notifications.js';
import { TransitionEngine } from '../engine/transition-engine.js';
import type { EventsQuery } from './contract.js';
import { selectFeed, selectHorizon } from './repository.js';
import { eventsOf, type DocumentEvent } from './vocabulary.js';

/** Audit rows read per query at most (visible or not): bounds a query's cost whatever the reader sees. */
const SCAN = 1000;
/**
 * After a wake-up whose read finds the commit horizon still behind the transaction that woke it (an older
 * transaction still open), read again after these (the last one repeating) until the horizon has passed it.
 */
const SETTLE_MS = [50, 100, 200, 400, 800, 1000];

interface Cursor {
  tx: string;
  id: string;
}

const START: Cursor = { tx: '0', id: '0' };

export function encodeCursor(c: Cursor): string {
  return Buffer.from(`${c.tx}:${c.id}`).toString('base64url');
}

function decodeCursor(s: string): Cursor {
  const m = /^(\d{1,20}):(\d{1,20})$/.exec(Buffer.from(s, 'base64url').toString('latin1'));
  if (!m || BigInt(m[1]) > 2n ** 63n - 1n || BigInt(m[2]) > 2n ** 63n - 1n)
    throw new AppError('VALIDATION_FAILED', 'The cursor is not valid.', {
      errors: [{ in: 'query', field: 'after', message: 'invalid cursor' }],
    });
  return { tx: m[1], id: m[2] };
}

export interface EventPage {
  items: DocumentEvent[];
  cursor: string;
}

@Injectable()
export class EventsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly engine: TransitionEngine,
    @Inject(NotificationsHub) private readonly hub: NotificationsHub,
  ) {}

  /** One page; with `wait`, held open until something visible happens, the wait ends, or `gone` fires. */
  async feed(user: AuthUser, q: EventsQuery, gone?: AbortSignal): Promise<EventPage> {
    const after =
      q.after === undefined ? START : q.after === 'now' ? { tx: await selectHorizon(this.db.manager), id: '0' } : decodeCursor(q.after);
    if (!q.wait) {
      const { items, cursor } = await this.page(user, after, q.limit);
      return { items, cursor };
    }
    return this.longPoll(user, after, q.limit, q.wait * 1000, gone);
  }

  /**
   * One page. The cursor moves past the rows read, but where the read reached the commit horizon it moves to the
   * horizon itself rather than to the last (possibly hidden) row: so the cursor does not count other people's
   * events. Only a read that stops at the scan bound with nothing visible shows that hidden rows exist past it.
   */
  private async page(user: AuthUser, after: Cursor, limit: number): Promise<EventPage & { next: Cursor; horizon: bigint; xmax: bigint }> {
    const { horizon, xmax, rows } = await selectFeed(this.db.manager, after, this.engine.viewer(user), SCAN);
    // a cursor this database never handed out: from before a restore into another cluster, whose transaction ids
    // are behind (the stored positions were rebased at start-up, engine/repositories/outbox-rebase.ts). Waiting would never end.
    if (BigInt(after.tx) > BigInt(xmax))
      throw new AppError('VALIDATION_FAILED', 'The cursor is no longer valid (the database was restored): read again without `after`.', {
        errors: [{ in: 'query', field: 'after', message: 'cursor expired: read again from the beginning, or from now' }],
      });
    const items: DocumentEvent[] = [];
    let next = after;
    let read = 0;
    for (const r of rows) {
      if (items.length >= limit) break;
      next = { tx: r.tx, id: r.id };
      read++;
      if (r.visible) items.push(...eventsOf(r));
    }
    if (read === rows.length && rows.length < SCAN && BigInt(horizon) > BigInt(after.tx)) next = { tx: horizon, id: '0' };
    return { items, cursor: encodeCursor(next), next, horizon: BigInt(horizon), xmax: BigInt(xmax) };
  }

  private longPoll(user: AuthUser, after: Cursor, limit: number, waitMs: number, gone?: AbortSignal): Promise<EventPage> {
    const rank = classificationRank(user.clearance);
    return new Promise<EventPage>((resolve, reject) => {
      let cursor = after;
      let last: EventPage = { items: [], cursor: encodeCursor(after) };
      let reading = false;
      let again = false;
      // a wake-up means a transaction has committed; its id is below the xmax of any read after the wake-up, and its
      // events are settled once the horizon has passed that xmax: until then the poll keeps looking (a wait of
      // fixed length would give up while a long transaction of someone else still holds the horizon back)
      let target = 0n;
      let settle: NodeJS.Timeout | undefined;
      // a Subscription closed before a child is added unsubscribes that child at once
      const subscriptions = new Subscription();
      let done = false;
      const finish = (page: EventPage | Error) => {
        done = true;
        clearTimeout(deadline);
        clearTimeout(settle);
        subscriptions.unsubscribe();
        gone?.removeEventListener('abort', onGone);
        if (page instanceof Error) reject(page);
        else resolve(page);
      };
      // at the deadline the last (empty) page is the answer: the client asks again from its cursor
      const deadline = setTimeout(() => finish(last), waitMs);
      const onGone = () => finish(last);
      gone?.addEventListener('abort', onGone);
      let settled = true;
      /** kind: the first read, a wake-up (a notification), or a settling re-read (`step` of SETTLE_MS). */
      const read = async (kind: 'first' | 'wake' | 'settle', step = 0): Promise<void> => {
        if (done) return;
        if (reading) {
          // a wake-up during a read: read once more after it (its xmax then covers the waking transaction)
          if (kind === 'wake') again = true;
          return;
        }
        reading = true;
        try {
          let woken = kind === 'wake';
          do {
            again = false;
            const page = await this.page(user, cursor, limit);
            cursor = page.next;
            last = { items: page.items, cursor: page.cursor };
            if (page.items.length) return finish(last);
            if (woken && page.xmax > target) target = page.xmax;
            settled = page.horizon >= target;
            woken = again;
          } while (again);
        } catch (e) {
          return finish(e as Error);
        } finally {
          reading = false;
        }
        // woken, but what woke it is not settled yet (an older transaction still open): look again shortly
        clearTimeout(settle);
        if (!settled) {
          const next = kind === 'settle' ? Math.min(step + 1, SETTLE_MS.length - 1) : 0;
          settle = setTimeout(() => void read('settle', next), SETTLE_MS[next]);
        }
      };
      subscriptions.add(this.hub.all.pipe(filter((n) => n.rank <= rank)).subscribe(() => void read('wake')));
      subscriptions.add(this.hub.closed.subscribe(() => finish(last)));
      void read('first');
    });
  }
}
