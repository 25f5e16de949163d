/**
 * Module hooks for ts-register.mjs: `./x.js` resolves to `./x.ts` when only that exists, `#gongwen/...` to the
 * sources, and .ts is compiled to ESM.
 *
 * Compiled output is cached on disk (node_modules/.cache/gongwen-ts, or GONGWEN_TS_CACHE; `off` disables it), keyed
 * by the file's path and content, tsconfig.json, this file and the TypeScript version, so a child Node started again
 * compiles nothing and does not load TypeScript at all. Entries are written to a temporary name and renamed, so
 * processes that start in parallel never read a partial entry.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSCONFIG = join(ROOT, 'tsconfig.json');

/** TypeScript and the compiler options, loaded on the first cache miss only. */
let compiler;
async function getCompiler() {
  if (!compiler) {
    const { default: ts } = await import('typescript');
    const options = {
      ...ts.parseJsonConfigFileContent(ts.readConfigFile(TSCONFIG, ts.sys.readFile).config, ts.sys, ROOT).options,
      module: ts.ModuleKind.ESNext,
      sourceMap: false,
      inlineSourceMap: true,
    };
    compiler = { ts, options };
  }
  return compiler;
}

/** Where entries go, or undefined when caching is off. */
export function cacheDir(env = process.env) {
  const v = env.GONGWEN_TS_CACHE;
  if (v === 'off') return undefined;
  return v || join(ROOT, 'node_modules', '.cache', 'gongwen-ts');
}

const CACHE = cacheDir();

/** What every entry's key starts from: TypeScript's version, tsconfig.json and these hooks (which set options too). */
let baseKey;
function getBaseKey() {
  if (baseKey === undefined) {
    const tsVersion = JSON.parse(readFileSync(createRequire(import.meta.url).resolve('typescript/package.json'), 'utf8')).version;
    baseKey = createHash('sha256')
      .update(`${tsVersion}\0`)
      .update(readFileSync(TSCONFIG))
      .update('\0')
      .update(readFileSync(fileURLToPath(import.meta.url)))
      .digest('hex');
  }
  return baseKey;
}

/**
 * The ESM JavaScript of one TypeScript file, from the cache in `dir` when an entry for this path and content exists
 * (no cache when `dir` is undefined).
 */
export async function compile(path, source, dir) {
  let entry;
  if (dir) {
    const key = createHash('sha256').update(getBaseKey()).update('\0').update(path).update('\0').update(source).digest('hex');
    entry = join(dir, key.slice(0, 2), `${key.slice(2)}.js`);
    try {
      return readFileSync(entry, 'utf8');
    } catch {
      /* a miss */
    }
  }
  const { ts, options } = await getCompiler();
  const { outputText } = ts.transpileModule(source, { compilerOptions: options, fileName: path });
  if (entry) {
    try {
      mkdirSync(join(entry, '..'), { recursive: true });
      const tmp = `${entry}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
      writeFileSync(tmp, outputText);
      renameSync(tmp, entry);
    } catch {
      /* a read-only or full disk: compile again next time */
    }
  }
  return outputText;
}

export async function resolve(specifier, context, next) {
  if (/^\.{1,2}\//.test(specifier) && specifier.endsWith('.js') && context.parentURL?.startsWith('file:')) {
    const ts = new URL(specifier.replace(/\.js$/, '.ts'), context.parentURL);
    if (!existsSync(new URL(specifier, context.parentURL)) && existsSync(ts)) return { url: ts.href, shortCircuit: true };
  }
  // the path aliases (package.json "imports") point at the sources under the "source" condition
  return next(specifier, specifier.startsWith('#') ? { ...context, conditions: ['source', ...context.conditions] } : context);
}

export async function load(url, context, next) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return next(url, context);
  const path = fileURLToPath(url);
  return { format: 'module', source: await compile(path, readFileSync(path, 'utf8'), CACHE), shortCircuit: true };
}
