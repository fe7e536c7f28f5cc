import { describe, expect, it } from 'vitest';

import { FakeBackend, fakeId, usernameOf } from './testing/fakeBackend';
import { mount, press, query, settle, visibleRows, waitFor, type Mounted } from './testing/harness';
import { deleteForeverQuestion, emptyTrashQuestion } from './trash';

/** The clock of the deletes: Dec 1, 2026 10:50 in Berlin; 30 days later is Dec 31. */
const NOW = Date.parse('2026-12-01T09:50:00Z');

/** 300 customers, the last 30 archived (the table shows the 270 Active ones), in Berlin. */
function backendAt(now = NOW): FakeBackend {
  const backend = new FakeBackend({ rows: 300, timeZone: 'Europe/Berlin' });
  backend.now = () => now;
  return backend;
}

async function mountTable(backend = backendAt()): Promise<Mounted> {
  const mounted = mount(backend);
  await waitFor(() => visibleRows(mounted.root).length > 0);
  await waitFor(() => query(mounted.root, '#count').textContent === '270 users');
  return mounted;
}

function nameOf(backend: FakeBackend, index: number): string {
  return usernameOf(backend.profile(index));
}

/** A control shown (not inside anything hidden) whose visible words are `words`. */
function control(within: ParentNode, words: string): HTMLButtonElement {
  const found = [...within.querySelectorAll<HTMLButtonElement>('button')].filter(
    (b) => b.textContent?.trim() === words && b.closest('[hidden]') === null,
  );
  if (found.length !== 1) throw new Error(`${found.length} controls say ${words}`);
  return found[0] as HTMLButtonElement;
}

function trashEntry(root: HTMLElement): HTMLButtonElement {
  return query<HTMLButtonElement>(root, 'nav.side-nav #nav-trash');
}

/** The Trash's rows: username, email, deleted by, deleted, deleted forever on. */
function trashRows(root: HTMLElement): string[][] {
  return [...root.querySelectorAll<HTMLElement>('#trash-table tbody tr')].map((tr) =>
    [...tr.querySelectorAll('td')].slice(1).map((td) => td.textContent ?? ''),
  );
}

function trashCheck(root: HTMLElement, index: number): HTMLInputElement {
  return query<HTMLInputElement>(root, `#trash-table tr[data-id="${fakeId(index)}"] input[type=checkbox]`);
}

function isOpen(root: HTMLElement, dialog: string): boolean {
  return query(root, dialog).closest('.backdrop')?.hasAttribute('hidden') === false;
}

/** Ticks the table's rows of `indices` and deletes them, confirmed. */
async function deleteFromTable(root: HTMLElement, indices: readonly number[]): Promise<void> {
  for (const i of indices) query<HTMLInputElement>(root, `.row[data-id="${fakeId(i)}"] input.row-check`).click();
  query<HTMLButtonElement>(root, '#bulk-delete').click();
  query<HTMLButtonElement>(root, '#bulk-delete-confirm').click();
  await waitFor(() => indices.every((i) => root.querySelector(`.row[data-id="${fakeId(i)}"]`) === null));
}

async function openTrash(root: HTMLElement, rows: number): Promise<void> {
  trashEntry(root).click();
  await waitFor(() => !query(root, '#trash-view').hidden && trashRows(root).length === rows && !query(root, '#trash-table').hasAttribute('aria-busy'));
}

describe('the Trash', () => {
  it('lists the customers deleted from the table, and Restore and Delete forever empty it', async () => {
    const { root, backend } = await mountTable();
    expect(trashEntry(root).textContent).toBe('Trash');
    await deleteFromTable(root, [0, 1]);
    await waitFor(() => query(root, '#count').textContent === '268 users');
    await waitFor(() => trashEntry(root).textContent === 'Trash 2');

    // In place of the table: its heading, how long they stay, and both customers, by "you".
    await openTrash(root, 2);
    expect(query(root, '#users-panel').hidden).toBe(true);
    expect(trashEntry(root).getAttribute('aria-current')).toBe('page');
    expect(query(root, '#trash-view h2').textContent).toBe('Trash');
    expect(query(root, '#trash-hint').textContent).toContain('30 days, then they are deleted forever');
    const table = query(root, '[role=table][aria-label="Trash"]');
    expect([...table.querySelectorAll('th')].map((th) => th.textContent)).toEqual([
      '',
      'Username',
      'Email',
      'Deleted by',
      'Deleted',
      'Deleted forever on',
    ]);
    expect(trashRows(root)).toEqual([0, 1].map((i) => [nameOf(backend, i), backend.profile(i).email, 'you', 'Dec 1, 2026 10:50', 'Dec 31, 2026']));
    expect(query(root, '#trash-summary').textContent).toBe('2 customers in the Trash');
    // Nothing ticked: only Empty Trash acts.
    expect(control(root, 'Restore').disabled).toBe(true);
    expect(control(root, 'Delete forever').disabled).toBe(true);
    expect(control(root, 'Empty Trash').disabled).toBe(false);

    // Restore: the first goes back to the table.
    trashCheck(root, 0).click();
    expect(query(root, '#trash-summary').textContent).toBe('1 selected');
    expect(control(root, 'Restore').disabled).toBe(false);
    control(root, 'Restore').click();
    await waitFor(() => trashRows(root).length === 1);
    expect(backend.callsOf('restore_profiles').map((c) => c.args)).toEqual([{ selection: { kind: 'ids', ids: [fakeId(0)] } }]);
    expect(trashRows(root)[0]?.[0]).toBe(nameOf(backend, 1));
    await waitFor(() => trashEntry(root).textContent === 'Trash 1');
    expect(document.activeElement).toBe(query(root, '#trash-select-all'));

    // Delete forever: asked first, Cancel keeps them.
    trashCheck(root, 1).click();
    control(root, 'Delete forever').click();
    const dialog = query(root, '#trash-confirm-dialog');
    expect(isOpen(root, '#trash-confirm-dialog')).toBe(true);
    expect(dialog.getAttribute('role')).toBe('alertdialog');
    expect(query(dialog, '#trash-confirm-question').textContent).toBe('Delete 1 customer forever? This cannot be undone.');
    expect(document.activeElement).toBe(control(dialog, 'Cancel'));
    control(dialog, 'Cancel').click();
    expect(isOpen(root, '#trash-confirm-dialog')).toBe(false);
    expect(document.activeElement).toBe(query(root, '#trash-delete-forever'));
    expect(backend.callsOf('delete_forever')).toHaveLength(0);

    control(root, 'Delete forever').click();
    control(dialog, 'Delete forever').click();
    await waitFor(() => !query(root, '#trash-empty-message').hidden);
    expect(isOpen(root, '#trash-confirm-dialog')).toBe(false);
    expect(backend.callsOf('delete_forever').map((c) => c.args)).toEqual([{ selection: { kind: 'ids', ids: [fakeId(1)] } }]);
    expect(query(root, '#trash-empty-message').textContent).toBe('The Trash is empty.');
    expect(trashRows(root)).toEqual([]);
    expect(trashEntry(root).textContent).toBe('Trash');
    expect(control(root, 'Empty Trash').disabled).toBe(true);
    expect(document.activeElement).toBe(query(root, '#trash-title'));

    // Back to Users: the table again, with the one restored counted.
    control(root, 'Users').click();
    await waitFor(() => !query(root, '#users-panel').hidden);
    expect(query(root, '#trash-view').hidden).toBe(true);
    await waitFor(() => query(root, '#count').textContent === '269 users');
    await waitFor(() => root.querySelector(`.row[data-id="${fakeId(0)}"]`) !== null);
    expect(root.querySelector(`.row[data-id="${fakeId(1)}"]`)).toBeNull();
  });

  it('ticks every row shown at once, and deletes them forever together', async () => {
    const { root, backend } = await mountTable();
    await deleteFromTable(root, [3, 4]);
    await openTrash(root, 2);
    const all = query<HTMLInputElement>(root, '#trash-select-all');
    all.click();
    expect(trashCheck(root, 3).checked && trashCheck(root, 4).checked).toBe(true);
    trashCheck(root, 4).click();
    expect(all.indeterminate).toBe(true);
    // Enter ticks a checkbox, as Space does.
    press(trashCheck(root, 4), 'Enter');
    expect(trashCheck(root, 4).checked).toBe(true);
    expect(all.checked).toBe(true);

    control(root, 'Delete forever').click();
    expect(query(root, '#trash-confirm-question').textContent).toBe('Delete 2 customers forever? This cannot be undone.');
    control(query(root, '#trash-confirm-dialog'), 'Delete forever').click();
    await waitFor(() => trashRows(root).length === 0);
    expect(backend.callsOf('delete_forever').map((c) => c.args)).toEqual([{ selection: { kind: 'ids', ids: [fakeId(3), fakeId(4)] } }]);
  });

  it('empties the Trash, colleagues\' deletes too, once confirmed', async () => {
    const backend = backendAt();
    backend.seedTrashed(10, 'grace@example.com', NOW - 3_600_000);
    backend.seedTrashed(11, '', NOW);
    backend.seedTrashed(12, 'linus@example.com', NOW - 86_400_000 * 29);
    const { root } = mount(backend);
    await waitFor(() => trashEntry(root).textContent === 'Trash 3');
    await openTrash(root, 3);
    // The latest deleted first.
    expect(trashRows(root).map((r) => [r[2], r[3], r[4]])).toEqual([
      ['you', 'Dec 1, 2026 10:50', 'Dec 31, 2026'],
      ['grace@example.com', 'Dec 1, 2026 09:50', 'Dec 31, 2026'],
      ['linus@example.com', 'Nov 2, 2026 10:50', 'Dec 2, 2026'],
    ]);

    control(root, 'Empty Trash').click();
    expect(query(root, '#trash-confirm-question').textContent).toBe('Delete all 3 customers in the Trash forever? This cannot be undone.');
    // Escape keeps them, as Cancel does.
    press(query(root, '#trash-confirm-dialog'), 'Escape');
    expect(isOpen(root, '#trash-confirm-dialog')).toBe(false);
    expect(document.activeElement).toBe(query(root, '#trash-empty'));

    control(root, 'Empty Trash').click();
    control(query(root, '#trash-confirm-dialog'), 'Delete forever').click();
    await waitFor(() => !query(root, '#trash-empty-message').hidden);
    expect(backend.callsOf('delete_forever').map((c) => c.args)).toEqual([{ selection: { kind: 'all' } }]);
    expect(trashEntry(root).textContent).toBe('Trash');
  });

  it('shows 100 rows at a time, and Show more brings the next', async () => {
    const backend = backendAt();
    for (let i = 0; i < 250; i += 1) backend.seedTrashed(i, '', NOW - i * 60_000);
    const { root } = mount(backend);
    await openTrash(root, 100);
    expect(query(root, '#trash-shown').textContent).toBe('Showing 100 of 250');
    control(root, 'Show more').click();
    await waitFor(() => trashRows(root).length === 200);
    control(root, 'Show more').click();
    await waitFor(() => trashRows(root).length === 250);
    expect(query(root, '#trash-more').closest('[hidden]')).not.toBeNull();
    expect(backend.callsOf('trash').slice(-3).map((c) => c.args)).toEqual([
      { query: { offset: 0, limit: 100 } },
      { query: { offset: 100, limit: 100 } },
      { query: { offset: 200, limit: 100 } },
    ]);
    // Every row shown, the first new one has the focus; a Restore reads all 249 left again.
    expect(document.activeElement).toBe(trashCheck(root, 200));
    trashCheck(root, 0).click();
    control(root, 'Restore').click();
    await waitFor(() => trashRows(root).length === 249);
    expect(backend.callsOf('trash').at(-1)?.args).toEqual({ query: { offset: 0, limit: 250 } });
  });

  it('says so when it is empty', async () => {
    const { root } = await mountTable();
    trashEntry(root).click();
    await waitFor(() => !query(root, '#trash-empty-message').hidden);
    expect(query(root, '#trash-empty-message').textContent).toBe('The Trash is empty.');
    expect(control(root, 'Restore').disabled).toBe(true);
    expect(control(root, 'Delete forever').disabled).toBe(true);
    expect(control(root, 'Empty Trash').disabled).toBe(true);
    expect(query<HTMLInputElement>(root, '#trash-select-all').disabled).toBe(true);
    expect(query(root, '#trash-more').closest('[hidden]')).not.toBeNull();
  });

  it('brings a deleted customer back with Undo, from the table or from the Trash', async () => {
    const { root, backend } = await mountTable();
    await deleteFromTable(root, [5]);
    await waitFor(() => query(root, '#undo-text').textContent === `Deleted ${nameOf(backend, 5)}`);
    query<HTMLButtonElement>(root, '#undo-button').click();
    await waitFor(() => query(root, '#undo-text').textContent === `Undone: Deleted ${nameOf(backend, 5)}.`);
    await waitFor(() => query(root, '#count').textContent === '270 users');
    await waitFor(() => root.querySelector(`.row[data-id="${fakeId(5)}"]`) !== null);
    await waitFor(() => trashEntry(root).textContent === 'Trash');
    expect(backend.isTrashed(5)).toBe(false);

    // In the Trash view, Ctrl+Z takes them out of it.
    await deleteFromTable(root, [6, 7]);
    await waitFor(() => query(root, '#undo-text').textContent === 'Deleted 2 customers');
    await openTrash(root, 2);
    press(document.body, 'z', { ctrlKey: true });
    await waitFor(() => trashRows(root).length === 0 && !query(root, '#trash-empty-message').hidden);
    expect(query(root, '#undo-text').textContent).toBe('Undone: Deleted 2 customers.');
    expect(trashEntry(root).textContent).toBe('Trash');
    control(root, 'Users').click();
    await waitFor(() => query(root, '#count').textContent === '270 users');
  });

  it('shows what the core refuses: a Restore in the banner, a Delete forever in its question', async () => {
    const { root, backend } = await mountTable();
    await deleteFromTable(root, [0, 1]);
    await openTrash(root, 2);

    // Restored meanwhile (by a colleague): the banner says so, and the Trash is read again.
    trashCheck(root, 0).click();
    backend.failNext('restore_profiles', {
      code: 'not_found',
      fields: [],
      message:
        'This customer is no longer in the Trash: deleted forever (by Delete forever, or 30 days after the delete), or restored already; nothing was changed',
    });
    const reads = backend.callsOf('trash').length;
    control(root, 'Restore').click();
    await waitFor(() => !query(root, '#error-banner').hidden);
    expect(query(root, '#error-banner').textContent).toContain('This customer is no longer in the Trash');
    await waitFor(() => backend.callsOf('trash').length > reads);
    expect(trashRows(root)).toHaveLength(2);

    // Delete forever refused: the question stays, with the reason under it.
    backend.failNext('delete_forever', { code: 'storage', fields: [], message: 'The database is locked' });
    control(root, 'Delete forever').click();
    control(query(root, '#trash-confirm-dialog'), 'Delete forever').click();
    const error = await waitFor(() => {
      const node = query(root, '#trash-confirm-error');
      return !node.hidden && node;
    });
    expect(error.textContent).toBe('The database is locked');
    expect(isOpen(root, '#trash-confirm-dialog')).toBe(true);
    expect(trashRows(root)).toHaveLength(2);

    // A read of the Trash refused: in the banner too.
    control(query(root, '#trash-confirm-dialog'), 'Cancel').click();
    control(root, 'Users').click();
    await settle();
    backend.failNext('trash', { code: 'storage', fields: [], message: 'The disk is full' });
    trashEntry(root).click();
    await waitFor(() => query(root, '#error-banner').textContent?.includes('The disk is full') === true);
  });

  it('asks in words that count the customers', () => {
    expect(deleteForeverQuestion(1)).toBe('Delete 1 customer forever? This cannot be undone.');
    expect(deleteForeverQuestion(1204)).toBe('Delete 1,204 customers forever? This cannot be undone.');
    expect(emptyTrashQuestion(1)).toBe('Delete the 1 customer in the Trash forever? This cannot be undone.');
    expect(emptyTrashQuestion(2)).toBe('Delete all 2 customers in the Trash forever? This cannot be undone.');
  });
});
