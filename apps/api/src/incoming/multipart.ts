/**
 * A small multipart/form-data reader for POST /api/incoming (metadata JSON + original file + attachments). The
 * body arrives whole as bytes (a raw-body route, size-limited by bootstrap's RAW_BODY_LIMIT); the project has no
 * multipart plugin, and one upload form does not justify one.
 */
import { AppError } from '../common/errors.js';

export interface Part {
  name: string;
  filename?: string;
  contentType: string;
  data: Buffer;
}

function bad(message: string): AppError {
  return new AppError('VALIDATION_FAILED', message, { errors: [{ in: 'body', field: '(multipart)', message }] });
}

export function boundaryOf(contentType: string | undefined): string {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'multipart/form-data') throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'The request body must be multipart/form-data.');
  const m = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType ?? '');
  if (!m) throw bad('multipart/form-data needs a boundary.');
  return m[1] ?? m[2];
}

/** The parts of a multipart body; at most `maxParts`. */
export function parseMultipart(body: Buffer, boundary: string, maxParts = 60): Part[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: Part[] = [];
  let pos = body.indexOf(delimiter);
  if (pos < 0) throw bad('The multipart body has no parts.');
  for (;;) {
    pos += delimiter.length;
    // the closing delimiter ends the body
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) break;
    if (body[pos] === 0x0d && body[pos + 1] === 0x0a) pos += 2;
    else throw bad('A multipart delimiter is not followed by a line break.');
    const headerEnd = body.indexOf('\r\n\r\n', pos);
    if (headerEnd < 0) throw bad('A part has no end of headers.');
    const headers = body.subarray(pos, headerEnd).toString('utf8').split('\r\n');
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headerEnd + 4);
    if (next < 0) throw bad('A part is not closed by the boundary.');
    const data = body.subarray(headerEnd + 4, next);
    let name: string | undefined;
    let filename: string | undefined;
    let contentType = 'application/octet-stream';
    for (const h of headers) {
      const i = h.indexOf(':');
      if (i < 0) continue;
      const key = h.slice(0, i).trim().toLowerCase();
      const value = h.slice(i + 1).trim();
      if (key === 'content-disposition') {
        name = /;\s*name="([^"]*)"/i.exec(value)?.[1];
        const star = /;\s*filename\*=UTF-8''([^;]+)/i.exec(value)?.[1];
        const plain = /;\s*filename="([^"]*)"/i.exec(value)?.[1];
        try {
          filename = star ? decodeURIComponent(star) : plain;
        } catch {
          throw bad('A file name is not valid percent-encoding.');
        }
      } else if (key === 'content-type') contentType = value.split(';')[0].trim().toLowerCase() || contentType;
    }
    if (!name) throw bad('A part has no name (Content-Disposition: form-data; name="…").');
    parts.push({ name, filename, contentType, data });
    if (parts.length > maxParts) throw bad(`At most ${maxParts} parts.`);
    pos = next + 2;
  }
  return parts;
}

/** The formats an original or an attachment may have: PDF, DOCX, OFD and scanned images. */
export const ACCEPTED_TYPES: Record<string, string> = {
  'application/pdf': 'PDF',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'DOCX',
  'application/ofd': 'OFD',
  'application/vnd.ofd': 'OFD',
  'image/jpeg': 'JPEG',
  'image/png': 'PNG',
  'image/tiff': 'TIFF',
};

/** The declared type, checked against the file's first bytes (a "PDF" that is not one is refused). */
export function checkFileType(part: Part, field: string): string {
  const t = part.contentType;
  if (!ACCEPTED_TYPES[t])
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', `${field}: ${t} is not accepted (PDF, DOCX, OFD, JPEG, PNG or TIFF).`);
  const d = part.data;
  const starts = (bytes: number[]) => bytes.every((b, i) => d[i] === b);
  const zip = starts([0x50, 0x4b, 0x03, 0x04]);
  const ok =
    t === 'application/pdf'
      ? starts([0x25, 0x50, 0x44, 0x46])
      : t === 'image/jpeg'
        ? starts([0xff, 0xd8, 0xff])
        : t === 'image/png'
          ? starts([0x89, 0x50, 0x4e, 0x47])
          : t === 'image/tiff'
            ? starts([0x49, 0x49, 0x2a, 0x00]) || starts([0x4d, 0x4d, 0x00, 0x2a])
            : zip; // DOCX and OFD are zip packages
  if (!ok) throw bad(`${field}: the file is not a ${ACCEPTED_TYPES[t]} file.`);
  return t;
}
