/**
 * The default checks, one per item of DA/T 70-2018's four groups as the domain note lists them. Item checks see
 * one item's directory at a time; package checks see the whole bag (manifest, register, numbering, scan).
 */
import { createPublicKey, verify } from 'node:crypto';
import { canonicalJson } from '#gongwen/document/canonical';
import { FONDS_CODE, RETENTIONS, UNIT_CODE, parseArchivalNumber, archivalNumberAscii } from '../rules.js';
import { validateDat46 } from './dat46.js';
import { ALLOWED_FORMATS, extensionOf, openCached } from './formats.js';
import { sha256, type PackageItem } from './package.js';
import { sealsCheck } from './seals.js';
import {
  fail,
  notApplicable,
  notRun,
  pass,
  registerCheck,
  type CheckContext,
  type CheckVerdict,
  type Evidence,
  type ItemCheck,
  type PackageCheck,
} from './types.js';

/** The item records every non-disposed item carries besides its content files. */
export const ITEM_RECORD_FILES = ['metadata.json', 'revisions.json', 'audit-trail.json', 'signatures.json', 'processing-record.json'];
/** Optional per-item files written by newer exports (the DA/T 46 record). */
export const ITEM_OPTIONAL_FILES = ['metadata.xml'];
/** Payload files of the package itself. */
export const PACKAGE_FILES = [
  'data/volume.json',
  'data/catalogue/catalogue.csv',
  'data/catalogue/catalogue.docx',
  'data/check-report.json',
  'data/check-report.docx',
];

const disposed = (item: PackageItem) => item.metadata?.status === 'disposed';
const declared = (item: PackageItem) =>
  (Array.isArray(item.metadata?.files) ? item.metadata!.files : []).map((f) => ({
    ...f,
    path: f.role === 'attachment' ? `attachments/${f.name}` : f.name,
  }));
const meta = (item: PackageItem): Record<string, unknown> | null =>
  item.metadata?.metadata && typeof item.metadata.metadata === 'object' ? item.metadata.metadata : null;
const ev = (measured: string, expected: string, found: string): Evidence => ({ measured, expected, found });

function jsonFile(item: PackageItem, name: string): { value: any } | { error: string } {
  const b = item.files.get(name);
  if (!b) return { error: `缺少 ${name}` };
  try {
    return { value: JSON.parse(b.toString('utf8')) };
  } catch (e) {
    return { error: `${name} 无法解析：${(e as Error).message}` };
  }
}

function verdict(results: { ok: boolean; evidence: Evidence }[], emptyWhy: string): CheckVerdict {
  if (!results.length) return notApplicable(emptyWhy);
  const bad = results.filter((r) => !r.ok);
  return bad.length ? fail(...bad.map((r) => r.evidence)) : pass(...results.map((r) => r.evidence));
}

// ---------------------------------------------------------------------------------------------- authenticity

const fixity: ItemCheck = {
  id: 'authenticity.fixity',
  group: 'authenticity',
  label: '内容文件固化信息（摘要）有效',
  description: '每个内容文件的 SHA-256 与大小等于元数据记录的值',
  scope: 'item',
  run(item) {
    if (!item.metadata) return fail(ev('metadata.json', '可读的元数据', item.metadataError ?? '无'));
    return verdict(
      declared(item)
        .filter((f) => item.files.has(f.path))
        .map((f) => {
          const data = item.files.get(f.path)!;
          const found = sha256(data);
          return {
            ok: found === f.sha256 && data.length === f.size,
            evidence: ev(`SHA-256 ${f.path}`, `${f.sha256}（${f.size} 字节）`, `${found}（${data.length} 字节）`),
          };
        }),
      disposed(item) ? '已销毁，内容不再保存' : '没有内容文件',
    );
  },
};

/** The audit record exactly as apps/api/src/engine/audit.ts hashes it (canonical JSON, SHA-256, chained). */
export function auditEventHash(documentId: string, e: Record<string, any>): string {
  return sha256(
    canonicalJson({
      documentId,
      seq: e.seq,
      actorId: e.actor?.id,
      actorRoles: e.actor?.roles,
      eventType: e.eventType,
      payload: e.payload,
      fromState: e.fromState,
      toState: e.toState,
      reason: e.reason,
      revisionNumber: e.revisionNumber,
      revisionHash: e.revisionHash,
      createdAt: e.at,
      prevHash: e.prevHash,
    }),
  );
}

const auditChain: ItemCheck = {
  id: 'authenticity.audit_chain',
  group: 'authenticity',
  label: '业务行为审计链完整可验证',
  description: '重新计算每个审计事件的哈希，并核对与前一事件的链接',
  scope: 'item',
  run(item) {
    if (disposed(item)) return notApplicable('已销毁，审计记录不再随包保存');
    const trail = jsonFile(item, 'audit-trail.json');
    if ('error' in trail) return fail(ev('audit-trail.json', '审计链', trail.error));
    const documentId = meta(item)?.documentId;
    if (typeof documentId !== 'string') return fail(ev('元数据 documentId', '文档标识', '缺失'));
    const events: Record<string, any>[] = Array.isArray(trail.value?.events) ? trail.value.events : [];
    if (!events.length) return fail(ev('审计事件数', '≥ 1', '0'));
    let prev: string | null = null;
    for (const e of events) {
      const found = auditEventHash(documentId, e);
      if (e.prevHash !== prev) return fail(ev(`事件 ${e.seq} 的 prevHash`, String(prev), String(e.prevHash)));
      if (found !== e.hash) return fail(ev(`事件 ${e.seq}（${e.eventType}）的哈希`, String(e.hash), found));
      prev = e.hash;
    }
    return pass(ev('审计事件哈希链', `${events.length} 个事件逐一链接`, `${events.length} 个事件重算一致，末哈希 ${prev}`));
  },
};

/** What a signer's Ed25519 signature covers: the same payload as apps/api/src/signatures (gongwen-signature-v1). */
export function signaturePayloadV1(s: {
  documentId: string;
  revisionHash: string;
  revisionNumber: number;
  signerId: string;
  role: string;
  issuerUnitId: string;
  signedAt: string;
}): string {
  return canonicalJson({ ...s, scheme: 'gongwen-signature-v1' });
}

const signatures: ItemCheck = {
  id: 'authenticity.signatures',
  group: 'authenticity',
  label: '电子签名有效',
  description: '以签发人的 Ed25519 公钥验证每个有效签名，签名数与流程记录一致',
  scope: 'item',
  run(item) {
    if (disposed(item)) return notApplicable('已销毁');
    const s = jsonFile(item, 'signatures.json');
    if ('error' in s) return fail(ev('signatures.json', '签名记录', s.error));
    const live: Record<string, any>[] = (Array.isArray(s.value?.cryptographic) ? s.value.cryptographic : []).filter(
      (r: Record<string, any>) => !r.voided_at,
    );
    const recorded: unknown[] = Array.isArray(s.value?.workflow) ? s.value.workflow : [];
    if (!live.length && !recorded.length) return notApplicable('该件没有电子签名');
    const results = live.map((r) => {
      const what = `签名 ${String(r.id ?? '').slice(0, 8)}（${r.role ?? 'signer'}）`;
      if (!r.public_key) return { ok: false, evidence: ev(what, '随包提供签名人公钥', '缺少公钥') };
      const payload = signaturePayloadV1({
        documentId: r.document_id,
        revisionHash: r.revision_hash,
        revisionNumber: r.revision_number,
        signerId: r.signer_id,
        role: r.role,
        issuerUnitId: r.issuer_unit_id,
        signedAt: new Date(r.signed_at).toISOString(),
      });
      let ok = false;
      try {
        ok = verify(null, Buffer.from(payload, 'utf8'), createPublicKey(String(r.public_key)), Buffer.from(String(r.signature), 'base64'));
      } catch {
        ok = false;
      }
      return { ok, evidence: ev(`${what} Ed25519`, '验证通过', ok ? '验证通过' : '验证失败') };
    });
    results.push({
      ok: live.length === recorded.length,
      evidence: ev('有效签名数', `${recorded.length}（流程记录）`, String(live.length)),
    });
    return verdict(results, '没有签名');
  },
};

/** Control characters (other than tab and line breaks), U+FFFD/U+FFFE/U+FFFF and lone surrogates: what the check looks for. */
const ILLEGAL =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uFFFD\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const CLASSIFICATIONS = ['none', 'confidential', 'secret', 'top_secret'];

function validDate(s: unknown): boolean {
  if (typeof s !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

function strRule(min: number, max: number) {
  return (v: unknown) => (typeof v === 'string' && [...v].length >= min && [...v].length <= max ? null : `字符串，${min}–${max} 字`);
}

/** Per element: type, length, format and range (DA/T 46's 著录要求 as far as gongwen records them). */
const METADATA_RULES: Record<string, (v: unknown, m: Record<string, unknown>) => string | null> = {
  archivalNumber: strRule(1, 50),
  fondsCode: (v) => (typeof v === 'string' && FONDS_CODE.test(v) ? null : '4 位大写字母或数字'),
  fondsName: strRule(1, 100),
  year: (v) =>
    Number.isInteger(v) && (v as number) >= 1900 && (v as number) <= new Date().getUTCFullYear() + 1 ? null : '1900 至明年的整数年度',
  retention: (v) => (RETENTIONS.includes(v as never) ? null : 'Y、D30 或 D10'),
  unitCode: (v) => (typeof v === 'string' && UNIT_CODE.test(v) ? null : '1–10 位大写字母或数字'),
  itemNumber: (v) => (Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 9999 ? null : '1–9999 的整数'),
  title: strRule(1, 500),
  documentNumber: (v) => (v === null || v === undefined || (typeof v === 'string' && [...v].length <= 100) ? null : '空或不超过 100 字'),
  author: strRule(1, 200),
  kind: strRule(1, 20),
  date: (v, m) =>
    !validDate(v) ? '有效日期 YYYY-MM-DD' : Number((v as string).slice(0, 4)) !== m.year ? `年份与年度 ${String(m.year)} 一致` : null,
  classification: (v) => (CLASSIFICATIONS.includes(v as string) ? null : CLASSIFICATIONS.join('、')),
  filedAt: (v) => (typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? null : 'ISO 8601 时间'),
};

function illegalStrings(v: unknown, path: string, out: string[]): void {
  if (typeof v === 'string') {
    if (ILLEGAL.test(v)) out.push(path);
  } else if (Array.isArray(v)) v.forEach((x, i) => illegalStrings(x, `${path}[${i}]`, out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) illegalStrings(x, path ? `${path}.${k}` : k, out);
}

const metadataFormat: ItemCheck = {
  id: 'authenticity.metadata_format',
  group: 'authenticity',
  label: '元数据项长度、类型、格式、值域合规，无非法字符',
  description: '按元数据方案逐项检查类型、长度、格式与取值范围，并查找控制字符等非法字符',
  scope: 'item',
  run(item) {
    const m = meta(item);
    if (disposed(item)) return notApplicable('已销毁，元数据不再保存（目录条目保留）');
    if (!m) return fail(ev('元数据', '对象', item.metadataError ?? '缺失'));
    const results: { ok: boolean; evidence: Evidence }[] = [];
    for (const [key, rule] of Object.entries(METADATA_RULES)) {
      if (!(key in m)) continue; // absence is the required-metadata check's
      const problem = rule(m[key], m);
      results.push({ ok: !problem, evidence: ev(key, problem ?? '合规', JSON.stringify(m[key]) ?? 'undefined') });
    }
    const illegal: string[] = [];
    illegalStrings(m, '', illegal);
    results.push({
      ok: !illegal.length,
      evidence: ev('非法字符（控制字符、U+FFFD、孤立代理项）', '无', illegal.length ? illegal.join('、') : '无'),
    });
    const bad = results.filter((r) => !r.ok);
    return bad.length
      ? fail(...bad.map((r) => r.evidence))
      : pass(ev('元数据项', `${results.length - 1} 项合规、无非法字符`, `${results.length - 1} 项合规`));
  },
};

const archivalNumberCheck: ItemCheck = {
  id: 'authenticity.archival_number',
  group: 'authenticity',
  label: '档号符合编制规则',
  description: '档号符合 全宗号-WS·年度-保管期限-机构代码-件号，且与各分项元数据和目录名一致',
  scope: 'item',
  run(item) {
    const an = item.metadata?.archivalNumber;
    if (typeof an !== 'string') return fail(ev('档号', '全宗号-WS·年度-保管期限-机构代码-件号', item.metadataError ?? '缺失'));
    const parsed = parseArchivalNumber(an);
    if (!parsed) return fail(ev('档号格式', '全宗号-WS·年度-保管期限-机构代码-件号（如 0194-WS·2026-D30-BGS-0001）', an));
    const m = meta(item);
    const problems: Evidence[] = [];
    if (m) {
      for (const [k, v] of [
        ['fondsCode', parsed.fondsCode],
        ['year', parsed.year],
        ['retention', parsed.retention],
        ['unitCode', parsed.unitCode],
        ['itemNumber', parsed.itemNumber],
      ] as const) {
        if (k in m && m[k] !== v) problems.push(ev(`档号分项 ${k}`, String(v), String(m[k])));
      }
      if (typeof m.archivalNumber === 'string' && m.archivalNumber !== an) problems.push(ev('元数据中的档号', an, m.archivalNumber));
    }
    if (!item.dir.endsWith(`-${archivalNumberAscii(an)}`)) problems.push(ev('目录名', `…-${archivalNumberAscii(an)}`, item.dir));
    return problems.length ? fail(...problems) : pass(ev('档号', '符合规则，与分项一致', an));
  },
};

const fileAttributes: ItemCheck = {
  id: 'authenticity.file_attributes',
  group: 'authenticity',
  label: '文件属性与元数据一致',
  description: '文件名、扩展名与格式（媒体类型）、大小与元数据记录一致',
  scope: 'item',
  run(item) {
    if (!item.metadata) return fail(ev('metadata.json', '可读的元数据', item.metadataError ?? '无'));
    const results: { ok: boolean; evidence: Evidence }[] = [];
    for (const f of declared(item)) {
      const data = item.files.get(f.path);
      if (!data) continue;
      const ext = extensionOf(f.name);
      const mediaOk = ALLOWED_FORMATS[ext] === f.mediaType || (!ALLOWED_FORMATS[ext] && !!f.mediaType);
      results.push({ ok: mediaOk, evidence: ev(`${f.path} 的格式`, `扩展名 .${ext} 对应 ${ALLOWED_FORMATS[ext] ?? '—'}`, f.mediaType) });
      results.push({ ok: data.length === f.size, evidence: ev(`${f.path} 的大小`, `${f.size} 字节`, `${data.length} 字节`) });
    }
    return verdict(results, disposed(item) ? '已销毁' : '没有内容文件');
  },
};

// ---------------------------------------------------------------------------------------------- integrity

/** The elements DA/T 46-2009 requires of a 文书类 record, as gongwen's metadata names them. */
export const REQUIRED_METADATA: [string, string][] = [
  ['archivalNumber', '档号'],
  ['fondsCode', '全宗号'],
  ['fondsName', '全宗名称'],
  ['year', '年度'],
  ['retention', '保管期限'],
  ['itemNumber', '件号'],
  ['title', '题名'],
  ['author', '责任者'],
  ['date', '日期'],
  ['kind', '文种'],
  ['classification', '密级'],
  ['format', '格式信息'],
  ['filedBy', '归档人'],
  ['filedAt', '归档时间'],
];

const requiredMetadata: ItemCheck = {
  id: 'integrity.required_metadata',
  group: 'integrity',
  label: '必备元数据项齐全',
  description: 'DA/T 46-2009 规定的必备元素均已著录（非空）',
  scope: 'item',
  run(item) {
    if (disposed(item)) return notApplicable('已销毁，目录条目保留');
    const m = meta(item);
    if (!m) return fail(ev('元数据', 'metadata.json 中的 metadata 对象', item.metadataError ?? '缺失'));
    const missing = REQUIRED_METADATA.filter(([k]) => m[k] === undefined || m[k] === null || m[k] === '');
    return missing.length
      ? fail(
          ev('必备元数据项', REQUIRED_METADATA.map(([, l]) => l).join('、'), `缺少 ${missing.map(([k, l]) => `${l}（${k}）`).join('、')}`),
        )
      : pass(ev('必备元数据项', `${REQUIRED_METADATA.length} 项`, `${REQUIRED_METADATA.length} 项齐全`));
  },
};

const filesPresent: ItemCheck = {
  id: 'integrity.files_present',
  group: 'integrity',
  label: '内容与记录文件齐全',
  description: '元数据列出的每个文件都在包中且非空，未销毁的件带有修订、审计、签名与处理记录',
  scope: 'item',
  run(item) {
    if (!item.metadata) return fail(ev('metadata.json', '存在且可读', item.metadataError ?? '无'));
    const expected = [...declared(item).map((f) => f.path), ...(disposed(item) ? [] : ITEM_RECORD_FILES.slice(1))];
    const missing = expected.filter((p) => !item.files.get(p)?.length);
    if (!disposed(item) && item.metadata.status === 'ready' && !declared(item).some((f) => f.role === 'item'))
      missing.push('归档件（role=item）');
    return missing.length
      ? fail(ev('应有文件', `${expected.length} 个`, `缺少或为空：${missing.join('、')}`))
      : pass(ev('应有文件', `${expected.length} 个`, `${expected.length} 个齐全`));
  },
};

// ---------------------------------------------------------------------------------------------- usability

const metadataReadable: ItemCheck = {
  id: 'usability.metadata_readable',
  group: 'usability',
  label: '元数据可读',
  description: 'metadata.json 为有效 UTF-8 的 JSON 对象',
  scope: 'item',
  run(item) {
    const b = item.files.get('metadata.json');
    if (!b) return fail(ev('metadata.json', '存在', item.metadataError ?? '缺失'));
    if (b.toString('utf8').includes('\uFFFD')) return fail(ev('metadata.json 编码', 'UTF-8', '含无效字节'));
    return item.metadata && typeof item.metadata === 'object'
      ? pass(ev('metadata.json', 'JSON 对象', `${b.length} 字节，可解析`))
      : fail(ev('metadata.json', 'JSON 对象', item.metadataError ?? '不是对象'));
  },
};

const open = openCached;
const contentFiles = (item: PackageItem) => [...item.files.keys()].filter((p) => !ITEM_RECORD_FILES.includes(p));

const opens: ItemCheck = {
  id: 'usability.opens',
  group: 'usability',
  label: '内容文件可正常打开',
  description: '按格式解析每个文件：DOCX 解压并解析正文 XML，PDF 解析到页面树，OFD 解压并解析 OFD.xml 与文档根，JSON/XML 解析',
  scope: 'item',
  async run(item) {
    const results: { ok: boolean; evidence: Evidence }[] = [];
    for (const p of contentFiles(item)) {
      const o = await open(p, item.files.get(p)!);
      if (o) results.push({ ok: o.ok, evidence: ev(`打开 ${p}`, '按格式解析成功', o.detail) });
    }
    for (const [p, why] of item.unreadable) results.push({ ok: false, evidence: ev(`读取 ${p}`, '可读', why) });
    return verdict(results, disposed(item) ? '已销毁' : '没有内容文件');
  },
};

const allowedFormats: ItemCheck = {
  id: 'usability.allowed_formats',
  group: 'usability',
  label: '文件格式在允许范围内',
  description: `格式为 ${Object.keys(ALLOWED_FORMATS).join('、')} 之一`,
  scope: 'item',
  run(item) {
    const files = [...item.files.keys(), ...item.unreadable.keys()];
    return verdict(
      files.map((p) => ({ ok: extensionOf(p) in ALLOWED_FORMATS, evidence: ev(`${p} 的格式`, '允许的格式', `.${extensionOf(p)}`) })),
      '没有文件',
    );
  },
};

const noEncryption: ItemCheck = {
  id: 'usability.no_encryption',
  group: 'usability',
  label: '无加密、无非公开压缩',
  description: '包中条目未加密；DOCX/OFD 不是加密的复合文档且条目未加密，PDF 无 /Encrypt',
  scope: 'item',
  async run(item) {
    const results: { ok: boolean; evidence: Evidence }[] = [];
    for (const [p, why] of item.unreadable) results.push({ ok: false, evidence: ev(`${p}`, '未加密', why) });
    for (const p of contentFiles(item)) {
      const o = await open(p, item.files.get(p)!);
      results.push({ ok: !o?.encrypted, evidence: ev(p, '未加密', o?.encrypted ? o.detail : '未加密') });
    }
    return verdict(results, '没有文件');
  },
};

const environment: ItemCheck = {
  id: 'usability.environment',
  group: 'usability',
  label: '软硬件环境已记录',
  description: '元数据记录了文件格式与形成软件',
  scope: 'item',
  run(item) {
    if (disposed(item)) return notApplicable('已销毁');
    const m = meta(item);
    const software = m?.creatingSoftware;
    const format = m?.format;
    return typeof software === 'string' && software && typeof format === 'string' && format
      ? pass(ev('形成软件与格式', '已著录', `${software}；${format}`))
      : fail(ev('形成软件与格式', '已著录', `creatingSoftware=${JSON.stringify(software)}，format=${JSON.stringify(format)}`));
  },
};

// ---------------------------------------------------------------------------------------------- package checks

const manifest: PackageCheck = {
  id: 'authenticity.manifest',
  group: 'authenticity',
  label: '数据包摘要清单有效',
  description: 'BagIt manifest-sha256.txt 列出的每个文件存在且摘要一致，包中每个数据文件都在清单中',
  scope: 'package',
  run(ctx) {
    const { pkg } = ctx;
    if (!pkg.manifest.size) return fail(ev('manifest-sha256.txt', '存在且非空', '缺失或为空'));
    const items = new Map<string, CheckVerdict>();
    const problems: Evidence[] = [];
    const note = (path: string, e: Evidence) => {
      const dir = ctx.items?.find((i) => path.startsWith(`${i.dir}/`));
      if (dir) {
        const v = items.get(dir.dir) ?? pass();
        items.set(dir.dir, { outcome: 'fail', evidence: [...(v.outcome === 'fail' ? v.evidence : []), e] });
      }
      problems.push(e);
    };
    for (const [path, expected] of pkg.manifest) {
      const found = pkg.computed.get(path);
      if (!pkg.source.entries.has(path)) note(path, ev(`清单中的 ${path}`, '存在', '缺失'));
      else if (found !== expected) note(path, ev(`SHA-256 ${path}`, expected, found ?? '未读取'));
    }
    for (const path of pkg.source.entries.keys())
      if (path.startsWith('data/') && !pkg.manifest.has(path)) note(path, ev(path, '列于清单', '不在清单中'));
    for (const i of ctx.items ?? []) if (!items.has(i.dir)) items.set(i.dir, pass(ev(`${i.dir} 的文件`, '与清单一致', '一致')));
    return problems.length
      ? { ...fail(...problems), items }
      : { ...pass(ev('清单条目', `${pkg.manifest.size} 个`, `${pkg.manifest.size} 个摘要一致`)), items };
  },
};

const structure: PackageCheck = {
  id: 'authenticity.package_structure',
  group: 'authenticity',
  label: '数据包结构符合要求',
  description: 'BagIt 1.0：bagit.txt、bag-info.txt、清单与标签清单齐全且标签清单摘要一致，登记册 volume.json 可读',
  scope: 'package',
  run(ctx) {
    const { pkg } = ctx;
    const problems = [...pkg.structureProblems];
    if (pkg.bagitText !== null && !/^BagIt-Version: 1\.0$/m.test(pkg.bagitText)) problems.push('bagit.txt 不是 BagIt-Version: 1.0');
    if (!pkg.volume) problems.push('缺少可读的 data/volume.json（移交登记）');
    if (!pkg.bagInfo.get('Bag-Software-Agent')) problems.push('bag-info.txt 未记录 Bag-Software-Agent');
    return problems.length
      ? fail(...problems.map((p) => ev('数据包结构', 'BagIt 1.0 + gongwen 登记', p)))
      : pass(ev('数据包结构', 'BagIt 1.0 + gongwen 登记', `${pkg.source.entries.size} 个条目，结构完整`));
  },
};

const archivalNumberUnique: PackageCheck = {
  id: 'authenticity.archival_number_unique',
  group: 'authenticity',
  label: '档号唯一',
  description: '包内档号不重复，且（接收时）不与本馆已有档号重复',
  scope: 'package',
  run(ctx) {
    const seen = new Map<string, string[]>();
    for (const i of ctx.items ?? []) if (i.archivalNumber) seen.set(i.archivalNumber, [...(seen.get(i.archivalNumber) ?? []), i.dir]);
    const items = new Map<string, CheckVerdict>();
    const problems: Evidence[] = [];
    for (const i of ctx.items ?? []) {
      if (!i.archivalNumber) {
        items.set(i.dir, notApplicable('没有档号（见档号检测）'));
        continue;
      }
      const dup = seen.get(i.archivalNumber)!.length > 1;
      const held = ctx.existingArchivalNumbers?.has(i.archivalNumber) ?? false;
      const e = ev(
        `档号 ${i.archivalNumber}`,
        '唯一',
        dup ? `包内出现 ${seen.get(i.archivalNumber)!.length} 次` : held ? '本馆已有此档号' : '唯一',
      );
      items.set(i.dir, dup || held ? fail(e) : pass(e));
      if (dup || held) problems.push(e);
    }
    return problems.length ? { ...fail(...problems), items } : { ...pass(ev('档号', '唯一', `${seen.size} 个档号均唯一`)), items };
  },
};

const registerCounts: PackageCheck = {
  id: 'integrity.register_counts',
  group: 'integrity',
  label: '件数与总字节数与移交登记一致',
  description: 'volume.json 登记的件数与档号等于包中的件；bag-info.txt 的 Payload-Oxum（字节数.文件数）等于实际',
  scope: 'package',
  run(ctx) {
    const { pkg } = ctx;
    const results: { ok: boolean; evidence: Evidence }[] = [];
    const listed: string[] = Array.isArray(pkg.volume?.items) ? pkg.volume!.items.map((i: any) => String(i.archivalNumber)) : [];
    const found = (ctx.items ?? []).map((i) => i.archivalNumber ?? i.dir);
    results.push({ ok: listed.length === found.length, evidence: ev('件数', `${listed.length}（登记）`, `${found.length}（包中）`) });
    const missing = listed.filter((a) => !found.includes(a));
    const extra = found.filter((a) => !listed.includes(a));
    results.push({
      ok: !missing.length && !extra.length,
      evidence: ev(
        '登记的档号',
        '与包中的件一一对应',
        missing.length || extra.length ? `登记而缺失：${missing.join('、') || '无'}；多出：${extra.join('、') || '无'}` : '一一对应',
      ),
    });
    let bytes = 0;
    let count = 0;
    for (const [p, e] of pkg.source.entries)
      if (p.startsWith('data/')) {
        bytes += e.size;
        count++;
      }
    const oxum = pkg.bagInfo.get('Payload-Oxum') ?? '（缺失）';
    results.push({ ok: oxum === `${bytes}.${count}`, evidence: ev('Payload-Oxum（字节数.文件数）', oxum, `${bytes}.${count}`) });
    return verdict(results, '—');
  },
};

const itemNumberGaps: PackageCheck = {
  id: 'integrity.item_number_gaps',
  group: 'integrity',
  label: '件号连续无断号',
  description: '同一类别（全宗-年度-保管期限-机构）内件号从起号起连续，无空号、无重号',
  scope: 'package',
  run(ctx) {
    const classes = new Map<string, number[]>();
    for (const i of ctx.items ?? []) {
      const p = i.archivalNumber ? parseArchivalNumber(i.archivalNumber) : null;
      if (!p) continue;
      const key = `${p.fondsCode}-WS·${p.year}-${p.retention}-${p.unitCode}`;
      classes.set(key, [...(classes.get(key) ?? []), p.itemNumber]);
    }
    if (!classes.size) return notApplicable('包中没有可解析的档号');
    const results = [...classes].map(([key, nums]) => {
      const sorted = [...nums].sort((a, b) => a - b);
      const gaps: number[] = [];
      for (let n = sorted[0]; n <= sorted.at(-1)!; n++) if (!sorted.includes(n)) gaps.push(n);
      const ok = !gaps.length && new Set(sorted).size === sorted.length;
      return {
        ok,
        evidence: ev(
          `${key} 的件号`,
          `${String(sorted[0]).padStart(4, '0')}—${String(sorted.at(-1)).padStart(4, '0')} 连续`,
          ok ? `${sorted.length} 件连续` : gaps.length ? `缺 ${gaps.map((g) => String(g).padStart(4, '0')).join('、')}` : '有重号',
        ),
      };
    });
    return verdict(results, '—');
  },
};

const virusScan: PackageCheck = {
  id: 'security.virus_scan',
  group: 'security',
  label: '病毒检测',
  description: '以 ClamAV 扫描包中每个文件（含压缩包内部）',
  scope: 'package',
  run(ctx) {
    const scan = ctx.scan;
    if (!scan || !scan.ran) {
      const why = scan && !scan.ran ? scan.reason : '未配置病毒扫描';
      return { ...notRun(why), items: new Map((ctx.items ?? []).map((i) => [i.dir, notRun(why)])) };
    }
    const items = new Map<string, CheckVerdict>();
    for (const i of ctx.items ?? []) {
      const hits = [...scan.infected].filter(([p]) => p.startsWith(`${i.dir}/`));
      items.set(
        i.dir,
        hits.length
          ? fail(...hits.map(([p, sig]) => ev(`扫描 ${p}`, '未发现病毒', sig)))
          : pass(ev(`扫描 ${i.dir}`, '未发现病毒', `未发现（${scan.engine}）`)),
      );
    }
    const hits = [...scan.infected];
    return hits.length
      ? { ...fail(...hits.map(([p, sig]) => ev(`扫描 ${p}`, '未发现病毒', sig))), items }
      : { ...pass(ev(`扫描 ${scan.scanned} 个文件`, '未发现病毒', `未发现（${scan.engine}）`)), items };
  },
};

const onlyExpected: PackageCheck = {
  id: 'security.only_expected',
  group: 'security',
  label: '载体中仅含归档文件',
  description: '包中只有 BagIt 标签文件、登记与目录、各件的元数据、记录与其列出的内容文件',
  scope: 'package',
  run(ctx) {
    const { pkg } = ctx;
    const allowed = new Set<string>(PACKAGE_FILES);
    for (const i of ctx.items ?? []) for (const p of i.expected) allowed.add(`${i.dir}/${p}`);
    const tag = /^(bagit\.txt|bag-info\.txt|(tag)?manifest-(sha256|sha512|sha1|md5)\.txt)$/;
    const unexpected = [...pkg.source.entries.keys()].filter((p) => !tag.test(p) && !allowed.has(p));
    const items = new Map<string, CheckVerdict>();
    for (const i of ctx.items ?? []) {
      const mine = unexpected.filter((p) => p.startsWith(`${i.dir}/`));
      items.set(i.dir, mine.length ? fail(...mine.map((p) => ev(p, '不应存在', '存在'))) : pass(ev(i.dir, '仅含应有文件', '是')));
    }
    return unexpected.length
      ? { ...fail(...unexpected.map((p) => ev(p, '不应存在（非归档文件）', '存在'))), items }
      : { ...pass(ev('包中条目', '仅含归档文件', `${pkg.source.entries.size} 个条目均为应有文件`)), items };
  },
};

const dat46: PackageCheck = {
  id: 'integrity.dat46_metadata',
  group: 'integrity',
  label: '元数据记录符合 DA/T 46-2009 方案',
  description: '每件的 metadata.xml 存在，并通过 xmllint 以本系统提供的 XSD 校验（元素齐全、类型与取值合规）',
  scope: 'package',
  async run(ctx) {
    const live = (ctx.items ?? []).filter((i) => !i.disposed);
    const items = new Map<string, CheckVerdict>();
    for (const i of ctx.items ?? []) if (i.disposed) items.set(i.dir, notApplicable('已销毁'));
    const present = live.filter((i) => i.dat46 !== null);
    // validated in the background while the items were checked when the engine started it, else here
    const errors = ctx.dat46 ? await ctx.dat46.results() : await validateDat46(present.map((i) => ({ name: i.dir, xml: i.dat46! })));
    const problems: Evidence[] = [];
    for (const i of live) {
      const errs = i.dat46 === null ? ['缺少 metadata.xml'] : (errors.get(i.dir) ?? []);
      const e = ev(`${i.dir}/metadata.xml`, '符合 DA/T 46-2009 XSD', errs.length ? errs.slice(0, 5).join('；') : '校验通过');
      items.set(i.dir, errs.length ? fail(e) : pass(e));
      if (errs.length) problems.push(e);
    }
    if (!live.length) return { ...notApplicable('没有未销毁的件'), items };
    return problems.length
      ? { ...fail(...problems), items }
      : { ...pass(ev('DA/T 46 元数据记录', `${live.length} 份`, `${live.length} 份校验通过`)), items };
  },
};

export const DEFAULT_CHECKS = [
  fixity,
  manifest,
  auditChain,
  signatures,
  sealsCheck,
  metadataFormat,
  archivalNumberCheck,
  archivalNumberUnique,
  fileAttributes,
  structure,
  requiredMetadata,
  dat46,
  registerCounts,
  itemNumberGaps,
  filesPresent,
  metadataReadable,
  opens,
  allowedFormats,
  noEncryption,
  environment,
  virusScan,
  onlyExpected,
];

for (const c of DEFAULT_CHECKS) registerCheck(c);

export type { CheckContext };
