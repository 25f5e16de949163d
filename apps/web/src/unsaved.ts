/**
 * Unsaved changes: an editor with a working copy that differs from the document registers itself here while it does.
 * Leaving the page then asks first: a route change inside the app (router.tsx asks `confirmLeave`) and closing or
 * reloading the tab (`beforeunload`). The working copy itself is also kept in sessionStorage (drafts.ts).
 */
import { useEffect } from 'react';

const dirty = new Set<string>();
const watchers = new Set<() => void>();

/** Called whenever the page starts or stops having unsaved changes (presence says "editing"). */
export function watchUnsavedChanges(fn: () => void): () => void {
  watchers.add(fn);
  return () => watchers.delete(fn);
}

export function hasUnsavedChanges(): boolean {
  return dirty.size > 0;
}

function onBeforeUnload(e: BeforeUnloadEvent) {
  if (!dirty.size) return;
  e.preventDefault();
  // older browsers show the prompt only when returnValue is set
  e.returnValue = '';
}

/** While `isDirty`, leaving asks first. `key` names the editor (one registration per editor). */
export function useUnsavedChanges(key: string, isDirty: boolean): void {
  useEffect(() => {
    if (!isDirty) return;
    dirty.add(key);
    if (dirty.size === 1) {
      window.addEventListener('beforeunload', onBeforeUnload);
      watchers.forEach((w) => w());
    }
    return () => {
      dirty.delete(key);
      if (dirty.size === 0) {
        window.removeEventListener('beforeunload', onBeforeUnload);
        watchers.forEach((w) => w());
      }
    };
  }, [key, isDirty]);
}

let message = 'You have unsaved changes. Leave this page?';
/** The question asked (set by the i18n provider, in the interface language). */
export function setLeaveMessage(text: string): void {
  message = text;
}

/** True when there is nothing unsaved, or the user chose to leave anyway. */
export function confirmLeave(): boolean {
  return !dirty.size || window.confirm(message);
}
