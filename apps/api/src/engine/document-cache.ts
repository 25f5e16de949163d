/**
 * What this process last knew of a document, for deciding its next transition without reading it again.
 *
 * An entry is never an answer: it is only the input of the optimistic path's decision, whose write applies only
 * if the row's tuple is still the one the entry was taken from (`xmin`, the id of the transaction that wrote that
 * row version, and `version`). Any change to the row since, by any process and of any column (a transition, an
 * access grant that keeps the version), gives the row a new xmin, so the write finds nothing and the transition is
 * decided again on a fresh read. A refusal decided on an entry is never answered either: it is decided again on
 * a fresh read (see TransitionEngine.transition).
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
import { LRUCache } from 'lru-cache';
import type { EngineRow } from './types.js';

export interface CachedDocument {
  row: EngineRow;
  /** The current revision's content (the workflow's own shape). */
  content: unknown;
  /** The current revision's hash. */
  hash: string;
  /** The hash of the audit event with seq = row.version. */
  headHash: string | null;
  /** The row version's xmin, as text. */
  xmin: string;
  /** Characters of the content's JSON (to reuse while the content stays the same object). */
  contentChars: number;
  /** Characters of the snapshot's JSON (to reuse while writes leave the snapshot as it was). */
  snapshotChars?: number;
}

/** Heap bytes counted per character of JSON, and for the rest of the row. */
const BYTES_PER_CHAR = 3;
const ROW_BYTES = 2048;

export class DocumentCache {
  /** lru-cache bounded by the entries' counted bytes; none with a budget of 0. */
  private readonly entries?: LRUCache<string, CachedDocument>;

  /**
   * `megabytes`: the budget (0: nothing is kept). `freeze`: make entries immutable (tests), so that code mutating
   * a shared entry fails loudly.
   */
  constructor(
    megabytes: number,
    private readonly freeze = false,
  ) {
    const max = Math.floor(Math.max(0, megabytes) * 1024 * 1024);
    if (max > 0) this.entries = new LRUCache({ maxSize: max, maxEntrySize: Math.floor(max / 8) });
  }

  get(id: string): CachedDocument | undefined {
    return this.entries?.get(id); // a hit becomes the most recently used
  }

  /** Keeps `entry`, whose snapshot's JSON is `snapshotChars` long (one too big is not kept, and drops the old one). */
  set(id: string, entry: CachedDocument, snapshotChars: number): void {
    const size = ROW_BYTES + BYTES_PER_CHAR * (snapshotChars + entry.contentChars);
    this.entries?.set(id, this.freeze ? deepFreeze(entry) : entry, { size });
  }

  /** Drops the entry for `id`; with `only`, only if it is still that entry (a concurrent request may have replaced it). */
  delete(id: string, only?: CachedDocument): void {
    if (only && this.entries?.peek(id) !== only) return;
    this.entries?.delete(id);
  }

  get size(): number {
    return this.entries?.size ?? 0;
  }

  /** The heap the entries are counted to take, in bytes. */
  get bytes(): number {
    return this.entries?.calculatedSize ?? 0;
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as Record<string, unknown>)) deepFreeze(v);
  }
  return value;
}
