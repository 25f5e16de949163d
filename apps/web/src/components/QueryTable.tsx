import type { ReactNode } from 'react';
import { ErrorBox, Loading } from './ErrorBox';

/**
 * A list a query loads, shown as a table: the error with a retry, loading, the empty line, or the table with its
 * (visually hidden) caption, the column heads and the rows `children` draws.
 */
export function QueryTable<Row>({
  query,
  rows,
  empty,
  caption,
  heads,
  children,
}: {
  query: { error: unknown; refetch: () => unknown };
  /** The rows once loaded; null while loading (or failed). */
  rows: readonly Row[] | null;
  empty: ReactNode;
  caption: string;
  /** One per column, in order (a node for a head that is itself visually hidden). */
  heads: ReactNode[];
  children: (rows: readonly Row[]) => ReactNode;
}) {
  const { error } = query;
  return (
    <>
      {error ? <ErrorBox error={error} onRetry={() => void query.refetch()} /> : null}
      {!rows && !error && <Loading />}
      {rows && rows.length === 0 && <p className="empty">{empty}</p>}
      {rows && rows.length > 0 && (
        <div className="table-wrap">
          <table className="doc-table">
            <caption className="visually-hidden">{caption}</caption>
            <thead>
              <tr>
                {heads.map((head, i) => (
                  <th key={i} scope="col">
                    {head}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>{children(rows)}</tbody>
          </table>
        </div>
      )}
    </>
  );
}
