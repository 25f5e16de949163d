/** 分口: each section of a document being drafted, with its drafter and whether it is in (what the chief waits for). */
import { useI18n } from '../i18n';
import './editing.css';
import type { DocumentView } from '../types';
import { nameOf } from './DocPanels';

export function SectionsPanel({ doc, names, meId }: { doc: DocumentView; names: Map<string, string>; meId: string }) {
  const { t } = useI18n();
  if (!doc.sections.length || !['drafting', 'consolidation'].includes(doc.state)) return null;
  const pending = doc.sections.filter((s) => s.status !== 'submitted').length;
  return (
    <section className="panel" aria-labelledby="sections-h" data-testid="sections">
      <h2 id="sections-h">{t('sections.title')}</h2>
      <p className="small muted">{pending ? t('sections.pending', { n: pending }) : t('sections.allIn')}</p>
      <ul className="sections">
        {doc.sections.map((s) => (
          <li key={s.id} className={`section-${s.status}`}>
            <strong>{s.title}</strong> — {nameOf(names, s.drafterId, meId, t)}：
            <span className={`badge section-status-${s.status}`}>{t(`sections.status.${s.status}`)}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
