/** Who read, downloaded or exported what: classified documents in their own log, filed ones in the archive's. */
import type { AuthUser } from '../auth/auth.types.js';
import type { DocumentsDeps } from './deps.js';
import type { DocumentRow } from './document-row.js';
import { insertDocumentAccess } from './repositories.js';

export async function logAccess(
  deps: DocumentsDeps,
  row: Pick<DocumentRow, 'id' | 'classification' | 'state'>,
  user: AuthUser,
  action: string,
  copyNumber: string | null = null,
): Promise<void> {
  // every access to a filed record is audited in the archive's own log
  if (row.state === 'archived') await deps.archive.logDocumentAccess({ documentId: row.id, userId: user.id, action, copyNumber });
  if (row.classification === 'none') return;
  await insertDocumentAccess(deps.db.manager, {
    documentId: row.id,
    userId: user.id,
    action,
    classification: row.classification,
    copyNumber,
  });
}
