/**
 * 导入 Word 文稿 in the section editor: the drafter picks a .docx, the API reads it (POST /api/documents/import,
 * which changes nothing) and the page shows what was read — headings, paragraphs, lists, tables, and the reader's
 * notes — before anything is saved; confirmed, the same file replaces the section's text as the next revision
 * (PUT …/sections/{sectionId}/import, If-Match). Not offered while the editor holds unsaved changes, which the
 * import would replace.
 */
import { useId, useRef, useState } from 'react';
import { createApi, DOCX_MIME, type ImportedDraft } from '../create-api';
import { useCrT } from '../create-strings';
import { ErrorBox } from '../components/ErrorBox';
import '../components/create.css';
import { useAction, type ActionContext } from './useAction';

function Preview({ draft }: { draft: ImportedDraft }) {
  const { ct } = useCrT();
  return (
    <div className="import-preview" data-testid="import-preview">
      {draft.title && <p className="small muted">{ct('imp.docTitle', { title: draft.title })}</p>}
      <p className="small">{ct('imp.result', { n: draft.blocks.length })}</p>
      <ol className="import-blocks">
        {draft.blocks.map((b) => (
          <li key={b.id} className={`import-${b.type}`}>
            {b.type === 'heading' || b.type === 'paragraph'
              ? b.text
              : b.type === 'list'
                ? b.items.join('；')
                : ct('imp.table', { rows: b.rows.length })}
          </li>
        ))}
      </ol>
      {draft.warnings.length > 0 && (
        <>
          <p className="small">{ct('imp.warnings')}</p>
          <ul className="small muted">
            {draft.warnings.map((w, i) => (
              <li key={i}>{w}</li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

export function ImportDocx({
  ctx,
  section,
  dirty,
  onImported,
}: {
  ctx: ActionContext;
  section: { id: string; title: string };
  dirty: boolean;
  onImported: () => void;
}) {
  const { ct } = useCrT();
  const uid = useId();
  const input = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [draft, setDraft] = useState<ImportedDraft | null>(null);
  const [reading, setReading] = useState(false);
  const [pickError, setPickError] = useState('');
  const action = useAction(ctx, 'EDIT_SECTION');

  const reset = () => {
    setFile(null);
    setDraft(null);
    setPickError('');
    if (input.current) input.current.value = '';
  };
  const preview = async () => {
    action.setError(null);
    setDraft(null);
    if (!file) return setPickError(ct('imp.pick'));
    if (!/\.docx$/i.test(file.name) && file.type !== DOCX_MIME) return setPickError(ct('imp.notDocx'));
    setPickError('');
    setReading(true);
    try {
      setDraft(await createApi.previewDocx(file));
    } catch (e) {
      action.setError(e);
    } finally {
      setReading(false);
    }
  };
  const confirm = async () => {
    if (!file) return;
    if (await action.run(() => createApi.importSection(ctx.doc, section.id, file))) {
      reset();
      onImported();
    }
  };

  return (
    <details className="import-docx" data-testid="import-docx">
      <summary>{ct('imp.title')}</summary>
      <p className="small muted">{ct('imp.intro', { section: section.title })}</p>
      {dirty ? (
        <p className="small" data-testid="import-dirty">
          {ct('imp.dirty')}
        </p>
      ) : (
        <>
          <div className="field">
            <label htmlFor={`${uid}-f`}>{ct('imp.file')}</label>
            <input
              id={`${uid}-f`}
              ref={input}
              type="file"
              accept={`.docx,${DOCX_MIME}`}
              aria-invalid={pickError ? true : undefined}
              aria-describedby={pickError ? `${uid}-err` : undefined}
              onChange={(e) => {
                setFile(e.target.files?.[0] ?? null);
                setDraft(null);
                setPickError('');
              }}
            />
            {pickError && (
              <p id={`${uid}-err`} className="field-error">
                {pickError}
              </p>
            )}
          </div>
          <button type="button" className="btn btn-small" onClick={() => void preview()} disabled={reading || action.pending}>
            {reading ? ct('imp.reading') : ct('imp.preview')}
          </button>
          {draft && (
            <>
              <Preview draft={draft} />
              <div className="import-actions">
                <button type="button" className="btn btn-primary" onClick={() => void confirm()} disabled={action.pending}>
                  {action.pending ? ct('imp.saving') : ct('imp.confirm')}
                </button>
                <button type="button" className="btn" onClick={reset} disabled={action.pending}>
                  {ct('imp.cancel')}
                </button>
              </div>
            </>
          )}
          <ErrorBox error={action.error} />
        </>
      )}
    </details>
  );
}
