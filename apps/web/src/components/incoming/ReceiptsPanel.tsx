/**
 * 签收回执 on the outgoing document page: per recipient unit inside the deployment, delivered / signed for (who and
 * when) / returned (who, when and why). Shown once the document has been delivered; nothing when the API has no
 * receipts for it (not yet registered, no recipient units, or not mine to see).
 */
import { formatDateTime } from '../../format';
import { useI18n } from '../../i18n';
import { useReceipts } from '../../incoming-queries';
import { useInT, type InKey } from '../../incoming-strings';
import type { Receipt } from '../../incoming-types';
import { useUserDirectory } from '../../names';

/** States of the outgoing workflow in which the document has been delivered to its recipient units. */
const DELIVERED = new Set(['circulation', 'archiving', 'archived']);

export function ReceiptsPanel({ documentId, state }: { documentId: string; state: string }) {
  const { it } = useInT();
  const { locale } = useI18n();
  const users = useUserDirectory();
  const receipts = useReceipts(documentId, DELIVERED.has(state));
  const items = receipts.data?.items;
  const outside = receipts.data?.outside ?? [];
  if (!items) return null;
  const person = (ref: Receipt['signedBy']) => ref?.displayName || (ref && users.get(ref.id)?.displayName) || it('common.someone');
  const count = (s: Receipt['status']) => items.filter((r) => r.status === s).length;
  return (
    <section className="panel" aria-labelledby="receipts-h" data-testid="receipts">
      <h2 id="receipts-h">{it('receipts.title')}</h2>
      {items.length === 0 ? (
        <p className="muted small">{it('receipts.none')}</p>
      ) : (
        <>
          <p className="small muted">
            {it('receipts.summary', { n: items.length, signed: count('signed'), returned: count('returned'), waiting: count('delivered') })}
          </p>
          <div className="table-wrap">
            <table className="doc-table">
              <caption className="visually-hidden">{it('receipts.table')}</caption>
              <thead>
                <tr>
                  <th scope="col">{it('receipts.unit')}</th>
                  <th scope="col">{it('receipts.status')}</th>
                  <th scope="col">{it('receipts.detail')}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((r) => (
                  <tr key={`${r.unitId}:${r.role}`} data-status={r.status}>
                    <td>
                      {r.unitName} <span className="muted small">（{it(r.role === 'copy' ? 'receipts.copy' : 'receipts.main')}）</span>
                    </td>
                    <td>
                      <span
                        className={`badge receipt-${r.status}${r.status === 'returned' ? ' badge-bad' : r.status === 'signed' ? ' badge-ok' : ''}`}
                      >
                        {it(`receipts.${r.status}` as InKey)}
                      </span>
                    </td>
                    <td className="small">
                      {r.status === 'signed'
                        ? it('receipts.signedBy', { name: person(r.signedBy), date: formatDateTime(r.signedAt, locale) })
                        : r.status === 'returned'
                          ? it('receipts.returnedBy', {
                              name: person(r.returnedBy),
                              date: formatDateTime(r.returnedAt, locale),
                              reason: r.returnReason ?? '',
                            })
                          : it('receipts.deliveredAt', { date: formatDateTime(r.deliveredAt, locale) })}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      {outside.length > 0 && (
        <p className="small muted" data-testid="receipts-outside">
          {it('receipts.outside', { names: outside.map((o) => o.name).join('、') })}
        </p>
      )}
    </section>
  );
}
