/**
 * scripts/dev/ts-hooks.mjs caches compiled TypeScript on disk: a hit gives what a fresh compile gives, and a changed
 * file (or the same text at another path, whose inline source map differs) misses. The hooks run in Node processes
 * of their own, as they do for `node --import ./scripts/dev/ts-register.mjs`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gongwen-ts-cache-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function node(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '', ...env } });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout;
}

const entries = (cache: string): string[] => readdirSync(cache, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js'));

describe('the TypeScript cache of ts-register', () => {
  it('returns a fresh compile’s output, is read on a hit, and misses on changed content or path', () => {
    const cache = join(dir, 'unit');
    const script = `import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compile } from './scripts/dev/ts-hooks.mjs';
const cache = ${JSON.stringify(cache)};
const files = () => readdirSync(cache, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js')).map((f) => join(cache, f));
const src = 'class A {}\\nexport class B { constructor(readonly a: A) {} }\\nfunction D(_t: object) {}\\n@D\\nexport class C { constructor(readonly b: B) {} }\\n';
const path = '/virtual/a.ts';
const fresh = await compile(path, src, undefined);
const first = await compile(path, src, cache);
const afterFirst = files();
writeFileSync(afterFirst[0], '// from the cache\\n');
const hit = await compile(path, src, cache);
const changedSrc = src.replace('class A {}', 'class A { m(): number { return 7; } }');
const changed = await compile(path, changedSrc, cache);
const changedFresh = await compile(path, changedSrc, undefined);
const moved = await compile('/virtual/b.ts', src, cache);
const movedFresh = await compile('/virtual/b.ts', src, undefined);
console.log(JSON.stringify({ fresh, first, entriesAfterFirst: afterFirst.length, hit, changed, changedFresh, moved, movedFresh, entries: files().length }));`;
    const r = JSON.parse(node(['--input-type=module', '-e', script])) as Record<string, string | number>;
    // the options of tsconfig.json apply (decorator metadata), and the cached compile is the fresh one
    expect(r.fresh).toContain('__metadata("design:paramtypes", [B])');
    expect(r.first).toBe(r.fresh);
    expect(r.entriesAfterFirst).toBe(1);
    // the entry (overwritten by the script) is what a hit returns
    expect(r.hit).toBe('// from the cache\n');
    expect(r.changed).toBe(r.changedFresh);
    expect(r.changed).toContain('return 7;');
    // the same text at another path: its own entry (the inline source map names the file)
    expect(r.moved).toBe(r.movedFresh);
    expect(r.moved).not.toBe(r.fresh);
    expect(r.entries).toBe(3);
  });

  it('serves a second process from the entries the first wrote, with the same result', () => {
    const cache = join(dir, 'e2e');
    writeFileSync(join(dir, 'dep.ts'), 'export const twice = (n: number): number => n * 2;\n');
    writeFileSync(join(dir, 'main.ts'), "import { twice } from './dep.js';\nconst n: number = 21;\nconsole.log(twice(n));\n");
    const run = () => node(['--import', './scripts/dev/ts-register.mjs', join(dir, 'main.ts')], { GONGWEN_TS_CACHE: cache });
    expect(run()).toBe('42\n');
    const written = entries(cache).sort();
    expect(written).toHaveLength(2);
    expect(run()).toBe('42\n');
    expect(entries(cache).sort()).toEqual(written);
  });
});
