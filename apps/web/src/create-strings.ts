/**
 * The strings of the creation form (新建公文), the attachments panel and the Word import, Simplified Chinese first,
 * English second, kept apart from strings.ts (as incoming-strings.ts is) so these features stay in their own files.
 * Also the field messages of the API's VALIDATION_FAILED answers to a creation, in both languages.
 */
import { useMemo } from 'react';
import { useI18n } from './i18n';

export const crZh = {
  'nav.new': '新建公文',
  'new.title': '新建公文',
  'new.intro': '填写文种、标题、发文机关及签发人、主送抄送、密级、紧急程度和分口拟稿人。带 * 的为必填项。',
  'new.notAllowed': '只有科长可以新建公文。',
  'new.kind': '文种 *',
  'new.docTitle': '标题 *',
  'new.titleHint': '如：关于做好2027年元旦春节期间安全生产工作的通知',
  'new.issuers': '发文机关 *（多个即联合行文，第一个为主办机关）',
  'new.signerFor': '{unit}的签发人 *',
  'new.chooseSigner': '请选择签发人',
  'new.noSigner': '没有可签发此文种和密级的签发人',
  'new.main': '主送',
  'new.copy': '抄送',
  'new.recipientsOf': '{role}：从单位目录选择单位或单位组',
  'new.freeText': '{role}：目录外的机关（直接填写名称）',
  'new.addFree': '添加',
  'new.group': '单位组，{n}个单位',
  'new.unit': '单位',
  'new.classification': '密级',
  'new.secrecyPeriod': '保密期限 *',
  'new.secrecyHint': '如：10年',
  'new.urgency': '紧急程度',
  'new.deadline': '办理期限',
  'new.major': '大型综合材料（分口起草，须经集体讨论）',
  'new.sections': '分口及拟稿人',
  'new.section': '分口 {n}',
  'new.sectionTitle': '分口 {n} 标题 *',
  'new.drafter': '分口 {n} 拟稿人 *',
  'new.addSection': '增加分口',
  'new.removeSection': '删除分口 {n}',
  'new.submit': '创建公文',
  'new.pending': '正在创建…',
  'new.fix': '请先修改以下 {n} 处：',
  'new.summary': '发文机关：{issuers}；分口 {n} 个',

  'check.title': '请填写标题。',
  'check.titleLong': '标题不能超过 300 字。',
  'check.issuers': '请至少选择一个发文机关。',
  'check.issuersMax': '发文机关最多 10 个。',
  'check.signer': '请为“{unit}”选择签发人。',
  'check.secrecy': '有密级的文件须填写保密期限。',
  'check.sectionTitle': '请填写分口标题。',
  'check.drafter': '请为分口选择拟稿人。',
  'check.sections': '至少需要一个分口。',
  'check.deadline': '办理期限须为 2000 年至 2999 年之间的日期。',
  'check.recipientEmpty': '请填写名称。',

  'field.notCleared': '{name}的涉密等级低于所选密级。',
  'field.notSecretary': '{name}不是在职的文秘人员，不能拟稿。',
  'field.notSigner': '{name}不是在职的签发人。',
  'field.notIssuerOfDoc': '签发人所属机关不是本文件的发文机关。',
  'field.aboveOwn': '所选密级高于您本人的涉密等级。',
  'field.notIssuingBody': '所选单位不是发文机关。',
  'field.noSigner': '每个发文机关都须有签发人。',
  'field.other': '此项不符合要求（{message}）。',

  'att.title': '附件',
  'att.empty': '暂无附件。',
  'att.list': '附件列表',
  'att.n': '附件{n}',
  'att.inline': '随文排版',
  'att.download': '下载 {name}',
  'att.fileOf': '文件：{name}（{size}）',
  'att.titleLabel': '附件{n}标题',
  'att.saveTitle': '保存标题',
  'att.up': '上移',
  'att.down': '下移',
  'att.remove': '删除',
  'att.upLabel': '上移附件{n}：{title}',
  'att.downLabel': '下移附件{n}：{title}',
  'att.removeLabel': '删除附件{n}：{title}',
  'att.saveTitleLabel': '保存附件{n}的标题',
  'att.add': '上传附件',
  'att.file': '附件文件（Word、PDF、OFD 等）',
  'att.newTitle': '附件标题',
  'att.newTitleHint': '默认为文件名',
  'att.upload': '上传并添加',
  'att.uploading': '正在上传…',
  'att.pickFile': '请选择要上传的文件。',
  'att.tooBig': '文件不能超过 20 MB。',
  'att.locked': '当前环节（{state}）您不能修改附件：附件由科长在统稿环节、或由拟稿人和科长在校对环节添加、排序和删除。',
  'att.done': '附件已更新（第{n}稿）。',

  'imp.title': '导入 Word 文稿',
  'imp.intro': '选择 .docx 文件，先预览识别结果，确认后替换分口“{section}”的正文，保存为新稿。',
  'imp.file': 'Word 文件（.docx）',
  'imp.preview': '预览',
  'imp.reading': '正在读取…',
  'imp.result': '识别结果：{n} 段',
  'imp.docTitle': '文件标题“{title}”（导入分口时只替换正文，不改文件标题）',
  'imp.warnings': '提示',
  'imp.confirm': '替换本分口正文并保存',
  'imp.saving': '正在保存…',
  'imp.cancel': '放弃',
  'imp.dirty': '编辑器中还有未保存的修改：请先保存或放弃，再导入 Word 文稿。',
  'imp.pick': '请选择 .docx 文件。',
  'imp.notDocx': '只能导入 Word（.docx）文件。',
  'imp.table': '表格（{rows} 行）',
  'imp.done': '已导入 Word 文稿，保存为第{n}稿。',
};

export type CrKey = keyof typeof crZh;

export const crEn: Record<CrKey, string> = {
  'nav.new': 'New document',
  'new.title': 'New document',
  'new.intro':
    'Kind, title, issuing bodies and their signers, recipients, classification, urgency, and the sections with their drafters. Fields marked * are required.',
  'new.notAllowed': 'Only a section chief opens a new document.',
  'new.kind': 'Kind *',
  'new.docTitle': 'Title *',
  'new.titleHint': 'e.g. 关于做好2027年元旦春节期间安全生产工作的通知',
  'new.issuers': 'Issuing bodies * (more than one: a joint document; the first leads)',
  'new.signerFor': 'Signer for {unit} *',
  'new.chooseSigner': 'Choose the signer',
  'new.noSigner': 'Nobody may sign this kind and classification',
  'new.main': 'Main recipients',
  'new.copy': 'Copies to',
  'new.recipientsOf': '{role}: units and unit groups of the directory',
  'new.freeText': '{role}: bodies outside the directory (type the name)',
  'new.addFree': 'Add',
  'new.group': 'unit group, {n} units',
  'new.unit': 'unit',
  'new.classification': 'Classification',
  'new.secrecyPeriod': 'Secrecy period *',
  'new.secrecyHint': 'e.g. 10年',
  'new.urgency': 'Urgency',
  'new.deadline': 'Deadline',
  'new.major': 'Major, comprehensive document (sectioned drafting, group discussion required)',
  'new.sections': 'Sections and drafters',
  'new.section': 'Section {n}',
  'new.sectionTitle': 'Title of section {n} *',
  'new.drafter': 'Drafter of section {n} *',
  'new.addSection': 'Add a section',
  'new.removeSection': 'Remove section {n}',
  'new.submit': 'Create the document',
  'new.pending': 'Creating…',
  'new.fix': 'Please correct these {n} item(s) first:',
  'new.summary': 'Issuing bodies: {issuers}; {n} section(s)',

  'check.title': 'Enter a title.',
  'check.titleLong': 'The title may have at most 300 characters.',
  'check.issuers': 'Choose at least one issuing body.',
  'check.issuersMax': 'At most 10 issuing bodies.',
  'check.signer': 'Choose the signer for “{unit}”.',
  'check.secrecy': 'A classified document needs a secrecy period.',
  'check.sectionTitle': 'Enter the section’s title.',
  'check.drafter': 'Choose the section’s drafter.',
  'check.sections': 'At least one section is needed.',
  'check.deadline': 'The deadline must be a date between 2000 and 2999.',
  'check.recipientEmpty': 'Type a name.',

  'field.notCleared': '{name} is not cleared for the chosen classification.',
  'field.notSecretary': '{name} is not an active secretary and cannot draft.',
  'field.notSigner': '{name} is not an active signer.',
  'field.notIssuerOfDoc': 'The signer’s body is not an issuing body of this document.',
  'field.aboveOwn': 'The classification is above your own clearance.',
  'field.notIssuingBody': 'The unit chosen is not an issuing body.',
  'field.noSigner': 'Every issuing body needs a signer.',
  'field.other': 'Not valid ({message}).',

  'att.title': 'Attachments',
  'att.empty': 'No attachments yet.',
  'att.list': 'Attachment list',
  'att.n': 'Attachment {n}',
  'att.inline': 'typeset with the document',
  'att.download': 'Download {name}',
  'att.fileOf': 'File: {name} ({size})',
  'att.titleLabel': 'Title of attachment {n}',
  'att.saveTitle': 'Save title',
  'att.up': 'Up',
  'att.down': 'Down',
  'att.remove': 'Remove',
  'att.upLabel': 'Move attachment {n} up: {title}',
  'att.downLabel': 'Move attachment {n} down: {title}',
  'att.removeLabel': 'Remove attachment {n}: {title}',
  'att.saveTitleLabel': 'Save the title of attachment {n}',
  'att.add': 'Upload an attachment',
  'att.file': 'Attachment file (Word, PDF, OFD …)',
  'att.newTitle': 'Attachment title',
  'att.newTitleHint': 'the file name if left empty',
  'att.upload': 'Upload and add',
  'att.uploading': 'Uploading…',
  'att.pickFile': 'Choose a file to upload.',
  'att.tooBig': 'The file may be at most 20 MB.',
  'att.locked':
    'You cannot change the attachments at this step ({state}): the chief adds, orders and removes them in consolidation, the drafters and the chief in proofreading.',
  'att.done': 'Attachments updated (revision {n}).',

  'imp.title': 'Import a Word draft',
  'imp.intro': 'Choose a .docx file, check what was read, then replace the text of section “{section}” with it as a new revision.',
  'imp.file': 'Word file (.docx)',
  'imp.preview': 'Preview',
  'imp.reading': 'Reading…',
  'imp.result': 'Read: {n} block(s)',
  'imp.docTitle': 'Document title “{title}” (a section import replaces the text only, not the title)',
  'imp.warnings': 'Notes',
  'imp.confirm': 'Replace this section’s text and save',
  'imp.saving': 'Saving…',
  'imp.cancel': 'Discard',
  'imp.dirty': 'The editor has unsaved changes: save or discard them before importing a Word draft.',
  'imp.pick': 'Choose a .docx file.',
  'imp.notDocx': 'Only Word (.docx) files can be imported.',
  'imp.table': 'Table ({rows} rows)',
  'imp.done': 'Word draft imported as revision {n}.',
};

const DICTS = { zh: crZh as Record<CrKey, string>, en: crEn };

export type CT = (key: CrKey, params?: Record<string, string | number>) => string;

/** The creation strings in the interface language. */
export function useCrT() {
  const { lang, locale } = useI18n();
  return useMemo(() => {
    const dict = DICTS[lang];
    const ct: CT = (key, params) => {
      const s = dict[key] ?? crZh[key];
      return params ? s.replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m)) : s;
    };
    return { ct, lang, locale };
  }, [lang, locale]);
}

/**
 * A field message of the API's VALIDATION_FAILED answer to a creation (create-document.ts and the body schema), in
 * the interface language; `name` is the person or unit the field holds. Unknown messages keep the server's words.
 */
export function fieldMessage(ct: CT, message: string, name: string): string {
  if (message === 'not cleared for this classification') return ct('field.notCleared', { name });
  if (message === 'not an active secretary') return ct('field.notSecretary', { name });
  if (message === 'not an active signer') return ct('field.notSigner', { name });
  if (message === 'not one of the issuing bodies') return ct('field.notIssuerOfDoc');
  if (message === 'above your own clearance') return ct('field.aboveOwn');
  if (message === 'not an issuing body') return ct('field.notIssuingBody');
  if (message.startsWith('no signer for issuing body')) return ct('field.noSigner');
  return ct('field.other', { message });
}
