/**
 * Proofreading marks that follow their text (修订): pure functions the service runs when it stores a revision.
 *
 * A mark quotes a range of one block. When a revision changes that block, the quote is looked for again in the
 * block's new text (the occurrence nearest to where the edit would have moved it); when it is no longer there the
 * mark is flagged `outdated` and keeps its old range: it is never moved onto other text.
 */
import type { MarkAnchor, ProofreadingMark } from './types.js';

/** Block id → plain text (libs/document blockText) of one revision. */
export type BlockTexts = ReadonlyMap<string, string>;

/** The quote of a mark: stored since track-changes marks, else read from the revision it was placed on. */
export function markQuote(mark: ProofreadingMark, before: BlockTexts): string | undefined {
  if (mark.quote !== undefined) return mark.quote;
  const text = before.get(mark.blockId);
  return text === undefined ? undefined : text.slice(mark.start, mark.end);
}

/** Length of the common prefix of two strings. */
function commonPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/** Every index where `needle` occurs in `hay` (non-empty needle). */
function occurrences(hay: string, needle: string): number[] {
  const out: number[] = [];
  for (let i = hay.indexOf(needle); i >= 0; i = hay.indexOf(needle, i + 1)) out.push(i);
  return out;
}

/**
 * Where each open mark stands after a revision that turned `before` into `after`: only the marks whose range
 * changes (or that become / stop being outdated) get an anchor; an unchanged block needs none.
 */
export function reanchorMarks(marks: readonly ProofreadingMark[], before: BlockTexts, after: BlockTexts): MarkAnchor[] {
  const out: MarkAnchor[] = [];
  for (const mark of marks) {
    if (mark.status !== 'open') continue;
    const quote = markQuote(mark, before);
    const now = after.get(mark.blockId);
    if (now === undefined || quote === undefined) {
      if (!mark.outdated) out.push({ markId: mark.id, outdated: true });
      continue;
    }
    const old = before.get(mark.blockId);
    if (!mark.outdated && old === now) continue;
    if (quote === '') {
      // a point mark (an omission): keep it where it was, within the new text
      const at = Math.min(mark.start, now.length);
      if (at !== mark.start || mark.outdated) out.push({ markId: mark.id, blockId: mark.blockId, start: at, end: at });
      continue;
    }
    const hits = occurrences(now, quote);
    if (!hits.length) {
      if (!mark.outdated) out.push({ markId: mark.id, outdated: true });
      continue;
    }
    // where the quote would be if the edit left it alone: shifted by the length change when the edit came before it
    let expected = mark.start;
    if (old !== undefined && commonPrefix(old, now) <= mark.start) expected = mark.start + now.length - old.length;
    const start = hits.reduce((best, h) => (Math.abs(h - expected) < Math.abs(best - expected) ? h : best), hits[0]);
    if (start !== mark.start || start + quote.length !== mark.end || mark.outdated) {
      out.push({ markId: mark.id, blockId: mark.blockId, start, end: start + quote.length });
    }
  }
  return out;
}

/** The marks with the anchors applied (open marks only; resolved and dismissed ones keep where they were). */
export function applyAnchors(marks: ProofreadingMark[], anchors: readonly MarkAnchor[] | undefined): ProofreadingMark[] {
  if (!anchors?.length) return marks;
  const byId = new Map(anchors.map((a) => [a.markId, a]));
  return marks.map((m): ProofreadingMark => {
    const a = byId.get(m.id);
    if (!a || m.status !== 'open') return m;
    if ('outdated' in a) return { ...m, outdated: true };
    const { outdated: _gone, ...rest } = m;
    return { ...rest, blockId: a.blockId, start: a.start, end: a.end };
  });
}

/** Why a mark's suggestion cannot be applied to `text` (its block's current text), or null when it can. */
export function suggestionProblem(mark: ProofreadingMark, text: string | undefined): string | null {
  if (mark.status !== 'open') return `Proofreading mark ${mark.id} is already ${mark.status}.`;
  if (mark.suggestion === undefined) return `Proofreading mark ${mark.id} suggests no replacement.`;
  if (mark.outdated || text === undefined) return `The text of proofreading mark ${mark.id} is no longer in the document.`;
  if (mark.quote !== undefined && text.slice(mark.start, mark.end) !== mark.quote) {
    return `The text of proofreading mark ${mark.id} has moved; reload the document.`;
  }
  return null;
}

/** `text` with the mark's range replaced by its suggestion. */
export function applySuggestion(mark: ProofreadingMark, text: string): string {
  return text.slice(0, mark.start) + (mark.suggestion ?? '') + text.slice(mark.end);
}

/** What the web shows: open, resolved, dismissed, or outdated (open but its text is gone). */
export function markState(mark: ProofreadingMark): 'open' | 'resolved' | 'dismissed' | 'outdated' {
  return mark.status === 'open' && mark.outdated ? 'outdated' : mark.status;
}
