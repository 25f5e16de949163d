/**
 * `node --import ./scripts/dev/ts-register.mjs file.ts`: runs the repository's TypeScript directly in Node, compiled
 * file by file with TypeScript's own transpileModule (what ts-jest does in Jest), decorator metadata included.
 * Hand-written because the ready-made runners (tsx, esbuild) do not emit decorator metadata, which NestJS needs.
 * The compiled files are cached on disk (see ts-hooks.mjs); on Node >= 22.1, V8's code cache too (Node's module compile
 * cache, beside the other; not available on Node 20).
 */
import module from 'node:module';

if (process.env.GONGWEN_TS_CACHE !== 'off') {
  module.enableCompileCache?.(new URL('../../node_modules/.cache/gongwen-node', import.meta.url).pathname);
}
module.register('./ts-hooks.mjs', import.meta.url);
