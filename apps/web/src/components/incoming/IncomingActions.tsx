/**
 * What the user may do with an incoming item now: one form per event the API allows (allowedEvents), never more.
 * The main step of the stage is open; the occasional ones (退文, 催办, 清退, 收回改送, 退回) are folded away. People
 * and departments are picked by name among the receiving unit's; the ids go to the API only.
 */
import { useId, useMemo, useState, type FormEvent, type ReactNode } from 'react';
import { ApiError } from '../../api';
import { useDraft, draftKey } from '../../drafts';
import { incomingApi } from '../../incoming-queries';
import { useInT, type InKey } from '../../incoming-strings';
import type { IncomingEventBody, IncomingView } from '../../incoming-types';
import { useI18n } from '../../i18n';
import { useAllUnits } from '../../names';
import { navigate } from '../../router';
import { useUser } from '../../session';
import type { ClassificationLevel, Urgency } from '../../types';
import { ErrorBox } from '../ErrorBox';
import { fieldsOf } from './IncomingPanels';
import { EntityPicker } from '../UserPicker';
import type { IncomingNames } from './useIncomingNames';

export interface IncomingActionContext {
  item: IncomingView;
  names: IncomingNames;
  /** A write succeeded: the new item and which event it was. */
  onItem: (item: IncomingView, event: string) => void;
  /** A 409: someone else acted; the page reloads and says so. */
  onConflict: (e: ApiError) => void;
}

/** Events folded away under "more" (occasional, or a step back). */
const SECONDARY = new Set(['RETURN_TO_SENDER', 'REMIND', 'RETURN_COPY', 'TAKE_BACK', 'HAND_BACK', 'ASSIGN_DIRECTLY']);
/** Events with no form of their own here (LINK_REPLY is done by "draft a reply document"). */
const HIDDEN = new Set(['LINK_REPLY']);

type Body = Record<string, unknown>;

/** A form for one event: its fields, a submit button, the server's problem, pending state. */
function EventShell({
  ctx,
  event,
  children,
  build,
  danger,
  onDone,
}: {
  ctx: IncomingActionContext;
  event: string;
  children?: ReactNode;
  /** The payload, or an error message (in the interface language) that keeps it from being sent. */
  build: () => Body | string;
  danger?: boolean;
  onDone?: () => void;
}) {
  const { it, eventLabel, stateLabel } = useInT();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [invalid, setInvalid] = useState<string | null>(null);
  const labels = useMemo(() => ({ state: stateLabel, event: eventLabel }), [stateLabel, eventLabel]);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body = build();
    if (typeof body === 'string') {
      setInvalid(body);
      return;
    }
    setInvalid(null);
    setPending(true);
    setError(null);
    try {
      // the payload is the form's; the server validates it against the event's schema (allowedEvents[].payloadSchema)
      const next = await incomingApi.event(ctx.item, { type: event, ...body } as IncomingEventBody);
      onDone?.();
      ctx.onItem(next, event);
    } catch (err) {
      if (err instanceof ApiError && err.status === 409 && err.code === 'VERSION_CONFLICT') ctx.onConflict(err);
      else if (!(err instanceof ApiError && err.status === 401)) setError(err);
    } finally {
      setPending(false);
    }
  };
  return (
    <form className="action-form" onSubmit={(e) => void submit(e)} data-event={event} aria-label={eventLabel(event)}>
      {children}
      {invalid && (
        <p className="field-error" role="alert">
          {invalid}
        </p>
      )}
      <ErrorBox error={error} workflow="incoming" labels={labels} />
      <button type="submit" className={danger ? 'btn btn-danger' : 'btn btn-primary'} disabled={pending}>
        {pending ? it('form.pending') : eventLabel(event)}
      </button>
    </form>
  );
}

function TextField({
  label,
  value,
  onChange,
  multiline,
  type = 'text',
  required,
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  multiline?: boolean;
  type?: 'text' | 'date' | 'number';
  required?: boolean;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {multiline ? (
        <textarea id={id} rows={3} value={value} onChange={(e) => onChange(e.target.value)} required={required} />
      ) : (
        <input
          id={id}
          type={type}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          required={required}
          min={type === 'number' ? 0 : undefined}
        />
      )}
    </div>
  );
}

function SelectField({
  label,
  value,
  onChange,
  options,
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  options: { value: string; label: string }[];
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** A text kept as a draft in sessionStorage (survives a lost session), per user, item and event. */
function useText(ctx: IncomingActionContext, event: string, field: string) {
  const user = useUser();
  return useDraft(draftKey(user.id, 'incoming', ctx.item.id, event, field));
}

function PeoplePicker({
  ctx,
  label,
  value,
  onChange,
  role,
  single,
}: {
  ctx: IncomingActionContext;
  label: string;
  value: string[];
  onChange: (v: string[]) => void;
  role?: string;
  single?: boolean;
}) {
  const items = ctx.names.people
    .filter((u) => !role || (u.roles as string[]).includes(role))
    .map((u) => ({ id: u.id, label: u.displayName, detail: u.unitName ?? undefined, keys: u.username }));
  return (
    <EntityPicker
      items={ctx.names.ready ? items : undefined}
      loading={!ctx.names.ready}
      value={value}
      onChange={onChange}
      label={label}
      single={single}
    />
  );
}

/** 签收: the copies counted. */
function SignFor({ ctx }: { ctx: IncomingActionContext }) {
  const { it } = useInT();
  const [copies, setCopies] = useState(String(ctx.item.content.copies ?? ctx.item.copies?.length ?? 1));
  return (
    <EventShell
      ctx={ctx}
      event="SIGN_FOR"
      build={() => (Number(copies) >= 1 ? { copies: Number(copies) } : it('form.required', { field: it('form.copies') }))}
    >
      <TextField label={it('form.copies')} type="number" value={copies} onChange={setCopies} required />
    </EventShell>
  );
}

const CLASSIFICATIONS: ClassificationLevel[] = ['none', 'confidential', 'secret', 'top_secret'];
const URGENCIES: Urgency[] = ['none', 'urgent', 'extra_urgent'];

/** 登记: the register fields, filled in from what came with the document; the number is the system's. */
function Register({ ctx }: { ctx: IncomingActionContext }) {
  const { it } = useInT();
  const { t } = useI18n();
  const c = ctx.item.content;
  const [f, setF] = useState({
    title: c.title ?? '',
    kind: c.kind ?? '',
    senderName: c.senderName ?? '',
    senderNumber: c.senderNumber ?? '',
    dateOfIssue: c.dateOfIssue?.slice(0, 10) ?? '',
    classification: c.classification ?? 'none',
    secrecyPeriod: c.secrecyPeriod ?? '',
    urgency: c.urgency ?? 'none',
    copies: String(ctx.item.receipt?.copies ?? c.copies ?? 1), // what was counted at 签收
    pages: c.pages ? String(c.pages) : '',
    summary: c.summary ?? '',
    dueDate: c.dueDate?.slice(0, 10) ?? '',
    leadDepartmentId: c.leadDepartmentId ?? '',
  });
  const set = (k: keyof typeof f) => (v: string) => setF((x) => ({ ...x, [k]: v }));
  const build = () => {
    if (!f.title.trim()) return it('form.required', { field: it('field.title') });
    if (!f.senderName.trim()) return it('form.required', { field: it('field.senderName') });
    const fields: Body = {
      title: f.title.trim(),
      senderName: f.senderName.trim(),
      classification: f.classification,
      urgency: f.urgency,
      copies: Number(f.copies) || 1,
    };
    if (f.kind.trim()) fields.kind = f.kind.trim();
    if (f.senderNumber.trim()) fields.senderNumber = f.senderNumber.trim();
    if (f.dateOfIssue) fields.dateOfIssue = f.dateOfIssue;
    if (f.classification !== 'none' && f.secrecyPeriod.trim()) fields.secrecyPeriod = f.secrecyPeriod.trim();
    if (f.pages) fields.pages = Number(f.pages);
    if (f.summary.trim()) fields.summary = f.summary.trim();
    if (f.dueDate) fields.dueDate = f.dueDate;
    if (f.leadDepartmentId) fields.leadDepartmentId = f.leadDepartmentId;
    return { fields };
  };
  return (
    <EventShell ctx={ctx} event="REGISTER" build={build}>
      <p className="hint">{it('form.receiveNumberAuto')}</p>
      <div className="form-grid">
        <div className="field-wide">
          <TextField label={it('field.title')} value={f.title} onChange={set('title')} required />
        </div>
        <TextField label={it('field.senderName')} value={f.senderName} onChange={set('senderName')} required />
        <TextField label={it('field.senderNumber')} value={f.senderNumber} onChange={set('senderNumber')} />
        <TextField label={it('field.kind')} value={f.kind} onChange={set('kind')} />
        <TextField label={it('field.dateOfIssue')} type="date" value={f.dateOfIssue} onChange={set('dateOfIssue')} />
        <SelectField
          label={it('field.classification')}
          value={f.classification}
          onChange={set('classification')}
          options={CLASSIFICATIONS.map((x) => ({ value: x, label: t(`class.${x}`) }))}
        />
        {f.classification !== 'none' && (
          <TextField label={it('field.secrecyPeriod')} value={f.secrecyPeriod} onChange={set('secrecyPeriod')} />
        )}
        <SelectField
          label={it('field.urgency')}
          value={f.urgency}
          onChange={set('urgency')}
          options={URGENCIES.map((x) => ({ value: x, label: t(`urgency.${x}`) }))}
        />
        <TextField label={it('field.copies')} type="number" value={f.copies} onChange={set('copies')} />
        <TextField label={it('field.pages')} type="number" value={f.pages} onChange={set('pages')} />
        <TextField label={it('field.dueDate')} type="date" value={f.dueDate} onChange={set('dueDate')} />
        <SelectField
          label={it('field.leadDepartment')}
          value={f.leadDepartmentId}
          onChange={set('leadDepartmentId')}
          options={[{ value: '', label: '—' }, ...ctx.names.departments.map((d) => ({ value: d.id, label: d.name }))]}
        />
        <div className="field-wide">
          <TextField label={it('field.summary')} value={f.summary} onChange={set('summary')} multiline />
        </div>
      </div>
    </EventShell>
  );
}

const CHECK_ITEMS = [1, 2, 3, 4, 5] as const;

/** 初审: the five checks of art. 24, then the route (for information: readers and order). */
function PassCheck({ ctx }: { ctx: IncomingActionContext }) {
  const { it } = useInT();
  const [passed, setPassed] = useState<number[]>([]);
  const [comment, setComment] = useState('');
  const [route, setRoute] = useState<'action' | 'information'>('action');
  const [readers, setReaders] = useState<string[]>([]);
  const [order, setOrder] = useState<'sequential' | 'parallel'>('sequential');
  const build = () => {
    if (passed.length < 5) return it('form.chooseOne');
    if (route === 'information' && readers.length === 0) return it('form.required', { field: it('form.readers') });
    return {
      // one remark for the check as a whole, kept with the last item (the five are passed together)
      checks: CHECK_ITEMS.map((item) => ({ item, passed: true, ...(item === 5 && comment.trim() ? { comment: comment.trim() } : {}) })),
      route,
      ...(route === 'information' ? { readerIds: readers, order } : {}),
    };
  };
  return (
    <EventShell ctx={ctx} event="PASS_CHECK" build={build}>
      <fieldset className="review-item">
        <legend>{it('form.checksLegend')}</legend>
        {CHECK_ITEMS.map((n) => (
          <div key={n}>
            <label className="field-check">
              <input
                type="checkbox"
                checked={passed.includes(n)}
                onChange={(e) => setPassed((p) => (e.target.checked ? [...p, n] : p.filter((x) => x !== n)))}
              />
              {n}. {it(`check.${n}` as InKey)}
            </label>
          </div>
        ))}
        <TextField label={it('form.checkComment')} value={comment} onChange={setComment} multiline />
      </fieldset>
      <fieldset className="review-item">
        <legend>{it('form.route')}</legend>
        {(['action', 'information'] as const).map((r) => (
          <label key={r} className="field-check">
            <input type="radio" name={`route-${ctx.item.id}`} checked={route === r} onChange={() => setRoute(r)} /> {it(`route.${r}`)}
          </label>
        ))}
      </fieldset>
      {route === 'information' && (
        <>
          <PeoplePicker ctx={ctx} label={it('form.readers')} value={readers} onChange={setReaders} />
          <OrderField value={order} onChange={setOrder} />
        </>
      )}
    </EventShell>
  );
}

function OrderField({ value, onChange }: { value: 'sequential' | 'parallel'; onChange: (v: 'sequential' | 'parallel') => void }) {
  const { it } = useInT();
  return (
    <SelectField
      label={it('form.order')}
      value={value}
      onChange={(v) => onChange(v as 'sequential' | 'parallel')}
      options={(['sequential', 'parallel'] as const).map((o) => ({ value: o, label: it(`circ.order.${o}`) }))}
    />
  );
}

/** 退文: the reason and, from the check, which of the five checks failed. */
function ReturnToSender({ ctx }: { ctx: IncomingActionContext }) {
  const { it } = useInT();
  const [reason, setReason, clear] = useText(ctx, 'RETURN_TO_SENDER', 'reason');
  const [failed, setFailed] = useState<number[]>([]);
  const fromCheck = ctx.item.state === 'check';
  const build = () => {
    if (!reason.trim()) return it('form.required', { field: it('form.reason') });
    if (fromCheck && failed.length === 0) return it('form.chooseOne');
    return { reason: reason.trim(), ...(failed.length ? { failedChecks: [...failed].sort((a, b) => a - b) } : {}) };
  };
  return (
    <EventShell ctx={ctx} event="RETURN_TO_SENDER" build={build} danger onDone={clear}>
      {fromCheck && (
        <fieldset className="review-item">
          <legend>{it('form.failedChecks')}</legend>
          {CHECK_ITEMS.map((n) => (
            <label key={n} className="field-check">
              <input
                type="checkbox"
                checked={failed.includes(n)}
                onChange={(e) => setFailed((p) => (e.target.checked ? [...p, n] : p.filter((x) => x !== n)))}
              />
              {n}. {it(`check.${n}` as InKey)}
            </label>
          ))}
        </fieldset>
      )}
      <TextField label={it('form.reason')} value={reason} onChange={setReason} multiline required />
    </EventShell>
  );
}

/** 拟办: the chief's proposal and the leaders it goes to. */
function Propose({ ctx }: { ctx: IncomingActionContext }) {
  const { it } = useInT();
  const [opinion, setOpinion, clear] = useText(ctx, 'PROPOSE', 'opinion');
  const [leaders, setLeaders] = useState<string[]>([]);
  const build = () => {
    if (!opinion.trim()) return it('form.required', { field: it('form.opinion') });
    if (!leaders.length) return it('form.required', { field: it('form.leaders') });
    return { opinion: opinion.trim(), leaderIds: leaders };
  };
  return (
    <EventShell ctx={ctx} event="PROPOSE" build={build} onDone={clear}>
      <TextField label={it('form.opinion')} value={opinion} onChange={setOpinion} multiline required />
      <PeoplePicker ctx={ctx} label={it('form.leaders')} value={leaders} onChange={setLeaders} role="leader" />
    </EventShell>
  );
}

interface Assignment {
  lead: string;
  assisting: string[];
  deadlines: Record<string, string>;
  readers: string[];
  order: 'sequential' | 'parallel';
}

/** The lead department, the assisting ones, a deadline for each (required when urgent), readers after handling. */
function DepartmentsFields({ ctx, value, onChange }: { ctx: IncomingActionContext; value: Assignment; onChange: (a: Assignment) => void }) {
  const { it } = useInT();
  const depts = ctx.names.departments;
  const chosen = [value.lead, ...value.assisting].filter(Boolean);
  return (
    <>
      <SelectField
        label={it('form.lead')}
        value={value.lead}
        onChange={(lead) => onChange({ ...value, lead, assisting: value.assisting.filter((a) => a !== lead) })}
        options={[{ value: '', label: '—' }, ...depts.map((d) => ({ value: d.id, label: d.name }))]}
      />
      <EntityPicker
        items={depts.filter((d) => d.id !== value.lead).map((d) => ({ id: d.id, label: d.name }))}
        value={value.assisting}
        onChange={(assisting) => onChange({ ...value, assisting })}
        label={it('form.assisting')}
      />
      {chosen.map((id) => (
        <TextField
          key={id}
          label={it('form.deadline', { dept: ctx.names.unit(id) })}
          type="date"
          value={value.deadlines[id] ?? ''}
          onChange={(d) => onChange({ ...value, deadlines: { ...value.deadlines, [id]: d } })}
        />
      ))}
      <PeoplePicker ctx={ctx} label={it('form.readers')} value={value.readers} onChange={(readers) => onChange({ ...value, readers })} />
      {value.readers.length > 0 && <OrderField value={value.order} onChange={(order) => onChange({ ...value, order })} />}
    </>
  );
}

function assignmentBody(ctx: IncomingActionContext, a: Assignment, it: ReturnType<typeof useInT>['it']): Body | string {
  if (!a.lead) return it('form.required', { field: it('form.lead') });
  if (a.assisting.includes(a.lead)) return it('form.distinct');
  const urgent = ctx.item.content.urgency !== 'none';
  const spec = (departmentId: string) => ({ departmentId, ...(a.deadlines[departmentId] ? { deadline: a.deadlines[departmentId] } : {}) });
  if (urgent && [a.lead, ...a.assisting].some((d) => !a.deadlines[d])) return it('form.deadlineRequired');
  return {
    lead: spec(a.lead),
    assisting: a.assisting.map(spec),
    ...(a.readers.length ? { readerIds: a.readers, order: a.order } : {}),
  };
}

const emptyAssignment = (ctx: IncomingActionContext): Assignment => ({
  lead: ctx.item.content.leadDepartmentId ?? '',
  assisting: [],
  deadlines: {},
  readers: [],
  order: 'sequential',
});

/** 批示: the leader's instruction, naming the lead and assisting departments with their deadlines. */
function Instruct({ ctx }: { ctx: IncomingActionContext }) {
  const { it } = useInT();
  const [text, setText, clear] = useText(ctx, 'INSTRUCT', 'instruction');
  const [a, setA] = useState<Assignment>(() => emptyAssignment(ctx));
  const build = () => {
    if (!text.trim()) return it('form.required', { field: it('form.instruction') });
    const body = assignmentBody(ctx, a, it);
    return typeof body === 'string' ? body : { instruction: text.trim(), ...body };
  };
  return (
    <EventShell ctx={ctx} event="INSTRUCT" build={build} onDone={clear}>
      <TextField label={it('form.instruction')} value={text} onChange={setText} multiline required />
      <DepartmentsFields ctx={ctx} value={a} onChange={setA} />
    </EventShell>
  );
}

/** 直接交办: the chief assigns departments without a leader's instruction. */
function AssignDirectly({ ctx }: { ctx: IncomingActionContext }) {
  const { it } = useInT();
  const [opinion, setOpinion, clear] = useText(ctx, 'ASSIGN_DIRECTLY', 'opinion');
  const [a, setA] = useState<Assignment>(() => emptyAssignment(ctx));
  const build = () => {
    if (!opinion.trim()) return it('form.required', { field: it('form.opinion') });
    const body = assignmentBody(ctx, a, it);
    return typeof body === 'string' ? body : { opinion: opinion.trim(), ...body };
  };
  return (
    <EventShell ctx={ctx} event="ASSIGN_DIRECTLY" build={build} onDone={clear}>
      <TextField label={it('form.opinion')} value={opinion} onChange={setOpinion} multiline required />
      <DepartmentsFields ctx={ctx} value={a} onChange={setA} />
    </EventShell>
  );
}

/** A single required text (record handling, result, hand back, answer). */
function OneText({
  ctx,
  event,
  field,
  label,
  danger,
}: {
  ctx: IncomingActionContext;
  event: string;
  field: string;
  label: InKey;
  danger?: boolean;
}) {
  const { it } = useInT();
  const [text, setText, clear] = useText(ctx, event, field);
  return (
    <EventShell
      ctx={ctx}
      event={event}
      danger={danger}
      onDone={clear}
      build={() => (text.trim() ? { [field]: text.trim() } : it('form.required', { field: it(label) }))}
    >
      <TextField label={it(label)} value={text} onChange={setText} multiline required />
    </EventShell>
  );
}

/** 阅文: an optional opinion. */
function Read({ ctx }: { ctx: IncomingActionContext }) {
  const { it } = useInT();
  const [opinion, setOpinion, clear] = useText(ctx, 'READ', 'opinion');
  return (
    <EventShell ctx={ctx} event="READ" onDone={clear} build={() => (opinion.trim() ? { opinion: opinion.trim() } : {})}>
      <TextField label={it('form.readOpinion')} value={opinion} onChange={setOpinion} multiline />
    </EventShell>
  );
}

/** 收回改送: from a holder who has not read, to someone else, with a reason. */
function TakeBack({ ctx }: { ctx: IncomingActionContext }) {
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
function ReturnCopy({ ctx }: { ctx: IncomingActionContext }) {
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
function Remind({ ctx }: { ctx: IncomingActionContext }) {
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
function Answer({ ctx }: { ctx: IncomingActionContext }) {
  return (
    <>
      <OneText ctx={ctx} event="ANSWER" field="text" label="form.answerText" />
      <StartReply ctx={ctx} />
    </>
  );
}

const REPLY_KINDS = ['函', '批复', '报告', '意见', '通知'] as const;

/**
 * 起草复文: a new outgoing document in reply to this item (linked both ways; its registration answers the item). It
 * opens a document, which takes the chief role; the issuing body and its signer come from the directory, the
 * drafter is picked by name, the sender is the main recipient.
 */
function StartReply({ ctx }: { ctx: IncomingActionContext }) {
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

function FileItem({ ctx }: { ctx: IncomingActionContext }) {
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
  const types = ctx.item.allowedEvents.map((e) => e.type).filter((x) => !HIDDEN.has(x));
  const main = types.filter((x) => !SECONDARY.has(x));
  const more = types.filter((x) => SECONDARY.has(x));
  return (
    <section className="panel actions" aria-labelledby="in-actions-h" data-testid="incoming-actions">
      <h2 id="in-actions-h">{it('panel.actions')}</h2>
      {types.length === 0 && <p className="muted">{it('panel.noActions')}</p>}
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
