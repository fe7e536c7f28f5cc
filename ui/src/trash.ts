// The Trash: the customers Delete moved there, the latest deleted first, with who deleted them,
// when, and the day they are deleted forever (30 days after the delete). Restore brings the ticked
// ones back to the table as they now are; Delete forever (the ticked ones) and Empty Trash (all of
// them) delete them for good, once confirmed. Pages of 100 rows, "Show more" for the next.

import { isApiError, refusalText, type Backend } from './api';
import type { ProfileId } from './bindings/ProfileId';
import type { TrashRow } from './bindings/TrashRow';
import type { TrashSelection } from './bindings/TrashSelection';
import { clear, el, setText } from './dom';
import { TRASH_DAYS, formatCustomerCount, formatNumber } from './format';
import { latestOnly } from './latest';
import { createModal } from './modal';

/** How many rows a page of the Trash brings. */
export const TRASH_PAGE_SIZE = 100;
/** The most rows one read of the Trash may ask for (the core's MAX_TRASH_PAGE). */
const MAX_TRASH_PAGE = 1000;

export interface TrashOptions {
  readonly backend: Backend;
  /** Customers went back to the table: its rows and count are out of date. */
  readonly onRestored: (count: number) => void;
  /** Customers of the Trash were deleted for good. */
  readonly onDeletedForever: (count: number) => void;
  /** How many customers the Trash holds, each time the view reads it. */
  readonly onTotal: (total: number) => void;
  /** A read or a Restore refused (a confirmed Delete forever shows its refusal in its dialog). */
  readonly onError: (error: unknown) => void;
}

export interface TrashPanel {
  readonly element: HTMLElement;
  /** Shows the Trash from its first page, nothing ticked. */
  open(): Promise<void>;
  /** Reads the Trash again, keeping as many rows shown (and ticked) as before. */
  load(): Promise<void>;
  /** Closes the confirmation without acting. */
  closeDialogs(): void;
}

/** Delete forever's question for the ticked customers. */
export function deleteForeverQuestion(count: number): string {
  return `Delete ${formatCustomerCount(count)} forever? This cannot be undone.`;
}

/** Empty Trash's question, for everyone in it. */
export function emptyTrashQuestion(total: number): string {
  const who = total === 1 ? 'the 1 customer' : `all ${formatCustomerCount(total)}`;
  return `Delete ${who} in the Trash forever? This cannot be undone.`;
}

/** What the confirmation acts on once confirmed. */
interface Pending {
  readonly selection: TrashSelection;
  readonly count: number;
}

export function createTrashPanel(options: TrashOptions): TrashPanel {
  const { backend } = options;

  // ---- The view ----

  const heading = el('h2', { id: 'trash-title', class: 'trash-title', tabindex: -1 }, 'Trash');
  const hint = el(
    'p',
    { id: 'trash-hint', class: 'trash-hint' },
    `Deleted customers stay in the Trash ${TRASH_DAYS} days, then they are deleted forever. Restore brings them back.`,
  );
  const summary = el('span', { id: 'trash-summary', class: 'trash-summary', 'aria-live': 'polite' });
  const restore = el(
    'button',
    { type: 'button', id: 'trash-restore', class: 'button-secondary', title: 'Put the ticked customers back in the table', disabled: true },
    'Restore',
  );
  const deleteForever = el(
    'button',
    { type: 'button', id: 'trash-delete-forever', class: 'button-secondary trash-danger', title: 'Delete the ticked customers for good', disabled: true },
    'Delete forever',
  );
  const emptyTrash = el(
    'button',
    { type: 'button', id: 'trash-empty', class: 'button-secondary trash-danger', title: 'Delete everyone in the Trash for good', disabled: true },
    'Empty Trash',
  );

  const selectAll = el('input', { type: 'checkbox', id: 'trash-select-all', class: 'head-check', 'aria-label': 'Select all customers shown', disabled: true });
  const column = (name: string, label: string): HTMLTableCellElement =>
    el('th', { scope: 'col', class: `cell-${name}` }, el('span', { class: 'head-label' }, label));
  const headRow = el(
    'tr',
    {},
    el('th', { scope: 'col', class: 'cell-select' }, selectAll),
    column('username', 'Username'),
    column('email', 'Email'),
    column('deleted-by', 'Deleted by'),
    column('deleted', 'Deleted'),
    column('purge-on', 'Deleted forever on'),
  );
  const body = el('tbody', {});
  const table = el('table', { id: 'trash-table', class: 'list-table trash-table', role: 'table', 'aria-label': 'Trash' }, el('thead', {}, headRow), body);
  const empty = el('p', { id: 'trash-empty-message', class: 'list-empty', hidden: true }, 'The Trash is empty.');
  const shown = el('span', { id: 'trash-shown', class: 'trash-shown' });
  const more = el('button', { type: 'button', id: 'trash-more', class: 'button-secondary' }, 'Show more');
  const moreBar = el('div', { class: 'trash-more', hidden: true }, shown, more);
  const element = el(
    'section',
    { id: 'trash-view', class: 'list-panel trash-panel', 'aria-labelledby': 'trash-title', hidden: true },
    el('div', { class: 'trash-header' }, heading, hint),
    el('div', { class: 'list-toolbar' }, summary, restore, deleteForever, el('span', { class: 'toolbar-spacer' }), emptyTrash),
    el('div', { class: 'list-area' }, table, empty, moreBar),
  );

  /** The rows shown, in the Trash's order. */
  let rows: TrashRow[] = [];
  /** How many customers the Trash holds. */
  let total = 0;
  const ticked = new Set<ProfileId>();
  const reads = latestOnly();
  /** A Restore or a Delete forever is under way: the buttons wait for it. */
  let busy = false;

  function tickedIds(): ProfileId[] {
    return rows.filter((row) => ticked.has(row.id)).map((row) => row.id);
  }

  /** The buttons, the select-all checkbox and the summary, after the ticks or the rows changed. */
  function update(): void {
    const count = ticked.size;
    restore.disabled = busy || count === 0;
    deleteForever.disabled = busy || count === 0;
    emptyTrash.disabled = busy || total === 0;
    selectAll.disabled = rows.length === 0;
    selectAll.checked = rows.length > 0 && count === rows.length;
    selectAll.indeterminate = count > 0 && count < rows.length;
    setText(summary, count > 0 ? `${formatNumber(count)} selected` : total === 0 ? '' : `${formatCustomerCount(total)} in the Trash`);
    for (const tr of body.querySelectorAll<HTMLTableRowElement>('tr.trash-row')) {
      const id = tr.dataset['id'];
      const on = id !== undefined && ticked.has(id as ProfileId);
      tr.classList.toggle('is-checked', on);
      const check = tr.querySelector<HTMLInputElement>('input.trash-check');
      if (check !== null) check.checked = on;
    }
  }

  function rowElement(row: TrashRow): HTMLTableRowElement {
    const check = el('input', { type: 'checkbox', class: 'row-check trash-check', 'aria-label': `Select ${row.username}` });
    check.checked = ticked.has(row.id);
    check.addEventListener('change', () => {
      if (check.checked) ticked.add(row.id);
      else ticked.delete(row.id);
      update();
    });
    return el(
      'tr',
      { class: 'trash-row', 'data-id': row.id },
      el('td', { class: 'cell-select' }, check),
      el('td', { class: 'cell-username' }, row.username),
      el('td', { class: 'cell-email' }, row.email === '' ? el('span', { class: 'is-empty' }, '—') : row.email),
      el('td', { class: 'cell-deleted-by' }, row.deletedBy),
      el('td', { class: 'cell-deleted' }, row.deleted),
      el('td', { class: 'cell-purge-on' }, row.purgeOn),
    );
  }

  function render(): void {
    clear(body);
    for (const row of rows) body.append(rowElement(row));
    empty.hidden = rows.length > 0;
    moreBar.hidden = rows.length >= total;
    setText(shown, `Showing ${formatNumber(rows.length)} of ${formatNumber(total)}`);
    update();
  }

  /** Reads the first `limit` rows again; the ticks of rows no longer there go. */
  async function read(limit: number): Promise<void> {
    const ticket = reads.begin();
    table.setAttribute('aria-busy', 'true');
    try {
      const page = await backend.trash({ offset: 0, limit });
      if (!ticket.isCurrent()) return;
      rows = page.rows;
      total = page.total;
      const present = new Set(rows.map((row) => row.id));
      for (const id of [...ticked]) if (!present.has(id)) ticked.delete(id);
      render();
      options.onTotal(total);
    } catch (error) {
      if (ticket.isCurrent()) options.onError(error);
    } finally {
      if (ticket.isCurrent()) table.removeAttribute('aria-busy');
    }
  }

  function load(): Promise<void> {
    return read(Math.min(MAX_TRASH_PAGE, Math.max(TRASH_PAGE_SIZE, rows.length)));
  }

  function open(): Promise<void> {
    ticked.clear();
    return read(TRASH_PAGE_SIZE);
  }

  async function showMore(): Promise<void> {
    const ticket = reads.begin();
    more.disabled = true;
    table.setAttribute('aria-busy', 'true');
    try {
      const page = await backend.trash({ offset: rows.length, limit: TRASH_PAGE_SIZE });
      if (!ticket.isCurrent()) return;
      // A customer deleted meanwhile shifts the rows by one: none is shown twice.
      const known = new Set(rows.map((row) => row.id));
      const added = page.rows.filter((row) => !known.has(row.id));
      rows = [...rows, ...added];
      total = page.total;
      render();
      options.onTotal(total);
      // The button is gone once every row is shown: the first new row takes the focus.
      const first = added[0];
      if (moreBar.hidden && first !== undefined) checkOf(first.id)?.focus();
    } catch (error) {
      if (ticket.isCurrent()) options.onError(error);
    } finally {
      if (ticket.isCurrent()) table.removeAttribute('aria-busy');
      more.disabled = false;
    }
  }

  function checkOf(id: ProfileId): HTMLInputElement | undefined {
    const tr = [...body.querySelectorAll<HTMLTableRowElement>('tr.trash-row')].find((r) => r.dataset['id'] === id);
    return tr?.querySelector<HTMLInputElement>('input.trash-check') ?? undefined;
  }

  /** After an action, its button may be disabled: the focus goes where work goes on. */
  function focusAfterAction(): void {
    const active = document.activeElement;
    if (active instanceof HTMLElement && element.contains(active) && !(active as HTMLButtonElement).disabled) return;
    if (rows.length > 0) selectAll.focus();
    else heading.focus();
  }

  function setBusy(on: boolean): void {
    busy = on;
    element.setAttribute('aria-busy', String(on));
    update();
  }

  selectAll.addEventListener('change', () => {
    if (selectAll.checked) for (const row of rows) ticked.add(row.id);
    else ticked.clear();
    update();
  });
  // Enter ticks a checkbox too, as Space does.
  element.addEventListener('keydown', (event) => {
    const target = event.target;
    if (event.key !== 'Enter' || !(target instanceof HTMLInputElement) || target.type !== 'checkbox' || target.disabled) return;
    event.preventDefault();
    target.click();
  });
  more.addEventListener('click', () => void showMore());

  // ---- Restore: at once (Undo's opposite needs no question) ----

  restore.addEventListener('click', () => {
    void (async () => {
      const ids = tickedIds();
      if (ids.length === 0 || busy) return;
      setBusy(true);
      try {
        const count = await backend.restoreProfiles({ kind: 'ids', ids });
        for (const id of ids) ticked.delete(id);
        setBusy(false);
        options.onRestored(count);
        await load();
        focusAfterAction();
      } catch (error) {
        setBusy(false);
        options.onError(error);
        // No longer in the Trash (restored or deleted forever elsewhere): show it as it is.
        if (isApiError(error) && error.code === 'not_found') void load();
      }
    })();
  });

  // ---- Delete forever and Empty Trash, once confirmed ----

  const question = el('p', { id: 'trash-confirm-question', class: 'dialog-text' });
  const confirmError = el('p', { id: 'trash-confirm-error', class: 'dialog-error', role: 'alert', hidden: true });
  const confirmButton = el('button', { type: 'button', id: 'trash-confirm-delete', class: 'button-danger' }, 'Delete forever');
  const cancelButton = el('button', { type: 'button', id: 'trash-confirm-cancel', class: 'button-secondary' }, 'Cancel');
  const confirm = createModal(
    { id: 'trash-confirm-dialog', labelledBy: 'trash-confirm-question', role: 'alertdialog', closeOnBackdrop: true, onDismiss: () => closeConfirm() },
    question,
    confirmError,
    el('div', { class: 'dialog-actions' }, cancelButton, confirmButton),
  );
  let pending: Pending | undefined;
  let confirmBusy = false;

  function ask(next: Pending, text: string, trigger: HTMLElement): void {
    if (busy) return;
    pending = next;
    setText(question, text);
    confirmError.hidden = true;
    confirmButton.disabled = false;
    cancelButton.disabled = false;
    // The safe choice has the focus.
    confirm.open(trigger, cancelButton);
  }

  function closeConfirm(): void {
    if (confirmBusy) return;
    pending = undefined;
    confirm.close();
  }

  deleteForever.addEventListener('click', () => {
    const ids = tickedIds();
    if (ids.length === 0) return;
    ask({ selection: { kind: 'ids', ids }, count: ids.length }, deleteForeverQuestion(ids.length), deleteForever);
  });
  emptyTrash.addEventListener('click', () => {
    if (total === 0) return;
    ask({ selection: { kind: 'all' }, count: total }, emptyTrashQuestion(total), emptyTrash);
  });

  confirmButton.addEventListener('click', () => {
    void (async () => {
      const acting = pending;
      if (acting === undefined || confirmBusy) return;
      confirmBusy = true;
      confirmButton.disabled = true;
      cancelButton.disabled = true;
      setBusy(true);
      try {
        const count = await backend.deleteForever(acting.selection);
        confirmBusy = false;
        setBusy(false);
        if (acting.selection.kind === 'ids') for (const id of acting.selection.ids) ticked.delete(id);
        else ticked.clear();
        closeConfirm();
        options.onDeletedForever(count);
        await load();
        focusAfterAction();
      } catch (error) {
        confirmBusy = false;
        setBusy(false);
        confirmButton.disabled = false;
        cancelButton.disabled = false;
        confirmError.hidden = false;
        setText(confirmError, refusalText(error));
      }
    })();
  });
  cancelButton.addEventListener('click', () => closeConfirm());

  element.append(confirm.element);
  render();

  return {
    element,
    open,
    load,
    closeDialogs() {
      confirmBusy = false;
      closeConfirm();
    },
  };
}
