/**
 * `npm run seal:verify -- <file> <signature> [--root cert.pem …]`: checks a detached electronic-seal signature
 * (GB/T 38540 SES_Signature, SM2/SM3), e.g. a sealed DOCX and the .sig downloaded beside it: the SM3 digest of the
 * file, the SM2 signature, the signer's certificate chain and validity at the signing time, the signer listed in the
 * seal, the seal maker's signature. Trusts the given roots, or the seal authorities in the database (DATABASE_URL).
 * Prints `ok` or `BROKEN` with every failed check; exit 0, 1 (broken) or 2 (unreadable input). Kept apart from
 * cli/index.ts so that it loads only libs/seal (and the database when no root is given).
 *
 * `npm run seal:verify -- <file.ofd>` (no signature file): a sealed OFD, whose seals are inside it: for each
 * signature, the SM3 of every referenced part (a changed part is named) and its SES_Signature over Signature.xml.
 */
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { parseCertificate, verifySignature } from '#gongwen/seal';
import { verifySealedOfd } from '../seals/sealed-ofd.js';

async function databaseRoots(): Promise<Uint8Array[]> {
  const { loadConfig } = await import('../config/config.js');
  const { openDatabase } = await import('../database/database.js');
  const db = await openDatabase(loadConfig({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' }));
  try {
    const rows: { certificate: Buffer }[] = await db.dataSource.query(`SELECT certificate FROM seal_authorities`);
    return rows.map((r) => new Uint8Array(r.certificate));
  } finally {
    await db.close();
  }
}

const program = new Command('gongwen-seal')
  .argument('<file>', 'the signed file (e.g. the sealed DOCX), or a sealed OFD')
  .argument('[signature]', 'the detached signature (DER SES_Signature); none for a sealed OFD')
  .option('--root <files...>', 'trusted root certificates (PEM or DER) instead of the database')
  .action(async (file: string, signature: string | undefined, opts: { root?: string[] }) => {
    const roots = opts.root?.length ? opts.root.map((f) => new Uint8Array(readFileSync(f))) : await databaseRoots();
    if (signature === undefined) {
      const v = await verifySealedOfd(
        new Uint8Array(readFileSync(file)),
        roots.map((r) => parseCertificate(r)),
      );
      if (!v.signatures.length) console.log(`BROKEN  ${v.problems.join(', ')}`);
      for (const s of v.signatures) {
        const who = `${s.sealName ?? '?'} (${s.esId ?? '?'}), signed by ${s.signer ?? '?'} at ${s.signedAt?.toISOString() ?? '?'}`;
        console.log(s.ok ? `ok      ${s.path} ${who}` : `BROKEN  ${s.path} ${who}: ${s.problems.join(', ')}`);
      }
      process.exit(v.ok ? 0 : 1);
    }
    const check = verifySignature(new Uint8Array(readFileSync(signature)), new Uint8Array(readFileSync(file)), {
      roots: roots.map((r) => parseCertificate(r)),
    });
    const who = `${check.sealName ?? '?'} (${check.esId ?? '?'}), signed by ${check.signer ?? '?'} at ${check.signedAt?.toISOString() ?? '?'}`;
    console.log(check.ok ? `ok      ${who}` : `BROKEN  ${who}: ${check.problems.join(', ')}`);
    process.exit(check.ok ? 0 : 1);
  });

program.parseAsync(process.argv).catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(2);
});
