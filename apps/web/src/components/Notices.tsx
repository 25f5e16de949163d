/**
 * 系统通知 in the inbox: the signed-in user's unread notices (GET /api/notices?unread=true) — so far, a webhook
 * subscription of theirs that its deliveries disabled (410 Gone, or a delivery that failed every attempt), with the
 * reason and a link to 回调订阅 where it can be fixed and enabled again; 知道了 marks one read. The inbox reloads
 * them when a `notice` event arrives on its notification stream (inbox.ts useTaskStream), on every reconnection
 * and when a hidden tab comes back.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { components } from '#gongwen/contract';
import { client, unwrap } from '../api';
import { formatDateTime } from '../format';
import { useI18n } from '../i18n';
import { Link } from '../router';

type Notice = components['schemas']['Notice'];

export const NOTICES_KEY = ['notices', 'unread'] as const;

function reasonText(n: Notice, t: ReturnType<typeof useI18n>['t']): string {
  const w = n.webhook;
  if (w.reason === 'gone') return t('notices.webhookGone');
  const last = w.lastStatus !== null ? `HTTP ${w.lastStatus}` : t('notices.noAnswer');
  return t('notices.webhookFailing', { n: w.attempts, last });
}

export function Notices() {
  const { t, locale } = useI18n();
  const queryClient = useQueryClient();
  const notices = useQuery({
    queryKey: NOTICES_KEY,
    queryFn: () => unwrap(client.GET('/api/notices', { params: { query: { unread: 'true' } } })),
  });
  const read = useMutation({
    mutationFn: (id: string) => unwrap(client.POST('/api/notices/{id}/read', { params: { path: { id } }, body: {} })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: NOTICES_KEY }),
  });
  const items = notices.data?.items ?? [];
  if (!items.length) return null;
  return (
    <section className="panel notices" aria-labelledby="notices-title" data-testid="notices">
      <h2 id="notices-title">{t('notices.title', { n: items.length })}</h2>
      <ul>
        {items.map((n) => (
          <li key={n.id} className="notice">
            <p>
              <strong>{t('notices.webhookDisabled')}</strong> <code>{n.webhook.url}</code>
            </p>
            <p className="small">
              {reasonText(n, t)} · {formatDateTime(n.createdAt, locale)}
            </p>
            <p className="small">
              <Link href="/settings/webhooks">{t('notices.fix')}</Link>{' '}
              <button type="button" className="btn" disabled={read.isPending} onClick={() => read.mutate(n.id)}>
                {t('notices.read')}
              </button>
            </p>
          </li>
        ))}
      </ul>
    </section>
  );
}
