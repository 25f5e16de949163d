/**
 * 校对标记 as track changes (修订): each mark with the text it quotes, the suggested replacement, and its state —
 * open, resolved, dismissed, or outdated (its text is gone from the current revision; it is not moved onto other
 * text). The chief accepts a suggestion (the next revision) or resolves a mark; the proofreader or the chief
 * dismisses one with a reason.
 */
import { useState } from 'react';
import { DismissMark } from '../actions/MarkAction';
import { useAction, type ActionContext } from '../actions/useAction';
import { api } from '../api';
import { useI18n } from '../i18n';
import type { ProofreadingMark } from '../types';
import { ErrorBox } from './ErrorBox';

type MarkState = 'open' | 'resolved' | 'dismissed' | 'outdated';
const stateOf = (m: ProofreadingMark): MarkState => (m.status === 'open' && m.outdated ? 'outdated' : m.status);

export function TrackedMarks({ ctx }: { ctx: ActionContext }) {
  const { t } = useI18n();
  const { doc } = ctx;
  const can = (type: string) => doc.allowedEvents.some((e) => e.type === type);
  const blockText = (id: string) => {
    for (const s of doc.content.sections) {
      const b = s.blocks.find((x) => x.id === id);
      if (b && (b.type === 'paragraph' || b.type === 'heading')) return b.text;
      if (b && b.type === 'list') return b.items.join('\n');
    }
    return '';
  };
  if (!doc.marks.length && doc.state !== 'proofreading') return null;
  return (
    <section className="panel" aria-labelledby="marks-h" data-testid="marks">
      <h2 id="marks-h">{t('marks.title')}</h2>
      {doc.marks.length === 0 ? (
        <p>{t('marks.none')}</p>
      ) : (
        <ul className="marks">
          {doc.marks.map((m) => {
            const state = stateOf(m);
            const quote = m.quote ?? blockText(m.blockId).slice(m.start, m.end);
            return (
              <li key={m.id} className={`mark-${state}`} data-testid="mark" data-mark-state={state}>
                <div>
                  <span className="badge">{t(`mark.kind.${m.kind}`)}</span>{' '}
                  <span className={`badge mark-state mark-state-${state}`}>{t(`mark.status.${state}`)}</span>{' '}
                  <span className="mark-meta small">
                    {t('common.revision', { n: m.revisionNumber })}
                    {state !== 'outdated' && <> · {t('marks.where', { start: m.start + 1, end: m.end })}</>}
                  </span>
                </div>
                <p>
                  “
                  <mark className="gw-proofmark" data-testid="mark-quote">
                    {quote}
                  </mark>
                  ”
                  {m.suggestion !== undefined && (
                    <>
                      {' → '}“
                      <ins className="mark-suggestion" data-testid="mark-suggestion">
                        {m.suggestion}
                      </ins>
                      ”
                    </>
                  )}{' '}
                  — {m.comment}
                </p>
                {state === 'outdated' && <p className="small mark-note">{t('marks.outdatedHint')}</p>}
                {m.dismissReason && <p className="small mark-note">{t('history.reason', { reason: m.dismissReason })}</p>}
                {m.resolveNote && <p className="small mark-note">{m.resolveNote}</p>}
                {m.resolution === 'suggestion' && (
                  <p className="small mark-note">{t('marks.accepted', { n: m.resolvedByRevision ?? '' })}</p>
                )}
                {m.status === 'open' && (
                  <div className="mark-actions">
                    {can('RESOLVE_MARK') && m.suggestion !== undefined && !m.outdated && <AcceptSuggestion ctx={ctx} markId={m.id} />}
                    {can('RESOLVE_MARK') && <ResolveMark ctx={ctx} markId={m.id} />}
                    {can('DISMISS_MARK') && <DismissMark ctx={ctx} markId={m.id} />}
                  </div>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

/** 采纳修订: the chief applies the suggestion as the next revision. */
function AcceptSuggestion({ ctx, markId }: { ctx: ActionContext; markId: string }) {
  const { t } = useI18n();
  const action = useAction(ctx, 'EDIT_CONTENT');
  return (
    <>
      <button
        type="button"
        className="btn btn-small btn-primary"
        disabled={action.pending}
        onClick={() => void action.run(() => api.acceptSuggestion(ctx.doc, markId))}
      >
        {action.pending ? t('action.pending') : t('marks.accept')}
      </button>
      <ErrorBox error={action.error} />
    </>
  );
}

/** 标记为已解决, with an optional note (the chief). */
function ResolveMark({ ctx, markId }: { ctx: ActionContext; markId: string }) {
  const { t } = useI18n();
  const [note, setNote] = useState('');
  const action = useAction(ctx, 'RESOLVE_MARK');
  return (
    <details className="dismiss">
      <summary>{t('event.RESOLVE_MARK')}</summary>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          if (action.pending) return;
          const body = note.trim() ? { type: 'RESOLVE_MARK', markId, note: note.trim() } : { type: 'RESOLVE_MARK', markId };
          if (await action.run(() => api.event(ctx.doc, body))) setNote('');
        }}
      >
        <div className="field">
          <label htmlFor={`resolve-${markId}`}>{t('marks.resolveNote')}</label>
          <input id={`resolve-${markId}`} value={note} onChange={(e) => setNote(e.target.value)} />
        </div>
        <ErrorBox error={action.error} />
        <button type="submit" className="btn btn-small" disabled={action.pending}>
          {t('event.RESOLVE_MARK')}
        </button>
      </form>
    </details>
  );
}
