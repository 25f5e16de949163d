import { useCallback, useId, useRef, useState } from 'react';
import { api, ApiError } from '../api';
import { Dialog } from '../components/Dialog';
import { ErrorBox } from '../components/ErrorBox';
import { draftKey, useDraft } from '../drafts';
import { useI18n } from '../i18n';
import { useAction, type ActionContext } from './useAction';

/**
 * 签发: the signer confirms the exact revision (number and SHA-256 content hash) and types the password again.
 * For a joint document the slot signed is the one in requiredSigners that is mine and not yet signed.
 */
export function SignAction({ ctx }: { ctx: ActionContext }) {
  const { t } = useI18n();
  const { doc, userId } = ctx;
  const uid = useId();
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState('');
  const [opinion, setOpinion, clearOpinion] = useDraft(draftKey(userId, doc.id, 'SIGN', 'opinion'));
  const action = useAction(ctx, 'SIGN');
  const pwRef = useRef<HTMLInputElement>(null);
  const slot = doc.requiredSigners.find(
    (r) => r.signerId === userId && !doc.signatures.some((s) => s.issuerUnitId === r.issuerUnitId && s.signerId === r.signerId),
  );
  const issuer = doc.content.issuers.find((i) => i.unitId === slot?.issuerUnitId);
  const close = useCallback(() => {
    setOpen(false);
    setPassword('');
    action.setError(null);
  }, [action]);
  if (!slot) return null;

  const sign = async () => {
    const ok = await action.run(() =>
      api.event(doc, {
        type: 'SIGN',
        issuerUnitId: slot.issuerUnitId,
        ...(opinion.trim() ? { opinion: opinion.trim() } : {}),
        password,
        ...(ctx.onBehalfOf ? { onBehalfOf: ctx.onBehalfOf } : {}),
      }),
    );
    if (ok) {
      clearOpinion();
      setPassword('');
      setOpen(false);
    } else {
      setPassword('');
      pwRef.current?.focus();
    }
  };
  const wrongPassword = action.error instanceof ApiError && action.error.code === 'PASSWORD_CONFIRMATION';

  return (
    <div className="action-form" data-event="SIGN">
      <p>{t('sign.forBody', { body: issuer?.name ?? slot.issuerUnitId })}</p>
      <p className="muted small">
        {t('common.revision', { n: doc.currentRevision.number })} · <span className="mono">{doc.currentRevision.hash.slice(0, 16)}…</span>
      </p>
      <button type="button" className="btn btn-primary" onClick={() => setOpen(true)}>
        {t('sign.open')}
      </button>
      <Dialog open={open} onClose={close} title={t('sign.title')} labelId={`${uid}-title`}>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (password && !action.pending) void sign();
          }}
        >
          <p>{t('sign.intro')}</p>
          <dl className="sign-facts">
            <div>
              <dt>{t('sign.issuer')}</dt>
              <dd>{issuer?.name}</dd>
            </div>
            <div>
              <dt>{t('sign.revision')}</dt>
              <dd data-testid="sign-revision">{t('common.revision', { n: doc.currentRevision.number })}</dd>
            </div>
            <div>
              <dt>{t('sign.hash')}</dt>
              <dd className="mono hash" data-testid="sign-hash">
                {doc.currentRevision.hash}
              </dd>
            </div>
          </dl>
          <div className="field">
            <label htmlFor={`${uid}-opinion`}>{t('sign.opinion')}</label>
            <textarea id={`${uid}-opinion`} rows={2} value={opinion} onChange={(e) => setOpinion(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor={`${uid}-pw`}>{t('sign.password')}</label>
            <input
              id={`${uid}-pw`}
              ref={pwRef}
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              required
            />
          </div>
          {wrongPassword ? (
            <p className="error" role="alert">
              {t('sign.wrongPassword')}
            </p>
          ) : (
            <ErrorBox error={action.error} />
          )}
          <div className="dialog-buttons">
            <button type="button" className="btn" onClick={close}>
              {t('common.cancel')}
            </button>
            <button type="submit" className="btn btn-primary" disabled={!password || action.pending}>
              {action.pending ? t('action.pending') : t('sign.confirm')}
            </button>
          </div>
        </form>
      </Dialog>
    </div>
  );
}
