/**
 * 登记外来文件: the registrar uploads a document from outside (paper scan, PDF, DOCX, OFD) with its metadata —
 * POST /api/incoming, multipart (metadata JSON + original + attachments) — and the item opens in 待登记.
 * openapi-fetch does not build multipart bodies, so this is the one call made with fetch directly (same CSRF
 * header, an idempotency key so that a retried upload registers once, problem+json as ApiError).
 */
import { useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { ApiError, csrfToken } from '../../api';
import { incomingKeys } from '../../incoming-queries';
import { useInT } from '../../incoming-strings';
import { navigate } from '../../router';
import { ErrorBox } from '../ErrorBox';

const newKey = () =>
  typeof crypto.randomUUID === 'function'
    ? crypto.randomUUID()
    : Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');

export async function uploadExternal(metadata: Record<string, unknown>, original: File, attachments: File[], key: string) {
  const body = new FormData();
  body.append('metadata', new Blob([JSON.stringify(metadata)], { type: 'application/json' }));
  body.append('original', original, original.name);
  for (const a of attachments) body.append('attachments', a, a.name);
  const res = await fetch('/api/incoming', {
    method: 'POST',
    body,
    credentials: 'same-origin',
    headers: { accept: 'application/json, application/problem+json', 'x-csrf-token': csrfToken(), 'idempotency-key': key },
  });
  const answer = await res.json().catch(() => ({}));
  if (!res.ok) throw new ApiError(res.status, answer);
  return answer as { id: string; title?: string };
}

export function ExternalRegistration() {
  const { it } = useInT();
  const uid = useId();
  const qc = useQueryClient();
  const [f, setF] = useState({ title: '', kind: '通知', senderName: '', senderNumber: '', dateOfIssue: '', copies: '1' });
  const [medium, setMedium] = useState<'paper' | 'electronic'>('electronic');
  const [original, setOriginal] = useState<File | null>(null);
  const [attachments, setAttachments] = useState<File[]>([]);
  const [key, setKey] = useState(newKey);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });
  const ready = !!f.title.trim() && !!f.senderName.trim() && !!original && Number(f.copies) >= 1;

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!ready || busy) return;
    setBusy(true);
    setError(null);
    try {
      const metadata: Record<string, unknown> = {
        title: f.title.trim(),
        kind: f.kind.trim() || '通知',
        senderName: f.senderName.trim(),
        copies: Number(f.copies),
        medium,
        ...(f.senderNumber.trim() ? { senderNumber: f.senderNumber.trim() } : {}),
        ...(f.dateOfIssue ? { dateOfIssue: f.dateOfIssue } : {}),
      };
      const created = await uploadExternal(metadata, original!, attachments, key);
      setKey(newKey());
      void qc.invalidateQueries({ queryKey: incomingKeys.all });
      navigate(`/incoming/${encodeURIComponent(created.id)}`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const field = (k: keyof typeof f, label: string, type = 'text', required = false) => (
    <div className="field">
      <label htmlFor={`${uid}-${k}`}>{label}</label>
      <input id={`${uid}-${k}`} type={type} value={f[k]} onChange={set(k)} required={required} min={type === 'number' ? 1 : undefined} />
    </div>
  );

  return (
    <section className="panel" aria-labelledby={`${uid}-h`} data-testid="external-registration">
      <h2 id={`${uid}-h`}>{it('upload.title')}</h2>
      <p className="muted small">{it('upload.intro')}</p>
      <form onSubmit={(e) => void submit(e)}>
        <div className="form-grid">
          {field('title', it('upload.docTitle'), 'text', true)}
          {field('kind', it('upload.kind'))}
          {field('senderName', it('upload.senderName'), 'text', true)}
          {field('senderNumber', it('upload.senderNumber'))}
          {field('dateOfIssue', it('upload.dateOfIssue'), 'date')}
          {field('copies', it('upload.copies'), 'number')}
          <div className="field">
            <label htmlFor={`${uid}-medium`}>{it('upload.medium')}</label>
            <select id={`${uid}-medium`} value={medium} onChange={(e) => setMedium(e.target.value as 'paper' | 'electronic')}>
              <option value="electronic">{it('upload.medium.electronic')}</option>
              <option value="paper">{it('upload.medium.paper')}</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${uid}-original`}>{it('upload.original')}</label>
            <input
              id={`${uid}-original`}
              type="file"
              required
              accept=".pdf,.docx,.ofd,.jpg,.jpeg,.png,.tif,.tiff"
              onChange={(e) => setOriginal(e.target.files?.[0] ?? null)}
            />
          </div>
          <div className="field">
            <label htmlFor={`${uid}-attachments`}>{it('upload.attachments')}</label>
            <input id={`${uid}-attachments`} type="file" multiple onChange={(e) => setAttachments([...(e.target.files ?? [])])} />
          </div>
        </div>
        {error != null && <ErrorBox error={error} />}
        <button type="submit" className="btn btn-primary" disabled={!ready || busy}>
          {busy ? it('upload.sending') : it('upload.submit')}
        </button>
      </form>
    </section>
  );
}
