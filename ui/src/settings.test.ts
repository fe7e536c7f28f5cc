import { describe, expect, it } from 'vitest';

import { FakeBackend, fakeId } from './testing/fakeBackend';
import { choose, mount, press, query, visibleRows, waitFor } from './testing/harness';

describe('the Settings dialog', () => {
  it('changes the time zone, then shows the table and the open Details in it', async () => {
    const backend = new FakeBackend({ rows: 50, timeZone: 'UTC' });
    const { root } = mount(backend);
    const row = await waitFor(() => root.querySelector<HTMLElement>(`.row[data-id="${fakeId(1)}"]`));
    const createdBefore = query(row, '.cell-created').textContent;
    query<HTMLButtonElement>(row, 'button.username').click();
    await waitFor(() => query(root, '[data-info="created"] .time-zone').textContent === 'UTC');

    const dialog = query(root, '#settings-dialog');
    expect(dialog.closest('[hidden]')).not.toBeNull();
    query<HTMLButtonElement>(root, 'button#settings').click();
    const select = query<HTMLSelectElement>(root, 'select#time-zone');
    await waitFor(() => select.options.length > 1 && select.value === 'UTC');
    expect(dialog.closest('[hidden]')).toBeNull();
    expect(dialog.getAttribute('role')).toBe('dialog');

    choose(select, 'Asia/Tokyo');
    query<HTMLButtonElement>(root, '#settings-save').click();
    await waitFor(() => dialog.closest('[hidden]') !== null);
    expect(backend.callsOf('set_time_zone').map((c) => c.args)).toEqual([{ timeZone: 'Asia/Tokyo' }]);

    await waitFor(() => query(root, '[data-info="created"] .time-zone').textContent === 'Asia/Tokyo');
    await waitFor(() => query(root, `.row[data-id="${fakeId(1)}"] .cell-created`).textContent !== createdBefore);
    expect(visibleRows(root).length).toBeGreaterThan(0);
  });

  it('closes with Escape or Cancel without saving', async () => {
    const { root, backend } = mount({ rows: 10 });
    await waitFor(() => visibleRows(root).length > 0);
    const dialog = query(root, '#settings-dialog');

    query<HTMLButtonElement>(root, 'button#settings').click();
    await waitFor(() => query<HTMLSelectElement>(root, 'select#time-zone').options.length > 1);
    press(query(root, 'select#time-zone'), 'Escape');
    expect(dialog.closest('[hidden]')).not.toBeNull();

    query<HTMLButtonElement>(root, 'button#settings').click();
    query<HTMLButtonElement>(root, '#settings-cancel').click();
    expect(dialog.closest('[hidden]')).not.toBeNull();
    expect(backend.callsOf('set_time_zone')).toHaveLength(0);
    // The list of zones is asked for once.
    expect(backend.callsOf('list_time_zones')).toHaveLength(1);
  });

  it('shows a refused time zone inside the dialog', async () => {
    const backend = new FakeBackend({ rows: 10 });
    backend.failNext('set_time_zone', { code: 'invalid_time_zone', message: 'unknown time zone: Mars/Olympus', fields: [] });
    const { root } = mount(backend);
    query<HTMLButtonElement>(root, 'button#settings').click();
    await waitFor(() => query<HTMLSelectElement>(root, 'select#time-zone').options.length > 1);
    query<HTMLButtonElement>(root, '#settings-save').click();
    const error = await waitFor(() => {
      const node = root.querySelector<HTMLElement>('#settings-error');
      return node !== null && !node.hidden && node;
    });
    expect(error.textContent).toBe('unknown time zone: Mars/Olympus');
    expect(query(root, '#settings-dialog').closest('[hidden]')).toBeNull();
  });
});
