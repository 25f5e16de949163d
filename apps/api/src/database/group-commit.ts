/**
 * Group commit for independent autocommitted writes: at most `concurrency` statements in flight; whatever is
 * submitted while they are out waits and goes, all of it (up to `maxBatch`), in the next statement. At low load
 * every write goes alone, at once; under load the writes share round trips, commits and WAL flushes, and the
 * batch grows with the load by itself (no timer, no waiting for a batch to fill).
 *
 * `flush` runs one batch and returns one outcome per item, in order. If it throws an error that proves nothing
 * of the batch was written (`wroteNothing`: the database refused the statement, which is one transaction), each
 * item is handed to `alone`, the write of a single item, whose own result or error is that item's; so one bad
 * item cannot fail the others. Any other error (the connection was lost: the commit may or may not have
 * happened) fails every item of the batch, as it would fail a write sent alone: writing again could apply it
 * twice.
 *
 * Hand-written: DataLoader batches per tick but neither bounds the statements in flight (which is what makes
 * batches form) nor falls back item by item; p-queue and p-limit bound concurrency but do not batch.
 */
export class GroupCommit<I, R> {
  private queue: { item: I; resolve: (r: R) => void; reject: (e: unknown) => void; at: number }[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly concurrency: number,
    private readonly maxBatch: number,
    private readonly flush: (items: I[]) => Promise<R[]>,
    private readonly alone: (item: I) => Promise<R>,
    private readonly wroteNothing: (error: unknown) => boolean,
    private readonly observe?: (size: number, outcome: 'ok' | 'failed') => void,
    /** Per item: how long it waited for a statement slot, and its statement's round trip (ms). */
    private readonly timed?: (waitMs: number, statementMs: number) => void,
  ) {
    if (!(concurrency >= 1) || !(maxBatch >= 1)) throw new Error('GroupCommit needs concurrency ≥ 1 and maxBatch ≥ 1');
  }

  submit(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject, at: performance.now() });
      // what arrives in the same turn of the event loop (requests read from the same poll) goes together
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.pump();
        });
      }
    });
  }

  /** Writes waiting for a statement slot (tests read it). */
  get waiting(): number {
    return this.queue.length;
  }

  private pump(): void {
    while (this.inFlight < this.concurrency && this.queue.length) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.inFlight++;
      void this.run(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async run(batch: { item: I; resolve: (r: R) => void; reject: (e: unknown) => void; at: number }[]): Promise<void> {
    const start = performance.now();
    const timed = () => {
      const statementMs = performance.now() - start;
      for (const b of batch) this.timed?.(start - b.at, statementMs);
    };
    if (batch.length === 1) {
      const [one] = batch;
      await this.alone(one.item).then((r) => {
        timed();
        one.resolve(r);
      }, one.reject);
      this.observe?.(1, 'ok');
      return;
    }
    let results: R[];
    try {
      results = await this.flush(batch.map((b) => b.item));
      timed();
    } catch (e) {
      this.observe?.(batch.length, 'failed');
      if (!this.wroteNothing(e)) {
        for (const b of batch) b.reject(e);
        return;
      }
      // nothing of the batch was written: each item on its own
      await Promise.all(batch.map((b) => this.alone(b.item).then(b.resolve, b.reject)));
      return;
    }
    this.observe?.(batch.length, 'ok');
    if (results.length !== batch.length) {
      // committed, so not to be written again: a bug in flush, answered as one
      const e = new Error(`a batch of ${batch.length} writes returned ${results.length} outcomes`);
      for (const b of batch) b.reject(e);
      return;
    }
    batch.forEach((b, i) => b.resolve(results[i]));
  }
}
