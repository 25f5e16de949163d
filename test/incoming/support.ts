/** Helpers of the incoming tests: an external registration by multipart upload, events, and the demo's units. */
import type { TestApp } from '../support/app.js';

export const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

export async function unitIds(t: TestApp): Promise<Record<string, string>> {
  const rows: { id: string; name: string }[] = await t.db.dataSource.query(`SELECT id, name FROM units`);
  return Object.fromEntries(rows.map((r) => [r.name, r.id]));
}

export function multipart(parts: { name: string; filename?: string; type: string; data: Buffer | string }[]): {
  body: Buffer;
  type: string;
} {
  const boundary = `----gw${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disp = `form-data; name="${p.name}"${p.filename ? `; filename*=UTF-8''${encodeURIComponent(p.filename)}` : ''}`;
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disp}\r\nContent-Type: ${p.type}\r\n\r\n`));
    chunks.push(Buffer.isBuffer(p.data) ? p.data : Buffer.from(p.data));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), type: `multipart/form-data; boundary=${boundary}` };
}

export async function uploadExternal(
  t: TestApp,
  as: string,
  metadata: Record<string, unknown>,
  opts: {
    original?: { name: string; type: string; data: Buffer };
    attachments?: { name: string; type: string; data: Buffer }[];
    headers?: Record<string, string>;
  } = {},
) {
  const original = opts.original ?? { name: '来文.pdf', type: 'application/pdf', data: PDF };
  const { body, type } = multipart([
    { name: 'metadata', type: 'application/json', data: JSON.stringify(metadata) },
    { name: 'original', filename: original.name, type: original.type, data: original.data },
    ...(opts.attachments ?? []).map((a) => ({ name: 'attachments', filename: a.name, type: a.type, data: a.data })),
  ]);
  const res = await t.request('/api/incoming', {
    method: 'POST',
    as,
    body: new Uint8Array(body),
    headers: { 'content-type': type, ...(opts.headers ?? {}) },
  });
  return { status: res.status, body: (await res.json()) as any };
}

export function incomingClient(t: TestApp) {
  const json = async (res: Response) => ({ status: res.status, body: (await res.json()) as any });
  return {
    get: async (as: string, id: string) => json(await t.request(`/api/incoming/${id}`, { as })),
    event: async (as: string, id: string, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
      json(await t.request(`/api/incoming/${id}/events`, { method: 'POST', as, json: body, headers })),
    list: async (as: string, query = '') => json(await t.request(`/api/incoming${query}`, { as })),
    async ok(p: Promise<{ status: number; body: any }>) {
      const r = await p;
      if (r.status >= 300) throw new Error(`expected success, got ${r.status}: ${JSON.stringify(r.body)}`);
      return r.body;
    },
  };
}

export const ALL_CHECKS = [1, 2, 3, 4, 5].map((item) => ({ item, passed: true }));

/** A YYYY-MM-DD date `days` from today in the office's time (UTC+8). */
export function officeDay(days = 0, from = new Date()): string {
  return new Date(from.getTime() + 8 * 3600_000 + days * 86_400_000).toISOString().slice(0, 10);
}
