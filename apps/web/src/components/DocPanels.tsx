/** The document page's smaller panels: metadata with signers and readers, discussion (the marks: TrackedMarks). */
import type { ReactNode } from 'react';
import { classificationLabel, formatDate, kindLabel, formatDateTime, shortHash, urgencyLabel } from '../format';
import { useI18n } from '../i18n';
import type { DocumentView } from '../types';

/**
 * A person's name, from the office directory and the history (someone who has left the office is still named by
 * what they did); never their id: while the directory loads, or for someone it does not know, a plain placeholder.
 */
export function nameOf(names: Map<string, string>, id: string, meId: string, t: (k: 'common.me' | 'common.someone') => string): ReactNode {
  if (id === meId) return `${names.get(id) ?? ''}（${t('common.me')}）`;
  return names.get(id) ?? <span className="muted">{t('common.someone')}</span>;
}

export function MetadataPanel({ doc, names, meId }: { doc: DocumentView; names: Map<string, string>; meId: string }) {
  const { t, lang, locale } = useI18n();
  const c = doc.content;
  const issuerName = (unitId: string) => c.issuers.find((i) => i.unitId === unitId)?.name ?? t('common.none');
  return (
    <section className="panel" aria-labelledby="meta-h">
      <h2 id="meta-h">{t('doc.details')}</h2>
      <dl className="meta">
        <div>
          <dt>{t('doc.kind')}</dt>
          <dd>{kindLabel(lang, c.kind)}</dd>
        </div>
        <div>
          <dt>{t('doc.number')}</dt>
          <dd>{doc.documentNumber ?? <span className="muted">{t('doc.unnumbered')}</span>}</dd>
        </div>
        <div>
          <dt>{t('doc.classification')}</dt>
          <dd>{classificationLabel(t, c.classification, c.secrecyPeriod)}</dd>
        </div>
        <div>
          <dt>{t('doc.urgency')}</dt>
          <dd>{urgencyLabel(t, c.urgency)}</dd>
        </div>
        <div>
          <dt>{t('doc.issuers')}</dt>
          <dd>
            {c.issuers.map((i) => i.name).join('、')}
            {c.issuers.length > 1 && <span className="muted">（{t('doc.joint')}）</span>}
          </dd>
        </div>
        <div>
          <dt>{t('doc.recipients')}</dt>
          <dd>{c.mainRecipients.join('、') || t('common.none')}</dd>
        </div>
        {c.copiesTo.length > 0 && (
          <div>
            <dt>{t('doc.copiesTo')}</dt>
            <dd>{c.copiesTo.join('、')}</dd>
          </div>
        )}
        <div>
          <dt>{t('doc.revision')}</dt>
          <dd>
            {t('common.revision', { n: doc.currentRevision.number })}{' '}
            <span className="mono small" title={doc.currentRevision.hash}>
              {shortHash(doc.currentRevision.hash)}
            </span>
          </dd>
        </div>
        {doc.deadline && (
          <div>
            <dt>{t('doc.deadline')}</dt>
            <dd>{formatDateTime(doc.deadline, locale)}</dd>
          </div>
        )}
        {doc.dateOfIssue && (
          <div>
            <dt>{t('doc.dateOfIssue')}</dt>
            <dd>{formatDate(doc.dateOfIssue, locale)}</dd>
          </div>
        )}
        {doc.filing && (
          <div>
            <dt>{t('state.archived')}</dt>
            <dd>{t('doc.filed', { retention: t(`retention.${doc.filing.retention}`) })}</dd>
          </div>
        )}
      </dl>
      <h3>{t('doc.signers')}</h3>
      <ul className="signers" data-testid="signers">
        {doc.requiredSigners.map((r) => {
          const sig = doc.signatures.find((s) => s.issuerUnitId === r.issuerUnitId && s.signerId === r.signerId);
          return (
            <li key={`${r.issuerUnitId}:${r.signerId}`} className={sig ? 'signed' : 'unsigned'}>
              <span aria-hidden="true">{sig ? '✓' : '○'}</span> {issuerName(r.issuerUnitId)} — {nameOf(names, r.signerId, meId, t)}：
              {sig ? t('doc.signed', { n: sig.revisionNumber, date: formatDateTime(sig.at, locale) }) : t('doc.notSigned')}
              {sig?.opinion && <div className="small">{t('doc.opinion', { text: sig.opinion })}</div>}
            </li>
          );
        })}
      </ul>
      {doc.readers.length > 0 && (
        <>
          <h3>{t('doc.readers')}</h3>
          <ul className="readers" data-testid="readers">
            {doc.readers.map((r) => (
              <li key={r.userId}>
                {nameOf(names, r.userId, meId, t)}：
                {r.acknowledgedAt ? t('doc.readerAcknowledged') : r.openedAt ? t('doc.readerOpened') : t('doc.readerDelivered')}
                {r.remindedAt?.length ? (
                  <span className="small" data-testid="reminded">
                    {' '}
                    ·{' '}
                    {t('doc.readerReminded', {
                      n: r.remindedAt.length,
                      date: formatDateTime(r.remindedAt[r.remindedAt.length - 1], locale),
                    })}
                  </span>
                ) : null}
                {r.opinion && <div className="small">{t('doc.opinion', { text: r.opinion })}</div>}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

export function DiscussionPanel({ doc, names, meId }: { doc: DocumentView; names: Map<string, string>; meId: string }) {
  const { t, locale } = useI18n();
  const d = doc.discussion;
  if (!d) return null;
  return (
    <section className="panel" aria-labelledby="disc-h">
      <h2 id="disc-h">{t('discussion.title')}</h2>
      <p className="muted small">
        {t('discussion.round', { n: d.round, invited: d.invitees.length, all: d.requireAll ? t('discussion.requireAll') : '' })}
      </p>
      {d.comments.length === 0 ? (
        <p>{t('discussion.none')}</p>
      ) : (
        <ul className="comments">
          {d.comments.map((c, i) => (
            <li key={i}>
              <div>
                <strong>{nameOf(names, c.userId, meId, t)}</strong> ·{' '}
                <span className={`position position-${c.position}`}>{t(`position.${c.position}`)}</span>{' '}
                <time className="muted small" dateTime={c.at}>
                  {formatDateTime(c.at, locale)}
                </time>
              </div>
              {c.text && <p>{c.text}</p>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
