/** The incoming item's handling actions: 阅件 (and 代阅), 收回改送, 清退, 催办, 答复, the reply document, 归档. */
import { useState, type FormEvent } from 'react';
import { ApiError } from '../../api';
import { incomingApi } from '../../incoming-queries';
import { useInT } from '../../incoming-strings';
import { useAllUnits } from '../../names';
import { navigate } from '../../router';
import { useUser } from '../../session';
import { ErrorBox } from '../ErrorBox';
import { fieldsOf } from './IncomingPanels';
import { EntityPicker } from '../UserPicker';
import { EventShell, IncomingActionContext, OneText, PeoplePicker, SelectField, TextField, useText } from './IncomingFields';

/** 阅文: an optional opinion. */
export function Read({ ctx }: { ctx: IncomingActionContext }) {
  const { it } = useInT();
  const [opinion, setOpinion, clear] = useText(ctx, 'READ', 'opinion');
  return (
    <EventShell ctx={ctx} event="READ" onDone={clear} build={() => (opinion.trim() ? { opinion: opinion.trim() } : {})}>
      <TextField label={it('form.readOpinion')} value={opinion} onChange={setOpinion} multiline />
    </EventShell>
  );
}

/** 收回改送: from a holder who has not read, to someone else, with a reason. */
export function TakeBack({ ctx }: { ctx: IncomingActionContext }) {
  const { it } = useInT();
  const unread = (ctx.item.circulation?.readers ?? []).filter((r) => !r.readAt);
  const [from, setFrom] = useState(unread[0]?.userId ?? '');
  const [to, setTo] = useState<string[]>([]);
  const [reason, setReason, clear] = useText(ctx, 'TAKE_BACK', 'reason');
  const build = () => {
    if (!from) return it('form.required', { field: it('form.takeFrom') });
    if (!to.length) return it('form.required', { field: it('form.giveTo') });
    if (!reason.trim()) return it('form.required', { field: it('form.reason') });
    return { fromUserId: from, toUserId: to[0], reason: reason.trim() };
  };
  return (
    <EventShell ctx={ctx} event="TAKE_BACK" build={build} onDone={clear}>
      <SelectField
        label={it('form.takeFrom')}
        value={from}
        onChange={setFrom}
        options={unread.map((r) => ({ value: r.userId, label: ctx.names.person(r.userId) }))}
      />
      <PeoplePicker ctx={ctx} label={it('form.giveTo')} value={to} onChange={setTo} single />
      <TextField label={it('form.reason')} value={reason} onChange={setReason} multiline required />
    </EventShell>
  );
}

/** 清退: a copy returned or destroyed. */
export function ReturnCopy({ ctx }: { ctx: IncomingActionContext }) {
  const { it } = useInT();
  const held = (ctx.item.copies ?? []).filter((c) => c.status === 'held');
  const [copy, setCopy] = useState(String(held[0]?.number ?? ''));
  const [disposition, setDisposition] = useState<'returned' | 'destroyed'>('returned');
  return (
    <EventShell ctx={ctx} event="RETURN_COPY" build={() => (copy ? { copyNumber: Number(copy), disposition } : it('form.chooseOne'))}>
      <SelectField
        label={it('form.copyNumber')}
        value={copy}
        onChange={setCopy}
        options={held.map((c) => ({ value: String(c.number), label: it('copy.number', { n: c.number }) }))}
      />
      <SelectField
        label={it('form.disposition')}
        value={disposition}
        onChange={(v) => setDisposition(v as 'returned' | 'destroyed')}
        options={(['returned', 'destroyed'] as const).map((d) => ({ value: d, label: it(`copy.${d}`) }))}
      />
    </EventShell>
  );
}

/** 催办: the departments handling it and the readers holding it, urgent or routine. */
export function Remind({ ctx }: { ctx: IncomingActionContext }) {
  const { it } = useInT();
  const depts = ctx.item.departments
    .filter((d) => !d.handedBack && !d.released)
    .map((d) => ({ id: d.departmentId, label: ctx.names.unit(d.departmentId) }));
  const holders = (ctx.item.circulation?.readers ?? [])
    .filter((r) => !r.readAt)
    .map((r) => ({ id: r.userId, label: ctx.names.person(r.userId) }));
  const [targets, setTargets] = useState<string[]>([]);
  const [level, setLevel] = useState<'urgent' | 'routine'>(ctx.item.content.urgency !== 'none' ? 'urgent' : 'routine');
  return (
    <EventShell ctx={ctx} event="REMIND" build={() => (targets.length ? { targets, level } : it('form.chooseOne'))}>
      <EntityPicker items={[...depts, ...holders]} value={targets} onChange={setTargets} label={it('form.remindTargets')} />
      <SelectField
        label={it('form.remindLevel')}
        value={level}
        onChange={(v) => setLevel(v as 'urgent' | 'routine')}
        options={(['urgent', 'routine'] as const).map((l) => ({ value: l, label: it(`remind.${l}`) }))}
      />
    </EventShell>
  );
}

/** 答复 without a reply document; or start the reply document (复文), which answers when it is registered. */
export function Answer({ ctx }: { ctx: IncomingActionContext }) {
  return (
    <>
      <OneText ctx={ctx} event="ANSWER" field="text" label="form.answerText" />
      <StartReply ctx={ctx} />
    </>
  );
}

export const REPLY_KINDS = ['函', '批复', '报告', '意见', '通知'] as const;

/**
 * 起草复文: a new outgoing document in reply to this item (linked both ways; its registration answers the item). It
 * opens a document, which takes the chief role; the issuing body and its signer come from the directory, the
 * drafter is picked by name, the sender is the main recipient.
 */
export function StartReply({ ctx }: { ctx: IncomingActionContext }) {
  const { it } = useInT();
  const user = useUser();
  const allUnits = useAllUnits().data;
  const issuers = (allUnits ?? []).filter((u) => u.kind === 'issuer' && u.signers.length > 0);
  const [kind, setKind] = useState<(typeof REPLY_KINDS)[number]>('函');
  const [title, setTitle] = useState(`关于《${ctx.item.content.title}》的复函`);
  const [issuer, setIssuer] = useState('');
  const [signer, setSigner] = useState('');
  const [drafter, setDrafter] = useState<string[]>([user.id]);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [invalid, setInvalid] = useState<string | null>(null);
  if (ctx.item.reply || !user.roles.includes('chief')) return null;
  const issuerId = issuer || issuers[0]?.id || '';
  const signers = issuers.find((u) => u.id === issuerId)?.signers ?? [];
  const signerId = signer || signers[0]?.id || '';
  const start = async (e: FormEvent) => {
    e.preventDefault();
    if (!title.trim()) return setInvalid(it('form.required', { field: it('field.title') }));
    if (!issuerId || !signerId || !drafter.length) return setInvalid(it('form.chooseOne'));
    setInvalid(null);
    setPending(true);
    setError(null);
    try {
      const started = await incomingApi.startReply(ctx.item.id, {
        kind,
        title: title.trim(),
        mainRecipients: [fieldsOf(ctx.item).senderName],
        issuerUnitIds: [issuerId],
        signers: [{ issuerUnitId: issuerId, signerId }],
        major: false,
        sections: [{ title: '正文', drafterId: drafter[0] }],
      });
      ctx.onItem(started.item, 'LINK_REPLY');
      navigate(`/documents/${started.replyDocumentId}`);
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 401)) setError(err);
    } finally {
      setPending(false);
    }
  };
  return (
    <details className="action" data-testid="start-reply">
      <summary>{it('form.startReply')}</summary>
      <form className="action-form" onSubmit={(e) => void start(e)} aria-label={it('form.startReply')}>
        <SelectField
          label={it('field.kind')}
          value={kind}
          onChange={(v) => setKind(v as (typeof REPLY_KINDS)[number])}
          options={REPLY_KINDS.map((k) => ({ value: k, label: k }))}
        />
        <TextField label={it('field.title')} value={title} onChange={setTitle} required />
        <SelectField
          label={it('form.replyIssuer')}
          value={issuerId}
          onChange={(v) => {
            setIssuer(v);
            setSigner('');
          }}
          options={issuers.map((u) => ({ value: u.id, label: u.name }))}
        />
        <SelectField
          label={it('form.replySigner')}
          value={signerId}
          onChange={setSigner}
          options={signers.map((x) => ({ value: x.id, label: x.displayName }))}
        />
        <PeoplePicker ctx={ctx} label={it('form.replyDrafter')} value={drafter} onChange={setDrafter} single />
        {invalid && (
          <p className="field-error" role="alert">
            {invalid}
          </p>
        )}
        <ErrorBox error={error} />
        <button type="submit" className="btn" disabled={pending}>
          {pending ? it('form.pending') : it('form.startReply')}
        </button>
      </form>
    </details>
  );
}

export function FileItem({ ctx }: { ctx: IncomingActionContext }) {
  const { it } = useInT();
  const [retention, setRetention] = useState('D30');
  return (
    <EventShell ctx={ctx} event="FILE" build={() => ({ retention })}>
      <SelectField
        label={it('form.retention')}
        value={retention}
        onChange={setRetention}
        options={(['Y', 'D30', 'D10'] as const).map((r) => ({ value: r, label: it(`retention.${r}`) }))}
      />
    </EventShell>
  );
}
