/** The strings of the transfer-receipt page (接收移交), Simplified Chinese first, English second. */
import { useMemo } from 'react';
import { useI18n } from './i18n';

export const receiptsZh = {
  title: '接收移交',
  lead: '上传移交的数据包（gongwen 导出的 BagIt 压缩包）：整包进行四性检测，通过的件登记入库，保留原档号或按本馆分类重新编号；回执列出接收与退回的件及原因。未通过检测的数据包不会部分入库。',
  'form.title': '上传数据包',
  'form.file': '数据包（.zip）',
  'form.numbering': '档号',
  'form.keep': '保留原档号',
  'form.renumber': '按本馆分类重新编号',
  'form.fondsCode': '本馆全宗号（4 位，可不填）',
  'form.unitCode': '本馆机构代码（可不填）',
  'form.submit': '接收并检测',
  'form.pending': '正在检测并接收……',
  'form.noFile': '请选择要接收的数据包。',
  'form.badFonds': '全宗号为 4 位大写字母或数字。',
  'form.badUnit': '机构代码为 1–10 位大写字母或数字。',
  'receipt.title': '接收回执：{name}',
  'receipt.accepted': '已接收',
  'receipt.refused': '已退回',
  'receipt.summary': '{status}：接收 {accepted} 件，退回 {refused} 件；检测结论：{outcome}。',
  'receipt.source': '来源单位：{org}',
  'receipt.by': '接收人：{name}，{at}',
  'receipt.numbering.keep': '保留原档号',
  'receipt.numbering.renumber': '重新编号',
  'receipt.checkRun': '查看检测结果',
  'receipt.acceptedTable': '接收的件（档号对照）',
  'receipt.refusedTable': '退回的件及原因',
  'col.source': '原档号',
  'col.number': '本馆档号',
  'col.title': '题名',
  'col.reasons': '退回原因',
  'list.title': '接收记录',
  'list.empty': '还没有接收记录。',
  'col.time': '接收时间',
  'col.package': '数据包',
  'col.status': '结果',
  'col.counts': '接收 / 退回',
  'col.numbering': '档号',
} as const;

type ReceiptsKey = keyof typeof receiptsZh;

const receiptsEn: Record<ReceiptsKey, string> = {
  title: 'Receive a transfer',
  lead: 'Upload a transfer package (a BagIt zip exported by gongwen): the whole package is checked (the four checks), the items that pass are registered, keeping their archival numbers or renumbered into this archive’s classes; the receipt lists what was accepted and refused, with reasons. A package that fails is not half-imported.',
  'form.title': 'Upload a package',
  'form.file': 'Package (.zip)',
  'form.numbering': 'Archival numbers',
  'form.keep': 'Keep the archival numbers',
  'form.renumber': 'Renumber into this archive’s classes',
  'form.fondsCode': 'This archive’s fonds number (4 characters, optional)',
  'form.unitCode': 'This archive’s unit code (optional)',
  'form.submit': 'Check and receive',
  'form.pending': 'Checking and receiving…',
  'form.noFile': 'Choose the package to receive.',
  'form.badFonds': 'The fonds number is 4 capital letters or digits.',
  'form.badUnit': 'The unit code is 1–10 capital letters or digits.',
  'receipt.title': 'Receipt: {name}',
  'receipt.accepted': 'Accepted',
  'receipt.refused': 'Refused',
  'receipt.summary': '{status}: {accepted} items accepted, {refused} refused; checks: {outcome}.',
  'receipt.source': 'From: {org}',
  'receipt.by': 'Received by {name}, {at}',
  'receipt.numbering.keep': 'Numbers kept',
  'receipt.numbering.renumber': 'Renumbered',
  'receipt.checkRun': 'See the check results',
  'receipt.acceptedTable': 'Accepted items (number mapping)',
  'receipt.refusedTable': 'Refused items and why',
  'col.source': 'Archival number sent',
  'col.number': 'Archival number here',
  'col.title': 'Title',
  'col.reasons': 'Why refused',
  'list.title': 'Receipts',
  'list.empty': 'No transfers received yet.',
  'col.time': 'Received at',
  'col.package': 'Package',
  'col.status': 'Result',
  'col.counts': 'Accepted / refused',
  'col.numbering': 'Numbers',
};

const DICTS = { zh: receiptsZh as Record<ReceiptsKey, string>, en: receiptsEn };

export function useReceiptsT() {
  const { lang } = useI18n();
  return useMemo(() => {
    const dict = DICTS[lang];
    return (key: ReceiptsKey, params?: Record<string, string | number>) => {
      const s = dict[key] ?? receiptsZh[key];
      return params ? s.replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m)) : s;
    };
  }, [lang]);
}
