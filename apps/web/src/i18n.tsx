import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { en, zh, type StringKey } from './strings';

export type Lang = 'zh' | 'en';
const STORAGE_KEY = 'gw.lang';
const DICTS: Record<Lang, Record<StringKey, string>> = { zh, en };

export type T = (key: StringKey, params?: Record<string, string | number>) => string;

interface I18n {
  lang: Lang;
  setLang: (l: Lang) => void;
  t: T;
  /** A key that may not exist (built from data, e.g. `state.${name}`): falls back to `fallback`. */
  tx: (key: string, fallback: string, params?: Record<string, string | number>) => string;
  /** Locale for dates and numbers. */
  locale: string;
}

const Ctx = createContext<I18n | null>(null);

function fill(s: string, params?: Record<string, string | number>): string {
  return params ? s.replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m)) : s;
}

function initialLang(): Lang {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    if (v === 'zh' || v === 'en') return v;
  } catch {
    /* storage unavailable: default */
  }
  return 'zh';
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const setLang = useCallback((l: Lang) => {
    setLangState(l);
    try {
      localStorage.setItem(STORAGE_KEY, l);
    } catch {
      /* not persisted */
    }
  }, []);
  useEffect(() => {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  }, [lang]);
  const value = useMemo<I18n>(() => {
    const dict = DICTS[lang];
    return {
      lang,
      setLang,
      t: (key, params) => fill(dict[key] ?? zh[key] ?? key, params),
      tx: (key, fallback, params) => fill((dict as Record<string, string>)[key] ?? fallback, params),
      locale: lang === 'zh' ? 'zh-CN' : 'en-GB',
    };
  }, [lang, setLang]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useI18n(): I18n {
  const v = useContext(Ctx);
  if (!v) throw new Error('useI18n outside I18nProvider');
  return v;
}
