/**
 * One incoming item (收文): its register entry and original, the actions the API allows now, the departments'
 * status, the circulation, reminders, the verified history and the diagram drawn from the incoming machine.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ApiError } from '../../api';
import { ErrorBox, Loading } from '../../components/ErrorBox';
import { History } from '../../components/History';
import { IncomingActions, type IncomingActionContext } from '../../components/incoming/IncomingActions';
import {
  CirculationPanel,
  DepartmentsPanel,
  fieldsOf,
  ProgressPanel,
  RegisterPanel,
  RemindersPanel,
} from '../../components/incoming/IncomingPanels';
import { useIncomingNames } from '../../components/incoming/useIncomingNames';
import { WorkflowDiagram } from '../../components/WorkflowDiagram';
import { useI18n } from '../../i18n';
import {
  incomingChanged,
  incomingKeys,
  useIncomingDiagram,
  useIncomingHistory,
  useIncomingItem,
  useIncomingVerify,
} from '../../incoming-queries';
import { useInT } from '../../incoming-strings';
import type { IncomingView } from '../../incoming-types';
import { Link } from '../../router';

type Notice = { kind: 'ok' | 'warn'; text: string } | null;

export function IncomingItemPage({ id }: { id: string }) {
  const { t } = useI18n();
  const { it, stateLabel, eventLabel } = useInT();
  const queryClient = useQueryClient();
  const itemQuery = useIncomingItem(id);
  const historyQuery = useIncomingHistory(id);
  const verifyQuery = useIncomingVerify(id);
  const diagramQuery = useIncomingDiagram(id);
  const item = itemQuery.data ?? null;
  const names = useIncomingNames(item);
  const [notice, setNotice] = useState<Notice>(null);
  const noticeRef = useRef<HTMLDivElement>(null);
  const labels = useMemo(() => ({ state: stateLabel, event: eventLabel }), [stateLabel, eventLabel]);

  const reload = useCallback(() => queryClient.invalidateQueries({ queryKey: incomingKeys.item(id) }), [queryClient, id]);

  useEffect(() => {
    if (item) document.title = `${item.content.title} · ${t('app.name')}`;
  }, [item, t]);

  const onItem = useCallback(
    (next: IncomingView, event: string) => {
      incomingChanged(queryClient, next);
      setNotice({ kind: 'ok', text: it('item.done', { event: eventLabel(event) }) });
      requestAnimationFrame(() => noticeRef.current?.focus());
    },
    [queryClient, it, eventLabel],
  );
  const onConflict = useCallback(
    (e: ApiError) => {
      setNotice({ kind: 'warn', text: e.code === 'VERSION_CONFLICT' ? it('item.conflict') : e.message });
      void reload();
      requestAnimationFrame(() => noticeRef.current?.focus());
    },
    [reload, it],
  );
  const ctx: IncomingActionContext | null = useMemo(
    () => (item ? { item, names, onItem, onConflict } : null),
    [item, names, onItem, onConflict],
  );
  const visited = useMemo(
    () => new Set((historyQuery.data ?? []).flatMap((h) => [h.toState, ...(h.fromState ? [h.fromState] : [])])),
    [historyQuery.data],
  );

  if (itemQuery.error && !item) {
    const notFound = itemQuery.error instanceof ApiError && itemQuery.error.status === 404;
    return (
      <main id="main" className="page" tabIndex={-1}>
        <p>
          <Link href="/incoming">← {it('item.back')}</Link>
        </p>
        {notFound ? <p className="empty">{it('item.notFound')}</p> : <ErrorBox error={itemQuery.error} onRetry={() => void reload()} />}
      </main>
    );
  }
  if (!item || !ctx) {
    return (
      <main id="main" className="page" tabIndex={-1}>
        <Loading />
      </main>
    );
  }
  const c = fieldsOf(item);
  const receiveNumber = item.register?.receiveNumber ?? item.receiveNumber;
  return (
    <main id="main" className="page doc-page" tabIndex={-1}>
      <div className="doc-head">
        <p className="crumbs">
          <Link href="/incoming">← {it('item.back')}</Link>
        </p>
        <h1>{c.title}</h1>
        <div className="badges">
          <span className={`badge state state-${item.state}`} data-testid="state">
            {stateLabel(item.state)}
          </span>
          {c.urgency !== 'none' && <span className={`badge urgency-${c.urgency}`}>{t(`urgency.${c.urgency}`)}</span>}
          {c.classification !== 'none' && <span className="badge classified">{t(`class.${c.classification}`)}</span>}
          {receiveNumber && <span className="badge">{receiveNumber}</span>}
          {c.senderNumber && <span className="badge">{c.senderNumber}</span>}
        </div>
        <div ref={noticeRef} tabIndex={-1} aria-live="polite" className="notice-slot">
          {notice && (
            <p className={`notice notice-${notice.kind}`} role={notice.kind === 'warn' ? 'alert' : 'status'} data-testid="notice">
              {notice.text}
            </p>
          )}
        </div>
      </div>
      <div className="doc-grid">
        <div className="doc-main">
          <RegisterPanel item={item} names={names} />
          <ProgressPanel item={item} names={names} />
          <DepartmentsPanel item={item} names={names} />
          <CirculationPanel item={item} names={names} />
          <RemindersPanel item={item} names={names} />
        </div>
        <div className="doc-side">
          <IncomingActions ctx={ctx} />
          {diagramQuery.data ? (
            <WorkflowDiagram state={item.state} visited={visited} machine={diagramQuery.data} labels={labels} />
          ) : diagramQuery.isError ? (
            <p className="muted small">{it('diagram.unavailable')}</p>
          ) : null}
          <History items={historyQuery.data ?? null} verify={verifyQuery.data ?? null} verifyError={verifyQuery.isError} labels={labels} />
        </div>
      </div>
    </main>
  );
}
