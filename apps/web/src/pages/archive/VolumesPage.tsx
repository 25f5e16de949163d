/**
 * 案卷: the volumes (boxes) with their item counts; a volume's cover fields and items, and its exports (a BagIt zip
 * or one DOCX volume) run as background jobs whose progress is polled every second until they are done (a download
 * link) or failed (the error). Building a volume is NewVolumePage.
 */
import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect, useId, useState, type FormEvent } from 'react';
import { ApiError, archiveApi } from '../../api';
import { ErrorBox, Loading } from '../../components/ErrorBox';
import { formatDateTime } from '../../format';
import { useI18n } from '../../i18n';
import { keys, useVolume, useVolumes } from '../../queries';
import { Link } from '../../router';
import type { ArchiveExport, ExportFormat, Volume } from '../../types';
import { CatalogueTable, fileSize, retentionLabel } from './shared';

export const EXPORT_POLL_MS = 1000;

export function VolumesPage() {
  const { t, locale } = useI18n();
  const list = useVolumes();
  const volumes = list.data ?? null;
  const error = list.error;

  useEffect(() => {
    document.title = `${t('archive.volumes.title')} · ${t('app.name')}`;
  }, [t]);

  return (
    <>
      <div className="page-head">
        <h1>{t('archive.volumes.title')}</h1>
        {volumes && <p className="muted">{t('archive.volumes.total', { n: volumes.length })}</p>}
        <Link className="btn btn-primary head-action" href="/archive/volumes/new">
          {t('archive.volumes.new')}
        </Link>
      </div>
      {error ? <ErrorBox error={error} onRetry={() => void list.refetch()} /> : null}
      {!volumes && !error && <Loading />}
      {volumes && volumes.length === 0 && <p className="empty">{t('archive.volumes.empty')}</p>}
      {volumes && volumes.length > 0 && (
        <div className="table-wrap">
          <table className="doc-table" data-testid="volumes">
            <caption className="visually-hidden">{t('archive.volumes.table')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('archive.volume.code')}</th>
                <th scope="col">{t('archive.volume.title')}</th>
                <th scope="col">{t('archive.classes.year')}</th>
                <th scope="col">{t('archive.classes.retention')}</th>
                <th scope="col" className="num">
                  {t('archive.classes.items')}
                </th>
                <th scope="col">{t('archive.volume.createdAt')}</th>
              </tr>
            </thead>
            <tbody>
              {volumes.map((v) => (
                <tr key={v.id}>
                  <td className="mono nowrap">{v.archivalCode}</td>
                  <td>
                    <Link href={`/archive/volumes/${v.id}`}>{v.title}</Link>
                  </td>
                  <td>{v.year}</td>
                  <td>{retentionLabel(t, v.retention)}</td>
                  <td className="num">{v.itemCount}</td>
                  <td>
                    <time dateTime={v.createdAt}>{formatDateTime(v.createdAt, locale)}</time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

export function VolumePage({ id }: { id: string }) {
  const { t, locale } = useI18n();
  const qc = useQueryClient();
  // read again every few seconds while items are still being prepared (page count, filing stamp)
  const query = useVolume(id);
  const volume = query.data ?? null;
  const error = query.error;
  const preparing = volume?.items.filter((i) => i.status === 'preparing').length ?? 0;
  /** The volume's exports, newest first; each one's progress is polled by its card into this same cache entry. */
  const exportsList = volume?.exports ?? [];

  useEffect(() => {
    document.title = `${volume ? volume.title : t('archive.volumes.title')} · ${t('app.name')}`;
  }, [t, volume]);

  const startExport = useMutation({
    mutationFn: (format: ExportFormat) => archiveApi.startExport(id, format),
    onSuccess: (exp) => {
      qc.setQueryData<Volume>(keys.volume(id), (v) => (v ? { ...v, exports: [exp, ...v.exports.filter((x) => x.id !== exp.id)] } : v));
    },
  });
  const starting = startExport.isPending ? startExport.variables : null;
  const startError = startExport.error instanceof ApiError && startExport.error.status === 401 ? null : startExport.error;

  if (error && !volume) {
    return (
      <>
        <p className="crumbs">
          <Link href="/archive/volumes">{t('archive.volume.back')}</Link>
        </p>
        <h1>{t('archive.volumes.title')}</h1>
        <ErrorBox error={error} onRetry={() => void query.refetch()} />
      </>
    );
  }
  if (!volume) return <Loading />;

  const active = (f: ExportFormat) => exportsList.some((x) => x.format === f && (x.status === 'queued' || x.status === 'running'));

  return (
    <>
      <p className="crumbs">
        <Link href="/archive/volumes">{t('archive.volume.back')}</Link>
      </p>
      <div className="page-head">
        <h1>{volume.title}</h1>
        <span className="badge mono" data-testid="volume-code">
          {volume.archivalCode}
        </span>
      </div>
      <div className="volume-grid">
        <section className="panel" aria-labelledby="volume-cover">
          <h2 id="volume-cover">{t('archive.volume.cover')}</h2>
          <dl className="meta">
            <div>
              <dt>{t('archive.volume.code')}</dt>
              <dd className="mono">{volume.archivalCode}</dd>
            </div>
            <div>
              <dt>{t('archive.volume.number')}</dt>
              <dd>{volume.number}</dd>
            </div>
            <div>
              <dt>{t('archive.volume.fonds')}</dt>
              <dd>
                {volume.fondsName}（{volume.fondsCode}）
              </dd>
            </div>
            <div>
              <dt>{t('archive.classes.year')}</dt>
              <dd>{volume.year}</dd>
            </div>
            <div>
              <dt>{t('archive.classes.retention')}</dt>
              <dd>{retentionLabel(t, volume.retention)}</dd>
            </div>
            <div>
              <dt>{t('archive.volume.category')}</dt>
              <dd>{volume.categoryName ?? '—'}</dd>
            </div>
            <div>
              <dt>{t('archive.classes.items')}</dt>
              <dd data-testid="volume-items">{volume.itemCount}</dd>
            </div>
            <div>
              <dt>{t('archive.classes.pages')}</dt>
              <dd>{volume.pageCount}</dd>
            </div>
            <div>
              <dt>{t('archive.volume.compiledBy')}</dt>
              <dd>{volume.compiledBy.name}</dd>
            </div>
            <div>
              <dt>{t('archive.new.checkedBy')}</dt>
              <dd>{volume.checkedBy || '—'}</dd>
            </div>
            <div>
              <dt>{t('archive.volume.createdAt')}</dt>
              <dd>
                <time dateTime={volume.createdAt}>{formatDateTime(volume.createdAt, locale)}</time>
              </dd>
            </div>
            {volume.notes && (
              <div>
                <dt>{t('archive.volume.notes')}</dt>
                <dd>{volume.notes}</dd>
              </div>
            )}
          </dl>
          <EditVolume volume={volume} busy={active('bagit') || active('docx')} />
        </section>

        <section className="panel" aria-labelledby="volume-exports" data-testid="exports">
          <h2 id="volume-exports">{t('archive.export.title')}</h2>
          <p className="hint">{t('archive.export.intro')}</p>
          <div className="export-buttons">
            <button
              type="button"
              className="btn btn-primary"
              onClick={() => startExport.mutate('bagit')}
              disabled={starting !== null || active('bagit')}
            >
              {starting === 'bagit' ? t('action.pending') : t('archive.export.startBagit')}
            </button>
            <button
              type="button"
              className="btn"
              onClick={() => startExport.mutate('docx')}
              disabled={starting !== null || active('docx') || preparing > 0}
              aria-describedby={preparing ? 'docx-wait' : undefined}
            >
              {starting === 'docx' ? t('action.pending') : t('archive.export.startDocx')}
            </button>
          </div>
          {preparing > 0 && (
            <p className="hint" id="docx-wait">
              {t('archive.export.docxWait', { n: preparing })}
            </p>
          )}
          {startError ? <ErrorBox error={startError} /> : null}
          {exportsList.length === 0 && <p className="muted small">{t('archive.export.none')}</p>}
          {exportsList.length > 0 && (
            <ul className="exports">
              {exportsList.map((x) => (
                <ExportCard key={x.id} exp={x} />
              ))}
            </ul>
          )}
        </section>
      </div>

      <section aria-labelledby="volume-items-h" className="volume-items">
        <h2 id="volume-items-h">{t('archive.volume.items', { n: volume.itemCount })}</h2>
        <CatalogueTable
          lines={volume.items}
          rowKey={(l) => l.id}
          caption={t('archive.volume.items', { n: volume.itemCount })}
          testId="volume-table"
          trail={{
            header: t('archive.new.state'),
            cell: (l) => <span className="small nowrap">{t(`archive.itemStatus.${l.status}`)}</span>,
          }}
        />
      </section>
    </>
  );
}

function EditVolume({ volume, busy }: { volume: Volume; busy: boolean }) {
  const { t } = useI18n();
  const uid = useId();
  const qc = useQueryClient();
  const [title, setTitle] = useState(volume.title);
  const [checkedBy, setCheckedBy] = useState(volume.checkedBy ?? '');
  const [notes, setNotes] = useState(volume.notes ?? '');
  const save = useMutation({
    mutationFn: (body: { title: string; checkedBy: string; notes: string }) => archiveApi.updateVolume(volume.id, body),
    onSuccess: (v) => {
      qc.setQueryData(keys.volume(v.id), v);
      void qc.invalidateQueries({ queryKey: keys.volumes, exact: true });
    },
  });
  const pending = save.isPending;
  const error = save.error instanceof ApiError && save.error.status === 401 ? null : save.error;
  const saved = save.isSuccess;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (title.trim()) save.mutate({ title: title.trim(), checkedBy: checkedBy.trim(), notes: notes.trim() });
  };

  return (
    <details className="edit-volume">
      <summary>{t('archive.volume.edit')}</summary>
      <form onSubmit={submit} className="action-form">
        <div className="field">
          <label htmlFor={`${uid}-t`}>{t('archive.new.title')}</label>
          <input id={`${uid}-t`} value={title} onChange={(e) => setTitle(e.target.value)} maxLength={300} required />
        </div>
        <div className="field">
          <label htmlFor={`${uid}-c`}>{t('archive.new.checkedBy')}</label>
          <input id={`${uid}-c`} value={checkedBy} onChange={(e) => setCheckedBy(e.target.value)} maxLength={100} />
        </div>
        <div className="field">
          <label htmlFor={`${uid}-n`}>{t('archive.volume.notes')}</label>
          <textarea id={`${uid}-n`} value={notes} onChange={(e) => setNotes(e.target.value)} maxLength={5000} rows={3} />
        </div>
        {busy && <p className="hint">{t('archive.volume.busy')}</p>}
        {error ? <ErrorBox error={error} /> : null}
        {saved && (
          <p className="notice notice-ok" role="status">
            {t('archive.volume.saved')}
          </p>
        )}
        <button type="submit" className="btn" disabled={pending || busy || !title.trim()}>
          {pending ? t('action.pending') : t('archive.volume.save')}
        </button>
      </form>
    </details>
  );
}

/** A newer state of an export: the volume's list shows it. */
function exportChanged(qc: QueryClient, exp: ArchiveExport): void {
  qc.setQueryData<Volume>(keys.volume(exp.volumeId), (v) => (v ? { ...v, exports: v.exports.map((x) => (x.id === exp.id ? exp : x)) } : v));
}

/** One export: its state and a progress bar, polled every second while it is queued or running. */
function ExportCard({ exp }: { exp: ArchiveExport }) {
  const { t, locale } = useI18n();
  const uid = useId();
  const qc = useQueryClient();
  const live = exp.status === 'queued' || exp.status === 'running';
  // polled while queued or running; stops when it ends, or when the export or the session is gone (404, 401)
  const poll = useQuery({
    queryKey: keys.exportStatus(exp.id),
    queryFn: ({ signal }) => archiveApi.exportStatus(exp.id, signal),
    enabled: live,
    refetchInterval: (q) => {
      const e = q.state.error;
      if (e instanceof ApiError && (e.status === 401 || e.status === 404)) return false;
      const status = q.state.data?.status;
      return status === 'done' || status === 'failed' ? false : EXPORT_POLL_MS;
    },
  });
  const pollError = poll.error;
  // each answer goes into the volume's cache entry, which the card and the export buttons read
  useEffect(() => {
    if (poll.data) exportChanged(qc, poll.data);
  }, [qc, poll.data]);

  const format = t(`archive.export.format.${exp.format}`);
  const { itemsDone, itemsTotal, percent } = exp.progress;
  return (
    <li className={`export export-${exp.status}`} data-testid="export" data-status={exp.status} data-format={exp.format}>
      <div className="export-head">
        <strong id={`${uid}-name`}>{format}</strong>
        <span className={`badge export-status-${exp.status}`} role="status" data-testid="export-status">
          {t(`archive.export.status.${exp.status}`)}
        </span>
        <span className="muted small">
          <time dateTime={exp.createdAt}>{formatDateTime(exp.createdAt, locale)}</time>
        </span>
      </div>
      <div className="export-progress">
        <progress
          max={100}
          value={percent}
          aria-label={t('archive.export.progressLabel', { format })}
          aria-valuetext={t('archive.export.progressText', { done: itemsDone, total: itemsTotal, percent })}
        />
        <span className="small" data-testid="export-percent">
          {t('archive.export.progressText', { done: itemsDone, total: itemsTotal, percent })}
        </span>
      </div>
      {exp.status === 'queued' && exp.error && (
        <p className="notice notice-warn small">{t('archive.export.retrying', { n: exp.attempts, error: exp.error })}</p>
      )}
      {exp.status === 'done' && exp.download && (
        <p className="export-file">
          <a
            className="btn btn-small btn-primary"
            href={exp.download}
            download={exp.fileName ?? true}
            data-testid="export-download"
            aria-describedby={`${uid}-name`}
          >
            {t('archive.export.download', { name: exp.fileName ?? '' })}
          </a>
          {exp.size !== null && <span className="muted small">{fileSize(exp.size, locale)}</span>}
          {exp.sha256 && (
            <span className="muted small mono hash" title="SHA-256">
              SHA-256 {exp.sha256}
            </span>
          )}
          {exp.expiresAt && (
            <span className="muted small" data-testid="export-expires">
              {t('archive.export.expires', { at: formatDateTime(exp.expiresAt, locale) })}
            </span>
          )}
        </p>
      )}
      {exp.status === 'failed' && (
        <div className="error" role="alert" data-testid="export-error">
          <p>{t('archive.export.failed', { error: exp.error ?? '' })}</p>
        </div>
      )}
      {pollError ? <ErrorBox error={pollError} /> : null}
    </li>
  );
}
