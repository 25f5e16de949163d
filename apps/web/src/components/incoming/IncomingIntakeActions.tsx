/** The incoming item's intake actions: 签收, 登记, 初审 and 退文. */
import { useState } from 'react';
import { useInT, type InKey } from '../../incoming-strings';
import { useI18n } from '../../i18n';
import type { ClassificationLevel, Urgency } from '../../types';
import { Body, EventShell, IncomingActionContext, OrderField, PeoplePicker, SelectField, TextField, useText } from './IncomingFields';

/** 签收: the copies counted. */
export function SignFor({ ctx }: { ctx: IncomingActionContext }) {
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

export const CLASSIFICATIONS: ClassificationLevel[] = ['none', 'confidential', 'secret', 'top_secret'];
export const URGENCIES: Urgency[] = ['none', 'urgent', 'extra_urgent'];

/** 登记: the register fields, filled in from what came with the document; the number is the system's. */
export function Register({ ctx }: { ctx: IncomingActionContext }) {
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

export const CHECK_ITEMS = [1, 2, 3, 4, 5] as const;

/** 初审: the five checks of art. 24, then the route (for information: readers and order). */
export function PassCheck({ ctx }: { ctx: IncomingActionContext }) {
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

/** 退文: the reason and, from the check, which of the five checks failed. */
export function ReturnToSender({ ctx }: { ctx: IncomingActionContext }) {
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
