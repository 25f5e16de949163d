/**
 * 待归档: documents in the `archiving` state, each with the retention proposed for its kind and the class it will
 * join; filing is one click (the FILE event with the chosen retention, sent with If-Match). The archival number
 * given is shown when the filing is done.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useState, type FormEvent } from 'react';
import { ApiError, archiveApi } from '../../api';
import { ErrorBox, Loading } from '../../components/ErrorBox';
import { formatDate, kindLabel } from '../../format';
import { useI18n } from '../../i18n';
import { archiveChanged, documentChanged, keys, removeFromToFile, useFilingProposal, useItemOfDocument, useToFile } from '../../queries';
import { Link } from '../../router';
import type { ListItem, Retention } from '../../types';
import { DocBadges } from '../InboxPage';
import { RETENTIONS, retentionLabel } from './shared';

/** Web-only: a filing done on this page, shown as a notice (with the archival number once it is known). */
interface Filed {
  documentId: string;
  title: string;
  retention: Retention;
  classCode: string | null;
}

export function ToFilePage() {
  const { t } = useI18n();
  const qc = useQueryClient();
  const list = useToFile();
  const items = list.data?.pages.flatMap((p) => p.items) ?? null;
  const error = list.error;
  const [filed, setFiled] = useState<Filed[]>([]);
  const [notice, setNotice] = useState('');

  useEffect(() => {
    document.title = `${t('archive.file.title')} · ${t('app.name')}`;
  }, [t]);

  const onFiled = (entry: Filed) => setFiled((xs) => [entry, ...xs]);

  const onStale = () => {
    setNotice(t('doc.conflict'));
    void qc.invalidateQueries({ queryKey: keys.toFile });
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
          <FiledNotice key={f.documentId} filed={f} />
        ))}
        {notice && <p className="notice notice-warn">{notice}</p>}
      </div>
      {error ? <ErrorBox error={error} onRetry={() => void list.refetch()} /> : null}
      {!items && !error && <Loading />}
      {items && items.length === 0 && <p className="empty">{t('archive.file.empty')}</p>}
      {items && items.length > 0 && (
        <ul className="doc-list" data-testid="to-file">
          {items.map((i) => (
            <ToFileRow key={`${i.id}-${i.version}`} item={i} onFiled={onFiled} onStale={onStale} />
          ))}
        </ul>
      )}
      {list.hasNextPage && (
        <button type="button" className="btn" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
          {list.isFetchingNextPage ? t('common.loading') : t('all.more')}
        </button>
      )}
    </>
  );
}

/** The notice of one filing: the archival number the FILE transaction gave, looked up once it is done. */
function FiledNotice({ filed: f }: { filed: Filed }) {
  const { t } = useI18n();
  const item = useItemOfDocument(f.documentId, f.title).data ?? null;
  const classCode = item?.class.code ?? f.classCode;
  return (
    <p className="notice notice-ok" data-testid="filed">
      {item
        ? t('archive.file.done', { title: f.title, number: item.archivalNumber })
        : t('archive.file.doneNoNumber', { title: f.title, retention: retentionLabel(t, f.retention) })}
      {classCode && (
        <>
          {' '}
          <Link href={`/archive/classes?class=${encodeURIComponent(classCode)}`}>{t('archive.file.seeCatalogue')}</Link>
        </>
      )}
    </p>
  );
}

function ToFileRow({ item, onFiled, onStale }: { item: ListItem; onFiled: (f: Filed) => void; onStale: () => void }) {
  const { t, lang, locale } = useI18n();
  const uid = useId();
  const qc = useQueryClient();
  // read again after every filing (the class counts move), through the archive's invalidation
  const proposalQuery = useFilingProposal(item.id);
  const proposal = proposalQuery.data ?? null;
  const proposalError = proposalQuery.error;
  const [chosen, setChosen] = useState<Retention | ''>('');
  const retention = chosen || proposal?.defaultRetention || '';

  const file = useMutation({
    mutationFn: (r: Retention) => archiveApi.file(item, r),
    onSuccess: (doc, r) => {
      removeFromToFile(qc, item.id);
      documentChanged(qc, doc);
      archiveChanged(qc);
      onFiled({ documentId: item.id, title: item.title, retention: r, classCode: cls?.classCode ?? null });
    },
    onError: (err) => {
      if (err instanceof ApiError && err.code === 'VERSION_CONFLICT') onStale();
    },
  });
  const error =
    file.error && !(file.error instanceof ApiError && (file.error.status === 401 || file.error.code === 'VERSION_CONFLICT'))
      ? file.error
      : null;
  const pending = file.isPending;

  const dateOfIssue = proposal?.dateOfIssue ?? null;
  const cls = proposal?.classes.find((c) => c.retention === retention) ?? null;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (retention) file.mutate(retention);
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
      <form className="file-form" onSubmit={submit} aria-labelledby={`${uid}-title`}>
        <div className="field">
          <label htmlFor={`${uid}-r`}>{t('action.retention')}</label>
          <select
            id={`${uid}-r`}
            value={retention}
            onChange={(e) => setChosen(e.target.value as Retention)}
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
