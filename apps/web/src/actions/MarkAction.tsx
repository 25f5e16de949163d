import { useEffect, useId, useState } from 'react';
import { api } from '../api';
import { bodySelection, type BodySelection } from '../components/OfficialDocument';
import { ErrorBox } from '../components/ErrorBox';
import { draftKey, useDraft } from '../drafts';
import { useI18n } from '../i18n';
import { useAction, type ActionContext } from './useAction';

const KINDS = ['typo', 'format', 'wording', 'policy'] as const;

/**
 * 校对标记: the proofreader selects text in the body of the HTML preview; the selection is kept (clicking into
 * the comment box would otherwise lose it) and sent as blockId + start/end offsets in the block's text.
 */
export function MarkAction({ ctx, bodyRef }: { ctx: ActionContext; bodyRef: React.RefObject<HTMLDivElement | null> }) {
  const { t } = useI18n();
  const uid = useId();
  const [selection, setSelection] = useState<BodySelection | null>(null);
  const [kind, setKind] = useState<(typeof KINDS)[number]>('typo');
  const [comment, setComment, clearComment] = useDraft(draftKey(ctx.userId, ctx.doc.id, 'ADD_MARK', 'comment'));
  const [suggestion, setSuggestion, clearSuggestion] = useDraft(draftKey(ctx.userId, ctx.doc.id, 'ADD_MARK', 'suggestion'));
  const action = useAction(ctx, 'ADD_MARK');

  useEffect(() => {
    const onChange = () => {
      const s = bodySelection(bodyRef.current);
      if (s) setSelection(s);
    };
    document.addEventListener('selectionchange', onChange);
    return () => document.removeEventListener('selectionchange', onChange);
  }, [bodyRef]);

  const hasBlocks = Boolean(bodyRef.current?.querySelector('[data-block-id]'));
  const submit = async () => {
    if (!selection) return;
    const ok = await action.run(() =>
      api.event(ctx.doc, {
        type: 'ADD_MARK',
        blockId: selection.blockId,
        start: selection.start,
        end: selection.end,
        kind,
        comment: comment.trim(),
        // a replacement like a Word/WPS 修订, which the chief can accept as the next revision
        ...(suggestion.trim() && suggestion !== selection.text ? { suggestion } : {}),
      }),
    );
    if (ok) {
      clearComment();
      clearSuggestion();
      setSelection(null);
      window.getSelection()?.removeAllRanges();
    }
  };
  return (
    <form
      className="action-form"
      data-event="ADD_MARK"
      onSubmit={(e) => {
        e.preventDefault();
        if (selection && comment.trim() && !action.pending) void submit();
      }}
    >
      <p className="hint">{hasBlocks ? t('addMark.hint') : t('addMark.needHtml')}</p>
      <p className="selection" aria-live="polite" data-testid="mark-selection">
        {selection
          ? t('addMark.selection', { text: selection.text.length > 40 ? `${selection.text.slice(0, 40)}…` : selection.text })
          : t('addMark.noSelection')}
      </p>
      <div className="field">
        <label htmlFor={`${uid}-k`}>{t('addMark.kind')}</label>
        <select id={`${uid}-k`} value={kind} onChange={(e) => setKind(e.target.value as (typeof KINDS)[number])}>
          {KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`mark.kind.${k}`)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${uid}-c`}>{t('addMark.comment')}</label>
        <textarea id={`${uid}-c`} rows={2} value={comment} onChange={(e) => setComment(e.target.value)} required />
      </div>
      <div className="field">
        <label htmlFor={`${uid}-s`}>{t('addMark.suggestion')}</label>
        <input id={`${uid}-s`} value={suggestion} maxLength={20000} onChange={(e) => setSuggestion(e.target.value)} />
      </div>
      <ErrorBox error={action.error} />
      <button type="submit" className="btn btn-primary" disabled={!selection || !comment.trim() || action.pending}>
        {action.pending ? t('action.pending') : t('event.ADD_MARK')}
      </button>
    </form>
  );
}

/** 撤销校对标记, with a reason: one small form per open mark. */
export function DismissMark({ ctx, markId }: { ctx: ActionContext; markId: string }) {
  const { t } = useI18n();
  const uid = useId();
  const [reason, setReason, clear] = useDraft(draftKey(ctx.userId, ctx.doc.id, 'DISMISS_MARK', markId));
  const action = useAction(ctx, 'DISMISS_MARK');
  return (
    <details className="dismiss">
      <summary>{t('event.DISMISS_MARK')}</summary>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          if (!reason.trim() || action.pending) return;
          if (await action.run(() => api.event(ctx.doc, { type: 'DISMISS_MARK', markId, reason: reason.trim() }))) clear();
        }}
      >
        <div className="field">
          <label htmlFor={`${uid}-r`}>{t('mark.dismissReason')}</label>
          <input id={`${uid}-r`} value={reason} onChange={(e) => setReason(e.target.value)} required />
        </div>
        <ErrorBox error={action.error} />
        <button type="submit" className="btn btn-small" disabled={!reason.trim() || action.pending}>
          {t('event.DISMISS_MARK')}
        </button>
      </form>
    </details>
  );
}
