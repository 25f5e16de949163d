import { diffChars } from 'diff';
import type { Block, DocumentContent } from './model.js';

const MAX_EDIT_LENGTH = 2000;
const DIFF_TIMEOUT_MS = 50;

export type TextChange = { op: 'equal' | 'insert' | 'delete'; text: string };

export type BlockChange =
  | { op: 'added'; sectionId: string; block: Block }
  | { op: 'removed'; sectionId: string; block: Block }
  | { op: 'changed'; sectionId: string; blockId: string; type: Block['type']; changes: TextChange[] };

export interface FieldChange {
  field: string;
  from: unknown;
  to: unknown;
}

export interface RevisionDiff {
  fields: FieldChange[];
  blocks: BlockChange[];
  /** Counts of inserted and deleted characters over all blocks. */
  stats: { inserted: number; deleted: number };
}

/** Plain text of a block, as compared by the diff (table cells tab-separated, rows on lines). */
export function blockText(b: Block): string {
  switch (b.type) {
    case 'heading':
    case 'paragraph':
      return b.text;
    case 'list':
      return b.items.join('\n');
    case 'table':
      return b.rows.map((r) => r.join('\t')).join('\n');
  }
}

const FIELDS: (keyof DocumentContent)[] = [
  'kind',
  'title',
  'issuers',
  'mainRecipients',
  'copiesTo',
  'addressees',
  'classification',
  'secrecyPeriod',
  'urgency',
  'note',
  'attachments',
  'minutes',
];

/**
 * A structured diff between two revisions: changed metadata fields, and per block (matched by id)
 * added, removed or changed with a character-level diff (the right granularity for Chinese text).
 */
export function diffContent(a: DocumentContent, b: DocumentContent): RevisionDiff {
  const fields: FieldChange[] = [];
  for (const f of FIELDS) {
    if (JSON.stringify(a[f] ?? null) !== JSON.stringify(b[f] ?? null)) fields.push({ field: f, from: a[f] ?? null, to: b[f] ?? null });
  }
  const index = (c: DocumentContent) => {
    const m = new Map<string, { sectionId: string; block: Block; order: number }>();
    let order = 0;
    for (const s of c.sections) for (const block of s.blocks) m.set(block.id, { sectionId: s.id, block, order: order++ });
    return m;
  };
  const ia = index(a);
  const ib = index(b);
  const blocks: BlockChange[] = [];
  let inserted = 0;
  let deleted = 0;
  for (const [id, { sectionId, block }] of ib) {
    const old = ia.get(id);
    if (!old) {
      blocks.push({ op: 'added', sectionId, block });
      inserted += blockText(block).length;
      continue;
    }
    const before = blockText(old.block);
    const after = blockText(block);
    if (before !== after || old.block.type !== block.type || JSON.stringify(old.block) !== JSON.stringify(block)) {
      // a bounded diff: past the budget a block is shown as replaced whole (diffing long rewritten
      // paragraphs character by character is quadratic and would stall the server)
      const parts = diffChars(before, after, { maxEditLength: MAX_EDIT_LENGTH, timeout: DIFF_TIMEOUT_MS });
      const changes: TextChange[] = parts
        ? parts.map((p) => ({ op: p.added ? 'insert' : p.removed ? 'delete' : 'equal', text: p.value }))
        : [...(before ? [{ op: 'delete' as const, text: before }] : []), ...(after ? [{ op: 'insert' as const, text: after }] : [])];
      for (const c of changes) {
        if (c.op === 'insert') inserted += c.text.length;
        if (c.op === 'delete') deleted += c.text.length;
      }
      blocks.push({ op: 'changed', sectionId, blockId: id, type: block.type, changes });
    }
  }
  for (const [id, { sectionId, block }] of ia) {
    if (!ib.has(id)) {
      blocks.push({ op: 'removed', sectionId, block });
      deleted += blockText(block).length;
    }
  }
  return { fields, blocks, stats: { inserted, deleted } };
}
