/**
 * Checking a BagIt package file in full (四性检测): the one piece of the records checks that the volume export uses
 * too, kept apart from records-checks.ts (which writes scratch bags through the export) so the two do not import
 * each other.
 */
import { basename } from 'node:path';
import {
  RecordPackage,
  autoScanner,
  runChecks,
  zipSource,
  type CheckReport,
  type CheckRunOptions,
  type VirusScanner,
} from '#gongwen/archive/checks/index';

/**
 * The root certificates (DER) this deployment trusts for electronic seals: its seal authorities (the local CA and
 * the imported roots) and the roots of other deployments trusted for the seal check (archive_trusted_seal_roots,
 * no seal imported). The seal check verifies each seal's certificate chain against them.
 */
export async function trustedSealRoots(db: { query(sql: string, params?: unknown[]): Promise<any> }): Promise<Uint8Array[]> {
  const rows: { certificate: Buffer }[] = await db.query(
    `SELECT certificate FROM (SELECT certificate, created_at FROM seal_authorities
                              UNION ALL SELECT certificate, created_at FROM archive_trusted_seal_roots) r ORDER BY created_at`,
  );
  return rows.map((r) => new Uint8Array(r.certificate.buffer, r.certificate.byteOffset, r.certificate.byteLength));
}

/** The scanner the archive uses unless told otherwise: clamd when its socket answers (GONGWEN_CLAMD_SOCKET), else clamscan. */
export const defaultScanner = (): VirusScanner => autoScanner();

export async function checkBagFile(path: string, opts: CheckRunOptions & { name?: string } = {}): Promise<CheckReport> {
  const pkg = new RecordPackage(await zipSource(path), opts.name ?? basename(path));
  try {
    return await runChecks(pkg, { scanner: opts.scanner === undefined ? defaultScanner() : opts.scanner, ...opts });
  } finally {
    await pkg.close();
  }
}
