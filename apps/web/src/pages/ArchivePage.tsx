/**
 * 档案: the archivist's pages (to file, classes and catalogue, volumes and their exports, disposal), under /archive.
 * Signers who are not archivists see only the disposal register, where they approve or reject disposals.
 */
import { useI18n } from '../i18n';
import { Link, useLocation } from '../router';
import { useUser } from '../session';
import type { StringKey } from '../strings';
import { ChecksPage } from './archive/ChecksPage';
import { ClassesPage } from './archive/ClassesPage';
import { ReceiptsPage } from './archive/ReceiptsPage';
import { DisposalPage } from './archive/DisposalPage';
import { ToFilePage } from './archive/ToFilePage';
import { NewVolumePage } from './archive/NewVolumePage';
import { VolumePage, VolumesPage } from './archive/VolumesPage';

type Section = 'file' | 'classes' | 'volumes' | 'disposal' | 'checks' | 'receipts';

const TABS: { id: Section; href: string; label: StringKey }[] = [
  { id: 'file', href: '/archive', label: 'archive.tab.file' },
  { id: 'classes', href: '/archive/classes', label: 'archive.tab.classes' },
  { id: 'volumes', href: '/archive/volumes', label: 'archive.tab.volumes' },
  { id: 'disposal', href: '/archive/disposal', label: 'archive.tab.disposal' },
  { id: 'checks', href: '/archive/checks', label: 'archive.tab.checks' },
  { id: 'receipts', href: '/archive/receipts', label: 'archive.tab.receipts' },
];

/** Who may open the archive at all, and where the navigation entry leads them. */
export function archiveEntry(roles: readonly string[]): string | null {
  if (roles.includes('archivist')) return '/archive';
  if (roles.includes('signer')) return '/archive/disposal';
  return null;
}

export function ArchivePage() {
  const { t } = useI18n();
  const user = useUser();
  const { path } = useLocation();
  const archivist = user.roles.includes('archivist');
  const rest = path.replace(/^\/archive\/?/, '').replace(/\/$/, '');
  const volumeMatch = /^volumes\/([^/]+)$/.exec(rest);
  const section: Section = rest.startsWith('classes')
    ? 'classes'
    : rest.startsWith('volumes')
      ? 'volumes'
      : rest.startsWith('disposal')
        ? 'disposal'
        : rest.startsWith('checks')
          ? 'checks'
          : rest.startsWith('receipts')
            ? 'receipts'
            : 'file';
  const tabs = archivist ? TABS : TABS.filter((x) => x.id === 'disposal');
  const allowed = archivist || (section === 'disposal' && user.roles.includes('signer'));

  let body;
  if (!allowed)
    body = (
      <>
        <h1>{t('archive.title')}</h1>
        <p className="empty">{t('archive.forbidden')}</p>
      </>
    );
  else if (section === 'classes') body = <ClassesPage />;
  else if (section === 'disposal') body = <DisposalPage archivist={archivist} />;
  else if (section === 'checks') body = <ChecksPage />;
  else if (section === 'receipts') body = <ReceiptsPage />;
  else if (rest === 'volumes/new') body = <NewVolumePage />;
  else if (volumeMatch) body = <VolumePage key={volumeMatch[1]} id={decodeURIComponent(volumeMatch[1])} />;
  else if (section === 'volumes') body = <VolumesPage />;
  else body = <ToFilePage />;

  return (
    <main id="main" className="page" tabIndex={-1}>
      <nav aria-label={t('archive.nav')} className="subnav">
        <ul>
          {tabs.map((x) => (
            <li key={x.id}>
              <Link href={x.href} aria-current={x.id === section ? 'page' : undefined}>
                {t(x.label)}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      {body}
    </main>
  );
}
