/**
 * The GB/T 9704 renderer (libs/docx), loaded lazily: through its index when it has one, else through render.ts.
 * Loading at call time keeps the archive (and filing) working while the renderer is being changed; a renderer
 * that fails to load fails the preparation job, which is retried, never the filing transaction.
 */
import type { DocumentContent, RenderContext } from '#gongwen/document/model';

export type ImprintPlacement = 'inline' | 'nextEvenPage' | 'afterBlankPage';
export type RenderDocx = (content: DocumentContent, ctx: RenderContext, opts?: { imprint?: ImprintPlacement }) => Promise<Buffer>;

let cached: Promise<RenderDocx> | null = null;

export function loadRenderer(): Promise<RenderDocx> {
  cached ??= (async () => {
    const candidates = ['../../docx/src/index.js', '../../docx/src/render.js'];
    const errors: string[] = [];
    for (const spec of candidates) {
      try {
        const mod = (await import(spec)) as { renderDocx?: RenderDocx };
        if (typeof mod.renderDocx === 'function') return mod.renderDocx;
        errors.push(`${spec}: no renderDocx export`);
      } catch (e) {
        errors.push(`${spec}: ${(e as Error).message.split('\n')[0]}`);
      }
    }
    cached = null;
    throw new Error(`the DOCX renderer is not available (${errors.join('; ')})`);
  })();
  return cached;
}

export async function renderDocx(content: DocumentContent, ctx: RenderContext, opts?: { imprint?: ImprintPlacement }): Promise<Buffer> {
  return (await loadRenderer())(content, ctx, opts);
}
