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
 * Bounded by count (GONGWEN_DOCUMENT_CACHE_SIZE; 0 turns it off); the least recently used entry goes first.
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
}

export class DocumentCache {
  private readonly entries = new Map<string, CachedDocument>();

  /** `freeze`: make entries immutable (tests), so that code mutating a shared entry fails loudly. */
  constructor(private readonly max: number, private readonly freeze = false) {}

  get(id: string): CachedDocument | undefined {
    const hit = this.entries.get(id);
    if (hit) {
      // least recently used first: a hit moves to the end
      this.entries.delete(id);
      this.entries.set(id, hit);
    }
    return hit;
  }

  set(id: string, entry: CachedDocument): void {
    if (this.max <= 0) return;
    this.entries.delete(id);
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(id, this.freeze ? deepFreeze(entry) : entry);
  }

  /** Drops the entry for `id`; with `only`, only if it is still that entry (a concurrent request may have replaced it). */
  delete(id: string, only?: CachedDocument): void {
    if (!only || this.entries.get(id) === only) this.entries.delete(id);
  }

  get size(): number {
    return this.entries.size;
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as Record<string, unknown>)) deepFreeze(v);
  }
  return value;
}
