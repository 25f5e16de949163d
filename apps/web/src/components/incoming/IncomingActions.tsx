/**
 * What the user may do with an incoming item now: one form per event the API allows (allowedEvents), never more.
 * The main step of the stage is open; the occasional ones (退文, 催办, 清退, 收回改送, 退回) are folded away. People
 * and departments are picked by name among the receiving unit's; the ids go to the API only.
 */
import { type ReactNode } from 'react';
import { useDelT } from '../../delegation-strings';
import { useInT } from '../../incoming-strings';
import { useUserDirectory } from '../../names';
import { EventShell, IncomingActionContext, OneText } from './IncomingFields';
import { PassCheck, Register, ReturnToSender, SignFor } from './IncomingIntakeActions';
import { AssignDirectly, Instruct, Propose } from './IncomingInstructActions';
import { Answer, FileItem, Read, Remind, ReturnCopy, StartReply, TakeBack } from './IncomingHandlingActions';
export type { IncomingActionContext } from './IncomingFields';

/** Events folded away under "more" (occasional, or a step back). */
const SECONDARY = new Set(['RETURN_TO_SENDER', 'REMIND', 'RETURN_COPY', 'TAKE_BACK', 'HAND_BACK', 'ASSIGN_DIRECTLY']);
/** Events with no form of their own here (LINK_REPLY is done by "draft a reply document"). */
const HIDDEN = new Set(['LINK_REPLY']);

function formFor(ctx: IncomingActionContext, type: string): ReactNode {
  switch (type) {
    case 'SIGN_FOR':
      return <SignFor ctx={ctx} />;
    case 'REGISTER':
      return <Register ctx={ctx} />;
    case 'PASS_CHECK':
      return <PassCheck ctx={ctx} />;
    case 'RETURN_TO_SENDER':
      return <ReturnToSender ctx={ctx} />;
    case 'PROPOSE':
      return <Propose ctx={ctx} />;
    case 'ASSIGN_DIRECTLY':
      return <AssignDirectly ctx={ctx} />;
    case 'INSTRUCT':
      return <Instruct ctx={ctx} />;
    case 'RECORD_HANDLING':
      return <OneText ctx={ctx} event="RECORD_HANDLING" field="text" label="form.record" />;
    case 'HAND_BACK':
      return <OneText ctx={ctx} event="HAND_BACK" field="reason" label="form.handBackReason" danger />;
    case 'COMPLETE_HANDLING':
      return (
        <>
          <OneText ctx={ctx} event="COMPLETE_HANDLING" field="result" label="form.result" />
          <StartReply ctx={ctx} />
        </>
      );
    case 'READ':
      return <Read ctx={ctx} />;
    case 'TAKE_BACK':
      return <TakeBack ctx={ctx} />;
    case 'CLOSE_CIRCULATION':
      return <EventShell ctx={ctx} event="CLOSE_CIRCULATION" build={() => ({})} />;
    case 'RETURN_COPY':
      return <ReturnCopy ctx={ctx} />;
    case 'ANSWER':
      return <Answer ctx={ctx} />;
    case 'REMIND':
      return <Remind ctx={ctx} />;
    case 'FILE':
      return <FileItem ctx={ctx} />;
    default:
      return null;
  }
}

export function IncomingActions({ ctx }: { ctx: IncomingActionContext }) {
  const { it, eventLabel } = useInT();
  const { dt } = useDelT();
  const users = useUserDirectory();
  const types = ctx.item.allowedEvents.map((e) => e.type).filter((x) => !HIDDEN.has(x));
  const main = types.filter((x) => !SECONDARY.has(x));
  const more = types.filter((x) => SECONDARY.has(x));
  // 委托: what I may do for each principal whose delegation to me is in force (代阅), named, never by id
  const actingFor = (ctx.item.actingFor ?? []).map((a) => {
    const name = users.get(a.principalId)?.displayName ?? '';
    return { ...a, name, ctx: { ...ctx, onBehalfOf: { id: a.principalId, name } } };
  });
  return (
    <section className="panel actions" aria-labelledby="in-actions-h" data-testid="incoming-actions">
      <h2 id="in-actions-h">{it('panel.actions')}</h2>
      {types.length === 0 && actingFor.length === 0 && <p className="muted">{it('panel.noActions')}</p>}
      {actingFor.map((a, n) => (
        <section key={a.principalId} className="action-group" aria-labelledby={`in-for-${n}`} data-testid="acting-for">
          <h3 id={`in-for-${n}`}>{dt('act.heading', { principal: a.name })}</h3>
          {a.allowedEvents
            .map((e) => e.type)
            .filter((x) => !HIDDEN.has(x))
            .map((type) => (
              <div key={type} className="action">
                <h4>
                  {eventLabel(type)}（{dt('act.for', { principal: a.name })}）
                </h4>
                {formFor(a.ctx, type)}
              </div>
            ))}
        </section>
      ))}
      {main.map((type) => (
        <div key={type} className="action">
          <h3>{eventLabel(type)}</h3>
          {formFor(ctx, type)}
        </div>
      ))}
      {more.map((type) => (
        <details key={type} className="action">
          <summary>{eventLabel(type)}</summary>
          {formFor(ctx, type)}
        </details>
      ))}
    </section>
  );
}
