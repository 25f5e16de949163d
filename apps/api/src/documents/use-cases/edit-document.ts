/** PUT …/sections/{sectionId} and PUT …/content: a new revision and its EDIT_SECTION / EDIT_CONTENT event. */
import type { EntityManager } from 'typeorm';
import { canonicalJson, contentHash, sha256Hex } from '#gongwen/document/canonical';
import { blockText } from '#gongwen/document/diff';
import { missingElements, type DocumentContent, type Section } from '#gongwen/document/model';
import { applySuggestion, reanchorMarks, suggestionProblem, type BlockTexts } from '#gongwen/workflows/outgoing';
import type { MarkAnchor } from '#gongwen/workflows/outgoing/types';
import type { AuthUser } from '../../auth/auth.types.js';
import { AppError } from '../../common/errors.js';
import { insertRevision } from '../../engine/repositories/documents.js';
import { actorOf } from '../../engine/transition-engine.js';
import type { WriteOptions, WriteResult } from '../../engine/types.js';
import { assertAttachmentFiles } from '../checks.js';
import type { DocumentsDeps } from '../deps.js';
import type { DocumentRow } from '../document-row.js';
import { recipientsOf } from '../../exchange/addressees.js';
import type { AddresseeInput } from '../schemas.js';

/** A drafter's new text for a section. */
export async function editSection(
  deps: DocumentsDeps,
  user: AuthUser,
  id: string,
  sectionId: string,
  body: { title?: string; blocks: Section['blocks'] },
  opts: WriteOptions,
): Promise<WriteResult> {
  const requestHash = opts.idempotencyKey ? sha256Hex(canonicalJson({ op: 'section', id, sectionId, body })) : '';
  return deps.engine.transition(
    user,
    id,
    'EDIT_SECTION',
    opts,
    requestHash,
    async (m: EntityManager, row: DocumentRow, currentContent: unknown) => {
      let current = currentContent as DocumentContent;
      let section = current.sections.find((s) => s.id === sectionId);
      if (!section) {
        // a section added by the chief (ADD_SECTION) enters the content with its drafter's first text
        const added = row.snapshot.context.sections.find((s) => s.id === sectionId);
        if (!added) throw new AppError('NOT_FOUND', `No section ${sectionId} in this document.`);
        section = { id: added.id, title: added.title, drafterId: added.drafterId, blocks: [] };
        current = { ...current, sections: [...current.sections, section] };
      }
      if (section.drafterId !== user.id) {
        throw new AppError('NOT_PERMITTED', `Section ${sectionId} is drafted by someone else; only its drafter edits it here.`, {
          state: row.state,
          event: 'EDIT_SECTION',
        });
      }
      const next: DocumentContent = {
        ...current,
        sections: current.sections.map((s) => (s.id === sectionId ? { ...s, title: body.title ?? s.title, blocks: body.blocks } : s)),
      };
      const revision = await newRevision(m, row, user, next);
      const anchors = anchorsFor(row, current, next);
      return {
        event: {
          type: 'EDIT_SECTION',
          actor: actorOf(user),
          at: revision.at,
          sectionId,
          revision: revision.info,
          ...(anchors.length ? { anchors } : {}),
        },
        content: next,
        hash: revision.info.hash,
      };
    },
    true,
  );
}

/** Consolidation edits (chief) or fixes during proofreading that resolve marks. */
export async function editContent(
  deps: DocumentsDeps,
  user: AuthUser,
  id: string,
  body: {
    metadata?: Partial<Omit<DocumentContent, 'addressees'>> & { addressees?: AddresseeInput[] };
    sections?: { id: string; title?: string; blocks: Section['blocks'] }[];
    resolvesMarks?: string[];
  },
  opts: WriteOptions,
): Promise<WriteResult> {
  const requestHash = opts.idempotencyKey ? sha256Hex(canonicalJson({ op: 'content', id, body })) : '';
  return deps.engine.transition(
    user,
    id,
    'EDIT_CONTENT',
    opts,
    requestHash,
    async (m: EntityManager, row: DocumentRow, currentContent: unknown) => {
      const current = currentContent as DocumentContent;
      const sections = current.sections.map((s) => {
        const edit = body.sections?.find((e) => e.id === s.id);
        return edit ? { ...s, title: edit.title ?? s.title, blocks: edit.blocks } : s;
      });
      for (const e of body.sections ?? [])
        if (!current.sections.some((s) => s.id === e.id)) throw new AppError('NOT_FOUND', `No section ${e.id} in this document.`);
      const meta = body.metadata ?? {};
      if (meta.classification && meta.classification !== current.classification) {
        throw new AppError('VALIDATION_FAILED', 'The classification is set when the document is opened; it cannot change during editing.', {
          errors: [{ field: 'metadata.classification', message: 'cannot change' }],
        });
      }
      const { addressees: _sent, ...plain } = meta;
      const next: DocumentContent = {
        ...current,
        ...stripUndefined(plain),
        ...(await editedRecipients(m, current, meta)),
        issuers: current.issuers,
        sections,
      };
      await assertAttachmentFiles(m, row.id, next);
      const revision = await newRevision(m, row, user, next);
      const anchors = anchorsFor(row, current, next);
      return {
        event: {
          type: 'EDIT_CONTENT',
          actor: actorOf(user),
          at: revision.at,
          revision: revision.info,
          ...(body.resolvesMarks ? { resolvesMarks: body.resolvesMarks } : {}),
          ...(anchors.length ? { anchors } : {}),
        },
        content: next,
        hash: revision.info.hash,
      };
    },
    true,
  );
}

/**
 * The recipients after an edit: new addressees give the printed lists; a document that names its recipients as
 * addressees keeps them, so its printed lists change only through them.
 */
async function editedRecipients(
  m: EntityManager,
  current: DocumentContent,
  meta: { addressees?: AddresseeInput[]; mainRecipients?: string[]; copiesTo?: string[] },
): Promise<Partial<DocumentContent>> {
  if (meta.addressees) {
    const r = await recipientsOf(m, meta, 'metadata.');
    return { addressees: r.addressees, mainRecipients: r.mainRecipients!, copiesTo: r.copiesTo! };
  }
  if (current.addressees && (meta.mainRecipients || meta.copiesTo)) {
    const errors = (['mainRecipients', 'copiesTo'] as const)
      .filter((f) => meta[f] && JSON.stringify(meta[f]) !== JSON.stringify(current[f]))
      .map((f) => ({ field: `metadata.${f}`, message: 'this document names its recipients as addressees; edit metadata.addressees' }));
    if (errors.length) throw new AppError('VALIDATION_FAILED', 'The printed recipients follow from the addressees.', { errors });
  }
  return {};
}

/**
 * POST …/marks/{markId}/accept: the chief accepts a mark's suggested replacement — the next revision is the current
 * one with the marked text replaced, recorded as one EDIT_CONTENT that resolves the mark (and moves the others).
 */
export async function acceptSuggestion(
  deps: DocumentsDeps,
  user: AuthUser,
  id: string,
  markId: string,
  opts: WriteOptions,
): Promise<WriteResult> {
  const requestHash = opts.idempotencyKey ? sha256Hex(canonicalJson({ op: 'accept', id, markId })) : '';
  return deps.engine.transition(
    user,
    id,
    'EDIT_CONTENT',
    opts,
    requestHash,
    async (m: EntityManager, row: DocumentRow, currentContent: unknown) => {
      const current = currentContent as DocumentContent;
      const mark = row.snapshot.context.marks.find((x) => x.id === markId);
      if (!mark) throw new AppError('NOT_FOUND', `No proofreading mark ${markId} in this document.`);
      const block = current.sections.flatMap((s) => s.blocks).find((b) => b.id === mark.blockId);
      // only the machine's refusals (not the chief, not open, no suggestion, outdated) are 422 with its codes
      const applicable = block && (block.type === 'paragraph' || block.type === 'heading');
      const problem = suggestionProblem(mark, applicable ? block.text : undefined);
      let next = current;
      if (!problem && applicable) {
        const text = applySuggestion(mark, block.text);
        next = {
          ...current,
          sections: current.sections.map((s) => ({
            ...s,
            blocks: s.blocks.map((b) => (b === block ? { ...block, text } : b)),
          })),
        };
      } else if (mark.status === 'open' && mark.suggestion !== undefined && !mark.outdated) {
        throw new AppError('CONFLICT', problem ?? `The suggestion of mark ${markId} cannot be applied to this block.`);
      }
      const revision = await newRevision(m, row, user, next);
      const anchors = anchorsFor(row, current, next).filter((a) => a.markId !== markId);
      return {
        event: {
          type: 'EDIT_CONTENT',
          actor: actorOf(user),
          at: revision.at,
          revision: revision.info,
          acceptsSuggestion: markId,
          ...(anchors.length ? { anchors } : {}),
        },
        content: next,
        hash: revision.info.hash,
      };
    },
    true,
  );
}

function blockTexts(content: DocumentContent): BlockTexts {
  const out = new Map<string, string>();
  for (const s of content.sections) for (const b of s.blocks) if (!out.has(b.id)) out.set(b.id, blockText(b));
  return out;
}

/** Where the document's open marks stand in the new revision (none to compute when there are no open marks). */
function anchorsFor(row: DocumentRow, before: DocumentContent, after: DocumentContent): MarkAnchor[] {
  const marks = row.snapshot.context.marks ?? [];
  if (!marks.some((mk) => mk.status === 'open')) return [];
  return reanchorMarks(marks, blockTexts(before), blockTexts(after));
}

async function newRevision(m: EntityManager, row: DocumentRow, user: AuthUser, content: DocumentContent) {
  const number = row.current_revision + 1;
  const hash = contentHash(content);
  const at = new Date().toISOString();
  await insertRevision(m, { documentId: row.id, number, authorId: user.id, content, hash, at });
  return { at, info: { number, hash, missingElements: missingElements(content) } };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
