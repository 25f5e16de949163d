/**
 * Search-as-you-type pickers for people (GET /api/users) and units (GET /api/units): the user types part of a name,
 * a unit or a username and ticks the match; what is chosen shows as names with a button to take it off. The value is
 * the list of ids (what the API takes), never shown.
 */
import { useId, useState } from 'react';
import { useI18n } from '../i18n';
import './editing.css';
import { useAllUnits, useAllUsers } from '../names';
import type { Role } from '../types';

export interface PickItem {
  id: string;
  label: string;
  /** Shown after the name (the unit of a person, the kind of a unit); also searched. */
  detail?: string;
  /** Searched, not shown (a username, a code). */
  keys?: string;
}

/** How many matches are listed at once; typing narrows the rest. */
const SHOWN = 12;

export function EntityPicker({
  items,
  value,
  onChange,
  label,
  single,
  loading,
}: {
  items: PickItem[] | undefined;
  value: string[];
  onChange: (ids: string[]) => void;
  label: string;
  single?: boolean;
  loading?: boolean;
}) {
  const { t } = useI18n();
  const uid = useId();
  const [query, setQuery] = useState('');
  const all = items ?? [];
  const chosen = value.map((id) => all.find((x) => x.id === id)).filter((x): x is PickItem => !!x);
  const q = query.trim().toLowerCase();
  const matches = all.filter((x) => !q || `${x.label} ${x.detail ?? ''} ${x.keys ?? ''}`.toLowerCase().includes(q));
  const shown = matches.slice(0, SHOWN);
  const toggle = (id: string) =>
    onChange(single ? (value.includes(id) ? [] : [id]) : value.includes(id) ? value.filter((x) => x !== id) : [...value, id]);
  return (
    <fieldset className="user-picker picker" data-testid="picker">
      <legend>{label}</legend>
      <p className="picker-chosen" aria-live="polite">
        {chosen.length === 0 ? (
          <span className="muted small">{t('picker.noneChosen')}</span>
        ) : (
          chosen.map((x) => (
            <span key={x.id} className="chip">
              {x.label}
              <button type="button" className="chip-remove" onClick={() => toggle(x.id)} aria-label={t('picker.remove', { name: x.label })}>
                ×
              </button>
            </span>
          ))
        )}
      </p>
      <label htmlFor={`${uid}-q`} className="small">
        {t('picker.search')}
      </label>
      <input
        id={`${uid}-q`}
        type="search"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        autoComplete="off"
        aria-describedby={`${uid}-n`}
      />
      <p id={`${uid}-n`} className="small muted" aria-live="polite">
        {loading && !items ? t('common.loading') : matches.length === 0 ? t('picker.noMatch') : t('picker.matches', { n: matches.length })}
      </p>
      <div className="picker-options">
        {shown.map((x) => (
          <label key={x.id} className="user-choice">
            <input
              type={single ? 'radio' : 'checkbox'}
              name={`${uid}-pick`}
              checked={value.includes(x.id)}
              onChange={() => toggle(x.id)}
              onClick={() => single && value.includes(x.id) && toggle(x.id)}
            />{' '}
            {x.label}
            {x.detail ? `（${x.detail}）` : ''}
          </label>
        ))}
      </div>
    </fieldset>
  );
}

/** People, optionally of one role (drafters are secretaries, invitees discussants, readers readers …). */
export function UserPicker({
  role,
  ...rest
}: {
  role?: Role;
  value: string[];
  onChange: (ids: string[]) => void;
  label: string;
  single?: boolean;
}) {
  // one directory read for every picker on the page; the role filter is applied here
  const q = useAllUsers();
  const items = q.data
    ?.filter((u) => !role || u.roles.includes(role))
    .map((u) => ({ id: u.id, label: u.displayName, detail: u.unitName ?? undefined, keys: u.username }));
  return <EntityPicker items={items} loading={q.isPending} {...rest} />;
}

/** Units (issuing bodies, sections, receiving units), optionally of one kind. */
export function UnitPicker({
  kind,
  ...rest
}: {
  kind?: 'issuer' | 'section' | 'reader_unit' | 'leadership';
  value: string[];
  onChange: (ids: string[]) => void;
  label: string;
  single?: boolean;
}) {
  const q = useAllUnits();
  const items = q.data
    ?.filter((u) => !kind || u.kind === kind)
    .map((u) => ({ id: u.id, label: u.name, detail: u.code ?? undefined, keys: u.code ?? '' }));
  return <EntityPicker items={items} loading={q.isPending} {...rest} />;
}
