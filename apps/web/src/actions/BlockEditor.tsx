/**
 * Editing a section's paragraphs and headings: EDIT_SECTION (a drafter, PUT /sections/:id) or EDIT_CONTENT
 * (the chief in consolidation, drafters or chief in proofreading with the marks it resolves, PUT /content).
 * The working copy is a draft in sessionStorage with the revision (and blocks) it started from: when someone else
 * saves first (409, or simply a newer revision read), the copy is kept and merged with theirs (MergePanel), and
 * leaving the page with unsaved changes asks first (unsaved.ts).
 */
import { useEffect, useId, useMemo, useState } from 'react';
import { api } from '../api';
import { ErrorBox } from '../components/ErrorBox';
import { MergePanel } from '../components/MergePanel';
import { draftKey, useDraft } from '../drafts';
import { useI18n } from '../i18n';
import type { Block } from '../types';
import { setLeaveMessage, useUnsavedChanges } from '../unsaved';
import { ImportDocx } from './ImportDocx';
import { useAction, type ActionContext } from './useAction';

/** A working copy: the blocks being edited, and the revision and blocks it started from (the base of a merge). */
interface WorkingCopy {
  base: number;
  baseBlocks: Block[];
  blocks: Block[];
}

function parseCopy(saved: string): WorkingCopy | null {
  if (!saved) return null;
  try {
    const v = JSON.parse(saved) as WorkingCopy;
    return Array.isArray(v.blocks) && Array.isArray(v.baseBlocks) && typeof v.base === 'number' ? v : null;
  } catch {
    return null;
  }
}

const sameBlocks = (a: Block[], b: Block[]) => JSON.stringify(a) === JSON.stringify(b);

type Kind = 'paragraph' | 'h1' | 'h2' | 'h3' | 'h4';
const kindOf = (b: Block): Kind | null => (b.type === 'paragraph' ? 'paragraph' : b.type === 'heading' ? (`h${b.level}` as Kind) : null);
const withKind = (b: Block, k: Kind, text: string): Block =>
  k === 'paragraph' ? { id: b.id, type: 'paragraph', text } : { id: b.id, type: 'heading', level: Number(k[1]) as 1 | 2 | 3 | 4, text };
const newId = () => `b${Math.random().toString(36).slice(2, 10)}`;

export function BlockEditor({ ctx, mode }: { ctx: ActionContext; mode: 'section' | 'content' }) {
  const { t } = useI18n();
  const uid = useId();
  const { doc, userId } = ctx;
  const editable =
    mode === 'section'
      ? doc.content.sections.filter((s) => s.drafterId === userId && doc.sections.find((x) => x.id === s.id)?.status !== 'submitted')
      : doc.content.sections;
  // sections added by the chief enter the content with their drafter's first text
  const extra =
    mode === 'section'
      ? doc.sections
          .filter((s) => s.drafterId === userId && s.status !== 'submitted' && !doc.content.sections.some((c) => c.id === s.id))
          .map((s) => ({ id: s.id, title: s.title, drafterId: s.drafterId, blocks: [] as Block[] }))
      : [];
  const sections = [...editable, ...extra];
  const [sectionId, setSectionId] = useState(sections[0]?.id ?? '');
  const section = sections.find((s) => s.id === sectionId) ?? sections[0];
  // one working copy per section, whatever the revision: a newer revision is merged into it, never orphans it
  const key = draftKey(userId, doc.id, mode === 'section' ? 'EDIT_SECTION' : 'EDIT_CONTENT', section?.id ?? '', 'copy');
  const [saved, setSaved, clear] = useDraft(key);
  const revision = doc.currentRevision.number;
  const current = useMemo(() => section?.blocks ?? [], [section]);
  const copy = useMemo(() => parseCopy(saved), [saved]);
  const blocks: Block[] = copy?.blocks ?? current;
  // a newer revision that left this section as it was: the copy simply moves onto it
  const stale = !!copy && copy.base !== revision;
  const rebase = stale && sameBlocks(copy.baseBlocks, current);
  // … or now says what the copy says (my own save, or the same change made elsewhere): nothing left to keep
  const settled = stale && sameBlocks(copy.blocks, current);
  useEffect(() => {
    if (settled) clear();
    else if (rebase && copy) setSaved(JSON.stringify({ ...copy, base: revision, baseBlocks: current }));
  }, [settled, rebase, copy, revision, current, setSaved, clear]);
  const merging = stale && !rebase && !settled;
  const dirty = !!copy && !sameBlocks(copy.blocks, current);
  useUnsavedChanges(key, dirty);
  useEffect(() => {
    if (dirty) setLeaveMessage(t('editor.leave'));
  }, [dirty, t]);
  const openMarks = doc.marks.filter((m) => m.status === 'open');
  const [resolves, setResolves] = useState<string[]>([]);
  const action = useAction(ctx, mode === 'section' ? 'EDIT_SECTION' : 'EDIT_CONTENT');
  if (!section) return null;

  const update = (next: Block[]) =>
    sameBlocks(next, current) && !stale
      ? clear()
      : setSaved(JSON.stringify({ base: copy?.base ?? revision, baseBlocks: copy?.baseBlocks ?? current, blocks: next }));
  const move = (i: number, d: number) => {
    const next = [...blocks];
    const [b] = next.splice(i, 1);
    next.splice(i + d, 0, b);
    update(next);
  };
  if (merging && copy) {
    return (
      <MergePanel
        sectionTitle={section.title}
        revision={revision}
        base={copy.baseBlocks}
        theirs={current}
        mine={copy.blocks}
        onApply={(merged) => setSaved(JSON.stringify({ base: revision, baseBlocks: current, blocks: merged }))}
        onDiscard={clear}
      />
    );
  }
  const save = async () => {
    const ok = await action.run(() =>
      mode === 'section'
        ? api.editSection(doc, section.id, { blocks })
        : api.editContent(doc, { sections: [{ id: section.id, blocks }], ...(resolves.length ? { resolvesMarks: resolves } : {}) }),
    );
    if (ok) clear();
  };

  return (
    <form
      className="action-form editor"
      data-event={mode === 'section' ? 'EDIT_SECTION' : 'EDIT_CONTENT'}
      onSubmit={(e) => {
        e.preventDefault();
        if (!action.pending) void save();
      }}
    >
      {sections.length > 1 && (
        <div className="field">
          <label htmlFor={`${uid}-s`}>{t('action.section')}</label>
          <select id={`${uid}-s`} value={section.id} onChange={(e) => setSectionId(e.target.value)}>
            {sections.map((s) => (
              <option key={s.id} value={s.id}>
                {s.title}
              </option>
            ))}
          </select>
        </div>
      )}
      <p className="small muted">
        {mode === 'section' ? t('editor.sectionTitle', { section: section.title }) : `${t('editor.contentTitle')} · ${section.title}`}
      </p>
      {blocks.length === 0 && <p className="muted">{t('editor.empty')}</p>}
      <ol className="editor-blocks">
        {blocks.map((b, i) => {
          const k = kindOf(b);
          return (
            <li key={b.id} className="editor-block">
              {k === null ? (
                <p className="muted">{t('editor.readonly')}</p>
              ) : (
                <>
                  <div className="editor-row">
                    <label htmlFor={`${uid}-${b.id}-k`} className="visually-hidden">
                      {t('editor.type')} {t('editor.block', { n: i + 1 })}
                    </label>
                    <select
                      id={`${uid}-${b.id}-k`}
                      value={k}
                      onChange={(e) =>
                        update(blocks.map((x) => (x.id === b.id ? withKind(x, e.target.value as Kind, (x as { text: string }).text) : x)))
                      }
                    >
                      <option value="paragraph">{t('editor.paragraph')}</option>
                      <option value="h1">{t('editor.heading1')}</option>
                      <option value="h2">{t('editor.heading2')}</option>
                      <option value="h3">{t('editor.heading3')}</option>
                      <option value="h4">{t('editor.heading4')}</option>
                    </select>
                    <button type="button" className="btn btn-small" onClick={() => move(i, -1)} disabled={i === 0}>
                      {t('editor.up')}
                    </button>
                    <button type="button" className="btn btn-small" onClick={() => move(i, 1)} disabled={i === blocks.length - 1}>
                      {t('editor.down')}
                    </button>
                    <button type="button" className="btn btn-small" onClick={() => update(blocks.filter((x) => x.id !== b.id))}>
                      {t('editor.remove')}
                    </button>
                  </div>
                  <label htmlFor={`${uid}-${b.id}-t`} className="visually-hidden">
                    {t('editor.text')} {t('editor.block', { n: i + 1 })}
                  </label>
                  <textarea
                    id={`${uid}-${b.id}-t`}
                    rows={k === 'paragraph' ? 4 : 1}
                    value={(b as { text: string }).text}
                    onChange={(e) => update(blocks.map((x) => (x.id === b.id ? withKind(x, k, e.target.value) : x)))}
                  />
                </>
              )}
            </li>
          );
        })}
      </ol>
      <button type="button" className="btn btn-small" onClick={() => update([...blocks, { id: newId(), type: 'paragraph', text: '' }])}>
        {t('editor.add')}
      </button>
      {mode === 'content' && doc.state === 'proofreading' && openMarks.length > 0 && (
        <fieldset className="resolves">
          <legend>{t('editor.resolves')}</legend>
          {openMarks.map((m) => (
            <div className="field-check" key={m.id}>
              <input
                type="checkbox"
                id={`${uid}-m-${m.id}`}
                checked={resolves.includes(m.id)}
                onChange={(e) => setResolves(e.target.checked ? [...resolves, m.id] : resolves.filter((x) => x !== m.id))}
              />
              <label htmlFor={`${uid}-m-${m.id}`}>
                {t(`mark.kind.${m.kind}`)}：{m.comment}
              </label>
            </div>
          ))}
        </fieldset>
      )}
      {mode === 'section' && <ImportDocx ctx={ctx} section={section} dirty={dirty} onImported={clear} />}
      <ErrorBox error={action.error} />
      {dirty && (
        <p className="small muted" data-testid="unsaved">
          {t('editor.unsaved')}
        </p>
      )}
      <button type="submit" className="btn btn-primary" disabled={action.pending}>
        {action.pending ? t('action.pending') : t('editor.save')}
      </button>
    </form>
  );
}
