/**
 * The notification centre in the top bar: new tasks (from whom), returns (by whom, with the reason) and reminders
 * (催办), newest first, unread ones marked. Read/unread is kept on the server per user (POST …/notifications-read),
 * so it holds on every device; opening the document from here, or on its page, marks its news read. It also owns
 * the event stream that keeps the task list live (inbox.ts useTaskStream).
 */
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { api } from '../api';
import { formatDateTime } from '../format';
import { useI18n } from '../i18n';
import { notificationsOf, useTaskStream, type InboxNotification } from '../inbox';
import { useIbT } from '../inbox-strings';
import { keys, useTasks } from '../queries';
import { Link, useLocation } from '../router';
import type { TaskKind } from '../types';
import '../pages/inbox.css';

export function NotificationCentre() {
  const { t, locale } = useI18n();
  const { ib } = useIbT();
  const uid = useId();
  const queryClient = useQueryClient();
  useTaskStream();
  const tasks = useTasks();
  const { path } = useLocation();
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const list = notificationsOf(tasks.data?.items.filter((i) => i.myTask) ?? []);
  const unread = list.filter((n) => n.unread);
  const marking = useRef(new Set<string>());

  // each piece of news is sent once (a re-render before the list is read again does not send it twice)
  const markRead = useCallback(
    async (ns: InboxNotification[]) => {
      const todo = ns.filter((n) => n.unread && !marking.current.has(`${n.item.id}@${n.at}`));
      if (!todo.length) return;
      todo.forEach((n) => marking.current.add(`${n.item.id}@${n.at}`));
      await Promise.allSettled(todo.map((n) => api.notificationsRead(n.item.id, n.at)));
      await queryClient.invalidateQueries({ queryKey: keys.tasks });
    },
    [queryClient],
  );

  // the news about the document on screen is read
  const onScreen = /^\/documents\/([^/]+)\/?$/.exec(path)?.[1];
  const unreadHere = unread.find((n) => n.item.id === onScreen);
  useEffect(() => {
    if (unreadHere) void markRead([unreadHere]);
  }, [unreadHere, markRead]);

  // Escape or a click outside closes the panel
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        setOpen(false);
        button.current?.focus();
      }
    };
    const onClick = (e: MouseEvent) => {
      if (root.current && !root.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('keydown', onKey);
    document.addEventListener('mousedown', onClick);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('mousedown', onClick);
    };
  }, [open]);

  const describe = (n: InboxNotification) => {
    const task = n.item.task;
    const sender = task?.senderName ?? '—';
    if (n.kind === 'reminded') return ib('notif.reminded', { n: task?.reminders ?? 1 });
    if (n.kind === 'returned')
      return task?.reason ? ib('notif.returned', { sender, reason: task.reason }) : ib('notif.returnedNoReason', { sender });
    const kind = t(`task.${n.item.myTask as TaskKind}`);
    return task?.senderName ? ib('notif.new', { sender, task: kind }) : ib('notif.newNoSender', { task: kind });
  };

  return (
    <div className="notif" ref={root}>
      <button
        ref={button}
        type="button"
        className="btn btn-ghost"
        aria-expanded={open}
        aria-controls={`${uid}-panel`}
        onClick={() => setOpen((o) => !o)}
        data-testid="notif-button"
      >
        {unread.length ? ib('notif.buttonUnread', { n: unread.length }) : ib('notif.button')}
      </button>
      {open && (
        <section id={`${uid}-panel`} className="notif-panel" aria-labelledby={`${uid}-h`} data-testid="notif-panel">
          <div className="panel-head">
            <h2 id={`${uid}-h`}>{ib('notif.title')}</h2>
            {unread.length > 0 && (
              <button type="button" className="btn btn-small" onClick={() => void markRead(unread)}>
                {ib('notif.markAll')}
              </button>
            )}
            <button type="button" className="btn btn-small" onClick={() => setOpen(false)}>
              {ib('notif.close')}
            </button>
          </div>
          {list.length === 0 ? (
            <p className="muted">{ib('notif.empty')}</p>
          ) : (
            <ul className="notif-list">
              {list.map((n) => (
                <li
                  key={`${n.item.id}@${n.at}`}
                  className={`notif-item${n.unread ? ' unread' : ''}`}
                  data-kind={n.kind}
                  data-unread={n.unread ? 'true' : 'false'}
                >
                  <span className="notif-state">{n.unread ? ib('notif.unread') : ib('notif.read')}</span>
                  <Link
                    href={`/documents/${n.item.id}`}
                    onClick={() => {
                      setOpen(false);
                      void markRead([n]);
                    }}
                  >
                    {n.item.title}
                  </Link>
                  <span className="small">{describe(n)}</span>
                  <span className="muted small">
                    <time dateTime={n.at}>{formatDateTime(n.at, locale)}</time>
                  </span>
                  {n.unread && (
                    <span>
                      <button type="button" className="btn btn-small" onClick={() => void markRead([n])}>
                        {ib('notif.markRead')}
                      </button>
                    </span>
                  )}
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
    </div>
  );
}
