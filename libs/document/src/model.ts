/**
 * The document model (公文): one shape shared by the API, the web preview and the DOCX export.
 * Pure data, no I/O. Elements follow Regulation art. 9 (党政机关公文处理工作条例).
 */

/** The 15 kinds of Regulation art. 8. */
export const DOCUMENT_KINDS = [
  '决议',
  '决定',
  '命令',
  '公报',
  '公告',
  '通告',
  '意见',
  '通知',
  '通报',
  '报告',
  '请示',
  '批复',
  '议案',
  '函',
  '纪要',
] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

/** Kinds addressed to a higher body (上行文): they show the signer (签发人) in the header. */
export const UPWARD_KINDS: readonly DocumentKind[] = ['报告', '请示'];

/**
 * Classification (密级), lowest to highest. Codes follow the usual English rendering:
 * confidential = 秘密, secret = 机密, top_secret = 绝密.
 */
export const CLASSIFICATION_LEVELS = ['none', 'confidential', 'secret', 'top_secret'] as const;
export type ClassificationLevel = (typeof CLASSIFICATION_LEVELS)[number];
export const CLASSIFICATION_LABELS: Record<ClassificationLevel, string> = {
  none: '',
  confidential: '秘密',
  secret: '机密',
  top_secret: '绝密',
};
export function classificationRank(level: ClassificationLevel): number {
  return CLASSIFICATION_LEVELS.indexOf(level);
}

/** Urgency (紧急程度): urgent = 加急, extra_urgent = 特急. */
export const URGENCY_LEVELS = ['none', 'urgent', 'extra_urgent'] as const;
export type Urgency = (typeof URGENCY_LEVELS)[number];
export const URGENCY_LABELS: Record<Urgency, string> = { none: '', urgent: '加急', extra_urgent: '特急' };

/** An issuing body (发文机关) as it appears on a document. The lead body comes first. */
export interface IssuerRef {
  unitId: string;
  /** Full name, e.g. 中共××区委办公室 */
  name: string;
  /** Short code used in the document number, e.g. 区委办 */
  code: string;
}

/**
 * Body blocks. Heading text excludes its number: the renderer numbers headings
 * per level (一、 （一） 1. （1）), restarting a level's counter under each higher heading.
 */
export type Block =
  | { id: string; type: 'heading'; level: 1 | 2 | 3 | 4; text: string }
  | { id: string; type: 'paragraph'; text: string }
  | { id: string; type: 'list'; ordered: boolean; items: string[] }
  | { id: string; type: 'table'; rows: string[][]; headerRows?: number };

/** A named part of the body (分口起草), drafted by one secretary. */
export interface Section {
  id: string;
  title: string;
  drafterId: string;
  blocks: Block[];
}

export interface Attachment {
  id: string;
  title: string;
  /** Optional body of the attachment, rendered on its own page. */
  blocks?: Block[];
  /** Optional stored file (by id) for attachments that are files rather than text. */
  fileId?: string;
}

/** Attendance of a meeting, for 纪要 (minutes): 出席 / 请假 / 列席. */
export interface MinutesAttendance {
  present: string[];
  absent: string[];
  attending: string[];
}

/**
 * A recipient named from the directory (a unit, or a group of units such as 区直各单位) or in free text, as 主送
 * (main) or 抄送 (copy). Units and groups inside the deployment receive the registered document (公文交换); free
 * text is printed only. `name` is what the document prints: the directory's name for a unit or group.
 */
export interface Addressee {
  role: 'main' | 'copy';
  unitId?: string;
  groupId?: string;
  name: string;
}

/** The printed lists (主送, 抄送) an addressee list gives, in its order. */
export function printedRecipients(addressees: readonly Addressee[]): { mainRecipients: string[]; copiesTo: string[] } {
  return {
    mainRecipients: addressees.filter((a) => a.role === 'main').map((a) => a.name),
    copiesTo: addressees.filter((a) => a.role === 'copy').map((a) => a.name),
  };
}

/** Everything the drafters write. A revision is an immutable snapshot of this. */
export interface DocumentContent {
  kind: DocumentKind;
  title: string;
  /** Lead body first; more than one makes a joint document (联合行文). */
  issuers: IssuerRef[];
  /** 主送机关 */
  mainRecipients: string[];
  /** 抄送机关 */
  copiesTo: string[];
  /**
   * The recipients as structured entries (units, groups, free text); when present, mainRecipients and copiesTo
   * are exactly its printed names (see printedRecipients). Absent on documents written before exchange.
   */
  addressees?: Addressee[];
  classification: ClassificationLevel;
  /** 保密期限, e.g. "1年"; only with a classification. */
  secrecyPeriod?: string;
  urgency: Urgency;
  /** 附注 */
  note?: string;
  attachments: Attachment[];
  sections: Section[];
  /** Only for 纪要. */
  minutes?: MinutesAttendance;
}

/** Flattened body: the sections' blocks in order. */
export function bodyBlocks(content: DocumentContent): Block[] {
  return content.sections.flatMap((s) => s.blocks);
}

/** Required elements (drafting gate): returns the names of the missing ones. */
export function missingElements(content: DocumentContent): string[] {
  const missing: string[] = [];
  if (!DOCUMENT_KINDS.includes(content.kind)) missing.push('kind');
  if (!content.title?.trim()) missing.push('title');
  if (!content.issuers?.length) missing.push('issuers');
  if (!content.mainRecipients?.length && content.kind !== '纪要') missing.push('mainRecipients');
  if (content.addressees && !addresseesMatchPrinted(content)) missing.push('addressees');
  if (!bodyBlocks(content).some((b) => (b.type === 'paragraph' ? b.text.trim() : true))) missing.push('body');
  if (content.classification !== 'none' && !content.secrecyPeriod?.trim()) missing.push('secrecyPeriod');
  return missing;
}

/** Whether the printed lists are the addressees' names (a content whose two disagree is incomplete). */
export function addresseesMatchPrinted(content: Pick<DocumentContent, 'addressees' | 'mainRecipients' | 'copiesTo'>): boolean {
  if (!content.addressees) return true;
  const p = printedRecipients(content.addressees);
  const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
  return same(p.mainRecipients, content.mainRecipients ?? []) && same(p.copiesTo, content.copiesTo ?? []);
}

/** What the renderer needs beyond the content: registration and signatures. */
export interface RenderContext {
  /** 发文字号, e.g. 区委办发〔2026〕12号; absent before registration. */
  documentNumber?: string;
  /** 份号 (six digits) and the copy's recipient, for classified copies. */
  copyNumber?: string;
  copyRecipient?: string;
  /** Signers shown in the 签发人 line and recorded in properties. */
  signers: { name: string; issuerUnitId: string; signedAt: string }[];
  /** 成文日期: date of the last signature (ISO date); absent on drafts. */
  dateOfIssue?: string;
  /** 印发机关 and 印发日期 */
  printedBy?: string;
  printedDate?: string;
  /** True for an unsigned revision: a visible draft marking on every page. */
  draft: boolean;
  revisionNumber?: number;
  revisionHash?: string;
  /**
   * Electronic seals applied (用印): each issuing body's seal image (PNG), placed over its name and the date as
   * GB/T 9704 puts it. Absent on documents not sealed.
   */
  seals?: { issuerUnitId: string; png: Uint8Array; sizeMm?: number }[];
}
