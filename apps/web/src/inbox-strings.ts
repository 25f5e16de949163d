/**
 * The strings of the inbox (filters, sorting, task details), the notification centre, "next document" and the phone
 * reading view: Simplified Chinese first, English second. Kept apart from strings.ts so that work on other pages
 * does not collide with these.
 */
import { useMemo } from 'react';
import { useI18n } from './i18n';

export const ibZh = {
  'filter.legend': '筛选与排序',
  'filter.task': '待办类型',
  'filter.taskAll': '全部类型',
  'filter.urgency': '紧急程度',
  'filter.urgencyAll': '全部',
  'filter.overdue': '只看已超期',
  'filter.sort': '排序',
  'filter.clear': '清除筛选',
  'sort.urgency': '按紧急程度',
  'sort.received': '按收到时间（最新在前）',
  'sort.due': '按办理期限（最早在前）',
  'filter.shown': '显示 {n} / {total} 件',
  'filter.none': '没有符合筛选条件的待办。',
  'filter.capped': '待办较多，这里显示最紧急的前 {n} 件（特急、加急在前，再按期限）；排序在这 {n} 件中进行，可继续显示更多。',
  'filter.cappedFiltered': '符合筛选条件的待办较多，这里显示最紧急的前 {n} 件；筛选在全部待办中进行，可继续显示更多。',
  'filter.more': '显示更多待办',
  'live.on': '实时更新已连接：新待办会立即出现。',
  'live.off': '实时更新已断开，正在重新连接…',
  'live.updated': '最近更新于 {time}',
  'item.sender': '送件人：{name}',
  'item.senderUnknown': '送件人：—',
  'item.received': '收到：{time}',
  'item.waiting': '已等待 {d}',
  'item.due': '期限：{date}',
  'item.noDue': '无期限',
  'item.urgency': '紧急程度：{u}',
  'item.reminders': '催办 {n} 次',
  'item.returned': '退回',
  'item.reason': '退回理由：{reason}',
  'dur.days': '{d}天{h}小时',
  'dur.hours': '{h}小时{m}分',
  'dur.minutes': '{m}分钟',
  'dur.now': '不到1分钟',
  'notif.button': '通知',
  'notif.buttonUnread': '通知（{n} 条未读）',
  'notif.title': '通知中心',
  'notif.empty': '暂无通知。',
  'notif.markAll': '全部标为已读',
  'notif.markRead': '标为已读',
  'notif.unread': '未读',
  'notif.read': '已读',
  'notif.new': '{sender}送来新待办（{task}）',
  'notif.newNoSender': '新待办（{task}）',
  'notif.returned': '{sender}退回，理由：{reason}',
  'notif.returnedNoReason': '{sender}退回',
  'notif.reminded': '催办：请尽快阅知（第 {n} 次）',
  'notif.close': '关闭',
  'next.title': '下一份待办',
  'next.open': '下一份：{title}',
  'next.none': '待办已全部处理完毕。',
  'next.back': '返回待办列表',
  'reading.title': '阅读视图',
  'reading.recipients': '主送：{names}',
  'reading.attachments': '附件',
  'reading.showPage': '查看版式预览',
  'reading.showReading': '返回阅读视图',
  'reading.page': '版式预览',
} as const;

export type IbKey = keyof typeof ibZh;

export const ibEn: Record<IbKey, string> = {
  'filter.legend': 'Filter and sort',
  'filter.task': 'Task',
  'filter.taskAll': 'All tasks',
  'filter.urgency': 'Urgency',
  'filter.urgencyAll': 'All',
  'filter.overdue': 'Overdue only',
  'filter.sort': 'Sort',
  'filter.clear': 'Clear filters',
  'sort.urgency': 'By urgency',
  'sort.received': 'By time received (newest first)',
  'sort.due': 'By due date (earliest first)',
  'filter.shown': 'Showing {n} of {total}',
  'filter.none': 'No task matches these filters.',
  'filter.capped':
    'You have many tasks: the {n} most pressing are shown (extra urgent and urgent first, then by due date); sorting applies to these {n}; more can be shown.',
  'filter.cappedFiltered':
    'Many tasks match these filters: the {n} most pressing are shown; the filters apply to all your tasks; more can be shown.',
  'filter.more': 'Show more tasks',
  'live.on': 'Live updates on: new tasks appear at once.',
  'live.off': 'Live updates lost; reconnecting…',
  'live.updated': 'Last updated {time}',
  'item.sender': 'From {name}',
  'item.senderUnknown': 'From —',
  'item.received': 'Received {time}',
  'item.waiting': 'Waiting {d}',
  'item.due': 'Due {date}',
  'item.noDue': 'No due date',
  'item.urgency': 'Urgency: {u}',
  'item.reminders': '{n} reminder(s)',
  'item.returned': 'Returned',
  'item.reason': 'Reason for return: {reason}',
  'dur.days': '{d} d {h} h',
  'dur.hours': '{h} h {m} min',
  'dur.minutes': '{m} min',
  'dur.now': 'under a minute',
  'notif.button': 'Notifications',
  'notif.buttonUnread': 'Notifications ({n} unread)',
  'notif.title': 'Notifications',
  'notif.empty': 'No notifications.',
  'notif.markAll': 'Mark all read',
  'notif.markRead': 'Mark read',
  'notif.unread': 'Unread',
  'notif.read': 'Read',
  'notif.new': 'New task from {sender} ({task})',
  'notif.newNoSender': 'New task ({task})',
  'notif.returned': 'Returned by {sender}: {reason}',
  'notif.returnedNoReason': 'Returned by {sender}',
  'notif.reminded': 'Reminder: please read and acknowledge (reminder {n})',
  'notif.close': 'Close',
  'next.title': 'Next task',
  'next.open': 'Next: {title}',
  'next.none': 'Nothing else is waiting for you.',
  'next.back': 'Back to my tasks',
  'reading.title': 'Reading view',
  'reading.recipients': 'To: {names}',
  'reading.attachments': 'Attachments',
  'reading.showPage': 'Show the page preview',
  'reading.showReading': 'Back to the reading view',
  'reading.page': 'Page preview',
};

const DICTS = { zh: ibZh as Record<IbKey, string>, en: ibEn };

export type IbT = (key: IbKey, params?: Record<string, string | number>) => string;

/** The inbox strings in the interface language. */
export function useIbT() {
  const { lang } = useI18n();
  return useMemo(() => {
    const dict = DICTS[lang];
    const ib: IbT = (key, params) => {
      const s = dict[key] ?? ibZh[key];
      return params ? s.replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m)) : s;
    };
    return { ib };
  }, [lang]);
}
