import { useCallback, useState } from 'react';
import { ApiError } from '../api';
import type { DocumentView } from '../types';

export interface ActionContext {
  doc: DocumentView;
  userId: string;
  /** 委托: acting for this principal (代签/代阅); `userId` is then his, and every event carries onBehalfOf. */
  onBehalfOf?: string;
  /** A write succeeded: the new document (and which action it was). */
  onDocument: (doc: DocumentView, event: string) => void;
  /** A 409: someone else acted (or the document became read-only); the page reloads and says so. */
  onConflict: (error: ApiError) => void;
}

/** Runs one write: pending state, problem+json errors, 409 handed to the page. Resolves true on success. */
export function useAction(ctx: ActionContext, event: string) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = useCallback(
    async (fn: () => Promise<DocumentView>): Promise<boolean> => {
      setPending(true);
      setError(null);
      try {
        const next = await fn();
        ctx.onDocument(next, event);
        return true;
      } catch (e) {
        if (e instanceof ApiError && e.status === 409) ctx.onConflict(e);
        else if (!(e instanceof ApiError && e.status === 401)) setError(e);
        return false;
      } finally {
        setPending(false);
      }
    },
    [ctx, event],
  );
  return { pending, error, setError, run };
}
