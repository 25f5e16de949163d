/**
 * Workflow events whose payload is a few plain fields, described as data: a reason, an optional note, a choice,
 * people (picked by name). Text fields and choices of people are drafts in sessionStorage (they survive a lost
 * session); a required field that is blank keeps the button disabled, and so does a gate the page can see is unmet
 * (gates.ts), with the reason beside the button.
 */
import { useId, useState } from 'react';
import { api } from '../api';
import { ErrorBox } from '../components/ErrorBox';
import { UserPicker } from '../components/UserPicker';
import { useDraft, draftKey } from '../drafts';
import { parseIds } from '../format';
import { unmetConditions } from '../gates';
import { useI18n, type T } from '../i18n';
import { useProblemNames } from '../names';
import { conditionMessage } from '../problems';
import type { StringKey } from '../strings';
import type { DocumentView, Role } from '../types';
import { useAction, type ActionContext } from './useAction';

type Values = Record<string, string>;
type Option = { value: string; label: string };

export type FieldSpec =
  | { name: string; kind: 'reason' }
  | { name: string; kind: 'text'; label: StringKey; multiline?: boolean; requiredWhen?: (v: Values) => boolean; hint?: StringKey }
  | { name: string; kind: 'select'; label: StringKey; options: (doc: DocumentView, userId: string, t: T) => Option[] }
  | { name: string; kind: 'checkbox'; label: StringKey }
  | { name: string; kind: 'ids'; label: StringKey; single?: boolean; role: Role }
  | { name: string; kind: 'number'; label: StringKey; min: number; initial: number };

export interface FormSpec {
  fields: FieldSpec[];
  /** A backward or final move: styled as such. */
  danger?: boolean;
  hint?: StringKey;
}

const reason: FieldSpec = { name: 'reason', kind: 'reason' };
const note: FieldSpec = { name: 'reason', kind: 'text', label: 'action.note', multiline: true };

export const FORMS: Record<string, FormSpec> = {
  REJECT: { fields: [reason], danger: true },
  RETURN: { fields: [reason], danger: true },
  WITHDRAW: { fields: [reason], danger: true },
  CLOSE_CIRCULATION: { fields: [reason], danger: true },
  ACKNOWLEDGE: { fields: [{ name: 'opinion', kind: 'text', label: 'action.opinion', multiline: true }] },
  START_CONSOLIDATION: { fields: [] },
  PASS_PROOFREADING: { fields: [] },
  REMIND: { fields: [], hint: 'action.remindHint' },
  SKIP_DISCUSSION: { fields: [note] },
  MARK_MAJOR: { fields: [note] },
  START_DISCUSSION: {
    fields: [
      { name: 'invitees', kind: 'ids', label: 'action.invitees', role: 'discussant' },
      { name: 'requireAll', kind: 'checkbox', label: 'action.requireAll' },
    ],
  },
  CLOSE_DISCUSSION: {
    fields: [
      {
        name: 'decision',
        kind: 'select',
        label: 'action.decision',
        options: (_d, _u, t) => [
          { value: 'accept', label: t('decision.accept') },
          { value: 'revise', label: t('decision.revise') },
        ],
      },
      { name: 'reason', kind: 'text', label: 'action.note', multiline: true, requiredWhen: (v) => v.decision === 'revise' },
    ],
  },
  COMMENT: {
    fields: [
      {
        name: 'position',
        kind: 'select',
        label: 'action.position',
        options: (_d, _u, t) => (['agree', 'agree_with_changes', 'object'] as const).map((p) => ({ value: p, label: t(`position.${p}`) })),
      },
      { name: 'text', kind: 'text', label: 'action.commentText', multiline: true },
    ],
  },
  RETURN_SECTION: {
    fields: [
      {
        name: 'sectionId',
        kind: 'select',
        label: 'action.section',
        options: (d) => d.sections.map((s) => ({ value: s.id, label: s.title })),
      },
      reason,
    ],
    danger: true,
  },
  SUBMIT_SECTION: {
    fields: [
      {
        name: 'sectionId',
        kind: 'select',
        label: 'action.section',
        options: (d, u) =>
          d.sections.filter((s) => s.drafterId === u && s.status !== 'submitted').map((s) => ({ value: s.id, label: s.title })),
      },
    ],
  },
  ADD_SECTION: {
    fields: [
      { name: 'title', kind: 'text', label: 'action.sectionTitle', requiredWhen: () => true },
      { name: 'drafterId', kind: 'ids', label: 'action.drafterId', single: true, role: 'secretary' },
    ],
  },
  REGISTER: {
    fields: [
      { name: 'copies', kind: 'number', label: 'action.copies', min: 1, initial: 1 },
      { name: 'readerIds', kind: 'ids', label: 'action.readerIds', role: 'reader' },
    ],
  },
  // 用印: the custodian picks the issuing body whose seal they apply (a joint document has several)
  APPLY_SEAL: {
    fields: [
      {
        name: 'issuerUnitId',
        kind: 'select',
        label: 'action.sealIssuer',
        options: (d) => d.content.issuers.map((i) => ({ value: i.unitId, label: i.name })),
      },
    ],
    hint: 'action.sealHint',
  },
  FILE: {
    fields: [
      {
        name: 'retention',
        kind: 'select',
        label: 'action.retention',
        options: (_d, _u, t) => (['Y', 'D30', 'D10'] as const).map((r) => ({ value: r, label: t(`retention.${r}`) })),
      },
    ],
  },
};

/** One text field persisted as a draft. */
function DraftField({
  id,
  label,
  value,
  onChange,
  multiline,
  required,
  hint,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
  multiline?: boolean;
  required?: boolean;
  hint?: string;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {multiline ? (
        <textarea
          id={id}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          rows={3}
          required={required}
          aria-describedby={hint ? `${id}-hint` : undefined}
        />
      ) : (
        <input
          id={id}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          required={required}
          aria-describedby={hint ? `${id}-hint` : undefined}
        />
      )}
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
    </div>
  );
}

export function EventForm({ ctx, type, spec }: { ctx: ActionContext; type: string; spec: FormSpec }) {
  const { t, tx, lang } = useI18n();
  const problemNames = useProblemNames();
  const { doc, userId } = ctx;
  const uid = useId();
  const unmet = unmetConditions(doc, type);
  const action = useAction(ctx, type);
  // every text-like field is a draft keyed by user, document, event and field
  const drafts: Record<string, ReturnType<typeof useDraft>> = {};
  const names = ['reason', 'opinion', 'text', 'title', 'invitees', 'readerIds', 'drafterId'];
  for (const n of names) {
    // eslint-disable-next-line react-hooks/rules-of-hooks -- a constant list: the same hooks in the same order on every render
    drafts[n] = useDraft(draftKey(userId, doc.id, type, n));
  }
  const [local, setLocal] = useState<Values>(() => {
    const v: Values = {};
    for (const f of spec.fields) {
      if (f.kind === 'select') v[f.name] = f.options(doc, userId, t)[0]?.value ?? '';
      if (f.kind === 'checkbox') v[f.name] = '';
      if (f.kind === 'number') v[f.name] = String(f.initial);
    }
    return v;
  });
  const values: Values = { ...local };
  for (const f of spec.fields) if (f.kind === 'reason' || f.kind === 'text' || f.kind === 'ids') values[f.name] = drafts[f.name][0];

  let blocked = false;
  for (const f of spec.fields) {
    const v = values[f.name] ?? '';
    if (f.kind === 'reason' && !v.trim()) blocked = true;
    if (f.kind === 'text' && f.requiredWhen?.(values) && !v.trim()) blocked = true;
    if (f.kind === 'select' && !v) blocked = true;
    if (f.kind === 'ids') {
      const { ids } = parseIds(v);
      if (!ids.length || (f.single && ids.length !== 1)) blocked = true;
    }
    if (f.kind === 'number' && !(Number(v) >= f.min && Number.isInteger(Number(v)))) blocked = true;
  }

  const submit = async () => {
    const body: { type: string } & Record<string, unknown> = { type };
    for (const f of spec.fields) {
      const v = values[f.name] ?? '';
      if (f.kind === 'reason') body[f.name] = v.trim();
      else if (f.kind === 'text') {
        if (v.trim()) body[f.name] = v.trim();
        else if (f.name === 'text') body[f.name] = '';
      } else if (f.kind === 'select') body[f.name] = v;
      else if (f.kind === 'checkbox') body[f.name] = v === 'true';
      else if (f.kind === 'ids') body[f.name] = f.single ? parseIds(v).ids[0] : parseIds(v).ids;
      else if (f.kind === 'number') body[f.name] = Number(v);
    }
    const ok = await action.run(() => api.event(doc, ctx.onBehalfOf ? { ...body, onBehalfOf: ctx.onBehalfOf } : body));
    if (ok) for (const f of spec.fields) if (drafts[f.name]) drafts[f.name][2]();
  };

  const label = tx(`event.${type}`, type);
  return (
    <form
      className={`action-form${spec.danger ? ' action-danger' : ''}`}
      data-event={type}
      onSubmit={(e) => {
        e.preventDefault();
        if (!blocked && !unmet.length && !action.pending) void submit();
      }}
    >
      {spec.hint && <p className="hint">{t(spec.hint)}</p>}
      {spec.fields.map((f) => {
        const id = `${uid}-${f.name}`;
        switch (f.kind) {
          case 'reason':
            return (
              <DraftField
                key={f.name}
                id={id}
                label={t('action.reason')}
                value={values.reason}
                onChange={drafts.reason[1]}
                multiline
                required
                hint={values.reason.trim() ? undefined : t('action.reasonHint')}
              />
            );
          case 'text':
            return (
              <DraftField
                key={f.name}
                id={id}
                label={t(f.label)}
                value={values[f.name]}
                onChange={drafts[f.name][1]}
                multiline={f.multiline}
                required={f.requiredWhen?.(values)}
              />
            );
          case 'ids':
            return (
              <UserPicker
                key={f.name}
                role={f.role}
                single={f.single}
                value={parseIds(values[f.name]).ids}
                onChange={(ids) => drafts[f.name][1](ids.join('\n'))}
                label={t(f.label)}
              />
            );
          case 'select': {
            const options = f.options(doc, userId, t);
            return (
              <div className="field" key={f.name}>
                <label htmlFor={id}>{t(f.label)}</label>
                <select id={id} value={values[f.name]} onChange={(e) => setLocal({ ...local, [f.name]: e.target.value })}>
                  {options.map((o) => (
                    <option key={o.value} value={o.value}>
                      {o.label}
                    </option>
                  ))}
                </select>
              </div>
            );
          }
          case 'checkbox':
            return (
              <div className="field field-check" key={f.name}>
                <input
                  id={id}
                  type="checkbox"
                  checked={values[f.name] === 'true'}
                  onChange={(e) => setLocal({ ...local, [f.name]: e.target.checked ? 'true' : '' })}
                />
                <label htmlFor={id}>{t(f.label)}</label>
              </div>
            );
          case 'number':
            return (
              <div className="field" key={f.name}>
                <label htmlFor={id}>{t(f.label)}</label>
                <input
                  id={id}
                  type="number"
                  min={f.min}
                  step={1}
                  value={values[f.name]}
                  onChange={(e) => setLocal({ ...local, [f.name]: e.target.value })}
                />
              </div>
            );
        }
      })}
      {unmet.length > 0 && (
        <div className="gate-unmet" id={`${uid}-unmet`} data-testid="unmet">
          <p>{t('gate.unmet')}</p>
          <ul>
            {unmet.map((c, i) => (
              <li key={i}>{conditionMessage(c, lang, problemNames)}</li>
            ))}
          </ul>
        </div>
      )}
      <ErrorBox error={action.error} />
      <button
        type="submit"
        className={`btn ${spec.danger ? 'btn-danger' : 'btn-primary'}`}
        disabled={blocked || unmet.length > 0 || action.pending}
        aria-describedby={unmet.length ? `${uid}-unmet` : undefined}
      >
        {action.pending ? t('action.pending') : label}
      </button>
    </form>
  );
}
