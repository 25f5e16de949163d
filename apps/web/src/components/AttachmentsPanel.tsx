/**
 * 附件 on the document page: the attachments in their printed order, each with its title and, for an uploaded
 * file, a download link. Whoever may revise the content now (the API's allowedEdits says EDIT_CONTENT: the chief in
 * consolidation, drafters and chief in proofreading) uploads files (POST …/files, any type: Word, PDF, OFD …),
 * retitles, reorders (up/down buttons, keyboard reachable, focus follows the moved attachment) and removes them;
 * every change is the next revision (PUT …/content with the whole attachment list, If-Match). Otherwise the
 * controls are not offered and the panel says why. An uploaded file no longer listed stays stored (files are
 * immutable) but is no longer part of the document.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useAction, type ActionContext } from '../actions/useAction';
import { createApi, useAttachmentFiles, ATTACHMENT_ACCEPT, type Attachment } from '../create-api';
import { useCrT } from '../create-strings';
import { useI18n } from '../i18n';
import { ErrorBox } from './ErrorBox';
import './create.css';

const MAX_BYTES = 20 * 1024 * 1024;
const newAttachmentId = () => `a${Math.random().toString(36).slice(2, 10)}`;
const baseName = (name: string) => name.replace(/\.[^.]+$/, '');

function size(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function AttachmentsPanel({ ctx }: { ctx: ActionContext }) {
  const { tx } = useI18n();
  const { ct } = useCrT();
  const uid = useId();
  const qc = useQueryClient();
  const { doc } = ctx;
  const files = useAttachmentFiles(doc.id);
  const attachments = doc.content.attachments;
  const editable = doc.allowedEdits.some((e) => e.type === 'EDIT_CONTENT');
  const action = useAction(ctx, 'EDIT_CONTENT');
  const [titles, setTitles] = useState<Record<string, string>>({});
  const [file, setFile] = useState<File | null>(null);
  const [newTitle, setNewTitle] = useState('');
  const [pickError, setPickError] = useState('');
  const [uploading, setUploading] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const listRef = useRef<HTMLOListElement>(null);
  /** After a move: the moved attachment, its direction and its new place. */
  const [focus, setFocus] = useState<{ id: string; dir: 'up' | 'down'; at: number } | null>(null);

  const save = (next: Attachment[]) => action.run(() => createApi.setAttachments(doc, next));
  const move = async (i: number, d: -1 | 1) => {
    const next = [...attachments];
    const [a] = next.splice(i, 1);
    next.splice(i + d, 0, a);
    if (await save(next)) setFocus({ id: a.id, dir: d < 0 ? 'up' : 'down', at: i + d });
  };
  const remove = (id: string) => save(attachments.filter((a) => a.id !== id));
  const saveTitle = async (id: string) => {
    const title = (titles[id] ?? '').trim();
    if (!title) return;
    if (await save(attachments.map((a) => (a.id === id ? { ...a, title } : a)))) setTitles(({ [id]: _done, ...rest }) => rest);
  };
  const upload = async (e: FormEvent) => {
    e.preventDefault();
    if (uploading || action.pending) return;
    if (!file) return setPickError(ct('att.pickFile'));
    if (file.size > MAX_BYTES) return setPickError(ct('att.tooBig'));
    setPickError('');
    setUploading(true);
    action.setError(null);
    try {
      const stored = await createApi.upload(doc.id, file);
      void qc.invalidateQueries({ queryKey: ['document', doc.id, 'files'] });
      const title = newTitle.trim() || baseName(file.name);
      const ok = await save([...attachments, { id: newAttachmentId(), title: title.slice(0, 300), fileId: stored.id }]);
      if (ok) {
        setFile(null);
        setNewTitle('');
        if (fileInput.current) fileInput.current.value = '';
      }
    } catch (err) {
      action.setError(err);
    } finally {
      setUploading(false);
    }
  };

  const fileOf = (a: Attachment) => (a.fileId ? files.data?.find((f) => f.id === a.fileId) : undefined);
  const busy = action.pending || uploading;

  // after a move, the focus stays on the moved attachment's button (the other one when it reached an end) — once
  // the new order is rendered and the buttons are enabled again: focused in the old order, the button could turn
  // disabled at the end of the list and lose the focus
  useEffect(() => {
    if (!focus || busy || attachments[focus.at]?.id !== focus.id) return;
    const row = listRef.current?.querySelector(`[data-att="${focus.id}"]`);
    if (!row) return;
    const want = row.querySelector<HTMLButtonElement>(`button[data-move="${focus.dir}"]:not(:disabled)`);
    const other = row.querySelector<HTMLButtonElement>(`button[data-move]:not(:disabled)`);
    (want ?? other)?.focus();
    setFocus(null);
  }, [focus, attachments, busy]);

  return (
    <section className="panel attachments" aria-labelledby={`${uid}-h`} data-testid="attachments">
      <h2 id={`${uid}-h`}>{ct('att.title')}</h2>
      {!editable && (
        <p className="small muted" data-testid="attachments-locked">
          {ct('att.locked', { state: tx(`state.${doc.state}`, doc.state) })}
        </p>
      )}
      {attachments.length === 0 ? (
        <p className="muted">{ct('att.empty')}</p>
      ) : (
        <ol className="attachment-list" ref={listRef} aria-label={ct('att.list')}>
          {attachments.map((a, i) => {
            const f = fileOf(a);
            const n = i + 1;
            const draft = titles[a.id];
            return (
              <li key={a.id} data-att={a.id} className="attachment-row" data-testid="attachment">
                <div className="attachment-head">
                  <span className="attachment-no">{ct('att.n', { n })}</span>
                  {editable ? (
                    <>
                      <label htmlFor={`${uid}-${a.id}-t`} className="visually-hidden">
                        {ct('att.titleLabel', { n })}
                      </label>
                      <input
                        id={`${uid}-${a.id}-t`}
                        className="attachment-title-input"
                        value={draft ?? a.title}
                        maxLength={300}
                        onChange={(e) => setTitles({ ...titles, [a.id]: e.target.value })}
                        onKeyDown={(e) => {
                          if (e.key === 'Enter') {
                            e.preventDefault();
                            void saveTitle(a.id);
                          }
                        }}
                      />
                      {draft !== undefined && draft.trim() !== a.title && (
                        <button
                          type="button"
                          className="btn btn-small"
                          disabled={busy || !draft.trim()}
                          onClick={() => void saveTitle(a.id)}
                          aria-label={ct('att.saveTitleLabel', { n })}
                        >
                          {ct('att.saveTitle')}
                        </button>
                      )}
                    </>
                  ) : (
                    <span className="attachment-title" data-testid="attachment-title">
                      {a.title}
                    </span>
                  )}
                </div>
                <p className="small muted">
                  {a.fileId ? (
                    <a href={createApi.fileUrl(doc.id, a.fileId)} download={f?.name}>
                      {f ? ct('att.fileOf', { name: f.name, size: size(f.size) }) : ct('att.download', { name: a.title })}
                    </a>
                  ) : (
                    ct('att.inline')
                  )}
                </p>
                {editable && (
                  <div className="attachment-actions">
                    <button
                      type="button"
                      className="btn btn-small"
                      data-move="up"
                      disabled={busy || i === 0}
                      onClick={() => void move(i, -1)}
                      aria-label={ct('att.upLabel', { n, title: a.title })}
                    >
                      {ct('att.up')}
                    </button>
                    <button
                      type="button"
                      className="btn btn-small"
                      data-move="down"
                      disabled={busy || i === attachments.length - 1}
                      onClick={() => void move(i, 1)}
                      aria-label={ct('att.downLabel', { n, title: a.title })}
                    >
                      {ct('att.down')}
                    </button>
                    <button
                      type="button"
                      className="btn btn-small"
                      disabled={busy}
                      onClick={() => void remove(a.id)}
                      aria-label={ct('att.removeLabel', { n, title: a.title })}
                    >
                      {ct('att.remove')}
                    </button>
                  </div>
                )}
              </li>
            );
          })}
        </ol>
      )}
      <ErrorBox error={action.error} />
      {editable && (
        <form className="attachment-upload" onSubmit={(e) => void upload(e)} aria-labelledby={`${uid}-add`}>
          <h3 id={`${uid}-add`}>{ct('att.add')}</h3>
          <div className="field">
            <label htmlFor={`${uid}-file`}>{ct('att.file')}</label>
            <input
              id={`${uid}-file`}
              ref={fileInput}
              type="file"
              accept={ATTACHMENT_ACCEPT}
              aria-invalid={pickError ? true : undefined}
              aria-describedby={pickError ? `${uid}-file-err` : undefined}
              onChange={(e) => {
                setFile(e.target.files?.[0] ?? null);
                setPickError('');
              }}
            />
            {pickError && (
              <p id={`${uid}-file-err`} className="field-error">
                {pickError}
              </p>
            )}
          </div>
          <div className="field">
            <label htmlFor={`${uid}-title`}>{ct('att.newTitle')}</label>
            <input
              id={`${uid}-title`}
              value={newTitle}
              maxLength={300}
              placeholder={file ? baseName(file.name) : ct('att.newTitleHint')}
              onChange={(e) => setNewTitle(e.target.value)}
            />
          </div>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {uploading ? ct('att.uploading') : ct('att.upload')}
          </button>
        </form>
      )}
    </section>
  );
}
