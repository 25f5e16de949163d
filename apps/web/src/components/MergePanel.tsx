/**
 * After someone else saved a newer revision of the section being edited: the user's working copy merged with it,
 * block by block (merge.ts). Blocks changed on one side only are merged already (and say which side they come from);
 * a block both sides changed shows the two texts side by side with a choice. The working copy stays as it was until
 * the user applies the merge, or chooses, explicitly, to drop their changes.
 */
import { useId, useMemo, useState } from 'react';
import { useI18n } from '../i18n';
import './editing.css';
import { conflictsOf, mergeBlocks, resolve, type Choice } from '../merge';
import type { Block } from '../types';

const newId = () => `b${Math.random().toString(36).slice(2, 10)}`;

function BlockText({ block }: { block: Block | null }) {
  const { t } = useI18n();
  if (!block) return <p className="muted">{t('merge.removed')}</p>;
  if (block.type === 'paragraph' || block.type === 'heading')
    return <p className={block.type === 'heading' ? 'merge-heading' : ''}>{block.text}</p>;
  return <p className="muted">{t('editor.readonly')}</p>;
}

export function MergePanel({
  sectionTitle,
  revision,
  base,
  theirs,
  mine,
  onApply,
  onDiscard,
}: {
  sectionTitle: string;
  revision: number;
  base: Block[];
  theirs: Block[];
  mine: Block[];
  onApply: (merged: Block[]) => void;
  onDiscard: () => void;
}) {
  const { t } = useI18n();
  const uid = useId();
  const items = useMemo(() => mergeBlocks(base, theirs, mine), [base, theirs, mine]);
  const conflicts = conflictsOf(items);
  const [choices, setChoices] = useState<Record<string, Choice>>({});
  const merged = resolve(items, choices, newId);
  const from = { same: t('merge.unchanged'), mine: t('merge.fromMine'), theirs: t('merge.fromTheirs'), both: t('merge.fromBoth') };
  return (
    <section className="merge" data-testid="merge" aria-labelledby={`${uid}-h`}>
      <h4 id={`${uid}-h`}>{t('merge.title', { section: sectionTitle, n: revision })}</h4>
      <p role="status">{conflicts.length ? t('merge.conflicts', { n: conflicts.length }) : t('merge.auto')}</p>
      <ol className="merge-blocks">
        {items.map((i, k) =>
          i.kind === 'block' ? (
            <li key={i.block.id} className={`merge-block merge-${i.from}`} data-from={i.from}>
              <span className="badge">{from[i.from]}</span>
              <BlockText block={i.block} />
            </li>
          ) : (
            <li key={i.id} className="merge-block merge-conflict" data-testid="merge-conflict">
              <fieldset>
                <legend>{t('merge.conflict', { n: k + 1 })}</legend>
                <div className="merge-sides">
                  <div>
                    <p className="merge-side">{t('merge.mine')}</p>
                    <BlockText block={i.mine} />
                  </div>
                  <div>
                    <p className="merge-side">{t('merge.theirs', { n: revision })}</p>
                    <BlockText block={i.theirs} />
                  </div>
                </div>
                {(['mine', 'theirs', 'both'] as const)
                  .filter((c) => c !== 'both' || (i.mine && i.theirs))
                  .map((c) => (
                    <label key={c} className="user-choice">
                      <input
                        type="radio"
                        name={`${uid}-${i.id}`}
                        checked={choices[i.id] === c}
                        onChange={() => setChoices({ ...choices, [i.id]: c })}
                      />{' '}
                      {t(`merge.choose.${c}`)}
                    </label>
                  ))}
              </fieldset>
            </li>
          ),
        )}
      </ol>
      <details>
        <summary>{t('merge.allMine')}</summary>
        {mine.map((b) => (
          <BlockText key={b.id} block={b} />
        ))}
      </details>
      <div className="merge-actions">
        <button type="button" className="btn btn-primary" disabled={!merged} onClick={() => merged && onApply(merged)}>
          {t('merge.apply')}
        </button>
        <button
          type="button"
          className="btn"
          onClick={() => {
            if (window.confirm(t('merge.discardConfirm'))) onDiscard();
          }}
        >
          {t('merge.discard')}
        </button>
      </div>
    </section>
  );
}
