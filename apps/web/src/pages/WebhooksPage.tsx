/**
 * 回调订阅 (webhooks): the signed-in user's Standard Webhooks subscriptions — create one (the secret is shown once),
 * ping, rotate the secret, disable or enable, delete, and read the delivery log with manual redelivery. Errors are
 * shown in the user's language (ErrorBox), every action button names the endpoint it acts on, and the server's
 * reason for a disabled subscription is put in the user's language.
 */
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { ApiError, client, unwrap } from '../api';
import type { components } from '#gongwen/contract';
import { ErrorBox } from '../components/ErrorBox';
import { formatDateTime } from '../format';
import { useI18n } from '../i18n';
import { hookZh, useHookT, type HT, type HookKey } from '../webhooks-strings';

type Subscription = components['schemas']['WebhookSubscription'];
type Delivery = components['schemas']['WebhookDelivery'];
type EventType = components['schemas']['WebhookEventType'];

const EVENTS: EventType[] = [
  'document.state_changed',
  'document.task_assigned',
  'document.registered',
  'document.signed',
  'document.returned',
  'document.filed',
  'incoming.received',
  'supervision.overdue',
];

/** The server words the reason in English (apps/api/src/webhooks/delivery.ts); the page says it in the user's language. */
function reasonText(ht: HT, reason: string | null): string {
  if (!reason || reason === 'disabled by its owner') return ht('reason.owner');
  if (reason === 'the endpoint answered 410 Gone') return ht('reason.gone');
  const m = /^a delivery failed (\d+) times \(last: ([^)]*)\)/.exec(reason);
  if (m) return ht('reason.failing', { n: m[1], last: /^\d{3}$/.test(m[2]) ? `HTTP ${m[2]}` : m[2] });
  return reason;
}

export function WebhooksPage() {
  const { ht } = useHookT();
  const { locale } = useI18n();
  const [items, setItems] = useState<Subscription[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<EventType[]>(['document.state_changed', 'document.task_assigned']);
  const [open, setOpen] = useState<Subscription | null>(null);
  const [log, setLog] = useState<Delivery[]>([]);
  const label = (e: string) => {
    const key = `event.${e}`;
    return key in hookZh ? ht(key as HookKey) : e;
  };

  const load = useCallback(async () => {
    try {
      setItems((await unwrap(client.GET('/api/webhooks/subscriptions'))).items);
    } catch (e) {
      setError(e);
    }
  }, []);
  useEffect(() => void load(), [load]);

  const loadLog = useCallback(async (id: string) => {
    try {
      setLog((await unwrap(client.GET('/api/webhooks/subscriptions/{id}/deliveries', { params: { path: { id }, query: {} } }))).items);
    } catch (e) {
      setError(e);
    }
  }, []);

  const create = async (ev: FormEvent) => {
    ev.preventDefault();
    setError(null);
    setDone(null);
    try {
      const data = await unwrap(client.POST('/api/webhooks/subscriptions', { body: { url, eventTypes: events } }));
      setSecret(data.secret);
      setUrl('');
      await load();
    } catch (e) {
      // the address guard's refusal (a private or reserved address) in the user's language
      const refused = e instanceof ApiError && (e.problem.errors ?? []).some((x) => (x as { code?: string }).code === 'url_refused');
      setError(refused ? new Error(ht('error.urlRefused')) : e);
    }
  };

  const act = async <T,>(call: () => Promise<T>, after?: (data: T) => void) => {
    setError(null);
    setDone(null);
    try {
      // not `after?.(await call())`: with no `after`, optional chaining would skip evaluating the call itself
      const answer = await call();
      after?.(answer);
      await load();
      if (open) await loadLog(open.id);
    } catch (e) {
      setError(e);
    }
  };

  const path = (s: Subscription) => ({ params: { path: { id: s.id } } });
  const button = (s: Subscription, action: string, onClick: () => void) => (
    <button type="button" className="btn btn-ghost" aria-label={ht('action.label', { action, url: s.url })} onClick={onClick}>
      {action}
    </button>
  );

  return (
    <main id="main" className="page">
      <h1>{ht('title')}</h1>
      <p>{ht('intro')}</p>
      <ErrorBox error={error} />
      {done && (
        <p role="status" className="notice">
          {done}
        </p>
      )}
      {secret && (
        <div role="status" className="notice">
          <p>{ht('secret.once')}</p>
          <code data-testid="webhook-secret">{secret}</code>
          <button type="button" className="btn btn-ghost" onClick={() => setSecret(null)}>
            {ht('secret.saved')}
          </button>
        </div>
      )}
      <form onSubmit={(e) => void create(e)} aria-label={ht('form.label')}>
        <label>
          {ht('form.url')}
          <input type="url" required value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://example.org/hooks/gongwen" />
        </label>
        <fieldset>
          <legend>{ht('form.events')}</legend>
          {EVENTS.map((x) => (
            <label key={x}>
              <input
                type="checkbox"
                checked={events.includes(x)}
                onChange={(e) => setEvents(e.target.checked ? [...events, x] : events.filter((y) => y !== x))}
              />
              {label(x)}
            </label>
          ))}
        </fieldset>
        <button type="submit" className="btn" disabled={events.length === 0}>
          {ht('form.submit')}
        </button>
      </form>
      {items && !items.length && <p className="empty">{ht('list.empty')}</p>}
      {items && items.length > 0 && (
        <div className="table-wrap">
          <table className="doc-table" data-testid="webhook-list">
            <caption className="visually-hidden">{ht('list.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{ht('col.url')}</th>
                <th scope="col">{ht('col.events')}</th>
                <th scope="col">{ht('col.status')}</th>
                <th scope="col">{ht('col.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((s) => (
                <tr key={s.id} data-url={s.url}>
                  <td>{s.url}</td>
                  <td>{s.eventTypes.map(label).join('、')}</td>
                  <td data-field="status">
                    {s.active
                      ? ht('status.active', { n: s.activeSecrets })
                      : ht('status.disabled', { reason: reasonText(ht, s.disabledReason) })}
                  </td>
                  <td>
                    {button(
                      s,
                      ht('ping'),
                      () =>
                        void act(
                          () => unwrap(client.POST('/api/webhooks/subscriptions/{id}/ping', { ...path(s), body: {} })),
                          () => setDone(ht('done.ping')),
                        ),
                    )}
                    {button(
                      s,
                      ht('rotate'),
                      () =>
                        void act(
                          () => unwrap(client.POST('/api/webhooks/subscriptions/{id}/rotate-secret', { ...path(s), body: {} })),
                          (d) => setSecret(d.secret),
                        ),
                    )}
                    {button(
                      s,
                      s.active ? ht('disable') : ht('enable'),
                      () =>
                        void act(() =>
                          unwrap(client.PATCH('/api/webhooks/subscriptions/{id}', { ...path(s), body: { active: !s.active } })),
                        ),
                    )}
                    {button(s, ht('log'), () => {
                      setOpen(s);
                      void loadLog(s.id);
                    })}
                    {button(
                      s,
                      ht('delete'),
                      () =>
                        void act(async () => {
                          await unwrap(client.DELETE('/api/webhooks/subscriptions/{id}', path(s)));
                          if (open?.id === s.id) setOpen(null);
                        }),
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {open && (
        <section aria-labelledby="webhook-log-title">
          <h2 id="webhook-log-title">{ht('log.title', { url: open.url })}</h2>
          {!log.length && <p className="empty">{ht('log.empty')}</p>}
          <ul className="delivery-log">
            {log.map((d) => (
              <li key={d.id}>
                <p>{ht('delivery.line', { event: label(d.eventType), status: ht(`delivery.${d.status}`), n: d.attempts })}</p>
                {d.log.length > 0 && (
                  <ol>
                    {d.log.map((a) => (
                      <li key={a.attempt}>
                        {ht('attempt.line', {
                          n: a.attempt,
                          at: formatDateTime(a.startedAt, locale),
                          result: a.responseStatus !== null ? `HTTP ${a.responseStatus}` : (a.error ?? ''),
                          ms: a.durationMs,
                        })}
                        {a.responseBody ? `：${a.responseBody.slice(0, 120)}` : ''}
                      </li>
                    ))}
                  </ol>
                )}
                <button
                  type="button"
                  className="btn btn-ghost"
                  onClick={() =>
                    void act(
                      () =>
                        unwrap(
                          client.POST('/api/webhooks/subscriptions/{id}/deliveries/{deliveryId}/redeliver', {
                            params: { path: { id: open.id, deliveryId: d.id } },
                            body: {},
                          }),
                        ),
                      () => setDone(ht('done.redeliver')),
                    )
                  }
                >
                  {ht('redeliver')}
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
    </main>
  );
}
