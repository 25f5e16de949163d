import { KIND_EN } from './strings';
import type { T } from './i18n';
import type { ClassificationLevel, ListItem, TaskKind, Urgency } from './types';

export const TASK_ORDER: TaskKind[] = [
  'sign',
  'co-sign',
  'review',
  'proofread',
  'register',
  'acknowledge',
  'file',
  'consolidate',
  'discuss',
  'draft',
];
const URGENCY_RANK: Record<string, number> = { extra_urgent: 2, urgent: 1, none: 0 };

/** Inbox order: 特急, then 加急, then by deadline (none last), then oldest first. */
export function compareTasks(a: ListItem, b: ListItem): number {
  const u = (URGENCY_RANK[b.urgency] ?? 0) - (URGENCY_RANK[a.urgency] ?? 0);
  if (u) return u;
  if (a.deadline !== b.deadline) {
    if (!a.deadline) return 1;
    if (!b.deadline) return -1;
    return a.deadline.localeCompare(b.deadline);
  }
  return a.createdAt.localeCompare(b.createdAt);
}

export function formatDate(iso: string | null | undefined, locale: string): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleDateString(locale, { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'Asia/Shanghai' });
}

export function formatDateTime(iso: string | null | undefined, locale: string): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(locale, {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    timeZone: 'Asia/Shanghai',
  });
}

export function classificationLabel(t: T, c: ClassificationLevel, period?: string): string {
  if (c === 'none') return t('class.none');
  return period ? `${t(`class.${c}`)}★${period}` : t(`class.${c}`);
}

export function urgencyLabel(t: T, u: Urgency): string {
  return t(`urgency.${u}`);
}

export function shortHash(h: string | null | undefined, n = 12): string {
  return h ? h.slice(0, n) : '';
}

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** User ids typed or pasted: split on whitespace, commas and semicolons. */
export function parseIds(text: string): { ids: string[]; invalid: string[] } {
  const parts = text
    .split(/[\s,;，；、]+/)
    .map((s) => s.trim())
    .filter(Boolean);
  const ids = [...new Set(parts.filter((p) => UUID_RE.test(p)).map((p) => p.toLowerCase()))];
  return { ids, invalid: parts.filter((p) => !UUID_RE.test(p)) };
}

export function kindLabel(lang: string, kind: string): string {
  return lang === 'en' && KIND_EN[kind] ? `${kind} (${KIND_EN[kind]})` : kind;
}
