import { ApiError } from '../api';
import { useI18n } from '../i18n';
import { useProblemNames } from '../names';
import { conditionMessage, problemMessage, type ConditionWorkflow } from '../problems';

/**
 * A problem+json error shown to the user in their language (apps/web/src/problems.ts): what went wrong and, for a
 * refused gate, each unmet condition with its specifics (which section, which mark by its text, which check).
 */
export function ErrorBox({
  error,
  onRetry,
  workflow,
  labels,
}: {
  error: unknown;
  onRetry?: () => void;
  /** Whose gate refused (incoming, supervision): their condition codes have their own messages. */
  workflow?: ConditionWorkflow;
  /** That workflow's names of states and events (NOT_PERMITTED names them). */
  labels?: { state: (s: string) => string; event: (e: string) => string };
}) {
  const { t, lang } = useI18n();
  const base = useProblemNames();
  const names = labels ? { ...base, state: labels.state, event: labels.event } : base;
  if (!error) return null;
  let title: string;
  let items: string[] = [];
  let code: string | undefined;
  if (error instanceof ApiError) {
    const p = error.problem;
    code = p.code;
    title =
      error.status === 0
        ? t('error.network')
        : (problemMessage(p.code, p as Record<string, unknown>, lang, names) ??
          p.detail ??
          p.title ??
          t('error.http', { status: error.status }));
    if (p.conditions?.length) items = p.conditions.map((c) => conditionMessage(c, lang, names, workflow));
    else if (p.errors?.length) items = p.errors.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message));
  } else {
    title = error instanceof Error ? error.message : String(error);
  }
  return (
    <div className="error" role="alert" data-code={code}>
      <p>{title}</p>
      {items.length > 0 && (
        <>
          {code !== 'GATE_FAILED' && <p className="error-sub">{t('error.conditions')}</p>}
          <ul>
            {items.map((x, i) => (
              <li key={i}>{x}</li>
            ))}
          </ul>
        </>
      )}
      {onRetry && (
        <button type="button" className="btn" onClick={onRetry}>
          {t('common.retry')}
        </button>
      )}
    </div>
  );
}

export function Loading() {
  const { t } = useI18n();
  return (
    <p className="loading" role="status">
      {t('common.loading')}
    </p>
  );
}
