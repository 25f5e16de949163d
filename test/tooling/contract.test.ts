/**
 * The committed contract (libs/contract/openapi.json and the TypeScript types generated from it, schema.d.ts) is what
 * the app produces now: a change to a controller's schemas fails here until `npm run contract` is run again.
 * No database: the document is built from the controllers' metadata (scripts/contract/openapi.ts), in a Node process
 * of its own as `npm run contract` does (inside Jest, optional require()s such as @nestjs/terminus' of
 * @nestjs/swagger fail, so the health routes would lose their documented answers).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const CONTRACT = resolve('libs/contract');
const RERUN = 'out of date: run `npm run contract` and commit libs/contract';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gongwen-contract-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('libs/contract', () => {
  it('openapi.json is the document the app builds', () => {
    const out = join(dir, 'openapi.json');
    const r = spawnSync(process.execPath, ['--import', './scripts/dev/ts-register.mjs', 'scripts/contract/openapi.ts', out], {
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const built = readFileSync(out, 'utf8');
    const committed = readFileSync(join(CONTRACT, 'openapi.json'), 'utf8');
    if (built !== committed) {
      // name the first differing operation rather than dumping 600 kB
      const a = JSON.parse(built).paths,
        b = JSON.parse(committed).paths;
      const paths = [...new Set([...Object.keys(a), ...Object.keys(b)])];
      const first = paths.find((p) => JSON.stringify(a[p]) !== JSON.stringify(b[p])) ?? '(components or info)';
      throw new Error(`libs/contract/openapi.json is ${RERUN} (first difference: ${first})`);
    }
  });

  it('schema.d.ts is what openapi-typescript generates from openapi.json', () => {
    const out = join(dir, 'schema.d.ts');
    const r = spawnSync(
      process.execPath,
      [resolve('node_modules/openapi-typescript/bin/cli.js'), join(CONTRACT, 'openapi.json'), '-o', out],
      { encoding: 'utf8' },
    );
    expect(r.status).toBe(0);
    expect(readFileSync(out, 'utf8') === readFileSync(join(CONTRACT, 'schema.d.ts'), 'utf8') ? 'same' : `schema.d.ts is ${RERUN}`).toBe(
      'same',
    );
  });
});
