/**
 * `node --import ./scripts/dev/ts-register.mjs file.ts`: runs the repository's TypeScript directly in Node, compiled
 * file by file with TypeScript's own transpileModule (what ts-jest does in Jest), decorator metadata included.
 * Hand-written because the ready-made runners (tsx, esbuild) do not emit decorator metadata, which NestJS needs.
 */
import { register } from 'node:module';

register('./ts-hooks.mjs', import.meta.url);
