/**
 * Benchmark of sealing (GB/T 38540 SES_Signature with SM2/SM3 over a rendered DOCX, the seal carrying its PNG) and of
 * verifying it. `seal` is a prepared signer's work per document; `sealCold` includes reading the seal first. `npm run seal:bench [iterations=50]`. Prints median and p95 per step, then one JSON line.
 * The issue's bar: sealing ≤ 20 ms median. `sealOfd` seals the notice's OFD as APPLY_SEAL does (stamp placement from the
 * layout, signOfd with the seal's SES_Signature over Signature.xml: SM3 of every part) and `verifyOfd` checks it.
 */
import { pathToFileURL } from 'node:url';
import { noticeFixture } from '#gongwen/docx/fixtures';
import { renderDocx } from '#gongwen/docx/render';
import { renderOfd } from '#gongwen/ofd';
import {
  addYears,
  createRootAuthority,
  issueSigningCertificate,
  makeSeal,
  prepareSealSigner,
  sealPng,
  signData,
  verifySignature,
} from '#gongwen/seal';
import { documentStampPlacements, sealOfd, verifySealedOfd } from '../../apps/api/src/seals/sealed-ofd.js';

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

export async function runSealBench(iterations: number): Promise<Record<string, { medianMs: number; p95Ms: number }>> {
  const now = new Date();
  const ca = createRootAuthority('gongwen 演示证书中心', now);
  const body = issueSigningCertificate(ca, { commonName: '中共××区委办公室' }, { notBefore: now, notAfter: addYears(now, 3) });
  const png = sealPng('中共××区委办公室');
  const seal = makeSeal({
    esId: 'BENCH-1',
    name: '中共××区委办公室',
    signerCertificates: [body.certificate],
    createdAt: now,
    validStart: now,
    validEnd: addYears(now, 3),
    picture: { type: 'PNG', data: png, widthMm: 42, heightMm: 42 },
    maker: ca,
  });
  const { content, ctx } = noticeFixture();
  const docx = new Uint8Array(await renderDocx(content, ctx));
  const seals: number[] = [];
  const colds: number[] = [];
  const verifies: number[] = [];
  // the registry prepares a seal's signer once (parse and DER check of the seal) and keeps it
  const signer = prepareSealSigner(seal, body);
  for (let i = 0; i < iterations + 5; i++) {
    const c0 = performance.now();
    signData({ seal, signerCertificate: body.certificate, signerKey: body.key, data: docx, propertyInfo: 'notice.docx', at: new Date() });
    const t0 = performance.now();
    const sig = signer.sign(docx, 'notice.docx', new Date());
    const t1 = performance.now();
    const check = verifySignature(sig, docx, { roots: [ca.certificate] });
    const t2 = performance.now();
    if (!check.ok) throw new Error(`bench signature did not verify: ${check.problems.join(', ')}`);
    if (i >= 5) {
      seals.push(t1 - t0);
      colds.push(t0 - c0);
      verifies.push(t2 - t1);
    }
  }
  const ofd = await renderOfd(content, ctx, { imprint: 'auto' });
  const ofdSeals: number[] = [];
  const ofdVerifies: number[] = [];
  for (let i = 0; i < iterations + 5; i++) {
    const t0 = performance.now();
    const placement = documentStampPlacements(content, ctx, 42).at(-1)!;
    const sealed = await sealOfd(ofd, { placement, stamp: png, seal, signer: body, at: new Date() });
    const t1 = performance.now();
    const check = await verifySealedOfd(sealed, [ca.certificate]);
    const t2 = performance.now();
    if (!check.ok) throw new Error(`bench OFD seal did not verify: ${check.problems.join(', ')}`);
    if (i >= 5) {
      ofdSeals.push(t1 - t0);
      ofdVerifies.push(t2 - t1);
    }
  }
  return {
    sealOfd: { medianMs: quantile(ofdSeals, 0.5), p95Ms: quantile(ofdSeals, 0.95) },
    verifyOfd: { medianMs: quantile(ofdVerifies, 0.5), p95Ms: quantile(ofdVerifies, 0.95) },
    seal: { medianMs: quantile(seals, 0.5), p95Ms: quantile(seals, 0.95) },
    sealCold: { medianMs: quantile(colds, 0.5), p95Ms: quantile(colds, 0.95) },
    verify: { medianMs: quantile(verifies, 0.5), p95Ms: quantile(verifies, 0.95) },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const iterations = Number(process.argv[2] ?? 50);
  const result = await runSealBench(iterations);
  for (const [step, r] of Object.entries(result))
    console.log(`${step.padEnd(9)} median ${r.medianMs.toFixed(2)} ms   p95 ${r.p95Ms.toFixed(2)} ms   (${iterations} runs)`);
  console.log(JSON.stringify({ bench: 'seal', iterations, ...result }));
}
