// The Details window's History: every change to the customer, the latest first, each with what
// was done, who did it and when (or "Waiting to sync" for this manager's edits not yet on the
// server), and each field it changed as "FIELD: before → after". A change the core can undo by a
// new edit (a user-details field, the status) has "Put back", which sets the value before again;
// the view's note (not signed in, offline) shows above the rows.

import { refusalText, type Backend } from './api';
import type { HistoryChange } from './bindings/HistoryChange';
import type { HistoryRow } from './bindings/HistoryRow';
import type { HistoryView } from './bindings/HistoryView';
import type { ProfileDetails } from './bindings/ProfileDetails';
import type { ProfileId } from './bindings/ProfileId';
import type { PutBack } from './bindings/PutBack';
import { clear, el, setText } from './dom';
import { latestOnly } from './latest';

export interface HistoryOptions {
  readonly backend: Backend;
  /** Put back saved a value: `details` is the customer as the core now has it. */
  readonly onPutBack: (details: ProfileDetails, putBack: PutBack) => void;
  /** The History could not be read. */
  readonly onError: (error: unknown) => void;
}

export interface HistorySection {
  readonly element: HTMLElement;
  /** Shows the History of this customer (read again when it is the one shown). */
  load(profileId: ProfileId): Promise<void>;
  /** Empties the section while another customer loads. */
  reset(): void;
  /** Scrolls the section into view and moves the focus to its title. */
  reveal(): void;
}

/** A value as History shows it: an empty one as a dash. */
function shown(value: string): string {
  return value === '' ? '—' : value;
}

/** The accessible name of a change's Put back, telling the buttons of a History apart. */
export function putBackLabel(change: HistoryChange): string {
  return `Put back ${change.field} ${shown(change.before)}`;
}

export function createHistorySection(options: HistoryOptions): HistorySection {
  const { backend } = options;
  const title = el('h3', { id: 'history-title', class: 'section-title', tabindex: -1 }, 'History');
  const note = el('p', { id: 'history-note', class: 'zone-hint history-note', hidden: true });
  const refusal = el('p', { id: 'history-error', class: 'field-error', role: 'alert', hidden: true });
  const empty = el('p', { id: 'history-empty', class: 'muted', hidden: true }, 'No changes yet.');
  const list = el('ol', { id: 'history', class: 'record-list history-list', 'aria-labelledby': 'history-title' });
  const element = el(
    'section',
    { id: 'details-history', class: 'details-section', 'data-section': 'history', 'aria-labelledby': 'history-title' },
    title,
    note,
    refusal,
    empty,
    list,
  );

  let profileId: ProfileId | undefined;
  const reads = latestOnly();
  let busy = false;

  function showRefusal(text: string | undefined): void {
    refusal.hidden = text === undefined;
    setText(refusal, text ?? '');
  }

  function render(view: HistoryView | undefined): void {
    clear(list);
    note.hidden = view?.note === undefined;
    setText(note, view?.note ?? '');
    empty.hidden = view === undefined || view.rows.length > 0;
    list.hidden = view === undefined || view.rows.length === 0;
    for (const row of view?.rows ?? []) list.append(rowItem(row));
  }

  function rowItem(row: HistoryRow): HTMLLIElement {
    const meta = el('span', { class: 'record-meta history-meta' }, el('span', { class: 'history-who' }, row.who), ' · ');
    if (row.pending) meta.append(el('span', { class: 'pending-mark history-pending' }, 'Waiting to sync'));
    else meta.append(el('span', { class: 'history-when' }, row.when));
    const changes = el('ul', { class: 'history-changes' });
    for (const change of row.changes) changes.append(changeItem(change));
    return el(
      'li',
      { class: 'record history-row', 'data-pending': String(row.pending) },
      el('span', { class: 'record-title history-action' }, row.action),
      meta,
      changes,
    );
  }

  function changeItem(change: HistoryChange): HTMLLIElement {
    const before = el('span', { class: 'history-before' }, shown(change.before));
    const after = el('span', { class: 'history-after' }, shown(change.after));
    before.classList.toggle('is-empty', change.before === '');
    after.classList.toggle('is-empty', change.after === '');
    const item = el(
      'li',
      { class: 'history-change', 'data-field': change.field },
      el('span', { class: 'history-text' }, el('span', { class: 'history-field' }, change.field), ': ', before, ' → ', after),
    );
    const putBack = change.putBack;
    if (putBack !== undefined) {
      const label = putBackLabel(change);
      const button = el('button', { type: 'button', class: 'link-button history-put-back', 'aria-label': label, title: label }, 'Put back');
      button.addEventListener('click', () => void runPutBack(putBack, button));
      item.append(button);
    }
    return item;
  }

  /** Sets the value before again, by a new edit; the History then shows it on top. */
  async function runPutBack(putBack: PutBack, button: HTMLButtonElement): Promise<void> {
    const id = profileId;
    if (id === undefined || busy) return;
    busy = true;
    button.disabled = true;
    showRefusal(undefined);
    try {
      const details = await backend.putBack(id, putBack);
      options.onPutBack(details, putBack);
      if (profileId !== id) return;
      await refresh(id);
      // The button went with the list read again: the focus stays in the section.
      if (!button.isConnected) title.focus();
    } catch (error) {
      if (profileId !== id) return;
      button.disabled = false;
      showRefusal(refusalText(error));
      button.focus();
    } finally {
      busy = false;
    }
  }

  async function refresh(id: ProfileId): Promise<void> {
    const ticket = reads.begin();
    element.setAttribute('aria-busy', 'true');
    try {
      const view = await backend.profileHistory(id);
      if (ticket.isCurrent() && profileId === id) render(view);
    } catch (error) {
      if (ticket.isCurrent()) options.onError(error);
    } finally {
      if (ticket.isCurrent()) element.removeAttribute('aria-busy');
    }
  }

  return {
    element,
    async load(id) {
      if (profileId !== id) {
        render(undefined);
        showRefusal(undefined);
      }
      profileId = id;
      await refresh(id);
    },
    reset() {
      profileId = undefined;
      reads.drop();
      busy = false;
      element.removeAttribute('aria-busy');
      render(undefined);
      showRefusal(undefined);
    },
    reveal() {
      element.scrollIntoView?.({ block: 'start' });
      title.focus();
    },
  };
}
