/**
 * What this process last knew of a document, for deciding its next transition without reading it again.
 *
 * An entry is never an answer: it is only the input of the optimistic path's decision, whose write applies only
 * if the row's tuple is still the one the entry was taken from (`xmin`, the id of the transaction that wrote that
 * row version, and `version`). Any change to the row since, by any process and of any column (a transition, an
 * access grant that keeps the version), gives the row a new xmin, so the write finds nothing and the transition is
 * decided again on a fresh read. A refusal decided on an entry is never answered either: it is decided again on
 * a fresh read (see DocumentsService.transition).
 *
 * Entries come from autocommitted statements only (a read, or the optimistic path's single-statement write), so
 * a rolled-back transaction never leaves one behind, and a row version written twice in one transaction (same
 * xmin, different content) is never cached.
 *
 * Bounded by memory (GONGWEN_DOCUMENT_CACHE_MB; 0 turns it off): an entry counts 3 bytes of heap per character of
 * its snapshot's and content's JSON, more than parsed JSON takes in V8 (a circulating document's snapshot measured
 * 1.5), so the budget is an upper bound; the least recently used entries go first, and a document bigger than an
 * eighth of the budget is not kept at all.
 */
import type { DocumentContent } from '../../../../libs/document/src/model.js';
import type { DocumentRow } from './documents.service.js';

export interface CachedDocument {
  row: DocumentRow;
  content: DocumentContent;
  /** The current revision's hash. */
  hash: string;
  /** The hash of the audit event with seq = row.version. */
  headHash: string | null;
  /** The row version's xmin, as text. */
  xmin: string;
  /** Characters of the content's JSON (to reuse while the content stays the same object). */
  contentChars: number;
}

/** Heap bytes counted per character of JSON, and for the rest of the row. */
const BYTES_PER_CHAR = 3;
const ROW_BYTES = 2048;

export class DocumentCache {
  private readonly entries = new Map<string, { entry: CachedDocument; bytes: number }>();
  private total = 0;
  private readonly max: number;

  /**
   * `megabytes`: the budget (0: nothing is kept). `freeze`: make entries immutable (tests), so that code mutating
   * a shared entry fails loudly.
   */
  constructor(megabytes: number, private readonly freeze = false) {
    this.max = Math.max(0, megabytes) * 1024 * 1024;
  }

  get(id: string): CachedDocument | undefined {
    const hit = this.entries.get(id);
    if (!hit) return undefined;
    // least recently used first: a hit moves to the end
    this.entries.delete(id);
    this.entries.set(id, hit);
    return hit.entry;
  }

  /** Keeps `entry`, whose snapshot's JSON is `snapshotChars` long. */
  set(id: string, entry: CachedDocument, snapshotChars: number): void {
    this.delete(id);
    const bytes = ROW_BYTES + BYTES_PER_CHAR * (snapshotChars + entry.contentChars);
    if (bytes > this.max / 8) return;
    while (this.total + bytes > this.max && this.entries.size) this.delete(this.entries.keys().next().value!);
    this.entries.set(id, { entry: this.freeze ? deepFreeze(entry) : entry, bytes });
    this.total += bytes;
  }

  /** Drops the entry for `id`; with `only`, only if it is still that entry (a concurrent request may have replaced it). */
  delete(id: string, only?: CachedDocument): void {
    const e = this.entries.get(id);
    if (!e || (only && e.entry !== only)) return;
    this.entries.delete(id);
    this.total -= e.bytes;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The heap the entries are counted to take, in bytes. */
  get bytes(): number {
    return this.total;
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as Record<string, unknown>)) deepFreeze(v);
  }
  return value;
}
