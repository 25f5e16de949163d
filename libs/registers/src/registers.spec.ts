import JSZip from 'jszip';
import { BOM, csvField, parseCsv, toCsv } from '#gongwen/docx/csv';
import { RegisterDataError, dayOf, periodText } from './format.js';
import { incomingRows, reminderSample, returnNoticeSample, supervisionItems } from './fixtures.js';
import {
  INCOMING_REGISTER_COLUMNS,
  incomingRegisterCsv,
  incomingRegisterDocx,
  incomingRegisterFileName,
  incomingRegisterTable,
  type IncomingRegisterRow,
} from './incoming-register.js';
import { FIRST_CHECKS, failedChecksText, returnNoticeDocx, returnNoticeFileName } from './return-notice.js';
import {
  CARD_COLOURS,
  SUPERVISION_REGISTER_COLUMNS,
  percent,
  reminderNoticeDocx,
  supervisionRegisterCsv,
  supervisionStats,
  type SupervisionItemRecord,
} from './supervision.js';

const document = async (docx: Buffer): Promise<string> => (await JSZip.loadAsync(docx)).file('word/document.xml')!.async('string');

describe('CSV', () => {
  it('quotes commas, quotes and line breaks (RFC 4180) and leaves plain text alone', () => {
    expect(csvField('关于做好工作的通知')).toBe('关于做好工作的通知');
    expect(csvField('甲,乙')).toBe('"甲,乙"');
    expect(csvField('“内部”"quoted"')).toBe('"“内部”""quoted"""');
    expect(csvField('第一行\n第二行')).toBe('"第一行\n第二行"');
    expect(csvField(null)).toBe('');
    expect(csvField(12)).toBe('12');
  });

  it('prefixes every field a spreadsheet would run as a formula', () => {
    for (const bad of ['=1+1', '+86 123', '-2+3', '@SUM(A1)', '\t=1', '\r=1']) expect(csvField(bad).replace(/^"/, '')[0]).toBe("'");
    expect(csvField('=HYPERLINK("http://x","点我")')).toBe('"\'=HYPERLINK(""http://x"",""点我"")"');
    expect(csvField('a=1')).toBe('a=1');
    // a plain negative number is a number, not a formula
    expect(csvField('-12.5')).toBe('-12.5');
  });

  it('starts with a UTF-8 byte-order mark and ends every line with CRLF', () => {
    const csv = toCsv(['甲', '乙'], [['1', '2']]);
    expect(csv.startsWith(BOM)).toBe(true);
    expect(Buffer.from(csv, 'utf8').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(csv).toBe('\uFEFF甲,乙\r\n1,2\r\n');
  });
});

describe('收文登记簿', () => {
  it('has the register fields as columns, in order', () => {
    const header = parseCsv(incomingRegisterCsv([]))[0];
    expect(header).toEqual([...INCOMING_REGISTER_COLUMNS]);
    expect(header).toEqual([
      '收文编号',
      '收文日期',
      '来文单位',
      '来文字号',
      '标题',
      '密级',
      '紧急程度',
      '份数',
      '页数',
      '成文日期',
      '办理期限',
      '主办部门',
      '附件',
      '办理情况',
    ]);
  });

  it('prints rows in 收文编号 order (year, then serial as a number) whatever order they come in', () => {
    const rows = incomingRows(25);
    expect(rows.map((r) => r.serial)).not.toEqual([...rows.map((r) => r.serial)].sort((a, b) => a - b));
    const table = incomingRegisterTable(rows);
    expect(table.map((r) => r[0])).toEqual(Array.from({ length: 25 }, (_, i) => `收〔2026〕${i + 1}号`));
    const lastYear = { ...rows[0], year: 2025, serial: 99, receiveNumber: '收〔2025〕99号' };
    expect(incomingRegisterTable([...rows, lastYear])[0][0]).toBe('收〔2025〕99号');
  });

  it('round-trips through a CSV reader, with the hostile and awkward fields escaped', () => {
    const rows: IncomingRegisterRow[] = [
      {
        ...incomingRows(1)[0],
        title: '=HYPERLINK("http://evil","点击")',
        senderName: '甲单位,乙单位',
        senderNumber: '-1+2',
        attachments: ['清单一', '清单"二"'],
        handling: '已退文\n理由：不符合行文规则',
        classification: 'secret',
        secrecyPeriod: '10年',
        urgency: 'urgent',
        receivedAt: '2026-03-01T17:30:00Z',
      },
    ];
    const parsed = parseCsv(incomingRegisterCsv(rows));
    expect(parsed).toHaveLength(2);
    const [row] = parsed.slice(1);
    expect(row).toHaveLength(14);
    expect(row[4]).toBe('\'=HYPERLINK("http://evil","点击")');
    expect(row[2]).toBe('甲单位,乙单位');
    expect(row[3]).toBe("'-1+2");
    expect(row[12]).toBe('清单一；清单"二"');
    expect(row[13]).toBe('已退文\n理由：不符合行文规则');
    expect(row[5]).toBe('机密★10年');
    expect(row[6]).toBe('加急');
    // 17:30 UTC is 01:30 the next day in Beijing: the office's date
    expect(row[1]).toBe('2026-03-02');
  });

  it('refuses a row without a required field, with no copies, or a 收文编号 given twice', () => {
    const [row] = incomingRows(1);
    expect(() => incomingRegisterTable([{ ...row, title: '  ' }])).toThrow(RegisterDataError);
    expect(() => incomingRegisterTable([{ ...row, senderName: '' }])).toThrow(/senderName/);
    expect(() => incomingRegisterTable([{ ...row, receiveNumber: '' }])).toThrow(/receiveNumber/);
    expect(() => incomingRegisterTable([{ ...row, copies: 0 }])).toThrow(/copies/);
    expect(() => incomingRegisterTable([{ ...row, serial: 0 }])).toThrow(/serial/);
    expect(() => incomingRegisterTable([row, { ...row }])).toThrow(/twice/);
    expect(() => incomingRegisterTable([{ ...row, receivedAt: 'yesterday' }])).toThrow(/not a date/);
  });

  it('writes the DOCX with one repeated header row and a row per item, landscape', async () => {
    const xml = await document(
      await incomingRegisterDocx({ unitName: '××区财政局', from: '2026-01-01', to: '2026-03-31' }, incomingRows(60)),
    );
    expect(xml.match(/<w:tblHeader\/>|<w:tblHeader w:val="(true|1|on)"\/>/g)).toHaveLength(1);
    expect(xml.match(/<w:tr>|<w:tr /g)).toHaveLength(61);
    expect(xml).toMatch(/w:orient="landscape"/);
    expect(xml).toContain('2026年1月1日至2026年3月31日');
    expect(xml.indexOf('收〔2026〕9号')).toBeLessThan(xml.indexOf('收〔2026〕10号'));
  });

  it('names its downloads after the unit and the period, safe on every file system', () => {
    expect(incomingRegisterFileName({ unitName: '××区财政局', from: '2026-01-01', to: '2026-03-31' }, 'csv')).toBe(
      '××区财政局 收文登记簿 2026-01-01至2026-03-31.csv',
    );
    expect(incomingRegisterFileName({ unitName: 'a/b:c', from: '2026-05-04', to: '2026-05-04' }, 'docx')).toBe(
      'a_b_c 收文登记簿 2026-05-04.docx',
    );
  });
});

describe('退文告知单', () => {
  it('names the failed checks of art. 24 by number, in order, each once', () => {
    expect(Object.keys(FIRST_CHECKS)).toEqual(['1', '2', '3', '4', '5']);
    expect(failedChecksText([4, 2, 4])).toEqual(['第2项：是否符合行文规则。', `第4项：${FIRST_CHECKS[4]}。`]);
    expect(() => failedChecksText([6])).toThrow(RegisterDataError);
  });

  it('requires the reason, the returning unit and the registrar', async () => {
    await expect(returnNoticeDocx({ ...returnNoticeSample(), reason: ' ' })).rejects.toThrow(/reason/);
    await expect(returnNoticeDocx({ ...returnNoticeSample(), returningUnit: '' })).rejects.toThrow(/returningUnit/);
    await expect(returnNoticeDocx({ ...returnNoticeSample(), registrar: '' })).rejects.toThrow(/registrar/);
    const xml = await document(await returnNoticeDocx(returnNoticeSample()));
    expect(xml).toContain('第2项：是否符合行文规则');
    expect(returnNoticeFileName(returnNoticeSample())).toBe('退文告知单 某科〔2026〕3号 关于申请2026年度科技创新专项资金的请示.docx');
  });
});

describe('supervision', () => {
  const item = (over: Partial<SupervisionItemRecord>): SupervisionItemRecord => ({ ...supervisionItems(1)[0], ...over });

  it('counts per status and card and the on-time rate per lead unit as of a date', () => {
    const items = [
      item({ serial: 1, leadUnit: '甲局', deadline: '2026-06-30', closedAt: '2026-06-30', status: '已办结', card: 'none' }),
      item({ serial: 2, leadUnit: '甲局', deadline: '2026-06-30', closedAt: '2026-07-01T02:00:00Z', status: '已办结', card: 'none' }),
      item({ serial: 3, leadUnit: '甲局', deadline: '2026-06-30', closedAt: null, status: '办理中', card: 'red' }),
      item({ serial: 4, leadUnit: '乙局', deadline: '2026-12-31', closedAt: null, status: '办理中', card: 'blue' }),
    ];
    const stats = supervisionStats(items, '2026-07-15');
    expect(stats.total).toBe(4);
    expect(stats.byStatus).toEqual([
      { status: '已办结', count: 2 },
      { status: '办理中', count: 2 },
    ]);
    expect(stats.byCard).toEqual({ none: 2, blue: 1, yellow: 0, red: 1 });
    expect(stats.byUnit).toEqual([
      { unit: '甲局', items: 3, onTime: 1, late: 2, rate: 1 / 3 },
      { unit: '乙局', items: 1, onTime: 0, late: 0, rate: null },
    ]);
    expect(percent(1 / 3)).toBe('33.3%');
    expect(percent(null)).toBe('—');
  });

  it('writes the register CSV with its fields, in 事项编号 order', () => {
    const items = supervisionItems(12).reverse();
    const parsed = parseCsv(supervisionRegisterCsv(items));
    expect(parsed[0]).toEqual([...SUPERVISION_REGISTER_COLUMNS]);
    expect(parsed.slice(1).map((r) => r[0])).toEqual(Array.from({ length: 12 }, (_, i) => `督〔2026〕${i + 1}号`));
    expect(() => supervisionRegisterCsv([item({ leadUnit: '' })])).toThrow(/leadUnit/);
  });

  it('puts the card in a band of its colour above the title, and names it in the title', async () => {
    for (const card of ['blue', 'yellow', 'red'] as const) {
      const xml = await document(await reminderNoticeDocx(reminderSample(card)));
      const band = xml.indexOf(`w:fill="${CARD_COLOURS[card].fill}"`);
      const title = xml.indexOf('<w:pStyle w:val="Title"/>');
      expect(band).toBeGreaterThan(-1);
      expect(band).toBeLessThan(title);
      expect(xml.slice(title)).toContain(`${{ blue: '蓝', yellow: '黄', red: '红' }[card]}牌督办`);
    }
  });
});

describe('dates', () => {
  it('dates instants in the office time zone and prints periods in Chinese', () => {
    expect(dayOf('2026-11-26T16:30:00Z')).toBe('2026-11-27');
    expect(dayOf('2026-11-26')).toBe('2026-11-26');
    expect(periodText('2026-01-01', '2026-01-31')).toBe('2026年1月1日至2026年1月31日');
    expect(periodText('2026-01-01', '2026-01-01')).toBe('2026年1月1日');
  });
});
