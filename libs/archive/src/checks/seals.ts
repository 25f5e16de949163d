/**
 * 真实性: electronic seals verify (电子印章有效). Every OFD of an item that carries signatures is checked with the
 * seal verification of libs/seal (verifySealedOfd): each reference's SM3, the GB/T 38540 SES_Signature over its
 * Signature.xml, the signer's certificate against the deployment's trusted roots (the run's `sealRoots`), the
 * seal's validity and its maker. Pass names each seal that holds; fail names the seal and what broke; an item
 * without a sealed OFD is not applicable.
 */
import { verifySealedOfd } from '#gongwen/seal/ofd';
import { extensionOf, openCached } from './formats.js';
import { fail, notApplicable, pass, type CheckContext, type Evidence, type ItemCheck } from './types.js';
import type { PackageItem } from './package.js';

/** What each problem code of libs/seal means, for the report (the code is kept beside it). */
const PROBLEMS: [RegExp, string][] = [
  [/: digest$/, '签名后被改动（摘要不符）'],
  [/: missing$/, '签名引用的文件缺失'],
  [/^data-digest-mismatch$/, 'Signature.xml 被改动（SM3 不符）'],
  [/^signature-invalid$/, 'SM2 签名值无效'],
  [/^signature-unreadable$/, '签名值无法解析'],
  [/^signature-algorithm$/, '签名算法不是 SM2/SM3'],
  [/^signature-property-info$/, '签名指向的 Signature.xml 不是其自身'],
  [/^seal-maker-signature-invalid$/, '印章制作者签名无效'],
  [/^seal-not-yet-valid$/, '签章时印章尚未生效'],
  [/^seal-expired$/, '签章时印章已过有效期'],
  [/^signer-not-in-seal$/, '签章人证书不在印章的证书列表中'],
  [/-certificate-untrusted$/, '证书不是由本系统信任的根证书签发'],
  [/-certificate-expired$/, '证书已过期'],
  [/-certificate-not-yet-valid$/, '证书尚未生效'],
  [/-certificate-signature$/, '证书签名无效'],
  [/-certificate-unreadable$/, '证书无法解析'],
  [/-certificate-algorithm$/, '证书算法不是 SM2/SM3'],
  [/^ofd-unreadable/, 'OFD 无法解析'],
];

export function describeSealProblem(code: string): string {
  const hit = PROBLEMS.find(([re]) => re.test(code));
  return hit ? `${hit[1]}（${code}）` : code;
}

const isSealed = async (path: string, data: Buffer): Promise<boolean> =>
  extensionOf(path) === 'ofd' && ((await openCached(path, data))?.seals ?? 0) > 0;

export const sealsCheck: ItemCheck = {
  id: 'authenticity.seals',
  group: 'authenticity',
  label: '电子印章有效',
  description:
    '验证 OFD 中每个电子签章（GB/T 38540）：所签文件的 SM3 摘要、SM2 签名值、签章人证书链（本系统信任的根证书）、印章有效期与制章者签名；无签章时不适用',
  scope: 'item',
  async run(item: PackageItem, ctx: CheckContext) {
    const evidence: { ok: boolean; e: Evidence }[] = [];
    for (const [path, data] of item.files) {
      if (!(await isSealed(path, data))) continue;
      const v = await verifySealedOfd(data, ctx.sealRoots ?? []);
      if (!v.signatures.length)
        evidence.push({
          ok: false,
          e: { measured: `${path} 的电子签章`, expected: '验证通过', found: v.problems.map(describeSealProblem).join('；') },
        });
      for (const s of v.signatures) {
        const seal = `${s.sealName ?? '（印章无法读取）'}${s.esId ? `（${s.esId}）` : ''}`;
        evidence.push({
          ok: s.ok,
          e: {
            measured: `${path} 的电子签章 ${seal}，${s.path}`,
            expected: '摘要、签名、证书与印章均验证通过',
            found: s.ok
              ? `验证通过（签章人 ${s.signer ?? '—'}，${s.signedAt?.toISOString() ?? '—'}）`
              : s.problems.map(describeSealProblem).join('；'),
          },
        });
      }
    }
    if (!evidence.length) return notApplicable('该件没有带电子签章的 OFD 文件');
    const bad = evidence.filter((x) => !x.ok);
    return bad.length ? fail(...bad.map((x) => x.e)) : pass(...evidence.map((x) => x.e));
  },
};
