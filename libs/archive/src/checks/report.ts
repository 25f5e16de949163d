/**
 * The check report (检测报告) as DOCX, the form an archive signs off: what was checked and when, the conclusion,
 * a table per check item with its counts, the problems with their evidence, the sign-off lines, and one line
 * per item. Long tables get their rows as WordprocessingML strings (a docx object tree per row costs far more).
 */
import { AlignmentType } from 'docx';
import JSZip from 'jszip';
import { FONTS, chinaTime, landscape, pack, para, rowsXml, table } from '#gongwen/docx/forms';
import type { CheckReport } from './engine.js';
import type { CheckResult, Outcome } from './types.js';

export const OUTCOME_LABELS: Record<Outcome, string> = { pass: '通过', fail: '不通过', not_applicable: '不适用', not_run: '未检测' };

const SUMMARY_WIDTHS = [22, 95, 20, 20, 20, 20];
const DETAIL_WIDTHS = [45, 55, 16, 50, 40, 41];
const ITEM_WIDTHS = [15, 60, 22, 150];
/** Problem lines printed in full; the JSON report holds all of them. */
export const MAX_DETAIL_ROWS = 500;

function conclusion(r: CheckReport): string {
  if (r.outcome === 'fail') return '不通过：存在不符合要求的检测项，见问题明细。';
  if (r.outcome === 'not_run') return '未完成：部分检测项未能执行（见问题明细），其余检测项通过。';
  return '通过：全部适用的检测项均符合要求。';
}

function problems(r: CheckReport): CheckResult[] {
  return [
    ...r.packageResults.filter((x) => x.outcome === 'fail' || x.outcome === 'not_run'),
    ...r.itemReports.flatMap((i) => i.results.filter((x) => x.outcome === 'fail')),
  ];
}

export async function checkReportDocx(r: CheckReport, opts: { title?: string } = {}): Promise<Buffer> {
  const summary = table(
    SUMMARY_WIDTHS,
    [
      { cells: ['检测类别', '检测项目', '通过', '不通过', '不适用', '未检测'], header: true },
      ...r.checks.map((c) => ({
        cells: [
          c.groupLabel,
          c.label,
          String(c.counts.pass),
          String(c.counts.fail),
          String(c.counts.not_applicable),
          String(c.counts.not_run),
        ],
        align: [AlignmentType.CENTER, AlignmentType.LEFT],
      })),
    ],
    10.5,
  );
  const header = (cells: string[], widths: number[]) => table(widths, [{ cells, header: true }], 10.5);
  const doc = await pack(opts.title ?? '电子档案四性检测报告', [
    landscape(
      [
        para(opts.title ?? '电子档案四性检测报告', 22, { font: FONTS.title, align: AlignmentType.CENTER, after: 300 }),
        para(
          [
            `检测对象：${r.package}`,
            `检测依据：DA/T 70-2018《文书类电子档案检测一般要求》，元数据依据 DA/T 46-2009`,
            `检测时间：${chinaTime(r.startedAt)} 至 ${chinaTime(r.finishedAt)}`,
            `件数：${r.items}　结果：通过 ${r.counts.pass} 项次，不通过 ${r.counts.fail} 项次，不适用 ${r.counts.not_applicable} 项次，未检测 ${r.counts.not_run} 项次`,
            `结论：${conclusion(r)}`,
          ].join('\n'),
          12,
          { after: 200 },
        ),
        summary,
        para('检测人：________________　　审核人：________________　　日期：____年__月__日', 12, { before: 300, after: 300 }),
        para('问题明细', 14, { font: FONTS.hei, after: 120 }),
        header(['档号 / 对象', '检测项目', '结果', '检测内容', '应为', '实为'], DETAIL_WIDTHS),
        para('逐件检测结果', 14, { font: FONTS.hei, before: 300, after: 120 }),
        header(['序号', '档号', '结论', '不通过或未检测的项目'], ITEM_WIDTHS),
      ],
      true,
    ),
  ]);
  const detail = problems(r).slice(0, MAX_DETAIL_ROWS);
  const detailRows = detail.flatMap((x) =>
    x.evidence.slice(0, 5).map((e) => ({
      cells: [x.subject ?? '整个数据包', x.label, OUTCOME_LABELS[x.outcome], e.measured, e.expected, e.found],
      align: [AlignmentType.LEFT, AlignmentType.LEFT, AlignmentType.CENTER, AlignmentType.LEFT, AlignmentType.LEFT, AlignmentType.LEFT],
    })),
  );
  if (!detailRows.length) detailRows.push({ cells: ['—', '无', '—', '—', '—', '—'], align: [] });
  const more = problems(r).length - detail.length;
  if (more > 0) detailRows.push({ cells: ['……', `另有 ${more} 条，见 check-report.json`, '', '', '', ''], align: [] });
  const itemRow = (i: CheckReport['itemReports'][number], n: number) => ({
    cells: [
      String(n + 1),
      i.subject,
      OUTCOME_LABELS[i.outcome],
      i.results
        .filter((x) => x.outcome === 'fail' || x.outcome === 'not_run')
        .map((x) => `${x.label}（${OUTCOME_LABELS[x.outcome]}）`)
        .join('；') || '—',
    ],
    align: [AlignmentType.CENTER, AlignmentType.LEFT, AlignmentType.CENTER, AlignmentType.LEFT],
  });
  // the line per item as UTF-8, a hundred rows at a time: the rows as one string (and the document as another, and
  // JSZip's UTF-8 copy of it) cost ≈30 MB per 1,000 items at the end of an export, where its memory peaked
  const itemXml: Buffer[] = [];
  for (let k = 0; k < r.itemReports.length; k += ROWS_PER_CHUNK) {
    const rows = r.itemReports.slice(k, k + ROWS_PER_CHUNK).map((i, n) => itemRow(i, k + n));
    itemXml.push(Buffer.from(rowsXml(ITEM_WIDTHS, rows, 9, 7), 'utf8'));
  }
  return appendToTables(doc, [null, [Buffer.from(rowsXml(DETAIL_WIDTHS, detailRows, 9, 7), 'utf8')], itemXml]);
}

const ROWS_PER_CHUNK = 100;

/**
 * The report as JSON, exactly the bytes of `JSON.stringify(r, null, 2) + '\n'`, in chunks: the item reports are
 * stringified a batch at a time, so that the whole text (≈14 MB for 1,000 items, twice that as a two-byte string)
 * and its buffer never exist at once. For `ZipWriter.add` / `BagWriter.addPayload` as a chunk source.
 */
export function* checkReportJsonChunks(r: CheckReport, itemsPerChunk = 50): Generator<Buffer> {
  // a value at depth `d` of the two-space layout: its own lines, each continued with the indentation of its depth
  const at = (v: unknown, d: number) => JSON.stringify(v, null, 2).replace(/\n/g, '\n' + '  '.repeat(d));
  const fields = Object.entries(r).filter(([, v]) => v !== undefined && typeof v !== 'function');
  if (!fields.length) {
    yield Buffer.from('{}\n', 'utf8');
    return;
  }
  let text = '{\n';
  for (const [n, [k, v]] of fields.entries()) {
    text += `  ${JSON.stringify(k)}: `;
    if (k === 'itemReports' && Array.isArray(v) && v.length) {
      text += '[\n';
      for (let i = 0; i < v.length; i++) {
        // an array element that JSON cannot hold is written as null, as JSON.stringify does
        const x = v[i] === undefined || typeof v[i] === 'function' ? null : v[i];
        text += `    ${at(x, 2)}${i < v.length - 1 ? ',' : ''}\n`;
        if ((i + 1) % itemsPerChunk === 0) {
          yield Buffer.from(text, 'utf8');
          text = '';
        }
      }
      text += '  ]';
    } else text += at(v, 1);
    text += n < fields.length - 1 ? ',\n' : '\n';
  }
  yield Buffer.from(text + '}\n', 'utf8');
}

/** Appends rows (UTF-8 XML) to the document's tables in order; null leaves a table as it is. */
async function appendToTables(docx: Buffer, rows: (Buffer[] | null)[]): Promise<Buffer> {
  const zip = await JSZip.loadAsync(docx);
  const parts = (await zip.file('word/document.xml')!.async('string')).split('</w:tbl>');
  if (parts.length - 1 !== rows.length) throw new Error(`expected ${rows.length} tables, found ${parts.length - 1}`);
  const end = Buffer.from('</w:tbl>', 'utf8');
  const xml: Buffer[] = [];
  for (const [i, p] of parts.entries()) {
    if (i > 0) xml.push(end);
    xml.push(Buffer.from(p, 'utf8'));
    if (i < rows.length) xml.push(...(rows[i] ?? []));
  }
  zip.file('word/document.xml', Buffer.concat(xml));
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level: 6 } });
}
