/**
 * The web UI (React + Vite), served by the API from apps/web/dist. Vite bundles this config with its local imports,
 * so describeMachine() runs here in Node at build time and only its JSON reaches the browser (no xstate in the bundle).
 */
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import { describeMachine } from '../../workflows/outgoing/index.js';

const root = fileURLToPath(new URL('.', import.meta.url));
const repo = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));
const VIRTUAL = 'virtual:outgoing-workflow';

/** The workflow diagram's data: describeMachine() evaluated once at build time, shipped as a JSON module. */
function workflowDescription(): Plugin {
  return {
    name: 'gongwen:outgoing-workflow',
    resolveId: (id) => (id === VIRTUAL ? `\0${VIRTUAL}` : undefined),
    load: (id) => (id === `\0${VIRTUAL}` ? `export default ${JSON.stringify(describeMachine())};` : undefined),
  };
}

export default defineConfig({
  root,
  base: '/',
  plugins: [react(), workflowDescription()],
  // the path aliases (package.json "imports"), to the TypeScript sources as tsc sees them
  resolve: {
    alias: [
      { find: /^#gongwen\/(document|docx)$/, replacement: repo('libs/$1/src/index.ts') },
      { find: /^#gongwen\/(document|docx)\/(.*)$/, replacement: repo('libs/$1/src/$2.ts') },
      { find: /^#gongwen\/workflows\/outgoing$/, replacement: repo('workflows/outgoing/index.ts') },
      { find: /^#gongwen\/workflows\/outgoing\/(.*)$/, replacement: repo('workflows/outgoing/$1.ts') },
    ],
  },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 450 },
  server: { proxy: { '/api': 'http://localhost:3000' } },
});
