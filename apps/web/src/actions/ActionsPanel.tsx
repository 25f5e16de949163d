/** The actions the server says I may take now (allowedEvents, and the editors from allowedEdits), and nothing else. */
import { useDelT } from '../delegation-strings';
import { useI18n } from '../i18n';
import { useUserDirectory } from '../names';
import { BlockEditor } from './BlockEditor';
import { EventForm, FORMS } from './EventForm';
import { MarkAction } from './MarkAction';
import { ReviewAction } from './ReviewAction';
import { SignAction } from './SignAction';
import type { ActionContext } from './useAction';

/** Shown open, in this order; the rest (rarer or backward moves) fold under "other actions". */
const PRIMARY = [
  'SIGN',
  'REJECT',
  'REVIEW',
  'ACKNOWLEDGE',
  'ADD_MARK',
  'PASS_PROOFREADING',
  'REGISTER',
  'FILE',
  'COMMENT',
  'CLOSE_DISCUSSION',
  'EDIT_SECTION',
  'SUBMIT_SECTION',
  'START_CONSOLIDATION',
  'EDIT_CONTENT',
  'START_DISCUSSION',
  'SKIP_DISCUSSION',
  'RETURN',
];
/** Handled elsewhere: OPEN is sent when a reader opens the page; DISMISS_MARK sits on each mark. */
const IMPLICIT = new Set(['OPEN', 'DISMISS_MARK']);

export function ActionsPanel({ ctx, bodyRef }: { ctx: ActionContext; bodyRef: React.RefObject<HTMLDivElement | null> }) {
  const { t, tx } = useI18n();
  const { dt } = useDelT();
  const users = useUserDirectory();
  // 委托: what I may do for each principal whose delegation to me is in force (代签, 代阅)
  const actingFor = (ctx.doc.actingFor ?? []).map((a) => ({
    ...a,
    name: users.get(a.principalId)?.displayName ?? '',
    ctx: { ...ctx, userId: a.principalId, onBehalfOf: a.principalId },
    types: PRIMARY.filter((e) => a.allowedEvents.some((x) => x.type === e)),
  }));
  const allowed: string[] = [...ctx.doc.allowedEvents, ...ctx.doc.allowedEdits].map((e) => e.type).filter((e) => !IMPLICIT.has(e));
  const primary = PRIMARY.filter((e) => allowed.includes(e));
  const secondary = allowed.filter((e) => !PRIMARY.includes(e));

  const body = (type: string, c: ActionContext = ctx) => {
    switch (type) {
      case 'SIGN':
        return <SignAction ctx={c} />;
      case 'REVIEW':
        return <ReviewAction ctx={ctx} />;
      case 'ADD_MARK':
        return <MarkAction ctx={ctx} bodyRef={bodyRef} />;
      case 'EDIT_SECTION':
        return <BlockEditor ctx={ctx} mode="section" />;
      case 'EDIT_CONTENT':
        return <BlockEditor ctx={ctx} mode="content" />;
      default:
        return FORMS[type] ? <EventForm ctx={c} type={type} spec={FORMS[type]} /> : null;
    }
  };

  return (
    <section className="panel actions" aria-labelledby="actions-h" data-testid="actions">
      <h2 id="actions-h">{t('actions.title')}</h2>
      {allowed.length === 0 && actingFor.length === 0 && <p className="muted">{t('actions.none')}</p>}
      {actingFor.map((a) => (
        <section key={a.principalId} className="action-group" aria-labelledby={`for-${a.principalId}`} data-testid="acting-for">
          <h3 id={`for-${a.principalId}`}>{dt('act.heading', { principal: a.name })}</h3>
          {a.types.map((type) => (
            <section key={type} className="action" aria-labelledby={`act-${a.principalId}-${type}`}>
              <h4 id={`act-${a.principalId}-${type}`}>
                {tx(`event.${type}`, type)}（{dt('act.for', { principal: a.name })}）
              </h4>
              {body(type, a.ctx)}
            </section>
          ))}
        </section>
      ))}
      {primary.map((type) => (
        <section key={type} className="action" aria-labelledby={`act-${type}`}>
          <h3 id={`act-${type}`}>{tx(`event.${type}`, type)}</h3>
          {body(type)}
        </section>
      ))}
      {secondary.length > 0 && (
        <div className="more-actions">
          <h3 className="small muted">{t('actions.more')}</h3>
          {secondary.map((type) => (
            <details key={type} className="action">
              <summary>{tx(`event.${type}`, type)}</summary>
              {body(type)}
            </details>
          ))}
        </div>
      )}
    </section>
  );
}
