/**
 * 回调订阅 (webhooks): the signed-in user's Standard Webhooks subscriptions — create one (the secret is shown once),
 * ping, rotate the secret, disable or enable, delete, and read the delivery log with manual redelivery.
 */
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { client } from '../api';
import type { components } from '#gongwen/contract';

type Subscription = components['schemas']['WebhookSubscription'];
type Delivery = components['schemas']['WebhookDelivery'];
type EventType = components['schemas']['WebhookEventType'];

const EVENTS: { id: EventType; label: string }[] = [
  { id: 'document.state_changed', label: '公文状态变化' },
  { id: 'document.task_assigned', label: '交给我的待办' },
  { id: 'document.registered', label: '已登记' },
  { id: 'document.signed', label: '已签发' },
  { id: 'document.returned', label: '被退回' },
  { id: 'document.filed', label: '已归档' },
  { id: 'incoming.received', label: '收到来文' },
  { id: 'supervision.overdue', label: '督查事项逾期' },
];

const STATUS: Record<Delivery['status'], string> = { pending: '待发送', delivered: '已送达', failed: '失败' };

function problem(e: unknown): string {
  const p = e as { detail?: string; title?: string } | undefined;
  return p?.detail ?? p?.title ?? '操作失败';
}

export function WebhooksPage() {
  const [items, setItems] = useState<Subscription[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<EventType[]>(['document.state_changed', 'document.task_assigned']);
  const [open, setOpen] = useState<string | null>(null);
  const [log, setLog] = useState<Delivery[]>([]);

  const load = useCallback(async () => {
    const { data, error: e } = await client.GET('/api/webhooks/subscriptions');
    if (e) setError(problem(e));
    else setItems(data.items);
  }, []);
  useEffect(() => void load(), [load]);

  const loadLog = useCallback(async (id: string) => {
    const { data, error: e } = await client.GET('/api/webhooks/subscriptions/{id}/deliveries', { params: { path: { id }, query: {} } });
    if (e) setError(problem(e));
    else setLog(data.items);
  }, []);

  const create = async (ev: FormEvent) => {
    ev.preventDefault();
    setError(null);
    const { data, error: e } = await client.POST('/api/webhooks/subscriptions', { body: { url, eventTypes: events } });
    if (e) return setError(problem(e));
    setSecret(data.secret);
    setUrl('');
    await load();
  };

  const act = async (call: () => Promise<{ error?: unknown; data?: unknown }>, after?: (data: any) => void) => {
    setError(null);
    const { data, error: e } = await call();
    if (e) return setError(problem(e));
    after?.(data);
    await load();
    if (open) await loadLog(open);
  };

  return (
    <main id="main" className="page">
      <h1>回调订阅（Webhooks）</h1>
      <p>按 Standard Webhooks 规范签名推送事件；负载只含编号、类型、状态和时间，详情请以本人权限通过接口读取。</p>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {secret && (
        <div role="status" className="notice">
          <p>签名密钥只显示这一次，请立即保存：</p>
          <code data-testid="webhook-secret">{secret}</code>
          <button type="button" className="btn btn-ghost" onClick={() => setSecret(null)}>
            已保存
          </button>
        </div>
      )}
      <form onSubmit={(e) => void create(e)} aria-label="新建订阅">
        <label>
          接收地址
          <input type="url" required value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://example.org/hooks/gongwen" />
        </label>
        <fieldset>
          <legend>事件</legend>
          {EVENTS.map((x) => (
            <label key={x.id}>
              <input
                type="checkbox"
                checked={events.includes(x.id)}
                onChange={(e) => setEvents(e.target.checked ? [...events, x.id] : events.filter((y) => y !== x.id))}
              />
              {x.label}
            </label>
          ))}
        </fieldset>
        <button type="submit" className="btn" disabled={events.length === 0}>
          新建订阅
        </button>
      </form>
      <table className="doc-table">
        <thead>
          <tr>
            <th>地址</th>
            <th>事件</th>
            <th>状态</th>
            <th>操作</th>
          </tr>
        </thead>
        <tbody>
          {items.map((s) => (
            <tr key={s.id}>
              <td>{s.url}</td>
              <td>{s.eventTypes.map((e) => EVENTS.find((x) => x.id === e)?.label ?? e).join('、')}</td>
              <td>{s.active ? `启用（${s.activeSecrets} 个有效密钥）` : `已停用：${s.disabledReason ?? ''}`}</td>
              <td>
                <button
                  type="button"
                  className="btn btn-ghost"
                  onClick={() =>
                    void act(() => client.POST('/api/webhooks/subscriptions/{id}/ping', { params: { path: { id: s.id } }, body: {} }))
                  }
                >
                  测试推送
                </button>
                <button
                  type="button"
                  className="btn btn-ghost"
                  onClick={() =>
                    void act(
                      () => client.POST('/api/webhooks/subscriptions/{id}/rotate-secret', { params: { path: { id: s.id } }, body: {} }),
                      (d) => setSecret(d.secret),
                    )
                  }
                >
                  更换密钥
                </button>
                <button
                  type="button"
                  className="btn btn-ghost"
                  onClick={() =>
                    void act(() =>
                      client.PATCH('/api/webhooks/subscriptions/{id}', { params: { path: { id: s.id } }, body: { active: !s.active } }),
                    )
                  }
                >
                  {s.active ? '停用' : '启用'}
                </button>
                <button
                  type="button"
                  className="btn btn-ghost"
                  onClick={() => {
                    setOpen(s.id);
                    void loadLog(s.id);
                  }}
                >
                  投递记录
                </button>
                <button
                  type="button"
                  className="btn btn-ghost"
                  onClick={() => void act(() => client.DELETE('/api/webhooks/subscriptions/{id}', { params: { path: { id: s.id } } }))}
                >
                  删除
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {open && (
        <section aria-label="投递记录">
          <h2>投递记录</h2>
          <ul>
            {log.map((d) => (
              <li key={d.id}>
                <code>{d.webhookId}</code> {d.eventType} — {STATUS[d.status]}，第 {d.attempts} 次
                {d.log.map((a) => (
                  <div key={a.attempt}>
                    #{a.attempt} {a.startedAt} {a.responseStatus ?? a.error}（{a.durationMs} ms）
                    {a.responseBody ? `：${a.responseBody.slice(0, 120)}` : ''}
                  </div>
                ))}
                <button
                  type="button"
                  className="btn btn-ghost"
                  onClick={() =>
                    void act(() =>
                      client.POST('/api/webhooks/subscriptions/{id}/deliveries/{deliveryId}/redeliver', {
                        params: { path: { id: open, deliveryId: d.id } },
                        body: {},
                      }),
                    )
                  }
                >
                  重新投递
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
    </main>
  );
}
