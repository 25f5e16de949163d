/**
 * What other features may ask of the archive, so that archive tables are written and read only here. The
 * documents feature logs access to a filed document in the archive's access log, and asks, when verifying a
 * document whose content is gone, whether its archive item was disposed of (销毁).
 */
import type { DataSource, EntityManager } from 'typeorm';

export interface ArchiveGateway {
  /** Logs an access to a filed document in the archive's own log (archive_access_log), against its item. */
  logDocumentAccess(access: { documentId: string; userId: string; action: string; copyNumber: string | null }): Promise<void>;
  /** Whether the document's archive item was disposed of (which purges the document's content legitimately). */
  itemDisposed(m: EntityManager, documentId: string): Promise<boolean>;
}

export class SqlArchiveGateway implements ArchiveGateway {
  constructor(private readonly db: DataSource) {}

  async logDocumentAccess(a: { documentId: string; userId: string; action: string; copyNumber: string | null }): Promise<void> {
    await this.db.query(
      `INSERT INTO archive_access_log (user_id, action, item_id, detail) SELECT $1, $2, i.id, $4 FROM archive_items i WHERE i.document_id = $3`,
      [a.userId, `document_${a.action}`, a.documentId, { documentId: a.documentId, copyNumber: a.copyNumber }],
    );
  }

  async itemDisposed(m: EntityManager, documentId: string): Promise<boolean> {
    const [r] = await m.query(
      `SELECT EXISTS (SELECT 1 FROM archive_items i WHERE i.document_id = $1 AND i.disposed_at IS NOT NULL) AS disposed`,
      [documentId],
    );
    return r.disposed === true;
  }
}
