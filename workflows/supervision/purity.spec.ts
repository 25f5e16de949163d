/**
 * The workflow and the calendar are pure: following every runtime import (type-only imports erase) from each of
 * their non-spec files reaches only other pure sources and xstate — no Nest, TypeORM, pg, node I/O, apps/.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const IMPORTS = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { imports: Record<string, { source?: string }> }).imports;
const ALLOWED_PACKAGES = ['xstate'];

/** Runtime module specifiers of a TypeScript source (import/export … from, dynamic import), without `import type`. */
function runtimeSpecifiers(source: string): string[] {
  const out: string[] = [];
  const text = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
  for (const m of text.matchAll(/\b(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*['"]([^'"]+)['"]/g)) {
    if (m[2]) continue;
    // `import { type A, type B } from` is type-only too
    const names = m[3]
      .replace(/[{}]/g, '')
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
    if (m[3].startsWith('{') && names.length && names.every((n) => n.startsWith('type '))) continue;
    out.push(m[4]);
  }
  for (const m of text.matchAll(/\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push(m[1]);
  for (const m of text.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) out.push(m[1]);
  return out;
}

function resolveAlias(spec: string): string | null {
  for (const [key, target] of Object.entries(IMPORTS)) {
    if (!target.source) continue;
    if (key === spec) return join(ROOT, target.source);
    if (key.endsWith('/*') && spec.startsWith(key.slice(0, -1))) return join(ROOT, target.source.replace('*', spec.slice(key.length - 1)));
  }
  return null;
}

/** Every problem in the import graph from `roots`. */
function impurities(roots: string[]): string[] {
  const seen = new Set<string>();
  const problems: string[] = [];
  const queue = [...roots];
  while (queue.length) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const rel = relative(ROOT, file);
    if (!rel.startsWith('workflows/') && !rel.startsWith('libs/')) problems.push(`${rel} is outside workflows/ and libs/`);
    if (/^libs\/(persistence|docx|archive)\//.test(rel)) problems.push(`${rel}: an impure library`);
    for (const spec of runtimeSpecifiers(readFileSync(file, 'utf8'))) {
      if (spec.startsWith('.')) {
        const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
        if (!existsSync(target)) problems.push(`${rel}: cannot resolve ${spec}`);
        else queue.push(target);
      } else if (spec.startsWith('#')) {
        const target = resolveAlias(spec);
        if (!target || !existsSync(target)) problems.push(`${rel}: cannot resolve ${spec}`);
        else queue.push(target);
      } else if (!ALLOWED_PACKAGES.includes(spec)) {
        problems.push(`${rel} imports ${spec}`);
      }
    }
  }
  return problems;
}

const sources = (dir: string) =>
  readdirSync(join(ROOT, dir))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))
    .map((f) => join(ROOT, dir, f));

describe('purity (import graph)', () => {
  it('workflows/supervision reaches only pure sources and xstate', () => {
    expect(impurities(sources('workflows/supervision'))).toEqual([]);
  });

  it('libs/calendar imports nothing at all', () => {
    const files = sources('libs/calendar/src');
    expect(files.length).toBeGreaterThan(0);
    expect(impurities(files)).toEqual([]);
    for (const f of files) expect(runtimeSpecifiers(readFileSync(f, 'utf8')).every((s) => s.startsWith('./'))).toBe(true);
  });

  it('would catch an impure import (the check can fail)', () => {
    expect(runtimeSpecifiers("import { Injectable } from '@nestjs/common';\nimport type { X } from 'typeorm';")).toEqual([
      '@nestjs/common',
    ]);
    expect(runtimeSpecifiers("import { type A, type B } from 'pg';\nconst fs = await import('node:fs');")).toEqual(['node:fs']);
    expect(runtimeSpecifiers("export * from './x.js';\nimport { a } from '#gongwen/persistence';")).toEqual([
      './x.js',
      '#gongwen/persistence',
    ]);
    expect(impurities([join(ROOT, 'libs/persistence/src/index.ts')]).length).toBeGreaterThan(0);
  });
});
