/**
 * Making seals from the office's local certificate authority: the CA (made on first use), a signing certificate and
 * key per seal, the seal (SESeal) over them, and the seals the demo seed orders. Plain functions over an
 * EntityManager and the deployment's secret, used by SealsService (at start-up and when a seal is created) and by the
 * test suite's template database, which makes the demo seal once per run as an application would at start.
 */
import type { DataSource, EntityManager } from 'typeorm';
import {
  createRootAuthority,
  decryptPrivateKey,
  encryptPrivateKey,
  issueSigningCertificate,
  makeSeal,
  publicKeyOf,
  sealPng,
  type KeyAndCertificate,
} from '#gongwen/seal';
import { bytes } from './bytes.js';

const LOCAL_CA_NAME = 'gongwen 本地电子印章证书中心';
/** The seal image's size on the page. */
export const SEAL_MM = 42;

/** The office's local root (made on first use; concurrent starts agree on one through the unique index). */
export async function localAuthority(m: EntityManager, secret: string): Promise<KeyAndCertificate & { id: string }> {
  const read = async () =>
    (await m.query(`SELECT id, certificate, encrypted_private_key FROM seal_authorities WHERE kind = 'local'`))[0] as
      { id: string; certificate: Buffer; encrypted_private_key: string } | undefined;
  let row = await read();
  if (!row) {
    const ca = createRootAuthority(LOCAL_CA_NAME, new Date(Date.now() - 60_000));
    await m.query(
      `INSERT INTO seal_authorities (kind, name, certificate, encrypted_private_key) VALUES ('local', $1, $2, $3)
       ON CONFLICT (kind) WHERE kind = 'local' DO NOTHING`,
      [LOCAL_CA_NAME, Buffer.from(ca.certificate), encryptPrivateKey(ca.key.privateKey, secret)],
    );
    row = await read();
  }
  const privateKey = decryptPrivateKey(row!.encrypted_private_key, secret);
  return { id: row!.id, certificate: bytes(row!.certificate), key: { privateKey, publicKey: publicKeyOf(privateKey) } };
}

/** A signing certificate and key from the local CA and the seal made over them. */
export async function makeSealMaterial(
  m: EntityManager,
  secret: string,
  s: { esId: string; name: string; validFrom: Date; validTo: Date; image: Uint8Array },
) {
  const ca = await localAuthority(m, secret);
  const signer = issueSigningCertificate(ca, { commonName: s.name }, { notBefore: s.validFrom, notAfter: s.validTo });
  const sealDer = makeSeal({
    esId: s.esId,
    name: s.name,
    signerCertificates: [signer.certificate],
    createdAt: new Date(),
    validStart: s.validFrom,
    validEnd: s.validTo,
    picture: { type: 'PNG', data: s.image, widthMm: SEAL_MM, heightMm: SEAL_MM },
    maker: ca,
  });
  return {
    sealDer: Buffer.from(sealDer),
    image: Buffer.from(s.image),
    certificate: Buffer.from(signer.certificate),
    encryptedKey: encryptPrivateKey(signer.key.privateKey, secret),
    authorityId: ca.id,
  };
}

/** Makes the seals ordered by the demo seed (status 'ordered'): keys, certificate from the local CA, image, SESeal. */
export async function makeOrderedSeals(db: DataSource, secret: string): Promise<number> {
  return db.transaction(async (m) => {
    const rows: { id: string; es_id: string; name: string; issuer_unit_id: string; valid_from: Date; valid_to: Date }[] = await m.query(
      `SELECT * FROM seals WHERE status = 'ordered' ORDER BY created_at FOR UPDATE SKIP LOCKED`,
    );
    for (const row of rows) {
      const unitName = (await m.query(`SELECT name FROM units WHERE id = $1`, [row.issuer_unit_id]))[0]?.name ?? row.name;
      const made = await makeSealMaterial(m, secret, {
        esId: row.es_id,
        name: unitName,
        validFrom: new Date(row.valid_from),
        validTo: new Date(row.valid_to),
        image: sealPng(unitName),
      });
      await m.query(
        `UPDATE seals SET status = 'active', seal_der = $2, image_png = $3, certificate = $4, encrypted_private_key = $5,
                authority_id = $6 WHERE id = $1`,
        [row.id, made.sealDer, made.image, made.certificate, made.encryptedKey, made.authorityId],
      );
    }
    return rows.length;
  });
}
