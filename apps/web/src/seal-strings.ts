/** The strings of the seals page (电子印章: the registry, the seal-use register, 用印). Simplified Chinese first. */
import { useMemo } from 'react';
import { useI18n } from './i18n';

export const sealZh = {
  'nav.seals': '电子印章',
  title: '电子印章管理',
  intro: '本机关登记的电子印章（SM2/SM3 签章，GB/T 38540）、可以用印的印章管理员，以及每一次用印的登记。',
  'seals.title': '印章',
  'seals.empty': '尚无登记的电子印章。',
  'seals.image': '{name}的印章图像',
  'col.seal': '印章',
  'col.image': '印模',
  'col.code': '印章编码',
  'col.issuer': '发文机关',
  'col.certificate': '证书主题',
  'col.validity': '有效期',
  'col.custodians': '印章管理员（可用印）',
  'col.status': '状态',
  'col.uses': '用印次数',
  'col.document': '公文',
  'col.copies': '份数',
  'col.by': '用印人',
  'col.at': '用印时间',
  'col.action': '用印',
  'status.ordered': '待制作',
  'status.active': '有效',
  'status.revoked': '已吊销',
  'cert.none': '无证书',
  'cert.local': '（本地证书中心签发）',
  'cert.imported': '（导入）',
  'pending.title': '待用印',
  'pending.intro': '已登记、等待您加盖印章的公文。',
  'pending.empty': '暂无待用印的公文。',
  'pending.issuer': '加盖哪个发文机关的印章：{title}',
  'pending.apply': '用印',
  'pending.applyLabel': '为《{title}》用印',
  'pending.done': '已为《{title}》加盖“{issuer}”的印章，并记入用印登记。',
  'register.title': '用印登记',
  'register.empty': '尚无用印记录。',
};

export type SealKey = keyof typeof sealZh;

const sealEn: Record<SealKey, string> = {
  'nav.seals': 'Seals',
  title: 'Electronic seals',
  intro: "The office's registered electronic seals (SM2/SM3, GB/T 38540), the custodians who may apply them, and every use.",
  'seals.title': 'Seals',
  'seals.empty': 'No electronic seal is registered.',
  'seals.image': 'Image of the seal {name}',
  'col.seal': 'Seal',
  'col.image': 'Image',
  'col.code': 'Seal code',
  'col.issuer': 'Issuing body',
  'col.certificate': 'Certificate subject',
  'col.validity': 'Valid',
  'col.custodians': 'Custodians (may apply it)',
  'col.status': 'Status',
  'col.uses': 'Uses',
  'col.document': 'Document',
  'col.copies': 'Copies',
  'col.by': 'Applied by',
  'col.at': 'Applied at',
  'col.action': 'Apply',
  'status.ordered': 'Being made',
  'status.active': 'Active',
  'status.revoked': 'Revoked',
  'cert.none': 'No certificate',
  'cert.local': '(issued by the local CA)',
  'cert.imported': '(imported)',
  'pending.title': 'Waiting for a seal',
  'pending.intro': 'Registered documents waiting for you to apply a seal.',
  'pending.empty': 'No document is waiting for a seal.',
  'pending.issuer': 'Whose seal to apply: {title}',
  'pending.apply': 'Apply seal',
  'pending.applyLabel': 'Apply the seal to “{title}”',
  'pending.done': 'The seal of “{issuer}” is applied to “{title}” and entered in the register.',
  'register.title': 'Seal-use register',
  'register.empty': 'No seal has been applied yet.',
};

export type ST = (key: SealKey, params?: Record<string, string | number>) => string;

export function useSealT(): { sl: ST } {
  const { lang } = useI18n();
  return useMemo(() => {
    const dict: Record<SealKey, string> = lang === 'zh' ? sealZh : sealEn;
    const sl: ST = (key, params) => {
      const s = dict[key] ?? sealZh[key];
      return params ? s.replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m)) : s;
    };
    return { sl };
  }, [lang]);
}

/** Who sees the seals page: the custodians, the administrators who register seals, the auditors. */
export const worksWithSeals = (roles: readonly string[]): boolean =>
  roles.some((r) => r === 'seal_keeper' || r === 'admin' || r === 'auditor');
