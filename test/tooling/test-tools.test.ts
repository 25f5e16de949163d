/**
 * The fresh-machine step of `npm test` (issue #18, point 9): scripts/test-tools.sh, run with PATH holding only grep,
 * a fake `id` (root or not) and a fake `apt-get` that records its arguments, so nothing is installed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const SCRIPT = resolve('scripts/test-tools.sh');
const PACKAGES =
  'chromium libreoffice-writer-nogui poppler-utils clamav fonts-noto-cjk fonts-arphic-gbsn00lp fonts-arphic-gkai00mp fonts-lxgw-wenkai fonts-liberation2';
let bin: string;

beforeAll(() => {
  bin = mkdtempSync(join(tmpdir(), 'gongwen-tools-'));
  symlinkSync(spawnSync('sh', ['-c', 'command -v grep'], { encoding: 'utf8' }).stdout.trim(), join(bin, 'grep'));
  writeFileSync(join(bin, 'apt-get'), `#!/bin/sh\necho "apt-get $*" >> "${bin}/apt.log"\n`, { mode: 0o755 });
});
afterAll(() => rmSync(bin, { recursive: true, force: true }));

function run(uid: number) {
  rmSync(join(bin, 'apt.log'), { force: true });
  writeFileSync(join(bin, 'id'), `#!/bin/sh\necho ${uid}\n`, { mode: 0o755 });
  const r = spawnSync('/bin/bash', [SCRIPT], { encoding: 'utf8', env: { PATH: bin } });
  const apt = existsSync(join(bin, 'apt.log')) ? readFileSync(join(bin, 'apt.log'), 'utf8') : '';
  return { status: r.status, out: `${r.stdout}${r.stderr}`, apt };
}

describe('scripts/test-tools.sh', () => {
  it('passes silently on this machine, which has every tool', () => {
    const r = spawnSync('bash', [SCRIPT], { encoding: 'utf8' });
    expect({ status: r.status, out: r.stdout + r.stderr }).toEqual({ status: 0, out: '' });
  });

  it('without root, stops at once with the exact apt-get command and installs nothing', () => {
    const r = run(1000);
    expect(r.status).toBe(1);
    expect(r.out).toContain('the tests need chromium soffice pdftotext pdffonts');
    expect(r.out).toContain(`sudo sh -c 'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ${PACKAGES}'`);
    expect(r.apt).toBe('');
  });

  it('as root, announces the install and runs apt-get with every missing package once', () => {
    const r = run(0);
    expect(r.out).toContain(`installing the Debian packages ${PACKAGES} (running as root)`);
    expect(r.apt).toBe(`apt-get update -qq\napt-get install -y -qq ${PACKAGES}\n`);
    // the fake apt-get installed nothing, so the script says what is still missing and fails
    expect(r.status).toBe(1);
    expect(r.out).toContain('chromium is still missing');
  });
});
