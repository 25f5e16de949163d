/** 全部文件: every document I can see, with a title search (Chinese works) and a stage filter. */
import machine from 'virtual:outgoing-workflow';
import { useCallback, useEffect, useId, useMemo, useState } from 'react';
import { SearchSnippet } from '../components/SearchSnippet';
import { ErrorBox, Loading } from '../components/ErrorBox';
import { formatDateTime, kindLabel } from '../format';
import { useI18n } from '../i18n';
import { useDocumentList } from '../queries';
import { Link, navigate, useLocation } from '../router';
import type { OutgoingState } from '../types';
import { DocBadges } from './InboxPage';

const STATES: readonly string[] = machine.states.map((s) => s.name);
/** A stage of the workflow (the `state` of the URL may be anything). */
const isState = (s: string): s is OutgoingState => STATES.includes(s);

export function AllDocumentsPage() {
  const { t, tx, lang, locale } = useI18n();
  const { search } = useLocation();
  const uid = useId();
  const [q, setQ] = useState(search.get('q') ?? '');
  const states = [...machine.states].sort((a, b) => a.order - b.order).map((s) => s.name);
  const state = search.get('state') ?? '';
  const query = search.get('q') ?? '';
  const list = useDocumentList({ q: query || undefined, state: isState(state) ? state : undefined });
  const items = useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? null, [list.data]);
  const error = list.error;

  useEffect(() => {
    document.title = `${t('all.title')} · ${t('app.name')}`;
  }, [t]);

  const setParams = useCallback(
    (next: { q?: string; state?: string }) => {
      const p = new URLSearchParams();
      const nq = next.q ?? query;
      const ns = next.state ?? state;
      if (nq) p.set('q', nq);
      if (ns) p.set('state', ns);
      navigate(`/documents${p.size ? `?${p}` : ''}`, { replace: true });
    },
    [query, state],
  );

  // the search box updates the URL after a short pause
  useEffect(() => {
    const trimmed = q.trim();
    if (trimmed === query) return;
    const timer = window.setTimeout(() => setParams({ q: trimmed }), 300);
    return () => clearTimeout(timer);
  }, [q, query, setParams]);

  return (
    <main id="main" className="page" tabIndex={-1}>
      <div className="page-head">
        <h1>{t('all.title')}</h1>
      </div>
      <form
        className="filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setParams({ q: q.trim() });
        }}
      >
        <div className="field">
          <label htmlFor={`${uid}-q`}>{t('all.search')}</label>
          <input id={`${uid}-q`} type="search" value={q} maxLength={100} onChange={(e) => setQ(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={`${uid}-s`}>{t('all.state')}</label>
          <select id={`${uid}-s`} value={state} onChange={(e) => setParams({ state: e.target.value })}>
            <option value="">{t('all.anyState')}</option>
            {states.map((s) => (
              <option key={s} value={s}>
                {tx(`state.${s}`, s)}
              </option>
            ))}
          </select>
        </div>
      </form>
      {error ? <ErrorBox error={error} /> : null}
      {!items && !error && <Loading />}
      {items && items.length === 0 && <p className="empty">{t('all.empty')}</p>}
      {items && items.length > 0 && (
        <>
          <div className="table-wrap">
            <table className="doc-table">
              <caption className="visually-hidden">{t('all.table')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('all.colTitle')}</th>
                  <th scope="col">{t('all.colState')}</th>
                  <th scope="col">{t('all.colNumber')}</th>
                  <th scope="col">{t('all.colUpdated')}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((i) => (
                  <tr key={i.id}>
                    <td>
                      <DocBadges item={i} /> <Link href={`/documents/${i.id}`}>{i.title}</Link>
                      <div className="muted small">{kindLabel(lang, i.kind)}</div>
                      <SearchSnippet match={i.match} />
                    </td>
                    <td>
                      <span className={`badge state state-${i.state}`}>{tx(`state.${i.state}`, i.state)}</span>
                    </td>
                    <td>{i.documentNumber ?? '—'}</td>
                    <td>
                      <time dateTime={i.updatedAt}>{formatDateTime(i.updatedAt, locale)}</time>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p className="muted small">{t('all.count', { n: items.length })}</p>
          {list.hasNextPage && (
            <button type="button" className="btn" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
              {list.isFetchingNextPage ? t('common.loading') : t('all.more')}
            </button>
          )}
        </>
      )}
    </main>
  );
}
