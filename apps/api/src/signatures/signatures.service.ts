import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, verify } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { DataSource, EntityManager } from 'typeorm';
import { canonicalJson } from '#gongwen/document/canonical';
import type { SignatureRecord } from '#gongwen/workflows/outgoing/types';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { DocumentsService, type DocumentRow } from '../documents/documents.service.js';

/** What a signer's Ed25519 signature covers (canonical JSON of this). */
export function signaturePayload(s: {
  documentId: string;
  revisionHash: string;
  revisionNumber: number;
  signerId: string;
  role: string;
  issuerUnitId: string;
  signedAt: string;
  /** 代签: the deputy who signed in the signer's slot with his own key (absent otherwise, as before delegations). */
  signedBy?: string;
}): string {
  return canonicalJson({ ...s, scheme: 'gongwen-signature-v1' });
}

/**
 * Signatures that prove themselves: each signer has an Ed25519 key pair (node:crypto); the private key
 * is stored encrypted (AES-256 under the server's master key). A SIGN transition writes the signature
 * in the same transaction; REJECT or a return from registration voids the document's signatures.
 */
@Injectable()
export class SignaturesService implements OnModuleInit {
  private masterKey!: string;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly documents: DocumentsService,
  ) {}

  onModuleInit(): void {
    this.masterKey = this.config.GONGWEN_MASTER_KEY ?? loadOrCreateMasterKey(resolve(this.config.GONGWEN_DATA_DIR, 'master.key'));
    this.documents.onTransition(['SIGN', 'REJECT', 'RETURN'], async (m, t) => {
      if (t.event.type === 'SIGN' && t.fromState === 'signing') {
        const ctx = t.document.snapshot.context;
        // the record the event wrote: the signer's own, or a deputy's in the signer's slot (代签)
        const rec = ctx.signatures.find((s) => (s.signedBy ?? s.signerId) === t.event.actor.userId && s.at === t.event.at);
        if (rec) await this.sign(m, t.document.id, rec);
      }
      if ((t.event.type === 'REJECT' || t.event.type === 'RETURN') && (t.fromState === 'signing' || t.fromState === 'registration')) {
        await m.query(`UPDATE signatures SET voided_at = now() WHERE document_id = $1 AND voided_at IS NULL`, [t.document.id]);
      }
    });
    this.documents.onVerify((m, row) => this.verifyDocumentSignatures(m, row));
  }

  private async keyFor(m: EntityManager, userId: string): Promise<{ id: string; privateKeyPem: string }> {
    const existing = await m.query(`SELECT id, encrypted_private_key FROM signing_keys WHERE user_id = $1 AND revoked_at IS NULL`, [
      userId,
    ]);
    if (existing.length) return { id: existing[0].id, privateKeyPem: existing[0].encrypted_private_key };
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const encrypted = privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: this.masterKey }) as string;
    const rows = await m.query(
      `INSERT INTO signing_keys (user_id, public_key, encrypted_private_key) VALUES ($1, $2, $3)
       ON CONFLICT (user_id) WHERE revoked_at IS NULL DO NOTHING RETURNING id`,
      [userId, publicKey.export({ type: 'spki', format: 'pem' }), encrypted],
    );
    if (rows.length) return { id: rows[0].id, privateKeyPem: encrypted };
    return this.keyFor(m, userId);
  }

  private async sign(m: EntityManager, documentId: string, rec: SignatureRecord): Promise<void> {
    // a deputy signs with his own key, never his principal's; the signature names both
    const key = await this.keyFor(m, rec.signedBy ?? rec.signerId);
    const payload = signaturePayload({
      ...(rec.signedBy ? { signedBy: rec.signedBy } : {}),
      documentId,
      revisionHash: rec.revisionHash,
      revisionNumber: rec.revisionNumber,
      signerId: rec.signerId,
      role: 'signer',
      issuerUnitId: rec.issuerUnitId,
      signedAt: rec.at,
    });
    const privateKey = createPrivateKey({ key: key.privateKeyPem, format: 'pem', passphrase: this.masterKey });
    const signature = sign(null, Buffer.from(payload, 'utf8'), privateKey).toString('base64');
    await m.query(
      `INSERT INTO signatures (document_id, signer_id, key_id, issuer_unit_id, role, revision_number, revision_hash, signed_at, signature, signed_by)
       VALUES ($1,$2,$3,$4,'signer',$5,$6,$7,$8,$9)`,
      [documentId, rec.signerId, key.id, rec.issuerUnitId, rec.revisionNumber, rec.revisionHash, rec.at, signature, rec.signedBy ?? null],
    );
  }

  /** Every live signature verifies under its signer's public key and matches the workflow's record. */
  async verifyDocumentSignatures(m: EntityManager, row: DocumentRow) {
    const rows: Record<string, any>[] = await m.query(
      `SELECT s.*, k.public_key, k.user_id AS key_user FROM signatures s JOIN signing_keys k ON k.id = s.key_id
        WHERE s.document_id = $1 AND s.voided_at IS NULL ORDER BY s.signed_at`,
      [row.id],
    );
    const revisions: { number: number; hash: string }[] = await m.query(`SELECT number, hash FROM revisions WHERE document_id = $1`, [
      row.id,
    ]);
    for (const s of rows) {
      const signedAt = new Date(s.signed_at).toISOString();
      if (s.key_user !== (s.signed_by ?? s.signer_id)) return { kind: 'signature', id: s.id, problem: "signed with another user's key" };
      const payload = signaturePayload({
        ...(s.signed_by ? { signedBy: s.signed_by } : {}),
        documentId: row.id,
        revisionHash: s.revision_hash,
        revisionNumber: s.revision_number,
        signerId: s.signer_id,
        role: s.role,
        issuerUnitId: s.issuer_unit_id,
        signedAt,
      });
      const ok = verify(null, Buffer.from(payload, 'utf8'), createPublicKey(s.public_key), Buffer.from(s.signature, 'base64'));
      if (!ok) return { kind: 'signature', id: s.id, problem: 'the signature does not verify' };
      if (revisions.find((r) => r.number === s.revision_number)?.hash !== s.revision_hash) {
        return { kind: 'signature', id: s.id, problem: 'the signed revision hash is not the stored revision' };
      }
    }
    const recorded = row.snapshot.context.signatures;
    const key = (x: { signerId: string; issuerUnitId: string; revisionHash: string; signedBy?: string | null }) =>
      `${x.signerId}|${x.issuerUnitId}|${x.revisionHash}|${x.signedBy ?? ''}`;
    const stored = new Set(
      rows.map((s) => key({ signerId: s.signer_id, issuerUnitId: s.issuer_unit_id, revisionHash: s.revision_hash, signedBy: s.signed_by })),
    );
    for (const r of recorded) {
      if (!stored.has(key(r))) return { kind: 'signature', problem: `no valid signature for ${r.signerId} on behalf of ${r.issuerUnitId}` };
    }
    if (rows.length !== recorded.length)
      return { kind: 'signature', problem: `${rows.length} live signatures but the workflow records ${recorded.length}` };
    return null;
  }
}

/** The master key kept in a file of the data directory (created on first use, readable by the owner only). */
export function loadOrCreateMasterKey(file: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dirname(file), { recursive: true });
  const key = randomBytes(32).toString('hex');
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return key;
}
