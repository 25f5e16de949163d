/**
 * Seeds filed items directly with SQL, fast: for the benchmark and for tests that need items of past years (for
 * retention and disposal). Each item gets a real document row (state `archived`), a revision, a hash-chained
 * audit trail (CREATE, FILE), a gapless document number and item number, metadata, a processing record and its
 * files (rendered once with the real renderer; the stamped DOCX is stamped per item unless `stamp: 'once'`).
 */
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import {
  CLASSIFICATION_LABEL,
  RECORD_CLASS,
  RETENTION_LABELS,
  archivalNumber,
  defaultRetention,
  deriveUnitCode,
  docxPageCount,
  processingRecord,
  processingSheetDocx,
  renderDocx,
  sha256Hex,
  stampDocx,
  type AuditEntry,
  type Retention,
} from '#gongwen/archive';
import { contentHash } from '#gongwen/document/canonical';
import type { DocumentContent } from '#gongwen/document/model';
import { auditHash, type AuditRecord } from '../engine/audit.js';
import { insertAudit } from '../engine/repositories/audit.js';
import { insertDocument, insertRevision } from '../engine/repositories/documents.js';
import { generateKeyPairSync, sign } from 'node:crypto';
import { signaturePayloadV1 } from '#gongwen/archive/checks/index';
import { DOCX_MEDIA, type ItemMetadata } from './repo.js';
import { renderContextOf } from './prepare.js';

export interface SeedOptions {
  count: number;
  year: number;
  retention: Retention;
  /** Item titles (default 关于……的通知（第n号）). */
  title?: (n: number) => string;
  /** Stamp every item's DOCX (default) or stamp one and reuse its bytes. */
  stamp?: 'each' | 'once';
  /** Page count of the sample document; counted with LibreOffice when omitted. */
  pageCount?: number;
  /** Put the items in a new volume. */
  volume?: { number: string; title: string };
  /** Rows per transaction. */
  batch?: number;
  onProgress?: (done: number, total: number) => void;
}

const para = (id: string, text: string) => ({ id, type: 'paragraph' as const, text });

export async function seedFiledItems(
  db: DataSource,
  opts: SeedOptions,
): Promise<{ itemIds: string[]; volumeId: string | null; pageCount: number }> {
  const role = async (r: string) => {
    const [u] = await db.query(`SELECT id, display_name, username FROM users WHERE $1 = ANY(roles) AND active ORDER BY username LIMIT 1`, [
      r,
    ]);
    if (!u) throw new Error(`seed: no active user with the role ${r}`);
    return u as { id: string; display_name: string; username: string };
  };
  const [chief, secretary, signer, clerk, archivist] = await Promise.all(['chief', 'secretary', 'signer', 'clerk', 'archivist'].map(role));
  const [unit] = await db.query(
    `SELECT id, name, code, fonds_code, archive_code FROM units WHERE kind = 'issuer' AND fonds_code IS NOT NULL ORDER BY fonds_code LIMIT 1`,
  );
  if (!unit) throw new Error('seed: no issuing body with a fonds number');
  let unitCode: string = unit.archive_code;
  if (!unitCode) {
    unitCode = deriveUnitCode(unit);
    await db.query(`UPDATE units SET archive_code = $2 WHERE id = $1 AND archive_code IS NULL`, [unit.id, unitCode]);
  }
  const issuer = { unitId: unit.id, name: unit.name, code: unit.code };
  const body = Array.from({ length: 12 }, (_, i) =>
    para(
      `p${i + 1}`,
      '各单位要按照档案工作的有关规定，及时做好文件材料的收集、整理、归档和移交工作，确保归档文件齐全完整、规范有序、安全可靠。',
    ),
  );
  const sampleContent = (title: string): DocumentContent => ({
    kind: '通知',
    title,
    issuers: [issuer],
    mainRecipients: ['各乡镇党委', '区直各单位'],
    copiesTo: [],
    classification: 'none',
    urgency: 'none',
    attachments: [],
    sections: [
      { id: 's1', title: '正文', drafterId: secretary.id, blocks: [{ id: 'h1', type: 'heading', level: 1, text: '工作要求' }, ...body] },
    ],
  });
  const titleOf = opts.title ?? ((n: number) => `关于做好${opts.year}年度文件归档工作的通知（第${n}号）`);
  const signedAt = `${opts.year}-06-15T02:00:00.000Z`;
  // a real Ed25519 key for the signer, so that the seeded items' signatures verify (四性检测); stored as already
  // revoked: its private key is not kept, and the application must make the signer a key of its own when signing
  const keyPair = generateKeyPairSync('ed25519');
  const [key]: { id: string }[] = await db.query(
    `INSERT INTO signing_keys (user_id, public_key, encrypted_private_key, revoked_at) VALUES ($1, $2, 'seeded: not kept', now()) RETURNING id`,
    [signer.id, keyPair.publicKey.export({ type: 'spki', format: 'pem' })],
  );

  const filedAt = new Date(`${opts.year}-12-20T02:00:00.000Z`);

  // the sample files, rendered once
  const sample = sampleContent(titleOf(1));
  const sampleMeta = {
    signatures: [{ signerName: signer.display_name, issuerUnitId: unit.id, at: signedAt }],
    date: signedAt.slice(0, 10),
    issuers: [issuer],
    registration: { at: signedAt },
  } as unknown as ItemMetadata;
  const ctx = renderContextOf(
    { document_number: `${unit.code}发〔${opts.year}〕1号`, revision_number: 1, revision_hash: contentHash(sample) },
    sampleMeta,
  );
  const original = await renderDocx(sample, ctx);
  const finalDraft = await renderDocx(sample, { ...ctx, documentNumber: undefined, printedDate: undefined });
  const pages = opts.pageCount ?? (await docxPageCount(original));
  let sheet: Buffer | null = null;
  let sharedStamp: Buffer | null = null;

  const itemIds: string[] = [];
  const batch = opts.batch ?? 100;
  for (let start = 0; start < opts.count; start += batch) {
    await db.transaction(async (m: EntityManager) => {
      for (let n = start; n < Math.min(opts.count, start + batch); n++) {
        const title = titleOf(n + 1);
        const content = sampleContent(title);
        const hash = contentHash(content);
        const documentId = randomUUID();
        const [{ last_serial: serial }] = await m.query(
          `INSERT INTO document_number_counters (issuer_unit_id, year, last_serial) VALUES ($1, $2, 1)
           ON CONFLICT (issuer_unit_id, year) DO UPDATE SET last_serial = document_number_counters.last_serial + 1 RETURNING last_serial`,
          [unit.id, opts.year],
        );
        const documentNumber = `${unit.code}发〔${opts.year}〕${serial}号`;
        const signatures = [
          { issuerUnitId: unit.id, signerId: signer.id, revisionNumber: 1, revisionHash: hash, opinion: '同意', at: signedAt },
        ];
        const context = {
          documentId,
          kind: '通知',
          classification: 'none',
          issuerUnitIds: [unit.id],
          major: false,
          chiefId: chief.id,
          sections: [{ id: 's1', title: '正文', drafterId: secretary.id, status: 'submitted' }],
          revision: { number: 1, hash },
          missingElements: [],
          drafterIds: [secretary.id],
          marks: [],
          requiredSigners: [{ issuerUnitId: unit.id, signerId: signer.id }],
          signatures,
          registration: { clerkId: clerk.id, documentNumber, serial, year: opts.year, copies: 5, at: signedAt },
          readers: [],
          filing: { archivistId: archivist.id, retention: opts.retention, at: filedAt.toISOString() },
          decisions: [],
          creatorId: chief.id,
        };
        await insertDocument(m, {
          id: documentId,
          workflowId: 'outgoing',
          workflowVersion: 1,
          state: 'archived',
          version: 2,
          snapshot: { workflow: 'outgoing', version: 1, value: 'archived', status: 'done', context },
          kind: '通知',
          title,
          classification: 'none',
          classificationRank: 0,
          urgency: 'none',
          urgencyRank: 0,
          major: false,
          issuerUnitIds: [unit.id],
          chiefId: chief.id,
          participantIds: [chief.id, secretary.id, signer.id, clerk.id, archivist.id],
          assigneeIds: [],
          taskRoles: [],
          documentNumber,
          deadline: null,
          createdBy: chief.id,
          at: filedAt,
        });
        await insertRevision(m, { documentId, number: 1, authorId: secretary.id, content, hash, at: signedAt });
        const create: AuditRecord = {
          documentId,
          seq: 1,
          actorId: chief.id,
          actorRoles: ['chief'],
          eventType: 'CREATE',
          payload: { input: { documentId, seeded: true } },
          fromState: null,
          toState: 'drafting',
          reason: null,
          revisionNumber: 1,
          revisionHash: hash,
          createdAt: new Date(signedAt).toISOString(),
          prevHash: null,
        };
        const fileEvent: AuditRecord = {
          documentId,
          seq: 2,
          actorId: archivist.id,
          actorRoles: ['archivist'],
          eventType: 'FILE',
          payload: {
            event: {
              type: 'FILE',
              retention: opts.retention,
              at: filedAt.toISOString(),
              actor: { userId: archivist.id, roles: ['archivist'] },
            },
          },
          fromState: 'archiving',
          toState: 'archived',
          reason: null,
          revisionNumber: 1,
          revisionHash: hash,
          createdAt: filedAt.toISOString(),
          prevHash: auditHash(create),
        };
        for (const r of [create, fileEvent]) await insertAudit(m, r);
        const [{ last_item: itemNumber }] = await m.query(
          `INSERT INTO archive_class_counters (fonds_code, year, retention, unit_code, last_item) VALUES ($1, $2, $3, $4, 1)
           ON CONFLICT (fonds_code, year, retention, unit_code) DO UPDATE SET last_item = archive_class_counters.last_item + 1 RETURNING last_item`,
          [unit.fonds_code, opts.year, opts.retention, unitCode],
        );
        const number = archivalNumber({ fondsCode: unit.fonds_code, year: opts.year, retention: opts.retention, unitCode }, itemNumber);
        const person = (u: { id: string; username: string; display_name: string }) => ({
          id: u.id,
          username: u.username,
          name: u.display_name,
        });
        const entries: AuditEntry[] = [
          {
            seq: 1,
            eventType: 'CREATE',
            actor: person(chief),
            roles: ['chief'],
            fromState: null,
            toState: 'drafting',
            reason: null,
            revisionNumber: 1,
            revisionHash: hash,
            at: create.createdAt,
            prevHash: null,
            hash: auditHash(create),
            details: {},
          },
          {
            seq: 2,
            eventType: 'FILE',
            actor: person(archivist),
            roles: ['archivist'],
            fromState: 'archiving',
            toState: 'archived',
            reason: null,
            revisionNumber: 1,
            revisionHash: hash,
            at: fileEvent.createdAt,
            prevHash: fileEvent.prevHash,
            hash: auditHash(fileEvent),
            details: { retention: opts.retention },
          },
        ];
        const record = processingRecord(entries);
        const metadata: ItemMetadata = {
          archivalNumber: number,
          fondsCode: unit.fonds_code,
          fondsName: unit.name,
          recordClass: RECORD_CLASS,
          year: opts.year,
          retention: opts.retention,
          retentionLabel: RETENTION_LABELS[opts.retention],
          defaultRetention: defaultRetention('通知'),
          unitCode,
          unitName: unit.name,
          itemNumber,
          documentId,
          kind: '通知',
          title,
          documentNumber,
          author: unit.name,
          issuers: [issuer],
          date: signedAt.slice(0, 10),
          classification: 'none',
          classificationLabel: CLASSIFICATION_LABEL.none,
          secrecyPeriod: null,
          urgency: 'none',
          mainRecipients: content.mainRecipients,
          copiesTo: [],
          attachments: [],
          signatures: [
            {
              issuerUnitId: unit.id,
              signerId: signer.id,
              signerName: signer.display_name,
              revisionNumber: 1,
              revisionHash: hash,
              opinion: '同意',
              at: signedAt,
            },
          ],
          registration: { clerkId: clerk.id, clerkName: clerk.display_name, documentNumber, copies: 5, at: signedAt },
          readers: [],
          revision: { number: 1, hash },
          filedBy: { id: archivist.id, name: archivist.display_name },
          filedAt: filedAt.toISOString(),
          format: 'DOCX (Office Open XML, ISO/IEC 29500), GB/T 9704-2012 layout',
          creatingSoftware: 'gongwen 0.1.0 (seeded)',
        };
        if (key) {
          const payload = signaturePayloadV1({
            documentId,
            revisionHash: hash,
            revisionNumber: 1,
            signerId: signer.id,
            role: 'signer',
            issuerUnitId: unit.id,
            signedAt,
          });
          await m.query(
            `INSERT INTO signatures (document_id, signer_id, key_id, issuer_unit_id, role, revision_number, revision_hash, signed_at, signature)
             VALUES ($1,$2,$3,$4,'signer',1,$5,$6,$7)`,
            [
              documentId,
              signer.id,
              key.id,
              unit.id,
              hash,
              signedAt,
              sign(null, Buffer.from(payload, 'utf8'), keyPair.privateKey).toString('base64'),
            ],
          );
        }
        const [{ id: itemId }] = await m.query(
          `INSERT INTO archive_items (document_id, archival_number, fonds_code, fonds_name, record_class, year, retention, default_retention, unit_code, unit_name,
             item_number, kind, title, document_number, author, doc_date, classification, classification_rank, revision_number, revision_hash,
             metadata, processing_record, page_count, prepared_at, filed_by, filed_at)
           VALUES ($1,$2,$3,$4,'WS',$5,$6,'D30',$7,$8,$9,'通知',$10,$11,$8,$12,'none',0,1,$13,$14,$15,$16,$17,$18,$17) RETURNING id`,
          [
            documentId,
            number,
            unit.fonds_code,
            unit.name,
            opts.year,
            opts.retention,
            unitCode,
            unit.name,
            itemNumber,
            title,
            documentNumber,
            signedAt.slice(0, 10),
            hash,
            metadata,
            record,
            pages,
            filedAt,
            archivist.id,
          ],
        );
        const stampFields = {
          fondsCode: unit.fonds_code,
          year: opts.year,
          retention: opts.retention,
          itemNumber,
          pages,
          unitCode,
          archivalNumber: number,
        };
        const stamped =
          opts.stamp === 'once' ? (sharedStamp ??= await stampDocx(original, stampFields)) : await stampDocx(original, stampFields);
        sheet ??= await processingSheetDocx(
          { title, documentNumber, archivalNumber: number, classification: '', author: unit.name },
          record,
        );
        for (const [role, name, data] of [
          ['item', 'item.docx', stamped],
          ['original', 'original.docx', original],
          ['final_draft', 'final-draft.docx', finalDraft],
          ['processing_sheet', 'processing-sheet.docx', sheet],
        ] as const) {
          await m.query(`INSERT INTO archive_files (item_id, role, name, media_type, size, sha256, data) VALUES ($1,$2,$3,$4,$5,$6,$7)`, [
            itemId,
            role,
            name,
            DOCX_MEDIA,
            data.length,
            sha256Hex(data),
            data,
          ]);
        }
        itemIds.push(itemId);
      }
    });
    opts.onProgress?.(itemIds.length, opts.count);
  }

  let volumeId: string | null = null;
  if (opts.volume) {
    const [v] = await db.query(
      `INSERT INTO archive_volumes (fonds_code, fonds_name, year, retention, number, title, created_by) VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING id`,
      [unit.fonds_code, unit.name, opts.year, opts.retention, opts.volume.number, opts.volume.title, archivist.id],
    );
    volumeId = v.id;
    await db.query(
      `INSERT INTO archive_volume_items (volume_id, item_id, position) SELECT $1, x.id, x.n FROM unnest($2::uuid[]) WITH ORDINALITY AS x(id, n)`,
      [v.id, itemIds],
    );
  }
  return { itemIds, volumeId, pageCount: pages };
}
