/**
 * One document: what changed since I last saw it, the document as it will print, the actions open to me, its
 * details, the workflow with the current stage, and the verified history.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ActionsPanel } from '../actions/ActionsPanel';
import type { ActionContext } from '../actions/useAction';
import { api, ApiError } from '../api';
import { AttachmentsPanel } from '../components/AttachmentsPanel';
import { DiffView } from '../components/DiffView';
import { DiscussionPanel, MetadataPanel } from '../components/DocPanels';
import { ProcessingSheet } from '../components/ProcessingSheet';
import { TrackedMarks } from '../components/TrackedMarks';
import { DocPreview } from '../components/DocPreview';
import { NextTask } from '../components/NextTask';
import { ReadingView } from '../components/ReadingView';
import { useIbT } from '../inbox-strings';
import { ErrorBox, Loading } from '../components/ErrorBox';
import { History } from '../components/History';
import { ReceiptsPanel } from '../components/incoming/ReceiptsPanel';
import { Presence } from '../components/Presence';
import { SectionsPanel } from '../components/SectionsPanel';
import { WorkflowDiagram } from '../components/WorkflowDiagram';
import { classificationLabel, urgencyLabel } from '../format';
import { useI18n } from '../i18n';
import { ProblemNamesProvider, useUserDirectory } from '../names';
import { problemMessage } from '../problems';
import { documentChanged, keys, useDocument, useHistory, useVerify } from '../queries';
import { Link } from '../router';
import { useUser } from '../session';
import type { DocumentView, HistoryItem, RevisionDiff, TaskKind } from '../types';

/** Phones: at most this wide, the document reads as reflowed text (ReadingView) and the actions come after it. */
export const PHONE_MAX_PX = 480;

function useMediaQuery(query: string): boolean {
  const [match, setMatch] = useState(() => typeof matchMedia !== 'undefined' && matchMedia(query).matches);
  useEffect(() => {
    const m = matchMedia(query);
    const update = () => setMatch(m.matches);
    update();
    m.addEventListener('change', update);
    return () => m.removeEventListener('change', update);
  }, [query]);
  return match;
}

/**
 * For a signer asked to sign again: the revision they last signed or returned. REJECT voids every signature
 * (signatures[] is emptied), so the audit trail is the reliable record; signatures[] covers a signature kept.
 */
function resignBase(doc: DocumentView, history: HistoryItem[], userId: string): number | null {
  if (doc.myTask !== 'sign' && doc.myTask !== 'co-sign') return null;
  const current = doc.currentRevision.number;
  const fromSignatures = doc.signatures.filter((s) => s.signerId === userId && s.revisionNumber < current).map((s) => s.revisionNumber);
  const fromHistory = history
    .filter((h) => h.actor.id === userId && (h.eventType === 'SIGN' || h.eventType === 'REJECT'))
    .map((h) => h.revisionNumber)
    .filter((n): n is number => n !== null && n < current);
  const all = [...fromSignatures, ...fromHistory];
  return all.length ? Math.max(...all) : null;
}

type Notice = { kind: 'ok' | 'warn'; text: string } | null;

export function DocumentPage({ id }: { id: string }) {
  const { t, tx, lang } = useI18n();
  const user = useUser();
  const directory = useUserDirectory();
  const queryClient = useQueryClient();
  const docQuery = useDocument(id);
  const historyQuery = useHistory(id);
  const verifyQuery = useVerify(id);
  const doc = docQuery.data ?? null;
  const loadError = docQuery.error;
  const history = historyQuery.data ?? null;
  const verify = verifyQuery.data ?? null;
  const verifyError = verifyQuery.isError;
  const [diff, setDiff] = useState<{ diff: RevisionDiff; resign: boolean } | null>(null);
  const [notice, setNotice] = useState<Notice>(null);
  const { ib } = useIbT();
  const phone = useMediaQuery(`(max-width: ${PHONE_MAX_PX}px)`);
  const [pageOnPhone, setPageOnPhone] = useState(false);
  /** The task I just finished here (signing, reviewing…): "next document" is offered. */
  const [finished, setFinished] = useState<TaskKind | null>(null);
  const bodyRef = useRef<HTMLDivElement>(null);
  const opened = useRef(false);
  const compared = useRef<string | null>(null);
  const noticeRef = useRef<HTMLDivElement>(null);

  /** The document and its trail read again (after a conflict, or on "retry"). */
  const reload = useCallback(() => queryClient.invalidateQueries({ queryKey: keys.document(id) }), [queryClient, id]);

  useEffect(() => {
    setDiff(null);
    opened.current = false;
  }, [id]);

  // once per document, on its first fresh answer and trail: the diff since the revision this user last signed
  // (a re-sign) or last saw (kept by the server, per user), and this revision recorded as seen
  const trailSettled = historyQuery.isFetchedAfterMount && !historyQuery.isFetching;
  useEffect(() => {
    if (!doc || !docQuery.isFetchedAfterMount || !trailSettled || compared.current === id) return;
    compared.current = id;
    const resign = resignBase(doc, history ?? [], user.id);
    const base = resign ?? doc.lastSeenRevision ?? null;
    const current = doc.currentRevision.number;
    if (base && base < current) {
      queryClient
        .fetchQuery({ queryKey: keys.diff(doc.id, base, current), queryFn: ({ signal }) => api.diff(doc.id, base, current, signal) })
        .then(
          (x) => compared.current === doc.id && setDiff({ diff: x, resign: resign !== null }),
          () => {},
        );
    }
    api.markSeen(doc.id, current).catch(() => {
      /* not recorded: the next visit shows a longer diff */
    });
  }, [id, doc, docQuery.isFetchedAfterMount, trailSettled, history, user.id, queryClient]);

  useEffect(() => {
    if (doc) document.title = `${doc.content.title} · ${t('app.name')}`;
  }, [doc, t]);

  const onDocument = useCallback(
    (next: DocumentView, event: string) => {
      const before = queryClient.getQueryData<DocumentView>(keys.document(next.id));
      documentChanged(queryClient, next);
      api.markSeen(next.id, next.currentRevision.number).catch(() => {
        /* not recorded */
      });
      if (event !== 'OPEN') {
        setFinished(next.myTask === null ? (before?.myTask ?? null) : null);
        setNotice({ kind: 'ok', text: t('doc.done', { event: tx(`event.${event}`, event) }) });
        requestAnimationFrame(() => noticeRef.current?.focus());
      }
    },
    [queryClient, t, tx],
  );

  const onConflict = useCallback(
    (e: ApiError) => {
      setNotice({
        kind: 'warn',
        text: e.code === 'VERSION_CONFLICT' ? t('doc.conflict') : (problemMessage(e.code, e.problem, lang) ?? e.message),
      });
      void reload();
      requestAnimationFrame(() => noticeRef.current?.focus());
    },
    [reload, t, lang],
  );

  const ctx: ActionContext | null = useMemo(
    () => (doc ? { doc, userId: user.id, onDocument, onConflict } : null),
    [doc, user.id, onDocument, onConflict],
  );

  // a reader opening the document is recorded once (OPEN), when the server allows it
  useEffect(() => {
    if (!doc || opened.current) return;
    const me = doc.readers.find((r) => r.userId === user.id);
    if (doc.allowedEvents.some((e) => e.type === 'OPEN') && me && !me.openedAt) {
      opened.current = true;
      api.event(doc, { type: 'OPEN' }).then(
        (d) => onDocument(d, 'OPEN'),
        (e) => {
          if (e instanceof ApiError && e.status === 409) void reload();
        },
      );
    }
  }, [doc, user.id, onDocument, reload]);

  const names = useMemo(() => {
    // the directory names everyone before they act; the history also those who have since left the office
    const m = new Map<string, string>();
    for (const [id, u] of directory) m.set(id, u.displayName);
    for (const h of history ?? []) m.set(h.actor.id, h.actor.displayName);
    m.set(user.id, user.displayName);
    return m;
  }, [history, user, directory]);
  const visited = useMemo(() => new Set((history ?? []).flatMap((h) => [h.toState, ...(h.fromState ? [h.fromState] : [])])), [history]);

  if (loadError && !doc) {
    const notFound = loadError instanceof ApiError && loadError.status === 404;
    return (
      <main id="main" className="page" tabIndex={-1}>
        <p>
          <Link href="/">← {t('doc.back')}</Link>
        </p>
        {notFound ? <p className="empty">{t('doc.notFound')}</p> : <ErrorBox error={loadError} onRetry={() => void reload()} />}
      </main>
    );
  }
  if (!doc || !ctx) {
    return (
      <main id="main" className="page" tabIndex={-1}>
        <Loading />
      </main>
    );
  }

  const c = doc.content;
  const signedAll =
    doc.requiredSigners.length > 0 &&
    doc.requiredSigners.every((r) => doc.signatures.some((s) => s.issuerUnitId === r.issuerUnitId && s.signerId === r.signerId));
  return (
    <ProblemNamesProvider doc={doc}>
      <main id="main" className="page doc-page" tabIndex={-1}>
        <div className="doc-head">
          <p className="crumbs">
            <Link href="/">← {t('doc.back')}</Link>
          </p>
          <h1>{c.title}</h1>
          <div className="badges">
            <span className={`badge state state-${doc.state}`} data-testid="state">
              {tx(`state.${doc.state}`, doc.state)}
            </span>
            {c.urgency !== 'none' && <span className={`badge urgency-${c.urgency}`}>{urgencyLabel(t, c.urgency)}</span>}
            {c.classification !== 'none' && (
              <span className="badge classified">{classificationLabel(t, c.classification, c.secrecyPeriod)}</span>
            )}
            {doc.documentNumber && <span className="badge">{doc.documentNumber}</span>}
            {doc.myTask && (
              <span className="badge task">
                {t('doc.myTask')}：{t(`task.${doc.myTask}`)}
              </span>
            )}
            <a className="btn btn-small" href={api.docxUrl(doc.id)} download>
              {t('doc.download')}
            </a>
            <a className="btn btn-small" href={api.pdfUrl(doc.id)} download data-testid="download-pdf">
              {t('doc.downloadPdf')}
            </a>
          </div>
          <Presence documentId={doc.id} />
          <div ref={noticeRef} tabIndex={-1} aria-live="polite" className="notice-slot">
            {notice && (
              <p className={`notice notice-${notice.kind}`} role={notice.kind === 'warn' ? 'alert' : 'status'} data-testid="notice">
                {notice.text}
              </p>
            )}
            {finished && doc.myTask === null && <NextTask currentId={doc.id} preferred={finished} />}
          </div>
          {doc.lastReason && ['drafting', 'consolidation', 'signing'].includes(doc.state) && (
            <p className="reason-banner" data-testid="last-reason">
              <strong>{t('doc.lastReason')}：</strong>
              {doc.lastReason}
            </p>
          )}
        </div>
        <div className="doc-grid">
          <div className="doc-main">
            {diff && (
              <div className="o-diff">
                <DiffView diff={diff.diff} resign={diff.resign} />
              </div>
            )}
            <div className="o-preview">
              {phone && !pageOnPhone ? (
                <section className="panel" aria-labelledby="reading-h">
                  <div className="panel-head">
                    <h2 id="reading-h">{ib('reading.title')}</h2>
                    <button type="button" className="btn btn-small" onClick={() => setPageOnPhone(true)}>
                      {ib('reading.showPage')}
                    </button>
                  </div>
                  <ReadingView content={c} dateOfIssue={signedAll ? doc.dateOfIssue : null} />
                </section>
              ) : (
                <>
                  {phone && (
                    <p>
                      <button type="button" className="btn btn-small" onClick={() => setPageOnPhone(false)}>
                        {ib('reading.showReading')}
                      </button>
                    </p>
                  )}
                  <DocPreview doc={doc} names={names} bodyRef={bodyRef} />
                </>
              )}
            </div>
            <div className="o-attachments">
              <AttachmentsPanel ctx={ctx} />
            </div>
            <div className="o-discussion">
              <DiscussionPanel doc={doc} names={names} meId={user.id} />
            </div>
            <div className="o-marks">
              <TrackedMarks ctx={ctx} />
            </div>
            <div className="o-sheet">
              <ProcessingSheet doc={doc} />
            </div>
          </div>
          <div className="doc-side">
            <div className="o-actions">
              <ActionsPanel ctx={ctx} bodyRef={bodyRef} />
            </div>
            <div className="o-sections">
              <SectionsPanel doc={doc} names={names} meId={user.id} />
            </div>
            <div className="o-meta">
              <MetadataPanel doc={doc} names={names} meId={user.id} />
            </div>
            <ReceiptsPanel documentId={doc.id} state={doc.state} />
            <div className="o-workflow">
              <WorkflowDiagram state={doc.state} visited={visited} />
            </div>
            <div className="o-history">
              <History items={history} verify={verify} verifyError={verifyError} />
            </div>
          </div>
        </div>
      </main>
    </ProblemNamesProvider>
  );
}
