/**
 * Who else has this document open now (PUT /api/documents/{id}/presence, a heartbeat while the page is open, which
 * answers with the others by name), and whether they are editing. The page says goodbye when it closes. The
 * notification stream carries only new tasks, so presence rides on the heartbeat's answer instead.
 */
import { useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { client, csrfToken, unwrap } from '../api';
import { useI18n } from '../i18n';
import { hasUnsavedChanges, watchUnsavedChanges } from '../unsaved';
import './editing.css';

/** Until the server says otherwise (heartbeatSeconds). */
const DEFAULT_HEARTBEAT_S = 20;

export function Presence({ documentId }: { documentId: string }) {
  const { t } = useI18n();
  const q = useQuery({
    queryKey: ['presence', documentId],
    queryFn: ({ signal }) =>
      unwrap(
        client.PUT('/api/documents/{id}/presence', {
          params: { path: { id: documentId } },
          body: { editing: hasUnsavedChanges() },
          signal,
        }),
      ),
    refetchInterval: (query) => (query.state.data?.heartbeatSeconds ?? DEFAULT_HEARTBEAT_S) * 1000,
    retry: false,
  });
  const { refetch } = q;
  // starting or stopping an edit is told at once, not at the next heartbeat
  useEffect(() => watchUnsavedChanges(() => void refetch()), [refetch]);
  useEffect(
    () => () => {
      // keepalive: the goodbye also goes out when the tab itself is closing
      void fetch(`/api/documents/${documentId}/presence`, {
        method: 'DELETE',
        credentials: 'same-origin',
        keepalive: true,
        headers: { 'x-csrf-token': csrfToken() },
      }).catch(() => undefined);
    },
    [documentId],
  );
  const others = q.data?.others ?? [];
  return (
    <div aria-live="polite" className="presence-slot">
      {others.length > 0 && (
        <p className="presence" data-testid="presence">
          {t('presence.here')}
          {others.map((o, i) => (
            <span key={o.userId}>
              {i > 0 && '、'}
              <strong>{o.displayName}</strong>
              {o.editing && <span className="presence-editing">{t('presence.editing')}</span>}
            </span>
          ))}
        </p>
      )}
    </div>
  );
}
