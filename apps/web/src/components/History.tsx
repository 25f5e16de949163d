import { onBehalfLine, useDelT } from '../delegation-strings';
import { useI18n } from '../i18n';
import { formatDateTime, shortHash } from '../format';
import type { HistoryItem, VerifyResult } from '../types';

/** What the trail shows of an event: any workflow's history (its states and actors' roles are its own). */
export type TrailItem = Pick<HistoryItem, 'seq' | 'eventType' | 'reason' | 'revisionNumber' | 'payload' | 'at' | 'hash'> & {
  actor: { id: string; displayName: string };
  /** 代签/代阅: the principal the actor (his deputy) acted for. */
  onBehalfOf?: { displayName: string } | null;
  fromState: string | null;
  toState: string;
};

/**
 * The audit trail with the result of the hash-chain verification. Another workflow (incoming documents) passes its own
 * labels for states and events, whose names may mean something else in the outgoing one.
 */
export function History({
  items,
  verify,
  verifyError,
  labels,
}: {
  items: TrailItem[] | null;
  verify: VerifyResult | null;
  verifyError: boolean;
  labels?: { state: (s: string) => string; event: (e: string) => string };
}) {
  const { t, tx: txOutgoing, locale } = useI18n();
  const { dt } = useDelT();
  const tx = (key: string, fallback: string) =>
    labels && key.startsWith('state.')
      ? labels.state(fallback)
      : labels && key.startsWith('event.')
        ? labels.event(fallback)
        : txOutgoing(key, fallback);
  return (
    <section className="panel" aria-labelledby="hist-h">
      <div className="panel-head">
        <h2 id="hist-h">{t('history.title')}</h2>
        {verify ? (
          verify.ok ? (
            <span className="badge badge-ok" data-testid="chain" title={verify.headHash ?? ''}>
              ✓ {t('history.verified')}
            </span>
          ) : (
            <span className="badge badge-bad" data-testid="chain">
              ✗{' '}
              {t('history.broken', {
                problem: `${verify.firstBroken?.problem ?? ''}${verify.firstBroken?.seq ? ` (#${verify.firstBroken.seq})` : ''}`,
              })}
            </span>
          )
        ) : verifyError ? null : (
          <span className="muted" role="status">
            {t('history.verifying')}
          </span>
        )}
      </div>
      {!items ? (
        <p className="loading" role="status">
          {t('common.loading')}
        </p>
      ) : items.length === 0 ? (
        <p>{t('history.empty')}</p>
      ) : (
        <ol className="timeline" tabIndex={0} aria-label={t('history.title')}>
          {[...items].reverse().map((h) => {
            const payload = h.payload ?? {};
            const opinion = typeof payload.opinion === 'string' ? payload.opinion : typeof payload.text === 'string' ? payload.text : '';
            return (
              <li key={h.seq}>
                <div className="timeline-head">
                  <strong>{tx(`event.${h.eventType}`, h.eventType)}</strong>
                  <span data-testid={h.onBehalfOf ? 'on-behalf' : undefined}>
                    {' '}
                    · {h.onBehalfOf ? onBehalfLine(dt, h.eventType, h.actor.displayName, h.onBehalfOf.displayName) : h.actor.displayName}
                  </span>
                  {h.fromState !== h.toState && (
                    <span className="muted">
                      {' '}
                      · {h.fromState ? `${tx(`state.${h.fromState}`, h.fromState)} → ` : ''}
                      {tx(`state.${h.toState}`, h.toState)}
                    </span>
                  )}
                </div>
                <div className="muted small">
                  <time dateTime={h.at}>{formatDateTime(h.at, locale)}</time> ·{' '}
                  {h.revisionNumber !== null && <>{t('common.revision', { n: h.revisionNumber })} · </>}
                  <span className="mono" title={h.hash}>
                    #{h.seq} {shortHash(h.hash, 8)}
                  </span>
                </div>
                {h.reason && <p className="timeline-reason">{t('history.reason', { reason: h.reason })}</p>}
                {opinion && <p className="timeline-reason">{t('history.opinion', { text: opinion })}</p>}
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
