/**
 * Node version honesty (issue #18, point 10): every installed package supports the Node versions package.json
 * claims, so `npm ci` prints no EBADENGINE warning. scripts/dev/check-engines.mjs is the check; .ci/run also greps
 * npm ci's output.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const SCRIPT = resolve('scripts/dev/check-engines.mjs');
const run = (dir?: string) => spawnSync(process.execPath, [SCRIPT, ...(dir ? [dir] : [])], { encoding: 'utf8' });

describe('installed packages and engines.node', () => {
  it('every package installed here supports the Node range in package.json', () => {
    const r = run();
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^check-engines: \d+ installed packages support Node 20\.19\.0/);
  });

  describe('on a project with a package that needs a newer Node', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'gongwen-engines-'));
      const write = (path: string, json: unknown) => {
        mkdirSync(join(dir, path, '..'), { recursive: true });
        writeFileSync(join(dir, path), JSON.stringify(json));
      };
      write('package.json', { name: 'p', engines: { node: '>=20.19' } });
      write('package-lock.json', {
        packages: { '': {}, 'node_modules/ok': {}, 'node_modules/ok/node_modules/cookie': {}, 'node_modules/absent': {} },
      });
      write('node_modules/ok/package.json', { name: 'ok', version: '1.0.0', engines: { node: '>=18' } });
      write('node_modules/ok/node_modules/cookie/package.json', { name: 'cookie', version: '2.0.2', engines: { node: '>=22' } });
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('fails and names the package, its version and its range', () => {
      const r = run(dir);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('node_modules/ok/node_modules/cookie 2.0.2: engines.node ">=22" excludes Node 20.19.0');
      expect(r.stderr).not.toContain('node_modules/ok ');
    });
  });
});
