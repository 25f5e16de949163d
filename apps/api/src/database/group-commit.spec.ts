import { GroupCommit } from './group-commit.js';

/** A statement we answer by hand: resolves or fails when the test says so. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
const turn = () => new Promise((r) => setImmediate(r));

/** A GroupCommit over numbers whose batches and lone writes wait for the test to finish them. */
function harness(concurrency: number, maxBatch = 64) {
  const batches: { items: number[]; done: ReturnType<typeof deferred<string[]>> }[] = [];
  const alone: { item: number; done: ReturnType<typeof deferred<string>> }[] = [];
  const observed: [number, string][] = [];
  const gc = new GroupCommit<number, string>(
    concurrency,
    maxBatch,
    (items) => {
      const done = deferred<string[]>();
      batches.push({ items, done });
      return done.promise;
    },
    (item) => {
      const done = deferred<string>();
      alone.push({ item, done });
      return done.promise;
    },
    (e) => (e as Error).message !== 'connection lost',
    (size, outcome) => observed.push([size, outcome]),
  );
  return { gc, batches, alone, observed };
}

describe('GroupCommit', () => {
  it('sends a write alone at once when a statement slot is free', async () => {
    const h = harness(2);
    const a = h.gc.submit(1);
    await turn();
    expect([h.alone.map((x) => x.item), h.batches.length]).toEqual([[1], 0]);
    h.alone[0].done.resolve('one');
    await expect(a).resolves.toBe('one');
    expect(h.observed).toEqual([[1, 'ok']]);
  });

  it('never has more statements in flight than its concurrency, and sends what waited meanwhile as one batch', async () => {
    const h = harness(2);
    const first = [h.gc.submit(1), h.gc.submit(2)];
    await turn();
    // submitted in the same turn: one batch of two, one slot still free
    expect(h.batches.map((b) => b.items)).toEqual([[1, 2]]);
    const third = h.gc.submit(3);
    await turn();
    expect(h.alone.map((x) => x.item)).toEqual([3]); // the second slot
    const waiting = [4, 5, 6, 7].map((i) => h.gc.submit(i));
    await turn();
    expect([h.batches.length, h.alone.length, h.gc.waiting]).toEqual([1, 1, 4]);
    h.batches[0].done.resolve(['a', 'b']);
    await expect(Promise.all(first)).resolves.toEqual(['a', 'b']);
    await turn();
    expect(h.batches.map((b) => b.items)).toEqual([
      [1, 2],
      [4, 5, 6, 7],
    ]);
    expect(h.gc.waiting).toBe(0);
    h.alone[0].done.resolve('c');
    h.batches[1].done.resolve(['d', 'e', 'f', 'g']);
    await expect(third).resolves.toBe('c');
    await expect(Promise.all(waiting)).resolves.toEqual(['d', 'e', 'f', 'g']);
  });

  it('cuts what waits into batches of at most maxBatch', async () => {
    const h = harness(1, 3);
    const all = [1, 2, 3, 4, 5].map((i) => h.gc.submit(i));
    await turn();
    expect(h.batches.map((b) => b.items)).toEqual([[1, 2, 3]]);
    h.batches[0].done.resolve(['1', '2', '3']);
    await turn();
    expect(h.batches.map((b) => b.items)).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
    h.batches[1].done.resolve(['4', '5']);
    await expect(Promise.all(all)).resolves.toEqual(['1', '2', '3', '4', '5']);
  });

  it('sends each write of a failed batch again alone; one that fails alone fails only its own submitter', async () => {
    const h = harness(1);
    const all = [1, 2, 3].map((i) => h.gc.submit(i));
    await turn();
    h.batches[0].done.reject(new Error('deadlock detected'));
    await turn();
    expect(h.alone.map((x) => x.item)).toEqual([1, 2, 3]);
    h.alone[0].done.resolve('one');
    h.alone[1].done.reject(new Error('bad row'));
    h.alone[2].done.resolve('three');
    const settled = await Promise.allSettled(all);
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as Error).message))).toEqual(['one', 'bad row', 'three']);
    expect(h.observed).toEqual([[3, 'failed']]);
  });

  it('fails every write of a batch whose outcome is unknown (the connection was lost), and sends none of them again', async () => {
    const h = harness(1);
    const all = [1, 2].map((i) => h.gc.submit(i));
    await turn();
    h.batches[0].done.reject(new Error('connection lost'));
    const settled = await Promise.allSettled(all);
    expect(settled.map((s) => (s.status === 'rejected' ? (s.reason as Error).message : s.value))).toEqual([
      'connection lost',
      'connection lost',
    ]);
    expect(h.alone).toHaveLength(0);
    expect(h.observed).toEqual([[2, 'failed']]);
    // and the slot is free again
    const next = h.gc.submit(3);
    await turn();
    h.alone[0].done.resolve('3');
    await expect(next).resolves.toBe('3');
  });

  it('keeps the slot while the failed batch is sent again, so the bound holds', async () => {
    const h = harness(1);
    const all = [1, 2].map((i) => h.gc.submit(i));
    await turn();
    h.batches[0].done.reject(new Error('x'));
    await turn();
    const later = h.gc.submit(3);
    await turn();
    expect([h.alone.length, h.batches.length, h.gc.waiting]).toEqual([2, 1, 1]);
    h.alone.forEach((a, i) => a.done.resolve(String(i)));
    await Promise.all(all);
    await turn();
    expect(h.alone.map((x) => x.item)).toEqual([1, 2, 3]);
    h.alone[2].done.resolve('3');
    await expect(later).resolves.toBe('3');
  });

  it('does not send a committed batch again when its outcomes do not match it: every write of it fails', async () => {
    const h = harness(1);
    const all = [1, 2].map((i) => h.gc.submit(i));
    await turn();
    h.batches[0].done.resolve(['only one']);
    const settled = await Promise.allSettled(all);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    expect(h.alone).toHaveLength(0);
  });

  it('refuses a concurrency or batch size below 1', () => {
    expect(
      () =>
        new GroupCommit<number, number>(
          0,
          1,
          async () => [],
          async () => 0,
          () => true,
        ),
    ).toThrow(/concurrency/);
    expect(
      () =>
        new GroupCommit<number, number>(
          1,
          0,
          async () => [],
          async () => 0,
          () => true,
        ),
    ).toThrow(/maxBatch/);
  });
});
