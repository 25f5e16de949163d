/**
 * 接收移交: an archivist uploads a transfer package (a gongwen BagIt zip), keeping its archival numbers or renumbering
 * into this archive's classes; the receipt shows what was accepted (with the number mapping) and refused (with the
 * reasons), and links to the check run. Earlier receipts are listed newest first; choosing one shows it again.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useState, type FormEvent } from 'react';
import { ApiError, archiveApi, recordsChecksApi } from '../../api';
import { ErrorBox, Loading } from '../../components/ErrorBox';
import { useI18n } from '../../i18n';
import { useReceiptsT } from '../../receipts-strings';
import { Link, navigate, useLocation } from '../../router';
import type { StringKey } from '../../strings';
import { TrustedRootsPanel } from './TrustedRootsPanel';
import { useTrustedRootsT } from './trusted-roots-strings';

type Receipt = Awaited<ReturnType<typeof recordsChecksApi.receipt>>;

const OUTCOME: Record<string, StringKey> = {
  pass: 'checks.outcome.pass',
  fail: 'checks.outcome.fail',
  not_applicable: 'checks.outcome.not_applicable',
  not_run: 'checks.outcome.not_run',
};
const FONDS = /^[0-9A-Z]{4}$/;
const UNIT = /^[A-Z0-9]{1,10}$/;

export function ReceiptsPage() {
  const { t, lang } = useI18n();
  const rt = useReceiptsT();
  const uid = useId();
  const qc = useQueryClient();
  const { search } = useLocation();
  const selected = search.get('receipt');
  const [file, setFile] = useState<File | null>(null);
  const [numbering, setNumbering] = useState<'keep' | 'renumber'>('keep');
  const [fondsCode, setFondsCode] = useState('');
  const [unitCode, setUnitCode] = useState('');
  const [touched, setTouched] = useState(false);
  const [volumeId, setVolumeId] = useState('');
  const tt = useTrustedRootsT();
  const volumes = useQuery({ queryKey: ['archive-volumes'], queryFn: ({ signal }) => archiveApi.volumes(signal) });
  useEffect(() => {
    document.title = `${rt('title')} · ${t('app.name')}`;
  }, [rt, t]);

  const list = useQuery({ queryKey: ['transfer-receipts'], queryFn: ({ signal }) => recordsChecksApi.receipts(signal) });
  const receive = useMutation({
    mutationFn: (f: File) =>
      recordsChecksApi.receive(f, {
        name: f.name,
        numbering,
        ...(numbering === 'renumber' && fondsCode.trim() ? { fondsCode: fondsCode.trim() } : {}),
        ...(numbering === 'renumber' && unitCode.trim() ? { unitCode: unitCode.trim() } : {}),
        ...(volumeId ? { volumeId } : {}),
      }),
    onSuccess: (r) => {
      qc.setQueryData(['transfer-receipt', r.id], r);
      void qc.invalidateQueries({ queryKey: ['transfer-receipts'] });
      void qc.invalidateQueries({ queryKey: ['records-checks'] });
      void qc.invalidateQueries({ queryKey: ['archive-volumes'] });
      navigate(`/archive/receipts?receipt=${encodeURIComponent(r.id)}`);
    },
  });
  const error = receive.error instanceof ApiError && receive.error.status === 401 ? null : receive.error;
  const fondsOk = numbering === 'keep' || !fondsCode.trim() || FONDS.test(fondsCode.trim());
  const unitOk = numbering === 'keep' || !unitCode.trim() || UNIT.test(unitCode.trim());

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (!file || !fondsOk || !unitOk) return;
    receive.mutate(file);
  };
  const receipts = list.data?.items ?? null;

  return (
    <>
      <div className="page-head">
        <h1>{rt('title')}</h1>
        <p className="muted">{rt('lead')}</p>
      </div>
      <form className="panel" onSubmit={submit} noValidate aria-labelledby={`${uid}-h`} data-testid="receive-form">
        <h2 id={`${uid}-h`}>{rt('form.title')}</h2>
        <div className="field">
          <label htmlFor={`${uid}-file`}>{rt('form.file')}</label>
          <input
            id={`${uid}-file`}
            type="file"
            accept=".zip,application/zip"
            onChange={(e) => setFile(e.target.files?.[0] ?? null)}
            aria-invalid={touched && !file ? true : undefined}
          />
        </div>
        <fieldset>
          <legend>{rt('form.numbering')}</legend>
          <div className="radio-row">
            <input type="radio" id={`${uid}-keep`} name={`${uid}-n`} checked={numbering === 'keep'} onChange={() => setNumbering('keep')} />
            <label htmlFor={`${uid}-keep`}>{rt('form.keep')}</label>
            <input
              type="radio"
              id={`${uid}-renumber`}
              name={`${uid}-n`}
              checked={numbering === 'renumber'}
              onChange={() => setNumbering('renumber')}
            />
            <label htmlFor={`${uid}-renumber`}>{rt('form.renumber')}</label>
          </div>
          {numbering === 'renumber' && (
            <div className="form-grid">
              <div className="field">
                <label htmlFor={`${uid}-fonds`}>{rt('form.fondsCode')}</label>
                <input
                  id={`${uid}-fonds`}
                  value={fondsCode}
                  maxLength={4}
                  onChange={(e) => setFondsCode(e.target.value.toUpperCase())}
                  aria-invalid={!fondsOk || undefined}
                />
              </div>
              <div className="field">
                <label htmlFor={`${uid}-unit`}>{rt('form.unitCode')}</label>
                <input
                  id={`${uid}-unit`}
                  value={unitCode}
                  maxLength={10}
                  onChange={(e) => setUnitCode(e.target.value.toUpperCase())}
                  aria-invalid={!unitOk || undefined}
                />
              </div>
            </div>
          )}
        </fieldset>
        <div className="field">
          <label htmlFor={`${uid}-volume`}>{tt('volume.label')}</label>
          <select id={`${uid}-volume`} value={volumeId} onChange={(e) => setVolumeId(e.target.value)} data-testid="receive-volume">
            <option value="">{tt('volume.none')}</option>
            {(volumes.data?.items ?? []).map((v) => (
              <option key={v.id} value={v.id}>
                {tt('volume.option', { number: v.number, title: v.title, year: v.year, count: v.itemCount })}
              </option>
            ))}
          </select>
        </div>
        {touched && !file && (
          <p className="field-error" role="alert">
            {rt('form.noFile')}
          </p>
        )}
        {!fondsOk && (
          <p className="field-error" role="alert">
            {rt('form.badFonds')}
          </p>
        )}
        {!unitOk && (
          <p className="field-error" role="alert">
            {rt('form.badUnit')}
          </p>
        )}
        {error ? <ErrorBox error={error} /> : null}
        <div className="form-buttons">
          <button type="submit" className="btn btn-primary" disabled={receive.isPending}>
            {receive.isPending ? rt('form.pending') : rt('form.submit')}
          </button>
        </div>
      </form>

      {selected && <ReceiptView key={selected} id={selected} />}

      <h2>{rt('list.title')}</h2>
      {list.error ? <ErrorBox error={list.error} onRetry={() => void list.refetch()} /> : null}
      {!receipts && !list.error && <Loading />}
      {receipts && receipts.length === 0 && <p className="empty">{rt('list.empty')}</p>}
      {receipts && receipts.length > 0 && (
        <div className="table-wrap">
          <table className="doc-table" data-testid="receipts">
            <caption className="visually-hidden">{rt('list.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{rt('col.time')}</th>
                <th scope="col">{rt('col.package')}</th>
                <th scope="col">{rt('col.status')}</th>
                <th scope="col">{rt('col.numbering')}</th>
                <th scope="col" className="num">
                  {rt('col.counts')}
                </th>
              </tr>
            </thead>
            <tbody>
              {receipts.map((r) => (
                <tr key={r.id} aria-current={r.id === selected ? 'true' : undefined}>
                  <td>{new Date(r.receivedAt).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB')}</td>
                  <td>
                    <Link href={`/archive/receipts?receipt=${encodeURIComponent(r.id)}`}>{r.packageName}</Link>
                  </td>
                  <td>{rt(r.status === 'accepted' ? 'receipt.accepted' : 'receipt.refused')}</td>
                  <td>{rt(r.numbering === 'keep' ? 'receipt.numbering.keep' : 'receipt.numbering.renumber')}</td>
                  <td className="num">
                    {r.accepted.length} / {r.refused.length}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <TrustedRootsPanel />
    </>
  );
}

function ReceiptView({ id }: { id: string }) {
  const { t, lang } = useI18n();
  const rt = useReceiptsT();
  const q = useQuery({ queryKey: ['transfer-receipt', id], queryFn: ({ signal }) => recordsChecksApi.receipt(id, signal) });
  if (q.error) return <ErrorBox error={q.error} onRetry={() => void q.refetch()} />;
  if (!q.data) return <Loading />;
  const r: Receipt = q.data;
  const status = rt(r.status === 'accepted' ? 'receipt.accepted' : 'receipt.refused');
  return (
    <section aria-labelledby="receipt-title" data-testid="receipt" data-status={r.status} className="panel">
      <h2 id="receipt-title">{rt('receipt.title', { name: r.packageName })}</h2>
      <p role="status">
        {rt('receipt.summary', {
          status,
          accepted: r.accepted.length,
          refused: r.refused.length,
          outcome: t(OUTCOME[r.checkOutcome]),
        })}
      </p>
      <p className="muted">
        {r.sourceOrganization ? `${rt('receipt.source', { org: r.sourceOrganization })}；` : ''}
        {rt('receipt.by', { name: r.receivedBy, at: new Date(r.receivedAt).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB') })}；
        {rt(r.numbering === 'keep' ? 'receipt.numbering.keep' : 'receipt.numbering.renumber')}
      </p>
      <p>
        <Link href={`/archive/checks?run=${encodeURIComponent(r.checkRunId)}`}>{rt('receipt.checkRun')}</Link>
      </p>
      {r.accepted.length > 0 && (
        <div className="table-wrap">
          <table className="doc-table" data-testid="receipt-accepted">
            <caption>{rt('receipt.acceptedTable')}</caption>
            <thead>
              <tr>
                <th scope="col">{rt('col.source')}</th>
                <th scope="col">{rt('col.number')}</th>
                <th scope="col">{rt('col.title')}</th>
              </tr>
            </thead>
            <tbody>
              {r.accepted.map((a) => (
                <tr key={a.sourceArchivalNumber}>
                  <td>{a.sourceArchivalNumber}</td>
                  <td>{a.archivalNumber}</td>
                  <td>{a.title}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {r.refused.length > 0 && (
        <div className="table-wrap">
          <table className="doc-table" data-testid="receipt-refused">
            <caption>{rt('receipt.refusedTable')}</caption>
            <thead>
              <tr>
                <th scope="col">{rt('col.source')}</th>
                <th scope="col">{rt('col.reasons')}</th>
              </tr>
            </thead>
            <tbody>
              {r.refused.map((x, n) => (
                <tr key={`${x.sourceArchivalNumber}-${n}`}>
                  <td>{x.sourceArchivalNumber}</td>
                  <td>
                    <ul>
                      {(x.reasons ?? []).map((why, i) => (
                        <li key={i}>{why}</li>
                      ))}
                    </ul>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
