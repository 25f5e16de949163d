/** A small history-API router: the app has three pages and needs no routing library. */
import { useEffect, useState, type AnchorHTMLAttributes, type MouseEvent } from 'react';
import { confirmLeave } from './unsaved';

const listeners = new Set<() => void>();

/** Goes to `to`, unless an editor has unsaved changes and the user chooses to stay. */
export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (to === location.pathname + location.search) return;
  if (!confirmLeave()) return;
  if (opts.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  listeners.forEach((l) => l());
}

export function useLocation(): { path: string; search: URLSearchParams } {
  const [, setTick] = useState(0);
  useEffect(() => {
    const update = () => setTick((n) => n + 1);
    listeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  useBackGuard();
  return { path: location.pathname, search: new URLSearchParams(location.search) };
}

let shown = location.pathname + location.search;
let guardInstalled = false;
/** The browser's back and forward buttons: with unsaved changes and "stay", the address goes back to the page shown. */
function useBackGuard() {
  useEffect(() => {
    if (guardInstalled) return;
    guardInstalled = true;
    const onPop = (e: PopStateEvent) => {
      const to = location.pathname + location.search;
      if (to === shown) return;
      if (!confirmLeave()) {
        e.stopImmediatePropagation();
        history.pushState(null, '', shown);
        return;
      }
      shown = to;
    };
    // capture, before the listeners that re-render
    window.addEventListener('popstate', onPop, true);
  }, []);
  useEffect(() => {
    shown = location.pathname + location.search;
  });
}

export function Link({ href, onClick, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) {
  const handle = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(href);
    window.scrollTo(0, 0);
  };
  return <a href={href} onClick={handle} {...rest} />;
}
