import { useI18n } from './i18n';
import { AllDocumentsPage } from './pages/AllDocumentsPage';
import { CreateDocumentPage } from './pages/CreateDocumentPage';
import { useCrT } from './create-strings';
import { ArchivePage, archiveEntry } from './pages/ArchivePage';
import { WebhooksPage } from './pages/WebhooksPage';
import { SealsPage } from './pages/SealsPage';
import { useSealT, worksWithSeals } from './seal-strings';
import { DelegationPage } from './pages/DelegationPage';
import { useDelT } from './delegation-strings';
import { useHookT } from './webhooks-strings';
import { DocumentPage } from './pages/DocumentPage';
import { InboxPage } from './pages/InboxPage';
import { IncomingItemPage } from './pages/incoming/IncomingItemPage';
import { IncomingQueuePage, worksWithIncoming } from './pages/incoming/IncomingQueuePage';
import { useInT } from './incoming-strings';
import { LoginPage } from './pages/LoginPage';
import { NotificationCentre } from './components/NotificationCentre';
import { SupervisionItemPage } from './pages/supervision/SupervisionItemPage';
import { SupervisionPage, worksWithSupervision } from './pages/supervision/SupervisionPage';
import { useSupT } from './supervision-strings';
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
  const { st } = useSupT();
  const { ct } = useCrT();
  const { dt } = useDelT();
  const { ht } = useHookT();
  const { sl } = useSealT();

  if (status === 'checking')
    return (
      <p className="loading" role="status">
        {t('common.loading')}
      </p>
    );

  const isNew = /^\/documents\/new\/?$/.test(path);
  const docMatch = isNew ? null : /^\/documents\/([^/]+)\/?$/.exec(path);
  const incomingMatch = /^\/incoming\/([^/]+)\/?$/.exec(path);
  const supMatch = /^\/supervision\/([^/]+)\/?$/.exec(path);
  const routed = supMatch
    ? 'sup-item'
    : /^\/supervision\/?$/.test(path)
      ? 'sup'
      : docMatch
        ? 'doc'
        : path.startsWith('/documents')
          ? 'all'
          : /^\/archive(\/|$)/.test(path)
            ? 'archive'
            : incomingMatch
              ? 'incoming-item'
              : /^\/incoming\/?$/.test(path)
                ? 'incoming'
                : /^\/seals\/?$/.test(path)
                  ? 'seals'
                  : path.startsWith('/settings/webhooks')
                    ? 'webhooks'
                    : path.startsWith('/settings/delegation')
                      ? 'delegation'
                      : 'inbox';
  const page = isNew ? 'new' : routed;
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
            {user.roles.includes('chief') && (
              <Link href="/documents/new" aria-current={page === 'new' ? 'page' : undefined} data-testid="nav-new">
                {ct('nav.new')}
              </Link>
            )}
            {worksWithIncoming(user.roles) && (
              <Link href="/incoming" aria-current={page === 'incoming' || page === 'incoming-item' ? 'page' : undefined}>
                {it('nav.incoming')}
              </Link>
            )}
            {worksWithSupervision(user.roles) && (
              <Link href="/supervision" aria-current={page === 'sup' || page === 'sup-item' ? 'page' : undefined}>
                {st('nav.supervision')}
              </Link>
            )}
            {archiveHref && (
              <Link href={archiveHref} aria-current={page === 'archive' ? 'page' : undefined}>
                {t('nav.archive')}
              </Link>
            )}
            {worksWithSeals(user.roles) && (
              <Link href="/seals" aria-current={page === 'seals' ? 'page' : undefined}>
                {sl('nav.seals')}
              </Link>
            )}
            <Link href="/settings/webhooks" aria-current={page === 'webhooks' ? 'page' : undefined}>
              {ht('nav.webhooks')}
            </Link>
            <Link href="/settings/delegation" aria-current={page === 'delegation' ? 'page' : undefined}>
              {dt('nav.delegation')}
            </Link>
          </nav>
        )}
        <div className="topbar-end">
          {user && (
            <span className="user" data-testid="user">
              {t('nav.user', { name: user.displayName })}
            </span>
          )}
          {user && <NotificationCentre />}
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
      ) : page === 'new' ? (
        <CreateDocumentPage />
      ) : page === 'doc' ? (
        <DocumentPage key={docMatch![1]} id={decodeURIComponent(docMatch![1])} />
      ) : page === 'all' ? (
        <AllDocumentsPage />
      ) : page === 'sup-item' ? (
        <SupervisionItemPage key={supMatch![1]} id={decodeURIComponent(supMatch![1])} />
      ) : page === 'sup' ? (
        <SupervisionPage view={search.get('view')} />
      ) : page === 'incoming-item' ? (
        <IncomingItemPage key={incomingMatch![1]} id={decodeURIComponent(incomingMatch![1])} />
      ) : page === 'incoming' ? (
        <IncomingQueuePage queue={search.get('queue')} />
      ) : page === 'archive' ? (
        <ArchivePage />
      ) : page === 'seals' ? (
        <SealsPage />
      ) : page === 'webhooks' ? (
        <WebhooksPage />
      ) : page === 'delegation' ? (
        <DelegationPage />
      ) : (
        <InboxPage search={search} />
      )}
    </>
  );
}
