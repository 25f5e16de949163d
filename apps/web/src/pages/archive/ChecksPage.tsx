/**
 * 四性检测: the check runs (at filing, at export, on demand, on receipt), newest first; choosing one shows every
 * item's result per check with its evidence, and the DOCX report (检测报告) to sign off.
 */
import { useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { recordsChecksApi } from '../../api';
import { ErrorBox, Loading } from '../../components/ErrorBox';
import { useI18n } from '../../i18n';
import { Link, useLocation } from '../../router';
import type { StringKey } from '../../strings';

const OUTCOME: Record<string, StringKey> = {
  pass: 'checks.outcome.pass',
  fail: 'checks.outcome.fail',
  not_applicable: 'checks.outcome.not_applicable',
  not_run: 'checks.outcome.not_run',
};
const SCOPE: Record<string, StringKey> = {
  item: 'checks.scope.item',
  class: 'checks.scope.class',
  volume: 'checks.scope.volume',
  export: 'checks.scope.export',
  filing: 'checks.scope.filing',
  package: 'checks.scope.package',
  receipt: 'checks.scope.receipt',
};

export function ChecksPage() {
  const { t, lang } = useI18n();
  const { search } = useLocation();
  const selected = search.get('run');
  const list = useQuery({ queryKey: ['records-checks'], queryFn: ({ signal }) => recordsChecksApi.list(signal) });
  useEffect(() => {
    document.title = `${t('checks.title')} · ${t('app.name')}`;
  }, [t]);
  const runs = list.data?.items ?? null;
  return (
    <>
      <div className="page-head">
        <h1>{t('checks.title')}</h1>
        <p className="muted">{t('checks.lead')}</p>
      </div>
      {list.error ? <ErrorBox error={list.error} onRetry={() => void list.refetch()} /> : null}
      {!runs && !list.error && <Loading />}
      {runs && runs.length === 0 && <p className="empty">{t('checks.empty')}</p>}
      {runs && runs.length > 0 && (
        <div className="table-wrap">
          <table className="doc-table" data-testid="check-runs">
            <caption className="visually-hidden">{t('checks.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('checks.col.time')}</th>
                <th scope="col">{t('checks.col.scope')}</th>
                <th scope="col">{t('checks.col.subject')}</th>
                <th scope="col" className="num">
                  {t('checks.col.items')}
                </th>
                <th scope="col">{t('checks.col.outcome')}</th>
                <th scope="col">{t('checks.col.counts')}</th>
              </tr>
            </thead>
            <tbody>
              {runs.map((r) => (
                <tr key={r.id} aria-current={r.id === selected ? 'true' : undefined}>
                  <td>{new Date(r.createdAt).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB')}</td>
                  <td>{t(SCOPE[r.scope])}</td>
                  <td>
                    <Link href={`/archive/checks?run=${encodeURIComponent(r.id)}`}>{r.subject}</Link>
                  </td>
                  <td className="num">{r.items}</td>
                  <td>{t(OUTCOME[r.outcome])}</td>
                  <td>
                    {t('checks.counts', { pass: r.counts.pass, fail: r.counts.fail, na: r.counts.not_applicable, nr: r.counts.not_run })}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {selected && <CheckRunView key={selected} id={selected} />}
    </>
  );
}

function CheckRunView({ id }: { id: string }) {
  const { t } = useI18n();
  const run = useQuery({ queryKey: ['records-check', id], queryFn: ({ signal }) => recordsChecksApi.get(id, signal) });
  if (run.error) return <ErrorBox error={run.error} onRetry={() => void run.refetch()} />;
  if (!run.data) return <Loading />;
  const r = run.data.report;
  const problems = [...r.packageResults, ...r.itemReports.flatMap((i) => i.results)].filter(
    (x) => x.outcome === 'fail' || x.outcome === 'not_run',
  );
  return (
    <section aria-labelledby="check-run-title" data-testid="check-run">
      <h2 id="check-run-title">
        {run.data.subject} · {t(OUTCOME[r.outcome])}
      </h2>
      <p>
        <a href={recordsChecksApi.docxUrl(id)} download>
          {t('checks.docx')}
        </a>
      </p>
      {/* 22 checks make a wide table: the scrolling region takes focus so it scrolls from the keyboard */}
      <div className="table-wrap" tabIndex={0} role="region" aria-label={t('checks.items')}>
        <table className="doc-table" data-testid="check-items">
          <caption>{t('checks.items')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('checks.col.archivalNumber')}</th>
              {r.checks.map((c) => (
                <th scope="col" key={c.id} title={c.description}>
                  {c.groupLabel}：{c.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {r.itemReports.map((i) => (
              <tr key={i.dir}>
                <th scope="row">{i.subject}</th>
                {r.checks.map((c) => {
                  const res = i.results.find((x) => x.check === c.id);
                  return <td key={c.id}>{res ? t(OUTCOME[res.outcome]) : '—'}</td>;
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {problems.length > 0 && (
        <>
          <h3>{t('checks.problems')}</h3>
          <ul data-testid="check-problems">
            {problems.slice(0, 200).map((p, n) => (
              <li key={n}>
                {p.subject ?? t('checks.package')} · {p.label} · {t(OUTCOME[p.outcome])}：
                {p.evidence.map((e) => `${e.measured}：${e.expected} / ${e.found}`).join('；')}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
