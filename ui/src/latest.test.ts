import { describe, expect, it } from 'vitest';

import { latestOnly, type Latest } from './latest';

/** A promise settled from outside, so a test picks the order the answers arrive in. */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A view's read as the modules write it: the answer is shown only while its ticket is current. */
async function read(reads: Latest, answer: Promise<string>, shown: string[], failures: unknown[]): Promise<void> {
  const ticket = reads.begin();
  try {
    const value = await answer;
    if (ticket.isCurrent()) shown.push(value);
  } catch (error) {
    if (ticket.isCurrent()) failures.push(error);
  }
}

describe('latestOnly', () => {
  it('drops an older answer arriving after a newer one', async () => {
    const reads = latestOnly();
    const shown: string[] = [];
    const older = deferred<string>();
    const newer = deferred<string>();
    const first = read(reads, older.promise, shown, []);
    const second = read(reads, newer.promise, shown, []);

    newer.resolve('newer');
    await second;
    older.resolve('older');
    await first;
    expect(shown).toEqual(['newer']);
  });

  it('drops an older answer arriving before the newer one too', async () => {
    const reads = latestOnly();
    const shown: string[] = [];
    const older = deferred<string>();
    const newer = deferred<string>();
    const first = read(reads, older.promise, shown, []);
    const second = read(reads, newer.promise, shown, []);

    older.resolve('older');
    await first;
    expect(shown).toEqual([]);
    newer.resolve('newer');
    await second;
    expect(shown).toEqual(['newer']);
  });

  it('drops an older failure, and reports the latest one', async () => {
    const reads = latestOnly();
    const failures: unknown[] = [];
    const older = deferred<string>();
    const newer = deferred<string>();
    const first = read(reads, older.promise, [], failures);
    const second = read(reads, newer.promise, [], failures);

    newer.reject('newer failed');
    await second;
    older.reject('older failed');
    await first;
    expect(failures).toEqual(['newer failed']);
  });

  it('keeps a ticket current until another read begins or the reads are dropped', () => {
    const reads = latestOnly();
    const ticket = reads.begin();
    expect(ticket.isCurrent()).toBe(true);
    expect(ticket.isCurrent()).toBe(true);

    const next = reads.begin();
    expect(ticket.isCurrent()).toBe(false);
    expect(next.isCurrent()).toBe(true);

    reads.drop();
    expect(next.isCurrent()).toBe(false);
    expect(reads.begin().isCurrent()).toBe(true);
  });

  it('keeps guards apart: a read of one kind leaves the other kind current', () => {
    const notes = latestOnly();
    const sessions = latestOnly();
    const ticket = notes.begin();
    sessions.begin();
    sessions.drop();
    expect(ticket.isCurrent()).toBe(true);
  });
});
