/**
 * The path aliases (package.json "imports", `#gongwen/...`): each points at the TypeScript sources for tsc, Jest and
 * the "source" condition, and at the same file as tsc writes it under dist/ for Node at run time; and
 * scripts/dev/rewrite-imports.mjs turns a deep relative import into the alias.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { canonicalJson } from '#gongwen/document/canonical';
import * as document from '#gongwen/document';
import { describeMachine } from '#gongwen/workflows/outgoing';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { imports: Record<string, Record<string, string>> };

describe('path aliases', () => {
  it('every alias names existing sources and the matching file under dist/', () => {
    const entries = Object.entries(pkg.imports);
    expect(entries.length).toBeGreaterThan(5);
    for (const [alias, targets] of entries) {
      expect(alias).toMatch(/^#gongwen\//);
      const src = targets.types;
      if (!alias.endsWith('*')) expect({ alias, exists: existsSync(src) }).toEqual({ alias, exists: true });
      if (alias === '#gongwen/contract') continue; // types only
      expect({ alias, source: targets.source, default: targets.default }).toEqual({
        alias,
        source: src,
        default: `./dist/${src.slice(2).replace(/\.ts$/, '.js')}`,
      });
    }
  });

  it('resolve in Jest to the same modules as the relative paths', async () => {
    expect(canonicalJson({ b: 1, a: 2 })).toBe('{"a":2,"b":1}');
    expect(document.canonicalJson).toBe(canonicalJson);
    expect(describeMachine().states.length).toBeGreaterThan(5);
    expect((await import('#gongwen/document/canonical')).canonicalJson).toBe(canonicalJson);
  });

  it('resolve in Node: to dist/ by default, to the sources under the "source" condition', () => {
    const resolveIn = (conditions: string[]) =>
      spawnSync(
        process.execPath,
        [...conditions, '--input-type=module', '-e', "console.log(import.meta.resolve('#gongwen/workflows/outgoing/policy'))"],
        { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } },
      );
    const built = resolveIn([]);
    expect(built.stdout.trim()).toBe(`file://${resolve('dist/workflows/outgoing/policy.js')}`);
    expect(resolveIn(['--conditions=source']).stdout.trim()).toBe(`file://${resolve('workflows/outgoing/policy.ts')}`);
  });

  it('rewrite-imports.mjs rewrites a deep relative import of a library, and leaves one inside it', () => {
    const dir = mkdtempSync(join(resolve('apps'), '.rewrite-'));
    try {
      const file = join(dir, 'a.ts');
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        file,
        "import { x } from '#gongwen/document/model';\nimport type { y } from '#gongwen/workflows/outgoing';\nconst z = await import('#gongwen/docx/text');\nimport { q } from './local.js';\n",
      );
      const r = spawnSync(process.execPath, ['scripts/dev/rewrite-imports.mjs', file], { encoding: 'utf8' });
      expect(r.status).toBe(0);
      expect(readFileSync(file, 'utf8')).toBe(
        "import { x } from '#gongwen/document/model';\nimport type { y } from '#gongwen/workflows/outgoing';\nconst z = await import('#gongwen/docx/text');\nimport { q } from './local.js';\n",
      );
      const inside = spawnSync(process.execPath, ['scripts/dev/rewrite-imports.mjs', '--check', 'libs/document/src'], { encoding: 'utf8' });
      expect(inside.stdout).toContain('0 file(s) to change');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
