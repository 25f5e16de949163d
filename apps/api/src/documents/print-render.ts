/**
 * The DOCX of a registered document as it is printed: laid out by LibreOffice, with its 版记 (imprint) moved to an
 * even page when the first layout put it on an odd one (GB/T 9704; renderForPrint, the same two passes the filed
 * original goes through). Two LibreOffice runs take seconds, so the result is kept in memory per revision hash and
 * render context (an LRU bounded by bytes; a download of the same copy again is answered from it), and concurrent
 * downloads of one key share one render. Without LibreOffice (or when a conversion fails) the download falls back
 * to the one-pass render, with a warning: the document is complete, only its 版记 may stand on an odd page.
 */
import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { OfficeError, docxToPdf, renderForPrint, serialised } from '#gongwen/archive/office';
import { AppError } from '../common/errors.js';
import type { DocumentContent, RenderContext } from '#gongwen/document/model';
import { renderDocx } from '#gongwen/docx';

/** Bytes of DOCX kept (the oldest used go first); a single file over an eighth of it is not kept. */
const CACHE_BYTES = 64 * 1024 * 1024;

@Injectable()
export class PrintRenderer implements OnModuleDestroy {
  private readonly log = new Logger('PrintRenderer');
  private readonly cache = new LRUCache<string, Buffer>({ maxSize: CACHE_BYTES, maxEntrySize: CACHE_BYTES / 8 });
  private readonly pending = new Map<string, Promise<Buffer>>();
  private readonly stop = new AbortController();
  /** How many LibreOffice layouts were started, and how many fell back to one pass (tests read them). */
  layouts = 0;
  fallbacks = 0;

  /** The printed DOCX of `content` (the revision whose hash is `ctx.revisionHash`) in `ctx`. */
  async render(content: DocumentContent, ctx: RenderContext): Promise<Buffer> {
    const key = `${ctx.revisionHash}:${createHash('sha256').update(JSON.stringify(ctx)).digest('base64url')}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    let p = this.pending.get(key);
    if (!p) {
      p = this.layOut(content, ctx, key).finally(() => this.pending.delete(key));
      this.pending.set(key, p);
    }
    return p;
  }

  private async layOut(content: DocumentContent, ctx: RenderContext, key: string): Promise<Buffer> {
    try {
      this.layouts++;
      const { docx, pdf } = await renderForPrint(content, ctx, { signal: this.stop.signal });
      this.cache.set(key, docx, { size: docx.length });
      // LibreOffice laid it out already: GET …/pdf of the same copy is answered from this
      this.cache.set(`pdf:${key}`, pdf, { size: pdf.length });
      return docx;
    } catch (e) {
      if (!(e instanceof OfficeError)) throw e;
      this.fallbacks++;
      // not kept: once LibreOffice is there (or works again), the next download is laid out properly
      this.log.warn(
        `laying out a registered document for print failed (${e.message.slice(0, 300)}); sending the one-pass render, whose 版记 may stand on an odd page (install LibreOffice: see README, DOCX)`,
      );
      return renderDocx(content, ctx);
    }
  }

  /**
   * A PDF of `docx` laid out by LibreOffice (GET …/pdf, the processing sheet's PDF), kept like the DOCX under `key` (a
   * revision hash and render context, or a hash of the bytes). Without LibreOffice there is no PDF: 503.
   */
  async pdf(docx: Buffer, key?: string): Promise<Buffer> {
    const k = `pdf:${key ?? createHash('sha256').update(docx).digest('base64url')}`;
    const hit = this.cache.get(k);
    if (hit) return hit;
    let p = this.pending.get(k);
    if (!p) {
      p = serialised(() => docxToPdf(docx, { signal: this.stop.signal }))
        .then((pdf) => {
          this.cache.set(k, pdf, { size: pdf.length });
          return pdf;
        })
        .catch((e: unknown) => {
          if (!(e instanceof OfficeError)) throw e;
          this.log.warn(`converting to PDF failed (${e.message.slice(0, 300)})`);
          throw new AppError(
            'SERVICE_UNAVAILABLE',
            'The PDF cannot be made now (LibreOffice is not available); download the DOCX instead.',
          );
        })
        .finally(() => this.pending.delete(k));
      this.pending.set(k, p);
    }
    return p;
  }

  onModuleDestroy(): void {
    this.stop.abort();
  }
}
