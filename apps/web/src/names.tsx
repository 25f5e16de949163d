/**
 * People and units by name, never by id: the office directory (GET /api/users, GET /api/units) read once and kept,
 * and what a problem on the document page refers to (a section, a mark, a person) resolved to words.
 */
import { useQuery } from '@tanstack/react-query';
import { createContext, useContext, useMemo, type ReactNode } from 'react';
import { client, unwrap } from './api';
import { useI18n } from './i18n';
import type { ProblemNames } from './problems';
import type { DirectoryEntry, DocumentView } from './types';

export type DirectoryUnit = Awaited<ReturnType<typeof fetchUnits>>[number];

const fetchUsers = (signal?: AbortSignal) => unwrap(client.GET('/api/users', { signal })).then((r) => r.items);
const fetchUnits = (signal?: AbortSignal) => unwrap(client.GET('/api/units', { signal })).then((r) => r.items);

/** Everyone in the office (the directory changes rarely: read once per session, then kept for 5 minutes). */
export const useAllUsers = () => useQuery({ queryKey: ['users', 'all'], queryFn: ({ signal }) => fetchUsers(signal), staleTime: 300_000 });
export const useAllUnits = () => useQuery({ queryKey: ['units', 'all'], queryFn: ({ signal }) => fetchUnits(signal), staleTime: 300_000 });

/** id → directory entry of every user (empty while loading). */
export function useUserDirectory(): Map<string, DirectoryEntry> {
  const users = useAllUsers().data;
  return useMemo(() => new Map((users ?? []).map((u) => [u.id, u])), [users]);
}

const ELEMENTS: Record<string, { zh: string; en: string }> = {
  kind: { zh: '文种', en: 'kind' },
  title: { zh: '标题', en: 'title' },
  issuers: { zh: '发文机关', en: 'issuing body' },
  mainRecipients: { zh: '主送机关', en: 'main recipients' },
  body: { zh: '正文', en: 'body text' },
  secrecyPeriod: { zh: '保密期限', en: 'secrecy period' },
};

const ROLES: Record<string, { zh: string; en: string }> = {
  secretary: { zh: '文秘人员', en: 'secretary' },
  chief: { zh: '科长', en: 'chief' },
  discussant: { zh: '集体讨论参加人', en: 'discussant' },
  proofreader: { zh: '校对人员', en: 'proofreader' },
  reviewer: { zh: '审核人', en: 'reviewer' },
  signer: { zh: '签发人', en: 'signer' },
  clerk: { zh: '文书', en: 'clerk' },
  reader: { zh: '传阅对象', en: 'reader' },
  archivist: { zh: '档案员', en: 'archivist' },
  admin: { zh: '系统管理员', en: 'administrator' },
  auditor: { zh: '审计员', en: 'auditor' },
  registrar: { zh: '收文员', en: 'registrar' },
  handler: { zh: '承办人', en: 'handler' },
  leader: { zh: '批示领导', en: 'leader' },
  supervisor: { zh: '督查员', en: 'supervisor' },
  seal_keeper: { zh: '印章管理员', en: 'seal custodian' },
};

/** The text a block shows (paragraphs, headings, list items). */
export function blockText(doc: DocumentView, blockId: string): string {
  for (const s of doc.content.sections) {
    const b = s.blocks.find((x) => x.id === blockId);
    if (b && (b.type === 'paragraph' || b.type === 'heading')) return b.text;
    if (b && b.type === 'list') return b.items.join('\n');
  }
  return '';
}

/** The words a proofreading mark quotes, from the current text (its range on its block). */
export function markQuote(doc: DocumentView, markId: string): string | undefined {
  const m = doc.marks.find((x) => x.id === markId);
  if (!m) return undefined;
  const q = blockText(doc, m.blockId).slice(m.start, m.end);
  return q || undefined;
}

const Ctx = createContext<Omit<ProblemNames, 'state' | 'event' | 'role' | 'element'>>({});

/** Names for the problems shown under it (the document page provides its document's sections, marks and people). */
export function ProblemNamesProvider({ doc, children }: { doc: DocumentView; children: ReactNode }) {
  const users = useUserDirectory();
  const value = useMemo(
    () => ({
      user: (id: string) => users.get(id)?.displayName,
      unit: (id: string) => doc.content.issuers.find((i) => i.unitId === id)?.name,
      section: (id: string) => doc.sections.find((s) => s.id === id)?.title ?? doc.content.sections.find((s) => s.id === id)?.title,
      mark: (id: string) => markQuote(doc, id),
    }),
    [users, doc],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

/** Everything a problem message may name, in the interface language. */
export function useProblemNames(): ProblemNames {
  const base = useContext(Ctx);
  const { tx, lang } = useI18n();
  return useMemo(
    () => ({
      ...base,
      state: (s: string) => tx(`state.${s}`, s),
      event: (e: string) => tx(`event.${e}`, e),
      role: (r: string) => ROLES[r]?.[lang] ?? r,
      element: (el: string) => ELEMENTS[el]?.[lang] ?? el,
    }),
    [base, tx, lang],
  );
}
