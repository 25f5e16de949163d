/** The strings of the trusted foreign seal roots section (receipts page), Simplified Chinese first, English second. */
import { useMemo } from 'react';
import { useI18n } from '../../i18n';

export const trustedRootsZh = {
  title: '信任的外单位印章根证书',
  lead: '接收其他单位（其他 gongwen 部署）移交的数据包时，其电子印章需由本馆信任的根证书签发才能通过"电子印章有效"检测。在此添加对方的根证书（PEM），无需导入对方的印章。添加与移除均记入管理审计日志。',
  empty: '尚未信任外单位的根证书。',
  'col.name': '名称',
  'col.subject': '证书主体',
  'col.validity': '有效期',
  'col.fingerprint': 'SHA-256 指纹',
  'col.addedBy': '添加人',
  'col.actions': '操作',
  remove: '移除 {name}',
  'form.title': '添加根证书',
  'form.name': '名称（如：某市档案馆电子印章根证书）',
  'form.pem': '根证书（PEM，以 -----BEGIN CERTIFICATE----- 开头）',
  'form.file': '或选择证书文件（.pem / .crt）',
  'form.submit': '信任此根证书',
  'form.missing': '请填写名称并提供根证书。',
  'form.notPem': '这不是 PEM 格式的证书（应以 -----BEGIN CERTIFICATE----- 开头，以 -----END CERTIFICATE----- 结尾）。',
  added: '已信任：{name}',
  removed: '已移除：{name}',
  'volume.label': '装入卷/盒（可不选）',
  'volume.none': '不装入卷/盒',
  'volume.option': '{number} {title}（{year} 年，{count} 件）',
};

type TrustedRootsKey = keyof typeof trustedRootsZh;

export const trustedRootsEn: Record<TrustedRootsKey, string> = {
  title: 'Trusted seal roots of other archives',
  lead: 'When a package from another office (another gongwen deployment) is received, its electronic seals pass the seal check only if their root is trusted here. Add that root certificate (PEM) here; none of its seals is imported. Adding and removing are recorded in the admin audit log.',
  empty: 'No foreign root is trusted yet.',
  'col.name': 'Name',
  'col.subject': 'Subject',
  'col.validity': 'Valid',
  'col.fingerprint': 'SHA-256 fingerprint',
  'col.addedBy': 'Added by',
  'col.actions': 'Actions',
  remove: 'Remove {name}',
  'form.title': 'Add a root certificate',
  'form.name': 'Name (e.g. City archive seal root)',
  'form.pem': 'Root certificate (PEM, starting with -----BEGIN CERTIFICATE-----)',
  'form.file': 'or choose a certificate file (.pem / .crt)',
  'form.submit': 'Trust this root',
  'form.missing': 'Give a name and the root certificate.',
  'form.notPem': 'This is not a PEM certificate (it starts with -----BEGIN CERTIFICATE----- and ends with -----END CERTIFICATE-----).',
  added: 'Trusted: {name}',
  removed: 'Removed: {name}',
  'volume.label': 'Put into volume (optional)',
  'volume.none': 'No volume',
  'volume.option': '{number} {title} ({year}, {count} items)',
};

const DICTS = { zh: trustedRootsZh as Record<TrustedRootsKey, string>, en: trustedRootsEn };

export function useTrustedRootsT() {
  const { lang } = useI18n();
  return useMemo(() => {
    const dict = DICTS[lang];
    return (key: TrustedRootsKey, params?: Record<string, string | number>) => {
      const s = dict[key] ?? trustedRootsZh[key];
      return params ? s.replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m)) : s;
    };
  }, [lang]);
}
