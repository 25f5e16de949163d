import { z } from 'zod';
import { named } from '../common/openapi.js';

export const AddTrustedRootBody = named(
  'AddTrustedSealRoot',
  z.strictObject({
    name: z.string().trim().min(1).max(200).describe('Whose root it is, e.g. 某市档案馆电子印章根证书'),
    pem: z.string().min(1).max(20000).describe('The root certificate, PEM (-----BEGIN CERTIFICATE-----)'),
  }),
);

export const TrustedRoot = named(
  'TrustedSealRoot',
  z.object({
    id: z.uuid(),
    name: z.string(),
    subject: z.string().describe('The certificate subject’s common name'),
    fingerprint: z.string().describe('SHA-256 of the certificate (DER), hex'),
    notBefore: z.iso.datetime(),
    notAfter: z.iso.datetime(),
    addedBy: z.string().describe('Display name of who added it'),
    createdAt: z.iso.datetime(),
  }),
);

export const TrustedRootsResponse = named('TrustedSealRoots', z.object({ items: z.array(TrustedRoot) }));
