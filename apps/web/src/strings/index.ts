/**
 * Every UI string, Simplified Chinese first, English second. `{name}` marks a parameter. The strings stand in one
 * module per area of the interface (./shell, ./document, ./workflow, ./archive, ./editing), merged here into one
 * dictionary per language. The printed document itself (签发人：, 抄送：, 印发 …) is always Chinese and lives in the renderer.
 */
import { archiveEn, archiveZh } from './archive';
import { documentEn, documentZh } from './document';
import { editingEn, editingZh } from './editing';
import { shellEn, shellZh } from './shell';
import { workflowEn, workflowZh } from './workflow';

type Parts = [typeof shellZh, typeof documentZh, typeof workflowZh, typeof archiveZh, typeof editingZh];

/** The keys that stand in more than one part (a spread would keep the last part's string without a word). */
type SharedKeys<P extends readonly object[], Seen extends PropertyKey = never> = P extends readonly [
  infer Head extends object,
  ...infer Rest extends object[],
]
  ? (keyof Head & Seen) | SharedKeys<Rest, Seen | keyof Head>
  : never;

/** Compiles only while no key stands in two parts, as one object literal would not compile with a key twice. */
export const noSharedKeys: [SharedKeys<Parts>] extends [never] ? true : SharedKeys<Parts> = true;

export const zh = { ...shellZh, ...documentZh, ...workflowZh, ...archiveZh, ...editingZh } as const;

export type StringKey = keyof typeof zh;

export const en: Record<StringKey, string> = { ...shellEn, ...documentEn, ...workflowEn, ...archiveEn, ...editingEn };

/** Document kinds (Regulation art. 8) in English, shown beside the Chinese name. */
export const KIND_EN: Record<string, string> = {
  决议: 'Resolution',
  决定: 'Decision',
  命令: 'Order',
  公报: 'Communiqué',
  公告: 'Announcement',
  通告: 'Public notice',
  意见: 'Opinions',
  通知: 'Notice',
  通报: 'Circular',
  报告: 'Report',
  请示: 'Request for instructions',
  批复: 'Reply',
  议案: 'Motion',
  函: 'Letter',
  纪要: 'Minutes',
};
