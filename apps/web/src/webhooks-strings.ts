/** The strings of 回调订阅 (webhook subscriptions), Simplified Chinese first, English second. */
import { useMemo } from 'react';
import { useI18n } from './i18n';

export const hookZh = {
  'nav.webhooks': '回调订阅',
  title: '回调订阅（Webhooks）',
  intro: '按 Standard Webhooks 规范签名推送事件；负载只含编号、类型、状态和时间，详情请以本人权限通过接口读取。',
  'secret.once': '签名密钥只显示这一次，请立即保存：',
  'secret.saved': '已保存',
  'form.label': '新建订阅',
  'form.url': '接收地址',
  'form.events': '事件',
  'form.submit': '新建订阅',
  'event.document.state_changed': '公文状态变化',
  'event.document.task_assigned': '交给我的待办',
  'event.document.registered': '已登记',
  'event.document.signed': '已签发',
  'event.document.returned': '被退回',
  'event.document.filed': '已归档',
  'event.incoming.received': '收到来文',
  'event.supervision.overdue': '督查事项逾期',
  'event.webhook.ping': '测试推送',
  'list.caption': '我的回调订阅',
  'list.empty': '尚无回调订阅。',
  'col.url': '接收地址',
  'col.events': '事件',
  'col.status': '状态',
  'col.actions': '操作',
  'status.active': '启用（{n} 个有效密钥）',
  'status.disabled': '已停用：{reason}',
  ping: '测试推送',
  rotate: '更换密钥',
  disable: '停用',
  enable: '启用',
  log: '投递记录',
  delete: '删除',
  'action.label': '{action}：{url}',
  'log.title': '投递记录：{url}',
  'log.empty': '尚无投递。',
  'delivery.pending': '待发送',
  'delivery.delivered': '已送达',
  'delivery.failed': '失败',
  'delivery.line': '{event}：{status}，共尝试 {n} 次',
  'attempt.line': '第 {n} 次，{at}：{result}（{ms} 毫秒）',
  redeliver: '重新投递',
  'done.ping': '已发送测试推送。',
  'done.redeliver': '已重新排队投递。',
  'error.urlRefused':
    '该接收地址不允许使用：回调只能推送到公网地址（内网、本机和保留地址需由管理员在 GONGWEN_WEBHOOK_ALLOW_CIDRS 中放行）。',
  'reason.owner': '由订阅人停用',
  'reason.gone': '接收端答复 410（已不存在），已自动停用',
  'reason.failing': '一次推送连续 {n} 次失败（最后一次：{last}），已自动停用；请修复接收端后重新启用',
};

export type HookKey = keyof typeof hookZh;

const hookEn: Record<HookKey, string> = {
  'nav.webhooks': 'Webhooks',
  title: 'Webhooks',
  intro:
    'Events are pushed signed as Standard Webhooks specifies; a payload holds only ids, the type, the state and the time — read the details through the API with your own rights.',
  'secret.once': 'The signing secret is shown only this once; save it now:',
  'secret.saved': 'Saved',
  'form.label': 'New subscription',
  'form.url': 'Endpoint URL',
  'form.events': 'Events',
  'form.submit': 'Subscribe',
  'event.document.state_changed': 'A document changed state',
  'event.document.task_assigned': 'A task was given to me',
  'event.document.registered': 'Registered',
  'event.document.signed': 'Signed',
  'event.document.returned': 'Returned',
  'event.document.filed': 'Filed',
  'event.incoming.received': 'An incoming document arrived',
  'event.supervision.overdue': 'A supervised item is overdue',
  'event.webhook.ping': 'Test push',
  'list.caption': 'My webhook subscriptions',
  'list.empty': 'No subscriptions yet.',
  'col.url': 'Endpoint',
  'col.events': 'Events',
  'col.status': 'Status',
  'col.actions': 'Actions',
  'status.active': 'Active ({n} valid secrets)',
  'status.disabled': 'Disabled: {reason}',
  ping: 'Send a test',
  rotate: 'Rotate the secret',
  disable: 'Disable',
  enable: 'Enable',
  log: 'Deliveries',
  delete: 'Delete',
  'action.label': '{action}: {url}',
  'log.title': 'Deliveries to {url}',
  'log.empty': 'Nothing delivered yet.',
  'delivery.pending': 'pending',
  'delivery.delivered': 'delivered',
  'delivery.failed': 'failed',
  'delivery.line': '{event}: {status}, {n} attempt(s)',
  'attempt.line': 'Attempt {n} at {at}: {result} ({ms} ms)',
  redeliver: 'Deliver again',
  'done.ping': 'A test push was sent.',
  'done.redeliver': 'Queued for delivery again.',
  'error.urlRefused':
    'This endpoint is not allowed: webhooks go to public addresses only (an administrator can allow private ones in GONGWEN_WEBHOOK_ALLOW_CIDRS).',
  'reason.owner': 'disabled by its owner',
  'reason.gone': 'the receiver answered 410 (gone)',
  'reason.failing': 'a delivery failed {n} times (last: {last}); fix the receiver and enable it again',
};

export type HT = (key: HookKey, params?: Record<string, string | number>) => string;

export function useHookT(): { ht: HT } {
  const { lang } = useI18n();
  return useMemo(() => {
    const dict: Record<HookKey, string> = lang === 'zh' ? hookZh : hookEn;
    const ht: HT = (key, params) => {
      const s = dict[key] ?? hookZh[key];
      return params ? s.replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m)) : s;
    };
    return { ht };
  }, [lang]);
}
