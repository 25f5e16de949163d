import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { parseCertificate, pemToDer } from '#gongwen/seal/x509';
import { appendAdminAudit } from '../admin/admin.audit.js';
import type { AuthUser } from '../auth/auth.types.js';
import { AppError } from '../common/errors.js';
import { UUID } from './repo.js';

const view = (r: Record<string, any>) => ({
  id: r.id as string,
  name: r.name as string,
  subject: r.subject as string,
  fingerprint: r.fingerprint as string,
  notBefore: new Date(r.not_before).toISOString(),
  notAfter: new Date(r.not_after).toISOString(),
  addedBy: (r.added_by_name as string | null) ?? '',
  createdAt: new Date(r.created_at).toISOString(),
});

const invalid = (message: string) =>
  new AppError('VALIDATION_FAILED', `Invalid body: pem: ${message}`, { errors: [{ field: 'pem', message }] });

/**
 * Seal roots of other deployments trusted for the seal check (电子印章有效) without importing their seals: a
 * received package's sealed OFDs then verify against them. Admins and archivists manage the list; each change is
 * recorded in the admin audit chain in the same transaction.
 */
@Injectable()
export class TrustedRootsService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async list() {
    const rows = await this.db.query(
      `SELECT r.*, u.display_name AS added_by_name FROM archive_trusted_seal_roots r JOIN users u ON u.id = r.added_by ORDER BY r.created_at`,
    );
    return { items: rows.map(view) };
  }

  async add(user: AuthUser, body: { name: string; pem: string }) {
    let der: Uint8Array;
    let cert;
    try {
      der = pemToDer(body.pem);
      cert = parseCertificate(der);
    } catch (e) {
      throw invalid(`not an X.509 certificate in PEM (${(e as Error).message})`);
    }
    if (!cert.isCa) throw invalid('not a CA certificate (basicConstraints cA is not set): a seal root signs the seal certificates');
    const fingerprint = createHash('sha256').update(der).digest('hex');
    const id = await this.db.transaction(async (m) => {
      const [own] = await m.query(`SELECT 1 FROM seal_authorities WHERE certificate = $1`, [Buffer.from(der)]);
      if (own) throw new AppError('CONFLICT', 'This root is already one of this deployment’s seal authorities.');
      const [r] = await m.query(
        `INSERT INTO archive_trusted_seal_roots (name, certificate, fingerprint, subject, not_before, not_after, added_by)
         VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (fingerprint) DO NOTHING RETURNING id`,
        [body.name, Buffer.from(der), fingerprint, cert.subjectCommonName, cert.notBefore, cert.notAfter, user.id],
      );
      if (!r) throw new AppError('CONFLICT', 'This root is trusted already.');
      await appendAdminAudit(m, {
        actorId: user.id,
        action: 'seal_root.trust',
        detail: { rootId: r.id, name: body.name, subject: cert.subjectCommonName, fingerprint },
      });
      return r.id as string;
    });
    const [row] = await this.db.query(
      `SELECT r.*, u.display_name AS added_by_name FROM archive_trusted_seal_roots r JOIN users u ON u.id = r.added_by WHERE r.id = $1`,
      [id],
    );
    return view(row);
  }

  async remove(user: AuthUser, id: string): Promise<void> {
    if (!UUID.test(id)) throw new AppError('NOT_FOUND', 'No such trusted root.');
    await this.db.transaction(async (m) => {
      // (a CTE: TypeORM answers a bare DELETE … RETURNING as [rows, count])
      const [r] = await m.query(
        `WITH d AS (DELETE FROM archive_trusted_seal_roots WHERE id = $1 RETURNING name, subject, fingerprint) SELECT * FROM d`,
        [id],
      );
      if (!r) throw new AppError('NOT_FOUND', 'No such trusted root.');
      await appendAdminAudit(m, {
        actorId: user.id,
        action: 'seal_root.untrust',
        detail: { rootId: id, name: r.name, subject: r.subject, fingerprint: r.fingerprint },
      });
    });
  }
}
