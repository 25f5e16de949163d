import { useId, useState } from 'react';
import { api } from '../api';
import { ErrorBox } from '../components/ErrorBox';
import { draftKey, useDraft } from '../drafts';
import { useI18n } from '../i18n';
import { useAction, type ActionContext } from './useAction';

const ITEMS = [1, 2, 3, 4, 5] as const;

function Check({
  item,
  value,
  onChange,
  comment,
  onComment,
}: {
  item: (typeof ITEMS)[number];
  value: boolean | null;
  onChange: (v: boolean) => void;
  comment: string;
  onComment: (v: string) => void;
}) {
  const { t } = useI18n();
  const uid = useId();
  const needComment = value === false && !comment.trim();
  return (
    <fieldset className="review-item" data-item={item}>
      <legend>
        ({item}) {t(`review.item${item}`)}
      </legend>
      <div className="radio-row">
        <input type="radio" id={`${uid}-p`} name={`${uid}-r`} checked={value === true} onChange={() => onChange(true)} />
        <label htmlFor={`${uid}-p`}>{t('review.passed')}</label>
        <input type="radio" id={`${uid}-f`} name={`${uid}-r`} checked={value === false} onChange={() => onChange(false)} />
        <label htmlFor={`${uid}-f`}>{t('review.failed')}</label>
      </div>
      <label htmlFor={`${uid}-c`} className="small">
        {t('review.comment')}
      </label>
      <input id={`${uid}-c`} value={comment} onChange={(e) => onComment(e.target.value)} aria-invalid={needComment} />
      {needComment && <p className="field-error">{t('review.commentRequired')}</p>}
    </fieldset>
  );
}

/** 审核: the five points of Regulation art. 19, each passed or failed with a comment. */
export function ReviewAction({ ctx }: { ctx: ActionContext }) {
  const { t } = useI18n();
  const [results, setResults] = useState<(boolean | null)[]>([null, null, null, null, null]);
  const action = useAction(ctx, 'REVIEW');
  // five drafts, always in the same order
  // eslint-disable-next-line react-hooks/rules-of-hooks -- ITEMS is constant: the same hooks in the same order on every render
  const comments = ITEMS.map((item) => useDraft(draftKey(ctx.userId, ctx.doc.id, 'REVIEW', `c${item}`)));
  const allChosen = results.every((r) => r !== null);
  const anyFailed = results.some((r) => r === false);
  const missingComment = results.some((r, i) => r === false && !comments[i][0].trim());
  const submit = async () => {
    const checks = ITEMS.map((item, i) => {
      const c = comments[i][0].trim();
      return { item, passed: results[i] === true, ...(c ? { comment: c } : {}) };
    });
    const ok = await action.run(() => api.event(ctx.doc, { type: 'REVIEW', checks }));
    if (ok) comments.forEach(([, , clear]) => clear());
  };
  return (
    <form
      className={`action-form${anyFailed ? ' action-danger' : ''}`}
      data-event="REVIEW"
      onSubmit={(e) => {
        e.preventDefault();
        if (allChosen && !missingComment && !action.pending) void submit();
      }}
    >
      <p className="small muted">{t('review.title')}</p>
      {ITEMS.map((item, i) => (
        <Check
          key={item}
          item={item}
          value={results[i]}
          onChange={(v) => setResults(results.map((r, k) => (k === i ? v : r)))}
          comment={comments[i][0]}
          onComment={comments[i][1]}
        />
      ))}
      <ErrorBox error={action.error} />
      <button
        type="submit"
        className={`btn ${anyFailed ? 'btn-danger' : 'btn-primary'}`}
        disabled={!allChosen || missingComment || action.pending}
      >
        {action.pending ? t('action.pending') : anyFailed ? t('review.submitFail') : t('review.submitPass')}
      </button>
    </form>
  );
}
