import { useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, setUnauthorizedHandler } from './api';
import { clearDrafts } from './drafts';
import type { User } from './types';

type Status = 'checking' | 'signed-in' | 'signed-out' | 'expired';

interface Session {
  status: Status;
  user: User | null;
  login: (username: string, password: string) => Promise<void>;
  logout: () => Promise<void>;
}

const Ctx = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<Status>('checking');
  const [user, setUser] = useState<User | null>(null);
  // cached answers belong to the user who fetched them: dropped when someone signs in or out
  const queryClient = useQueryClient();

  useEffect(() => {
    // A 401 from any call: show the login page in place. Drafts stay in sessionStorage.
    setUnauthorizedHandler(() => {
      setUser(null);
      setStatus((s) => (s === 'signed-in' ? 'expired' : s === 'checking' ? 'signed-out' : s));
    });
    let live = true;
    api.me().then(
      (u) => {
        if (live) {
          setUser(u);
          setStatus('signed-in');
        }
      },
      () => {
        if (live) setStatus('signed-out');
      },
    );
    return () => {
      live = false;
    };
  }, []);

  const login = useCallback(
    async (username: string, password: string) => {
      const r = await api.login(username, password);
      queryClient.clear();
      setUser(r.user);
      setStatus('signed-in');
    },
    [queryClient],
  );

  const logout = useCallback(async () => {
    try {
      await api.logout();
    } finally {
      if (user) clearDrafts(user.id);
      queryClient.clear();
      setUser(null);
      setStatus('signed-out');
    }
  }, [user, queryClient]);

  const value = useMemo(() => ({ status, user, login, logout }), [status, user, login, logout]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useSession(): Session {
  const v = useContext(Ctx);
  if (!v) throw new Error('useSession outside SessionProvider');
  return v;
}

/** The signed-in user (only used below the login gate). */
export function useUser(): User {
  const { user } = useSession();
  if (!user) throw new Error('no user');
  return user;
}
