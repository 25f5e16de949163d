/**
 * The print preview: the DOCX itself rendered page by page with docx-preview (loaded on demand, so the main bundle
 * stays small) when GET /api/documents/:id/docx answers, else the HTML layout of OfficialDocument. Pages are drawn
 * at real size (mm) and zoomed to the width available.
 */
import { useQuery } from '@tanstack/react-query';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { api } from '../api';
import { useI18n } from '../i18n';
import { keys } from '../queries';
import type { DocumentView } from '../types';
import { LINE_PITCH } from '#gongwen/docx/layout';
import { OfficialDocument } from './OfficialDocument';

const PAGE_WIDTH_PX = (210 * 96) / 25.4;

type DocxState = { status: 'loading' } | { status: 'ready'; blob: Blob } | { status: 'unavailable'; reason: string };

/** The DOCX of the document, or why there is none (the preview then falls back to the HTML layout). */
async function fetchDocx(id: string, signal: AbortSignal): Promise<{ blob: Blob } | { reason: string }> {
  let res: Response;
  try {
    res = await fetch(api.docxUrl(id), { credentials: 'same-origin', signal });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    return { reason: (e as Error).message };
  }
  const type = res.headers.get('content-type') ?? '';
  if (res.ok && !type.includes('json') && !type.includes('html')) return { blob: await res.blob() };
  return { reason: `HTTP ${res.status}` };
}

export interface DocPreviewProps {
  doc: DocumentView;
  names: Map<string, string>;
  /** Proofreaders select text in the body: they need the HTML layout, which knows block ids and offsets. */
  preferHtml: boolean;
  bodyRef: React.RefObject<HTMLDivElement | null>;
}

function useFitZoom(ref: React.RefObject<HTMLDivElement | null>): number {
  const [zoom, setZoom] = useState(1);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const update = () => setZoom(Math.min(1, Math.max(0.3, (el.clientWidth - 8) / PAGE_WIDTH_PX)));
    update();
    const ro = new ResizeObserver(update);
    ro.observe(el);
    return () => ro.disconnect();
  }, [ref]);
  return zoom;
}

export function DocPreview({ doc, names, preferHtml, bodyRef }: DocPreviewProps) {
  const { t } = useI18n();
  // one download per version of the document (kept while the page is open; a failure is not retried)
  const file = useQuery({
    queryKey: keys.docx(doc.id, doc.currentRevision.hash, doc.version),
    queryFn: ({ signal }) => fetchDocx(doc.id, signal),
    retry: false,
    staleTime: Infinity,
  });
  /** docx-preview could not draw this file */
  const [renderError, setRenderError] = useState<{ blob: Blob; reason: string } | null>(null);
  const docx = useMemo((): DocxState => {
    const d = file.data;
    if (!d) return file.error ? { status: 'unavailable', reason: (file.error as Error).message } : { status: 'loading' };
    if ('reason' in d) return { status: 'unavailable', reason: d.reason };
    if (renderError?.blob === d.blob) return { status: 'unavailable', reason: renderError.reason };
    return { status: 'ready', blob: d.blob };
  }, [file.data, file.error, renderError]);
  const [mode, setMode] = useState<'docx' | 'html'>(preferHtml ? 'html' : 'docx');
  const [pages, setPages] = useState<number | null>(null);
  const outer = useRef<HTMLDivElement>(null);
  const docxHost = useRef<HTMLDivElement>(null);
  const zoom = useFitZoom(outer);
  const showDocx = mode === 'docx' && docx.status === 'ready';
  useEffect(() => {
    if (!showDocx || docx.status !== 'ready' || !docxHost.current) return;
    const host = docxHost.current;
    let live = true;
    // the faces the PDFs use, self-hosted under the standard font names (scripts/docx/web-fonts.ts), loaded with the preview
    Promise.all([import('docx-preview'), import('../fonts/preview-fonts.css')])
      .then(([{ renderAsync }]) =>
        renderAsync(docx.blob, host, undefined, {
          className: 'docx',
          inWrapper: true,
          breakPages: true,
          ignoreLastRenderedPageBreak: true,
          renderHeaders: true,
          renderFooters: true,
          useBase64URL: true,
          experimental: true,
        }),
      )
      .then(() => {
        if (!live) return;
        const pages = [...host.querySelectorAll<HTMLElement>('section.docx')];
        // docx-preview leaves PAGE fields empty: write the page number between the dashes (— 1 —)
        pages.forEach((page, i) => {
          for (const p of page.querySelectorAll<HTMLElement>('footer p')) {
            if (/^\s*—\s*—\s*$/.test(p.textContent ?? '')) {
              const spans = p.querySelectorAll('span');
              const first = spans[0];
              if (first) first.textContent = `${(first.textContent ?? '').trimEnd()} ${i + 1} `;
            }
          }
        });
        setPages(pages.length);
      })
      .catch((e: Error) => {
        if (live) setRenderError({ blob: docx.blob, reason: t('doc.previewDocxError', { error: e.message }) });
      });
    return () => {
      live = false;
      host.replaceChildren();
    };
  }, [showDocx, docx, t]);

  const signedBy = doc.signatures.map((s) => names.get(s.signerId) ?? '').filter(Boolean);
  const signedAll =
    doc.requiredSigners.length > 0 &&
    doc.requiredSigners.every((r) => doc.signatures.some((s) => s.issuerUnitId === r.issuerUnitId && s.signerId === r.signerId));

  return (
    <section className="panel preview-panel" aria-labelledby="preview-h">
      <div className="panel-head">
        <h2 id="preview-h">{t('doc.preview')}</h2>
        {docx.status === 'ready' && (
          <div className="seg" role="group" aria-label={t('doc.preview')}>
            <button type="button" className="btn btn-small" aria-pressed={mode === 'docx'} onClick={() => setMode('docx')}>
              {t('doc.previewDocx')}
            </button>
            <button type="button" className="btn btn-small" aria-pressed={mode === 'html'} onClick={() => setMode('html')}>
              {t('doc.previewHtml')}
            </button>
          </div>
        )}
        {pages !== null && (
          <span className="muted" data-testid="page-count">
            {t('doc.pages', { n: pages })}
          </span>
        )}
      </div>
      {docx.status === 'unavailable' && (
        <p className="note" data-testid="preview-fallback">
          {t('doc.previewFallback', { status: docx.reason })}
        </p>
      )}
      <div className="preview-outer" ref={outer}>
        <div className="preview-zoom" style={{ zoom }} ref={bodyRef} data-testid="preview">
          {showDocx ? (
            <div ref={docxHost} className="docx-host" style={{ '--gw-grid': `${LINE_PITCH / 20}pt` } as React.CSSProperties} />
          ) : docx.status === 'loading' && mode === 'docx' ? (
            <p className="loading" role="status">
              {t('doc.previewLoading')}
            </p>
          ) : (
            <OfficialDocument
              content={doc.content}
              documentNumber={doc.documentNumber}
              signerNames={signedBy}
              dateOfIssue={signedAll ? doc.dateOfIssue : null}
              printedDate={doc.registration?.at ?? null}
              draft={signedAll ? null : { revision: doc.currentRevision.number }}
              marks={doc.marks}
              onLayout={setPages}
            />
          )}
        </div>
      </div>
    </section>
  );
}
