/**
 * Module hooks for ts-register.mjs: `./x.js` resolves to `./x.ts` when only that exists, `#gongwen/...` to the
 * sources, and .ts is compiled to ESM.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const compilerOptions = {
  ...ts.parseJsonConfigFileContent(
    ts.readConfigFile(new URL('../../tsconfig.json', import.meta.url).pathname, ts.sys.readFile).config,
    ts.sys,
    fileURLToPath(new URL('../..', import.meta.url)),
  ).options,
  module: ts.ModuleKind.ESNext,
  sourceMap: false,
  inlineSourceMap: true,
};

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
  const { outputText } = ts.transpileModule(readFileSync(path, 'utf8'), { compilerOptions, fileName: path });
  return { format: 'module', source: outputText, shortCircuit: true };
}
