/**
 * 案卷: the volumes (boxes) with their item counts; building one from the filed items of a class; a volume's
 * cover fields and items, and its exports (a BagIt zip or one DOCX volume) run as background jobs whose progress is
 * polled every second until they are done (a download link) or failed (the error).
 */
import { useQuery } from '@tanstack/react-query';
import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { ApiError, archiveApi } from '../../api';
import { ErrorBox, Loading } from '../../components/ErrorBox';
import { formatDateTime } from '../../format';
import { useI18n } from '../../i18n';
import { Link, navigate, useLocation } from '../../router';
import type { ArchiveClass, ArchiveExport, ArchiveItem, ExportFormat, Volume, VolumeSummary } from '../../types';
import { CatalogueTable, fileSize, parseClassCode, retentionLabel } from './shared';

export const EXPORT_POLL_MS = 1000;
const VOLUME_NUMBER = /^[0-9A-Za-z._-]{1,40}$/;

export function VolumesPage() {
  const { t, locale } = useI18n();
  const [volumes, setVolumes] = useState<VolumeSummary[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [reload, setReload] = useState(0);

  useEffect(() => {
    document.title = `${t('archive.volumes.title')} · ${t('app.name')}`;
  }, [t]);

  useEffect(() => {
    const ctl = new AbortController();
    setError(null);
    archiveApi.volumes(ctl.signal).then(
      (r) => setVolumes(r.items),
      (e: Error) => e.name !== 'AbortError' && setError(e),
    );
    return () => ctl.abort();
  }, [reload]);

  return (
    <>
      <div className="page-head">
        <h1>{t('archive.volumes.title')}</h1>
        {volumes && <p className="muted">{t('archive.volumes.total', { n: volumes.length })}</p>}
        <Link className="btn btn-primary head-action" href="/archive/volumes/new">
          {t('archive.volumes.new')}
        </Link>
      </div>
      {error ? <ErrorBox error={error} onRetry={() => setReload((n) => n + 1)} /> : null}
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

/** The next free volume number in a fonds: one more than the highest numeric one, four digits. */
function nextNumber(volumes: VolumeSummary[], fonds: string): string {
  const max = Math.max(0, ...volumes.filter((v) => v.fondsCode === fonds && /^\d+$/.test(v.number)).map((v) => Number(v.number)));
  return String(max + 1).padStart(4, '0');
}

export function NewVolumePage() {
  const { t } = useI18n();
  const { search } = useLocation();
  const uid = useId();
  const [classes, setClasses] = useState<ArchiveClass[] | null>(null);
  const [volumes, setVolumes] = useState<VolumeSummary[] | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [code, setCode] = useState(search.get('class') ?? '');
  const [items, setItems] = useState<ArchiveItem[] | null>(null);
  /** item id → the number of the volume it is already in */
  const [boxed, setBoxed] = useState<Map<string, string>>(new Map());
  const [itemsError, setItemsError] = useState<unknown>(null);
  const [picked, setPicked] = useState<string[]>([]);
  const [number, setNumber] = useState('');
  const [title, setTitle] = useState('');
  const [checkedBy, setCheckedBy] = useState('');
  const [touched, setTouched] = useState(false);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    document.title = `${t('archive.volumes.new')} · ${t('app.name')}`;
  }, [t]);

  useEffect(() => {
    const ctl = new AbortController();
    Promise.all([archiveApi.classes(ctl.signal), archiveApi.volumes(ctl.signal)]).then(
      ([c, v]) => {
        setClasses(c.items);
        setVolumes(v.items);
        setCode((x) => x || c.items.find((k) => k.items > k.disposed)?.code || '');
      },
      (e: Error) => e.name !== 'AbortError' && setLoadError(e),
    );
    return () => ctl.abort();
  }, []);

  const cls = classes?.find((c) => c.code === code) ?? null;

  // the class's items, and which of them are already in a volume of the same fonds, year and retention
  useEffect(() => {
    const key = parseClassCode(code);
    if (!key || !volumes) return;
    const ctl = new AbortController();
    setItems(null);
    setItemsError(null);
    setPicked([]);
    (async () => {
      const page = await archiveApi.items(key, ctl.signal);
      const same = volumes.filter((v) => v.fondsCode === key.fonds && v.year === key.year && v.retention === key.retention);
      const details = await Promise.all(same.map((v) => archiveApi.volume(v.id, ctl.signal)));
      const map = new Map<string, string>();
      for (const d of details) for (const i of d.items) map.set(i.id, d.number);
      setBoxed(map);
      setItems(page.items);
      setPicked(page.items.filter((i) => !map.has(i.id) && i.status !== 'disposed').map((i) => i.id));
    })().catch((e: Error) => e.name !== 'AbortError' && setItemsError(e));
    return () => ctl.abort();
  }, [code, volumes]);

  useEffect(() => {
    if (!cls || !volumes) return;
    setNumber(nextNumber(volumes, cls.fondsCode));
    setTitle(t('archive.new.defaultTitle', { fonds: cls.fondsName, year: cls.year, retention: retentionLabel(t, cls.retention) }));
  }, [cls, volumes, t]);

  const free = (items ?? []).filter((i) => !boxed.has(i.id));
  const allPicked = free.length > 0 && free.every((i) => picked.includes(i.id));
  const numberOk = VOLUME_NUMBER.test(number.trim());
  const titleOk = title.trim().length > 0;
  const toggle = (id: string, on: boolean) => setPicked((xs) => (on ? [...xs.filter((x) => x !== id), id] : xs.filter((x) => x !== id)));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (!numberOk || !titleOk || !picked.length || !items) return;
    setPending(true);
    setError(null);
    try {
      // in catalogue order, whatever order they were ticked in
      const itemIds = items.filter((i) => picked.includes(i.id)).map((i) => i.id);
      const v = await archiveApi.createVolume({
        number: number.trim(),
        title: title.trim(),
        itemIds,
        checkedBy: checkedBy.trim() || undefined,
      });
      navigate(`/archive/volumes/${v.id}`);
      window.scrollTo(0, 0);
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 401)) setError(err);
    } finally {
      setPending(false);
    }
  };

  return (
    <>
      <p className="crumbs">
        <Link href="/archive/volumes">{t('archive.volume.back')}</Link>
      </p>
      <h1>{t('archive.volumes.new')}</h1>
      <p className="hint">{t('archive.new.intro')}</p>
      {loadError ? <ErrorBox error={loadError} /> : null}
      {!classes && !loadError && <Loading />}
      {classes && classes.length === 0 && <p className="empty">{t('archive.classes.empty')}</p>}
      {classes && classes.length > 0 && (
        <form className="panel volume-form" onSubmit={(e) => void submit(e)} noValidate aria-labelledby={`${uid}-h`}>
          <h2 id={`${uid}-h`} className="visually-hidden">
            {t('archive.volumes.new')}
          </h2>
          <div className="form-grid">
            <div className="field">
              <label htmlFor={`${uid}-class`}>{t('archive.new.class')}</label>
              <select id={`${uid}-class`} value={code} onChange={(e) => setCode(e.target.value)}>
                {!cls && <option value="">{t('archive.new.pickClass')}</option>}
                {classes.map((c) => (
                  <option key={c.code} value={c.code}>
                    {c.code}（{t('archive.classes.count', { n: c.items })}）
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor={`${uid}-number`}>{t('archive.new.number')}</label>
              <input
                id={`${uid}-number`}
                value={number}
                onChange={(e) => setNumber(e.target.value)}
                maxLength={40}
                required
                aria-invalid={touched && !numberOk ? true : undefined}
                aria-describedby={`${uid}-number-hint`}
              />
              <p className="hint" id={`${uid}-number-hint`}>
                {t('archive.new.numberHint')}
              </p>
            </div>
            <div className="field field-wide">
              <label htmlFor={`${uid}-title`}>{t('archive.new.title')}</label>
              <input
                id={`${uid}-title`}
                value={title}
                onChange={(e) => setTitle(e.target.value)}
                maxLength={300}
                required
                aria-invalid={touched && !titleOk ? true : undefined}
              />
            </div>
            <div className="field">
              <label htmlFor={`${uid}-checked`}>{t('archive.new.checkedBy')}</label>
              <input id={`${uid}-checked`} value={checkedBy} onChange={(e) => setCheckedBy(e.target.value)} maxLength={100} />
            </div>
          </div>

          <fieldset className="item-picker">
            <legend>{t('archive.new.items', { n: picked.length })}</legend>
            {itemsError ? <ErrorBox error={itemsError} /> : null}
            {code && !items && !itemsError && <Loading />}
            {items && items.length === 0 && <p className="muted">{t('archive.classes.empty')}</p>}
            {items && items.length > 0 && (
              <div className="table-wrap">
                <table className="doc-table" data-testid="item-picker">
                  <caption className="visually-hidden">{t('archive.new.itemsTable')}</caption>
                  <thead>
                    <tr>
                      <th scope="col">
                        <input
                          type="checkbox"
                          id={`${uid}-all`}
                          checked={allPicked}
                          disabled={!free.length}
                          onChange={(e) => setPicked(e.target.checked ? free.map((i) => i.id) : [])}
                          aria-label={t('archive.new.all')}
                        />
                      </th>
                      <th scope="col">{t('cat.archivalNumber')}</th>
                      <th scope="col">{t('cat.title')}</th>
                      <th scope="col">{t('cat.documentNumber')}</th>
                      <th scope="col" className="num">
                        {t('cat.pages')}
                      </th>
                      <th scope="col">{t('archive.new.state')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {items.map((i) => {
                      const inVolume = boxed.get(i.id);
                      return (
                        <tr key={i.id}>
                          <td>
                            <input
                              type="checkbox"
                              id={`${uid}-i-${i.id}`}
                              checked={picked.includes(i.id)}
                              disabled={!!inVolume}
                              onChange={(e) => toggle(i.id, e.target.checked)}
                            />
                          </td>
                          <td className="mono nowrap">
                            <label htmlFor={`${uid}-i-${i.id}`}>{i.archivalNumber}</label>
                          </td>
                          <td>{i.title}</td>
                          <td className="nowrap">{i.documentNumber ?? '—'}</td>
                          <td className="num">{i.pageCount ?? <span className="muted small">{t('cat.pagesPending')}</span>}</td>
                          <td className="small">
                            {inVolume ? t('archive.new.inVolume', { number: inVolume }) : t(`archive.itemStatus.${i.status}`)}
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
            )}
          </fieldset>
          {touched && !picked.length && (
            <p className="field-error" role="alert">
              {t('archive.new.noItems')}
            </p>
          )}
          {touched && !numberOk && (
            <p className="field-error" role="alert">
              {t('archive.new.badNumber')}
            </p>
          )}
          {touched && !titleOk && (
            <p className="field-error" role="alert">
              {t('archive.new.noTitle')}
            </p>
          )}
          {error ? <ErrorBox error={error} /> : null}
          <div className="form-buttons">
            <button type="submit" className="btn btn-primary" disabled={pending || !items}>
              {pending ? t('action.pending') : t('archive.new.submit')}
            </button>
          </div>
        </form>
      )}
    </>
  );
}

export function VolumePage({ id }: { id: string }) {
  const { t, locale } = useI18n();
  const [volume, setVolume] = useState<Volume | null>(null);
  const [exportsList, setExports] = useState<ArchiveExport[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [starting, setStarting] = useState<ExportFormat | null>(null);
  const [startError, setStartError] = useState<unknown>(null);
  const [reload, setReload] = useState(0);

  const load = useCallback(
    async (signal?: AbortSignal) => {
      try {
        const v = await archiveApi.volume(id, signal);
        setVolume(v);
        setExports(v.exports);
        setError(null);
      } catch (e) {
        if ((e as Error).name !== 'AbortError') setError(e);
      }
    },
    [id],
  );

  useEffect(() => {
    const ctl = new AbortController();
    void load(ctl.signal);
    return () => ctl.abort();
  }, [load, reload]);

  useEffect(() => {
    document.title = `${volume ? volume.title : t('archive.volumes.title')} · ${t('app.name')}`;
  }, [t, volume]);

  // items still being prepared (page count, filing stamp): look again until they are ready
  const preparing = volume?.items.filter((i) => i.status === 'preparing').length ?? 0;
  useEffect(() => {
    if (!preparing) return;
    const timer = window.setTimeout(() => setReload((n) => n + 1), 3000);
    return () => clearTimeout(timer);
  }, [preparing, volume]);

  const start = async (format: ExportFormat) => {
    setStarting(format);
    setStartError(null);
    try {
      const exp = await archiveApi.startExport(id, format);
      setExports((xs) => [exp, ...xs.filter((x) => x.id !== exp.id)]);
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 401)) setStartError(e);
    } finally {
      setStarting(null);
    }
  };

  const onUpdate = useCallback((exp: ArchiveExport) => setExports((xs) => xs.map((x) => (x.id === exp.id ? exp : x))), []);

  if (error && !volume) {
    return (
      <>
        <p className="crumbs">
          <Link href="/archive/volumes">{t('archive.volume.back')}</Link>
        </p>
        <h1>{t('archive.volumes.title')}</h1>
        <ErrorBox error={error} onRetry={() => setReload((n) => n + 1)} />
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
          <EditVolume
            volume={volume}
            busy={active('bagit') || active('docx')}
            onSaved={(v) => {
              setVolume(v);
              setExports(v.exports);
            }}
          />
        </section>

        <section className="panel" aria-labelledby="volume-exports" data-testid="exports">
          <h2 id="volume-exports">{t('archive.export.title')}</h2>
          <p className="hint">{t('archive.export.intro')}</p>
          <div className="export-buttons">
            <button
              type="button"
              className="btn btn-primary"
              onClick={() => void start('bagit')}
              disabled={starting !== null || active('bagit')}
            >
              {starting === 'bagit' ? t('action.pending') : t('archive.export.startBagit')}
            </button>
            <button
              type="button"
              className="btn"
              onClick={() => void start('docx')}
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
                <ExportCard key={x.id} exp={x} onUpdate={onUpdate} />
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

function EditVolume({ volume, busy, onSaved }: { volume: Volume; busy: boolean; onSaved: (v: Volume) => void }) {
  const { t } = useI18n();
  const uid = useId();
  const [title, setTitle] = useState(volume.title);
  const [checkedBy, setCheckedBy] = useState(volume.checkedBy ?? '');
  const [notes, setNotes] = useState(volume.notes ?? '');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!title.trim()) return;
    setPending(true);
    setError(null);
    setSaved(false);
    try {
      const v = await archiveApi.updateVolume(volume.id, { title: title.trim(), checkedBy: checkedBy.trim(), notes: notes.trim() });
      onSaved(v);
      setSaved(true);
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 401)) setError(err);
    } finally {
      setPending(false);
    }
  };

  return (
    <details className="edit-volume">
      <summary>{t('archive.volume.edit')}</summary>
      <form onSubmit={(e) => void submit(e)} className="action-form">
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

/** One export: its state and a progress bar, polled every second while it is queued or running. */
function ExportCard({ exp, onUpdate }: { exp: ArchiveExport; onUpdate: (e: ArchiveExport) => void }) {
  const { t, locale } = useI18n();
  const uid = useId();
  const live = exp.status === 'queued' || exp.status === 'running';
  const latest = useRef(onUpdate);
  useEffect(() => {
    latest.current = onUpdate;
  });
  // polled while queued or running; stops when it ends, or when the export or the session is gone (404, 401)
  const poll = useQuery({
    queryKey: ['archive', 'export', exp.id],
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
  useEffect(() => {
    if (poll.data) latest.current(poll.data);
  }, [poll.data]);

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
