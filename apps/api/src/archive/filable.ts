/**
 * How a workflow's documents are filed (归档) into the archive: each workflow's feature says what the archive item
 * is — the fonds it joins, its DA/T 22 metadata (责任者, 文号, 日期 …), the files stored with it, and the form printed
 * on its processing sheet — and the archive does the rest the same way for every workflow (class, gapless item
 * number, archival number, retention, access log, preparation job). The outgoing workflow's is in
 * outgoing-filable.ts, the incoming workflow's in apps/api/src/incoming/filing.ts.
 */
import type { EntityManager } from 'typeorm';
import type { AuthUser } from '../auth/auth.types.js';
import type { EngineRow } from '../engine/types.js';

/** A file stored with the item when it is filed (the original as received, an attachment). */
export interface FilingFile {
  role: 'original' | 'attachment';
  name: string;
  mediaType: string;
  data: Buffer;
}

export interface FilingSubject {
  /** The unit whose fonds (全宗) and organisational code the item joins. */
  fondsUnitId: string;
  /** 日期 (成文日期, YYYY-MM-DD in the office's time); the class's year (年度) is its year. */
  date: string;
  kind: string;
  title: string;
  /** 文号: the document number (outgoing) or 来文字号 (incoming). */
  documentNumber: string | null;
  /** 责任者: the issuing bodies (outgoing) or the sender (incoming). */
  author: string;
  classification: string;
  secrecyPeriod: string | null;
  urgency: string;
  revision: { number: number; hash: string };
  /** The workflow's own part of the item's metadata (merged into ItemMetadata). */
  metadata: Record<string, unknown>;
  /**
   * Files stored with the item inside the filing transaction (what was received cannot be rendered again later).
   * For outgoing documents only the sealed OFD, when sealed (the preparation job renders the rest from the signed
   * revision).
   */
  files?: FilingFile[];
  /** A form printed at the head of the processing sheet (收文处理笺: the register fields, 拟办, 批示 …). */
  form?: { heading: string; rows: [string, string][] };
}

export interface FileEventInfo {
  retention: string;
  at: string;
}

/** What a workflow's feature implements so that its FILE event files the document into the archive. */
export interface Filable {
  readonly workflowId: string;
  subject(m: EntityManager, t: { document: EngineRow; event: FileEventInfo; content: unknown; user: AuthUser }): Promise<FilingSubject>;
}
