/**
 * word/styles.xml, written by hand rather than through the `docx` style options, for two reasons: paragraph styles
 * need `w:snapToGrid w:val="0"` (the mark, title and number lines have exact heights, which LibreOffice ignores for
 * paragraphs that snap to the line grid), which `docx` cannot express; and one constant string costs nothing per
 * render. The renderer swaps it in through Packer's file overrides.
 */
import { CHAR, CHAR_SPACING, FONT, LINE_PITCH, MARK_PT, PT, RED, halfPoints, type FontName } from './layout.js';

/** Paragraph style ids the renderer writes (the importer maps them back). */
export const STYLE = {
  body: 'GwBody',
  title: 'Title',
  heading: (level: 1 | 2 | 3 | 4) => `Heading${level}`,
  recipients: 'GwRecipients',
  header: 'GwHeaderZone',
  mark: 'GwMark',
  number: 'GwNumber',
  signature: 'GwSignature',
  note: 'GwNote',
  attachmentNote: 'GwAttachmentNote',
  attachmentLabel: 'GwAttachmentLabel',
  attachmentTitle: 'GwAttachmentTitle',
  attendance: 'GwAttendance',
  imprint: 'GwImprint',
  table: 'GwTable',
  pageNumber: 'GwPageNumber',
  draft: 'GwDraftMark',
  spacer: 'GwSpacer',
} as const;

/** Style names (w:name) of the gongwen paragraph styles, for the importer's style map. */
export const STYLE_NAMES: Record<string, string> = {};

const fonts = (name: FontName): string => {
  const latin = name === FONT.fangsong || name === FONT.kai ? FONT.latin : name;
  return `<w:rFonts w:ascii="${latin}" w:hAnsi="${latin}" w:eastAsia="${name}" w:cs="${latin}" w:hint="eastAsia"/>`;
};
const size = (pt: number): string => `<w:sz w:val="${halfPoints(pt)}"/><w:szCs w:val="${halfPoints(pt)}"/>`;
const firstLineIndent = `<w:ind w:firstLine="${2 * CHAR}" w:firstLineChars="200"/>`;

interface StyleDef {
  id: string;
  name: string;
  next?: string;
  pPr?: string;
  rPr?: string;
}

function paragraphStyle(s: StyleDef): string {
  STYLE_NAMES[s.id] = s.name;
  return (
    `<w:style w:type="paragraph" w:customStyle="${s.id.startsWith('Gw') ? 1 : 0}" w:styleId="${s.id}">` +
    `<w:name w:val="${s.name}"/><w:basedOn w:val="Normal"/><w:next w:val="${s.next ?? STYLE.body}"/><w:qFormat/>` +
    (s.pPr ? `<w:pPr>${s.pPr}</w:pPr>` : '') +
    (s.rPr ? `<w:rPr>${s.rPr}</w:rPr>` : '') +
    '</w:style>'
  );
}

// Element order inside w:pPr follows the schema: keepNext, keepLines, pageBreakBefore, widowControl, pBdr, tabs,
// snapToGrid, spacing, ind, jc, outlineLvl. Inside w:rPr: rFonts, b, color, spacing, sz, szCs, lang.
const exactLine = (twips: number): string => `<w:spacing w:before="0" w:after="0" w:line="${twips}" w:lineRule="exact"/>`;
const noSnap = '<w:snapToGrid w:val="0"/>';

export const STYLES_XML: string = (() => {
  const heading = (level: 1 | 2 | 3 | 4, font: FontName): string =>
    paragraphStyle({
      id: STYLE.heading(level),
      name: `heading ${level}`,
      pPr: `<w:keepNext/>${firstLineIndent}<w:jc w:val="both"/><w:outlineLvl w:val="${level - 1}"/>`,
      rPr: `${fonts(font)}<w:b w:val="0"/><w:bCs w:val="0"/><w:color w:val="000000"/>${size(PT.sanhao)}`,
    });
  const styles = [
    paragraphStyle({ id: STYLE.body, name: 'GW Body', pPr: `${firstLineIndent}<w:jc w:val="both"/>` }),
    paragraphStyle({
      id: STYLE.title,
      name: 'Title',
      pPr: `<w:keepNext/>${noSnap}${exactLine(LINE_PITCH)}<w:jc w:val="center"/><w:outlineLvl w:val="0"/>`,
      rPr: `${fonts(FONT.title)}<w:b w:val="0"/><w:color w:val="000000"/>${size(PT.erhao)}`,
    }),
    heading(1, FONT.hei),
    heading(2, FONT.kai),
    heading(3, FONT.fangsong),
    heading(4, FONT.fangsong),
    paragraphStyle({ id: STYLE.recipients, name: 'GW Main Recipients', pPr: '<w:keepNext/><w:jc w:val="both"/>' }),
    paragraphStyle({ id: STYLE.header, name: 'GW Header Zone', pPr: '<w:jc w:val="left"/>' }),
    paragraphStyle({
      id: STYLE.mark,
      name: 'GW Issuing Body Mark',
      pPr: `${noSnap}<w:jc w:val="center"/>`,
      rPr: `${fonts(FONT.title)}<w:color w:val="${RED}"/>${size(MARK_PT)}`,
    }),
    paragraphStyle({ id: STYLE.number, name: 'GW Document Number', pPr: `${noSnap}${exactLine(LINE_PITCH)}<w:jc w:val="center"/>` }),
    paragraphStyle({ id: STYLE.signature, name: 'GW Signature', pPr: '<w:keepNext/><w:jc w:val="left"/>' }),
    paragraphStyle({ id: STYLE.note, name: 'GW Note', pPr: `${firstLineIndent}<w:jc w:val="both"/>` }),
    paragraphStyle({ id: STYLE.attachmentNote, name: 'GW Attachment Note', pPr: '<w:keepNext/><w:jc w:val="left"/>' }),
    paragraphStyle({
      id: STYLE.attachmentLabel,
      name: 'GW Attachment Label',
      pPr: '<w:keepNext/><w:jc w:val="left"/>',
      rPr: fonts(FONT.hei),
    }),
    paragraphStyle({
      id: STYLE.attachmentTitle,
      name: 'GW Attachment Title',
      pPr: `<w:keepNext/>${noSnap}${exactLine(LINE_PITCH)}<w:jc w:val="center"/>`,
      rPr: `${fonts(FONT.title)}<w:color w:val="000000"/>${size(PT.erhao)}`,
    }),
    paragraphStyle({ id: STYLE.spacer, name: 'GW Spacer', pPr: `${noSnap}${exactLine(20)}`, rPr: size(1) }),
    paragraphStyle({ id: STYLE.attendance, name: 'GW Attendance', pPr: '<w:jc w:val="left"/>' }),
    paragraphStyle({ id: STYLE.imprint, name: 'GW Imprint', pPr: '<w:jc w:val="left"/>', rPr: size(PT.sihao) }),
    paragraphStyle({ id: STYLE.table, name: 'GW Table Text', pPr: '<w:jc w:val="center"/>', rPr: size(PT.sihao) }),
    paragraphStyle({
      id: STYLE.pageNumber,
      name: 'GW Page Number',
      pPr: noSnap,
      rPr: `${fonts(FONT.song)}<w:spacing w:val="0"/>${size(PT.sihao)}`,
    }),
    paragraphStyle({
      id: STYLE.draft,
      name: 'GW Draft Marking',
      pPr: `${noSnap}<w:jc w:val="center"/>`,
      rPr: `${fonts(FONT.hei)}<w:color w:val="404040"/><w:spacing w:val="0"/>${size(PT.sihao)}`,
    }),
  ];
  return (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
    '<w:styles xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" ' +
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" ' +
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" ' +
    'xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml" mc:Ignorable="w14">' +
    '<w:docDefaults><w:rPrDefault><w:rPr>' +
    fonts(FONT.fangsong) +
    `<w:spacing w:val="${CHAR_SPACING}"/><w:kern w:val="0"/>${size(PT.sanhao)}` +
    '<w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/></w:rPr></w:rPrDefault>' +
    '<w:pPrDefault><w:pPr><w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/></w:pPr></w:pPrDefault>' +
    '</w:docDefaults>' +
    '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/>' +
    // No hanging punctuation (overflowPunct off): a full-width comma at the end of a full line is pushed to the next
    // line with the character before it, as Word and WPS do, instead of standing 5.7 mm past the text block.
    '<w:pPr><w:widowControl w:val="0"/><w:overflowPunct w:val="0"/><w:jc w:val="both"/></w:pPr>' +
    `<w:rPr>${size(PT.sanhao)}</w:rPr></w:style>` +
    '<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont"><w:name w:val="Default Paragraph Font"/>' +
    '<w:uiPriority w:val="1"/><w:semiHidden/><w:unhideWhenUsed/></w:style>' +
    '<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:uiPriority w:val="99"/>' +
    '<w:semiHidden/><w:unhideWhenUsed/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar>' +
    '<w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/>' +
    '<w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>' +
    '<w:style w:type="numbering" w:default="1" w:styleId="NoList"><w:name w:val="No List"/><w:uiPriority w:val="99"/>' +
    '<w:semiHidden/><w:unhideWhenUsed/></w:style>' +
    styles.join('') +
    '</w:styles>'
  );
})();
