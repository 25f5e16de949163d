import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { CLASSIFICATION_LABELS, classificationRank } from '#gongwen/document/model';
import type { AuthUser } from '../auth/auth.types.js';
import { AppError } from '../common/errors.js';
import { DocumentsService, UUID, type DocumentRow } from '../documents/documents.service.js';
import { addParticipant } from '../engine/repositories/documents.js';

export interface CopyRow {
  copy_number: string;
  recipient_user_id: string | null;
  recipient_name: string;
  status: string;
  recorded_by: string | null;
  recorded_at: Date | null;
  note: string | null;
}

const EXPORT_APPROVAL_HOURS = 24;

/**
 * Classified documents (密级): numbered copies (份号) issued at registration, their recall (清退) before
 * circulation closes, explicit access grants, and approvals for exporting or copying.
 */
@Injectable()
export class ClassifiedService implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly documents: DocumentsService,
  ) {}

  onModuleInit(): void {
    this.documents.onExport((row, user) => this.authorizeExport(row, user));
    this.documents.onTransition(['REGISTER', 'CLOSE_CIRCULATION'], async (m, t) => {
      if (t.document.classification === 'none') return;
      if (t.event.type === 'REGISTER' && t.toState === 'circulation') {
        const readers = t.document.snapshot.context.readers.map((r) => r.userId);
        const names: { id: string; display_name: string; unit: string | null }[] = await m.query(
          `SELECT u.id, u.display_name, un.name AS unit FROM users u LEFT JOIN units un ON un.id = u.unit_id WHERE u.id = ANY($1::uuid[])`,
          [readers],
        );
        const copies = Math.max(t.event.copies, readers.length);
        const recipients = readers.map((r) => {
          const n = names.find((x) => x.id === r);
          return n ? `${n.unit ?? ''}${n.unit ? ' ' : ''}${n.display_name}` : '';
        });
        // one statement for every copy: readers' copies first, the rest kept by the office (机关留存)
        await m.query(
          `INSERT INTO document_copies (document_id, copy_number, recipient_user_id, recipient_name)
           SELECT $1, lpad(i::text, 6, '0'), ($3::uuid[])[i], coalesce(($4::text[])[i], '机关留存') FROM generate_series(1, $2::int) AS i`,
          [t.document.id, copies, readers, recipients],
        );
      }
      if (t.event.type === 'CLOSE_CIRCULATION') {
        const open: CopyRow[] = await m.query(
          `SELECT copy_number, recipient_name FROM document_copies WHERE document_id = $1 AND status = 'issued' ORDER BY copy_number`,
          [t.document.id],
        );
        if (open.length) {
          throw new AppError('GATE_FAILED', `Circulation cannot close while ${open.length} classified copies are unaccounted for.`, {
            gate: 'circulation',
            conditions: open.map((c) => ({
              code: 'COPY_NOT_RECALLED',
              message: `Copy ${c.copy_number} (${c.recipient_name}) has not been returned or destroyed.`,
              params: { copyNumber: c.copy_number, recipient: c.recipient_name },
            })),
          });
        }
      }
    });
  }

  async copies(user: AuthUser, id: string) {
    const row = await this.documents.getRow(user, id);
    const rows: CopyRow[] = await this.db.query(`SELECT * FROM document_copies WHERE document_id = $1 ORDER BY copy_number`, [row.id]);
    const mine = rows.filter((r) => r.recipient_user_id === user.id);
    const seesAll = user.roles.some((r) => r === 'clerk' || r === 'chief' || r === 'signer');
    return { items: (seesAll ? rows : mine).map(copyView) };
  }

  /** 清退: the clerk records the return or destruction of one copy. */
  async recall(user: AuthUser, id: string, copyNumber: string, disposition: 'returned' | 'destroyed', note?: string) {
    if (!user.roles.includes('clerk')) throw new AppError('FORBIDDEN_ROLE', 'Only a clerk (文书) records returned or destroyed copies.');
    const row = await this.documents.getRow(user, id);
    if (!/^\d{6}$/.test(copyNumber)) throw new AppError('NOT_FOUND', `No copy ${copyNumber.slice(0, 12)}.`);
    return this.db.transaction(async (m) => {
      const rows: CopyRow[] = await m.query(`SELECT * FROM document_copies WHERE document_id = $1 AND copy_number = $2 FOR UPDATE`, [
        row.id,
        copyNumber,
      ]);
      if (!rows.length) throw new AppError('NOT_FOUND', `No copy ${copyNumber}.`);
      if (rows[0].status !== 'issued') throw new AppError('CONFLICT', `Copy ${copyNumber} is already ${rows[0].status}.`);
      const [updated]: [CopyRow[], number] = await m.query(
        `UPDATE document_copies SET status = $3, recorded_by = $4, recorded_at = now(), note = $5 WHERE document_id = $1 AND copy_number = $2 RETURNING *`,
        [row.id, copyNumber, disposition, user.id, note ?? null],
      );
      await m.query(`INSERT INTO document_access_log (document_id, user_id, action, classification, copy_number) VALUES ($1,$2,$3,$4,$5)`, [
        row.id,
        user.id,
        `copy_${disposition}`,
        row.classification,
        copyNumber,
      ]);
      return copyView(updated[0]);
    });
  }

  /** An explicit grant makes a cleared user see the document (the chief of the document decides). */
  async grant(user: AuthUser, id: string, userId: string, reason: string) {
    const row = await this.documents.getRow(user, id);
    if (row.chief_id !== user.id) throw new AppError('NOT_PERMITTED', 'Only the chief who opened the document grants access to it.');
    if (row.state === 'archived')
      throw new AppError('READ_ONLY', 'The document is filed; access to archived records is granted in the archive.');
    const target = (await this.db.query(`SELECT id, clearance, roles FROM users WHERE id = $1 AND active`, [userId]))[0];
    if (!target)
      throw new AppError('VALIDATION_FAILED', 'No such active user.', { errors: [{ field: 'userId', message: 'unknown user' }] });
    if (classificationRank(target.clearance) < row.classification_rank) {
      throw new AppError(
        'VALIDATION_FAILED',
        `The user is not cleared for ${CLASSIFICATION_LABELS[row.classification as 'secret'] || row.classification}.`,
        { errors: [{ field: 'userId', message: 'insufficient clearance' }] },
      );
    }
    await this.db.transaction(async (m) => {
      await m.query(`INSERT INTO document_grants (document_id, user_id, granted_by, reason) VALUES ($1,$2,$3,$4) ON CONFLICT DO NOTHING`, [
        row.id,
        userId,
        user.id,
        reason,
      ]);
      await addParticipant(m, row.id, userId);
    });
    return { documentId: row.id, userId, reason };
  }

  async requestExport(user: AuthUser, id: string, purpose: string) {
    const row = await this.documents.getRow(user, id);
    if (row.classification === 'none')
      throw new AppError('VALIDATION_FAILED', 'Unclassified documents need no export approval.', {
        errors: [{ field: 'documentId', message: 'not classified' }],
      });
    const [r] = await this.db.query(
      `INSERT INTO export_approvals (document_id, requested_by, purpose) VALUES ($1,$2,$3) RETURNING id, created_at`,
      [row.id, user.id, purpose],
    );
    return { id: r.id, documentId: row.id, purpose, approvedBy: null, approvedAt: null };
  }

  /**
   * 秘密 / 机密: a leader (a signer cleared for the level) approves. 绝密: only the originating body's
   * signer (the lead issuer's required signer).
   */
  async approveExport(user: AuthUser, id: string, requestId: string) {
    const row = await this.documents.getRow(user, id);
    if (!UUID.test(requestId)) throw new AppError('NOT_FOUND', 'No such pending export request.');
    const ctx = row.snapshot.context;
    const allowed =
      row.classification === 'top_secret'
        ? ctx.requiredSigners[0]?.signerId === user.id
        : user.roles.includes('signer') && classificationRank(user.clearance) >= row.classification_rank;
    if (!allowed) {
      throw new AppError(
        'NOT_PERMITTED',
        row.classification === 'top_secret'
          ? "Exporting a 绝密 document needs the approval of the originating body's signer."
          : 'Exporting a classified document needs the approval of a leader (签发人) cleared for it.',
      );
    }
    const [updated]: [Record<string, any>[], number] = await this.db.query(
      `UPDATE export_approvals SET approved_by = $3, approved_at = now(), expires_at = now() + make_interval(hours => $4)
        WHERE id = $2 AND document_id = $1 AND approved_by IS NULL AND requested_by <> $3 RETURNING *`,
      [row.id, requestId, user.id, EXPORT_APPROVAL_HOURS],
    );
    if (!updated.length) throw new AppError('NOT_FOUND', 'No such pending export request (nobody approves their own request).');
    return {
      id: updated[0].id,
      documentId: row.id,
      approvedBy: user.id,
      approvedAt: new Date(updated[0].approved_at).toISOString(),
      expiresAt: new Date(updated[0].expires_at).toISOString(),
    };
  }

  /**
   * May this user take a DOCX of a classified document out of the system? A reader gets their own
   * numbered copy; anyone else needs an approved, unexpired export request. Returns the copy to print.
   */
  async authorizeExport(row: DocumentRow, user: AuthUser): Promise<{ copyNumber?: string; copyRecipient?: string }> {
    if (row.classification === 'none') return {};
    const own: CopyRow[] = await this.db.query(
      `SELECT * FROM document_copies WHERE document_id = $1 AND recipient_user_id = $2 AND status = 'issued' ORDER BY copy_number LIMIT 1`,
      [row.id, user.id],
    );
    if (own.length) return { copyNumber: own[0].copy_number, copyRecipient: own[0].recipient_name };
    const approved = await this.db.query(
      `SELECT id FROM export_approvals WHERE document_id = $1 AND requested_by = $2 AND approved_at IS NOT NULL AND expires_at > now() LIMIT 1`,
      [row.id, user.id],
    );
    if (!approved.length) {
      throw new AppError(
        'EXPORT_APPROVAL_REQUIRED',
        row.classification === 'top_secret'
          ? "Exporting this 绝密 document needs the approval of the originating body's signer: POST …/export-requests, then have it approved."
          : "Exporting this classified document needs a leader's approval: POST …/export-requests, then have it approved.",
      );
    }
    return {};
  }
}

function copyView(r: CopyRow) {
  return {
    copyNumber: r.copy_number,
    recipientUserId: r.recipient_user_id,
    recipientName: r.recipient_name,
    status: r.status,
    recordedBy: r.recorded_by,
    recordedAt: r.recorded_at ? new Date(r.recorded_at).toISOString() : null,
    note: r.note,
  };
}
