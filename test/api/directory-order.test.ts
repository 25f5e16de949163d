/** Names sort in Chinese (pinyin) order wherever the API lists them by name: the user directory and the units. */
import { compareZh } from '#gongwen/document';
import { startTestApp, type TestApp } from '../support/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

const sorted = (xs: string[]) => [...xs].sort(compareZh);

describe('Chinese sort order in lists', () => {
  it('the directory lists people by unit, then name, in pinyin order', async () => {
    const readers = (await (await t.request('/api/users?role=reader', { as: 'chief' })).json()).items;
    // 区财政局 (cái) before 区发展和改革局 (fā); by code point it would be the other way round
    expect(readers.map((u: any) => u.unitName)).toEqual(['区财政局', '区发展和改革局']);
    const all = (await (await t.request('/api/users', { as: 'chief' })).json()).items;
    const units = all.map((u: any) => u.unitName).filter((n: string | null) => n !== null);
    expect(units).toEqual(sorted(units));
  });

  it('the admin API lists units by kind, then name, in pinyin order', async () => {
    const units: { kind: string; name: string }[] = await (
      await t.request('/api/admin/units', { as: 'admin' })
    )
      .json()
      .then((b) => b.items ?? b);
    for (const kind of new Set(units.map((u) => u.kind))) {
      const names = units.filter((u) => u.kind === kind).map((u) => u.name);
      expect(names).toEqual(sorted(names));
    }
    const readerUnits = units.filter((u) => u.kind === 'reader_unit').map((u) => u.name);
    expect(readerUnits).toEqual(['区财政局', '区发展和改革局', '区教育局']);
  });
});
