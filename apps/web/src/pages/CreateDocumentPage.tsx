/**
 * 新建公文: the chief opens an outgoing document (POST /api/documents) — kind, title, issuing bodies with their
 * signers (several: a joint document), recipients (units and unit groups of the directory, or free text for bodies
 * outside it), classification with its secrecy period, urgency, deadline, and the sections with their drafters.
 * People and units are picked by name (pickers over the directory); ids never show. The checks the browser can make
 * mirror the API's (schemas.ts CreateDocumentBody, use-cases/create-document.ts); what only the server knows (a
 * drafter's clearance) comes back as VALIDATION_FAILED and is shown next to the field it names, in the interface
 * language. Created, the new document's page opens.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useMemo, useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../api';
import '../components/create.css';
import { EntityPicker, UnitPicker, UserPicker, type PickItem } from '../components/UserPicker';
import { createApi, newKey, useUnitGroups, type CreateDocumentBody } from '../create-api';
import { fieldMessage, useCrT, type CT } from '../create-strings';
import { useI18n } from '../i18n';
import { useAllUnits, useUserDirectory } from '../names';
import { problemMessage } from '../problems';
import { keys } from '../queries';
import { navigate } from '../router';
import { useUser } from '../session';
import { KIND_EN } from '../strings';
import type { ClassificationLevel, DocumentKind, Urgency } from '../types';
import { setLeaveMessage, useUnsavedChanges } from '../unsaved';

const KINDS: DocumentKind[] = [
  '通知',
  '通报',
  '报告',
  '请示',
  '批复',
  '意见',
  '函',
  '纪要',
  '决定',
  '决议',
  '命令',
  '公报',
  '公告',
  '通告',
  '议案',
];
const LEVELS: ClassificationLevel[] = ['none', 'confidential', 'secret', 'top_secret'];
const URGENCIES: Urgency[] = ['none', 'urgent', 'extra_urgent'];

interface SectionDraft {
  key: string;
  title: string;
  drafter: string[];
}
interface Form {
  kind: DocumentKind;
  title: string;
  issuers: string[];
  /** issuing body id → signer id */
  signers: Record<string, string>;
  main: string[];
  mainFree: string[];
  copy: string[];
  copyFree: string[];
  classification: ClassificationLevel;
  secrecyPeriod: string;
  urgency: Urgency;
  deadline: string;
  major: boolean;
  sections: SectionDraft[];
}

let sectionSeq = 0;
const newSection = (title = ''): SectionDraft => ({ key: `k${++sectionSeq}`, title, drafter: [] });
const initial = (): Form => ({
  kind: '通知',
  title: '',
  issuers: [],
  signers: {},
  main: [],
  mainFree: [],
  copy: [],
  copyFree: [],
  classification: 'none',
  secrecyPeriod: '',
  urgency: 'none',
  deadline: '',
  major: false,
  sections: [newSection('正文')],
});

/** Field key → message. Keys: title, issuers, signer.N, secrecyPeriod, classification, deadline, section.N.title, section.N.drafter, sections, recipients. */
type Errors = Record<string, string>;

/** What the browser can check before sending (the same rules as the API's body schema and use case). */
function check(
  f: Form,
  ct: CT,
  unitName: (id: string) => string,
  maySign: (unitId: string, signerId: string) => boolean,
  /** The chief's own clearance: nobody opens a document classified above it. */
  own: ClassificationLevel,
): Errors {
  const e: Errors = {};
  if (!f.title.trim()) e.title = ct('check.title');
  else if (f.title.trim().length > 300) e.title = ct('check.titleLong');
  if (f.issuers.length === 0) e.issuers = ct('check.issuers');
  if (f.issuers.length > 10) e.issuers = ct('check.issuersMax');
  f.issuers.forEach((u, i) => {
    if (!f.signers[u] || !maySign(u, f.signers[u])) e[`signer.${i}`] = ct('check.signer', { unit: unitName(u) });
  });
  if (LEVELS.indexOf(f.classification) > LEVELS.indexOf(own)) e.classification = ct('field.aboveOwn');
  if (f.classification !== 'none' && !f.secrecyPeriod.trim()) e.secrecyPeriod = ct('check.secrecy');
  if (f.deadline) {
    const y = Number(f.deadline.slice(0, 4));
    if (!(y >= 2000 && y <= 2999)) e.deadline = ct('check.deadline');
  }
  if (f.sections.length === 0) e.sections = ct('check.sections');
  f.sections.forEach((s, i) => {
    if (!s.title.trim()) e[`section.${i}.title`] = ct('check.sectionTitle');
    if (s.drafter.length !== 1) e[`section.${i}.drafter`] = ct('check.drafter');
  });
  return e;
}

/** The form's field key for a field the API names (`sections.1.drafterId` → `section.1.drafter`). */
function fieldKey(field: string): string {
  let m: RegExpExecArray | null;
  if ((m = /^sections\.(\d+)\.drafterId$/.exec(field))) return `section.${m[1]}.drafter`;
  if ((m = /^sections\.(\d+)\.title$/.exec(field))) return `section.${m[1]}.title`;
  if ((m = /^signers\.(\d+)/.exec(field))) return `signer.${m[1]}`;
  if (/^(issuerUnitIds|signers)/.test(field)) return 'issuers';
  if (/^(addressees|mainRecipients|copiesTo)/.test(field)) return 'recipients';
  if (['title', 'kind', 'classification', 'secrecyPeriod', 'urgency', 'deadline', 'sections'].includes(field)) return field;
  return 'form';
}

function body(f: Form): CreateDocumentBody {
  const addressees = [
    ...f.main.map((x) => ({ role: 'main' as const, ...pickRef(x) })),
    ...f.mainFree.map((name) => ({ role: 'main' as const, name })),
    ...f.copy.map((x) => ({ role: 'copy' as const, ...pickRef(x) })),
    ...f.copyFree.map((name) => ({ role: 'copy' as const, name })),
  ];
  return {
    kind: f.kind,
    title: f.title.trim(),
    issuerUnitIds: f.issuers,
    signers: f.issuers.map((u) => ({ issuerUnitId: u, signerId: f.signers[u] })),
    ...(addressees.length ? { addressees } : {}),
    classification: f.classification,
    ...(f.classification !== 'none' ? { secrecyPeriod: f.secrecyPeriod.trim() } : {}),
    urgency: f.urgency,
    // the end of the office day in China
    ...(f.deadline ? { deadline: `${f.deadline}T23:59:59+08:00` } : {}),
    major: f.major,
    sections: f.sections.map((s) => ({ title: s.title.trim(), drafterId: s.drafter[0] })),
  };
}

/** A recipient picked from the directory: `u:<id>` a unit, `g:<id>` a unit group. */
const pickRef = (x: string) => (x.startsWith('g:') ? { groupId: x.slice(2) } : { unitId: x.slice(2) });

function FieldError({ id, text }: { id: string; text: string | undefined }) {
  if (!text) return null;
  return (
    <p id={id} className="field-error" data-testid="field-error">
      {text}
    </p>
  );
}

/** 主送 or 抄送: units and groups of the directory, and free text for bodies outside it. */
function RecipientField({
  role,
  items,
  loading,
  value,
  onChange,
  free,
  onFree,
}: {
  role: string;
  items: PickItem[] | undefined;
  loading: boolean;
  value: string[];
  onChange: (v: string[]) => void;
  free: string[];
  onFree: (v: string[]) => void;
}) {
  const { ct } = useCrT();
  const { t } = useI18n();
  const uid = useId();
  const [text, setText] = useState('');
  const [err, setErr] = useState('');
  const add = () => {
    const name = text.trim();
    if (!name) return setErr(ct('check.recipientEmpty'));
    setErr('');
    if (!free.includes(name)) onFree([...free, name]);
    setText('');
  };
  return (
    <div className="recipient-field">
      <EntityPicker items={items} loading={loading} value={value} onChange={onChange} label={ct('new.recipientsOf', { role })} />
      <div className="field">
        <label htmlFor={`${uid}-free`}>{ct('new.freeText', { role })}</label>
        {free.length > 0 && (
          <p className="picker-chosen">
            {free.map((n) => (
              <span key={n} className="chip">
                {n}
                <button
                  type="button"
                  className="chip-remove"
                  onClick={() => onFree(free.filter((x) => x !== n))}
                  aria-label={t('picker.remove', { name: n })}
                >
                  ×
                </button>
              </span>
            ))}
          </p>
        )}
        <div className="inline-add">
          <input
            id={`${uid}-free`}
            value={text}
            maxLength={200}
            aria-invalid={err ? true : undefined}
            aria-describedby={err ? `${uid}-err` : undefined}
            onChange={(e) => setText(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                add();
              }
            }}
          />
          <button type="button" className="btn btn-small" onClick={add}>
            {ct('new.addFree')}
          </button>
        </div>
        <FieldError id={`${uid}-err`} text={err} />
      </div>
    </div>
  );
}

export function CreateDocumentPage() {
  const { t, lang } = useI18n();
  const { ct } = useCrT();
  const user = useUser();
  const uid = useId();
  const qc = useQueryClient();
  const units = useAllUnits();
  const groups = useUnitGroups();
  const users = useUserDirectory();
  const [f, setF] = useState<Form>(initial);
  /** The API's field refusals of the last try, until the next change; otherwise the browser's checks, once a try was made. */
  const [serverErrors, setServerErrors] = useState<Errors | null>(null);
  const [attempted, setAttempted] = useState(false);
  const [problem, setProblem] = useState<ApiError | null>(null);
  const [pending, setPending] = useState(false);
  const [created, setCreated] = useState<string | null>(null);
  const key = useRef(newKey());
  const summaryRef = useRef<HTMLDivElement>(null);
  const touched = useRef(false);

  useEffect(() => {
    document.title = `${ct('new.title')} · ${t('app.name')}`;
  }, [ct, t]);
  const dirty = touched.current && !created;
  useUnsavedChanges('create-document', dirty);
  useEffect(() => {
    if (dirty) setLeaveMessage(t('editor.leave'));
  }, [dirty, t]);
  useEffect(() => {
    if (created) navigate(`/documents/${encodeURIComponent(created)}`);
  }, [created]);

  const unitById = useMemo(() => new Map((units.data ?? []).map((u) => [u.id, u])), [units.data]);
  const unitName = (id: string) => unitById.get(id)?.name ?? '';
  const recipientItems: PickItem[] | undefined = useMemo(() => {
    if (!units.data || !groups.data) return undefined;
    return [
      ...groups.data.map((g) => ({
        id: `g:${g.id}`,
        label: g.name,
        detail: ct('new.group', { n: g.members.length }),
        keys: g.members.map((m) => m.name).join(' '),
      })),
      ...units.data
        .filter((u) => u.kind !== 'leadership')
        .map((u) => ({ id: `u:${u.id}`, label: u.name, detail: ct('new.unit'), keys: u.code ?? '' })),
    ];
  }, [units.data, groups.data, ct]);

  if (!user.roles.includes('chief')) {
    return (
      <main id="main" className="page" tabIndex={-1}>
        <h1>{ct('new.title')}</h1>
        <p className="empty">{ct('new.notAllowed')}</p>
      </main>
    );
  }

  const set = (patch: Partial<Form>) => {
    touched.current = true;
    setServerErrors(null);
    setProblem(null);
    setF((x) => ({ ...x, ...patch }));
  };
  const setSection = (i: number, patch: Partial<SectionDraft>) =>
    set({ sections: f.sections.map((s, k) => (k === i ? { ...s, ...patch } : s)) });
  const level = LEVELS.indexOf(f.classification);
  /** The signers of a body whose authority covers this kind and classification (the API checks it at signing). */
  const signersOf = (unitId: string) =>
    (unitById.get(unitId)?.signers ?? []).filter(
      (s) => (s.kinds.length === 0 || s.kinds.includes(f.kind)) && LEVELS.indexOf(s.maxClassification) >= level,
    );
  const maySign = (u: string, signer: string) => signersOf(u).some((x) => x.id === signer);
  const errors: Errors = serverErrors ?? (attempted ? check(f, ct, unitName, maySign, user.clearance) : {});
  const describedBy = (k: string) => (errors[k] ? `${uid}-${k}-err` : undefined);
  const invalid = (k: string) => (errors[k] ? true : undefined);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (pending) return;
    setProblem(null);
    setServerErrors(null);
    setAttempted(true);
    const found = check(f, ct, unitName, maySign, user.clearance);
    if (Object.keys(found).length) {
      requestAnimationFrame(() => summaryRef.current?.focus());
      return;
    }
    setPending(true);
    try {
      const doc = await createApi.create(body(f), key.current);
      void qc.invalidateQueries({ queryKey: keys.tasks });
      qc.setQueryData(keys.document(doc.id), doc);
      setCreated(doc.id);
    } catch (err) {
      if (err instanceof ApiError && err.status !== 401) {
        // a refused body is not stored: the next try is a new request
        key.current = newKey();
        const next: Errors = {};
        for (const x of err.problem.errors ?? []) {
          const k = fieldKey(x.field ?? '');
          const name = nameFor(k);
          const msg = fieldMessage(ct, x.message, name);
          next[k] = next[k] ? `${next[k]} ${msg}` : msg;
        }
        setServerErrors(next);
        setProblem(err);
        requestAnimationFrame(() => summaryRef.current?.focus());
      } else if (!(err instanceof ApiError)) {
        setProblem(new ApiError(0, { status: 0, code: 'NETWORK', title: String(err) }));
      }
    } finally {
      setPending(false);
    }
  };
  /** Who or what a field names, for its message. */
  function nameFor(k: string): string {
    let m: RegExpExecArray | null;
    if ((m = /^section\.(\d+)\.drafter$/.exec(k))) return users.get(f.sections[Number(m[1])]?.drafter[0] ?? '')?.displayName ?? '';
    if ((m = /^signer\.(\d+)$/.exec(k))) return users.get(f.signers[f.issuers[Number(m[1])]] ?? '')?.displayName ?? '';
    return '';
  }

  const errorList = Object.entries(errors);
  const problemText = problem ? (problemMessage(problem.code, problem.problem as Record<string, unknown>, lang) ?? problem.message) : null;

  return (
    <main id="main" className="page create-page" tabIndex={-1}>
      <h1>{ct('new.title')}</h1>
      <p className="muted">{ct('new.intro')}</p>
      <div ref={summaryRef} tabIndex={-1} className="notice-slot" data-testid="create-summary">
        {(problemText || errorList.length > 0) && (
          <div className="error" role="alert" data-code={problem?.code}>
            <p>{problemText ?? ct('new.fix', { n: errorList.length })}</p>
            {errorList.length > 0 && (
              <ul>
                {errorList.map(([k, v]) => (
                  <li key={k}>{v}</li>
                ))}
              </ul>
            )}
          </div>
        )}
      </div>
      <form className="panel create-form" onSubmit={(e) => void submit(e)} noValidate aria-labelledby={`${uid}-h`}>
        <h2 id={`${uid}-h`} className="visually-hidden">
          {ct('new.title')}
        </h2>
        <div className="create-row">
          <div className="field">
            <label htmlFor={`${uid}-kind`}>{ct('new.kind')}</label>
            <select id={`${uid}-kind`} value={f.kind} onChange={(e) => set({ kind: e.target.value as DocumentKind })}>
              {KINDS.map((k) => (
                <option key={k} value={k}>
                  {lang === 'zh' ? k : `${KIND_EN[k] ?? k}（${k}）`}
                </option>
              ))}
            </select>
          </div>
          <div className="field grow">
            <label htmlFor={`${uid}-title`}>{ct('new.docTitle')}</label>
            <input
              id={`${uid}-title`}
              value={f.title}
              maxLength={300}
              placeholder={ct('new.titleHint')}
              aria-invalid={invalid('title')}
              aria-describedby={describedBy('title')}
              onChange={(e) => set({ title: e.target.value })}
            />
            <FieldError id={`${uid}-title-err`} text={errors.title} />
          </div>
        </div>

        <UnitPicker
          kind="issuer"
          value={f.issuers}
          onChange={(issuers) => set({ issuers, signers: Object.fromEntries(issuers.map((u) => [u, f.signers[u] ?? ''])) })}
          label={ct('new.issuers')}
        />
        <FieldError id={`${uid}-issuers-err`} text={errors.issuers} />
        {f.issuers.map((u, i) => {
          const options = signersOf(u);
          const k = `signer.${i}`;
          return (
            <div className="field" key={u}>
              <label htmlFor={`${uid}-${k}`}>{ct('new.signerFor', { unit: unitName(u) })}</label>
              <select
                id={`${uid}-${k}`}
                value={options.some((s) => s.id === f.signers[u]) ? f.signers[u] : ''}
                aria-invalid={invalid(k)}
                aria-describedby={describedBy(k)}
                onChange={(e) => set({ signers: { ...f.signers, [u]: e.target.value } })}
              >
                <option value="">{options.length ? ct('new.chooseSigner') : ct('new.noSigner')}</option>
                {options.map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.displayName}
                  </option>
                ))}
              </select>
              <FieldError id={`${uid}-${k}-err`} text={errors[k]} />
            </div>
          );
        })}

        <div className="create-recipients">
          <RecipientField
            role={ct('new.main')}
            items={recipientItems}
            loading={units.isPending || groups.isPending}
            value={f.main}
            onChange={(main) => set({ main })}
            free={f.mainFree}
            onFree={(mainFree) => set({ mainFree })}
          />
          <RecipientField
            role={ct('new.copy')}
            items={recipientItems}
            loading={units.isPending || groups.isPending}
            value={f.copy}
            onChange={(copy) => set({ copy })}
            free={f.copyFree}
            onFree={(copyFree) => set({ copyFree })}
          />
        </div>
        <FieldError id={`${uid}-recipients-err`} text={errors.recipients} />

        <div className="create-row">
          <div className="field">
            <label htmlFor={`${uid}-class`}>{ct('new.classification')}</label>
            <select
              id={`${uid}-class`}
              value={f.classification}
              aria-invalid={invalid('classification')}
              aria-describedby={describedBy('classification')}
              onChange={(e) => set({ classification: e.target.value as ClassificationLevel })}
            >
              {LEVELS.map((c) => (
                <option key={c} value={c}>
                  {t(`class.${c}`)}
                </option>
              ))}
            </select>
            <FieldError id={`${uid}-classification-err`} text={errors.classification} />
          </div>
          {f.classification !== 'none' && (
            <div className="field">
              <label htmlFor={`${uid}-period`}>{ct('new.secrecyPeriod')}</label>
              <input
                id={`${uid}-period`}
                value={f.secrecyPeriod}
                maxLength={20}
                placeholder={ct('new.secrecyHint')}
                aria-invalid={invalid('secrecyPeriod')}
                aria-describedby={describedBy('secrecyPeriod')}
                onChange={(e) => set({ secrecyPeriod: e.target.value })}
              />
              <FieldError id={`${uid}-secrecyPeriod-err`} text={errors.secrecyPeriod} />
            </div>
          )}
          <div className="field">
            <label htmlFor={`${uid}-urgency`}>{ct('new.urgency')}</label>
            <select id={`${uid}-urgency`} value={f.urgency} onChange={(e) => set({ urgency: e.target.value as Urgency })}>
              {URGENCIES.map((u) => (
                <option key={u} value={u}>
                  {t(`urgency.${u}`)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${uid}-deadline`}>{ct('new.deadline')}</label>
            <input
              id={`${uid}-deadline`}
              type="date"
              value={f.deadline}
              aria-invalid={invalid('deadline')}
              aria-describedby={describedBy('deadline')}
              onChange={(e) => set({ deadline: e.target.value })}
            />
            <FieldError id={`${uid}-deadline-err`} text={errors.deadline} />
          </div>
        </div>
        <div className="field-check">
          <input id={`${uid}-major`} type="checkbox" checked={f.major} onChange={(e) => set({ major: e.target.checked })} />
          <label htmlFor={`${uid}-major`}>{ct('new.major')}</label>
        </div>

        <fieldset className="create-sections">
          <legend>{ct('new.sections')}</legend>
          <FieldError id={`${uid}-sections-err`} text={errors.sections} />
          <ol>
            {f.sections.map((s, i) => {
              const tk = `section.${i}.title`;
              const dk = `section.${i}.drafter`;
              return (
                <li key={s.key} className="create-section" data-testid="create-section">
                  <div className="field">
                    <label htmlFor={`${uid}-${tk}`}>{ct('new.sectionTitle', { n: i + 1 })}</label>
                    <input
                      id={`${uid}-${tk}`}
                      value={s.title}
                      maxLength={200}
                      aria-invalid={invalid(tk)}
                      aria-describedby={describedBy(tk)}
                      onChange={(e) => setSection(i, { title: e.target.value })}
                    />
                    <FieldError id={`${uid}-${tk}-err`} text={errors[tk]} />
                  </div>
                  <UserPicker
                    role="secretary"
                    single
                    value={s.drafter}
                    onChange={(drafter) => setSection(i, { drafter })}
                    label={ct('new.drafter', { n: i + 1 })}
                  />
                  <FieldError id={`${uid}-${dk}-err`} text={errors[dk]} />
                  {f.sections.length > 1 && (
                    <button type="button" className="btn btn-small" onClick={() => set({ sections: f.sections.filter((_, k) => k !== i) })}>
                      {ct('new.removeSection', { n: i + 1 })}
                    </button>
                  )}
                </li>
              );
            })}
          </ol>
          {f.sections.length < 50 && (
            <button type="button" className="btn btn-small" onClick={() => set({ sections: [...f.sections, newSection()] })}>
              {ct('new.addSection')}
            </button>
          )}
        </fieldset>
        <p className="small muted">
          {ct('new.summary', { issuers: f.issuers.map(unitName).join('、') || t('common.none'), n: f.sections.length })}
        </p>
        <button type="submit" className="btn btn-primary" disabled={pending}>
          {pending ? ct('new.pending') : ct('new.submit')}
        </button>
      </form>
    </main>
  );
}
