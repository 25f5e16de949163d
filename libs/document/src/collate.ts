/**
 * Chinese sort order: names of units, people and documents sort by pinyin (财政局 before 发展和改革局 before
 * 教育局), as in a printed directory, not by code point. Node's ICU collator for zh-Hans-CN uses pinyin;
 * numbers inside names compare as numbers (第2号 before 第10号).
 */
const zh = new Intl.Collator('zh-Hans-CN', { numeric: true });

export const compareZh = (a: string, b: string): number => zh.compare(a, b);

/** A copy of `items` in Chinese order of the key (items without one last), stable for equal keys. */
export function sortZh<T>(items: readonly T[], ...keys: ((item: T) => string | null | undefined)[]): T[] {
  return [...items].sort((x, y) => {
    for (const key of keys) {
      const a = key(x);
      const b = key(y);
      if (a == null || b == null) {
        if (a != b) return a == null ? 1 : -1;
        continue;
      }
      const c = zh.compare(a, b);
      if (c) return c;
    }
    return 0;
  });
}
