/**
 * The sealed OFD (issue #24): where GB/T 9704 puts each seal on the laid-out page, signing the OFD with a seal
 * (libs/ofd signOfd + libs/seal ofdSigner), and checking a sealed OFD (libs/seal verifySealedOfd, re-exported). No Nest, no database:
 * the seals service and the seal CLI share it.
 */
import type { DocumentContent, RenderContext } from '#gongwen/document/model';
import { signOfd } from '#gongwen/ofd';
import { layoutDocument, PITCH, type DocumentLayout, type TextRun } from '#gongwen/page-layout';
import { ofdSigner, type Sm2KeyPair } from '#gongwen/seal';

export interface StampPlacement {
  /** 1-based page. */
  page: number;
  /** [x, y, width, height] in mm from the page's top left. */
  boundaryMm: [number, number, number, number];
}

const MM_PER_PT = 25.4 / 72;
const runWidth = (r: TextRun): number => r.advances.reduce((a, b) => a + b, 0);

/**
 * Where each issuer's seal goes, in the order of `content.issuers`, as the DOCX renderer places it (libs/docx
 * sealImage): centred horizontally over the issuer's name in the signature block; vertically the seal's top is
 * max(1 − size/2, 0.5 − 2 pitches) below the top of the name's line, so the name and the date sit in its lower half
 * and its top stays within one line of the body. A name's line top is recovered from its baseline on the layout's
 * grid (the baseline sits at the pitch's centre plus about 0.36 em).
 */
export function stampPlacements(layout: DocumentLayout, issuers: number, sizeMm: number): StampPlacement[] {
  const names: { page: number; left: number; right: number; baseline: number; sizePt: number }[] = [];
  layout.pages.forEach((p, i) => {
    for (const line of p.lines) {
      if (line.role !== 'signature') continue;
      // a name is one or more adjacent runs; the next name starts after a gap
      for (const r of [...line.runs].sort((a, b) => a.x - b.x)) {
        const last = names.at(-1);
        if (last && last.page === i + 1 && last.baseline === line.baseline && r.x - last.right < 1) last.right = r.x + runWidth(r);
        else names.push({ page: i + 1, left: r.x, right: r.x + runWidth(r), baseline: line.baseline, sizePt: r.sizePt });
      }
    }
  });
  if (names.length !== issuers) throw new Error(`the layout has ${names.length} issuer names in the signature block, not ${issuers}`);
  return names.map((n) => {
    const lineTop = n.baseline - PITCH / 2 - 0.36 * n.sizePt * MM_PER_PT;
    const top = lineTop + Math.max(1 - sizeMm / 2, 0.5 - 2 * PITCH);
    const centre = (n.left + n.right) / 2;
    return { page: n.page, boundaryMm: [centre - sizeMm / 2, top, sizeMm, sizeMm] };
  });
}

/** The seal placements of a document as laid out for print (the layout the OFD download uses). */
export function documentStampPlacements(content: DocumentContent, ctx: RenderContext, sizeMm: number): StampPlacement[] {
  return stampPlacements(layoutDocument(content, ctx, { imprint: 'auto' }), content.issuers.length, sizeMm);
}

/** Adds one seal to an OFD: its stamp at `placement`, Signature.xml signed by the seal (SES_Signature, SM2/SM3). */
export function sealOfd(
  ofd: Uint8Array,
  o: {
    placement: StampPlacement;
    stamp: Uint8Array;
    seal: Uint8Array;
    signer: { certificate: Uint8Array; key: Sm2KeyPair };
    at: Date;
  },
): Promise<Buffer> {
  return signOfd(ofd, {
    page: o.placement.page,
    boundaryMm: o.placement.boundaryMm,
    stamp: o.stamp,
    at: o.at,
    // the SES_Signature's propertyInfo names the Signature.xml it signs: read from its SignedValue location
    sign: (signatureXml) => ofdSigner(o.seal, o.signer, { propertyInfo: signatureXmlPath(signatureXml), now: () => o.at })(signatureXml),
  });
}

function signatureXmlPath(signatureXml: Uint8Array): string {
  const m = /<(?:\w+:)?SignedValue>([^<]+)<\/(?:\w+:)?SignedValue>/.exec(Buffer.from(signatureXml).toString('utf8'));
  if (!m) throw new Error('Signature.xml names no SignedValue');
  return m[1]!.trim().replace(/[^/]*$/, 'Signature.xml');
}

// checking a sealed OFD is pure and lives in libs/seal (the archive's records checks use it too)
export { verifySealedOfd, type SealedOfdSignature } from '#gongwen/seal/ofd';
