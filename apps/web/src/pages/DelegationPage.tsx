/**
 * 委托 (delegation settings): a leader hands signing and/or reading to a colleague of his office for a period, sees
 * what he gave and received (current and past) and revokes; and reads what his deputies did on his behalf. An
 * administrator may make one for an absent leader. People are chosen by name (never ids).
 */
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { components } from '#gongwen/contract';
import { client, unwrap } from '../api';
import { ErrorBox } from '../components/ErrorBox';
import { UserPicker } from '../components/UserPicker';
import { useDelT, type DelKey } from '../delegation-strings';
import { formatDateTime } from '../format';
import { useI18n } from '../i18n';
import { Link } from '../router';
import { useSession } from '../session';

type Delegation = components['schemas']['Delegation'];
type Action = components['schemas']['DelegatedAction'];
type Scope = components['schemas']['DelegationScope'];

const SCOPES: Scope[] = ['sign', 'read'];

/** A datetime-local value (the browser's local time) as an instant; empty stays undefined. */
function instant(local: string): string | undefined {
  return local ? new Date(local).toISOString() : undefined;
}

function localValue(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function DelegationPage() {
  const { dt } = useDelT();
  const { locale } = useI18n();
  const { user } = useSession();
  const isAdmin = !!user?.roles.includes('admin');
  const [given, setGiven] = useState<Delegation[] | null>(null);
  const [received, setReceived] = useState<Delegation[] | null>(null);
  const [actions, setActions] = useState<Action[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [principal, setPrincipal] = useState<string[]>([]);
  const [deputy, setDeputy] = useState<string[]>([]);
  const [scopes, setScopes] = useState<Scope[]>(['sign']);
  const [starts, setStarts] = useState('');
  const [ends, setEnds] = useState(() => localValue(new Date(Date.now() + 7 * 86_400_000)));
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      const [list, done] = await Promise.all([
        unwrap(client.GET('/api/delegations')),
        unwrap(client.GET('/api/delegations/actions', { params: { query: {} } })),
      ]);
      setGiven(list.given);
      setReceived(list.received);
      setActions(done.items);
    } catch (e) {
      setError(e);
    }
  }, []);
  useEffect(() => void load(), [load]);

  const scopeNames = (s: Scope[]) => s.map((x) => dt(`scope.${x}` as DelKey)).join('、');
  const period = (g: Delegation) => `${formatDateTime(g.startsAt, locale)} — ${formatDateTime(g.endsAt, locale)}`;

  const create = async (ev: FormEvent) => {
    ev.preventDefault();
    setError(null);
    setNotice(null);
    setBusy(true);
    try {
      const made = await unwrap(
        client.POST('/api/delegations', {
          body: {
            ...(isAdmin && principal[0] ? { principalId: principal[0] } : {}),
            deputyId: deputy[0] ?? '',
            scopes,
            ...(starts ? { startsAt: instant(starts) } : {}),
            endsAt: instant(ends) ?? '',
            reason: reason.trim(),
          },
        }),
      );
      setNotice(dt('form.created', { deputy: made.deputy.name ?? '', scopes: scopeNames(made.scopes) }));
      setDeputy([]);
      setReason('');
      await load();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const revoke = async (g: Delegation) => {
    setError(null);
    setNotice(null);
    try {
      await unwrap(client.POST('/api/delegations/{id}/revoke', { params: { path: { id: g.id } }, body: {} }));
      setNotice(dt('revoke.done'));
      await load();
    } catch (e) {
      setError(e);
    }
  };

  const table = (rows: Delegation[] | null, caption: string, mine: boolean) => (
    <section className="panel" aria-labelledby={`${mine ? 'given' : 'received'}-h`}>
      <h2 id={`${mine ? 'given' : 'received'}-h`}>{caption}</h2>
      {!rows ? null : rows.length === 0 ? (
        <p className="muted">{dt('list.empty')}</p>
      ) : (
        <table className="doc-table" data-testid={mine ? 'delegations-given' : 'delegations-received'}>
          <thead>
            <tr>
              <th scope="col">{mine ? dt('col.deputy') : dt('col.principal')}</th>
              <th scope="col">{dt('col.scopes')}</th>
              <th scope="col">{dt('col.period')}</th>
              <th scope="col">{dt('col.reason')}</th>
              <th scope="col">{dt('col.status')}</th>
              <th scope="col">{dt('col.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((g) => {
              const other = (mine ? g.deputy.name : g.principal.name) ?? '';
              return (
                <tr key={g.id}>
                  <td>{other}</td>
                  <td>{scopeNames(g.scopes)}</td>
                  <td>{period(g)}</td>
                  <td>{g.reason}</td>
                  <td>{dt(`status.${g.status}` as DelKey)}</td>
                  <td>
                    {(g.status === 'active' || g.status === 'upcoming') && (
                      <button
                        type="button"
                        className="btn btn-ghost"
                        aria-label={dt('revoke.label', { deputy: g.deputy.name ?? '' })}
                        onClick={() => void revoke(g)}
                      >
                        {dt('revoke')}
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );

  return (
    <main id="main" className="page">
      <h1>{dt('title')}</h1>
      <p>{dt('intro')}</p>
      {error ? <ErrorBox error={error} /> : null}
      {notice && (
        <p role="status" className="notice notice-ok">
          {notice}
        </p>
      )}
      <form className="panel" onSubmit={(e) => void create(e)} aria-labelledby="new-h">
        <h2 id="new-h">{dt('form.title')}</h2>
        {isAdmin && <UserPicker single value={principal} onChange={setPrincipal} label={dt('form.principal')} />}
        <UserPicker single value={deputy} onChange={setDeputy} label={dt('form.deputy')} />
        <fieldset>
          <legend>{dt('form.scopes')}</legend>
          {SCOPES.map((s) => (
            <label key={s} className="field-check">
              <input
                type="checkbox"
                checked={scopes.includes(s)}
                onChange={(e) => setScopes(e.target.checked ? [...scopes, s] : scopes.filter((x) => x !== s))}
              />{' '}
              {dt(`scope.${s}` as DelKey)}
            </label>
          ))}
        </fieldset>
        <div className="field">
          <label htmlFor="del-starts">{dt('form.starts')}</label>
          <input id="del-starts" type="datetime-local" value={starts} onChange={(e) => setStarts(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="del-ends">{dt('form.ends')}</label>
          <input id="del-ends" type="datetime-local" required value={ends} onChange={(e) => setEnds(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="del-reason">{dt('form.reason')}</label>
          <input id="del-reason" type="text" required maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} />
        </div>
        <button type="submit" className="btn" disabled={busy || deputy.length === 0 || scopes.length === 0 || !reason.trim()}>
          {dt('form.submit')}
        </button>
      </form>
      {table(given, dt('given.title'), true)}
      {table(received, dt('received.title'), false)}
      <section className="panel" aria-labelledby="acts-h">
        <h2 id="acts-h">{dt('actions.title')}</h2>
        {!actions ? null : actions.length === 0 ? (
          <p className="muted">{dt('actions.empty')}</p>
        ) : (
          <table className="doc-table" data-testid="delegated-actions">
            <thead>
              <tr>
                <th scope="col">{dt('col.at')}</th>
                <th scope="col">{dt('col.deputy')}</th>
                <th scope="col">{dt('col.document')}</th>
                <th scope="col">{dt('col.action')}</th>
                <th scope="col">{dt('col.opinion')}</th>
              </tr>
            </thead>
            <tbody>
              {actions.map((a) => (
                <tr key={`${a.documentId}-${a.at}-${a.eventType}`}>
                  <td>{formatDateTime(a.at, locale)}</td>
                  <td>{a.deputy.name ?? ''}</td>
                  <td>
                    {a.title === null ? (
                      dt('doc.hidden')
                    ) : (
                      <Link href={a.workflow === 'incoming' ? `/incoming/${a.documentId}` : `/documents/${a.documentId}`}>{a.title}</Link>
                    )}
                  </td>
                  <td>{dt(`event.${a.eventType}` as DelKey) ?? a.eventType}</td>
                  <td>{a.opinion ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </main>
  );
}
