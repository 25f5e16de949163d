/**
 * 我的待办: documents waiting for me, grouped by task with a count per group. Each task says who handed it on, when
 * it arrived, how long it has waited, its due date, urgency and the reminders (催办) sent; a return shows its reason.
 * Filters (task, urgency, overdue) and the sort (urgency, received, due) live in the address, so a reload or a
 * bookmark keeps them; the server filters, over every task, and the list reads on page after page on request. New work arrives through the server's event stream (inbox.ts useTaskStream), not a timer.
 */
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { OnBehalfTag } from '../components/OnBehalfTag';
import { ErrorBox, Loading } from '../components/ErrorBox';
import { IncomingInboxLink } from '../components/incoming/IncomingInboxLink';
import { Notices } from '../components/Notices';
import { formatDateTime, kindLabel, TASK_ORDER } from '../format';
import { useI18n } from '../i18n';
import { applyFilters, filtersHref, isOverdue, readFilters, sortTasks, SORTS, URGENCIES, useNow, useStreamState, waited } from '../inbox';
import { useIbT } from '../inbox-strings';
import { useTaskPages, useTasks } from '../queries';
import { Link, navigate } from '../router';
import type { ListItem, TaskKind } from '../types';
import './inbox.css';

export function DocBadges({ item }: { item: Pick<ListItem, 'urgency' | 'classification'> }) {
  const { t } = useI18n();
  return (
    <>
      {item.urgency !== 'none' && <span className={`badge urgency-${item.urgency}`}>{t(`urgency.${item.urgency}`)}</span>}
      {item.classification !== 'none' && <span className="badge classified">{t(`class.${item.classification}`)}</span>}
    </>
  );
}

function TaskMeta({ item, now }: { item: ListItem; now: number }) {
  const { t, tx, lang, locale } = useI18n();
  const { ib } = useIbT();
  const task = item.task;
  const overdue = isOverdue(item, now);
  return (
    <>
      <div className="doc-item-meta muted small">
        <span data-field="sender">{task?.senderName ? ib('item.sender', { name: task.senderName }) : ib('item.senderUnknown')}</span>
        {task?.receivedAt && (
          <span data-field="received">
            <time dateTime={task.receivedAt}>{ib('item.received', { time: formatDateTime(task.receivedAt, locale) })}</time>
          </span>
        )}
        {task?.receivedAt && <span data-field="waiting">{ib('item.waiting', { d: waited(task.receivedAt, now, ib) })}</span>}
        <span data-field="due" className={overdue ? 'overdue' : ''}>
          {item.deadline ? ib('item.due', { date: formatDateTime(item.deadline, locale) }) : ib('item.noDue')}
          {overdue ? ` · ${t('inbox.overdue')}` : ''}
        </span>
        <span data-field="urgency">{ib('item.urgency', { u: t(`urgency.${item.urgency}`) })}</span>
        <span data-field="reminders" className={task && task.reminders > 0 ? 'reminded' : ''}>
          {ib('item.reminders', { n: task?.reminders ?? 0 })}
        </span>
      </div>
      <div className="doc-item-meta muted small">
        {item.onBehalfOf && <OnBehalfTag principalId={item.onBehalfOf} />}
        <span>{kindLabel(lang, item.kind)}</span>
        <span>{tx(`state.${item.state}`, item.state)}</span>
        {item.documentNumber && <span>{item.documentNumber}</span>}
        <span>{t('common.revision', { n: item.currentRevision })}</span>
      </div>
      {task?.returned && task.reason && (
        <p className="return-reason small" data-field="reason">
          {ib('item.reason', { reason: task.reason })}
        </p>
      )}
    </>
  );
}

export function InboxPage({ search }: { search: URLSearchParams }) {
  const { t, locale } = useI18n();
  const { ib } = useIbT();
  const uid = useId();
  const filters = readFilters(search);
  // the task kind, urgency and "overdue" are filtered by the server (over every task, not only the first page)
  const serverFilter =
    filters.task || filters.urgency || filters.overdue ? { task: filters.task, urgency: filters.urgency, overdue: filters.overdue } : null;
  const all = useTasks();
  const tasks = useTaskPages(serverFilter);
  const live = useStreamState();
  const now = useNow();
  const items = useMemo(() => {
    if (!tasks.data) return null;
    // a document the pages both hold (its place moved between two reads) is listed once
    const seen = new Set<string>();
    return tasks.data.pages.flatMap((p) => p.items).filter((i) => i.myTask && !seen.has(i.id) && !!seen.add(i.id));
  }, [tasks.data]);
  const error = tasks.error;
  const updatedAt = tasks.dataUpdatedAt ? new Date(tasks.dataUpdatedAt) : null;
  const [fresh, setFresh] = useState<Set<string>>(new Set());
  const known = useRef<Set<string> | null>(null);

  // what arrived since the previous answer is highlighted (not on the first one)
  useEffect(() => {
    if (!all.data) return;
    const ids = new Set(all.data.items.map((i) => i.id));
    if (known.current) {
      const added = all.data.items.filter((i) => !known.current!.has(i.id)).map((i) => i.id);
      if (added.length) setFresh(new Set(added));
    }
    known.current = ids;
  }, [all.data]);

  useEffect(() => {
    document.title = `${t('inbox.title')} · ${t('app.name')}`;
  }, [t]);

  const set = (change: Partial<typeof filters>) => navigate(filtersHref({ ...filters, ...change }), { replace: true });
  const shown = applyFilters(items ?? [], filters, now);
  const groups = TASK_ORDER.map((task) => ({
    task,
    items: sortTasks(
      shown.filter((i) => i.myTask === task),
      filters.sort,
    ),
  })).filter((g) => g.items.length);
  const total = all.data?.items.filter((i) => i.myTask).length ?? null;
  // the kinds among my tasks; every kind when they are more than one page (the server finds them past it)
  const kinds = TASK_ORDER.filter((k) => all.data?.nextCursor || (all.data?.items ?? []).some((i) => i.myTask === k));
  const filtered = filters.task !== null || filters.urgency !== null || filters.overdue;

  return (
    <main id="main" className="page" tabIndex={-1}>
      <div className="page-head">
        <h1>{t('inbox.title')}</h1>
        {total !== null && <p className="muted">{t('inbox.total', { n: total })}</p>}
      </div>
      <p className="muted small live-line" aria-live="off" data-testid="live">
        <span className={`live-dot live-${live}`} aria-hidden="true" />
        {live === 'open' ? ib('live.on') : ib('live.off')}
        {updatedAt && ` ${ib('live.updated', { time: updatedAt.toLocaleTimeString(locale) })}`}
      </p>
      <p className="visually-hidden" aria-live="polite">
        {fresh.size > 0 ? t('inbox.new', { n: fresh.size }) : ''}
      </p>
      <Notices />
      <IncomingInboxLink />
      {total !== null && total > 0 && (
        <form className="filters inbox-filters" aria-label={ib('filter.legend')} onSubmit={(e) => e.preventDefault()}>
          <div className="field">
            <label htmlFor={`${uid}-task`}>{ib('filter.task')}</label>
            <select
              id={`${uid}-task`}
              value={filters.task ?? ''}
              onChange={(e) => set({ task: (e.target.value || null) as TaskKind | null })}
            >
              <option value="">{ib('filter.taskAll')}</option>
              {(filters.task && !kinds.includes(filters.task) ? [...kinds, filters.task] : kinds).map((k) => (
                <option key={k} value={k}>
                  {t(`task.${k}` as `task.${TaskKind}`)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${uid}-urg`}>{ib('filter.urgency')}</label>
            <select
              id={`${uid}-urg`}
              value={filters.urgency ?? ''}
              onChange={(e) => set({ urgency: (e.target.value || null) as (typeof URGENCIES)[number] | null })}
            >
              <option value="">{ib('filter.urgencyAll')}</option>
              {URGENCIES.map((u) => (
                <option key={u} value={u}>
                  {t(`urgency.${u}`)}
                </option>
              ))}
            </select>
          </div>
          <div className="field field-check">
            <input id={`${uid}-od`} type="checkbox" checked={filters.overdue} onChange={(e) => set({ overdue: e.target.checked })} />
            <label htmlFor={`${uid}-od`}>{ib('filter.overdue')}</label>
          </div>
          <div className="field">
            <label htmlFor={`${uid}-sort`}>{ib('filter.sort')}</label>
            <select id={`${uid}-sort`} value={filters.sort} onChange={(e) => set({ sort: e.target.value as (typeof SORTS)[number] })}>
              {SORTS.map((s) => (
                <option key={s} value={s}>
                  {ib(`sort.${s}`)}
                </option>
              ))}
            </select>
          </div>
          {filtered && (
            <div className="field">
              <button type="button" className="btn btn-small" onClick={() => set({ task: null, urgency: null, overdue: false })}>
                {ib('filter.clear')}
              </button>
            </div>
          )}
        </form>
      )}
      {items && tasks.hasNextPage && (
        <p className="note small" data-testid="capped">
          {ib(serverFilter ? 'filter.cappedFiltered' : 'filter.capped', { n: items.length })}
        </p>
      )}
      {items && filtered && (
        <p className="muted small" data-testid="shown">
          {ib('filter.shown', { n: shown.length, total: total ?? items.length })}
        </p>
      )}
      {error ? <ErrorBox error={error} onRetry={() => void tasks.refetch()} /> : null}
      {!items && !error && <Loading />}
      {total === 0 && !serverFilter && <p className="empty">{t('inbox.empty')}</p>}
      {items && (total ?? 0) > 0 && shown.length === 0 && <p className="empty">{ib('filter.none')}</p>}
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
            {g.items.map((i) => (
              <li key={i.id} className={`doc-item${fresh.has(i.id) ? ' fresh' : ''}`} data-title={i.title}>
                <div className="doc-item-title">
                  <DocBadges item={i} />
                  {i.task?.returned && <span className="badge returned">{ib('item.returned')}</span>}
                  <Link href={`/documents/${i.id}`}>{i.title}</Link>
                </div>
                <TaskMeta item={i} now={now} />
              </li>
            ))}
          </ul>
        </section>
      ))}
      {tasks.hasNextPage && (
        <p>
          <button
            type="button"
            className="btn"
            data-testid="more"
            disabled={tasks.isFetchingNextPage}
            onClick={() => void tasks.fetchNextPage()}
          >
            {ib('filter.more')}
          </button>
        </p>
      )}
    </main>
  );
}
