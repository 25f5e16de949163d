import { useEffect, useId, useRef, useState } from 'react';
import { ApiError } from '../api';
import { ErrorBox } from '../components/ErrorBox';
import { useI18n } from '../i18n';
import { useSession } from '../session';

/** Shown in place of any page when there is no session; the URL stays, so the user returns where they were. */
export function LoginPage({ expired }: { expired: boolean }) {
  const { t } = useI18n();
  const { login } = useSession();
  const uid = useId();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const userRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    document.title = `${t('login.title')} · ${t('app.name')}`;
    userRef.current?.focus();
  }, [t]);

  const submit = async () => {
    setPending(true);
    setError(null);
    try {
      await login(username.trim(), password);
    } catch (e) {
      setError(e instanceof ApiError && e.status === 401 ? new Error(t('login.failed')) : e);
      setPassword('');
    } finally {
      setPending(false);
    }
  };

  return (
    <main id="main" className="login" tabIndex={-1}>
      <form
        className="login-card"
        onSubmit={(e) => {
          e.preventDefault();
          if (!pending) void submit();
        }}
        aria-labelledby={`${uid}-h`}
      >
        <p className="login-mark" aria-hidden="true">
          公文
        </p>
        <h1 id={`${uid}-h`}>{t('login.title')}</h1>
        <p className="muted">{t('login.intro')}</p>
        {expired && (
          <p className="notice notice-warn" role="alert" data-testid="expired">
            {t('login.expired')}
          </p>
        )}
        <div className="field">
          <label htmlFor={`${uid}-u`}>{t('login.username')}</label>
          <input
            id={`${uid}-u`}
            ref={userRef}
            name="username"
            autoComplete="username"
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            required
          />
        </div>
        <div className="field">
          <label htmlFor={`${uid}-p`}>{t('login.password')}</label>
          <input
            id={`${uid}-p`}
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </div>
        <ErrorBox error={error} />
        <button type="submit" className="btn btn-primary btn-block" disabled={pending || !username.trim() || !password}>
          {pending ? t('login.pending') : t('login.submit')}
        </button>
      </form>
    </main>
  );
}
