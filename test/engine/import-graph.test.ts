/**
 * The shape of the code, from its import graph: no import cycles among the TypeScript modules of apps/api, libs
 * and workflows (type-only imports count too: a cycle of types is still two modules that cannot be read apart),
 * libs/ never imports workflows/ or apps/, and the engine imports no workflow. Imports are read with the
 * TypeScript compiler's own pre-processor (no extra package needed for a graph this small).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const ROOT = resolve(import.meta.dirname, '../..');
const DIRS = ['apps/api/src', 'libs', 'workflows'];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (name === 'node_modules' || name === 'dist') return [];
    if (statSync(p).isDirectory()) return files(p);
    return /\.tsx?$/.test(name) && !/\.(spec|test)\.ts$/.test(name) && !name.endsWith('.d.ts') ? [p] : [];
  });
}

/** Relative imports of every module, resolved to repository paths (`.js` specifiers name `.ts` files). */
function graph(): Map<string, string[]> {
  const g = new Map<string, string[]>();
  for (const file of DIRS.flatMap((d) => files(join(ROOT, d)))) {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const deps = info.importedFiles
      .map((f) => f.fileName)
      .filter((s) => s.startsWith('.'))
      .map((s) => relative(ROOT, resolve(dirname(file), s.replace(/\.js$/, '.ts'))))
      .map((p) => (p.endsWith('.ts') || p.endsWith('.tsx') ? p : `${p}.ts`));
    g.set(relative(ROOT, file), [...new Set(deps)]);
  }
  return g;
}

/** Every cycle's modules (Tarjan's strongly connected components of more than one module, or a self-import). */
function cycles(g: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    on.add(v);
    for (const w of g.get(v) ?? []) {
      if (!g.has(w)) continue;
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (g.get(v) ?? []).includes(v)) out.push(scc.sort());
    }
  };
  for (const v of g.keys()) if (!idx.has(v)) visit(v);
  return out;
}

const g = graph();

describe('import graph', () => {
  it('reads the modules it checks', () => {
    expect(g.size).toBeGreaterThan(100);
    expect(g.get('apps/api/src/documents/documents.service.ts')).toContain('apps/api/src/engine/transition-engine.ts');
  });

  it('has no import cycles', () => {
    expect(cycles(g)).toEqual([]);
  });

  it('finds a cycle when there is one (the check itself can fail)', () => {
    const withCycle = new Map(g);
    withCycle.set('apps/api/src/engine/types.ts', [
      ...(g.get('apps/api/src/engine/types.ts') ?? []),
      'apps/api/src/engine/transition-engine.ts',
    ]);
    expect(cycles(withCycle).some((c) => c.includes('apps/api/src/engine/types.ts'))).toBe(true);
  });

  it('keeps libs/ free of workflows/ and apps/', () => {
    const bad = [...g]
      .filter(([f]) => f.startsWith('libs/'))
      .flatMap(([f, deps]) => deps.filter((d) => d.startsWith('workflows/') || d.startsWith('apps/')).map((d) => `${f} → ${d}`));
    expect(bad).toEqual([]);
  });

  it('keeps the engine free of any workflow and of the features that use it', () => {
    const bad = [...g]
      .filter(([f]) => f.startsWith('apps/api/src/engine/'))
      .flatMap(([f, deps]) =>
        deps
          .filter((d) => d.startsWith('workflows/') || /^apps\/api\/src\/(documents|archive|signatures|classified)\//.test(d))
          .map((d) => `${f} → ${d}`),
      );
    expect(bad).toEqual([]);
  });
});
