/**
 * The item's metadata record per DA/T 46-2009 (文书类电子文件元数据方案) as XML: the record entity (文件实体: 聚合层次,
 * 来源, 电子文件号, 档号 and its parts, 内容描述, 形式特征, 电子属性 per computer file, 电子签名, 存储位置, 权限管理,
 * 信息系统描述, 附注), the agent entity (机构人员) and the business entity (业务: every action of the audit trail with
 * state, action, time and person), filled from what gongwen exports for the item (metadata.json, audit-trail.json,
 * signatures.json). Element names are the standard's Chinese names; the full text of the standard is not freely
 * available, so the structure follows its published element list (see README). Validated with xmllint (libxml2,
 * compiled to WebAssembly by xmllint-wasm) against DAT46_XSD, which the project ships.
 */
import { validateXML } from 'xmllint-wasm';
import { RETENTION_LABELS, type Retention } from '../rules.js';
import { CLASSIFICATION_LABEL } from '../rules.js';

export const DAT46_NAMESPACE = 'urn:gongwen:dat46-2009:wenshu';

const esc = (v: unknown): string =>
  String(v ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');

const el = (name: string, value: unknown): string => `<${name}>${esc(value)}</${name}>`;
const opt = (name: string, value: unknown): string => (value === null || value === undefined || value === '' ? '' : el(name, value));

/** 业务行为 in Chinese for the workflow events gongwen records (the event type itself when unknown). */
const ACTIONS: Record<string, string> = {
  CREATE: '拟稿',
  EDIT_SECTION: '修改',
  EDIT_CONTENT: '修改',
  SUBMIT: '送审',
  PROOFREAD: '校对',
  REVIEW: '审核',
  APPROVE: '审核',
  SIGN: '签发',
  REGISTER: '登记',
  SEAL: '用印',
  DISTRIBUTE: '核发',
  ISSUE: '核发',
  FILE: '归档',
  REGISTER_INCOMING: '登记',
  PROPOSE: '拟办',
  INSTRUCT: '批示',
  HANDLE: '承办',
};

export interface Dat46Input {
  /** The parsed metadata.json of the item as exported. */
  item: {
    archivalNumber: string;
    pageCount?: number | null;
    metadata: Record<string, any>;
    files: { name: string; role: string; mediaType: string; size: number; sha256: string }[];
  };
  events: { eventType: string; toState: string; at: string; actor?: { name?: string; id?: string }; reason?: string | null }[];
  signatures: { signer_id?: string; signed_at?: string; role?: string; public_key?: string; voided_at?: string | null }[];
}

export function dat46Xml({ item, events, signatures }: Dat46Input): string {
  const m = item.metadata;
  const files = item.files
    .map(
      (f) =>
        `<计算机文件>${el('计算机文件名', f.name)}${el('计算机文件大小', f.size)}${el('格式信息', f.mediaType)}${el('文件角色', f.role)}<固化信息>${el('摘要算法', 'SHA-256')}${el('摘要值', f.sha256)}</固化信息></计算机文件>`,
    )
    .join('');
  const sigs = signatures
    .filter((s) => !s.voided_at)
    .map(
      (s) =>
        `<电子签名>${el('签名规则', 'gongwen-signature-v1')}${el('签名时间', s.signed_at ? new Date(s.signed_at).toISOString() : '')}${el('签名人', s.signer_id)}${el('签名结果', s.role ?? 'signer')}${opt('证书', s.public_key)}${el('签名算法标识', 'Ed25519')}</电子签名>`,
    )
    .join('');
  const actions = events
    .map(
      (e) =>
        `<业务>${el('业务状态', e.toState)}${el('业务行为', ACTIONS[e.eventType] ?? e.eventType)}${el('行为时间', e.at)}${el('行为人', e.actor?.name ?? e.actor?.id ?? '')}${opt('行为描述', e.reason)}</业务>`,
    )
    .join('');
  const agents = [
    `<机构人员>${el('机构人员类型', '单位')}${el('机构人员名称', m.fondsName)}${opt('组织机构代码', m.unitCode)}</机构人员>`,
    ...(m.filedBy
      ? [`<机构人员>${el('机构人员类型', '个人')}${el('机构人员名称', m.filedBy.name)}${el('个人职位', '档案员')}</机构人员>`]
      : []),
  ].join('');
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<电子文件 xmlns="${DAT46_NAMESPACE}" 标准="DA/T 46-2009">` +
    `<文件实体>` +
    el('聚合层次', '件') +
    `<来源>${opt('档案馆名称', m.received?.sourceOrganization)}${el('全宗名称', m.fondsName)}${el('立档单位名称', m.fondsName)}</来源>` +
    el('电子文件号', m.documentId) +
    `<档号>${el('档号值', item.archivalNumber)}${el('全宗号', m.fondsCode)}${el('年度', m.year)}${el('保管期限', RETENTION_LABELS[m.retention as Retention] ?? m.retention)}${el('机构或问题', m.unitCode)}${el('件号', String(m.itemNumber).padStart(4, '0'))}</档号>` +
    `<内容描述>${el('题名', m.title)}${opt('文件编号', m.documentNumber)}${el('责任者', m.author)}${el('日期', String(m.date ?? '').replace(/-/g, ''))}${el('文种', m.kind)}${opt('紧急程度', m.urgency)}${(m.mainRecipients ?? []).map((r: unknown) => el('主送', r)).join('')}${(m.copiesTo ?? []).map((r: unknown) => el('抄送', r)).join('')}${el('密级', CLASSIFICATION_LABEL[m.classification] || '无')}${opt('保密期限', m.secrecyPeriod)}</内容描述>` +
    `<形式特征>${el('文件组合类型', item.files.length > 1 ? '组合文件' : '单件')}${el('件数', 1)}${opt('页数', item.pageCount)}${el('语种', '汉语')}</形式特征>` +
    `<电子属性>${el('格式信息', m.format)}${el('文档创建程序', m.creatingSoftware)}${files}</电子属性>` +
    sigs +
    `<存储位置>${el('当前位置', `data/items/…-${item.archivalNumber}`)}</存储位置>` +
    `<权限管理>${el('控制标识', CLASSIFICATION_LABEL[m.classification] ? '控制' : '开放审核')}</权限管理>` +
    el('信息系统描述', m.creatingSoftware) +
    `</文件实体>` +
    `<机构人员实体>${agents}</机构人员实体>` +
    `<业务实体>${actions}</业务实体>` +
    `</电子文件>\n`
  );
}

const str = (name: string, min = 0) => `<xs:element name="${name}" type="xs:string"${min === 0 ? ' minOccurs="0"' : ''}/>`;
const req = (name: string, type = 'xs:string') => `<xs:element name="${name}" type="${type}"/>`;

/** The schema the records are validated against (XSD 1.0). */
export const DAT46_XSD = `<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="${DAT46_NAMESPACE}" xmlns="${DAT46_NAMESPACE}" elementFormDefault="qualified">
  <xs:simpleType name="非空"><xs:restriction base="xs:string"><xs:minLength value="1"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="日期8"><xs:restriction base="xs:string"><xs:pattern value="\\d{8}"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="档号型"><xs:restriction base="xs:string"><xs:pattern value="[0-9A-Z]{4}-WS·\\d{4}-(Y|D30|D10)-[A-Z0-9]{1,10}-\\d{4}"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="保管期限型"><xs:restriction base="xs:string"><xs:enumeration value="永久"/><xs:enumeration value="定期30年"/><xs:enumeration value="定期10年"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="密级型"><xs:restriction base="xs:string"><xs:enumeration value="无"/><xs:enumeration value="秘密"/><xs:enumeration value="机密"/><xs:enumeration value="绝密"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="摘要型"><xs:restriction base="xs:string"><xs:pattern value="[0-9a-f]{64}"/></xs:restriction></xs:simpleType>
  <xs:element name="电子文件">
    <xs:complexType>
      <xs:sequence>
        <xs:element name="文件实体">
          <xs:complexType>
            <xs:sequence>
              ${req('聚合层次', '非空')}
              <xs:element name="来源"><xs:complexType><xs:sequence>${str('档案馆名称')}${req('全宗名称', '非空')}${req('立档单位名称', '非空')}</xs:sequence></xs:complexType></xs:element>
              ${req('电子文件号', '非空')}
              <xs:element name="档号"><xs:complexType><xs:sequence>
                ${req('档号值', '档号型')}
                <xs:element name="全宗号"><xs:simpleType><xs:restriction base="xs:string"><xs:pattern value="[0-9A-Z]{4}"/></xs:restriction></xs:simpleType></xs:element>
                <xs:element name="年度"><xs:simpleType><xs:restriction base="xs:gYear"><xs:minInclusive value="1900"/></xs:restriction></xs:simpleType></xs:element>
                ${req('保管期限', '保管期限型')}
                ${req('机构或问题', '非空')}
                <xs:element name="件号"><xs:simpleType><xs:restriction base="xs:string"><xs:pattern value="\\d{4}"/></xs:restriction></xs:simpleType></xs:element>
              </xs:sequence></xs:complexType></xs:element>
              <xs:element name="内容描述"><xs:complexType><xs:sequence>
                ${req('题名', '非空')}${str('文件编号')}${req('责任者', '非空')}${req('日期', '日期8')}${req('文种', '非空')}${str('紧急程度')}
                <xs:element name="主送" type="xs:string" minOccurs="0" maxOccurs="unbounded"/>
                <xs:element name="抄送" type="xs:string" minOccurs="0" maxOccurs="unbounded"/>
                ${req('密级', '密级型')}${str('保密期限')}
              </xs:sequence></xs:complexType></xs:element>
              <xs:element name="形式特征"><xs:complexType><xs:sequence>
                ${req('文件组合类型', '非空')}${req('件数', 'xs:positiveInteger')}<xs:element name="页数" type="xs:positiveInteger" minOccurs="0"/>${req('语种', '非空')}
              </xs:sequence></xs:complexType></xs:element>
              <xs:element name="电子属性"><xs:complexType><xs:sequence>
                ${req('格式信息', '非空')}${req('文档创建程序', '非空')}
                <xs:element name="计算机文件" minOccurs="0" maxOccurs="unbounded"><xs:complexType><xs:sequence>
                  ${req('计算机文件名', '非空')}${req('计算机文件大小', 'xs:nonNegativeInteger')}${req('格式信息', '非空')}${req('文件角色', '非空')}
                  <xs:element name="固化信息"><xs:complexType><xs:sequence>${req('摘要算法', '非空')}${req('摘要值', '摘要型')}</xs:sequence></xs:complexType></xs:element>
                </xs:sequence></xs:complexType></xs:element>
              </xs:sequence></xs:complexType></xs:element>
              <xs:element name="电子签名" minOccurs="0" maxOccurs="unbounded"><xs:complexType><xs:sequence>
                ${req('签名规则', '非空')}${req('签名时间', 'xs:dateTime')}${req('签名人', '非空')}${req('签名结果', '非空')}${str('证书')}${req('签名算法标识', '非空')}
              </xs:sequence></xs:complexType></xs:element>
              <xs:element name="存储位置"><xs:complexType><xs:sequence>${req('当前位置', '非空')}</xs:sequence></xs:complexType></xs:element>
              <xs:element name="权限管理"><xs:complexType><xs:sequence>${req('控制标识', '非空')}</xs:sequence></xs:complexType></xs:element>
              ${req('信息系统描述', '非空')}
              ${str('附注')}
            </xs:sequence>
          </xs:complexType>
        </xs:element>
        <xs:element name="机构人员实体"><xs:complexType><xs:sequence>
          <xs:element name="机构人员" maxOccurs="unbounded"><xs:complexType><xs:sequence>
            ${req('机构人员类型', '非空')}${req('机构人员名称', '非空')}${str('组织机构代码')}${str('个人职位')}
          </xs:sequence></xs:complexType></xs:element>
        </xs:sequence></xs:complexType></xs:element>
        <xs:element name="业务实体"><xs:complexType><xs:sequence>
          <xs:element name="业务" maxOccurs="unbounded"><xs:complexType><xs:sequence>
            ${req('业务状态', '非空')}${req('业务行为', '非空')}${req('行为时间', 'xs:dateTime')}${req('行为人', '非空')}${str('行为描述')}
          </xs:sequence></xs:complexType></xs:element>
        </xs:sequence></xs:complexType></xs:element>
      </xs:sequence>
      <xs:attribute name="标准" type="xs:string" use="required"/>
    </xs:complexType>
  </xs:element>
</xs:schema>
`;

/** Records per xmllint call: its WebAssembly memory grows with the input and is not given back within a call. */
const DAT46_BATCH = 200;

/**
 * Validates records as they come, a batch at a time in the background (xmllint runs in a worker thread, so the
 * validation overlaps the item checks on another core instead of following them); one call at a time, so memory
 * holds one xmllint instance as before.
 */
export class Dat46Validator {
  private pending: { name: string; xml: string }[] = [];
  private chain: Promise<void> = Promise.resolve();
  private readonly errors = new Map<string, string[]>();

  add(name: string, xml: string): void {
    this.pending.push({ name, xml });
    if (this.pending.length >= DAT46_BATCH) this.flush();
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    this.chain = this.chain.then(async () => {
      for (const [name, errs] of await validateDat46(batch)) this.errors.set(name, errs);
    });
    // a failure is reported when the results are asked for (the check says it could not complete), not as unhandled
    this.chain.catch(() => undefined);
  }

  /** Every record added so far, with its problems (none: an empty list). */
  async results(): Promise<Map<string, string[]>> {
    if (this.pending.length) this.flush();
    await this.chain;
    return this.errors;
  }
}

/** Validates records against DAT46_XSD with xmllint (libxml2 in WebAssembly); one call per batch of records. */
export async function validateDat46(records: { name: string; xml: string }[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(records.map((r) => [r.name, []]));
  for (let i = 0; i < records.length; i += DAT46_BATCH) {
    const batch = records.slice(i, i + DAT46_BATCH);
    const r = await validateXML({
      xml: batch.map((x) => ({ fileName: x.name, contents: x.xml })),
      schema: [{ fileName: 'dat46.xsd', contents: DAT46_XSD }],
    });
    for (const e of r.errors) {
      const name = e.loc?.fileName ?? batch[0].name;
      out.get(name)?.push(e.message.trim());
    }
  }
  return out;
}
