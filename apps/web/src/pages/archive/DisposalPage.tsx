/**
 * 销毁: items past their retention period (as of today, or a later date to look ahead), proposing their disposal
 * with a reason (an entry XH-year-nnn of the disposal register), holds (冻结) that block it, and the register
 * itself, where someone other than the proposer (another archivist or a signer) approves or rejects an entry and
 * an archivist carries out an approved one.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useMemo, useState, type FormEvent } from 'react';
import { ApiError, archiveApi } from '../../api';
import { ErrorBox, Loading } from '../../components/ErrorBox';
import { QueryTable } from '../../components/QueryTable';
import { formatDateTime } from '../../format';
import { useI18n } from '../../i18n';
import { archiveChanged, keys, useDirectory, useDisposal, useDisposalCandidates, useDisposals, useHolds } from '../../queries';
import { useUser } from '../../session';
import type { Disposal, DisposalCandidate } from '../../types';
import { CatalogueTable, retentionLabel } from './shared';

const today = () =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());

/** The names of the archivists and signers (who proposed, decided, carried out an entry). */
function useNames() {
  const archivists = useDirectory('archivist').data;
  const signers = useDirectory('signer').data;
  return useMemo(
    () => new Map([...(archivists ?? []), ...(signers ?? [])].map((u) => [u.id, u.displayName] as const)),
    [archivists, signers],
  );
}

/** 401 ends the session (the login page shows); any other failure of a write is shown where it was made. */
const shown = (e: unknown) => (e instanceof ApiError && e.status === 401 ? null : e);

export function DisposalPage({ archivist }: { archivist: boolean }) {
  const { t } = useI18n();
  useEffect(() => {
    document.title = `${t('archive.disposal.title')} · ${t('app.name')}`;
  }, [t]);
  return (
    <>
      <h1>{t('archive.disposal.title')}</h1>
      <p className="hint">{t(archivist ? 'archive.disposal.intro' : 'archive.disposal.introSigner')}</p>
      {archivist && <Candidates />}
      <Register archivist={archivist} />
    </>
  );
}

function Candidates() {
  const { t } = useI18n();
  const uid = useId();
  const qc = useQueryClient();
  const [asOf, setAsOf] = useState(today());
  const query = useDisposalCandidates(asOf, /^\d{4}-\d{2}-\d{2}$/.test(asOf));
  const data = query.data ?? null;
  const error = query.error;
  const [chosen, setPicked] = useState<string[]>([]);
  // only what is still listed counts as picked (a hold placed, another entry proposed …)
  const picked = chosen.filter((x) => data?.items.some((i) => i.id === x));
  const [reason, setReason] = useState('');
  const [done, setDone] = useState('');
  const isToday = asOf === today();

  const selectable = (c: DisposalCandidate) => isToday && !c.onHold && !c.openRegisterNumber;

  const proposal = useMutation({
    mutationFn: (body: { itemIds: string[]; reason: string }) => archiveApi.propose(body.itemIds, body.reason),
    onSuccess: (d) => {
      setDone(t('archive.disposal.proposed', { number: d.registerNumber, n: d.items.length }));
      setPicked([]);
      setReason('');
      qc.setQueryData(keys.disposal(d.id), d);
      archiveChanged(qc);
    },
  });
  const pending = proposal.isPending;
  const proposeError = shown(proposal.error);

  const propose = (e: FormEvent) => {
    e.preventDefault();
    if (picked.length && reason.trim()) proposal.mutate({ itemIds: picked, reason: reason.trim() });
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
      {error ? <ErrorBox error={error} onRetry={() => void query.refetch()} /> : null}
      {!data && !error && <Loading />}
      {data && data.items.length === 0 && <p className="empty">{t('archive.disposal.none', { date: data.asOf })}</p>}
      {data && data.items.length > 0 && (
        <form onSubmit={propose}>
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
                const listed = l.openRegisterNumber;
                return (
                  <>
                    <div className="small nowrap">
                      {retentionLabel(t, retention)} · {l.retentionExpiresOn ?? '—'}
                    </div>
                    {listed && <div className="small">{t('archive.disposal.listed', { number: listed })}</div>}
                    <HoldControl itemId={l.id} archivalNumber={l.archivalNumber} />
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
function HoldControl({ itemId, archivalNumber }: { itemId: string; archivalNumber: string }) {
  const { t, locale } = useI18n();
  const uid = useId();
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  // read when first opened
  const query = useHolds(itemId, open);
  const holds = query.data ?? null;
  const [reason, setReason] = useState('');
  // placing or releasing a hold: the holds, the candidates (on hold or not) and the rest of the archive are read again
  const change = useMutation({
    mutationFn: (fn: () => Promise<unknown>) => fn(),
    onSuccess: () => {
      setReason('');
      archiveChanged(qc);
    },
  });
  const pending = change.isPending;
  const error = query.error ?? shown(change.error);
  const run = (fn: () => Promise<unknown>) => change.mutate(fn);

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
                  onClick={() => run(() => archiveApi.releaseHold(h.id, reason.trim()))}
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
          onClick={() => run(() => archiveApi.placeHold(itemId, reason.trim()))}
        >
          {t('archive.hold.place')}
        </button>
      )}
    </details>
  );
}

function Register({ archivist }: { archivist: boolean }) {
  const { t, locale } = useI18n();
  const uid = useId();
  const names = useNames();
  const query = useDisposals();
  const entries = query.data ?? null;
  const [openId, setOpenId] = useState<string | null>(null);

  const who = (id: string | null) => (id ? (names.get(id) ?? id.slice(0, 8)) : '—');

  return (
    <section className="panel" aria-labelledby={`${uid}-h`} data-testid="register">
      <h2 id={`${uid}-h`}>{t('archive.disposal.register')}</h2>
      <QueryTable
        query={query}
        rows={entries}
        empty={t('archive.disposal.registerEmpty')}
        caption={t('archive.disposal.register')}
        heads={[
          t('archive.disposal.number'),
          t('archive.disposal.status'),
          t('archive.disposal.reasonCol'),
          t('archive.disposal.proposedBy'),
          t('archive.disposal.decidedBy'),
          <span className="visually-hidden">{t('archive.disposal.open')}</span>,
        ]}
      >
        {(entries) =>
          entries.map((d) => (
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
          ))
        }
      </QueryTable>
      <div id={`${uid}-entry`}>{openId && <RegisterEntry key={openId} id={openId} archivist={archivist} names={names} />}</div>
    </section>
  );
}

function RegisterEntry({ id, archivist, names }: { id: string; archivist: boolean; names: Map<string, string> }) {
  const { t, locale } = useI18n();
  const user = useUser();
  const uid = useId();
  const qc = useQueryClient();
  const query = useDisposal(id);
  const d = query.data ?? null;
  const error = query.error;
  const [decision, setDecision] = useState<'approve' | 'reject' | ''>('');
  const [opinion, setOpinion] = useState('');
  const [confirm, setConfirm] = useState(false);
  // deciding or carrying out: the entry shows the answer; the register, the candidates and the classes are read again
  const action = useMutation({
    mutationFn: (fn: () => Promise<Disposal>) => fn(),
    onSuccess: (next) => {
      qc.setQueryData(keys.disposal(next.id), next);
      archiveChanged(qc);
    },
  });
  const pending = action.isPending;
  const actionError = shown(action.error);
  const run = (fn: () => Promise<Disposal>) => action.mutate(fn);

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
            if (decision && opinion.trim()) run(() => archiveApi.decide(d.id, decision, opinion.trim()));
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
            if (confirm) run(() => archiveApi.execute(d.id));
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
