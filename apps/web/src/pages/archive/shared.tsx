/** Pieces the archive pages share: the catalogue table (归档文件目录), class codes, retention and size labels. */
import type { ReactNode } from 'react';
import type { ClassKey } from '../../api';
import type { T } from '../../i18n';
import { useI18n } from '../../i18n';
import type { CatalogueLine, Retention } from '../../types';

export const RETENTIONS: Retention[] = ['Y', 'D30', 'D10'];

const CLASS_CODE = /^([0-9A-Z]{4})-WS·(\d{4})-(Y|D30|D10)-([A-Z0-9]{1,10})$/;

/** 0194-WS·2026-D30-BGS → { fonds, year, retention, unit }. */
export function parseClassCode(code: string | null | undefined): ClassKey | null {
  const m = code ? CLASS_CODE.exec(code) : null;
  return m ? { fonds: m[1], year: Number(m[2]), retention: m[3] as Retention, unit: m[4] } : null;
}

export function retentionLabel(t: T, r: Retention): string {
  return t(`retention.${r}`);
}

/** 20260315 → 2026-03-15 (the catalogue keeps the eight digits; the screen reads better with dashes). */
export function date8(d: string): string {
  return /^\d{8}$/.test(d) ? `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6)}` : d;
}

export function fileSize(bytes: number | null | undefined, locale: string): string {
  if (bytes === null || bytes === undefined) return '';
  const units = ['B', 'KB', 'MB', 'GB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toLocaleString(locale, { maximumFractionDigits: u ? 1 : 0 })} ${units[u]}`;
}

/**
 * The catalogue columns of DA/T 22: 序号, 档号, 文号, 责任者, 题名, 日期, 密级, 页数, 备注. `lead` and `trail` add a
 * column before (a checkbox) or after (an action) each line.
 */
export function CatalogueTable<L extends CatalogueLine>({
  lines,
  caption,
  lead,
  trail,
  rowKey,
  testId,
}: {
  lines: L[];
  caption: string;
  lead?: { header: ReactNode; cell: (l: L) => ReactNode };
  trail?: { header: ReactNode; cell: (l: L) => ReactNode };
  rowKey?: (l: L) => string;
  testId?: string;
}) {
  const { t } = useI18n();
  return (
    <div className="table-wrap">
      <table className="doc-table catalogue" data-testid={testId}>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {lead && <th scope="col">{lead.header}</th>}
            <th scope="col" className="num">
              {t('cat.seq')}
            </th>
            <th scope="col">{t('cat.archivalNumber')}</th>
            <th scope="col">{t('cat.documentNumber')}</th>
            <th scope="col">{t('cat.author')}</th>
            <th scope="col">{t('cat.title')}</th>
            <th scope="col">{t('cat.date')}</th>
            <th scope="col">{t('cat.classification')}</th>
            <th scope="col" className="num">
              {t('cat.pages')}
            </th>
            <th scope="col">{t('cat.remarks')}</th>
            {trail && <th scope="col">{trail.header}</th>}
          </tr>
        </thead>
        <tbody>
          {lines.map((l) => (
            <tr key={rowKey ? rowKey(l) : l.archivalNumber} data-archival-number={l.archivalNumber}>
              {lead && <td>{lead.cell(l)}</td>}
              <td className="num">{l.seq}</td>
              <td className="mono nowrap">{l.archivalNumber}</td>
              <td className="nowrap">{l.documentNumber || '—'}</td>
              <td>{l.author}</td>
              <td>{l.title}</td>
              <td className="nowrap">
                <time dateTime={date8(l.date)}>{l.date}</time>
              </td>
              <td className="nowrap">{l.classification || '—'}</td>
              <td className="num">{l.pages ?? <span className="muted small">{t('cat.pagesPending')}</span>}</td>
              <td>{l.remarks}</td>
              {trail && <td>{trail.cell(l)}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
