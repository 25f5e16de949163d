/**
 * 发文稿纸: the processing sheet as offices print it — 签发, 会签, 核稿, 校对, 集体讨论, 统稿, 拟稿, 登记印发, each with
 * person, opinion and date — so that the signer sees the reviewer's and co-signers' opinions in one place.
 */
import { useQuery } from '@tanstack/react-query';
import { api } from '../api';
import { formatDateTime } from '../format';
import { useI18n } from '../i18n';
import type { DocumentView } from '../types';
import { ErrorBox, Loading } from './ErrorBox';

export function ProcessingSheet({ doc }: { doc: DocumentView }) {
  const { t, locale } = useI18n();
  // the sheet changes with every event: the document's version is part of the key
  const sheet = useQuery({
    queryKey: ['processing-sheet', doc.id, doc.version],
    queryFn: ({ signal }) => api.processingSheet(doc.id, signal),
  });
  return (
    <section className="panel processing-sheet" aria-labelledby="sheet-h" data-testid="processing-sheet">
      <h2 id="sheet-h">{t('sheet.title')}</h2>
      {sheet.isError ? (
        <ErrorBox error={sheet.error} onRetry={() => void sheet.refetch()} />
      ) : !sheet.data ? (
        <Loading />
      ) : (
        <table className="sheet-table">
          <thead>
            <tr>
              <th scope="col">{t('sheet.step')}</th>
              <th scope="col">{t('sheet.person')}</th>
              <th scope="col">{t('sheet.opinion')}</th>
              <th scope="col">{t('sheet.date')}</th>
            </tr>
          </thead>
          <tbody>
            {sheet.data.lines
              .filter((l) => l.entries.length || ['签发', '核稿', '拟稿'].includes(l.role))
              .flatMap((l) =>
                (l.entries.length ? l.entries : [null]).map((e, i) => (
                  <tr key={`${l.role}-${i}`}>
                    {i === 0 && (
                      <th scope="row" rowSpan={Math.max(l.entries.length, 1)}>
                        {l.role}
                      </th>
                    )}
                    <td>{e?.name ?? '—'}</td>
                    <td>{e?.opinion ?? ''}</td>
                    <td>{e ? <time dateTime={e.at}>{formatDateTime(e.at, locale)}</time> : ''}</td>
                  </tr>
                )),
              )}
          </tbody>
        </table>
      )}
      <p className="sheet-downloads">
        <a className="btn btn-small" href={api.sheetUrl(doc.id, 'docx')} download>
          {t('sheet.docx')}
        </a>{' '}
        <a className="btn btn-small" href={api.sheetUrl(doc.id, 'pdf')} download>
          {t('sheet.pdf')}
        </a>
      </p>
    </section>
  );
}
