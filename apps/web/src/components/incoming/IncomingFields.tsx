/** The building blocks of the incoming item's action forms: the event form, its fields, the people and order pickers. */
import type { IncomingNames } from './useIncomingNames';
import { useId, useMemo, useState, type FormEvent, type ReactNode } from 'react';
import { ApiError } from '../../api';
import { useDraft, draftKey } from '../../drafts';
import { incomingApi } from '../../incoming-queries';
import { useInT, type InKey } from '../../incoming-strings';
import type { IncomingEventBody, IncomingView } from '../../incoming-types';
import { useUser } from '../../session';
import { useDelT } from '../../delegation-strings';
import { ErrorBox } from '../ErrorBox';
import { EntityPicker } from '../UserPicker';

export interface IncomingActionContext {
  item: IncomingView;
  names: IncomingNames;
  /** A write succeeded: the new item and which event it was. */
  onItem: (item: IncomingView, event: string) => void;
  /** A 409: someone else acted; the page reloads and says so. */
  onConflict: (e: ApiError) => void;
  /** 代阅: the principal this form acts for under a delegation (委托), named; absent for the user's own actions. */
  onBehalfOf?: { id: string; name: string };
}

export type Body = Record<string, unknown>;

/** A form for one event: its fields, a submit button, the server's problem, pending state. */
export function EventShell({
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
  const { dt } = useDelT();
  const label = ctx.onBehalfOf ? `${eventLabel(event)}（${dt('act.for', { principal: ctx.onBehalfOf.name })}）` : eventLabel(event);
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
      // 代阅: the server takes the principal from the deputy's delegations in force; the body only names him
      const obo = ctx.onBehalfOf ? { onBehalfOf: ctx.onBehalfOf.id } : {};
      const next = await incomingApi.event(ctx.item, { type: event, ...body, ...obo } as IncomingEventBody);
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
    <form className="action-form" onSubmit={(e) => void submit(e)} data-event={event} aria-label={label}>
      {children}
      {invalid && (
        <p className="field-error" role="alert">
          {invalid}
        </p>
      )}
      <ErrorBox error={error} workflow="incoming" labels={labels} />
      <button type="submit" className={danger ? 'btn btn-danger' : 'btn btn-primary'} disabled={pending}>
        {pending ? it('form.pending') : label}
      </button>
    </form>
  );
}

export function TextField({
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

export function SelectField({
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
export function useText(ctx: IncomingActionContext, event: string, field: string) {
  const user = useUser();
  return useDraft(draftKey(user.id, 'incoming', ctx.item.id, ctx.onBehalfOf ? `${event}@${ctx.onBehalfOf.id}` : event, field));
}

export function PeoplePicker({
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

export function OrderField({ value, onChange }: { value: 'sequential' | 'parallel'; onChange: (v: 'sequential' | 'parallel') => void }) {
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

/** A single required text (record handling, result, hand back, answer). */
export function OneText({
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
