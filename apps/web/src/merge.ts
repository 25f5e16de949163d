/**
 * A three-way merge of a section's blocks, after a save was refused because someone else saved first (409):
 * base = the blocks the user started from, theirs = the newer revision's, mine = the user's working copy.
 * Blocks are matched by id (they keep it across revisions). A block changed on one side only takes that side; the
 * same change on both sides is taken once; a paragraph whose text both sides changed in different places is merged
 * within the text (jsdiff); a block changed in the same place on both sides (or changed on one side and removed on the
 * other) is a conflict the user settles, block by block. Nothing of "mine" is dropped silently.
 *
 * Pure (only jsdiff), tested from test/tooling/block-merge.test.ts.
 */
import { diffChars } from 'diff';

export interface MergeBlock {
  id: string;
  type: string;
  /** Paragraphs and headings: merged within the text when both sides changed different places. */
  text?: string;
}

export type Choice = 'mine' | 'theirs' | 'both';

export interface Conflict<B extends MergeBlock> {
  id: string;
  base: B | null;
  mine: B | null;
  theirs: B | null;
}

/** One place of the merged result: a block taken as it is, or a conflict still to settle. */
export type MergeItem<B extends MergeBlock> =
  { kind: 'block'; block: B; from: 'same' | 'mine' | 'theirs' | 'both' } | ({ kind: 'conflict' } & Conflict<B>);

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** The order of the merged blocks: mine, with the blocks only theirs has placed after their predecessor there. */
function order<B extends MergeBlock>(mine: B[], theirs: B[]): string[] {
  const ids = mine.map((b) => b.id);
  theirs.forEach((b, i) => {
    if (ids.includes(b.id)) return;
    const prev = theirs
      .slice(0, i)
      .reverse()
      .find((p) => ids.includes(p.id));
    ids.splice(prev ? ids.indexOf(prev.id) + 1 : 0, 0, b.id);
  });
  return ids;
}

export function mergeBlocks<B extends MergeBlock>(base: B[], theirs: B[], mine: B[]): MergeItem<B>[] {
  const byId = (xs: B[]) => new Map(xs.map((b) => [b.id, b]));
  const b0 = byId(base);
  const t0 = byId(theirs);
  const m0 = byId(mine);
  const out: MergeItem<B>[] = [];
  for (const id of order(mine, theirs)) {
    const b = b0.get(id) ?? null;
    const t = t0.get(id) ?? null;
    const m = m0.get(id) ?? null;
    if (same(t, m)) {
      if (t) out.push({ kind: 'block', block: t, from: 'same' });
    } else if (same(b, t)) {
      if (m) out.push({ kind: 'block', block: m, from: 'mine' }); // only I changed it (or added it); a removal of mine stands
    } else if (same(b, m)) {
      if (t) out.push({ kind: 'block', block: t, from: 'theirs' }); // only they changed it; their removal stands
    } else {
      const text = b && m && t ? mergeBlockText(b, m, t) : null;
      if (text) out.push({ kind: 'block', block: text, from: 'both' });
      else out.push({ kind: 'conflict', id, base: b, mine: m, theirs: t });
    }
  }
  return out;
}

/** One change to the base text: [start, end) replaced by `text`. */
interface Edit {
  start: number;
  end: number;
  text: string;
}

/**
 * The changes from `base` to `x`, in base positions. Changes separated by fewer than `GAP` unchanged characters are one
 * change: a character diff of Chinese text finds stray common characters (的, 和) inside a rewritten phrase, and a
 * rewrite should not be cut into pieces that merge with someone else's.
 */
const GAP = 3;
function edits(base: string, x: string): Edit[] {
  const out: Edit[] = [];
  let pos = 0;
  let cur: Edit | null = null;
  let kept = '';
  for (const part of diffChars(base, x)) {
    if (!part.added && !part.removed) {
      if (cur && part.value.length < GAP) kept = part.value;
      else {
        if (cur) out.push(cur);
        cur = null;
        kept = '';
      }
      pos += part.value.length;
      continue;
    }
    if (!cur) cur = { start: pos, end: pos, text: '' };
    else if (kept) {
      // the few unchanged characters inside one change become part of it (removed and put back)
      cur.text += kept;
      cur.end = pos;
      kept = '';
    }
    if (part.removed) {
      pos += part.value.length;
      cur.end = pos;
    } else cur.text += part.value;
  }
  if (cur) out.push(cur);
  return out;
}

function clash(a: Edit, b: Edit): boolean {
  if (a.start === b.start && a.end === b.end && a.text === b.text) return false;
  if (a.start < b.end && b.start < a.end) return true;
  // an insertion at the same place, or at the edge of the other's range
  return (a.start === a.end && b.start <= a.start && a.start <= b.end) || (b.start === b.end && a.start <= b.start && b.start <= a.end);
}

/** Both sides changed the text of the same block: merged when their changes touch different places, else null. */
export function mergeText(base: string, mine: string, theirs: string): string | null {
  const a = edits(base, mine);
  const b = edits(base, theirs);
  if (a.some((x) => b.some((y) => clash(x, y)))) return null;
  const all = [...a, ...b.filter((y) => !a.some((x) => x.start === y.start && x.end === y.end && x.text === y.text))];
  all.sort((x, y) => y.start - x.start || y.end - x.end);
  let text = base;
  for (const e of all) text = text.slice(0, e.start) + e.text + text.slice(e.end);
  return text;
}

function mergeBlockText<B extends MergeBlock>(b: B, m: B, t: B): B | null {
  if (typeof b.text !== 'string' || typeof m.text !== 'string' || typeof t.text !== 'string') return null;
  // only the text may differ (a heading's level or a block's type changed on one side: the user decides)
  if (!same({ ...m, text: '' }, { ...t, text: '' })) return null;
  const text = mergeText(b.text, m.text, t.text);
  return text === null ? null : { ...t, text };
}

export const conflictsOf = <B extends MergeBlock>(items: MergeItem<B>[]) =>
  items.filter((i): i is { kind: 'conflict' } & Conflict<B> => i.kind === 'conflict');

/** The merged blocks once every conflict has a choice ('both': theirs, then mine as a block of its own). */
export function resolve<B extends MergeBlock>(items: MergeItem<B>[], choices: Record<string, Choice>, newId: () => string): B[] | null {
  const out: B[] = [];
  for (const i of items) {
    if (i.kind === 'block') {
      out.push(i.block);
      continue;
    }
    const c = choices[i.id];
    if (!c) return null;
    if ((c === 'theirs' || c === 'both') && i.theirs) out.push(i.theirs);
    if (c === 'mine' && i.mine) out.push(i.mine);
    if (c === 'both' && i.mine) out.push(i.theirs ? { ...i.mine, id: newId() } : i.mine);
  }
  return out;
}
