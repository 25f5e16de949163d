/**
 * A register as DOCX (收文登记簿, 督查事项登记簿): A4 landscape, the title and a line naming the unit and the period,
 * then one ruled table whose header row repeats on every page, its rows written as XML (a long register stays cheap
 * to build), pages numbered.
 */
import { AlignmentType } from 'docx';
import { FONTS, appendRows, landscape, mm, pack, para, rowsXml, table, type Align } from '#gongwen/docx/forms';

export interface RegisterLayout {
  /** 收文登记簿 */
  title: string;
  /** The line under the title: unit, period, count. */
  subtitle: string;
  columns: readonly string[];
  /** Column widths in millimetres (247 in all on landscape A4). */
  widths: readonly number[];
  /** Alignment of each column in the rows (the header is centred). */
  align: readonly Align[];
  /** Type size of the table, in points. */
  pt: number;
}

export async function registerTableDocx(layout: RegisterLayout, rows: readonly string[][]): Promise<Buffer> {
  const widths = [...layout.widths];
  const C = AlignmentType.CENTER;
  const docx = await pack(`${layout.title} ${layout.subtitle}`, [
    landscape(
      [
        para(layout.title, 22, { font: FONTS.title, align: C, after: mm(2) }),
        para(layout.subtitle, 12, { font: FONTS.fang, align: C, after: mm(4) }),
        table(widths, [{ cells: [...layout.columns], header: true, height: 9, align: widths.map(() => C) }], layout.pt),
      ],
      true,
    ),
  ]);
  return appendRows(
    docx,
    rowsXml(
      widths,
      rows.map((cells) => ({ cells, align: [...layout.align] })),
      layout.pt,
      8,
    ),
  );
}
