/**
 * The seal and signature structures of GB/T 38540-2020 (安全电子签章密码技术规范), version 4, declared with
 * @peculiar/asn1-schema. Field order and types follow the standard's ASN.1 as the open implementations (ofdrw-gm v4)
 * read it:
 *
 *   SESeal        ::= SEQUENCE { eSealInfo SES_SealInfo, cert OCTET STRING, signAlgID OID, signedValue BIT STRING }
 *   SES_SealInfo  ::= SEQUENCE { header SES_Header, esID IA5String, property SES_ESPropertyInfo,
 *                                picture SES_ESPictrueInfo, extDatas ExtensionDatas OPTIONAL }
 *   SES_Header    ::= SEQUENCE { id IA5String ("ES"), version INTEGER (4), vid IA5String }
 *   SES_ESPropertyInfo ::= SEQUENCE { type INTEGER, name UTF8String, certListType INTEGER (1 = certificates),
 *                                certList SEQUENCE OF OCTET STRING, createDate, validStart, validEnd GeneralizedTime }
 *   SES_ESPictrueInfo  ::= SEQUENCE { type IA5String, data OCTET STRING, width INTEGER, height INTEGER } (mm)
 *   SES_Signature ::= SEQUENCE { toSign TBS_Sign, cert OCTET STRING, signatureAlgID OID, signature BIT STRING,
 *                                timeStamp [0] EXPLICIT BIT STRING OPTIONAL }
 *   TBS_Sign      ::= SEQUENCE { version INTEGER (4), eseal SESeal, timeInfo GeneralizedTime, dataHash BIT STRING,
 *                                propertyInfo IA5String, extDatas [0] EXPLICIT ExtensionDatas OPTIONAL }
 */
import { AsnArray, AsnConvert, AsnProp, AsnPropTypes, AsnType, AsnTypeTypes } from '@peculiar/asn1-schema';

export const SES_VERSION = 4;

export class ExtData {
  @AsnProp({ type: AsnPropTypes.ObjectIdentifier }) extnID = '';
  @AsnProp({ type: AsnPropTypes.Boolean, defaultValue: false }) critical = false;
  @AsnProp({ type: AsnPropTypes.OctetString }) extnValue: ArrayBuffer = new ArrayBuffer(0);
  constructor(params: Partial<ExtData> = {}) {
    Object.assign(this, params);
  }
}

@AsnType({ type: AsnTypeTypes.Sequence, itemType: ExtData })
export class ExtensionDatas extends AsnArray<ExtData> {
  constructor(items?: ExtData[]) {
    super(items);
    Object.setPrototypeOf(this, ExtensionDatas.prototype);
  }
}

export class SesHeader {
  @AsnProp({ type: AsnPropTypes.IA5String }) id = 'ES';
  @AsnProp({ type: AsnPropTypes.Integer }) version = SES_VERSION;
  @AsnProp({ type: AsnPropTypes.IA5String }) vid = '';
  constructor(params: Partial<SesHeader> = {}) {
    Object.assign(this, params);
  }
}

export class SesPropertyInfo {
  /** 1 = official seal (公章), 2 = private seal (私章); GB/T 38540 leaves the values open to the issuer. */
  @AsnProp({ type: AsnPropTypes.Integer }) type = 1;
  @AsnProp({ type: AsnPropTypes.Utf8String }) name = '';
  /** 1 = the list holds certificates, 2 = their digests. */
  @AsnProp({ type: AsnPropTypes.Integer }) certListType = 1;
  @AsnProp({ type: AsnPropTypes.OctetString, repeated: 'sequence' }) certList: ArrayBuffer[] = [];
  @AsnProp({ type: AsnPropTypes.GeneralizedTime }) createDate = new Date(0);
  @AsnProp({ type: AsnPropTypes.GeneralizedTime }) validStart = new Date(0);
  @AsnProp({ type: AsnPropTypes.GeneralizedTime }) validEnd = new Date(0);
  constructor(params: Partial<SesPropertyInfo> = {}) {
    Object.assign(this, params);
  }
}

export class SesPictureInfo {
  /** The image format, e.g. "PNG", "OFD", "SVG". */
  @AsnProp({ type: AsnPropTypes.IA5String }) type = 'PNG';
  @AsnProp({ type: AsnPropTypes.OctetString }) data: ArrayBuffer = new ArrayBuffer(0);
  /** Width on the page in millimetres. */
  @AsnProp({ type: AsnPropTypes.Integer }) width = 0;
  @AsnProp({ type: AsnPropTypes.Integer }) height = 0;
  constructor(params: Partial<SesPictureInfo> = {}) {
    Object.assign(this, params);
  }
}

export class SesSealInfo {
  @AsnProp({ type: SesHeader }) header = new SesHeader();
  @AsnProp({ type: AsnPropTypes.IA5String }) esID = '';
  @AsnProp({ type: SesPropertyInfo }) property = new SesPropertyInfo();
  @AsnProp({ type: SesPictureInfo }) picture = new SesPictureInfo();
  @AsnProp({ type: ExtensionDatas, optional: true }) extDatas?: ExtensionDatas;
  constructor(params: Partial<SesSealInfo> = {}) {
    Object.assign(this, params);
  }
}

export class SESeal {
  @AsnProp({ type: SesSealInfo, raw: true }) eSealInfo = new SesSealInfo();
  eSealInfoRaw?: ArrayBuffer;
  /** The seal maker's (制章人) certificate, DER. */
  @AsnProp({ type: AsnPropTypes.OctetString }) cert: ArrayBuffer = new ArrayBuffer(0);
  @AsnProp({ type: AsnPropTypes.ObjectIdentifier }) signAlgID = '';
  @AsnProp({ type: AsnPropTypes.BitString }) signedValue: ArrayBuffer = new ArrayBuffer(0);
  constructor(params: Partial<SESeal> = {}) {
    Object.assign(this, params);
  }
}

export class TbsSign {
  @AsnProp({ type: AsnPropTypes.Integer }) version = SES_VERSION;
  @AsnProp({ type: SESeal, raw: true }) eseal = new SESeal();
  esealRaw?: ArrayBuffer;
  @AsnProp({ type: AsnPropTypes.GeneralizedTime }) timeInfo = new Date(0);
  @AsnProp({ type: AsnPropTypes.BitString }) dataHash: ArrayBuffer = new ArrayBuffer(0);
  /** Where the signed data is, e.g. "/Doc_0/Signs/Sign_0/Signature.xml" in an OFD or the DOCX's file name. */
  @AsnProp({ type: AsnPropTypes.IA5String }) propertyInfo = '';
  @AsnProp({ type: ExtensionDatas, context: 0, implicit: false, optional: true }) extDatas?: ExtensionDatas;
  constructor(params: Partial<TbsSign> = {}) {
    Object.assign(this, params);
  }
}

export class SesSignature {
  @AsnProp({ type: TbsSign, raw: true }) toSign = new TbsSign();
  toSignRaw?: ArrayBuffer;
  /** The signer's certificate, DER. */
  @AsnProp({ type: AsnPropTypes.OctetString }) cert: ArrayBuffer = new ArrayBuffer(0);
  @AsnProp({ type: AsnPropTypes.ObjectIdentifier }) signatureAlgID = '';
  @AsnProp({ type: AsnPropTypes.BitString }) signature: ArrayBuffer = new ArrayBuffer(0);
  @AsnProp({ type: AsnPropTypes.BitString, context: 0, implicit: false, optional: true }) timeStamp?: ArrayBuffer;
  constructor(params: Partial<SesSignature> = {}) {
    Object.assign(this, params);
  }
}

/** TBS_Sign as written: the seal goes in as the DER it was made with (no decode and re-encode per signature). */
export class TbsSignOut {
  @AsnProp({ type: AsnPropTypes.Integer }) version = SES_VERSION;
  @AsnProp({ type: AsnPropTypes.Any }) eseal: ArrayBuffer = new ArrayBuffer(0);
  @AsnProp({ type: AsnPropTypes.GeneralizedTime }) timeInfo = new Date(0);
  @AsnProp({ type: AsnPropTypes.BitString }) dataHash: ArrayBuffer = new ArrayBuffer(0);
  @AsnProp({ type: AsnPropTypes.IA5String }) propertyInfo = '';
  constructor(params: Partial<TbsSignOut> = {}) {
    Object.assign(this, params);
  }
}

/** SES_Signature as written, around the TBS_Sign bytes that were signed. */
export class SesSignatureOut {
  @AsnProp({ type: AsnPropTypes.Any }) toSign: ArrayBuffer = new ArrayBuffer(0);
  @AsnProp({ type: AsnPropTypes.OctetString }) cert: ArrayBuffer = new ArrayBuffer(0);
  @AsnProp({ type: AsnPropTypes.ObjectIdentifier }) signatureAlgID = '';
  @AsnProp({ type: AsnPropTypes.BitString }) signature: ArrayBuffer = new ArrayBuffer(0);
  constructor(params: Partial<SesSignatureOut> = {}) {
    Object.assign(this, params);
  }
}

/** What the seal maker signs: SEQUENCE { eSealInfo, cert, signAlgID } (GB/T 38540 §7.2). */
export class SealToSign {
  @AsnProp({ type: AsnPropTypes.Any }) eSealInfo: ArrayBuffer = new ArrayBuffer(0);
  @AsnProp({ type: AsnPropTypes.OctetString }) cert: ArrayBuffer = new ArrayBuffer(0);
  @AsnProp({ type: AsnPropTypes.ObjectIdentifier }) signAlgID = '';
  constructor(params: Partial<SealToSign> = {}) {
    Object.assign(this, params);
  }
}

export const encodeDer = (value: object): Uint8Array => new Uint8Array(AsnConvert.serialize(value));
/** A view of parsed bytes: asn1-schema hands out ArrayBuffers, and Uint8Array views where it keeps raw encodings. */
export const bytes = (b: ArrayBuffer | Uint8Array): Uint8Array =>
  ArrayBuffer.isView(b) ? new Uint8Array(b.buffer, b.byteOffset, b.byteLength) : new Uint8Array(b);
/**
 * A standalone ArrayBuffer holding exactly these bytes (a Node Buffer's .buffer is a shared pool, and Buffer#slice
 * is a view, so copy explicitly).
 */
export function buf(b: Uint8Array): ArrayBuffer {
  const copy = new Uint8Array(b.byteLength);
  copy.set(b);
  return copy.buffer;
}

export function decodeSeal(der: Uint8Array): SESeal {
  return AsnConvert.parse(der, SESeal);
}
export function decodeSignature(der: Uint8Array): SesSignature {
  return AsnConvert.parse(der, SesSignature);
}
