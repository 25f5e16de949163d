import { PerKey } from './per-key.js';

/** A task that records when it starts and ends, and finishes when `release` is called. */
function gate(log: string[], name: string) {
  let release!: () => void;
  const done = new Promise<void>((r) => (release = r));
  return {
    release: () => release(),
    task: async () => {
      log.push(`${name} start`);
      await done;
      log.push(`${name} end`);
      return name;
    },
  };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('PerKey', () => {
  it('runs the tasks of one key one after another, in the order submitted', async () => {
    const keys = new PerKey();
    const log: string[] = [];
    const [a, b, c] = ['a', 'b', 'c'].map((n) => gate(log, n));
    const results = [keys.run('doc', a.task), keys.run('doc', b.task), keys.run('doc', c.task)];
    await tick();
    expect(log).toEqual(['a start']);
    c.release();
    b.release();
    await tick();
    expect(log).toEqual(['a start']);
    a.release();
    expect(await Promise.all(results)).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['a start', 'a end', 'b start', 'b end', 'c start', 'c end']);
  });

  it('runs the tasks of different keys at once', async () => {
    const keys = new PerKey();
    const log: string[] = [];
    const [a, b] = ['a', 'b'].map((n) => gate(log, n));
    const results = [keys.run('one', a.task), keys.run('two', b.task)];
    await tick();
    expect(log).toEqual(['a start', 'b start']);
    b.release();
    a.release();
    expect(await Promise.all(results)).toEqual(['a', 'b']);
  });

  it('a failed task fails only its own caller, and the next one of its key still runs', async () => {
    const keys = new PerKey();
    const failed = keys.run('doc', () => Promise.reject(new Error('refused')));
    const next = keys.run('doc', async () => 'next');
    await expect(failed).rejects.toThrow('refused');
    await expect(next).resolves.toBe('next');
  });

  it('forgets a key once its last task has finished', async () => {
    const keys = new PerKey();
    await keys.run('doc', async () => 1);
    await Promise.allSettled([keys.run('a', async () => 1), keys.run('a', () => Promise.reject(new Error('x')))]);
    await tick();
    expect(keys.size).toBe(0);
  });
});
