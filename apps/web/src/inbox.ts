/**
 * The inbox's logic, apart from its rendering: the filters and sort kept in the address (?task=&urgency=&overdue=1
 * &sort=), how long a task has waited, the notification centre's entries derived from the tasks, the next task
 * after one is done, and the server-sent event stream that keeps the task list current without polling.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { compareTasks, TASK_ORDER } from './format';
import type { IbT } from './inbox-strings';
import { NOTICES_KEY } from './components/Notices';
import { incomingKeys } from './incoming-queries';
import { keys } from './queries';
import type { ListItem, TaskKind } from './types';

export type SortKey = 'urgency' | 'received' | 'due';
export const SORTS: SortKey[] = ['urgency', 'received', 'due'];
export const URGENCIES = ['extra_urgent', 'urgent', 'none'] as const;

export interface InboxFilters {
  task: TaskKind | null;
  urgency: (typeof URGENCIES)[number] | null;
  overdue: boolean;
  sort: SortKey;
}

/** The filters in the address; anything unknown is ignored (an old bookmark still opens the inbox). */
export function readFilters(search: URLSearchParams): InboxFilters {
  const task = search.get('task');
  const urgency = search.get('urgency');
  const sort = search.get('sort');
  return {
    task: TASK_ORDER.includes(task as TaskKind) ? (task as TaskKind) : null,
    urgency: (URGENCIES as readonly string[]).includes(urgency ?? '') ? (urgency as InboxFilters['urgency']) : null,
    overdue: search.get('overdue') === '1',
    sort: SORTS.includes(sort as SortKey) ? (sort as SortKey) : 'urgency',
  };
}

/** The address of the inbox with these filters (the defaults left out). */
export function filtersHref(f: InboxFilters): string {
  const q = new URLSearchParams();
  if (f.task) q.set('task', f.task);
  if (f.urgency) q.set('urgency', f.urgency);
  if (f.overdue) q.set('overdue', '1');
  if (f.sort !== 'urgency') q.set('sort', f.sort);
  const s = q.toString();
  return s ? `/?${s}` : '/';
}

export const isOverdue = (i: ListItem, now: number) => i.deadline !== null && Date.parse(i.deadline) < now;

export function applyFilters(items: ListItem[], f: InboxFilters, now: number): ListItem[] {
  return items.filter(
    (i) => (!f.task || i.myTask === f.task) && (!f.urgency || i.urgency === f.urgency) && (!f.overdue || isOverdue(i, now)),
  );
}

const received = (i: ListItem) => (i.task?.receivedAt ? Date.parse(i.task.receivedAt) : Date.parse(i.createdAt));

/** The order within a task group: the inbox order (urgency, deadline, age), newest received, or earliest due. */
export function sortTasks(items: ListItem[], sort: SortKey): ListItem[] {
  const out = [...items];
  if (sort === 'received') out.sort((a, b) => received(b) - received(a) || compareTasks(a, b));
  else if (sort === 'due')
    out.sort((a, b) => {
      if (a.deadline !== b.deadline) {
        if (!a.deadline) return 1;
        if (!b.deadline) return -1;
        return a.deadline.localeCompare(b.deadline);
      }
      return compareTasks(a, b);
    });
  else out.sort(compareTasks);
  return out;
}

/** How long a task has waited, in days and hours, hours and minutes, or minutes. */
export function waited(fromIso: string | null | undefined, now: number, ib: IbT): string {
  if (!fromIso) return '';
  const min = Math.max(0, Math.floor((now - Date.parse(fromIso)) / 60_000));
  if (min < 1) return ib('dur.now');
  if (min < 60) return ib('dur.minutes', { m: min });
  const h = Math.floor(min / 60);
  if (h < 24) return ib('dur.hours', { h, m: min % 60 });
  return ib('dur.days', { d: Math.floor(h / 24), h: h % 24 });
}

/** The current time, moved on every `ms` (the waiting times count up without reloading anything). */
export function useNow(ms = 30_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}

export type NotificationKind = 'new' | 'returned' | 'reminded';

export interface InboxNotification {
  item: ListItem;
  kind: NotificationKind;
  at: string;
  unread: boolean;
}

/** One entry per task with news: a reminder if the last news was one, else a return or a new task; newest first. */
export function notificationsOf(items: ListItem[]): InboxNotification[] {
  const out: InboxNotification[] = [];
  for (const item of items) {
    const t = item.task;
    if (!t?.notifiedAt) continue;
    const kind: NotificationKind = t.reminders > 0 && t.lastRemindedAt === t.notifiedAt ? 'reminded' : t.returned ? 'returned' : 'new';
    out.push({ item, kind, at: t.notifiedAt, unread: t.unread });
  }
  return out.sort((a, b) => b.at.localeCompare(a.at));
}

/** The task to open after finishing one: the first waiting in inbox order, preferring the same kind of task. */
export function nextTask(items: ListItem[], currentId: string, preferred: TaskKind | null): ListItem | null {
  const open = items.filter((i) => i.id !== currentId && i.myTask).sort(compareTasks);
  return open.find((i) => preferred && i.myTask === preferred) ?? open[0] ?? null;
}

export type StreamState = 'connecting' | 'open' | 'closed';

// the one stream's state, for every view that shows it (the stream itself is opened once, by the notification centre)
let streamState: StreamState = 'connecting';
const streamListeners = new Set<() => void>();
function setStreamState(s: StreamState) {
  streamState = s;
  streamListeners.forEach((l) => l());
}

/** Whether the live updates are connected (for the inbox's status line). */
export function useStreamState(): StreamState {
  const [, setTick] = useState(0);
  useEffect(() => {
    const l = () => setTick((n) => n + 1);
    streamListeners.add(l);
    return () => void streamListeners.delete(l);
  }, []);
  return streamState;
}

/**
 * The server-sent event stream (GET /api/notifications/stream): a `task` event (a document became a task of mine or
 * of my role's pool, or changed while mine: a return, a reminder) reloads the task list at once. The browser
 * reconnects a dropped stream by itself; every (re)connection reloads once too, for what happened while it was
 * down, and so does coming back to a hidden tab. No polling timer.
 */
export function useTaskStream(): void {
  const queryClient = useQueryClient();
  useEffect(() => {
    const setState = setStreamState;
    const reloadNotices = () => void queryClient.invalidateQueries({ queryKey: NOTICES_KEY });
    const reload = () => {
      void queryClient.invalidateQueries({ queryKey: keys.tasks });
      // an incoming item that became my task (or my principal's, 代阅): the 收文 queues and the inbox's count of them
      void queryClient.invalidateQueries({ queryKey: [...incomingKeys.all, 'queue'] });
      reloadNotices();
    };
    const onVisible = () => document.visibilityState === 'visible' && reload();
    document.addEventListener('visibilitychange', onVisible);
    if (typeof EventSource === 'undefined') {
      setState('closed');
      return () => document.removeEventListener('visibilitychange', onVisible);
    }
    const events = new EventSource('/api/notifications/stream');
    let opened = false;
    events.addEventListener('task', reload);
    // a notice for me (a webhook subscription of mine was disabled): the notices reload
    events.addEventListener('notice', reloadNotices);
    events.addEventListener('open', () => {
      setState('open');
      if (opened) reload();
      opened = true;
    });
    events.addEventListener('error', () => setState(events.readyState === EventSource.CLOSED ? 'closed' : 'connecting'));
    return () => {
      events.close();
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [queryClient]);
}
