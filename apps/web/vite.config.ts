/**
 * The web UI (React + Vite), served by the API from apps/web/dist. describeMachine() runs in Node at build time (a
 * child process running the TypeScript sources, as `npm run contract` does) and only its JSON reaches the browser
 * (no xstate in the bundle). Not imported here: Vite bundles this config without the path aliases it defines.
 */
import react from '@vitejs/plugin-react';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const repo = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));
const VIRTUAL = 'virtual:outgoing-workflow';

/** describeMachine() of the workflow sources, as JSON. */
function describeOutgoing(): string {
  const script =
    "const { describeMachine } = await import('#gongwen/workflows/outgoing'); process.stdout.write(JSON.stringify(describeMachine()));";
  return execFileSync(process.execPath, ['--import', './scripts/dev/ts-register.mjs', '--input-type=module', '-e', script], {
    cwd: repo(''),
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
  });
}

/** The workflow diagram's data: describeMachine() evaluated once at build time, shipped as a JSON module. */
function workflowDescription(): Plugin {
  let json: string | undefined;
  return {
    name: 'gongwen:outgoing-workflow',
    resolveId: (id) => (id === VIRTUAL ? `\0${VIRTUAL}` : undefined),
    load: (id) => (id === `\0${VIRTUAL}` ? `export default ${(json ??= describeOutgoing())};` : undefined),
  };
}

export default defineConfig({
  root,
  base: '/',
  plugins: [react(), workflowDescription()],
  // the path aliases (package.json "imports"), to the TypeScript sources as tsc sees them
  resolve: {
    alias: [
      { find: /^#gongwen\/(document|docx|authority|page-layout)$/, replacement: repo('libs/$1/src/index.ts') },
      { find: /^#gongwen\/(document|docx|authority|page-layout)\/(.*)$/, replacement: repo('libs/$1/src/$2.ts') },
      { find: /^#gongwen\/workflows\/outgoing$/, replacement: repo('workflows/outgoing/index.ts') },
      { find: /^#gongwen\/workflows\/outgoing\/(.*)$/, replacement: repo('workflows/outgoing/$1.ts') },
    ],
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 450,
    // the workflow's description takes a Node process of its own (a few seconds): not a slow plugin to warn about
    rolldownOptions: { checks: { pluginTimings: false } },
  },
  server: { proxy: { '/api': 'http://localhost:3000' } },
});
