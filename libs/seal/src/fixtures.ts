/**
 * Sealed OFDs for the tests (the archive's seal check, trusted seal roots): the sample notice (libs/docx fixtures)
 * rendered as OFD and sealed once on page 1 by a seal made under a given root. Deterministic but for the keys.
 */
import { noticeFixture } from '#gongwen/docx/fixtures';
import { renderOfd, signOfd } from '#gongwen/ofd';
import { addYears, issueSigningCertificate, type KeyAndCertificate } from './authority.js';
import { makeSeal, ofdSigner } from './seal.js';

/** A 1×1 PNG: the seal's picture and the stamp drawn on the page. */
export const FIXTURE_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==',
  'base64',
);

/**
 * The sample notice as an OFD sealed by `name`'s seal `esId`: its signing certificate issued by `ca` and the seal
 * both valid three years from `from` (2026-01-01), signed at `at` (2026-06-01 08:00 UTC).
 */
export async function sealedNoticeOfd(
  ca: KeyAndCertificate,
  opts: { name: string; esId: string; from?: Date; at?: Date },
): Promise<Buffer> {
  const from = opts.from ?? new Date('2026-01-01T00:00:00Z');
  const at = opts.at ?? new Date('2026-06-01T08:00:00Z');
  const signer = issueSigningCertificate(ca, { commonName: opts.name }, { notBefore: from, notAfter: addYears(from, 3) });
  const seal = makeSeal({
    esId: opts.esId,
    name: opts.name,
    signerCertificates: [signer.certificate],
    createdAt: from,
    validStart: from,
    validEnd: addYears(from, 3),
    picture: { type: 'PNG', data: FIXTURE_PNG, widthMm: 42, heightMm: 42 },
    maker: ca,
  });
  const f = noticeFixture();
  return signOfd(await renderOfd(f.content, f.ctx, { embedFonts: false }), {
    page: 1,
    boundaryMm: [117, 110, 42, 42],
    stamp: FIXTURE_PNG,
    at,
    sign: ofdSigner(seal, signer, { propertyInfo: '/Doc_0/Signs/Sign_0/Signature.xml', now: () => at }),
  });
}
