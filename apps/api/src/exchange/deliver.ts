/**
 * 公文交换: when an outgoing document is registered, every recipient unit inside the deployment receives an
 * incoming item in its 待签收 queue, in the registration's transaction (all or nothing: a registration that fails
 * delivers nothing, and a delivery that fails fails the registration).
 */
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { dateOfIssue } from '#gongwen/document/date-of-issue';
import type { DocumentContent } from '#gongwen/document/model';
import { SYSTEM_USER_ID } from '#gongwen/persistence';
import type { OutgoingContext } from '#gongwen/workflows/outgoing/types';
import type { AuthUser } from '../auth/auth.types.js';
import type { EngineRow } from '../engine/types.js';
import type { TransitionEngine } from '../engine/transition-engine.js';
import { createIncomingIn } from '../incoming/use-cases/create-incoming.js';

/** A recipient unit of one delivery: main (主送) wins over copy (抄送) when a unit is named both ways. */
export interface RecipientUnit {
  unitId: string;
  name: string;
  role: 'main' | 'copy';
}

/**
 * The units an outgoing document is delivered to: the units named directly and the members of the groups named
 * (read now, at delivery), each once; main before copy; the issuing bodies themselves are left out (they hold
 * the original). Free-text recipients are outside the deployment and receive nothing.
 */
export async function recipientUnits(
  m: EntityManager,
  content: DocumentContent,
  issuerUnitIds: readonly string[],
): Promise<RecipientUnit[]> {
  const named = content.addressees ?? [];
  if (!named.some((a) => a.unitId || a.groupId)) return [];
  const rows: { unit_id: string; name: string; role: 'main' | 'copy'; ord: number; pos: number }[] = await m.query(
    `WITH named AS (
       SELECT a.role, a."unitId"::uuid AS unit_id, a."groupId"::uuid AS group_id, a.ord
         FROM jsonb_to_recordset($1::jsonb) AS a(role text, "unitId" text, "groupId" text, ord int)
     )
     SELECT u.id AS unit_id, u.name, n.role, n.ord, coalesce(gm.position, 0) AS pos
       FROM named n
       LEFT JOIN unit_group_members gm ON gm.group_id = n.group_id
       JOIN units u ON u.id = coalesce(n.unit_id, gm.unit_id)
      WHERE u.parent_id IS NULL
      ORDER BY n.role = 'copy', n.ord, pos`,
    [JSON.stringify(named.map((a, ord) => ({ role: a.role, unitId: a.unitId ?? null, groupId: a.groupId ?? null, ord })))],
  );
  const out = new Map<string, RecipientUnit>();
  for (const r of rows) {
    if (issuerUnitIds.includes(r.unit_id) || out.has(r.unit_id)) continue;
    out.set(r.unit_id, { unitId: r.unit_id, name: r.name, role: r.role });
  }
  return [...out.values()];
}

/**
 * 份号 for the recipient units of a classified document: each unit's copy is one of the copies the registration
 * numbered (the classified module's REGISTER hook, which runs first) that nobody holds yet (机关留存), else a new
 * number after the last; the copy names the unit.
 */
async function allocateUnitCopies(m: EntityManager, documentId: string, units: RecipientUnit[]): Promise<Map<string, string>> {
  const spare: { copy_number: string }[] = await m.query(
    `SELECT copy_number FROM document_copies
      WHERE document_id = $1 AND recipient_user_id IS NULL AND recipient_name = '机关留存' AND status = 'issued'
      ORDER BY copy_number`,
    [documentId],
  );
  const [{ last }] = await m.query(`SELECT coalesce(max(copy_number::int), 0)::int AS last FROM document_copies WHERE document_id = $1`, [
    documentId,
  ]);
  const out = new Map<string, string>();
  let next = last as number;
  for (const [i, u] of units.entries()) {
    const number = spare[i]?.copy_number;
    if (number) {
      await m.query(`UPDATE document_copies SET recipient_name = $3 WHERE document_id = $1 AND copy_number = $2`, [
        documentId,
        number,
        u.name,
      ]);
      out.set(u.unitId, number);
    } else {
      const n = String(++next).padStart(6, '0');
      await m.query(`INSERT INTO document_copies (document_id, copy_number, recipient_name) VALUES ($1, $2, $3)`, [documentId, n, u.name]);
      out.set(u.unitId, n);
    }
  }
  return out;
}

/** Delivers a just-registered outgoing document to its recipient units; returns the deliveries written. */
export async function deliverRegistered(
  m: EntityManager,
  engine: TransitionEngine,
  user: AuthUser,
  document: EngineRow<string, OutgoingContext>,
  content: DocumentContent,
): Promise<{ deliveryId: string; unitId: string; incomingId: string }[]> {
  const units = await recipientUnits(m, content, document.issuer_unit_ids);
  if (!units.length) return [];
  const ctx = document.snapshot.context;
  const registration = ctx.registration!;
  const copies = content.classification !== 'none' ? await allocateUnitCopies(m, document.id, units) : new Map<string, string>();
  const files = await copyableFiles(m, document.id, content);
  const issued = dateOfIssue(ctx.signatures) ?? undefined;
  const out: { deliveryId: string; unitId: string; incomingId: string }[] = [];
  for (const u of units) {
    const deliveryId = randomUUID();
    const incomingId = randomUUID();
    // the attachments travel as copies of the outgoing document's file rows, owned by the item (written once the
    // item exists, under ids its content names from the start)
    const attachments = files.map((f) => ({ fileId: randomUUID(), name: f.name }));
    const copyNumber = copies.get(u.unitId);
    await createIncomingIn(
      m,
      engine,
      user,
      {
        unitId: u.unitId,
        source: { kind: 'exchange', outgoingDocumentId: document.id, senderUnitId: document.issuer_unit_ids[0], deliveryId },
        content: {
          title: content.title,
          kind: content.kind,
          senderName: content.issuers.map((i) => i.name).join('、'),
          senderNumber: registration.documentNumber,
          ...(issued ? { dateOfIssue: issued } : {}),
          classification: content.classification,
          ...(content.secrecyPeriod ? { secrecyPeriod: content.secrecyPeriod } : {}),
          urgency: content.urgency,
          copies: 1,
          attachments,
        },
        ...(copyNumber ? { copies: [{ number: copyNumber }] } : {}),
      },
      incomingId,
    );
    for (const [i, f] of files.entries()) {
      await m.query(
        `INSERT INTO document_files (id, document_id, name, content_type, size, sha256, content, uploaded_by)
         SELECT $2, $3, name, content_type, size, sha256, content, $4 FROM document_files WHERE id = $1`,
        [f.fileId, attachments[i].fileId, incomingId, SYSTEM_USER_ID],
      );
    }
    await m.query(
      `INSERT INTO exchange_deliveries (id, outgoing_document_id, recipient_unit_id, role, incoming_document_id, delivered_at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [deliveryId, document.id, u.unitId, u.role, incomingId, registration.at],
    );
    out.push({ deliveryId, unitId: u.unitId, incomingId });
  }
  return out;
}

/** The outgoing document's attachments that are stored files (text attachments are printed in its DOCX). */
async function copyableFiles(m: EntityManager, documentId: string, content: DocumentContent): Promise<{ fileId: string; name: string }[]> {
  const wanted = content.attachments.filter((a) => a.fileId);
  if (!wanted.length) return [];
  const rows: { id: string }[] = await m.query(
    `SELECT id FROM document_files WHERE document_id = $1 AND id::text = ANY($2::text[]) AND content IS NOT NULL`,
    [documentId, wanted.map((a) => a.fileId)],
  );
  return wanted.filter((a) => rows.some((r) => r.id === a.fileId)).map((a) => ({ fileId: a.fileId!, name: a.title }));
}
