/**
 * 收文办理: a page per queue of my unit (待签收, 待登记, 待初审, 待拟办, 待批示, 承办中, 传阅中, 待答复, 催办/逾期, 全部)
 * with urgency, deadline, sender, 来文字号 and how long each item has waited in its stage; and, for the registrar,
 * the 收文登记簿 of a date range as CSV or DOCX. The queue is read again every QUEUE_POLL_MS.
 */
import { useEffect, useId, useState } from 'react';
import { ErrorBox, Loading } from '../../components/ErrorBox';
import { ExternalRegistration } from '../../components/incoming/ExternalRegistration';
import { OnBehalfTag } from '../../components/OnBehalfTag';
import { formatDate } from '../../format';
import { useI18n } from '../../i18n';
import { incomingApi, QUEUE_POLL_MS, useIncomingQueue } from '../../incoming-queries';
import { useInT, type IT } from '../../incoming-strings';
import { QUEUES, type IncomingSummary, type Queue } from '../../incoming-types';
import { Link } from '../../router';
import { useUser } from '../../session';

/** The queues each role works from first (the first one is where the page opens). */
export function queuesFor(roles: string[]): Queue[] {
  const mine: Queue[] = [];
  if (roles.includes('registrar')) mine.push('receipt', 'registration', 'check', 'circulation', 'answer', 'overdue');
  if (roles.includes('chief')) mine.push('proposal');
  if (roles.includes('leader')) mine.push('instruction', 'circulation');
  if (roles.includes('handler')) mine.push('handling', 'answer', 'overdue');
  if (roles.includes('registrar') || roles.includes('archivist')) mine.push('done');
  return QUEUES.filter((q) => mine.includes(q) || q === 'all');
}

/** Whether a user works with incoming documents at all (the menu entry). */
export const worksWithIncoming = (roles: string[]) =>
  ['registrar', 'chief', 'leader', 'handler', 'archivist'].some((r) => roles.includes(r));

function waited(since: string | null | undefined, now: number, it: IT): string {
  if (!since) return '—';
  const min = Math.max(0, Math.floor((now - new Date(since).getTime()) / 60000));
  if (min < 60) return it('wait.minutes', { n: min });
  if (min < 60 * 24) return it('wait.hours', { n: Math.floor(min / 60) });
  return it('wait.days', { n: Math.floor(min / 60 / 24) });
}

function isOverdue(i: IncomingSummary, now: number): boolean {
  if (i.overdue != null) return i.overdue;
  if (!i.deadline) return false;
  // a date alone is due at the end of that day
  const end = i.deadline.length === 10 ? new Date(`${i.deadline}T23:59:59+08:00`) : new Date(i.deadline);
  return end.getTime() < now;
}

function QueueTable({ queue }: { queue: Queue }) {
  const { t } = useI18n();
  const { it, stateLabel, locale } = useInT();
  const list = useIncomingQueue(queue);
  const items: IncomingSummary[] | null = list.data?.pages.flatMap((p) => p.items) ?? null;
  const now = Date.now();
  if (list.error) return <ErrorBox error={list.error} onRetry={() => void list.refetch()} />;
  if (!items) return <Loading />;
  if (!items.length) return <p className="empty">{it('queue.empty')}</p>;
  return (
    <>
      <div className="table-wrap">
        <table className="doc-table" data-testid="incoming-queue">
          <caption className="visually-hidden">{it('queue.table', { queue: it(`queue.${queue}`) })}</caption>
          <thead>
            <tr>
              <th scope="col">{it('queue.colTitle')}</th>
              <th scope="col">{it('queue.colUrgency')}</th>
              <th scope="col">{it('queue.colSender')}</th>
              <th scope="col">{it('queue.colSenderNumber')}</th>
              <th scope="col">{it('queue.colReceiveNumber')}</th>
              {(queue === 'all' || queue === 'overdue') && <th scope="col">{it('queue.colState')}</th>}
              <th scope="col">{it('queue.colDeadline')}</th>
              <th scope="col">{it('queue.colWaiting')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((i) => {
              const overdue = isOverdue(i, now);
              return (
                <tr key={i.id} data-urgency={i.urgency}>
                  <td>
                    {i.classification !== 'none' && <span className="badge classified">{t(`class.${i.classification}`)}</span>}{' '}
                    <Link href={`/incoming/${i.id}`}>{i.title}</Link>
                    {i.onBehalfOf && (
                      <>
                        {' '}
                        <OnBehalfTag principalId={i.onBehalfOf} />
                      </>
                    )}
                  </td>
                  <td>
                    {i.urgency !== 'none' ? (
                      <span className={`badge urgency-${i.urgency}`}>{t(`urgency.${i.urgency}`)}</span>
                    ) : (
                      t('urgency.none')
                    )}
                  </td>
                  <td>{i.senderName}</td>
                  <td>{i.senderNumber ?? '—'}</td>
                  <td>{i.receiveNumber ?? '—'}</td>
                  {(queue === 'all' || queue === 'overdue') && (
                    <td>
                      <span className={`badge state state-${i.state}`}>{stateLabel(i.state)}</span>
                    </td>
                  )}
                  <td>
                    {i.deadline ? formatDate(i.deadline, locale) : '—'}
                    {overdue && <span className="badge badge-bad"> {it('queue.overdueBadge')}</span>}
                  </td>
                  <td>{waited(i.stateSince, now, it)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <p className="muted small">
        {it('queue.count', { n: items.length })} · {it('queue.refresh', { s: QUEUE_POLL_MS / 1000 })}
      </p>
      {list.hasNextPage && (
        <button type="button" className="btn" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
          {list.isFetchingNextPage ? t('common.loading') : it('queue.more')}
        </button>
      )}
    </>
  );
}

/** Today in the office's time zone (YYYY-MM-DD). */
const today = () => new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' });

/** 收文登记簿: my unit's register for a range of receipt dates, downloaded as CSV or DOCX. */
function RegisterBook() {
  const { it } = useInT();
  const uid = useId();
  const [from, setFrom] = useState(() => `${today().slice(0, 4)}-01-01`);
  const [to, setTo] = useState(today);
  const invalid = !from || !to || to < from;
  return (
    <section className="panel" aria-labelledby={`${uid}-h`} data-testid="register-book">
      <h2 id={`${uid}-h`}>{it('book.title')}</h2>
      <p className="muted small">{it('book.intro')}</p>
      <div className="form-grid">
        <div className="field">
          <label htmlFor={`${uid}-from`}>{it('book.from')}</label>
          <input id={`${uid}-from`} type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={`${uid}-to`}>{it('book.to')}</label>
          <input id={`${uid}-to`} type="date" value={to} onChange={(e) => setTo(e.target.value)} />
        </div>
      </div>
      {invalid ? (
        <p className="field-error" role="alert">
          {it('book.invalid')}
        </p>
      ) : (
        <p className="form-buttons">
          <a className="btn" href={incomingApi.registerUrl(from, to, 'csv')} download data-testid="book-csv">
            {it('book.csv')}
          </a>
          <a className="btn" href={incomingApi.registerUrl(from, to, 'docx')} download data-testid="book-docx">
            {it('book.docx')}
          </a>
        </p>
      )}
    </section>
  );
}

export function IncomingQueuePage({ queue: asked }: { queue: string | null }) {
  const { t } = useI18n();
  const { it } = useInT();
  const user = useUser();
  const queues = queuesFor(user.roles);
  const queue: Queue = (QUEUES as readonly string[]).includes(asked ?? '') ? (asked as Queue) : queues[0];
  const tabs = queues.includes(queue) ? queues : [...queues, queue];

  useEffect(() => {
    document.title = `${it(`queue.${queue}`)} · ${it('queue.title')} · ${t('app.name')}`;
  }, [it, t, queue]);

  return (
    <main id="main" className="page" tabIndex={-1}>
      <nav aria-label={it('queue.tabs')} className="subnav">
        <ul>
          {tabs.map((q) => (
            <li key={q}>
              <Link href={`/incoming?queue=${q}`} aria-current={q === queue ? 'page' : undefined}>
                {it(`queue.${q}`)}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <div className="page-head">
        <h1>{it(`queue.${queue}`)}</h1>
      </div>
      <QueueTable key={queue} queue={queue} />
      {user.roles.includes('registrar') && queue === 'registration' && <ExternalRegistration />}
      {user.roles.includes('registrar') && <RegisterBook />}
    </main>
  );
}
