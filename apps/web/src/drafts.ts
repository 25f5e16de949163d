/**
 * Text the user is typing (reasons, opinions, comments) lives in sessionStorage, so that a lost session
 * (401 → login page) or a reload does not lose it. Keys carry the user id: another user logging in on
 * the same tab never sees them. A draft is cleared when its action succeeds, and all of a user's drafts
 * on an explicit logout.
 */
import { useCallback, useEffect, useRef, useState } from 'react';

const PREFIX = 'gw.draft.';

function read(key: string): string | null {
  try {
    return sessionStorage.getItem(key);
  } catch {
    return null;
  }
}

export function draftKey(userId: string, ...parts: string[]): string {
  return `${PREFIX}${userId}.${parts.join('.')}`;
}

/** A string state persisted in sessionStorage under `key`. Returns [value, set, clear]. */
export function useDraft(key: string, initial = ''): [string, (v: string) => void, () => void] {
  const [value, setValue] = useState<string>(() => read(key) ?? initial);
  // another key (another document or event) starts from its own draft; a new `initial` alone changes nothing
  const initialValue = useRef(initial);
  useEffect(() => {
    initialValue.current = initial;
  });
  useEffect(() => {
    setValue(read(key) ?? initialValue.current);
  }, [key]);
  const set = useCallback(
    (v: string) => {
      setValue(v);
      try {
        if (v) sessionStorage.setItem(key, v);
        else sessionStorage.removeItem(key);
      } catch {
        /* kept in memory only */
      }
    },
    [key],
  );
  const clear = useCallback(() => set(''), [set]);
  return [value, set, clear];
}

export function clearDrafts(userId: string): void {
  try {
    const prefix = `${PREFIX}${userId}.`;
    for (let i = sessionStorage.length - 1; i >= 0; i--) {
      const k = sessionStorage.key(i);
      if (k?.startsWith(prefix)) sessionStorage.removeItem(k);
    }
  } catch {
    /* nothing to clear */
  }
}
