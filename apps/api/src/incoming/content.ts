/**
 * What an incoming item's revisions hold (IncomingContent): the metadata of the document as received, its
 * original and attachments (rows of document_files on the item). The pure machine (workflows/incoming) keeps
 * the workflow's context; the content is the feature's, as DocumentContent is for outgoing documents.
 */
import { z } from 'zod';
import { CLASSIFICATION_LEVELS, URGENCY_LEVELS, type ClassificationLevel, type Urgency } from '#gongwen/document/model';

export interface IncomingFileRef {
  fileId: string;
  name: string;
}

export interface IncomingContent {
  title: string;
  /** 文种 (通知, 请示 …): free text, an external sender's kind need not be one the office issues. */
  kind: string;
  senderName: string;
  /** 来文字号. */
  senderNumber?: string;
  /** 成文日期 (YYYY-MM-DD). */
  dateOfIssue?: string;
  classification: ClassificationLevel;
  secrecyPeriod?: string;
  urgency: Urgency;
  /** 份数. */
  copies: number;
  /** 份号 of the classified copies delivered (as printed on them). */
  copyNumbers?: string[];
  pages?: number;
  summary?: string;
  /** 办理时限 (YYYY-MM-DD). */
  dueDate?: string;
  leadDepartmentId?: string;
  attachments: IncomingFileRef[];
  /**
   * The original as received: an uploaded file (external items, and exchange items the exchange copied a file
   * for). An exchange item without one reads the source outgoing document's registered DOCX (GET …/original).
   */
  original?: IncomingFileRef & { mediaType: string };
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const text = (max: number) => z.string().trim().min(1).max(max);

/** The metadata of an external registration (POST /api/incoming, the `metadata` part). */
export const ExternalMetadata = z.strictObject({
  title: text(500),
  kind: text(50).default('通知'),
  senderName: text(200),
  senderNumber: text(100).optional(),
  dateOfIssue: z.string().regex(DATE, 'YYYY-MM-DD').optional(),
  classification: z.enum(CLASSIFICATION_LEVELS).default('none'),
  secrecyPeriod: text(50).optional(),
  urgency: z.enum(URGENCY_LEVELS).default('none'),
  copies: z.number().int().min(1).max(10_000).default(1),
  copyNumbers: z.array(text(50)).max(10_000).optional(),
  pages: z.number().int().min(1).max(100_000).optional(),
  summary: z.string().trim().max(5000).optional(),
  dueDate: z.string().regex(DATE, 'YYYY-MM-DD').optional(),
  medium: z.enum(['paper', 'electronic']).default('electronic'),
});
export type ExternalMetadata = z.infer<typeof ExternalMetadata>;
