/** The strings of delegation (委托/代签): the settings page, the history line, the inbox mark. Simplified Chinese first. */
import { useMemo } from 'react';
import { useI18n } from './i18n';

export const delZh = {
  'nav.delegation': '委托',
  title: '委托代签与代阅',
  intro: '外出或休假期间，可将签发和/或阅文委托给本单位的一位同事。受托人办理的每一件事都以“代”您的名义记录，您随时可以查看和撤销。',
  'form.title': '新建委托',
  'form.principal': '委托人（代缺席的领导办理）',
  'form.deputy': '受托人',
  'form.scopes': '委托范围',
  'scope.sign': '签发',
  'scope.read': '阅文',
  'form.starts': '开始时间（留空为立即生效）',
  'form.ends': '结束时间（最长 90 天）',
  'form.reason': '委托事由',
  'form.submit': '委托',
  'form.created': '委托已生效：{deputy}可代您办理{scopes}。',
  'given.title': '我的委托',
  'received.title': '委托给我的',
  'list.empty': '暂无委托。',
  'col.principal': '委托人',
  'col.deputy': '受托人',
  'col.scopes': '范围',
  'col.period': '期限',
  'col.reason': '事由',
  'col.status': '状态',
  'col.actions': '操作',
  'status.upcoming': '未开始',
  'status.active': '生效中',
  'status.ended': '已到期',
  'status.revoked': '已撤销',
  revoke: '撤销',
  'revoke.label': '撤销对{deputy}的委托',
  'revoke.done': '委托已撤销。',
  'actions.title': '受托人代办记录',
  'actions.empty': '尚无受托人代您办理的事项。',
  'col.at': '时间',
  'col.document': '公文',
  'col.action': '办理',
  'col.opinion': '意见',
  'doc.hidden': '（密级高于您当前的涉密等级）',
  'history.sign': '代签：{deputy}（代 {principal}）',
  'history.read': '代阅：{deputy}（代 {principal}）',
  'history.other': '{deputy}（代 {principal}）',
  'inbox.for': '代 {principal}',
  'act.for': '代 {principal}',
  'act.heading': '代{principal}办理',
  'event.SIGN': '签发',
  'event.REJECT': '退回',
  'event.OPEN': '阅知',
  'event.ACKNOWLEDGE': '签收',
  'event.READ': '阅文',
} as const;

export type DelKey = keyof typeof delZh;

const delEn: Record<DelKey, string> = {
  'nav.delegation': 'Delegation',
  title: 'Delegated signing and reading',
  intro:
    'While away, hand signing and/or reading to a colleague of your office. Everything the deputy does is recorded as on your behalf; you can see it and revoke the delegation at any time.',
  'form.title': 'New delegation',
  'form.principal': 'Principal (for an absent leader)',
  'form.deputy': 'Deputy',
  'form.scopes': 'Scope',
  'scope.sign': 'Signing',
  'scope.read': 'Reading',
  'form.starts': 'Starts (empty: now)',
  'form.ends': 'Ends (at most 90 days)',
  'form.reason': 'Reason',
  'form.submit': 'Delegate',
  'form.created': 'Delegation in force: {deputy} may act for you in {scopes}.',
  'given.title': 'Delegations I gave',
  'received.title': 'Delegations to me',
  'list.empty': 'No delegations.',
  'col.principal': 'Principal',
  'col.deputy': 'Deputy',
  'col.scopes': 'Scope',
  'col.period': 'Period',
  'col.reason': 'Reason',
  'col.status': 'Status',
  'col.actions': 'Actions',
  'status.upcoming': 'Not started',
  'status.active': 'In force',
  'status.ended': 'Over',
  'status.revoked': 'Revoked',
  revoke: 'Revoke',
  'revoke.label': 'Revoke the delegation to {deputy}',
  'revoke.done': 'The delegation is revoked.',
  'actions.title': 'What deputies did for me',
  'actions.empty': 'No deputy has acted for you yet.',
  'col.at': 'When',
  'col.document': 'Document',
  'col.action': 'Action',
  'col.opinion': 'Opinion',
  'doc.hidden': '(classified above your current clearance)',
  'history.sign': 'Signed by {deputy} for {principal}',
  'history.read': 'Read by {deputy} for {principal}',
  'history.other': '{deputy} (for {principal})',
  'inbox.for': 'for {principal}',
  'act.for': 'for {principal}',
  'act.heading': 'Acting for {principal}',
  'event.SIGN': 'Sign',
  'event.REJECT': 'Return',
  'event.OPEN': 'Open',
  'event.ACKNOWLEDGE': 'Acknowledge',
  'event.READ': 'Read',
};

export type DT = (key: DelKey, params?: Record<string, string | number>) => string;

export function useDelT(): { dt: DT } {
  const { lang } = useI18n();
  return useMemo(() => {
    const dict: Record<DelKey, string> = lang === 'zh' ? delZh : delEn;
    const dt: DT = (key, params) => {
      const s = dict[key] ?? delZh[key];
      return params ? s.replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m)) : s;
    };
    return { dt };
  }, [lang]);
}

/** The history line of an event a deputy sent for his principal: 代签：张三（代 李四）. */
export function onBehalfLine(dt: DT, eventType: string, deputy: string, principal: string): string {
  const kind =
    eventType === 'SIGN' || eventType === 'REJECT'
      ? 'history.sign'
      : ['OPEN', 'ACKNOWLEDGE', 'READ'].includes(eventType)
        ? 'history.read'
        : 'history.other';
  return dt(kind, { deputy, principal });
}
