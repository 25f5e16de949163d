import { ApiError } from '../api';
import { useI18n } from '../i18n';

/** A problem+json error shown to the user: its detail and, for a refused gate, each unmet condition. */
export function ErrorBox({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t, tx, lang } = useI18n();
  if (!error) return null;
  let title: string;
  let items: string[] = [];
  if (error instanceof ApiError) {
    const p = error.problem;
    title = error.status === 0 ? t('error.network') : (p.detail ?? p.title ?? t('error.http', { status: error.status }));
    // conditions carry stable codes: translated ones show the translation, then the server's words
    if (p.conditions?.length)
      items = p.conditions.map((c) =>
        lang === 'zh' && tx(`cond.${c.code}`, '') ? `${tx(`cond.${c.code}`, '')}（${c.message}）` : c.message,
      );
    else if (p.errors?.length) items = p.errors.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message));
  } else {
    title = error instanceof Error ? error.message : String(error);
  }
  return (
    <div className="error" role="alert">
      <p>{title}</p>
      {items.length > 0 && (
        <>
          <p className="error-sub">{t('error.conditions')}</p>
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
