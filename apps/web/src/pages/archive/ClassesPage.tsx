/**
 * 分类与目录: the classes (year – unit – retention within a fonds) with their counts; choosing one shows its
 * catalogue (归档文件目录) with downloads as CSV and DOCX, and a way to box its items into a volume.
 */
import { useEffect } from 'react';
import { archiveApi } from '../../api';
import { ErrorBox, Loading } from '../../components/ErrorBox';
import { useI18n } from '../../i18n';
import { useArchiveClasses, useCatalogue } from '../../queries';
import { Link, useLocation } from '../../router';
import type { ArchiveClass, Catalogue } from '../../types';
import { CatalogueTable, parseClassCode, retentionLabel } from './shared';

export function ClassesPage() {
  const { t } = useI18n();
  const { search } = useLocation();
  const selected = search.get('class');
  const list = useArchiveClasses();
  const classes: ArchiveClass[] | null = list.data?.items ?? null;
  const error = list.error;

  useEffect(() => {
    document.title = `${t('archive.classes.title')} · ${t('app.name')}`;
  }, [t]);

  return (
    <>
      <div className="page-head">
        <h1>{t('archive.classes.title')}</h1>
        {classes && <p className="muted">{t('archive.classes.total', { n: classes.length })}</p>}
      </div>
      {error ? <ErrorBox error={error} onRetry={() => void list.refetch()} /> : null}
      {!classes && !error && <Loading />}
      {classes && classes.length === 0 && <p className="empty">{t('archive.classes.empty')}</p>}
      {classes && classes.length > 0 && (
        <div className="table-wrap">
          <table className="doc-table" data-testid="classes">
            <caption className="visually-hidden">{t('archive.classes.table')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('archive.classes.code')}</th>
                <th scope="col">{t('archive.classes.year')}</th>
                <th scope="col">{t('archive.classes.unit')}</th>
                <th scope="col">{t('archive.classes.retention')}</th>
                <th scope="col" className="num">
                  {t('archive.classes.items')}
                </th>
                <th scope="col" className="num">
                  {t('archive.classes.pages')}
                </th>
                <th scope="col">{t('archive.classes.status')}</th>
              </tr>
            </thead>
            <tbody>
              {classes.map((c) => (
                <tr
                  key={c.code}
                  aria-current={c.code === selected ? 'true' : undefined}
                  className={c.code === selected ? 'selected' : undefined}
                >
                  <th scope="row" className="mono nowrap">
                    <Link
                      href={`/archive/classes?class=${encodeURIComponent(c.code)}`}
                      aria-label={t('archive.classes.open', { code: c.code })}
                    >
                      {c.code}
                    </Link>
                  </th>
                  <td>{c.year}</td>
                  <td>
                    {c.unitName}（{c.unitCode}）
                  </td>
                  <td>{retentionLabel(t, c.retention)}</td>
                  <td className="num">{c.items}</td>
                  <td className="num">{c.pages}</td>
                  <td className="small">
                    {c.preparing > 0 && <span className="badge">{t('archive.classes.preparing', { n: c.preparing })}</span>}{' '}
                    {c.disposed > 0 && <span className="badge">{t('archive.classes.disposed', { n: c.disposed })}</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {selected && <CataloguePanel key={selected} code={selected} />}
    </>
  );
}

function CataloguePanel({ code }: { code: string }) {
  const { t } = useI18n();
  const key = parseClassCode(code);
  const catalogue = useCatalogue(code, key);
  const cat: Catalogue | null = catalogue.data ?? null;
  const error = catalogue.error;

  return (
    <section className="panel catalogue-panel" aria-labelledby="catalogue-heading" data-testid="catalogue">
      <div className="panel-head">
        <h2 id="catalogue-heading" tabIndex={-1}>
          {t('archive.catalogue.title', { code })}
        </h2>
        {key && cat && (
          <div className="panel-actions">
            <a className="btn btn-small" href={archiveApi.catalogueUrl(key, 'csv')} download>
              {t('archive.catalogue.csv')}
            </a>
            <a className="btn btn-small" href={archiveApi.catalogueUrl(key, 'docx')} download>
              {t('archive.catalogue.docx')}
            </a>
            <Link className="btn btn-small btn-primary" href={`/archive/volumes/new?class=${encodeURIComponent(code)}`}>
              {t('archive.catalogue.makeVolume')}
            </Link>
          </div>
        )}
      </div>
      {!key && (
        <p className="error" role="alert">
          {t('archive.catalogue.badCode')}
        </p>
      )}
      {cat && (
        <p className="muted small">
          {t('archive.catalogue.cover', {
            fonds: `${cat.class.fondsName}（${cat.class.fondsCode}）`,
            year: cat.class.year,
            retention: retentionLabel(t, cat.class.retention),
            unit: `${cat.class.unitName}（${cat.class.unitCode}）`,
            n: cat.items.length,
          })}
        </p>
      )}
      {error ? <ErrorBox error={error} /> : null}
      {key && !cat && !error && <Loading />}
      {cat && <CatalogueTable lines={cat.items} caption={t('archive.catalogue.title', { code })} testId="catalogue-table" />}
    </section>
  );
}
