/**
 * 待归档: documents in the `archiving` state, each with the retention proposed for its kind and the class it will
 * join; filing is one click (the FILE event with the chosen retention, sent with If-Match). The archival number
 * given is shown when the filing is done.
 */
import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import { ApiError, archiveApi } from '../../api';
import { ErrorBox, Loading } from '../../components/ErrorBox';
import { formatDate, kindLabel } from '../../format';
import { useI18n } from '../../i18n';
import { Link } from '../../router';
import type { FilingProposal, ListItem, Retention } from '../../types';
import { DocBadges } from '../InboxPage';
import { RETENTIONS, retentionLabel, unlistedString } from './shared';

interface Filed {
  documentId: string;
  title: string;
  retention: Retention;
  classCode: string | null;
  archivalNumber: string | null;
}

export function ToFilePage() {
  const { t } = useI18n();
  const [items, setItems] = useState<ListItem[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [filed, setFiled] = useState<Filed[]>([]);
  const [notice, setNotice] = useState('');
  /** Bumped after each filing: the other rows fetch their proposals again (the class counts have moved). */
  const [round, setRound] = useState(0);

  useEffect(() => {
    document.title = `${t('archive.file.title')} · ${t('app.name')}`;
  }, [t]);

  const load = useCallback(async (signal?: AbortSignal) => {
    setError(null);
    try {
      const page = await archiveApi.toFile(undefined, signal);
      setItems(page.items);
      setCursor(page.nextCursor);
    } catch (e) {
      if ((e as Error).name !== 'AbortError') setError(e);
    }
  }, []);

  useEffect(() => {
    const ctl = new AbortController();
    void load(ctl.signal);
    return () => ctl.abort();
  }, [load]);

  const more = async () => {
    if (!cursor) return;
    setLoadingMore(true);
    try {
      const page = await archiveApi.toFile(cursor);
      setItems([...(items ?? []), ...page.items]);
      setCursor(page.nextCursor);
    } catch (e) {
      setError(e);
    } finally {
      setLoadingMore(false);
    }
  };

  const onFiled = async (doc: ListItem, retention: Retention, classCode: string | null) => {
    setItems((xs) => (xs ?? []).filter((x) => x.id !== doc.id));
    const entry: Filed = { documentId: doc.id, title: doc.title, retention, classCode, archivalNumber: null };
    setFiled((xs) => [entry, ...xs]);
    setRound((n) => n + 1);
    // the archival number was given in the FILE transaction: look it up to show it
    try {
      const [item] = await archiveApi.itemsOfDocument(doc.id, doc.title);
      if (item)
        setFiled((xs) =>
          xs.map((x) => (x.documentId === doc.id ? { ...x, archivalNumber: item.archivalNumber, classCode: item.class.code } : x)),
        );
    } catch {
      /* the notice without the number is still right */
    }
  };

  const onStale = () => {
    setNotice(t('doc.conflict'));
    void load();
  };

  return (
    <>
      <div className="page-head">
        <h1>{t('archive.file.title')}</h1>
        {items && <p className="muted">{t('archive.file.total', { n: items.length })}</p>}
      </div>
      <p className="hint">{t('archive.file.intro')}</p>
      <div aria-live="polite" className="notice-slot">
        {filed.map((f) => (
          <p key={f.documentId} className="notice notice-ok" data-testid="filed">
            {f.archivalNumber
              ? t('archive.file.done', { title: f.title, number: f.archivalNumber })
              : t('archive.file.doneNoNumber', { title: f.title, retention: retentionLabel(t, f.retention) })}
            {f.classCode && (
              <>
                {' '}
                <Link href={`/archive/classes?class=${encodeURIComponent(f.classCode)}`}>{t('archive.file.seeCatalogue')}</Link>
              </>
            )}
          </p>
        ))}
        {notice && <p className="notice notice-warn">{notice}</p>}
      </div>
      {error ? <ErrorBox error={error} onRetry={() => void load()} /> : null}
      {!items && !error && <Loading />}
      {items && items.length === 0 && <p className="empty">{t('archive.file.empty')}</p>}
      {items && items.length > 0 && (
        <ul className="doc-list" data-testid="to-file">
          {items.map((i) => (
            <ToFileRow key={`${i.id}-${i.version}`} item={i} round={round} onFiled={onFiled} onStale={onStale} />
          ))}
        </ul>
      )}
      {cursor && (
        <button type="button" className="btn" onClick={() => void more()} disabled={loadingMore}>
          {loadingMore ? t('common.loading') : t('all.more')}
        </button>
      )}
    </>
  );
}

function ToFileRow({
  item,
  round,
  onFiled,
  onStale,
}: {
  item: ListItem;
  round: number;
  onFiled: (d: ListItem, r: Retention, classCode: string | null) => void;
  onStale: () => void;
}) {
  const { t, lang, locale } = useI18n();
  const uid = useId();
  const [proposal, setProposal] = useState<FilingProposal | null>(null);
  const [proposalError, setProposalError] = useState<unknown>(null);
  const [retention, setRetention] = useState<Retention | ''>('');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    const ctl = new AbortController();
    archiveApi.proposal(item.id, ctl.signal).then(
      (p) => {
        setProposal(p);
        setRetention((r) => r || p.defaultRetention);
      },
      (e: Error) => e.name !== 'AbortError' && setProposalError(e),
    );
    return () => ctl.abort();
  }, [item.id, round]);

  const dateOfIssue = proposal ? unlistedString(proposal, 'dateOfIssue') : null;
  const cls = proposal?.classes.find((c) => c.retention === retention) ?? null;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!retention) return;
    setPending(true);
    setError(null);
    try {
      await archiveApi.file(item, retention);
      onFiled(item, retention, cls?.classCode ?? null);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'VERSION_CONFLICT') onStale();
      else if (!(err instanceof ApiError && err.status === 401)) setError(err);
    } finally {
      setPending(false);
    }
  };

  return (
    <li className="doc-item file-row" data-document-id={item.id}>
      <div className="doc-item-title">
        <DocBadges item={item} />
        <Link href={`/documents/${item.id}`} id={`${uid}-title`}>
          {item.title}
        </Link>
      </div>
      <div className="doc-item-meta muted small">
        <span>{kindLabel(lang, item.kind)}</span>
        {item.documentNumber && <span>{item.documentNumber}</span>}
        {dateOfIssue && <span>{t('archive.file.signedOn', { date: formatDate(dateOfIssue, locale) })}</span>}
        {proposal && (
          <span data-testid="proposed">{t('archive.file.proposed', { retention: retentionLabel(t, proposal.defaultRetention) })}</span>
        )}
      </div>
      {proposalError ? <ErrorBox error={proposalError} /> : null}
      <form className="file-form" onSubmit={(e) => void submit(e)} aria-labelledby={`${uid}-title`}>
        <div className="field">
          <label htmlFor={`${uid}-r`}>{t('action.retention')}</label>
          <select
            id={`${uid}-r`}
            value={retention}
            onChange={(e) => setRetention(e.target.value as Retention)}
            disabled={!proposal || pending}
            aria-describedby={`${uid}-class`}
          >
            {!retention && <option value="">{t('common.loading')}</option>}
            {RETENTIONS.map((r) => (
              <option key={r} value={r}>
                {retentionLabel(t, r)}
                {proposal?.defaultRetention === r ? ` ${t('archive.file.default')}` : ''}
              </option>
            ))}
          </select>
        </div>
        <p className="file-class small" id={`${uid}-class`}>
          {cls ? t('archive.file.class', { code: cls.classCode, n: cls.itemsFiled }) : ''}
        </p>
        <button type="submit" className="btn btn-primary" disabled={!proposal?.canFile || !retention || pending}>
          {pending ? t('action.pending') : t('archive.file.submit')}
        </button>
      </form>
      {error ? <ErrorBox error={error} /> : null}
    </li>
  );
}
