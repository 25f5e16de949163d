/** The incoming item's 拟办 and 批示 actions: the proposal, the leader's instruction, the direct assignment. */
import { useState } from 'react';
import { useInT } from '../../incoming-strings';
import { EntityPicker } from '../UserPicker';
import { Body, EventShell, IncomingActionContext, OrderField, PeoplePicker, SelectField, TextField, useText } from './IncomingFields';

/** 拟办: the chief's proposal and the leaders it goes to. */
export function Propose({ ctx }: { ctx: IncomingActionContext }) {
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

export interface Assignment {
  lead: string;
  assisting: string[];
  deadlines: Record<string, string>;
  readers: string[];
  order: 'sequential' | 'parallel';
}

/** The lead department, the assisting ones, a deadline for each (required when urgent), readers after handling. */
export function DepartmentsFields({
  ctx,
  value,
  onChange,
}: {
  ctx: IncomingActionContext;
  value: Assignment;
  onChange: (a: Assignment) => void;
}) {
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

export function assignmentBody(ctx: IncomingActionContext, a: Assignment, it: ReturnType<typeof useInT>['it']): Body | string {
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

export const emptyAssignment = (ctx: IncomingActionContext): Assignment => ({
  lead: ctx.item.content.leadDepartmentId ?? '',
  assisting: [],
  deadlines: {},
  readers: [],
  order: 'sequential',
});

/** 批示: the leader's instruction, naming the lead and assisting departments with their deadlines. */
export function Instruct({ ctx }: { ctx: IncomingActionContext }) {
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
export function AssignDirectly({ ctx }: { ctx: IncomingActionContext }) {
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
