/**
 * 电子印章 (the seals page) for the seal custodian (印章管理员), administrators and auditors: the office's seals with
 * their image, certificate subject and validity and who may apply them; the documents waiting for the custodian's
 * seal, with the 用印 action (GET /api/seals/awaiting: registered documents I may see with an issuing body whose
 * active seal I keep that has not sealed them yet, in one query); and the seal-use register (用印登记). No panel
 * shows an id.
 */
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { components } from '#gongwen/contract';
import { api, client, unwrap } from '../api';
import { ErrorBox } from '../components/ErrorBox';
import { formatDate, formatDateTime } from '../format';
import { useI18n } from '../i18n';
import { Link } from '../router';
import { useSealT, type SealKey } from '../seal-strings';
import { useSession } from '../session';

type Seal = components['schemas']['Seal'];
type SealUse = components['schemas']['SealUse'];

type Awaiting = components['schemas']['DocumentsAwaitingSeal']['items'][number];

export function SealsPage() {
  const { sl } = useSealT();
  const { locale } = useI18n();
  const { user } = useSession();
  const keeper = !!user?.roles.includes('seal_keeper');
  const [seals, setSeals] = useState<Seal[] | null>(null);
  const [uses, setUses] = useState<SealUse[] | null>(null);
  /** Registered documents with the issuing bodies still to seal whose seal I keep (GET /api/seals/awaiting). */
  const [pending, setPending] = useState<Awaiting[] | null>(null);
  const [issuer, setIssuer] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      const [list, register] = await Promise.all([
        unwrap(client.GET('/api/seals')),
        unwrap(client.GET('/api/seals/uses', { params: { query: {} } })),
      ]);
      setSeals(list.items);
      setUses(register.items);
      // the documents waiting for my seal: one query on the server (visible to me, an issuing body whose seal I keep
      // that has not sealed yet)
      if (keeper) setPending((await unwrap(client.GET('/api/seals/awaiting'))).items);
    } catch (e) {
      setError(e);
    }
  }, [keeper]);
  useEffect(() => void load(), [load]);

  const apply = async (ev: FormEvent, doc: Awaiting, issuers: Awaiting['issuers']) => {
    ev.preventDefault();
    const unitId = issuer[doc.id] ?? issuers[0]?.unitId ?? '';
    const unit = issuers.find((i) => i.unitId === unitId);
    setError(null);
    setNotice(null);
    setBusy(true);
    try {
      await api.event(doc, { type: 'APPLY_SEAL', issuerUnitId: unitId });
      setNotice(sl('pending.done', { title: doc.title, issuer: unit?.name ?? '' }));
      await load();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const validity = (from: string, to: string) => `${formatDate(from, locale)} — ${formatDate(to, locale)}`;

  return (
    <main id="main" className="page">
      <h1>{sl('title')}</h1>
      <p>{sl('intro')}</p>
      {error ? <ErrorBox error={error} /> : null}
      {notice && (
        <p role="status" className="notice notice-ok">
          {notice}
        </p>
      )}
      <section className="panel" aria-labelledby="seals-h">
        <h2 id="seals-h">{sl('seals.title')}</h2>
        {!seals ? null : seals.length === 0 ? (
          <p className="muted">{sl('seals.empty')}</p>
        ) : (
          <table className="doc-table" data-testid="seals">
            <thead>
              <tr>
                <th scope="col">{sl('col.image')}</th>
                <th scope="col">{sl('col.seal')}</th>
                <th scope="col">{sl('col.code')}</th>
                <th scope="col">{sl('col.certificate')}</th>
                <th scope="col">{sl('col.validity')}</th>
                <th scope="col">{sl('col.custodians')}</th>
                <th scope="col">{sl('col.status')}</th>
                <th scope="col">{sl('col.uses')}</th>
              </tr>
            </thead>
            <tbody>
              {seals.map((s) => (
                <tr key={s.id}>
                  <td>
                    {s.status !== 'ordered' && (
                      <img
                        src={`/api/seals/${encodeURIComponent(s.id)}/image`}
                        alt={sl('seals.image', { name: s.name })}
                        width={64}
                        height={64}
                      />
                    )}
                  </td>
                  <td>{s.name}</td>
                  <td>{s.esId}</td>
                  <td>
                    {s.certificate ? (
                      <>
                        {s.certificate.subject} {sl(`cert.${s.certificate.authority}` as SealKey)}
                        <br />
                        {validity(s.certificate.notBefore, s.certificate.notAfter)}
                      </>
                    ) : (
                      sl('cert.none')
                    )}
                  </td>
                  <td>{validity(s.validFrom, s.validTo)}</td>
                  <td>{s.custodians.map((c) => c.name).join('、')}</td>
                  <td>{sl(`status.${s.status}` as SealKey)}</td>
                  <td>{s.uses}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {keeper && (
        <section className="panel" aria-labelledby="pending-h">
          <h2 id="pending-h">{sl('pending.title')}</h2>
          <p>{sl('pending.intro')}</p>
          {!pending ? null : pending.length === 0 ? (
            <p className="muted">{sl('pending.empty')}</p>
          ) : (
            <ul className="plain-list" data-testid="seal-pending">
              {pending.map((d) => (
                <li key={d.id}>
                  <form onSubmit={(e) => void apply(e, d, d.issuers)} aria-label={sl('pending.applyLabel', { title: d.title })}>
                    <Link href={`/documents/${d.id}`}>{d.title}</Link> {d.documentNumber}{' '}
                    <label>
                      <span className="visually-hidden">{sl('pending.issuer', { title: d.title })}</span>
                      <select
                        value={issuer[d.id] ?? d.issuers[0]?.unitId ?? ''}
                        onChange={(e) => setIssuer({ ...issuer, [d.id]: e.target.value })}
                      >
                        {d.issuers.map((i) => (
                          <option key={i.unitId} value={i.unitId}>
                            {i.name}
                          </option>
                        ))}
                      </select>
                    </label>{' '}
                    <button type="submit" className="btn" disabled={busy}>
                      {sl('pending.apply')}
                    </button>
                  </form>
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
      <section className="panel" aria-labelledby="register-h">
        <h2 id="register-h">{sl('register.title')}</h2>
        {!uses ? null : uses.length === 0 ? (
          <p className="muted">{sl('register.empty')}</p>
        ) : (
          <table className="doc-table" data-testid="seal-register">
            <thead>
              <tr>
                <th scope="col">{sl('col.at')}</th>
                <th scope="col">{sl('col.seal')}</th>
                <th scope="col">{sl('col.document')}</th>
                <th scope="col">{sl('col.copies')}</th>
                <th scope="col">{sl('col.by')}</th>
              </tr>
            </thead>
            <tbody>
              {uses.map((u) => (
                <tr key={u.id}>
                  <td>{formatDateTime(u.appliedAt, locale)}</td>
                  <td>{u.sealName}</td>
                  <td>
                    <Link href={`/documents/${u.documentId}`}>{u.documentNumber}</Link>
                  </td>
                  <td>{u.copies}</td>
                  <td>{u.appliedBy.name}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </main>
  );
}
