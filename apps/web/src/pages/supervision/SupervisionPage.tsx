/**
 * 督查督办: the queues of supervised items (待我办理 first), the board (by status, card, lead unit, responsible leader,
 * on-time rate per unit) for supervisors and leaders, and the 立项 form for the supervisor. Names, never ids.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useState, type FormEvent } from 'react';
import { ErrorBox, Loading } from '../../components/ErrorBox';
import { UnitPicker, UserPicker } from '../../components/UserPicker';
import { formatDate, formatDateTime } from '../../format';
import { useI18n } from '../../i18n';
import { useAllUnits, useUserDirectory } from '../../names';
import { Link, navigate } from '../../router';
import { useUser } from '../../session';
import {
  SUP_QUEUES,
  supApi,
  supChanged,
  useSupAccountability,
  useSupBoard,
  useSupList,
  type CreateBody,
  type SupQueue,
} from '../../supervision-queries';
import { useSupT, type SupKey } from '../../supervision-strings';
import './supervision.css';

/** Whether a user works with supervision at all (the menu entry). */
export const worksWithSupervision = (roles: string[]) => ['supervisor', 'leader', 'handler', 'registrar'].some((r) => roles.includes(r));
const seesBoard = (roles: string[]) => roles.includes('supervisor') || roles.includes('leader');

/** The colour card as a badge: text and colour together (never colour alone), contrast checked by axe. */
export function ColourBadge({ colour }: { colour: string }) {
  const { st } = useSupT();
  if (colour === 'none') return <span className="muted">{st('colour.none')}</span>;
  return (
    <span className={`badge sup-card sup-card-${colour}`} data-testid="colour">
      {st(`colour.${colour}` as SupKey)}
    </span>
  );
}

function ItemTable({ queue }: { queue: SupQueue }) {
  const { st, stateLabel, locale } = useSupT();
  const list = useSupList(queue);
  const users = useUserDirectory();
  const units = useAllUnits().data;
  const unitName = (id: string) => units?.find((u) => u.id === id)?.name ?? '…';
  if (list.error) return <ErrorBox error={list.error} onRetry={() => void list.refetch()} />;
  if (!list.data) return <Loading />;
  const items = list.data.items;
  if (!items.length) return <p className="empty">{st('list.empty')}</p>;
  return (
    <div className="table-wrap">
      <table className="doc-table" data-testid="sup-list">
        <caption className="visually-hidden">{st('list.caption', { queue: st(`queue.${queue}`) })}</caption>
        <thead>
          <tr>
            <th scope="col">{st('col.number')}</th>
            <th scope="col">{st('col.title')}</th>
            <th scope="col">{st('col.state')}</th>
            <th scope="col">{st('col.colour')}</th>
            <th scope="col">{st('col.deadline')}</th>
            <th scope="col">{st('col.lead')}</th>
            <th scope="col">{st('col.leader')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((i) => (
            <tr key={i.id}>
              <td>{i.itemNumber}</td>
              <td>
                <Link href={`/supervision/${i.id}`}>{i.title}</Link>
              </td>
              <td>{stateLabel(i.state)}</td>
              <td>
                <ColourBadge colour={i.colour} />
              </td>
              <td>{formatDate(i.deadline, locale)}</td>
              <td>{unitName(i.leadUnitId)}</td>
              <td>{users.get(i.responsibleLeaderId)?.displayName ?? '…'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Board() {
  const { st, stateLabel } = useSupT();
  const board = useSupBoard(true);
  if (board.error) return <ErrorBox error={board.error} onRetry={() => void board.refetch()} />;
  if (!board.data) return <Loading />;
  const b = board.data;
  const pct = (r: number | null) => (r == null ? '—' : `${Math.round(r * 100)}%`);
  return (
    <section className="panel" aria-labelledby="board-h" data-testid="sup-board">
      <h2 id="board-h">
        {st('board.title')}（{b.year}）
      </h2>
      <p>
        {st('board.total', { n: b.total })} · {st('board.accountability', { n: b.accountability })}
      </p>
      <h3>{st('board.byState')}</h3>
      <ul className="sup-counts" data-testid="board-states">
        {Object.entries(b.byState).map(([s, n]) => (
          <li key={s}>
            {stateLabel(s)}：{n}
          </li>
        ))}
      </ul>
      <h3>{st('board.byColour')}</h3>
      <ul className="sup-counts">
        {Object.entries(b.byColour).map(([c, n]) => (
          <li key={c}>
            <ColourBadge colour={c} />：{n}
          </li>
        ))}
      </ul>
      <h3>{st('board.byUnit')}</h3>
      <div className="table-wrap">
        <table className="doc-table" data-testid="board-units">
          <thead>
            <tr>
              <th scope="col">{st('board.unit')}</th>
              <th scope="col">{st('board.count')}</th>
              <th scope="col">{st('board.closed')}</th>
              <th scope="col">{st('board.onTime')}</th>
              <th scope="col">{st('board.red')}</th>
              <th scope="col">{st('board.rate')}</th>
            </tr>
          </thead>
          <tbody>
            {b.byUnit.map((u) => (
              <tr key={u.unitId}>
                <td>{u.name}</td>
                <td>{u.total}</td>
                <td>{u.closed}</td>
                <td>{u.closedOnTime}</td>
                <td>{u.red}</td>
                <td>{pct(u.onTimeRate)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h3>{st('board.byLeader')}</h3>
      <div className="table-wrap">
        <table className="doc-table" data-testid="board-leaders">
          <thead>
            <tr>
              <th scope="col">{st('board.leader')}</th>
              <th scope="col">{st('board.count')}</th>
              <th scope="col">{st('board.closed')}</th>
              <th scope="col">{st('board.red')}</th>
            </tr>
          </thead>
          <tbody>
            {b.byLeader.map((l) => (
              <tr key={l.leaderId}>
                <td>{l.name}</td>
                <td>{l.total}</td>
                <td>{l.closed}</td>
                <td>{l.red}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="form-buttons">
        {st('board.report')}：
        <a className="btn" href={supApi.reportUrl('weekly')} download>
          {st('board.weekly')}
        </a>
        <a className="btn" href={supApi.reportUrl('monthly')} download>
          {st('board.monthly')}
        </a>
      </p>
    </section>
  );
}

/** Today's date in the office's calendar (UTC+8), for the register's default period. */
function officeToday(): string {
  return new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
}

/** 督查事项登记簿 for a period, as CSV or DOCX (the supervisor's): two dates and two download links. */
function RegisterDownload() {
  const { st } = useSupT();
  const uid = useId();
  const today = officeToday();
  const [from, setFrom] = useState(`${today.slice(0, 4)}-01-01`);
  const [to, setTo] = useState(today);
  const valid = /^\d{4}-\d{2}-\d{2}$/.test(from) && /^\d{4}-\d{2}-\d{2}$/.test(to) && from <= to;
  return (
    <section className="panel" aria-labelledby={`${uid}-h`} data-testid="sup-register-download">
      <h2 id={`${uid}-h`}>{st('register.title')}</h2>
      <p className="muted">{st('register.help')}</p>
      <div className="field">
        <label htmlFor={`${uid}-from`}>{st('register.from')}</label>
        <input id={`${uid}-from`} type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={`${uid}-to`}>{st('register.to')}</label>
        <input id={`${uid}-to`} type="date" value={to} onChange={(e) => setTo(e.target.value)} />
      </div>
      {valid ? (
        <p className="form-buttons">
          <a className="btn" href={supApi.registerUrl(from, to, 'docx')} download data-testid="register-docx">
            {st('register.docx')}
          </a>
          <a className="btn" href={supApi.registerUrl(from, to, 'csv')} download data-testid="register-csv">
            {st('register.csv')}
          </a>
        </p>
      ) : (
        <p className="field-error" role="alert">
          {st('register.invalid')}
        </p>
      )}
    </section>
  );
}

/** 问责名单: items red for longer than the office allows, with what was recorded about each (names, never ids). */
function Accountability() {
  const { st, stateLabel, locale } = useSupT();
  const list = useSupAccountability();
  const users = useUserDirectory();
  if (list.error) return <ErrorBox error={list.error} onRetry={() => void list.refetch()} />;
  if (!list.data) return <Loading />;
  const items = list.data.items;
  if (!items.length) return <p className="empty">{st('acc.empty')}</p>;
  return (
    <div className="table-wrap">
      <table className="doc-table" data-testid="sup-accountability">
        <caption className="visually-hidden">{st('queue.accountability')}</caption>
        <thead>
          <tr>
            <th scope="col">{st('col.number')}</th>
            <th scope="col">{st('col.title')}</th>
            <th scope="col">{st('col.state')}</th>
            <th scope="col">{st('col.deadline')}</th>
            <th scope="col">{st('col.lead')}</th>
            <th scope="col">{st('col.leader')}</th>
            <th scope="col">{st('acc.redSince')}</th>
            <th scope="col">{st('acc.measures')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((i) => (
            <tr key={i.id}>
              <td>{i.itemNumber}</td>
              <td>
                <Link href={`/supervision/${i.id}`}>{i.title}</Link>
              </td>
              <td>{stateLabel(i.state)}</td>
              <td>{formatDate(i.deadline, locale)}</td>
              <td>{i.leadUnit.name}</td>
              <td>{i.responsibleLeader.displayName}</td>
              <td>{formatDateTime(i.redSince, locale)}</td>
              <td>
                {i.measures.length ? (
                  <ul className="attachment-list">
                    {i.measures.map((m, k) => (
                      <li key={k}>
                        {users.get(m.by)?.displayName ?? st('common.unknown')}（{formatDateTime(m.at, locale)}）：{m.text}
                      </li>
                    ))}
                  </ul>
                ) : (
                  st('acc.noMeasures')
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const CADENCES = ['once', 'weekly', 'monthly', 'quarterly', 'half_yearly'] as const;

/** 立项 by hand (重点工作 or a leader's instruction given outside the system): the supervisor fills in the register. */
function CreateForm() {
  const { st } = useSupT();
  const uid = useId();
  const qc = useQueryClient();
  const [title, setTitle] = useState('');
  const [leader, setLeader] = useState<string[]>([]);
  const [instruction, setInstruction] = useState('');
  const [requirements, setRequirements] = useState('');
  const [lead, setLead] = useState<string[]>([]);
  const [assisting, setAssisting] = useState<string[]>([]);
  const [responsible, setResponsible] = useState<string[]>([]);
  const [byDays, setByDays] = useState(false);
  const [deadline, setDeadline] = useState('');
  const [days, setDays] = useState('10');
  const [cadence, setCadence] = useState<(typeof CADENCES)[number]>('weekly');
  const [resultForm, setResultForm] = useState('书面报告');
  const [missing, setMissing] = useState<string[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [pending, setPending] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const need: string[] = [];
    if (!title.trim()) need.push(st('new.itemTitle'));
    if (!leader.length) need.push(st('new.instructingLeader'));
    if (!instruction.trim()) need.push(st('new.instruction'));
    if (!requirements.trim()) need.push(st('new.requirements'));
    if (!lead.length) need.push(st('new.lead'));
    if (!responsible.length) need.push(st('new.responsible'));
    if (byDays ? !(Number(days) >= 1) : !deadline) need.push(st('new.deadline'));
    if (!resultForm.trim()) need.push(st('new.resultForm'));
    setMissing(need);
    if (need.length) return;
    setPending(true);
    setError(null);
    try {
      const body: CreateBody = {
        title: title.trim(),
        source: { kind: 'key_task' },
        instructingLeaderId: leader[0],
        instructionText: instruction.trim(),
        requirements: requirements.trim(),
        leadUnitId: lead[0],
        assistingUnitIds: assisting.filter((u) => u !== lead[0]),
        responsibleLeaderId: responsible[0],
        ...(byDays ? { deadlineWorkingDays: Number(days) } : { deadline }),
        cadence,
        resultForm: resultForm.trim(),
      };
      const item = await supApi.create(body);
      supChanged(qc, item);
      navigate(`/supervision/${item.id}`);
    } catch (err) {
      setError(err);
    } finally {
      setPending(false);
    }
  };

  return (
    <section className="panel" aria-labelledby={`${uid}-h`}>
      <h2 id={`${uid}-h`}>{st('new.title')}</h2>
      <form onSubmit={(e) => void submit(e)} noValidate data-testid="sup-create">
        <div className="field">
          <label htmlFor={`${uid}-t`}>{st('new.itemTitle')}</label>
          <input id={`${uid}-t`} value={title} onChange={(e) => setTitle(e.target.value)} maxLength={300} />
        </div>
        <p>
          {st('new.source')}：{st('source.key_task')}
        </p>
        <UserPicker role="leader" single value={leader} onChange={setLeader} label={st('new.instructingLeader')} />
        <div className="field">
          <label htmlFor={`${uid}-i`}>{st('new.instruction')}</label>
          <textarea id={`${uid}-i`} value={instruction} onChange={(e) => setInstruction(e.target.value)} rows={3} />
        </div>
        <div className="field">
          <label htmlFor={`${uid}-r`}>{st('new.requirements')}</label>
          <textarea id={`${uid}-r`} value={requirements} onChange={(e) => setRequirements(e.target.value)} rows={3} />
        </div>
        <UnitPicker single value={lead} onChange={setLead} label={st('new.lead')} />
        <UnitPicker value={assisting} onChange={setAssisting} label={st('new.assisting')} />
        <UserPicker role="leader" single value={responsible} onChange={setResponsible} label={st('new.responsible')} />
        <fieldset>
          <legend>{st('new.deadlineKind')}</legend>
          <label>
            <input type="radio" name={`${uid}-dk`} checked={!byDays} onChange={() => setByDays(false)} /> {st('new.byDate')}
          </label>{' '}
          <label>
            <input type="radio" name={`${uid}-dk`} checked={byDays} onChange={() => setByDays(true)} /> {st('new.byDays')}
          </label>
        </fieldset>
        {byDays ? (
          <div className="field">
            <label htmlFor={`${uid}-n`}>{st('new.days')}</label>
            <input id={`${uid}-n`} type="number" min={1} max={366} value={days} onChange={(e) => setDays(e.target.value)} />
          </div>
        ) : (
          <div className="field">
            <label htmlFor={`${uid}-d`}>{st('new.deadline')}</label>
            <input id={`${uid}-d`} type="date" value={deadline} onChange={(e) => setDeadline(e.target.value)} />
          </div>
        )}
        <div className="field">
          <label htmlFor={`${uid}-c`}>{st('new.cadence')}</label>
          <select id={`${uid}-c`} value={cadence} onChange={(e) => setCadence(e.target.value as (typeof CADENCES)[number])}>
            {CADENCES.map((c) => (
              <option key={c} value={c}>
                {st(`cadence.${c}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${uid}-f`}>{st('new.resultForm')}</label>
          <input id={`${uid}-f`} value={resultForm} onChange={(e) => setResultForm(e.target.value)} maxLength={200} />
        </div>
        {missing.length > 0 && (
          <p className="field-error" role="alert">
            {st('new.required', { fields: missing.join('、') })}
          </p>
        )}
        {error != null && <ErrorBox error={error} />}
        <p className="form-buttons">
          <button type="submit" className="btn btn-primary" disabled={pending}>
            {pending ? st('form.pending') : st('new.submit')}
          </button>
        </p>
      </form>
    </section>
  );
}

type View = SupQueue | 'board' | 'accountability' | 'register' | 'new';

export function SupervisionPage({ view: asked }: { view: string | null }) {
  const { t } = useI18n();
  const { st } = useSupT();
  const user = useUser();
  const leader = user.roles.includes('leader');
  const supervisor = user.roles.includes('supervisor');
  const extra: View[] = [];
  if (seesBoard(user.roles)) extra.push('board', 'accountability');
  if (supervisor) extra.push('register', 'new');
  // a leader's own view first after 待我办理: the items they instructed (批示)
  const tabs: View[] = [SUP_QUEUES[0], ...(leader ? (['instructed'] as View[]) : []), ...SUP_QUEUES.slice(1), ...extra];
  const view: View = tabs.includes(asked as View) ? (asked as View) : 'mine';
  const label = (v: View) => st(`queue.${v}`);

  useEffect(() => {
    document.title = `${label(view)} · ${st('title')} · ${t('app.name')}`;
  });

  return (
    <main id="main" className="page" tabIndex={-1}>
      <nav aria-label={st('tabs')} className="subnav">
        <ul>
          {tabs.map((v) => (
            <li key={v}>
              <Link href={`/supervision?view=${v}`} aria-current={v === view ? 'page' : undefined}>
                {label(v)}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <div className="page-head">
        <h1>{label(view)}</h1>
      </div>
      {view === 'board' ? (
        <Board />
      ) : view === 'accountability' ? (
        <Accountability />
      ) : view === 'register' ? (
        <RegisterDownload />
      ) : view === 'new' ? (
        <CreateForm />
      ) : (
        <ItemTable key={view} queue={view} />
      )}
    </main>
  );
}
