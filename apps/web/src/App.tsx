import { useI18n } from './i18n';
import { AllDocumentsPage } from './pages/AllDocumentsPage';
import { ArchivePage, archiveEntry } from './pages/ArchivePage';
import { WebhooksPage } from './pages/WebhooksPage';
import { DocumentPage } from './pages/DocumentPage';
import { InboxPage } from './pages/InboxPage';
import { IncomingItemPage } from './pages/incoming/IncomingItemPage';
import { IncomingQueuePage, worksWithIncoming } from './pages/incoming/IncomingQueuePage';
import { useInT } from './incoming-strings';
import { LoginPage } from './pages/LoginPage';
import { Link, useLocation } from './router';
import { useSession } from './session';

function LangSwitch() {
  const { t, lang, setLang } = useI18n();
  return (
    <button
      type="button"
      className="btn btn-ghost"
      onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')}
      aria-label={t('lang.switchLabel')}
      lang={lang === 'zh' ? 'en' : 'zh-CN'}
    >
      {t('lang.switch')}
    </button>
  );
}

export function App() {
  const { t } = useI18n();
  const { status, user, logout } = useSession();
  const { path, search } = useLocation();
  const { it } = useInT();

  if (status === 'checking')
    return (
      <p className="loading" role="status">
        {t('common.loading')}
      </p>
    );

  const docMatch = /^\/documents\/([^/]+)\/?$/.exec(path);
  const incomingMatch = /^\/incoming\/([^/]+)\/?$/.exec(path);
  const page = docMatch
    ? 'doc'
    : path.startsWith('/documents')
      ? 'all'
      : /^\/archive(\/|$)/.test(path)
        ? 'archive'
        : incomingMatch
          ? 'incoming-item'
          : /^\/incoming\/?$/.test(path)
            ? 'incoming'
            : path.startsWith('/settings/webhooks')
              ? 'webhooks'
              : 'inbox';
  const archiveHref = user ? archiveEntry(user.roles) : null;

  return (
    <>
      <a className="skip" href="#main">
        {t('app.skip')}
      </a>
      <header className="topbar">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            公
          </span>
          {t('app.name')}
        </div>
        {user && (
          <nav aria-label={t('app.nav')} className="mainnav">
            <Link href="/" aria-current={page === 'inbox' ? 'page' : undefined}>
              {t('nav.inbox')}
            </Link>
            <Link href="/documents" aria-current={page === 'all' ? 'page' : undefined}>
              {t('nav.all')}
            </Link>
            {worksWithIncoming(user.roles) && (
              <Link href="/incoming" aria-current={page === 'incoming' || page === 'incoming-item' ? 'page' : undefined}>
                {it('nav.incoming')}
              </Link>
            )}
            {archiveHref && (
              <Link href={archiveHref} aria-current={page === 'archive' ? 'page' : undefined}>
                {t('nav.archive')}
              </Link>
            )}
            <Link href="/settings/webhooks" aria-current={page === 'webhooks' ? 'page' : undefined}>
              回调订阅
            </Link>
          </nav>
        )}
        <div className="topbar-end">
          {user && (
            <span className="user" data-testid="user">
              {t('nav.user', { name: user.displayName })}
            </span>
          )}
          <LangSwitch />
          {user && (
            <button type="button" className="btn btn-ghost" onClick={() => void logout()}>
              {t('nav.logout')}
            </button>
          )}
        </div>
      </header>
      {!user ? (
        <LoginPage expired={status === 'expired'} />
      ) : page === 'doc' ? (
        <DocumentPage key={docMatch![1]} id={decodeURIComponent(docMatch![1])} />
      ) : page === 'all' ? (
        <AllDocumentsPage />
      ) : page === 'incoming-item' ? (
        <IncomingItemPage key={incomingMatch![1]} id={decodeURIComponent(incomingMatch![1])} />
      ) : page === 'incoming' ? (
        <IncomingQueuePage queue={search.get('queue')} />
      ) : page === 'archive' ? (
        <ArchivePage />
      ) : page === 'webhooks' ? (
        <WebhooksPage />
      ) : (
        <InboxPage />
      )}
    </>
  );
}
