/**
 * 我的待办: documents waiting for me, grouped by task with a count per group; 特急 and 加急 first, then by deadline,
 * then oldest first. Polls every 8 s (and when the tab becomes visible) so new work appears without reloading.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../api';
import { ErrorBox, Loading } from '../components/ErrorBox';
import { compareTasks, formatDate, formatDateTime, kindLabel, TASK_ORDER } from '../format';
import { useI18n } from '../i18n';
import { Link } from '../router';
import type { ListItem, TaskKind } from '../types';

export const POLL_MS = 8000;

export function DocBadges({ item }: { item: Pick<ListItem, 'urgency' | 'classification'> }) {
  const { t } = useI18n();
  return (
    <>
      {item.urgency !== 'none' && <span className={`badge urgency-${item.urgency}`}>{t(`urgency.${item.urgency}`)}</span>}
      {item.classification !== 'none' && <span className="badge classified">{t(`class.${item.classification}`)}</span>}
    </>
  );
}

export function InboxPage() {
  const { t, tx, lang, locale } = useI18n();
  const [items, setItems] = useState<ListItem[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [updatedAt, setUpdatedAt] = useState<Date | null>(null);
  const [fresh, setFresh] = useState<Set<string>>(new Set());
  const known = useRef<Set<string> | null>(null);

  const load = useCallback(async (signal?: AbortSignal) => {
    try {
      const page = await api.tasks(signal);
      const ids = new Set(page.items.map((i) => i.id));
      if (known.current) {
        const added = page.items.filter((i) => !known.current!.has(i.id)).map((i) => i.id);
        if (added.length) setFresh(new Set(added));
      }
      known.current = ids;
      setItems(page.items.filter((i) => i.myTask));
      setError(null);
      setUpdatedAt(new Date());
    } catch (e) {
      if ((e as Error).name !== 'AbortError') setError(e);
    }
  }, []);

  useEffect(() => {
    document.title = `${t('inbox.title')} · ${t('app.name')}`;
  }, [t]);

  useEffect(() => {
    const ctl = new AbortController();
    void load(ctl.signal);
    const timer = window.setInterval(() => {
      if (document.visibilityState === 'visible') void load(ctl.signal);
    }, POLL_MS);
    const onVisible = () => document.visibilityState === 'visible' && void load(ctl.signal);
    document.addEventListener('visibilitychange', onVisible);
    // a new task of mine (or of my role's pool) arrives as a server-sent event: reload at once; the poll stays
    // as the fallback (a dropped stream reconnects by itself)
    // (a burst of events: one reload in flight and at most one more after it, so answers cannot arrive out of order)
    let inFlight = false;
    let again = false;
    const reload = () => {
      if (inFlight) {
        again = true;
        return;
      }
      inFlight = true;
      void load(ctl.signal).finally(() => {
        inFlight = false;
        if (again && !ctl.signal.aborted) {
          again = false;
          reload();
        }
      });
    };
    const events = typeof EventSource === 'undefined' ? null : new EventSource('/api/notifications/stream');
    events?.addEventListener('task', reload);
    return () => {
      ctl.abort();
      events?.close();
      clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [load]);

  const groups = TASK_ORDER.map((task) => ({ task, items: (items ?? []).filter((i) => i.myTask === task).sort(compareTasks) })).filter((g) => g.items.length);
  const now = Date.now();

  return (
    <main id="main" className="page" tabIndex={-1}>
      <div className="page-head">
        <h1>{t('inbox.title')}</h1>
        {items && <p className="muted">{t('inbox.total', { n: items.length })}</p>}
      </div>
      <p className="muted small" aria-live="off">{updatedAt && t('inbox.refresh', { s: POLL_MS / 1000, time: updatedAt.toLocaleTimeString(locale) })}</p>
      <p className="visually-hidden" aria-live="polite">{fresh.size > 0 ? t('inbox.new', { n: fresh.size }) : ''}</p>
      {error ? <ErrorBox error={error} onRetry={() => void load()} /> : null}
      {!items && !error && <Loading />}
      {items && items.length === 0 && <p className="empty">{t('inbox.empty')}</p>}
      {groups.length > 0 && (
        <nav aria-label={t('inbox.groups')} className="group-nav">
          <ul>
            {groups.map((g) => (
              <li key={g.task}><a href={`#task-${g.task}`}>{t(`task.${g.task}` as `task.${TaskKind}`)} <span className="count">{g.items.length}</span></a></li>
            ))}
          </ul>
        </nav>
      )}
      {groups.map((g) => (
        <section key={g.task} className="task-group" aria-labelledby={`task-${g.task}`} data-task={g.task}>
          <h2 id={`task-${g.task}`} tabIndex={-1}>
            {t(`task.${g.task}` as `task.${TaskKind}`)} <span className="count" data-testid={`count-${g.task}`}>{g.items.length}</span>
          </h2>
          <ul className="doc-list">
            {g.items.map((i) => {
              const overdue = i.deadline && new Date(i.deadline).getTime() < now;
              return (
                <li key={i.id} className={`doc-item${fresh.has(i.id) ? ' fresh' : ''}`}>
                  <div className="doc-item-title">
                    <DocBadges item={i} />
                    <Link href={`/documents/${i.id}`}>{i.title}</Link>
                  </div>
                  <div className="doc-item-meta muted small">
                    <span>{kindLabel(lang, i.kind)}</span>
                    <span>{tx(`state.${i.state}`, i.state)}</span>
                    {i.documentNumber && <span>{i.documentNumber}</span>}
                    <span>{t('common.revision', { n: i.currentRevision })}</span>
                    {i.deadline && (
                      <span className={overdue ? 'overdue' : ''}>
                        {t('inbox.deadline', { date: formatDateTime(i.deadline, locale) })}{overdue ? ` · ${t('inbox.overdue')}` : ''}
                      </span>
                    )}
                    <span>{t('inbox.opened', { date: formatDate(i.createdAt, locale) })}</span>
                  </div>
                </li>
              );
            })}
          </ul>
        </section>
      ))}
    </main>
  );
}
