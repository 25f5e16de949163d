/**
 * 组卷: building a volume (box) from the filed items of a class. The class's items not yet in a volume are offered in
 * order; the number proposed is the next free one of the fonds.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useState, type FormEvent } from 'react';
import { ApiError, archiveApi } from '../../api';
import { ErrorBox, Loading } from '../../components/ErrorBox';
import { useI18n } from '../../i18n';
import { archiveChanged, keys, useArchiveClasses, useBoxedItems, useClassItems, useVolumes } from '../../queries';
import { Link, navigate, useLocation } from '../../router';
import type { VolumeSummary } from '../../types';
import { parseClassCode, retentionLabel } from './shared';

const VOLUME_NUMBER = /^[0-9A-Za-z._-]{1,40}$/;

/** The next free volume number in a fonds: one more than the highest numeric one, four digits. */
function nextNumber(volumes: VolumeSummary[], fonds: string): string {
  const max = Math.max(0, ...volumes.filter((v) => v.fondsCode === fonds && /^\d+$/.test(v.number)).map((v) => Number(v.number)));
  return String(max + 1).padStart(4, '0');
}

export function NewVolumePage() {
  const { t } = useI18n();
  const { search } = useLocation();
  const uid = useId();
  const qc = useQueryClient();
  const classesQuery = useArchiveClasses();
  const volumesQuery = useVolumes();
  const classes = classesQuery.data?.items ?? null;
  const volumes = volumesQuery.data ?? null;
  const loadError = classesQuery.error ?? volumesQuery.error;
  const [chosenCode, setCode] = useState(search.get('class') ?? '');
  const code = chosenCode || classes?.find((k) => k.items > k.disposed)?.code || '';
  const [picked, setPicked] = useState<string[]>([]);
  /** The class `picked` was filled in for (the free items are picked when a class's items arrive). */
  const [pickedFor, setPickedFor] = useState('');
  const [number, setNumber] = useState('');
  const [title, setTitle] = useState('');
  const [checkedBy, setCheckedBy] = useState('');
  const [touched, setTouched] = useState(false);

  useEffect(() => {
    document.title = `${t('archive.volumes.new')} · ${t('app.name')}`;
  }, [t]);

  const cls = classes?.find((c) => c.code === code) ?? null;

  // the class's items, and which of them are already in a volume of the same fonds, year and retention
  const key = parseClassCode(code);
  const itemsQuery = useClassItems(code, key);
  const same =
    key && volumes ? volumes.filter((v) => v.fondsCode === key.fonds && v.year === key.year && v.retention === key.retention) : [];
  /** item id → the number of the volume it is already in */
  const { boxed, ready: boxedReady, error: boxedError } = useBoxedItems(same);
  const items = itemsQuery.data && volumes && boxedReady ? itemsQuery.data.items : null;
  const itemsError = itemsQuery.error ?? boxedError;

  // a class's items arrived: pick the free ones (once per class, so a later refresh keeps the choice)
  useEffect(() => {
    if (!items || pickedFor === code) return;
    setPickedFor(code);
    setPicked(items.filter((i) => !boxed.has(i.id) && i.status !== 'disposed').map((i) => i.id));
  }, [items, boxed, code, pickedFor]);

  // a class chosen: propose the next volume number of its fonds and a title (once per class, so a later refresh
  // of the volume list keeps what was typed)
  const [defaultsFor, setDefaultsFor] = useState('');
  useEffect(() => {
    if (!cls || !volumes || defaultsFor === cls.code) return;
    setDefaultsFor(cls.code);
    setNumber(nextNumber(volumes, cls.fondsCode));
    setTitle(t('archive.new.defaultTitle', { fonds: cls.fondsName, year: cls.year, retention: retentionLabel(t, cls.retention) }));
  }, [cls, volumes, t, defaultsFor]);

  const create = useMutation({
    mutationFn: (body: Parameters<typeof archiveApi.createVolume>[0]) => archiveApi.createVolume(body),
    onSuccess: (v) => {
      qc.setQueryData(keys.volume(v.id), v);
      archiveChanged(qc);
      navigate(`/archive/volumes/${v.id}`);
      window.scrollTo(0, 0);
    },
  });
  const pending = create.isPending;
  const error = create.error instanceof ApiError && create.error.status === 401 ? null : create.error;

  const free = (items ?? []).filter((i) => !boxed.has(i.id));
  const allPicked = free.length > 0 && free.every((i) => picked.includes(i.id));
  const numberOk = VOLUME_NUMBER.test(number.trim());
  const titleOk = title.trim().length > 0;
  const toggle = (id: string, on: boolean) => setPicked((xs) => (on ? [...xs.filter((x) => x !== id), id] : xs.filter((x) => x !== id)));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (!numberOk || !titleOk || !picked.length || !items) return;
    // in catalogue order, whatever order they were ticked in
    const itemIds = items.filter((i) => picked.includes(i.id)).map((i) => i.id);
    create.mutate({ number: number.trim(), title: title.trim(), itemIds, checkedBy: checkedBy.trim() || undefined });
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
        <form className="panel volume-form" onSubmit={submit} noValidate aria-labelledby={`${uid}-h`}>
          <h2 id={`${uid}-h`} className="visually-hidden">
            {t('archive.volumes.new')}
          </h2>
          <div className="form-grid">
            <div className="field">
              <label htmlFor={`${uid}-class`}>{t('archive.new.class')}</label>
              <select
                id={`${uid}-class`}
                value={code}
                onChange={(e) => {
                  setCode(e.target.value);
                  setPicked([]);
                }}
              >
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
