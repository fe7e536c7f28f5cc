import { describe, expect, it } from 'vitest';

import type { ListRequest } from './bindings/ListRequest';
import type { ProfileId } from './bindings/ProfileId';
import type { ProfilePage } from './bindings/ProfilePage';
import type { ProfileRow } from './bindings/ProfileRow';
import { profileId } from './ids';
import { PageCache, type Query } from './pageCache';
import { FakeBackend } from './testing/fakeBackend';

const QUERY: Query = {
  filter: { status: 'active', lastSeen: 'any', search: '' },
  sort: { column: 'username', direction: 'asc' },
};

interface Pending {
  readonly request: ListRequest;
  resolve(page: ProfilePage): void;
  reject(error: unknown): void;
}

/** A fetch whose answers the test releases by hand. */
function manualFetch(): { fetch: (request: ListRequest) => Promise<ProfilePage>; pending: Pending[] } {
  const pending: Pending[] = [];
  return {
    pending,
    fetch: (request) =>
      new Promise<ProfilePage>((resolve, reject) => {
        pending.push({ request, resolve, reject });
      }),
  };
}

/** The id of the made-up row at `index`. */
function rowId(index: number): ProfileId {
  return profileId(`id-${index}`);
}

function rowsFor(start: number, n: number, label = 'row'): ProfileRow[] {
  return Array.from({ length: n }, (_, i) => ({
    id: rowId(start + i),
    username: `${label} ${start + i}`,
    email: '',
    phone: '',
    location: '',
    created: '',
    lastSeen: '',
    sessions: 0,
    status: 'active' as const,
  }));
}

const flush = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

describe('PageCache', () => {
  it('asks for the first page from the top, then the next one with its cursor', async () => {
    const backend = new FakeBackend({ rows: 1000 });
    const cache = new PageCache((r) => backend.listProfiles(r));
    cache.setQuery(QUERY);
    cache.ensure(0, 99);
    await cache.idle();
    cache.ensure(100, 199);
    await cache.idle();

    const requests = backend.callsOf('list_profiles').map((c) => c.args['request'] as ListRequest);
    expect(requests).toHaveLength(2);
    expect(requests[0]).toMatchObject({ offset: 0, limit: 100 });
    expect(requests[0]?.after).toBeUndefined();
    expect(requests[1]?.offset).toBe(0);
    expect(requests[1]?.after).toBeDefined();
    // The keyset path lands exactly where an offset would have.
    const byOffset = await backend.listProfiles({ ...QUERY, offset: 100, limit: 100 });
    expect(cache.row(100)?.id).toBe(byOffset.rows[0]?.id);
    expect(cache.row(199)?.id).toBe(byOffset.rows[99]?.id);
  });

  it('jumps by offset when the page before is not cached, then continues by keyset', async () => {
    const backend = new FakeBackend({ rows: 100_000, archived: 0 });
    const cache = new PageCache((r) => backend.listProfiles(r));
    cache.setQuery(QUERY);
    cache.ensure(50_000, 50_020);
    await cache.idle();
    cache.ensure(50_100, 50_120);
    await cache.idle();

    const requests = backend.callsOf('list_profiles').map((c) => c.args['request'] as ListRequest);
    expect(requests[0]).toMatchObject({ offset: 50_000, limit: 100 });
    expect(requests[0]?.after).toBeUndefined();
    expect(requests[1]).toMatchObject({ offset: 0 });
    expect(requests[1]?.after?.id).toBe(cache.row(50_099)?.id);
    expect(cache.row(50_100)?.username).toBe((await backend.profileDetails(cache.row(50_100)?.id ?? profileId(''))).username);
  });

  it('waits for the page before when it is on its way, to use its cursor', async () => {
    const { fetch, pending } = manualFetch();
    const cache = new PageCache(fetch);
    cache.setQuery(QUERY);
    cache.ensure(250, 350); // pages 2 and 3
    await flush();
    expect(pending).toHaveLength(1);
    expect(pending[0]?.request.offset).toBe(200);
    pending[0]?.resolve({ rows: rowsFor(200, 100), next: { column: 'username', value: { type: 'text', value: 'row 299' }, id: rowId(299) } });
    await flush();
    expect(pending).toHaveLength(2);
    expect(pending[1]?.request).toMatchObject({ offset: 0, after: { id: 'id-299' } });
  });

  it('never asks for the same page twice at once', async () => {
    const { fetch, pending } = manualFetch();
    const cache = new PageCache(fetch);
    cache.setQuery(QUERY);
    cache.ensure(0, 50);
    cache.ensure(10, 60);
    cache.ensure(0, 99);
    await flush();
    expect(pending).toHaveLength(1);
    pending[0]?.resolve({ rows: rowsFor(0, 100) });
    await cache.idle();
    cache.ensure(0, 99);
    await flush();
    expect(pending).toHaveLength(1);
  });

  it('drops an answer that belongs to an older query', async () => {
    const { fetch, pending } = manualFetch();
    const loaded: number[] = [];
    const cache = new PageCache(fetch, { onLoad: (k) => loaded.push(k) });
    cache.setQuery(QUERY);
    cache.ensure(0, 10);
    await flush();
    cache.setQuery({ ...QUERY, filter: { ...QUERY.filter, search: 'ada' } });
    cache.ensure(0, 10);
    await flush();
    expect(pending).toHaveLength(2);

    // The new query's answer comes first, then the old one's, late.
    pending[1]?.resolve({ rows: rowsFor(0, 100, 'new') });
    await flush();
    pending[0]?.resolve({ rows: rowsFor(0, 100, 'old') });
    await flush();

    expect(cache.row(0)?.username).toBe('new 0');
    expect(loaded).toEqual([0]);
  });

  it('drops a late failure of an older query', async () => {
    const { fetch, pending } = manualFetch();
    const errors: unknown[] = [];
    const cache = new PageCache(fetch, { onError: (e) => errors.push(e) });
    cache.setQuery(QUERY);
    cache.ensure(0, 10);
    await flush();
    cache.setQuery({ ...QUERY, sort: { column: 'email', direction: 'asc' } });
    pending[0]?.reject(new Error('too late to matter'));
    await flush();
    expect(errors).toEqual([]);
  });

  it('does not retry a failed page until asked to', async () => {
    const { fetch, pending } = manualFetch();
    const errors: unknown[] = [];
    const cache = new PageCache(fetch, { onError: (e) => errors.push(e) });
    cache.setQuery(QUERY);
    cache.ensure(0, 10);
    await flush();
    pending[0]?.reject({ code: 'storage', message: 'disk full', fields: [] });
    await flush();
    expect(errors).toHaveLength(1);
    cache.ensure(0, 10);
    await flush();
    expect(pending).toHaveLength(1);
    cache.clearFailures();
    cache.ensure(0, 10);
    await flush();
    expect(pending).toHaveLength(2);
  });

  it('forgets the least recently used pages beyond its capacity', async () => {
    const backend = new FakeBackend({ rows: 2000 });
    const cache = new PageCache((r) => backend.listProfiles(r), { capacity: 3 });
    cache.setQuery(QUERY);
    for (const k of [0, 1, 2]) {
      cache.ensure(k * 100, k * 100);
      await cache.idle();
    }
    cache.ensure(0, 0); // page 0 is now the most recently used
    cache.ensure(300, 300);
    await cache.idle();
    expect(cache.row(0)).toBeDefined();
    expect(cache.row(100)).toBeUndefined();
    expect(cache.row(200)).toBeDefined();
    expect(cache.row(300)).toBeDefined();
  });

  it('keeps showing the old rows after a refresh until the new ones arrive', async () => {
    const { fetch, pending } = manualFetch();
    const cache = new PageCache(fetch);
    cache.setQuery(QUERY);
    cache.ensure(0, 10);
    await flush();
    pending[0]?.resolve({ rows: rowsFor(0, 100, 'old') });
    await cache.idle();

    cache.refresh();
    expect(cache.row(0)?.username).toBe('old 0');
    cache.ensure(0, 10);
    await flush();
    expect(pending).toHaveLength(2);
    pending[1]?.resolve({ rows: rowsFor(0, 100, 'new') });
    await cache.idle();
    expect(cache.row(0)?.username).toBe('new 0');
  });

  it('replaces an edited row wherever it is cached', async () => {
    const backend = new FakeBackend({ rows: 300 });
    const cache = new PageCache((r) => backend.listProfiles(r));
    cache.setQuery(QUERY);
    cache.ensure(0, 99);
    await cache.idle();
    const row = cache.row(5);
    expect(row).toBeDefined();
    if (row === undefined) return;
    expect(cache.updateRow({ ...row, phone: '+442079460958' })).toBe(true);
    expect(cache.row(5)?.phone).toBe('+442079460958');
    expect(cache.updateRow({ ...row, id: profileId('not-cached') })).toBe(false);
  });

  it('gives the loaded rows of a range, in order, skipping pages it does not hold', async () => {
    const { fetch, pending } = manualFetch();
    const cache = new PageCache(fetch, { pageSize: 10 });
    cache.setQuery(QUERY);
    cache.ensure(0, 0);
    cache.ensure(50, 50);
    await flush();
    pending[0]?.resolve({ rows: rowsFor(0, 10) });
    pending[1]?.resolve({ rows: rowsFor(50, 10) });
    await cache.idle();

    expect(cache.loadedRows(5, 55).map((r) => r.id)).toEqual([5, 6, 7, 8, 9, 50, 51, 52, 53, 54, 55].map((i) => `id-${i}`));
    expect(cache.loadedRows()).toHaveLength(20);
    expect(cache.loadedRows(20, 40)).toEqual([]);
    expect(cache.rowById(rowId(52))?.username).toBe('row 52');
    expect(cache.rowById(rowId(30))).toBeUndefined();
  });
});
