/**
 * The outgoing workflow's filing (发文归档): the lead issuing body's fonds, 责任者 = the issuing bodies, 文号 = the
 * document number, 日期 = the date of the last signature (成文日期); the signatures, registration and readers in
 * the metadata. Its files are rendered from the signed revision by the preparation job (prepare.ts); a sealed
 * document's sealed OFD (the last seal use's, which carries every seal applied) is stored at filing as it was sealed
 * (original-sealed.ofd), so the archive keeps the original with its seals and the filing check verifies them.
 */
import { officeDate } from '#gongwen/document/date-of-issue';
import type { DocumentContent } from '#gongwen/document/model';
import type { OutgoingContext } from '#gongwen/workflows/outgoing/types';
import { OFD_MIME } from '#gongwen/ofd';
import type { Filable, FilingFile, FilingSubject } from './filable.js';

/** The name of the sealed original in the item (beside the unsealed original.ofd the preparation job renders). */
export const SEALED_OFD_NAME = 'original-sealed.ofd';

export const outgoingFilable: Filable = {
  workflowId: 'outgoing',
  async subject(m, { document: doc, event, content: c, user }): Promise<FilingSubject> {
    const content = c as DocumentContent;
    const ctx = doc.snapshot.context as OutgoingContext;
    const signatures = [...ctx.signatures].sort((a, b) => a.at.localeCompare(b.at));
    const lastSig = signatures.at(-1);
    const userIds = [
      ...new Set([
        user.id,
        ...signatures.map((s) => s.signerId),
        ...ctx.readers.map((r) => r.userId),
        ...(ctx.registration ? [ctx.registration.clerkId] : []),
      ]),
    ];
    const users: { id: string; display_name: string }[] = await m.query(`SELECT id, display_name FROM users WHERE id = ANY($1::uuid[])`, [
      userIds,
    ]);
    const nameOf = (id: string) => users.find((u) => u.id === id)?.display_name ?? id;
    const [sealed]: { signed_ofd: Buffer }[] = await m.query(
      `SELECT signed_ofd FROM seal_uses WHERE document_id = $1 AND signed_ofd IS NOT NULL ORDER BY applied_at DESC, id DESC LIMIT 1`,
      [doc.id],
    );
    const files: FilingFile[] = sealed ? [{ role: 'original', name: SEALED_OFD_NAME, mediaType: OFD_MIME, data: sealed.signed_ofd }] : [];
    return {
      files,
      fondsUnitId: doc.issuer_unit_ids[0],
      date: officeDate(lastSig?.at ?? event.at),
      kind: content.kind,
      title: content.title,
      documentNumber: doc.document_number,
      author: content.issuers.map((i) => i.name).join('、'),
      classification: content.classification,
      secrecyPeriod: content.secrecyPeriod ?? null,
      urgency: content.urgency,
      revision: { number: doc.current_revision, hash: ctx.revision.hash },
      metadata: {
        issuers: content.issuers.map((i) => ({ unitId: i.unitId, name: i.name, code: i.code })),
        mainRecipients: content.mainRecipients,
        copiesTo: content.copiesTo,
        attachments: content.attachments.map((a) => ({ id: a.id, title: a.title, fileId: a.fileId ?? null, hasText: !!a.blocks?.length })),
        signatures: signatures.map((s) => ({
          issuerUnitId: s.issuerUnitId,
          signerId: s.signerId,
          signerName: nameOf(s.signerId),
          revisionNumber: s.revisionNumber,
          revisionHash: s.revisionHash,
          opinion: s.opinion ?? null,
          at: s.at,
        })),
        registration: ctx.registration
          ? {
              clerkId: ctx.registration.clerkId,
              clerkName: nameOf(ctx.registration.clerkId),
              documentNumber: ctx.registration.documentNumber,
              copies: ctx.registration.copies,
              at: ctx.registration.at,
            }
          : null,
        readers: ctx.readers.map((r) => ({
          userId: r.userId,
          name: nameOf(r.userId),
          deliveredAt: r.deliveredAt ?? null,
          openedAt: r.openedAt ?? null,
          acknowledgedAt: r.acknowledgedAt ?? null,
          opinion: r.opinion ?? null,
        })),
        format: 'DOCX (Office Open XML, ISO/IEC 29500), GB/T 9704-2012 layout',
      },
    };
  },
};
