import { describe, expect, it } from 'vitest';

import type { JobAction } from './bindings/JobAction';
import type { Selection } from './bindings/Selection';
import { HEADER_HEIGHT, ROW_HEIGHT } from './table';
import { FakeBackend, fakeId } from './testing/fakeBackend';
import { choose, mount, press, query, type, visibleRows, waitFor, type Mounted } from './testing/harness';

/** 300 customers, the last 30 archived: the Active filter shows the first 270, in index order. */
async function mountTable(backend = new FakeBackend({ rows: 300 })): Promise<Mounted> {
  const mounted = mount(backend);
  await waitFor(() => visibleRows(mounted.root).length > 0);
  await waitFor(() => query(mounted.root, '#count').textContent === '270 users');
  return mounted;
}

function rowOf(root: HTMLElement, index: number): HTMLElement {
  return query(root, `.row[data-id="${fakeId(index)}"]`);
}

function checkboxOf(root: HTMLElement, index: number): HTMLInputElement {
  return query<HTMLInputElement>(rowOf(root, index), 'input.row-check');
}

function shiftClick(target: HTMLElement): void {
  target.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true, shiftKey: true }));
}

function selectedCount(root: HTMLElement): string {
  return query(root, '#selection-count').textContent ?? '';
}

function checkedIds(root: HTMLElement): string[] {
  return visibleRows(root)
    .filter((row) => query<HTMLInputElement>(row, 'input.row-check').checked)
    .map((row) => row.getAttribute('data-id') ?? '');
}

function isOpen(root: HTMLElement, dialog: string): boolean {
  return query(root, dialog).closest('.backdrop')?.hasAttribute('hidden') === false;
}

function scheduled(backend: FakeBackend): { action: JobAction; selection: Selection }[] {
  return backend.callsOf('schedule_job').map((c) => c.args as { action: JobAction; selection: Selection });
}

/** The rows inside the viewport: the header's checkbox selects these. */
const ROWS_ON_SCREEN = Math.ceil((window.innerHeight - HEADER_HEIGHT) / ROW_HEIGHT);

describe('selecting rows', () => {
  it('checks a row with its checkbox, shows the bulk bar, and unchecks it again', async () => {
    const { root } = await mountTable();
    const bar = query(root, '#bulk-bar');
    expect(bar.hidden).toBe(true);
    expect(bar.getAttribute('role')).toBe('toolbar');
    expect(bar.getAttribute('aria-label')).toBe('Bulk actions');
    const check = checkboxOf(root, 1);
    const username = query(rowOf(root, 1), 'button.username').textContent;
    expect(check.getAttribute('aria-label')).toBe(`Select ${username}`);

    check.click();
    expect(bar.hidden).toBe(false);
    expect(selectedCount(root)).toBe('1 selected');
    expect(check.checked).toBe(true);
    expect(rowOf(root, 1).classList.contains('is-checked')).toBe(true);
    expect(checkedIds(root)).toEqual([fakeId(1)]);
    for (const id of ['#bulk-create-segment', '#bulk-active', '#bulk-archive', '#bulk-delete', '#clear-selection']) {
      expect(query(bar, id).hidden).toBe(false);
    }
    expect(query<HTMLButtonElement>(bar, '#bulk-active').textContent).toBe('Active');
    expect(query<HTMLButtonElement>(bar, '#bulk-archive').textContent).toBe('Archive');
    const header = query<HTMLInputElement>(root, '#select-all-on-screen');
    expect(header.indeterminate).toBe(true);
    expect(header.checked).toBe(false);

    check.click();
    expect(check.checked).toBe(false);
    expect(bar.hidden).toBe(true);
    expect(header.indeterminate).toBe(false);
  });

  it('selects the range from the row clicked last with Shift+click, and unchecks a range the same way', async () => {
    const { root } = await mountTable();
    checkboxOf(root, 2).click();
    shiftClick(checkboxOf(root, 6));
    expect(selectedCount(root)).toBe('5 selected');
    expect(checkedIds(root)).toEqual([2, 3, 4, 5, 6].map(fakeId));

    // Upwards from row 6 (the last clicked) to row 4, which is checked: the range is unchecked.
    shiftClick(checkboxOf(root, 4));
    expect(checkedIds(root)).toEqual([2, 3].map(fakeId));
    expect(selectedCount(root)).toBe('2 selected');
  });

  it('selects the rows on screen from the header, and keeps them while the list scrolls', async () => {
    const { root } = await mountTable();
    const header = query<HTMLInputElement>(root, '#select-all-on-screen');
    expect(header.getAttribute('aria-label')).toBe('Select the users on screen');

    header.click();
    const onScreen = Array.from({ length: ROWS_ON_SCREEN }, (_, i) => fakeId(i));
    expect(selectedCount(root)).toBe(`${ROWS_ON_SCREEN} selected`);
    expect(checkedIds(root)).toEqual(onScreen);
    expect(header.checked).toBe(true);
    expect(header.indeterminate).toBe(false);

    const scroller = query(root, '.table-scroller');
    press(scroller, 'End');
    await waitFor(() => root.querySelector(`.row[data-id="${fakeId(269)}"]`));
    expect(checkedIds(root)).toEqual([]);
    // Some rows are checked, none of them on screen.
    expect(header.indeterminate).toBe(true);
    press(scroller, 'Home');
    await waitFor(() => visibleRows(root)[0]?.getAttribute('data-id') === fakeId(0));
    expect(checkedIds(root)).toEqual(onScreen);

    // Every row on screen checked: the header unchecks them.
    header.click();
    expect(query(root, '#bulk-bar').hidden).toBe(true);
    expect(checkedIds(root)).toEqual([]);
  });

  it('clears the selection when the filters, the search or the sort change', async () => {
    const { root } = await mountTable();
    const bar = query(root, '#bulk-bar');

    checkboxOf(root, 0).click();
    choose(query<HTMLSelectElement>(root, '#type-filter'), 'registered');
    expect(bar.hidden).toBe(true);
    await waitFor(() => visibleRows(root).length > 0 && query(root, '#count').textContent !== '270 users');

    visibleRows(root)[0]?.querySelector<HTMLInputElement>('input.row-check')?.click();
    expect(bar.hidden).toBe(false);
    query<HTMLButtonElement>(root, 'button.sort[data-column="email"]').click();
    expect(bar.hidden).toBe(true);
    await waitFor(() => visibleRows(root).length > 0);

    visibleRows(root)[0]?.querySelector<HTMLInputElement>('input.row-check')?.click();
    expect(bar.hidden).toBe(false);
    type(query<HTMLInputElement>(root, '#search'), 'grace');
    await waitFor(() => bar.hidden);
    expect(visibleRows(root).every((row) => !query<HTMLInputElement>(row, 'input.row-check').checked)).toBe(true);
  });

  it('clears the selection with Clear selection', async () => {
    const { root } = await mountTable();
    checkboxOf(root, 0).click();
    checkboxOf(root, 1).click();
    query<HTMLButtonElement>(root, '#clear-selection').click();
    expect(query(root, '#bulk-bar').hidden).toBe(true);
    expect(checkedIds(root)).toEqual([]);
  });
});

describe('Select all N matching', () => {
  it('selects every customer the filter matches, and Archive schedules the job over the filter', async () => {
    const { root, backend } = await mountTable();
    checkboxOf(root, 0).click();
    const matching = query<HTMLButtonElement>(root, '#select-all-matching');
    expect(matching.hidden).toBe(false);
    expect(matching.textContent).toBe('Select all 270 matching');

    matching.click();
    expect(selectedCount(root)).toBe('270 selected');
    expect(matching.hidden).toBe(true);
    expect(query(root, '#selection-scope').hidden).toBe(false);
    expect(checkedIds(root)).toEqual(visibleRows(root).map((row) => row.getAttribute('data-id')));
    expect(query<HTMLInputElement>(root, '#select-all-on-screen').checked).toBe(true);
    // Rows loaded later show checked too.
    press(query(root, '.table-scroller'), 'End');
    await waitFor(() => root.querySelector(`.row[data-id="${fakeId(269)}"]`));
    expect(checkboxOf(root, 269).checked).toBe(true);

    query<HTMLButtonElement>(root, '#bulk-archive').click();
    await waitFor(() => scheduled(backend).length === 1);
    expect(scheduled(backend)).toEqual([
      { action: 'archive', selection: { kind: 'filter', filter: { status: 'active', lastSeen: 'any', search: '' } } },
    ]);
    await waitFor(() => query(root, '#bulk-bar').hidden);
  });

  it('turns into the loaded rows minus the one unchecked, and offers Select all again', async () => {
    const { root, backend } = await mountTable();
    checkboxOf(root, 0).click();
    query<HTMLButtonElement>(root, '#select-all-matching').click();

    checkboxOf(root, 3).click();
    expect(checkboxOf(root, 3).checked).toBe(false);
    expect(checkboxOf(root, 4).checked).toBe(true);
    const count = Number(selectedCount(root).replace(/ selected$/, ''));
    expect(count).toBeGreaterThan(ROWS_ON_SCREEN);
    expect(count).toBeLessThan(270);
    expect(query(root, '#select-all-matching').hidden).toBe(false);
    expect(query(root, '#selection-scope').hidden).toBe(true);

    query<HTMLButtonElement>(root, '#bulk-active').click();
    await waitFor(() => scheduled(backend).length === 1);
    const [job] = scheduled(backend);
    expect(job?.action).toBe('activate');
    const selection = job?.selection;
    if (selection?.kind !== 'ids') throw new Error('expected a list of ids');
    expect(selection.ids).toHaveLength(count);
    expect(selection.ids).not.toContain(fakeId(3));
    expect(selection.ids).toContain(fakeId(4));
  });
});

describe('Delete', () => {
  it('asks, naming the count and the Trash, then moves the customers there and the rows leave at once', async () => {
    const { root, backend } = await mountTable();
    for (const i of [0, 1, 2]) checkboxOf(root, i).click();

    query<HTMLButtonElement>(root, '#bulk-delete').click();
    expect(isOpen(root, '#bulk-delete-dialog')).toBe(true);
    expect(query(root, '#bulk-delete-dialog').getAttribute('role')).toBe('alertdialog');
    expect(query(root, '#bulk-delete-question').textContent).toBe(
      'Move 3 customers to the Trash? They stay there 30 days: Restore brings them back, Undo too.',
    );
    expect(document.activeElement).toBe(query(root, '#bulk-delete-cancel'));

    query<HTMLButtonElement>(root, '#bulk-delete-cancel').click();
    expect(isOpen(root, '#bulk-delete-dialog')).toBe(false);
    expect(backend.callsOf('delete_profiles')).toHaveLength(0);
    expect(selectedCount(root)).toBe('3 selected');

    query<HTMLButtonElement>(root, '#bulk-delete').click();
    query<HTMLButtonElement>(root, '#bulk-delete-confirm').click();
    await waitFor(() => !isOpen(root, '#bulk-delete-dialog'));
    expect(backend.callsOf('delete_profiles').map((c) => c.args)).toEqual([{ selection: { kind: 'ids', ids: [0, 1, 2].map(fakeId) } }]);
    await waitFor(() => query(root, '#count').textContent === '267 users');
    await waitFor(() => visibleRows(root)[0]?.getAttribute('data-id') === fakeId(3));
    expect(root.querySelector(`.row[data-id="${fakeId(0)}"]`)).toBeNull();
    expect(query(root, '#bulk-bar').hidden).toBe(true);
    // In the Trash, not gone: the left pane counts them, and Undo offers to bring them back.
    expect([0, 1, 2].map((i) => backend.isTrashed(i))).toEqual([true, true, true]);
    await waitFor(() => query(root, '#nav-trash').textContent === 'Trash 3');
    await waitFor(() => !query(root, '#undo-bar').hidden);
    expect(query(root, '#undo-text').textContent).toBe('Deleted 3 customers');
  });

  it('says "1 customer" and shows a refusal inside the dialog', async () => {
    const backend = new FakeBackend({ rows: 300 });
    backend.failNext('delete_profiles', { code: 'storage', message: 'The database is locked', fields: [] });
    const { root } = await mountTable(backend);
    checkboxOf(root, 5).click();
    query<HTMLButtonElement>(root, '#bulk-delete').click();
    expect(query(root, '#bulk-delete-question').textContent).toBe(
      'Move 1 customer to the Trash? They stay there 30 days: Restore brings them back, Undo too.',
    );
    query<HTMLButtonElement>(root, '#bulk-delete-confirm').click();
    const error = await waitFor(() => {
      const node = query(root, '#bulk-delete-error');
      return !node.hidden && node;
    });
    expect(error.textContent).toBe('The database is locked');
    expect(isOpen(root, '#bulk-delete-dialog')).toBe(true);
    expect(selectedCount(root)).toBe('1 selected');
    expect(root.querySelector(`.row[data-id="${fakeId(5)}"]`)).not.toBeNull();
  });

  it('closes the Details of a customer it deleted', async () => {
    const { root } = await mountTable();
    query<HTMLButtonElement>(rowOf(root, 1), 'button.username').click();
    await waitFor(() => !query(root, '#details').hidden && query(root, '#details-name').textContent !== 'Loading…');
    checkboxOf(root, 1).click();
    query<HTMLButtonElement>(root, '#bulk-delete').click();
    query<HTMLButtonElement>(root, '#bulk-delete-confirm').click();
    await waitFor(() => query(root, '#details').hidden);
  });
});

describe('Create segment from the selection', () => {
  it('asks for a name and a description, and makes the selected customers its members', async () => {
    const { root, backend } = await mountTable();
    checkboxOf(root, 3).click();
    checkboxOf(root, 4).click();

    query<HTMLButtonElement>(root, '#bulk-create-segment').click();
    expect(isOpen(root, '#bulk-segment-dialog')).toBe(true);
    const name = query<HTMLInputElement>(root, '#bulk-segment-name');
    expect(document.activeElement).toBe(name);
    expect(name.closest('label')?.textContent).toBe('Enter segment name');
    const description = query<HTMLTextAreaElement>(root, '#bulk-segment-description');
    expect(description.closest('label')?.textContent).toBe('Segment description');
    expect(query(root, '#bulk-segment-count').textContent).toBe('The 2 customers selected become its members.');

    // A refusal shows in the dialog, which stays open.
    query<HTMLButtonElement>(root, '#bulk-segment-confirm').click();
    await waitFor(() => !query(root, '#bulk-segment-error').hidden);
    expect(query(root, '#bulk-segment-error').textContent).toBe("The segment's name must not be empty");
    expect(isOpen(root, '#bulk-segment-dialog')).toBe(true);

    name.value = 'Early adopters';
    description.value = 'Picked by hand';
    query<HTMLButtonElement>(root, '#bulk-segment-confirm').click();
    await waitFor(() => !isOpen(root, '#bulk-segment-dialog'));
    expect(backend.callsOf('create_segment_from').map((c) => c.args).at(-1)).toEqual({
      draft: { name: 'Early adopters', description: 'Picked by hand', rules: [] },
      selection: { kind: 'ids', ids: [fakeId(3), fakeId(4)] },
    });
    expect(query(root, '#bulk-bar').hidden).toBe(true);

    // The Segment filter offers it at once, with its two members.
    const filter = query<HTMLSelectElement>(root, '#segment-filter');
    const option = await waitFor(() => [...filter.options].find((o) => o.textContent === 'Early adopters'));
    choose(filter, option.value);
    await waitFor(() => query(root, '#count').textContent === '2 users');
  });
});

describe('Active and Archive', () => {
  it('schedule a job at once, without asking, and show a refusal in the bar', async () => {
    const backend = new FakeBackend({ rows: 300 });
    backend.failNext('schedule_job', { code: 'not_found', message: 'no profile with id x', fields: [] });
    const { root } = await mountTable(backend);
    checkboxOf(root, 7).click();

    query<HTMLButtonElement>(root, '#bulk-archive').click();
    const error = await waitFor(() => {
      const node = query(root, '#bulk-error');
      return !node.hidden && node;
    });
    expect(error.textContent).toBe('No profile with id x');
    // The selection stays, to try again.
    expect(selectedCount(root)).toBe('1 selected');

    query<HTMLButtonElement>(root, '#bulk-archive').click();
    await waitFor(() => query(root, '#bulk-bar').hidden);
    expect(backend.callsOf('schedule_job').map((c) => c.args).at(-1)).toEqual({
      action: 'archive',
      selection: { kind: 'ids', ids: [fakeId(7)] },
    });
  });
});

describe('Add to segment and Remove from segment', () => {
  it('adds the selected customers to an existing segment, and takes hand-picked ones out in its view', async () => {
    const backend = new FakeBackend({ rows: 300 });
    const vip = backend.seedSegment({ name: 'VIP', description: '', rules: [] }, [fakeId(1)]);
    backend.seedSegment({ name: 'Newcomers', description: '', rules: [] });
    const { root } = await mountTable(backend);
    checkboxOf(root, 3).click();
    checkboxOf(root, 4).click();
    // Not filtered by a segment: nothing to take out of.
    expect(query<HTMLButtonElement>(root, '#bulk-remove-from-segment').hidden).toBe(true);

    query<HTMLButtonElement>(root, '#bulk-add-to-segment').click();
    expect(query(root, '#bulk-add-to-segment').textContent).toBe('Add to segment');
    expect(isOpen(root, '#bulk-add-dialog')).toBe(true);
    const select = query<HTMLSelectElement>(root, '#bulk-add-segment');
    await waitFor(() => select.options.length === 2);
    expect([...select.options].map((o) => o.textContent)).toEqual(['Newcomers', 'VIP']);
    expect(query(root, '#bulk-add-count').textContent).toBe('The 2 customers selected join the segment you pick.');
    choose(select, vip.id);
    query<HTMLButtonElement>(root, '#bulk-add-confirm').click();
    await waitFor(() => !isOpen(root, '#bulk-add-dialog'));
    expect(backend.callsOf('add_to_segment').map((c) => c.args)).toEqual([
      { id: vip.id, selection: { kind: 'ids', ids: [fakeId(3), fakeId(4)] } },
    ]);
    expect(query(root, '#bulk-bar').hidden).toBe(true);

    // The segment's own view: three members, two of them taken out by hand.
    choose(query<HTMLSelectElement>(root, '#segment-filter'), vip.id);
    await waitFor(() => query(root, '#count').textContent === '3 users');
    checkboxOf(root, 1).click();
    checkboxOf(root, 3).click();
    const removeButton = query<HTMLButtonElement>(root, '#bulk-remove-from-segment');
    expect(removeButton.hidden).toBe(false);
    expect(removeButton.textContent).toBe('Remove from segment');
    removeButton.click();
    await waitFor(() => query(root, '#count').textContent === '1 user');
    expect(backend.callsOf('remove_from_segment').map((c) => c.args)).toEqual([
      { id: vip.id, selection: { kind: 'ids', ids: [fakeId(1), fakeId(3)] } },
    ]);
  });

  it('shows why a member by the rules cannot be taken out, and changes nothing', async () => {
    const backend = new FakeBackend({ rows: 300 });
    const ruled = backend.seedSegment({ name: 'Active ones', description: '', rules: [{ rule: 'status', status: 'active' }] });
    const { root } = await mountTable(backend);
    choose(query<HTMLSelectElement>(root, '#segment-filter'), ruled.id);
    await waitFor(() => backend.callsOf('count_profiles').some((c) => (c.args['filter'] as { segment?: string }).segment === ruled.id));
    await waitFor(() => visibleRows(root).length > 0);
    checkboxOf(root, 0).click();
    query<HTMLButtonElement>(root, '#bulk-remove-from-segment').click();
    await waitFor(() => !query(root, '#bulk-error').hidden);
    expect(query(root, '#bulk-error').textContent).toContain('was not added to "Active ones" by hand');
    expect(query(root, '#bulk-bar').hidden).toBe(false);
  });
});
