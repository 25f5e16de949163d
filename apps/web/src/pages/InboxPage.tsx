/**
 * 我的待办: documents waiting for me, grouped by task with a count per group; 特急 and 加急 first, then by deadline,
 * then oldest first. Polls every 8 s (and when the tab becomes visible) so new work appears without reloading.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState } from 'react';
import { ErrorBox, Loading } from '../components/ErrorBox';
import { IncomingInboxLink } from '../components/incoming/IncomingInboxLink';
import { Notices, NOTICES_KEY } from '../components/Notices';
import { compareTasks, formatDate, formatDateTime, kindLabel, TASK_ORDER } from '../format';
import { useI18n } from '../i18n';
import { keys, useTasks } from '../queries';
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
  const queryClient = useQueryClient();
  const tasks = useTasks(POLL_MS);
  const items = useMemo(() => tasks.data?.items.filter((i) => i.myTask) ?? null, [tasks.data]);
  const error = tasks.error;
  const updatedAt = tasks.dataUpdatedAt ? new Date(tasks.dataUpdatedAt) : null;
  const [fresh, setFresh] = useState<Set<string>>(new Set());
  const known = useRef<Set<string> | null>(null);

  // what arrived since the previous answer is highlighted (not on the first one)
  useEffect(() => {
    if (!tasks.data) return;
    const ids = new Set(tasks.data.items.map((i) => i.id));
    if (known.current) {
      const added = tasks.data.items.filter((i) => !known.current!.has(i.id)).map((i) => i.id);
      if (added.length) setFresh(new Set(added));
    }
    known.current = ids;
  }, [tasks.data]);

  useEffect(() => {
    document.title = `${t('inbox.title')} · ${t('app.name')}`;
  }, [t]);

  useEffect(() => {
    // the poll (refetchInterval) pauses in a hidden tab; coming back reloads at once
    const onVisible = () => document.visibilityState === 'visible' && void queryClient.invalidateQueries({ queryKey: keys.tasks });
    document.addEventListener('visibilitychange', onVisible);
    // a new task of mine (or of my role's pool) arrives as a server-sent event: reload at once; the poll stays
    // as the fallback (a dropped stream reconnects by itself). TanStack Query runs one fetch at a time per key
    // (a reload during one cancels and restarts it), so answers cannot arrive out of order.
    const reload = () => void queryClient.invalidateQueries({ queryKey: keys.tasks });
    const events = typeof EventSource === 'undefined' ? null : new EventSource('/api/notifications/stream');
    events?.addEventListener('task', reload);
    // a notice for me (a webhook subscription of mine was disabled): reload the notices
    events?.addEventListener('notice', () => void queryClient.invalidateQueries({ queryKey: NOTICES_KEY }));
    return () => {
      events?.close();
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [queryClient]);

  const groups = TASK_ORDER.map((task) => ({ task, items: (items ?? []).filter((i) => i.myTask === task).sort(compareTasks) })).filter(
    (g) => g.items.length,
  );
  const now = Date.now();

  return (
    <main id="main" className="page" tabIndex={-1}>
      <div className="page-head">
        <h1>{t('inbox.title')}</h1>
        {items && <p className="muted">{t('inbox.total', { n: items.length })}</p>}
      </div>
      <p className="muted small" aria-live="off">
        {updatedAt && t('inbox.refresh', { s: POLL_MS / 1000, time: updatedAt.toLocaleTimeString(locale) })}
      </p>
      <p className="visually-hidden" aria-live="polite">
        {fresh.size > 0 ? t('inbox.new', { n: fresh.size }) : ''}
      </p>
      <Notices pollMs={POLL_MS} />
      <IncomingInboxLink />
      {error ? <ErrorBox error={error} onRetry={() => void tasks.refetch()} /> : null}
      {!items && !error && <Loading />}
      {items && items.length === 0 && <p className="empty">{t('inbox.empty')}</p>}
      {groups.length > 0 && (
        <nav aria-label={t('inbox.groups')} className="group-nav">
          <ul>
            {groups.map((g) => (
              <li key={g.task}>
                <a href={`#task-${g.task}`}>
                  {t(`task.${g.task}` as `task.${TaskKind}`)} <span className="count">{g.items.length}</span>
                </a>
              </li>
            ))}
          </ul>
        </nav>
      )}
      {groups.map((g) => (
        <section key={g.task} className="task-group" aria-labelledby={`task-${g.task}`} data-task={g.task}>
          <h2 id={`task-${g.task}`} tabIndex={-1}>
            {t(`task.${g.task}` as `task.${TaskKind}`)}{' '}
            <span className="count" data-testid={`count-${g.task}`}>
              {g.items.length}
            </span>
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
                        {t('inbox.deadline', { date: formatDateTime(i.deadline, locale) })}
                        {overdue ? ` · ${t('inbox.overdue')}` : ''}
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
