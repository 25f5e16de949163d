import type { Logger } from '@nestjs/common';

/**
 * Background work on a timer in an API process: `work` every `everyMs` (and first after `firstMs`), never two
 * runs at once, timers that do not keep the process alive, and a stop() that waits for the run in progress.
 * Long runs check `stopping` to end early. Shared by the reminder sweep, the outbox relay and the pruners.
 */
export class Periodic {
  private timers: NodeJS.Timeout[] = [];
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly what: string,
    private readonly log: Logger,
    private readonly work: () => Promise<void>,
  ) {}

  get stopping(): boolean {
    return this.stopped;
  }

  start(everyMs: number, firstMs = everyMs): void {
    this.timers = [setInterval(this.tick, everyMs), ...(firstMs === everyMs ? [] : [setTimeout(this.tick, firstMs)])];
    for (const t of this.timers) t.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    await this.running;
  }

  private readonly tick = (): void => {
    if (this.running || this.stopped) return;
    this.running = this.work()
      .catch((e) => this.log.warn(`${this.what} failed: ${(e as Error).message}`))
      .finally(() => {
        this.running = null;
      });
  };
}
