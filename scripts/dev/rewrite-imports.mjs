#!/usr/bin/env node
/**
 * Rewrites deep relative imports of the shared libraries to the path aliases of package.json "imports":
 *   '../../../libs/document/src/model.js'    -> '#gongwen/document/model'
 *   '../../workflows/outgoing/index.js'      -> '#gongwen/workflows/outgoing'
 * Imports inside the same library stay relative. Files or directories as arguments (.ts, .tsx, .mts):
 *   node scripts/dev/rewrite-imports.mjs apps libs test scripts workflows     # the whole repository
 *   node scripts/dev/rewrite-imports.mjs --check apps/web                     # exit 1 when something would change
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
/** Alias prefix -> the directory it stands for (relative to the repository). */
const TARGETS = [
  ['#gongwen/document', 'libs/document/src'],
  ['#gongwen/docx', 'libs/docx/src'],
  ['#gongwen/archive', 'libs/archive/src'],
  ['#gongwen/persistence', 'libs/persistence/src'],
  ['#gongwen/authority', 'libs/authority/src'],
  ['#gongwen/numbering', 'libs/numbering/src'],
  ['#gongwen/calendar', 'libs/calendar/src'],
  ['#gongwen/workflows/supervision', 'workflows/supervision'],
  ['#gongwen/workflows/outgoing', 'workflows/outgoing'],
];

const args = process.argv.slice(2);
const check = args.includes('--check');
const roots = args.filter((a) => a !== '--check');
if (!roots.length) {
  console.error('usage: node scripts/dev/rewrite-imports.mjs [--check] <file or directory>...');
  process.exit(2);
}

function* files(path) {
  const st = statSync(path);
  if (st.isFile()) {
    if (/\.(ts|tsx|mts)$/.test(path) && !path.endsWith('.d.ts')) yield path;
    return;
  }
  for (const name of readdirSync(path)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    yield* files(join(path, name));
  }
}

/** The alias for a relative specifier of `file`, or null when it stays as it is. */
export function aliasFor(file, specifier) {
  const target = relative(ROOT, resolve(dirname(file), specifier))
    .split(sep)
    .join('/');
  const from = relative(ROOT, file).split(sep).join('/');
  for (const [alias, dir] of TARGETS) {
    if (!target.startsWith(`${dir}/`)) continue;
    if (from.startsWith(`${dir}/`)) return null; // inside the same library
    const rest = target.slice(dir.length + 1).replace(/\.(js|ts|tsx)$/, '');
    return rest === 'index' ? alias : `${alias}/${rest}`;
  }
  return null;
}

const IMPORT = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequireActual\(\s*|\bunstable_mockModule\(\s*)(['"])(\.{1,2}\/[^'"\n]+)\2/g;
let changed = 0;
for (const root of roots) {
  for (const file of files(resolve(root))) {
    const text = readFileSync(file, 'utf8');
    const next = text.replace(IMPORT, (m, head, q, spec) => {
      const alias = aliasFor(file, spec);
      return alias ? `${head}${q}${alias}${q}` : m;
    });
    if (next !== text) {
      changed++;
      console.log(`${check ? 'would rewrite' : 'rewrote'} ${relative(ROOT, file)}`);
      if (!check) writeFileSync(file, next);
    }
  }
}
console.log(`rewrite-imports: ${changed} file(s) ${check ? 'to change' : 'changed'}`);
if (check && changed) process.exit(1);
