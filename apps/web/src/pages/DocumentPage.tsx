/**
 * One document: what changed since I last saw it, the document as it will print, the actions open to me, its
 * details, the workflow with the current stage, and the verified history.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ActionsPanel } from '../actions/ActionsPanel';
import type { ActionContext } from '../actions/useAction';
import { api, ApiError } from '../api';
import { DiffView } from '../components/DiffView';
import { DiscussionPanel, MarksPanel, MetadataPanel } from '../components/DocPanels';
import { DocPreview } from '../components/DocPreview';
import { ErrorBox, Loading } from '../components/ErrorBox';
import { History } from '../components/History';
import { WorkflowDiagram } from '../components/WorkflowDiagram';
import { classificationLabel, urgencyLabel } from '../format';
import { useI18n } from '../i18n';
import { Link } from '../router';
import { useUser } from '../session';
import type { DocumentView, HistoryItem, RevisionDiff, VerifyResult } from '../types';

/**
 * For a signer asked to sign again: the revision they last signed or returned. REJECT voids every signature
 * (signatures[] is emptied), so the audit trail is the reliable record; signatures[] covers a signature kept.
 */
function resignBase(doc: DocumentView, history: HistoryItem[], userId: string): number | null {
  if (doc.myTask !== 'sign' && doc.myTask !== 'co-sign') return null;
  const current = doc.currentRevision.number;
  const fromSignatures = doc.signatures.filter((s) => s.signerId === userId && s.revisionNumber < current).map((s) => s.revisionNumber);
  const fromHistory = history
    .filter((h) => h.actor.id === userId && (h.eventType === 'SIGN' || h.eventType === 'REJECT') && h.revisionNumber < current)
    .map((h) => h.revisionNumber);
  const all = [...fromSignatures, ...fromHistory];
  return all.length ? Math.max(...all) : null;
}

type Notice = { kind: 'ok' | 'warn'; text: string } | null;

export function DocumentPage({ id }: { id: string }) {
  const { t, tx } = useI18n();
  const user = useUser();
  const [doc, setDoc] = useState<DocumentView | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [history, setHistory] = useState<HistoryItem[] | null>(null);
  const [verify, setVerify] = useState<VerifyResult | null>(null);
  const [verifyError, setVerifyError] = useState(false);
  const [diff, setDiff] = useState<{ diff: RevisionDiff; resign: boolean } | null>(null);
  const [notice, setNotice] = useState<Notice>(null);
  const bodyRef = useRef<HTMLDivElement>(null);
  const opened = useRef(false);
  const noticeRef = useRef<HTMLDivElement>(null);

  const loadTrail = useCallback(async () => {
    const [h, v] = await Promise.allSettled([api.history(id), api.verify(id)]);
    if (h.status === 'fulfilled') setHistory(h.value.items);
    if (v.status === 'fulfilled') setVerify(v.value);
    else setVerifyError(true);
    return h.status === 'fulfilled' ? h.value.items : [];
  }, [id]);

  const reload = useCallback(async () => {
    try {
      const d = await api.document(id);
      setDoc(d);
      setLoadError(null);
      void loadTrail();
      return d;
    } catch (e) {
      setLoadError(e);
      return null;
    }
  }, [id, loadTrail]);

  // first load: the document, its trail, and the diff since the revision this user last saw (or last signed)
  useEffect(() => {
    let live = true;
    setDoc(null);
    setDiff(null);
    setHistory(null);
    setVerify(null);
    opened.current = false;
    (async () => {
      try {
        const [d, trail] = await Promise.all([api.document(id), loadTrail()]);
        if (!live) return;
        setDoc(d);
        // what changed since the revision I last signed (a re-sign) or last saw (kept by the server, per user)
        const resign = resignBase(d, trail, user.id);
        const base = resign ?? d.lastSeenRevision ?? null;
        if (base && base < d.currentRevision.number) {
          api.diff(d.id, base, d.currentRevision.number).then((x) => live && setDiff({ diff: x, resign: resign !== null }), () => {});
        }
        api.markSeen(d.id, d.currentRevision.number).catch(() => { /* not recorded: the next visit shows a longer diff */ });
      } catch (e) {
        if (live) setLoadError(e);
      }
    })();
    return () => {
      live = false;
    };
  }, [id, user.id, loadTrail]);

  useEffect(() => {
    if (doc) document.title = `${doc.content.title} · ${t('app.name')}`;
  }, [doc, t]);

  const onDocument = useCallback((next: DocumentView, event: string) => {
    setDoc(next);
    api.markSeen(next.id, next.currentRevision.number).catch(() => { /* not recorded */ });
    if (event !== 'OPEN') {
      setNotice({ kind: 'ok', text: t('doc.done', { event: tx(`event.${event}`, event) }) });
      requestAnimationFrame(() => noticeRef.current?.focus());
    }
    void loadTrail();
  }, [user.id, t, tx, loadTrail]);

  const onConflict = useCallback((e: ApiError) => {
    setNotice({ kind: 'warn', text: e.code === 'VERSION_CONFLICT' ? t('doc.conflict') : e.message });
    void reload();
    requestAnimationFrame(() => noticeRef.current?.focus());
  }, [reload, t]);

  const ctx: ActionContext | null = useMemo(() => (doc ? { doc, userId: user.id, onDocument, onConflict } : null), [doc, user.id, onDocument, onConflict]);

  // a reader opening the document is recorded once (OPEN), when the server allows it
  useEffect(() => {
    if (!doc || opened.current) return;
    const me = doc.readers.find((r) => r.userId === user.id);
    if (doc.allowedEvents.some((e) => e.type === 'OPEN') && me && !me.openedAt) {
      opened.current = true;
      api.event(doc, { type: 'OPEN' }).then((d) => onDocument(d, 'OPEN'), (e) => {
        if (e instanceof ApiError && e.status === 409) void reload();
      });
    }
  }, [doc, user.id, onDocument, reload]);

  const names = useMemo(() => {
    const m = new Map<string, string>();
    for (const h of history ?? []) m.set(h.actor.id, h.actor.displayName);
    m.set(user.id, user.displayName);
    return m;
  }, [history, user]);
  const visited = useMemo(() => new Set((history ?? []).flatMap((h) => [h.toState, ...(h.fromState ? [h.fromState] : [])])), [history]);

  if (loadError && !doc) {
    const notFound = loadError instanceof ApiError && loadError.status === 404;
    return (
      <main id="main" className="page" tabIndex={-1}>
        <p><Link href="/">← {t('doc.back')}</Link></p>
        {notFound ? <p className="empty">{t('doc.notFound')}</p> : <ErrorBox error={loadError} onRetry={() => void reload()} />}
      </main>
    );
  }
  if (!doc || !ctx) {
    return <main id="main" className="page" tabIndex={-1}><Loading /></main>;
  }

  const c = doc.content;
  const preferHtml = doc.allowedEvents.some((e) => e.type === 'ADD_MARK');
  return (
    <main id="main" className="page doc-page" tabIndex={-1}>
      <div className="doc-head">
        <p className="crumbs"><Link href="/">← {t('doc.back')}</Link></p>
        <h1>{c.title}</h1>
        <div className="badges">
          <span className={`badge state state-${doc.state}`} data-testid="state">{tx(`state.${doc.state}`, doc.state)}</span>
          {c.urgency !== 'none' && <span className={`badge urgency-${c.urgency}`}>{urgencyLabel(t, c.urgency)}</span>}
          {c.classification !== 'none' && <span className="badge classified">{classificationLabel(t, c.classification, c.secrecyPeriod)}</span>}
          {doc.documentNumber && <span className="badge">{doc.documentNumber}</span>}
          {doc.myTask && <span className="badge task">{t('doc.myTask')}：{t(`task.${doc.myTask}`)}</span>}
          <a className="btn btn-small" href={api.docxUrl(doc.id)} download>{t('doc.download')}</a>
        </div>
        <div ref={noticeRef} tabIndex={-1} aria-live="polite" className="notice-slot">
          {notice && <p className={`notice notice-${notice.kind}`} role={notice.kind === 'warn' ? 'alert' : 'status'} data-testid="notice">{notice.text}</p>}
        </div>
        {doc.lastReason && ['drafting', 'consolidation', 'signing'].includes(doc.state) && (
          <p className="reason-banner" data-testid="last-reason"><strong>{t('doc.lastReason')}：</strong>{doc.lastReason}</p>
        )}
      </div>
      <div className="doc-grid">
        <div className="doc-main">
          {diff && <div className="o-diff"><DiffView diff={diff.diff} resign={diff.resign} /></div>}
          <div className="o-preview"><DocPreview doc={doc} names={names} preferHtml={preferHtml} bodyRef={bodyRef} /></div>
          <div className="o-discussion"><DiscussionPanel doc={doc} names={names} meId={user.id} /></div>
          <div className="o-marks"><MarksPanel ctx={ctx} /></div>
        </div>
        <div className="doc-side">
          <div className="o-actions"><ActionsPanel ctx={ctx} bodyRef={bodyRef} /></div>
          <div className="o-meta"><MetadataPanel doc={doc} names={names} meId={user.id} /></div>
          <div className="o-workflow"><WorkflowDiagram state={doc.state} visited={visited} /></div>
          <div className="o-history"><History items={history} verify={verify} verifyError={verifyError} /></div>
        </div>
      </div>
    </main>
  );
}
