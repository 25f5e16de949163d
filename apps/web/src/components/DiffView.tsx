import { useI18n } from '../i18n';
import type { Block, BlockChange, RevisionDiff } from '../types';

const FIELD_KEYS: Record<string, string> = {
  kind: 'doc.kind',
  title: 'doc.title',
  issuers: 'doc.issuers',
  mainRecipients: 'doc.recipients',
  copiesTo: 'doc.copiesTo',
  classification: 'doc.classification',
  secrecyPeriod: 'doc.secrecyPeriod',
  urgency: 'doc.urgency',
  note: 'doc.note',
  attachments: 'doc.attachments',
  minutes: 'doc.minutes',
};

function text(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (Array.isArray(v))
    return v
      .map((x) =>
        typeof x === 'string' ? x : ((x as { name?: string; title?: string }).name ?? (x as { title?: string }).title ?? JSON.stringify(x)),
      )
      .join('、');
  return JSON.stringify(v);
}

function blockText(b: Block): string {
  switch (b.type) {
    case 'heading':
    case 'paragraph':
      return b.text;
    case 'list':
      return b.items.join('\n');
    case 'table':
      return b.rows.map((r) => r.join('\t')).join('\n');
  }
}

/** Changes since revision `from`: insertions green-underlined, deletions red-struck. */
export function DiffView({ diff, resign }: { diff: RevisionDiff; resign: boolean }) {
  const { t, tx } = useI18n();
  const empty = diff.fields.length === 0 && diff.blocks.length === 0;
  const kindLabel = (c: BlockChange) => (c.op === 'added' ? t('diff.added') : c.op === 'removed' ? t('diff.removed') : t('diff.changed'));
  return (
    <section className="panel diff" aria-labelledby="diff-h" data-testid="diff">
      <div className="panel-head">
        <h2 id="diff-h">{resign ? t('diff.titleResign') : t('diff.title')}</h2>
        <span className="badge">{t('diff.range', { from: diff.from.number, to: diff.to.number })}</span>
      </div>
      {empty ? (
        <p>{t('diff.none')}</p>
      ) : (
        <>
          <p className="muted">
            {t('diff.stats', { ins: diff.stats.inserted, del: diff.stats.deleted })} {t('diff.legend')}
          </p>
          {diff.fields.length > 0 && (
            <dl className="diff-fields">
              {diff.fields.map((f) => (
                <div key={f.field}>
                  <dt>{tx(FIELD_KEYS[f.field] ?? '', f.field)}</dt>
                  <dd>
                    {text(f.from) && <del>{text(f.from)}</del>}
                    {text(f.from) && text(f.to) && ' → '}
                    {text(f.to) && <ins>{text(f.to)}</ins>}
                  </dd>
                </div>
              ))}
            </dl>
          )}
          <ol className="diff-blocks">
            {diff.blocks.map((c, i) => (
              <li key={i} className={`diff-${c.op}`}>
                <span className="diff-kind">{kindLabel(c)}</span>
                <p className="diff-text">
                  {c.op === 'changed' ? (
                    c.changes.map((x, k) =>
                      x.op === 'insert' ? (
                        <ins key={k}>{x.text}</ins>
                      ) : x.op === 'delete' ? (
                        <del key={k}>{x.text}</del>
                      ) : (
                        <span key={k}>{x.text}</span>
                      ),
                    )
                  ) : c.op === 'added' ? (
                    <ins>{blockText(c.block)}</ins>
                  ) : (
                    <del>{blockText(c.block)}</del>
                  )}
                </p>
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}
