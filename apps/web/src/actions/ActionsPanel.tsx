/** The actions the server says I may take now (allowedEvents, and the editors from allowedEdits), and nothing else. */
import { useI18n } from '../i18n';
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
  const allowed: string[] = [...ctx.doc.allowedEvents, ...ctx.doc.allowedEdits].map((e) => e.type).filter((e) => !IMPLICIT.has(e));
  const primary = PRIMARY.filter((e) => allowed.includes(e));
  const secondary = allowed.filter((e) => !PRIMARY.includes(e));

  const body = (type: string) => {
    switch (type) {
      case 'SIGN':
        return <SignAction ctx={ctx} />;
      case 'REVIEW':
        return <ReviewAction ctx={ctx} />;
      case 'ADD_MARK':
        return <MarkAction ctx={ctx} bodyRef={bodyRef} />;
      case 'EDIT_SECTION':
        return <BlockEditor ctx={ctx} mode="section" />;
      case 'EDIT_CONTENT':
        return <BlockEditor ctx={ctx} mode="content" />;
      default:
        return FORMS[type] ? <EventForm ctx={ctx} type={type} spec={FORMS[type]} /> : null;
    }
  };

  return (
    <section className="panel actions" aria-labelledby="actions-h" data-testid="actions">
      <h2 id="actions-h">{t('actions.title')}</h2>
      {allowed.length === 0 && <p className="muted">{t('actions.none')}</p>}
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
