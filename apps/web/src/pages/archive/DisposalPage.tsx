/**
 * 销毁: items past their retention period (as of today, or a later date to look ahead), proposing their disposal
 * with a reason (an entry XH-year-nnn of the disposal register), holds (冻结) that block it, and the register
 * itself, where someone other than the proposer (another archivist or a signer) approves or rejects an entry and
 * an archivist carries out an approved one.
 */
import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import { ApiError, api, archiveApi } from '../../api';
import { ErrorBox, Loading } from '../../components/ErrorBox';
import { formatDateTime } from '../../format';
import { useI18n } from '../../i18n';
import { useUser } from '../../session';
import type { Disposal, DisposalCandidate, Hold } from '../../types';
import { CatalogueTable, isRetention, retentionLabel, unlistedString } from './shared';

const today = () =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());

function useNames() {
  const [names, setNames] = useState<Map<string, string>>(new Map());
  useEffect(() => {
    let live = true;
    Promise.all([api.directory('archivist'), api.directory('signer')]).then(
      (lists) => live && setNames(new Map(lists.flatMap((l) => l.items.map((u) => [u.id, u.displayName] as const)))),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, []);
  return names;
}

export function DisposalPage({ archivist }: { archivist: boolean }) {
  const { t } = useI18n();
  const [registerVersion, setRegisterVersion] = useState(0);
  useEffect(() => {
    document.title = `${t('archive.disposal.title')} · ${t('app.name')}`;
  }, [t]);
  return (
    <>
      <h1>{t('archive.disposal.title')}</h1>
      <p className="hint">{t(archivist ? 'archive.disposal.intro' : 'archive.disposal.introSigner')}</p>
      {archivist && <Candidates onProposed={() => setRegisterVersion((n) => n + 1)} />}
      <Register version={registerVersion} archivist={archivist} />
    </>
  );
}

function Candidates({ onProposed }: { onProposed: () => void }) {
  const { t } = useI18n();
  const uid = useId();
  const [asOf, setAsOf] = useState(today());
  const [data, setData] = useState<{ asOf: string; items: DisposalCandidate[] } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [picked, setPicked] = useState<string[]>([]);
  const [reason, setReason] = useState('');
  const [pending, setPending] = useState(false);
  const [proposeError, setProposeError] = useState<unknown>(null);
  const [done, setDone] = useState('');
  const [reload, setReload] = useState(0);
  const isToday = asOf === today();

  useEffect(() => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf)) return;
    const ctl = new AbortController();
    setError(null);
    archiveApi.candidates(asOf, ctl.signal).then(
      (r) => {
        setData(r);
        setPicked((xs) => xs.filter((x) => r.items.some((i) => i.id === x)));
      },
      (e: Error) => e.name !== 'AbortError' && setError(e),
    );
    return () => ctl.abort();
  }, [asOf, reload]);

  const selectable = (c: DisposalCandidate) => isToday && !c.onHold && !unlistedString(c, 'openRegisterNumber');

  const propose = async (e: FormEvent) => {
    e.preventDefault();
    if (!picked.length || !reason.trim()) return;
    setPending(true);
    setProposeError(null);
    try {
      const d = await archiveApi.propose(picked, reason.trim());
      setDone(t('archive.disposal.proposed', { number: d.registerNumber, n: d.items.length }));
      setPicked([]);
      setReason('');
      setReload((n) => n + 1);
      onProposed();
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 401)) setProposeError(err);
    } finally {
      setPending(false);
    }
  };

  return (
    <section className="panel" aria-labelledby={`${uid}-h`} data-testid="candidates">
      <div className="panel-head">
        <h2 id={`${uid}-h`}>{t('archive.disposal.candidates')}</h2>
      </div>
      <div className="filters filters-inline">
        <div className="field">
          <label htmlFor={`${uid}-asof`}>{t('archive.disposal.asOf')}</label>
          <input
            id={`${uid}-asof`}
            type="date"
            value={asOf}
            onChange={(e) => setAsOf(e.target.value)}
            aria-describedby={`${uid}-asof-hint`}
          />
        </div>
        <p className="hint" id={`${uid}-asof-hint`}>
          {t('archive.disposal.asOfHint')}
        </p>
      </div>
      {error ? <ErrorBox error={error} onRetry={() => setReload((n) => n + 1)} /> : null}
      {!data && !error && <Loading />}
      {data && data.items.length === 0 && <p className="empty">{t('archive.disposal.none', { date: data.asOf })}</p>}
      {data && data.items.length > 0 && (
        <form onSubmit={(e) => void propose(e)}>
          <CatalogueTable
            lines={data.items}
            rowKey={(l) => l.id}
            caption={t('archive.disposal.candidates')}
            lead={{
              header: <span className="visually-hidden">{t('archive.disposal.pick')}</span>,
              cell: (l) => (
                <input
                  type="checkbox"
                  checked={picked.includes(l.id)}
                  disabled={!selectable(l)}
                  aria-label={t('archive.disposal.pickItem', { number: l.archivalNumber })}
                  onChange={(e) => setPicked((xs) => (e.target.checked ? [...xs, l.id] : xs.filter((x) => x !== l.id)))}
                />
              ),
            }}
            trail={{
              header: t('archive.disposal.expires'),
              cell: (l) => {
                const retention = l.retention;
                const listed = unlistedString(l, 'openRegisterNumber');
                return (
                  <>
                    <div className="small nowrap">
                      {isRetention(retention) ? retentionLabel(t, retention) : '—'} · {unlistedString(l, 'retentionExpiresOn') ?? '—'}
                    </div>
                    {listed && <div className="small">{t('archive.disposal.listed', { number: listed })}</div>}
                    <HoldControl itemId={l.id} archivalNumber={l.archivalNumber} onChange={() => setReload((n) => n + 1)} />
                  </>
                );
              },
            }}
          />
          {!isToday && <p className="hint">{t('archive.disposal.lookAhead')}</p>}
          {isToday && (
            <div className="propose">
              <div className="field">
                <label htmlFor={`${uid}-reason`}>{t('archive.disposal.reason')}</label>
                <textarea
                  id={`${uid}-reason`}
                  value={reason}
                  onChange={(e) => setReason(e.target.value)}
                  maxLength={2000}
                  rows={3}
                  required
                />
              </div>
              {proposeError ? <ErrorBox error={proposeError} /> : null}
              <button type="submit" className="btn btn-danger" disabled={pending || !picked.length || !reason.trim()}>
                {pending ? t('action.pending') : t('archive.disposal.propose', { n: picked.length })}
              </button>
            </div>
          )}
        </form>
      )}
      <div aria-live="polite">{done && <p className="notice notice-ok">{done}</p>}</div>
    </section>
  );
}

/** Holds (冻结) on one item: the list, placing one, releasing one; each with a reason. */
function HoldControl({ itemId, archivalNumber, onChange }: { itemId: string; archivalNumber: string; onChange: () => void }) {
  const { t, locale } = useI18n();
  const uid = useId();
  const [open, setOpen] = useState(false);
  const [holds, setHolds] = useState<Hold[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [reason, setReason] = useState('');
  const [pending, setPending] = useState(false);

  const load = useCallback(async () => {
    try {
      setHolds((await archiveApi.holds(itemId)).items);
    } catch (e) {
      setError(e);
    }
  }, [itemId]);

  useEffect(() => {
    if (open && !holds) void load();
  }, [open, holds, load]);

  const run = async (fn: () => Promise<unknown>) => {
    setPending(true);
    setError(null);
    try {
      await fn();
      setReason('');
      await load();
      onChange();
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 401)) setError(e);
    } finally {
      setPending(false);
    }
  };

  return (
    <details className="holds" onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}>
      <summary>
        {t('archive.hold.summary')}
        <span className="visually-hidden"> {archivalNumber}</span>
      </summary>
      {error ? <ErrorBox error={error} /> : null}
      {open && !holds && !error && <Loading />}
      {holds && holds.length > 0 && (
        <ul className="hold-list">
          {holds.map((h) => (
            <li key={h.id} className="small">
              {h.active ? <strong>{t('archive.hold.active')}</strong> : <span className="muted">{t('archive.hold.released')}</span>}{' '}
              {h.reason} · <time dateTime={h.placedAt}>{formatDateTime(h.placedAt, locale)}</time>
              {h.active && (
                <button
                  type="button"
                  className="btn btn-small"
                  disabled={pending || !reason.trim()}
                  onClick={() => void run(() => archiveApi.releaseHold(h.id, reason.trim()))}
                >
                  {t('archive.hold.release')}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {holds && (
        <div className="field">
          <label htmlFor={`${uid}-r`}>{t('archive.hold.reason')}</label>
          <input id={`${uid}-r`} value={reason} onChange={(e) => setReason(e.target.value)} maxLength={2000} />
        </div>
      )}
      {holds && (
        <button
          type="button"
          className="btn btn-small"
          disabled={pending || !reason.trim()}
          onClick={() => void run(() => archiveApi.placeHold(itemId, reason.trim()))}
        >
          {t('archive.hold.place')}
        </button>
      )}
    </details>
  );
}

function Register({ version, archivist }: { version: number; archivist: boolean }) {
  const { t, locale } = useI18n();
  const uid = useId();
  const names = useNames();
  const [entries, setEntries] = useState<Disposal[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [openId, setOpenId] = useState<string | null>(null);
  const [reload, setReload] = useState(0);

  useEffect(() => {
    const ctl = new AbortController();
    setError(null);
    archiveApi.disposals(ctl.signal).then(
      (r) => setEntries(r.items),
      (e: Error) => e.name !== 'AbortError' && setError(e),
    );
    return () => ctl.abort();
  }, [version, reload]);

  const who = (id: string | null) => (id ? (names.get(id) ?? id.slice(0, 8)) : '—');

  return (
    <section className="panel" aria-labelledby={`${uid}-h`} data-testid="register">
      <h2 id={`${uid}-h`}>{t('archive.disposal.register')}</h2>
      {error ? <ErrorBox error={error} onRetry={() => setReload((n) => n + 1)} /> : null}
      {!entries && !error && <Loading />}
      {entries && entries.length === 0 && <p className="empty">{t('archive.disposal.registerEmpty')}</p>}
      {entries && entries.length > 0 && (
        <div className="table-wrap">
          <table className="doc-table">
            <caption className="visually-hidden">{t('archive.disposal.register')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('archive.disposal.number')}</th>
                <th scope="col">{t('archive.disposal.status')}</th>
                <th scope="col">{t('archive.disposal.reasonCol')}</th>
                <th scope="col">{t('archive.disposal.proposedBy')}</th>
                <th scope="col">{t('archive.disposal.decidedBy')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('archive.disposal.open')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {entries.map((d) => (
                <tr key={d.id}>
                  <th scope="row" className="mono nowrap">
                    {d.registerNumber}
                  </th>
                  <td>
                    <span className={`badge disposal-${d.status}`}>{t(`archive.disposal.status.${d.status}`)}</span>
                  </td>
                  <td>{d.reason}</td>
                  <td className="small">
                    {who(d.proposedBy)}
                    <br />
                    <time dateTime={d.proposedAt}>{formatDateTime(d.proposedAt, locale)}</time>
                  </td>
                  <td className="small">
                    {d.decidedBy ? (
                      <>
                        {who(d.decidedBy)}
                        <br />
                        <time dateTime={d.decidedAt!}>{formatDateTime(d.decidedAt, locale)}</time>
                      </>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td>
                    <button
                      type="button"
                      className="btn btn-small"
                      aria-expanded={openId === d.id}
                      aria-controls={`${uid}-entry`}
                      onClick={() => setOpenId(openId === d.id ? null : d.id)}
                    >
                      {t('archive.disposal.open')}
                      <span className="visually-hidden"> {d.registerNumber}</span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div id={`${uid}-entry`}>
        {openId && <RegisterEntry key={openId} id={openId} archivist={archivist} names={names} onChanged={() => setReload((n) => n + 1)} />}
      </div>
    </section>
  );
}

function RegisterEntry({
  id,
  archivist,
  names,
  onChanged,
}: {
  id: string;
  archivist: boolean;
  names: Map<string, string>;
  onChanged: () => void;
}) {
  const { t, locale } = useI18n();
  const user = useUser();
  const uid = useId();
  const [d, setD] = useState<Disposal | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [decision, setDecision] = useState<'approve' | 'reject' | ''>('');
  const [opinion, setOpinion] = useState('');
  const [confirm, setConfirm] = useState(false);
  const [pending, setPending] = useState(false);
  const [actionError, setActionError] = useState<unknown>(null);

  useEffect(() => {
    const ctl = new AbortController();
    archiveApi.disposal(id, ctl.signal).then(setD, (e: Error) => e.name !== 'AbortError' && setError(e));
    return () => ctl.abort();
  }, [id]);

  const run = async (fn: () => Promise<Disposal>) => {
    setPending(true);
    setActionError(null);
    try {
      setD(await fn());
      onChanged();
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 401)) setActionError(e);
    } finally {
      setPending(false);
    }
  };

  if (error) return <ErrorBox error={error} />;
  if (!d) return <Loading />;
  const canDecide = d.status === 'proposed' && d.proposedBy !== user.id;
  const canExecute = archivist && d.status === 'approved';

  return (
    <article className="register-entry" aria-labelledby={`${uid}-h`}>
      <h3 id={`${uid}-h`} tabIndex={-1}>
        {t('archive.disposal.entry', { number: d.registerNumber })}
      </h3>
      <dl className="meta">
        <div>
          <dt>{t('archive.disposal.status')}</dt>
          <dd>{t(`archive.disposal.status.${d.status}`)}</dd>
        </div>
        <div>
          <dt>{t('archive.disposal.reasonCol')}</dt>
          <dd>{d.reason}</dd>
        </div>
        {d.decisionOpinion && (
          <div>
            <dt>{t('archive.disposal.opinion')}</dt>
            <dd>
              {d.decisionOpinion}（{names.get(d.decidedBy ?? '') ?? ''}）
            </dd>
          </div>
        )}
        {d.executedAt && (
          <div>
            <dt>{t('archive.disposal.executedAt')}</dt>
            <dd>
              <time dateTime={d.executedAt}>{formatDateTime(d.executedAt, locale)}</time>
            </dd>
          </div>
        )}
      </dl>
      <div className="table-wrap">
        <table className="doc-table">
          <caption className="visually-hidden">{t('archive.disposal.entry', { number: d.registerNumber })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('cat.archivalNumber')}</th>
              <th scope="col">{t('cat.title')}</th>
              <th scope="col">{t('cat.documentNumber')}</th>
              <th scope="col">{t('cat.date')}</th>
              <th scope="col">{t('archive.classes.retention')}</th>
              <th scope="col" className="num">
                {t('cat.pages')}
              </th>
            </tr>
          </thead>
          <tbody>
            {d.items.map((l) => (
              <tr key={l.itemId}>
                <td className="mono nowrap">{l.archivalNumber}</td>
                <td>
                  {l.title}
                  {l.disposedAt && <span className="badge">{t('archive.disposal.destroyed')}</span>}
                </td>
                <td>{l.documentNumber ?? '—'}</td>
                <td className="nowrap">{l.date}</td>
                <td>{retentionLabel(t, l.retention)}</td>
                <td className="num">{l.pageCount ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {d.status === 'proposed' && !canDecide && <p className="hint">{t('archive.disposal.notOwn')}</p>}
      {canDecide && (
        <form
          className="action-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (decision && opinion.trim()) void run(() => archiveApi.decide(d.id, decision, opinion.trim()));
          }}
        >
          <fieldset className="review-item">
            <legend>{t('archive.disposal.decision')}</legend>
            <div className="radio-row">
              <input
                type="radio"
                id={`${uid}-a`}
                name={`${uid}-d`}
                checked={decision === 'approve'}
                onChange={() => setDecision('approve')}
              />
              <label htmlFor={`${uid}-a`}>{t('archive.disposal.approve')}</label>
              <input
                type="radio"
                id={`${uid}-r`}
                name={`${uid}-d`}
                checked={decision === 'reject'}
                onChange={() => setDecision('reject')}
              />
              <label htmlFor={`${uid}-r`}>{t('archive.disposal.reject')}</label>
            </div>
            <div className="field">
              <label htmlFor={`${uid}-o`}>{t('archive.disposal.opinionRequired')}</label>
              <textarea id={`${uid}-o`} value={opinion} onChange={(e) => setOpinion(e.target.value)} maxLength={2000} rows={2} />
            </div>
          </fieldset>
          {actionError ? <ErrorBox error={actionError} /> : null}
          <button type="submit" className="btn btn-primary" disabled={pending || !decision || !opinion.trim()}>
            {pending ? t('action.pending') : t('archive.disposal.decide')}
          </button>
        </form>
      )}
      {canExecute && (
        <form
          className="action-form action-danger"
          onSubmit={(e) => {
            e.preventDefault();
            if (confirm) void run(() => archiveApi.execute(d.id));
          }}
        >
          <h4>{t('archive.disposal.execute')}</h4>
          <p className="hint">{t('archive.disposal.executeHint')}</p>
          <div className="field-check">
            <input type="checkbox" id={`${uid}-c`} checked={confirm} onChange={(e) => setConfirm(e.target.checked)} />
            <label htmlFor={`${uid}-c`}>{t('archive.disposal.confirm', { n: d.items.length })}</label>
          </div>
          {actionError ? <ErrorBox error={actionError} /> : null}
          <button type="submit" className="btn btn-danger" disabled={pending || !confirm}>
            {pending ? t('action.pending') : t('archive.disposal.execute')}
          </button>
        </form>
      )}
    </article>
  );
}
