import { describe, expect, it } from 'vitest';

import type { ListRequest } from './bindings/ListRequest';
import type { ProfileFilter } from './bindings/ProfileFilter';
import { OVERSCAN, ROW_HEIGHT, HEADER_HEIGHT } from './table';
import { FakeBackend, fakeId } from './testing/fakeBackend';
import { choose, mount, press, query, type, visibleRows, waitFor } from './testing/harness';
import { MAX_SPACER_HEIGHT, geometry, maxRenderedRows } from './virtual';

function listRequests(backend: FakeBackend): ListRequest[] {
  return backend.callsOf('list_profiles').map((c) => c.args['request'] as ListRequest);
}

function lastListRequest(backend: FakeBackend): ListRequest | undefined {
  return listRequests(backend).at(-1);
}

function lastRequestOf(backend: FakeBackend): ListRequest {
  const request = lastListRequest(backend);
  if (request === undefined) throw new Error('no list_profiles call yet');
  return request;
}

function scrollTo(scroller: HTMLElement, scrollTop: number): void {
  scroller.scrollTop = scrollTop;
  scroller.dispatchEvent(new Event('scroll'));
}

function cellText(row: HTMLElement, column: string): string {
  return row.querySelector(`.cell-${column}`)?.textContent ?? '';
}

describe('the All users table with 1,000,000 rows', () => {
  const viewport = window.innerHeight - HEADER_HEIGHT;
  const bound = maxRenderedRows(geometry(1_000_000, ROW_HEIGHT, viewport), OVERSCAN);

  it('shows the count and renders only a screenful of row nodes', async () => {
    const { root } = mount({ rows: 1_000_000, archived: 0 });
    await waitFor(() => query(root, '#count').textContent === '1,000,000 users');
    await waitFor(() => visibleRows(root).length > 0);

    expect(root.querySelectorAll('.row').length).toBeLessThanOrEqual(bound);
    expect(bound).toBeLessThan(60);
    const rows = visibleRows(root);
    expect(rows[0]?.getAttribute('data-id')).toBe(fakeId(0));
    expect(query(root, '.table-scroller').getAttribute('aria-rowcount')).toBe('1000001');
    const spacer = query(root, '.table-body');
    expect(parseFloat(spacer.style.height)).toBeLessThanOrEqual(MAX_SPACER_HEIGHT);
  });

  it('scrolls to the very bottom and shows the last row, still with few nodes', async () => {
    const { root, backend } = mount({ rows: 1_000_000, archived: 0 });
    await waitFor(() => visibleRows(root).length > 0);
    const scroller = query(root, '.table-scroller');
    const spacerHeight = parseFloat(query(root, '.table-body').style.height);

    scrollTo(scroller, spacerHeight - viewport);
    const last = await waitFor(() => root.querySelector<HTMLElement>(`.row[data-id="${fakeId(999_999)}"]`));
    expect(last.getAttribute('aria-rowindex')).toBe('1000001');
    expect(root.querySelectorAll('.row').length).toBeLessThanOrEqual(bound);
    // The last row's bottom edge is the viewport's bottom edge.
    expect(parseFloat(last.style.top) + ROW_HEIGHT).toBeCloseTo(spacerHeight, 3);
    // A jump: the page is asked for by offset, there being nothing cached before it.
    expect(listRequests(backend).some((r) => r.offset === 999_900 && r.after === undefined)).toBe(true);
  });

  it('walks down by keyset and jumps by offset', async () => {
    const { root, backend } = mount({ rows: 1_000_000, archived: 0 });
    await waitFor(() => visibleRows(root).length > 0);
    const scroller = query(root, '.table-scroller');

    // A few screens down: page 1 follows page 0's cursor.
    press(scroller, 'PageDown');
    press(scroller, 'PageDown');
    press(scroller, 'PageDown');
    await waitFor(() => listRequests(backend).length >= 2);
    const second = listRequests(backend)[1];
    expect(second?.offset).toBe(0);
    expect(second?.after).toBeDefined();

    // Half way down the scroll bar: around row 500,000, asked for by offset.
    const spacerHeight = parseFloat(query(root, '.table-body').style.height);
    scrollTo(scroller, (spacerHeight - viewport) / 2);
    await waitFor(() => visibleRows(root).some((r) => r.getAttribute('data-id') === fakeId(500_000)));
    expect(listRequests(backend).some((r) => r.offset === 499_900 && r.after === undefined)).toBe(true);
    expect(root.querySelectorAll('.row').length).toBeLessThanOrEqual(bound);
  });

  it('moves with the keyboard: End, Home, PageDown', async () => {
    const { root } = mount({ rows: 1_000_000, archived: 0 });
    await waitFor(() => visibleRows(root).length > 0);
    const scroller = query(root, '.table-scroller');

    expect(press(scroller, 'End').defaultPrevented).toBe(true);
    await waitFor(() => root.querySelector(`.row[data-id="${fakeId(999_999)}"]`));
    press(scroller, 'Home');
    await waitFor(() => visibleRows(root)[0]?.getAttribute('data-id') === fakeId(0));
    press(scroller, 'PageDown');
    const firstInView = Math.floor((viewport - ROW_HEIGHT) / ROW_HEIGHT);
    await waitFor(() => root.querySelector(`.row[data-id="${fakeId(firstInView + 5)}"]`));
    expect(root.querySelector(`.row[data-id="${fakeId(0)}"]`)).toBeNull();
  });

  it('shows placeholders for rows whose page has not arrived', async () => {
    const backend = new FakeBackend({ rows: 1_000_000, archived: 0, latency: 40 });
    const { root } = mount(backend);
    await waitFor(() => visibleRows(root).length > 0);
    const scroller = query(root, '.table-scroller');
    const spacerHeight = parseFloat(query(root, '.table-body').style.height);
    scrollTo(scroller, spacerHeight / 3);
    expect(root.querySelectorAll('.row.is-placeholder:not([hidden])').length).toBeGreaterThan(0);
    expect(root.querySelector('.row.is-placeholder[data-id]')).toBeNull();
    await waitFor(() => root.querySelectorAll('.row.is-placeholder:not([hidden])').length === 0);
  });
});

describe('sorting', () => {
  it('sorts by a column ascending on the first click and descending on the second', async () => {
    const { root, backend } = mount({ rows: 300 });
    await waitFor(() => visibleRows(root).length > 0);
    const button = query<HTMLButtonElement>(root, 'button.sort[data-column="email"]');
    const header = button.closest('[role="columnheader"]');
    const counts = backend.callsOf('count_profiles').length;

    button.click();
    await waitFor(() => lastListRequest(backend)?.sort.column === 'email');
    expect(lastListRequest(backend)?.sort).toEqual({ column: 'email', direction: 'asc' });
    expect(header?.getAttribute('aria-sort')).toBe('ascending');
    expect(button.querySelector('.sort-arrow')?.textContent).toBe('▲');
    expect(query(root, 'button.sort[data-column="username"] .sort-arrow').textContent).toBe('');
    expect(query(root, '[role="columnheader"]:has(button.sort[data-column="username"])').getAttribute('aria-sort')).toBe('none');
    const byEmail = await backend.listProfiles({ ...lastRequestOf(backend), offset: 0, limit: 10 });
    await waitFor(() => visibleRows(root)[1]?.getAttribute('data-id') === byEmail.rows[1]?.id);
    const ascending = visibleRows(root).map((r) => cellText(r, 'email'));
    expect(ascending.slice(0, 10)).toEqual(byEmail.rows.map((r) => r.email || '—'));
    expect(ascending).toEqual([...ascending].sort());
    await waitFor(() => backend.callsOf('count_profiles').length > counts);

    button.click();
    await waitFor(() => lastListRequest(backend)?.sort.direction === 'desc');
    expect(lastListRequest(backend)?.sort).toEqual({ column: 'email', direction: 'desc' });
    expect(header?.getAttribute('aria-sort')).toBe('descending');
    expect(button.querySelector('.sort-arrow')?.textContent).toBe('▼');
    // Descending puts empty emails first (they sort last ascending).
    await waitFor(() => cellText(visibleRows(root)[0] ?? document.body, 'email') === '—');
  });

  it('starts by Username ascending', async () => {
    const { root, backend } = mount({ rows: 50 });
    await waitFor(() => visibleRows(root).length > 0);
    expect(lastListRequest(backend)?.sort).toEqual({ column: 'username', direction: 'asc' });
    expect(query(root, '[role="columnheader"]:has(button.sort[data-column="username"])').getAttribute('aria-sort')).toBe('ascending');
  });

  it('goes back to the top when the sort changes', async () => {
    const { root, backend } = mount({ rows: 2000 });
    await waitFor(() => visibleRows(root).length > 0);
    const scroller = query(root, '.table-scroller');
    press(scroller, 'End');
    await waitFor(() => visibleRows(root).some((r) => r.getAttribute('aria-rowindex') === '1801'));
    query<HTMLButtonElement>(root, 'button.sort[data-column="sessions"]').click();
    await waitFor(() => lastListRequest(backend)?.sort.column === 'sessions');
    await waitFor(() => visibleRows(root)[0]?.getAttribute('aria-rowindex') === '2');
    expect(scroller.scrollTop).toBe(0);
  });
});

describe('search and filters', () => {
  it('searches after a pause in typing, with one request for the whole word', async () => {
    const { root, backend } = mount({ rows: 500 });
    await waitFor(() => visibleRows(root).length > 0);
    const lists = backend.callsOf('list_profiles').length;
    const search = query<HTMLInputElement>(root, 'input#search');
    expect(search.placeholder).toBe('Search name, email or phone');

    type(search, 'g');
    type(search, 'gr');
    type(search, 'grace');
    expect(backend.callsOf('list_profiles')).toHaveLength(lists);

    await waitFor(() => lastListRequest(backend)?.filter.search === 'grace');
    const searches = listRequests(backend).filter((r) => r.filter.search !== '');
    expect(searches.map((r) => r.filter.search)).toEqual(['grace']);
    const counts = backend.callsOf('count_profiles').map((c) => (c.args['filter'] as ProfileFilter).search);
    expect(counts).toContain('grace');
    await waitFor(() => visibleRows(root).every((r) => /grace/i.test(r.textContent ?? '')) && visibleRows(root).length > 0);
    const expected = await backend.countProfiles({ status: 'active', lastSeen: 'any', search: 'grace' });
    await waitFor(() => query(root, '#count').textContent === `${expected} users`);
  });

  it('says "1 user" for a single match and shows an empty state for none', async () => {
    const { root } = mount({ rows: 500 });
    await waitFor(() => visibleRows(root).length > 0);
    const search = query<HTMLInputElement>(root, 'input#search');
    type(search, 'ada.0000007@');
    await waitFor(() => query(root, '#count').textContent === '1 user');
    await waitFor(() => visibleRows(root).length === 1);
    expect(query(root, '.table-empty').hidden).toBe(true);

    type(search, 'nobody-has-this-name');
    await waitFor(() => query(root, '#count').textContent === '0 users');
    expect(query(root, '.table-empty').hidden).toBe(false);
  });

  it('shows archived profiles under the Archived status', async () => {
    const { root, backend } = mount({ rows: 400, archived: 25 });
    await waitFor(() => query(root, '#count').textContent === '375 users');
    const status = query<HTMLSelectElement>(root, 'select#status-filter');
    expect(status.value).toBe('active');
    expect([...status.options].map((o) => [o.value, o.textContent])).toEqual([
      ['active', 'Active'],
      ['archived', 'Archived'],
      ['', 'All'],
    ]);

    choose(status, 'archived');
    await waitFor(() => query(root, '#count').textContent === '25 users');
    expect(lastListRequest(backend)?.filter.status).toBe('archived');
    await waitFor(() => visibleRows(root).length === 25);
    expect(visibleRows(root).every((r) => r.querySelector('.badge')?.textContent === 'Archived')).toBe(true);

    // All: both, the status left out of the filter.
    choose(status, '');
    await waitFor(() => query(root, '#count').textContent === '400 users');
    expect(lastListRequest(backend)?.filter.status).toBeUndefined();
  });

  it('passes the type, platform and last seen filters to the core', async () => {
    const { root, backend } = mount({ rows: 500 });
    await waitFor(() => visibleRows(root).length > 0);
    const platform = query<HTMLSelectElement>(root, 'select#platform-filter');
    expect([...platform.options].map((o) => o.value)).toEqual(['', 'desktop', 'mobile_web', 'whats_app', 'messenger', 'telegram']);
    expect([...platform.options].map((o) => o.textContent)).toEqual([
      'All platforms',
      'Desktop',
      'Mobile Web',
      'WhatsApp',
      'Messenger',
      'Telegram',
    ]);
    expect([...query<HTMLSelectElement>(root, 'select#type-filter').options].map((o) => o.textContent)).toEqual([
      'All types',
      'Registered',
      'Anonymous',
    ]);
    expect([...query<HTMLSelectElement>(root, 'select#last-seen-filter').options].map((o) => o.textContent)).toEqual([
      'Any time',
      'Today',
      'Last 7 days',
      'Last 30 days',
    ]);
    expect(lastListRequest(backend)?.filter).toEqual({ status: 'active', lastSeen: 'any', search: '' });

    choose(platform, 'whats_app');
    choose(query<HTMLSelectElement>(root, 'select#type-filter'), 'anonymous');
    choose(query<HTMLSelectElement>(root, 'select#last-seen-filter'), 'last30Days');
    await waitFor(() => lastListRequest(backend)?.filter.lastSeen === 'last30Days');
    expect(lastListRequest(backend)?.filter).toEqual({
      status: 'active',
      kind: 'anonymous',
      platform: 'whats_app',
      lastSeen: 'last30Days',
      search: '',
    });
    choose(platform, '');
    await waitFor(() => lastListRequest(backend)?.filter.platform === undefined);
    expect('platform' in (lastListRequest(backend)?.filter ?? {})).toBe(false);
  });
});

describe('rendering data safely', () => {
  const hostile = '<img src=x onerror=alert(1)>';

  it('shows markup in a name as literal text and creates no element from it', async () => {
    const { root } = mount({
      rows: 20,
      customise: (p, i) => (i === 0 ? { ...p, firstName: hostile, lastName: '', location: '<b>bold</b>' } : p),
    });
    const row = await waitFor(() => root.querySelector<HTMLElement>(`.row[data-id="${fakeId(0)}"]`));
    expect(query(row, 'button.username').textContent).toBe(hostile);
    expect(cellText(row, 'location')).toBe('<b>bold</b>');
    expect(root.querySelector('img')).toBeNull();
    expect(root.querySelector('b')).toBeNull();

    query<HTMLButtonElement>(row, 'button.username').click();
    await waitFor(() => query(root, '#details-name').textContent === hostile);
    expect(document.querySelector('img')).toBeNull();
  });
});

describe('errors', () => {
  it('shows a failed request in a dismissible banner and retries after it is dismissed', async () => {
    const backend = new FakeBackend({ rows: 100 });
    backend.failNext('count_profiles', { code: 'storage', message: 'The database is locked', fields: [] });
    backend.failNext('list_profiles', { code: 'storage', message: 'The database is locked', fields: [] });
    const { root } = mount(backend);
    const banner = query(root, '#error-banner');
    await waitFor(() => !banner.hidden);
    expect(banner.querySelector('.message')?.textContent).toBe('The database is locked');
    expect(visibleRows(root)).toHaveLength(0);

    query<HTMLButtonElement>(banner, 'button.dismiss').click();
    expect(banner.hidden).toBe(true);
    await waitFor(() => query(root, '#count').textContent === '90 users');
    await waitFor(() => visibleRows(root).length > 0);
  });

  it('shows an error the IPC layer gives as a plain string', async () => {
    const backend = new FakeBackend({ rows: 10 });
    backend.failNext('count_profiles', 'command count_profiles not found');
    const { root } = mount(backend);
    await waitFor(() => query(root, '#error-banner .message').textContent === 'command count_profiles not found');
  });
});
