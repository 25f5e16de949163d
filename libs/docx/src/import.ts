/**
 * Reads a Word draft (.docx) into the structured body of a document: title, headings (recognised by their numbers
 * 一、 （一） 1. （1） or by Word heading styles, number stripped), paragraphs, lists, tables, the attachment note
 * and attachment pages. Elements that the registration step produces (header zone, signature, imprint) are skipped
 * with a warning. Uses mammoth's document model (not its HTML) so alignment and styles can be read.
 */
import mammoth from 'mammoth';
import type { Block, MinutesAttendance } from '#gongwen/document/model';
import { STYLE_NAMES } from './styles.js';
import { parseChineseNumeral } from './text.js';

/** The API's limit on attachments per document. */
const MAX_ATTACHMENTS = 50;

export type DocxImportErrorCode = 'NOT_DOCX' | 'CORRUPT';

/** A file that cannot be read as a Word document: NOT_DOCX (not a zip, or no word/document.xml) or CORRUPT. */
export class DocxImportError extends Error {
  override readonly name = 'DocxImportError';
  constructor(
    readonly code: DocxImportErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface ImportedAttachment {
  id: string;
  title: string;
  blocks?: Block[];
}

export interface ImportedDocx {
  title?: string;
  blocks: Block[];
  attachments: ImportedAttachment[];
  warnings: string[];
  /** 主送机关, when the line after the title ends with a colon. */
  mainRecipients?: string[];
  /** 抄送机关 from the imprint. */
  copiesTo?: string[];
  /** 附注 */
  note?: string;
  /** 出席/请假/列席 of minutes. */
  minutes?: MinutesAttendance;
}

// ---------------------------------------------------------------------------------------------------------------
// mammoth's document model (lib/documents.js), typed as far as it is read here.

interface MNode {
  type: string;
  children?: MNode[];
  value?: string;
  breakType?: string;
  styleName?: string | null;
  styleId?: string | null;
  alignment?: string | null;
  isHeader?: boolean;
}

interface Para {
  kind: 'p';
  text: string;
  style: string;
  alignment: string;
  pageBreak: boolean;
}
interface Tbl {
  kind: 'table';
  rows: string[][];
  headerRows: number;
}
type Item = Para | Tbl;

function textOf(node: MNode, flags: { pageBreak: boolean }): string {
  switch (node.type) {
    case 'text':
      return node.value ?? '';
    case 'tab':
      return '\t';
    case 'break':
      if (node.breakType === 'page' || node.breakType === 'column') {
        flags.pageBreak = true;
        return '';
      }
      return '\n';
    case 'noteReference':
    case 'commentReference':
    case 'image':
      return '';
    default:
      return (node.children ?? []).map((c) => textOf(c, flags)).join('');
  }
}

function flatten(nodes: readonly MNode[], out: Item[]): void {
  for (const node of nodes) {
    if (node.type === 'paragraph') {
      const flags = { pageBreak: false };
      const text = (node.children ?? []).map((c) => textOf(c, flags)).join('');
      out.push({
        kind: 'p',
        text,
        style: (node.styleName ?? node.styleId ?? '').toLowerCase(),
        alignment: node.alignment ?? '',
        pageBreak: flags.pageBreak,
      });
    } else if (node.type === 'table') {
      const rows: string[][] = [];
      let headerRows = 0;
      let inHeader = true;
      for (const row of node.children ?? []) {
        if (row.type !== 'tableRow') continue;
        if (inHeader && row.isHeader) headerRows++;
        else inHeader = false;
        rows.push(
          (row.children ?? [])
            .filter((c) => c.type === 'tableCell')
            .map((cell) => {
              const parts: Item[] = [];
              flatten(cell.children ?? [], parts);
              return parts
                .map((p) => (p.kind === 'p' ? p.text : p.rows.map((r) => r.join(' ')).join('\n')))
                .join('\n')
                .trim();
            }),
        );
      }
      out.push({ kind: 'table', rows, headerRows });
    } else if (node.children) {
      flatten(node.children, out);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Recognisers

const CN = '[一二三四五六七八九十百零两]+';
const HEADING_PATTERNS: { level: 1 | 2 | 3 | 4; re: RegExp }[] = [
  { level: 1, re: new RegExp(`^(${CN})[、，,]\\s*`) },
  { level: 2, re: new RegExp(`^[（(](${CN})[）)]\\s*`) },
  { level: 3, re: /^(\d{1,3})[.．、](?!\d)\s*/ },
  { level: 4, re: /^[（(](\d{1,3})[）)]\s*/ },
];

/** The level and number of a heading prefix (一、 （一） 1. （1）), and the text after it. */
export function matchHeadingPrefix(text: string): { level: 1 | 2 | 3 | 4; n: number; rest: string } | undefined {
  for (const { level, re } of HEADING_PATTERNS) {
    const m = re.exec(text);
    if (!m) continue;
    const n = level <= 2 ? parseChineseNumeral(m[1]) : Number(m[1]);
    if (n === undefined || !Number.isFinite(n)) continue;
    return { level, n, rest: text.slice(m[0].length) };
  }
  return undefined;
}

const clean = (s: string): string =>
  s
    .replace(/\t+/g, ' ')
    .replace(/^[\s\u3000]+|[\s\u3000]+$/g, '')
    .replace(/ {2,}/g, ' ');

/** Joins the lines of a wrapped title: no space between CJK characters, one between Latin words. */
function joinLines(lines: string[]): string {
  return lines
    .map((l) => l.trim())
    .filter(Boolean)
    .reduce((acc, line) => (acc && /[A-Za-z0-9]$/.test(acc) && /^[A-Za-z0-9]/.test(line) ? `${acc} ${line}` : acc + line), '');
}

const DATE_LINE = /^\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$/;
const ATTACHMENT_NOTE = /^附\s*件\s*[：:]\s*/;
const ATTACHMENT_LABEL = /^附\s*件\s*(\d*)$/;
const NOTE = /^[（(].*[）)]$/;
const ATTENDANCE = /^(出席|请假|列席)[：:]\s*/;
const LIST_ORDERED = /^[\u2460-\u2473]\s*/;
const LIST_BULLET = /^[•●·▪■◆]\s*/;

const styleMap = ["p[style-name='Title'] => h1:fresh", ...Object.values(STYLE_NAMES).map((name) => `p[style-name='${name}'] => p:fresh`)];

interface BlockSink {
  blocks: Block[];
}

// ---------------------------------------------------------------------------------------------------------------

/** Reads a .docx draft. Throws DocxImportError for files that are not Word documents or are damaged. */
export async function importDocx(buf: Buffer): Promise<ImportedDocx> {
  if (!Buffer.isBuffer(buf) || buf.length < 4 || buf.readUInt32LE(0) !== 0x04034b50) {
    throw new DocxImportError('NOT_DOCX', 'not a .docx file: it is not a zip archive');
  }
  let root: MNode | undefined;
  let messages: { type: string; message: string }[] = [];
  try {
    const result = await mammoth.convertToHtml(
      { buffer: buf },
      {
        styleMap,
        includeDefaultStyleMap: true,
        transformDocument: (doc: MNode) => {
          root = doc;
          return doc;
        },
      },
    );
    messages = result.messages;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (/main document part|body element|word\/document\.xml/i.test(message)) {
      throw new DocxImportError('NOT_DOCX', 'not a .docx file: the archive has no word/document.xml', { cause: err });
    }
    throw new DocxImportError('CORRUPT', `damaged .docx file: ${message}`, { cause: err });
  }
  if (!root) throw new DocxImportError('CORRUPT', 'damaged .docx file: no document body');

  const items: Item[] = [];
  flatten(root.children ?? [], items);
  const warnings = messages.map((m) => m.message);
  return interpret(items, warnings);
}

function interpret(items: Item[], warnings: string[]): ImportedDocx {
  let seq = 0;
  const nextId = (): string => `b${++seq}`;
  const paras = (i: number): Para | undefined => (items[i]?.kind === 'p' ? (items[i] as Para) : undefined);
  const nonEmpty = (p: Para | undefined): p is Para => !!p && clean(p.text) !== '';

  // Title: the first Title-styled paragraph, else the first centred one, else the first non-empty paragraph.
  let titleAt = items.findIndex((it) => it.kind === 'p' && it.style === 'title' && clean(it.text));
  if (titleAt < 0) titleAt = items.findIndex((it) => it.kind === 'p' && it.alignment === 'center' && clean(it.text));
  if (titleAt < 0) titleAt = items.findIndex((it) => it.kind === 'p' && clean(it.text));
  const out: ImportedDocx = { blocks: [], attachments: [], warnings };
  if (titleAt < 0) {
    warnings.push('未找到标题：文件没有文字段落');
    return out;
  }
  const skipped = items.slice(0, titleAt).filter((it) => it.kind === 'table' || clean(it.text)).length;
  if (skipped) warnings.push(`已跳过标题前的 ${skipped} 个版头段落（份号、密级、发文机关标志、发文字号等）`);
  const first = items[titleAt] as Para;
  const titleLines = [first.text];
  let i = titleAt + 1;
  // A title typed as several paragraphs: the following paragraphs of the same style and alignment.
  while (nonEmpty(paras(i)) && paras(i)!.style === first.style && paras(i)!.alignment === first.alignment && first.alignment === 'center') {
    titleLines.push(paras(i)!.text);
    i++;
  }
  out.title = joinLines(titleLines.flatMap((l) => l.split('\n')));

  // Main recipients: the first line after the title, when it ends with a colon.
  while (i < items.length && paras(i) && !clean(paras(i)!.text)) i++;
  const maybeRecipients = paras(i);
  if (nonEmpty(maybeRecipients)) {
    const t = clean(maybeRecipients.text);
    if (/[：:]$/.test(t) && t.length <= 200 && !/[。；]/.test(t) && !ATTACHMENT_NOTE.test(t) && !ATTENDANCE.test(t)) {
      out.mainRecipients = t
        .replace(/[：:]$/, '')
        .split(/[，,]/)
        .map((s) => s.trim())
        .filter(Boolean);
      i++;
    }
  }

  type Zone = 'body' | 'note' | 'tail' | 'attachment';
  const state: { zone: Zone } = { zone: 'body' };
  let sink: BlockSink = out;
  let pendingAttachmentTitle: ImportedAttachment | undefined;
  let attachmentCount = 0;
  let list: Extract<Block, { type: 'list' }> | undefined;
  let skippedSignature = 0;
  let skippedImprint = false;

  const pushBlock = (b: Block): void => {
    if (b.type !== 'list') list = undefined;
    sink.blocks.push(b);
  };
  const startAttachment = (label: string): void => {
    // an attachment number beyond what a document can have is read as the next one (and never used as a
    // sparse array index, which a crafted "附件999999999" would turn into seconds of work)
    const wanted = label ? Number(label) : attachmentCount + 1;
    const n = Number.isInteger(wanted) && wanted >= 1 && wanted <= MAX_ATTACHMENTS ? wanted : attachmentCount + 1;
    attachmentCount = Math.max(attachmentCount, n);
    let a = out.attachments[n - 1];
    if (!a) {
      a = { id: `a${n}`, title: '' };
      out.attachments[n - 1] = a;
    }
    a.blocks = [];
    sink = a as BlockSink;
    pendingAttachmentTitle = a;
    state.zone = 'attachment';
    list = undefined;
  };

  for (; i < items.length; i++) {
    const it = items[i];
    if (it.kind === 'table') {
      const flat = it.rows.map((r) => r.join('')).join('');
      if (/^抄送[：:]/.test(flat) || /印发$/.test(flat)) {
        readImprint(it.rows.flat(), out);
        skippedImprint = true;
        continue;
      }
      if (state.zone === 'tail' || state.zone === 'note') state.zone = 'body';
      pushBlock({ id: nextId(), type: 'table', rows: it.rows, ...(it.headerRows ? { headerRows: it.headerRows } : {}) });
      continue;
    }
    const raw = it.text;
    const text = clean(raw.replace(/\n+/g, '\n')).replace(/\n\s+/g, '\n');
    if (!text) continue;
    const oneLine = text.replace(/\n/g, '');

    // Attachment pages: 附件 / 附件2 on a line of its own, then the attachment's title.
    const label = ATTACHMENT_LABEL.exec(oneLine);
    if (label) {
      startAttachment(label[1]);
      continue;
    }
    if (pendingAttachmentTitle) {
      const title = joinLines(raw.split('\n'));
      if (!pendingAttachmentTitle.title) pendingAttachmentTitle.title = title;
      else if (pendingAttachmentTitle.title !== title) warnings.push(`附件${attachmentCount}的标题“${title}”与附件说明不一致`);
      pendingAttachmentTitle = undefined;
      continue;
    }

    // Attachment note: 附件：1. title, following lines 2. title.
    if (state.zone === 'body' && ATTACHMENT_NOTE.test(oneLine)) {
      state.zone = 'note';
      addNoteItem(oneLine.replace(ATTACHMENT_NOTE, ''), out);
      continue;
    }
    if (state.zone === 'note' && /^\d{1,3}[.．、]/.test(oneLine)) {
      addNoteItem(oneLine, out);
      continue;
    }
    if (state.zone === 'note') state.zone = 'body';

    // Imprint lines typed as paragraphs.
    if (/^抄送[：:]/.test(oneLine) || /印发$/.test(oneLine)) {
      readImprint([oneLine], out);
      skippedImprint = true;
      continue;
    }
    // Minutes attendance.
    const att = ATTENDANCE.exec(oneLine);
    if (att && state.zone !== 'attachment') {
      out.minutes ??= { present: [], absent: [], attending: [] };
      const names = oneLine
        .replace(ATTENDANCE, '')
        .split(/[、，,]/)
        .map((s) => s.trim())
        .filter(Boolean);
      const key = att[1] === '出席' ? 'present' : att[1] === '请假' ? 'absent' : 'attending';
      out.minutes[key].push(...names);
      state.zone = 'tail';
      continue;
    }
    // Signature block: our signature style, right-aligned lines, a lone date.
    if (
      state.zone !== 'attachment' &&
      (it.style === 'gw signature' || it.alignment === 'right' || it.alignment === 'end' || DATE_LINE.test(oneLine))
    ) {
      skippedSignature++;
      state.zone = 'tail';
      continue;
    }
    if (state.zone === 'tail' && NOTE.test(oneLine)) {
      out.note = oneLine.slice(1, -1).trim();
      continue;
    }

    // Body blocks.
    const headingStyle = /^heading ([1-9])$/.exec(it.style);
    const prefix = matchHeadingPrefix(oneLine);
    if (headingStyle || prefix) {
      const level = (headingStyle ? Math.min(4, Number(headingStyle[1])) : prefix!.level) as 1 | 2 | 3 | 4;
      const rest = prefix ? prefix.rest.trim() : oneLine;
      const split = splitRunIn(rest);
      if (headingStyle || split) {
        pushBlock({ id: nextId(), type: 'heading', level, text: split ? split.heading : rest });
        if (split?.body) pushBlock({ id: nextId(), type: 'paragraph', text: split.body });
        continue;
      }
    }
    const ordered = LIST_ORDERED.test(oneLine);
    const bullet = !ordered && LIST_BULLET.test(oneLine);
    if (ordered || bullet) {
      const item = oneLine.replace(ordered ? LIST_ORDERED : LIST_BULLET, '').trim();
      if (list && list.ordered === ordered && sink.blocks[sink.blocks.length - 1] === list) list.items.push(item);
      else {
        list = { id: nextId(), type: 'list', ordered, items: [item] };
        pushBlock(list);
      }
      continue;
    }
    if (state.zone === 'tail') state.zone = 'body';
    pushBlock({ id: nextId(), type: 'paragraph', text });
  }
  if (skippedSignature) warnings.push(`已跳过落款（发文机关署名、成文日期）${skippedSignature} 行`);
  if (skippedImprint) warnings.push('已跳过版记（抄送机关、印发机关和印发日期），抄送机关见 copiesTo');
  out.attachments = out.attachments.filter(Boolean);
  return out;
}

/**
 * A numbered paragraph is a heading when it is short and has no sentence inside it; a run-in heading
 * (1.标题。正文……) is split at its first full stop. Returns undefined for a long numbered paragraph.
 */
function splitRunIn(rest: string): { heading: string; body?: string } | undefined {
  const t = rest.trim();
  if (!t) return undefined;
  const stop = t.search(/[。！？]/);
  if (stop < 0) return t.length <= 40 ? { heading: t } : undefined;
  if (stop === t.length - 1) return t.length <= 40 ? { heading: t } : undefined;
  if (stop <= 30) return { heading: t.slice(0, stop + 1).replace(/。$/, ''), body: t.slice(stop + 1).trim() };
  return undefined;
}

function addNoteItem(text: string, out: ImportedDocx): void {
  const title = text.replace(/^\d{1,3}[.．、]\s*/, '').trim();
  if (!title) return;
  out.attachments.push({ id: `a${out.attachments.length + 1}`, title });
}

function readImprint(lines: string[], out: ImportedDocx): void {
  for (const line of lines.map((l) => clean(l.replace(/\n/g, '')))) {
    const m = /^抄送[：:]\s*(.*)$/.exec(line);
    if (m) {
      out.copiesTo = m[1]
        .replace(/[。.]$/, '')
        .split(/[，,]/)
        .map((s) => s.trim())
        .filter(Boolean);
    }
  }
}
