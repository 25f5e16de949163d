/** Input checks the documents feature's commands share. */
import type { EntityManager } from 'typeorm';
import { CLASSIFICATION_LEVELS, type DocumentContent } from '#gongwen/document/model';
import type { Role } from '#gongwen/authority';
import { AppError } from '../common/errors.js';
import { UUID } from '../engine/transition-engine.js';
import { selectActiveUsersWithRole, selectDocumentFileIds } from './repositories.js';

/** Every id must be an active user with the role and a clearance reaching the document's classification. */
export async function assertUsersWithRole(
  m: EntityManager,
  ids: string[],
  role: Role,
  field: string,
  classificationRankNeeded = 0,
): Promise<void> {
  const rows = await selectActiveUsersWithRole(m, ids, role);
  const missing = ids.filter((x) => !rows.some((r) => r.id === x));
  if (missing.length) {
    throw new AppError('VALIDATION_FAILED', `${field}: not active users with the role ${role}: ${missing.join(', ')}`, {
      errors: missing.map((x) => ({ field, message: `${x} is not an active ${role}` })),
    });
  }
  const uncleared = rows.filter((r) => CLASSIFICATION_LEVELS.indexOf(r.clearance as never) < classificationRankNeeded).map((r) => r.id);
  if (uncleared.length) {
    throw new AppError('VALIDATION_FAILED', `${field}: not cleared for this document's classification: ${uncleared.join(', ')}`, {
      errors: uncleared.map((x) => ({ field, message: `${x} is not cleared for this classification` })),
    });
  }
}

/** Every attachments[].fileId must be a file uploaded to this document. */
export async function assertAttachmentFiles(m: EntityManager, documentId: string, content: DocumentContent): Promise<void> {
  const ids = content.attachments.map((a) => a.fileId).filter((x): x is string => !!x);
  if (!ids.length) return;
  const bad = ids.filter((x) => !UUID.test(x));
  const found = bad.length ? [] : await selectDocumentFileIds(m, documentId, ids);
  const missing = ids.filter((x) => !found.some((f) => f.id === x));
  if (missing.length) {
    throw new AppError('VALIDATION_FAILED', `Unknown attachment files: ${missing.join(', ')}. Upload them first (POST …/files).`, {
      errors: missing.map((x) => ({ field: 'metadata.attachments.fileId', message: `no file ${x} on this document` })),
    });
  }
}
