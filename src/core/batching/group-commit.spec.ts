import fc from 'fast-check';
import { GroupCommit } from './group-commit';

/** A commit the test releases by hand, recording every batch it was given. */
function controlledCommit<T>() {
  const batches: T[][] = [];
  const releases: Array<() => void> = [];
  const commit = async (items: readonly T[]) => {
    batches.push([...items]);
    await new Promise<void>((release) => releases.push(release));
    return items.map((item) => `done:${String(item)}`);
  };
  return { commit, batches, releases };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('GroupCommit', () => {
  it('commits an item that finds a free slot at once, alone', async () => {
    const { commit, batches, releases } = controlledCommit<number>();
    const group = new GroupCommit(commit, { maxBatch: 10, maxConcurrentBatches: 1 });
    const result = group.submit(1);
    expect(batches).toEqual([[1]]);
    releases[0]();
    await expect(result).resolves.toBe('done:1');
  });

  it('commits what arrives during a commit together, in arrival order, at most maxBatch at a time', async () => {
    const { commit, batches, releases } = controlledCommit<number>();
    const group = new GroupCommit(commit, { maxBatch: 3, maxConcurrentBatches: 1 });
    const results = [1, 2, 3, 4, 5, 6].map((item) => group.submit(item));
    expect(batches).toEqual([[1]]);
    releases[0]();
    await tick();
    expect(batches).toEqual([[1], [2, 3, 4]]);
    releases[1]();
    await tick();
    expect(batches).toEqual([[1], [2, 3, 4], [5, 6]]);
    releases[2]();
    await expect(Promise.all(results)).resolves.toEqual([1, 2, 3, 4, 5, 6].map((item) => `done:${item}`));
  });

  it('runs up to maxConcurrentBatches commits at once', async () => {
    const { commit, batches, releases } = controlledCommit<number>();
    const group = new GroupCommit(commit, { maxBatch: 2, maxConcurrentBatches: 2 });
    [1, 2, 3, 4].forEach((item) => void group.submit(item));
    expect(batches).toEqual([[1], [2]]);
    releases[1]();
    await tick();
    expect(batches).toEqual([[1], [2], [3, 4]]);
    releases[0]();
    releases[2]();
  });

  it('commits the items of a failed batch one by one, so only the bad one fails', async () => {
    const commits: number[][] = [];
    const group = new GroupCommit(
      async (items: readonly number[]) => {
        commits.push([...items]);
        await tick();
        if (items.includes(13)) throw new Error('violates a constraint');
        return items.map((item) => item * 2);
      },
      { maxBatch: 10, maxConcurrentBatches: 1 },
    );
    const first = group.submit(1);
    const rest = [12, 13, 14].map((item) => group.submit(item).catch((error: Error) => error.message));
    await expect(first).resolves.toBe(2);
    await expect(Promise.all(rest)).resolves.toEqual([24, 'violates a constraint', 28]);
    expect(commits).toEqual([[1], [12, 13, 14], [12], [13], [14]]);
  });

  it('fails the whole batch at once when the database is unreachable: retrying one by one cannot help', async () => {
    let calls = 0;
    const group = new GroupCommit(
      async () => {
        calls += 1;
        await tick();
        throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
      },
      { maxBatch: 10, maxConcurrentBatches: 1 },
    );
    const results = [1, 2, 3].map((item) => group.submit(item).catch((error: Error) => error.message));
    expect(await Promise.all(results)).toEqual(Array(3).fill('connect ECONNREFUSED 127.0.0.1:5432'));
    expect(calls).toBe(1); // [1]; [2, 3] waited behind it and failed with it
  });

  it('gives every submitter its own result exactly once, within the limits, for any arrival pattern', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat(5), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 4 }),
        async (gaps, maxBatch, maxConcurrentBatches) => {
          let running = 0;
          let mostRunning = 0;
          const sizes: number[] = [];
          const group = new GroupCommit(
            async (items: readonly number[]) => {
              sizes.push(items.length);
              running += 1;
              mostRunning = Math.max(mostRunning, running);
              await tick();
              running -= 1;
              return items.map((item) => -item);
            },
            { maxBatch, maxConcurrentBatches },
          );
          const results: Array<Promise<number>> = [];
          for (const [index, gap] of gaps.entries()) {
            results.push(group.submit(index));
            for (let i = 0; i < gap; i++) await tick();
          }
          expect(await Promise.all(results)).toEqual(gaps.map((_, index) => -index));
          expect(sizes.reduce((sum, size) => sum + size, 0)).toBe(gaps.length);
          expect(Math.max(...sizes)).toBeLessThanOrEqual(maxBatch);
          expect(mostRunning).toBeLessThanOrEqual(maxConcurrentBatches);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('fails what waits behind a batch the database did not answer, at once: no one waits twice for it', async () => {
    const { commit, batches, releases } = controlledCommit<number>();
    const silent = new Error('Query read timeout');
    let calls = 0;
    const group = new GroupCommit(
      async (items: readonly number[]) => {
        calls += 1;
        if (calls === 1) {
          await tick();
          throw silent;
        }
        return commit(items);
      },
      { maxBatch: 2, maxConcurrentBatches: 1 },
    );
    const results = [1, 2, 3, 4].map((item) => group.submit(item).catch((error: Error) => error.message));
    expect(await Promise.all(results)).toEqual(Array(4).fill('Query read timeout'));
    expect(calls).toBe(1);
    // The next arrival tries the database again.
    const next = group.submit(5);
    expect(batches).toEqual([[5]]);
    releases[0]();
    await expect(next).resolves.toBe('done:5');
  });

  it('tells when every queued and committing batch is done', async () => {
    const { commit, releases } = controlledCommit<number>();
    const group = new GroupCommit(commit, { maxBatch: 2, maxConcurrentBatches: 1 });
    await group.settled();
    const results = [1, 2, 3].map((item) => group.submit(item));
    let settled = false;
    const waiting = group.settled().then(() => (settled = true));
    releases[0]();
    await tick();
    expect(settled).toBe(false);
    releases[1]();
    await Promise.all([...results, waiting]);
    expect(settled).toBe(true);
  });
});
