/**
 * A three-way merge of a section's blocks, after a save was refused because someone else saved first (409):
 * base = the blocks the user started from, theirs = the newer revision's, mine = the user's working copy.
 * Blocks are matched by id (they keep it across revisions). A block changed on one side only takes that side; the
 * same change on both sides is taken once; a block changed differently on both sides (or changed on one side and
 * removed on the other) is a conflict the user settles, block by block. Nothing of "mine" is dropped silently.
 *
 * No imports (a pure module, tested from test/tooling/block-merge.test.ts).
 */

export interface MergeBlock {
  id: string;
  type: string;
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
  { kind: 'block'; block: B; from: 'same' | 'mine' | 'theirs' } | ({ kind: 'conflict' } & Conflict<B>);

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
      out.push({ kind: 'conflict', id, base: b, mine: m, theirs: t });
    }
  }
  return out;
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
