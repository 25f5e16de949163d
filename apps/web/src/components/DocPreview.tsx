/**
 * The page view: the document laid out by libs/page-layout (OfficialDocument), the layout the OFD writer draws and
 * LibreOffice gives the PDF download, page for page and line for line. Pages are drawn at real size (mm) and zoomed
 * to the width available; printing prints them page by page (the print stylesheet).
 */
import { useLayoutEffect, useRef, useState } from 'react';
import { useI18n } from '../i18n';
import type { DocumentView } from '../types';
import { OfficialDocument } from './OfficialDocument';

const PAGE_WIDTH_PX = (210 * 96) / 25.4;

export interface DocPreviewProps {
  doc: DocumentView;
  names: Map<string, string>;
  /** Where the body is (proofreaders select text in it). */
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

export function DocPreview({ doc, names, bodyRef }: DocPreviewProps) {
  const { t } = useI18n();
  const [pages, setPages] = useState<number | null>(null);
  const outer = useRef<HTMLDivElement>(null);
  const zoom = useFitZoom(outer);

  const signedBy = doc.signatures.map((s) => names.get(s.signerId) ?? '').filter(Boolean);
  const signedAll =
    doc.requiredSigners.length > 0 &&
    doc.requiredSigners.every((r) => doc.signatures.some((s) => s.issuerUnitId === r.issuerUnitId && s.signerId === r.signerId));

  return (
    <section className="panel preview-panel" aria-labelledby="preview-h">
      <div className="panel-head">
        <h2 id="preview-h">{t('doc.preview')}</h2>
        {pages !== null && (
          <span className="muted" data-testid="page-count">
            {t('doc.pages', { n: pages })}
          </span>
        )}
      </div>
      <div className="preview-outer" ref={outer}>
        <div className="preview-zoom" style={{ zoom }} ref={bodyRef} data-testid="preview">
          <OfficialDocument
            content={doc.content}
            documentNumber={signedAll ? doc.documentNumber : null}
            signerNames={signedBy}
            dateOfIssue={signedAll ? doc.dateOfIssue : null}
            printedDate={doc.registration?.at ?? null}
            draft={signedAll ? null : { revision: doc.currentRevision.number }}
            copyNumber={doc.copyNumber ?? null}
            marks={doc.marks}
            onLayout={setPages}
          />
        </div>
      </div>
    </section>
  );
}
