/**
 * One supervised item (督查事项): its register entry with the colour card, signatures, feedback and contributions,
 * extension requests, cards, results, the actions the API allows the user now (each a small form), the 督办通知 and
 * the verified history. Names, never ids.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useMemo, useRef, useState, type FormEvent } from 'react';
import { ErrorBox, Loading } from '../../components/ErrorBox';
import { History } from '../../components/History';
import { WorkflowDiagram } from '../../components/WorkflowDiagram';
import { formatDate, formatDateTime } from '../../format';
import { useI18n } from '../../i18n';
import { useAllUnits, useUserDirectory } from '../../names';
import { Link } from '../../router';
import { supApi, supChanged, useSupDiagram, useSupHistory, useSupItem, useSupVerify, type SupItem } from '../../supervision-queries';
import { useSupT, type SupKey } from '../../supervision-strings';
import { ColourBadge } from './SupervisionPage';
import './supervision.css';

const CRITERIA = ['facts_clear', 'problem_solved', 'task_done', 'conclusion_accurate', 'format_correct'] as const;
/** Cards are the deadline sweep's alone: never offered as a button. */
const SYSTEM_EVENTS = new Set(['ISSUE_CARD', 'CREATE']);

type Field =
  | { name: string; kind: 'text' | 'textarea' | 'date'; label: SupKey; optional?: boolean }
  | { name: string; kind: 'choice'; label: SupKey; options: { value: string; label: SupKey }[] };

const FORMS: Record<string, Field[]> = {
  ASSIGN: [],
  SIGN_FOR: [],
  FEEDBACK: [{ name: 'text', kind: 'textarea', label: 'form.text' }],
  CONTRIBUTE: [{ name: 'text', kind: 'textarea', label: 'form.text' }],
  SUBMIT_RESULT: [{ name: 'text', kind: 'textarea', label: 'form.text' }],
  REQUEST_EXTENSION: [
    { name: 'reason', kind: 'textarea', label: 'form.reason' },
    { name: 'progress', kind: 'textarea', label: 'form.progress' },
    { name: 'newDeadline', kind: 'date', label: 'form.newDeadline' },
  ],
  REVIEW_EXTENSION: [
    {
      name: 'decision',
      kind: 'choice',
      label: 'form.decision',
      options: [
        { value: 'forward', label: 'form.forward' },
        { value: 'refuse', label: 'form.refuse' },
      ],
    },
    { name: 'opinion', kind: 'textarea', label: 'form.opinion' },
  ],
  DECIDE_EXTENSION: [
    {
      name: 'decision',
      kind: 'choice',
      label: 'form.decision',
      options: [
        { value: 'approve', label: 'form.approve' },
        { value: 'refuse', label: 'form.refuse' },
      ],
    },
    { name: 'opinion', kind: 'textarea', label: 'form.opinion', optional: true },
  ],
  REMIND: [
    {
      name: 'level',
      kind: 'choice',
      label: 'form.level',
      options: [
        { value: 'routine', label: 'form.routine' },
        { value: 'urgent', label: 'form.urgent' },
      ],
    },
    { name: 'note', kind: 'textarea', label: 'form.note', optional: true },
  ],
  CLOSE: [{ name: 'conclusion', kind: 'textarea', label: 'form.conclusion', optional: true }],
  SEND_BACK: [{ name: 'reasons', kind: 'textarea', label: 'form.reasons' }],
  REOPEN: [
    { name: 'instruction', kind: 'textarea', label: 'form.instruction' },
    { name: 'deadline', kind: 'date', label: 'form.deadline' },
  ],
  RECORD_ACCOUNTABILITY: [{ name: 'text', kind: 'textarea', label: 'form.text' }],
  CANCEL: [{ name: 'reason', kind: 'textarea', label: 'form.reason' }],
  FILE: [
    {
      name: 'retention',
      kind: 'choice',
      label: 'form.retention',
      options: [
        { value: 'Y', label: 'retention.Y' },
        { value: 'D30', label: 'retention.D30' },
        { value: 'D10', label: 'retention.D10' },
      ],
    },
  ],
};

/** The body of an event from the form's values (the shapes of the API's EVENT_PAYLOADS). */
function bodyOf(type: string, v: Record<string, string>, item: SupItem): Record<string, unknown> {
  const opt = (k: string) => (v[k]?.trim() ? { [k]: v[k].trim() } : {});
  switch (type) {
    case 'REMIND':
      return { type, targets: [item.leadUnitId], level: v.level || 'routine', ...opt('note') };
    case 'CLOSE':
      return { type, criteria: CRITERIA.map((criterion) => ({ criterion, met: true })), ...opt('conclusion') };
    case 'SEND_BACK':
      return { type, reasons: [v.reasons.trim()] };
    case 'DECIDE_EXTENSION':
      return { type, decision: v.decision || 'approve', ...opt('opinion') };
    default: {
      const out: Record<string, unknown> = { type };
      for (const f of FORMS[type] ?? []) {
        const val = v[f.name]?.trim() ?? '';
        if (val) out[f.name] = val;
        else if (f.kind === 'choice') out[f.name] = f.options[0].value;
      }
      return out;
    }
  }
}

function ActionForm({ type, item, onDone }: { type: string; item: SupItem; onDone: (next: SupItem, type: string) => void }) {
  const { st, eventLabel, stateLabel } = useSupT();
  const labels = useMemo(() => ({ state: stateLabel, event: eventLabel }), [stateLabel, eventLabel]);
  const uid = useId();
  const fields = FORMS[type] ?? [];
  const [values, setValues] = useState<Record<string, string>>({});
  const [missing, setMissing] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [pending, setPending] = useState(false);
  const set = (k: string, val: string) => setValues((x) => ({ ...x, [k]: val }));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const gap = fields.find((f) => f.kind !== 'choice' && !f.optional && !values[f.name]?.trim());
    setMissing(gap ? st('form.required', { field: st(gap.label) }) : null);
    if (gap) return;
    setPending(true);
    setError(null);
    try {
      const next = await supApi.event(item, bodyOf(type, values, item));
      setValues({});
      onDone(next, type);
    } catch (err) {
      setError(err);
    } finally {
      setPending(false);
    }
  };
  return (
    <form className="sup-action" onSubmit={(e) => void submit(e)} noValidate data-testid={`action-${type}`} aria-labelledby={`${uid}-h`}>
      <h3 id={`${uid}-h`}>{eventLabel(type)}</h3>
      {fields.map((f) =>
        f.kind === 'choice' ? (
          <div className="field" key={f.name}>
            <label htmlFor={`${uid}-${f.name}`}>{st(f.label)}</label>
            <select id={`${uid}-${f.name}`} value={values[f.name] ?? f.options[0].value} onChange={(e) => set(f.name, e.target.value)}>
              {f.options.map((o) => (
                <option key={o.value} value={o.value}>
                  {st(o.label)}
                </option>
              ))}
            </select>
          </div>
        ) : (
          <div className="field" key={f.name}>
            <label htmlFor={`${uid}-${f.name}`}>{st(f.label)}</label>
            {f.kind === 'textarea' ? (
              <textarea id={`${uid}-${f.name}`} rows={3} value={values[f.name] ?? ''} onChange={(e) => set(f.name, e.target.value)} />
            ) : (
              <input id={`${uid}-${f.name}`} type={f.kind} value={values[f.name] ?? ''} onChange={(e) => set(f.name, e.target.value)} />
            )}
          </div>
        ),
      )}
      {missing && (
        <p className="field-error" role="alert">
          {missing}
        </p>
      )}
      {error != null && <ErrorBox error={error} workflow="supervision" labels={labels} />}
      <button type="submit" className="btn btn-primary" disabled={pending}>
        {pending ? st('form.pending') : eventLabel(type)}
      </button>
    </form>
  );
}

export function SupervisionItemPage({ id }: { id: string }) {
  const { t } = useI18n();
  const { st, stateLabel, eventLabel, locale } = useSupT();
  const qc = useQueryClient();
  const itemQuery = useSupItem(id);
  const historyQuery = useSupHistory(id);
  const verifyQuery = useSupVerify(id);
  const diagramQuery = useSupDiagram(id);
  const users = useUserDirectory();
  const units = useAllUnits().data;
  const item = itemQuery.data ?? null;
  const [notice, setNotice] = useState<string | null>(null);
  const noticeRef = useRef<HTMLParagraphElement>(null);
  const labels = useMemo(() => ({ state: stateLabel, event: eventLabel }), [stateLabel, eventLabel]);
  const visited = useMemo(
    () => new Set((historyQuery.data ?? []).flatMap((h) => [h.toState, ...(h.fromState ? [h.fromState] : [])])),
    [historyQuery.data],
  );
  const person = (uid: string | null | undefined) => (uid ? (users.get(uid)?.displayName ?? st('common.unknown')) : '—');
  const unit = (uid: string) => units?.find((u) => u.id === uid)?.name ?? st('common.unknown');

  useEffect(() => {
    if (item) document.title = `${item.title} · ${t('app.name')}`;
  }, [item, t]);

  if (itemQuery.error)
    return (
      <main id="main" className="page" tabIndex={-1}>
        <ErrorBox error={itemQuery.error} onRetry={() => void itemQuery.refetch()} />
      </main>
    );
  if (!item)
    return (
      <main id="main" className="page" tabIndex={-1}>
        <Loading />
      </main>
    );

  const onDone = (next: SupItem, type: string) => {
    supChanged(qc, next);
    setNotice(st('item.done', { event: eventLabel(type) }));
    requestAnimationFrame(() => noticeRef.current?.focus());
  };
  const actions = item.allowedEvents.filter((e) => !SYSTEM_EVENTS.has(e));
  const row = (label: SupKey, value: string) => (
    <div key={label}>
      <dt>{st(label)}</dt>
      <dd>{value}</dd>
    </div>
  );

  return (
    <main id="main" className="page" tabIndex={-1}>
      <p>
        <Link href="/supervision">{st('item.back')}</Link>
      </p>
      <div className="page-head">
        <h1>{item.title}</h1>
        <p>
          {item.itemNumber} ·{' '}
          <span className="badge state" data-testid="state">
            {stateLabel(item.state)}
          </span>{' '}
          <ColourBadge colour={item.colour} />
        </p>
      </div>
      {notice && (
        <p className="notice notice-ok" role="status" tabIndex={-1} ref={noticeRef}>
          {notice}
        </p>
      )}
      <section className="panel" aria-labelledby="sup-actions-h" data-testid="sup-actions">
        <h2 id="sup-actions-h">{st('item.actions')}</h2>
        {actions.length === 0 ? (
          <p className="muted">{st('item.noActions')}</p>
        ) : (
          actions.map((e) => <ActionForm key={`${e}-${item.version}`} type={e} item={item} onDone={onDone} />)
        )}
      </section>
      <section className="panel" aria-labelledby="sup-reg-h" data-testid="sup-register">
        <h2 id="sup-reg-h">{st('item.register')}</h2>
        <dl className="meta">
          <div key="item.source">
            <dt>{st('item.source')}</dt>
            <dd data-testid="sup-source">
              {st(`source.${item.source.kind}` as SupKey)}
              {item.source.title && item.source.documentId ? (
                <>
                  ：{/* the source document (an instruction's incoming item, a 纪要, a document), for those who may see it */}
                  <Link href={`${item.source.kind === 'instruction' ? '/incoming' : '/documents'}/${item.source.documentId}`}>
                    {item.source.title}
                  </Link>
                </>
              ) : item.source.title ? (
                `：${item.source.title}`
              ) : null}
            </dd>
          </div>
          {row('item.instructingLeader', person(item.instructingLeaderId))}
          {row('item.instruction', item.instructionText)}
          {row('item.requirements', item.requirements)}
          {row('item.lead', unit(item.leadUnitId))}
          {row('item.assisting', item.assistingUnitIds.map(unit).join('、') || '—')}
          {row('item.responsible', person(item.responsibleLeaderId))}
          {row('item.supervisor', person(item.supervisorId))}
          {row('item.deadline', formatDate(item.deadline, locale))}
          {row('item.cadence', st(`cadence.${item.cadence}` as SupKey))}
          {row('item.resultForm', item.resultForm)}
          {row(
            'item.signatures',
            item.signatures
              .map((s) => st('item.signedBy', { unit: unit(s.unitId), name: person(s.by), at: formatDateTime(s.at, locale) }))
              .join('；') || '—',
          )}
        </dl>
        {item.assignment && (
          <p>
            <a className="btn" href={supApi.noticeUrl(item.id)} download data-testid="notice-docx">
              {st('item.notice')}
            </a>
          </p>
        )}
      </section>
      <section className="panel" aria-labelledby="sup-fb-h" data-testid="sup-feedback">
        <h2 id="sup-fb-h">{st('item.feedback')}</h2>
        {item.feedback.length === 0 ? (
          <p className="muted">{st('item.none')}</p>
        ) : (
          <ul>
            {item.feedback.map((f, i) => (
              <li key={i}>
                {st(`item.kind.${f.kind}`)} · {unit(f.unitId)} · {person(f.by)} · {formatDateTime(f.at, locale)}：{f.text}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section className="panel" aria-labelledby="sup-ext-h" data-testid="sup-extensions">
        <h2 id="sup-ext-h">{st('item.extensions')}</h2>
        {item.extensions.length === 0 ? (
          <p className="muted">{st('item.none')}</p>
        ) : (
          <ul>
            {item.extensions.map((x, i) => (
              <li key={i}>
                {st('item.extension', {
                  unit: unit(x.unitId),
                  date: formatDate(x.newDeadline, locale),
                  reason: x.reason,
                  progress: x.progress,
                })}{' '}
                <span className="badge">{st(`ext.${x.status}`)}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section className="panel" aria-labelledby="sup-cards-h">
        <h2 id="sup-cards-h">{st('item.cards')}</h2>
        {item.cards.length === 0 ? (
          <p className="muted">{st('item.none')}</p>
        ) : (
          <ul>
            {item.cards.map((c, i) => (
              <li key={i}>
                <ColourBadge colour={c.colour} /> {formatDateTime(c.at, locale)}：{c.reason}
              </li>
            ))}
          </ul>
        )}
      </section>
      {item.results.length > 0 && (
        <section className="panel" aria-labelledby="sup-res-h">
          <h2 id="sup-res-h">{st('item.results')}</h2>
          <ul>
            {item.results.map((r, i) => (
              <li key={i}>
                {unit(r.unitId)} · {person(r.by)} · {formatDateTime(r.at, locale)}：{r.text}
              </li>
            ))}
          </ul>
        </section>
      )}
      {/* the diagram is a panel of its own (WorkflowDiagram), drawn from the supervision machine's description */}
      <div data-testid="sup-diagram">
        {diagramQuery.data ? (
          <WorkflowDiagram state={item.state} visited={visited} machine={diagramQuery.data} labels={labels} />
        ) : diagramQuery.isError ? (
          <p className="muted small">{st('item.diagramUnavailable')}</p>
        ) : null}
      </div>
      <History
        items={historyQuery.data?.map((h) => ({ ...h, revisionNumber: null })) ?? null}
        verify={verifyQuery.data ?? null}
        verifyError={!!verifyQuery.error}
        labels={labels}
      />
    </main>
  );
}
