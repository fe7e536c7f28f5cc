// The bar over the All users table while customers are checked: how many, "Select all N
// matching", Clear selection, and the platform's four bulk actions. Create segment asks for a name
// and a description; Add to segment for an existing segment; while the table shows one segment,
// Remove from segment takes the checked hand-picked members out of it; Active and Archive are scheduled at once as jobs that take effect after the
// delay set in Settings (they can be cancelled from the jobs panel until then); Delete asks first,
// then moves the customers to the Trash (Restore there, or Undo, brings them back).
// What an action applies to is taken when its button is clicked, so a dialog acts on exactly the
// customers its question counted.

import { refusalText, type Backend } from './api';
import type { JobAction } from './bindings/JobAction';
import type { JobView } from './bindings/JobView';
import type { ProfileFilter } from './bindings/ProfileFilter';
import type { SegmentView } from './bindings/SegmentView';
import type { Selection } from './bindings/Selection';
import { el, setText } from './dom';
import { TRASH_DAYS, formatCustomerCount, formatNumber } from './format';
import { createModal } from './modal';
import type { RowSelection } from './selection';

export interface BulkBarOptions {
  readonly backend: Backend;
  readonly selection: RowSelection;
  /** The filter the table shows, for "Select all N matching". */
  readonly filter: () => ProfileFilter;
  /** Unchecks every row (after an action, the selection has served). */
  readonly clearSelection: () => void;
  /** Active or Archive was scheduled. */
  readonly onScheduled: (job: JobView) => void;
  /** The customers `selection` held were deleted (moved to the Trash). */
  readonly onDeleted: (selection: Selection) => void;
  readonly onSegmentCreated: (segment: SegmentView) => void;
  /** Customers were added to a segment, or taken out of it: its members changed. */
  readonly onSegmentMembersChanged: (segment: SegmentView) => void;
}

export interface BulkBar {
  readonly element: HTMLElement;
  /** The dialogs of Create segment and Delete; put them anywhere in the app. */
  readonly dialogs: readonly HTMLElement[];
  /** The selection changed: the count and the buttons follow. */
  update(): void;
  /** How many customers match the filter (`undefined` while a new count is on its way). */
  setMatching(count: number | undefined): void;
  /** Closes an open dialog without acting. */
  closeDialogs(): void;
}

/** Delete's question: the customers go to the Trash, where Restore (or Undo) brings them back. */
export function deleteQuestion(count: number): string {
  return `Move ${formatCustomerCount(count)} to the Trash? They stay there ${TRASH_DAYS} days: Restore brings them back, Undo too.`;
}

/** A selection taken when an action's button was clicked, and how many it held. */
interface Taken {
  readonly selection: Selection;
  readonly count: number;
}

export function createBulkBar(options: BulkBarOptions): BulkBar {
  const { backend, selection } = options;

  const count = el('span', { id: 'selection-count', class: 'selection-count', 'aria-live': 'polite' });
  const scope = el('span', { id: 'selection-scope', class: 'selection-scope', hidden: true }, 'every user matching the filters');
  const selectMatching = el('button', { type: 'button', id: 'select-all-matching', class: 'link-button', hidden: true });
  const clearButton = el('button', { type: 'button', id: 'clear-selection', class: 'link-button' }, 'Clear selection');
  const createSegment = el('button', { type: 'button', id: 'bulk-create-segment', class: 'button-secondary' }, 'Create segment');
  const addToSegment = el('button', { type: 'button', id: 'bulk-add-to-segment', class: 'button-secondary' }, 'Add to segment');
  // Only while the table shows one segment: its hand-picked members can be taken out.
  const removeFromSegment = el(
    'button',
    { type: 'button', id: 'bulk-remove-from-segment', class: 'button-secondary', hidden: true },
    'Remove from segment',
  );
  const activate = el(
    'button',
    { type: 'button', id: 'bulk-active', class: 'button-secondary', title: 'Activate the selected customers after the delay set in Settings' },
    'Active',
  );
  const archive = el(
    'button',
    { type: 'button', id: 'bulk-archive', class: 'button-secondary', title: 'Archive the selected customers after the delay set in Settings' },
    'Archive',
  );
  const remove = el('button', { type: 'button', id: 'bulk-delete', class: 'button-secondary bulk-delete' }, 'Delete');
  const error = el('p', { id: 'bulk-error', class: 'bulk-error', role: 'alert', hidden: true });
  const actions = [createSegment, addToSegment, removeFromSegment, activate, archive, remove];
  const element = el(
    'div',
    { id: 'bulk-bar', class: 'bulk-bar', role: 'toolbar', 'aria-label': 'Bulk actions', hidden: true },
    el('div', { class: 'bulk-line' }, count, scope, selectMatching, clearButton, el('span', { class: 'toolbar-spacer' }), ...actions),
    error,
  );

  let matching: number | undefined;
  let busy = false;

  function update(): void {
    element.hidden = selection.isEmpty;
    setText(count, `${formatNumber(selection.size)} selected`);
    scope.hidden = !selection.isAllMatching;
    const offer = !selection.isEmpty && !selection.isAllMatching && matching !== undefined && matching > selection.size;
    selectMatching.hidden = !offer;
    if (matching !== undefined) setText(selectMatching, `Select all ${formatNumber(matching)} matching`);
    if (selection.isEmpty) error.hidden = true;
    removeFromSegment.hidden = options.filter().segment === undefined;
  }

  function take(): Taken | undefined {
    const taken = selection.toSelection();
    return taken === undefined ? undefined : { selection: taken, count: selection.size };
  }

  function setBusy(on: boolean): void {
    busy = on;
    for (const button of actions) button.disabled = on;
    element.setAttribute('aria-busy', String(on));
  }

  function showError(failure: unknown): void {
    error.hidden = false;
    setText(error, refusalText(failure));
  }

  selectMatching.addEventListener('click', () => {
    if (matching === undefined) return;
    selection.selectAllMatching(options.filter(), matching);
    clearButton.focus();
  });
  clearButton.addEventListener('click', () => options.clearSelection());

  // ---- Active and Archive: scheduled at once, cancelled from the jobs panel ----

  async function schedule(action: JobAction): Promise<void> {
    const taken = take();
    if (taken === undefined || busy) return;
    setBusy(true);
    error.hidden = true;
    try {
      const job = await backend.scheduleJob(action, taken.selection);
      setBusy(false);
      options.clearSelection();
      options.onScheduled(job);
    } catch (failure) {
      setBusy(false);
      showError(failure);
    }
  }
  activate.addEventListener('click', () => void schedule('activate'));
  archive.addEventListener('click', () => void schedule('archive'));

  // ---- Create segment: its members are the selected customers ----

  const segmentCount = el('p', { id: 'bulk-segment-count', class: 'dialog-hint' });
  const nameInput = el('input', { id: 'bulk-segment-name', name: 'name', type: 'text', autocomplete: 'off', maxlength: 500 });
  const descriptionInput = el('textarea', { id: 'bulk-segment-description', name: 'description', class: 'dialog-textarea', rows: 2 });
  const segmentError = el('p', { id: 'bulk-segment-error', class: 'dialog-error', role: 'alert', hidden: true });
  const segmentConfirm = el('button', { type: 'button', id: 'bulk-segment-confirm', class: 'button-primary' }, 'Confirm');
  const segmentCancel = el('button', { type: 'button', id: 'bulk-segment-cancel', class: 'button-secondary' }, 'Cancel');
  const segmentForm = createModal(
    { id: 'bulk-segment-dialog', labelledBy: 'bulk-segment-title', onDismiss: () => closeSegmentForm() },
    el('h2', { id: 'bulk-segment-title', class: 'dialog-title' }, 'Create segment'),
    el(
      'div',
      { class: 'dialog-form' },
      segmentCount,
      el('label', { class: 'dialog-field' }, el('span', { class: 'dialog-label' }, 'Enter segment name'), nameInput),
      el('label', { class: 'dialog-field' }, el('span', { class: 'dialog-label' }, 'Segment description'), descriptionInput),
    ),
    segmentError,
    el('div', { class: 'dialog-actions' }, segmentCancel, segmentConfirm),
  );
  let segmentFor: Taken | undefined;
  let segmentBusy = false;

  function setSegmentBusy(on: boolean): void {
    segmentBusy = on;
    segmentConfirm.disabled = on;
    segmentCancel.disabled = on;
    segmentForm.dialog.setAttribute('aria-busy', String(on));
  }

  function closeSegmentForm(): void {
    if (segmentBusy) return;
    segmentFor = undefined;
    segmentForm.close();
  }

  createSegment.addEventListener('click', () => {
    const taken = take();
    if (taken === undefined || busy) return;
    segmentFor = taken;
    nameInput.value = '';
    descriptionInput.value = '';
    segmentError.hidden = true;
    setText(segmentCount, `The ${formatCustomerCount(taken.count)} selected become its members.`);
    setSegmentBusy(false);
    segmentForm.open(createSegment, nameInput);
  });

  async function confirmSegment(): Promise<void> {
    const taken = segmentFor;
    if (taken === undefined || segmentBusy) return;
    setSegmentBusy(true);
    segmentError.hidden = true;
    try {
      const segment = await backend.createSegmentFrom(
        { name: nameInput.value, description: descriptionInput.value, rules: [] },
        taken.selection,
      );
      setSegmentBusy(false);
      closeSegmentForm();
      options.clearSelection();
      options.onSegmentCreated(segment);
    } catch (failure) {
      setSegmentBusy(false);
      segmentError.hidden = false;
      setText(segmentError, refusalText(failure));
      nameInput.focus();
    }
  }
  segmentConfirm.addEventListener('click', () => void confirmSegment());
  segmentCancel.addEventListener('click', () => closeSegmentForm());
  nameInput.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      void confirmSegment();
    }
  });

  // ---- Add to segment: the selected customers join an existing segment ----

  const addCount = el('p', { id: 'bulk-add-count', class: 'dialog-hint' });
  const segmentSelect = el('select', { id: 'bulk-add-segment', name: 'segment' });
  const addError = el('p', { id: 'bulk-add-error', class: 'dialog-error', role: 'alert', hidden: true });
  const addConfirm = el('button', { type: 'button', id: 'bulk-add-confirm', class: 'button-primary' }, 'Confirm');
  const addCancel = el('button', { type: 'button', id: 'bulk-add-cancel', class: 'button-secondary' }, 'Cancel');
  const addForm = createModal(
    { id: 'bulk-add-dialog', labelledBy: 'bulk-add-title', onDismiss: () => closeAddForm() },
    el('h2', { id: 'bulk-add-title', class: 'dialog-title' }, 'Add to segment'),
    el(
      'div',
      { class: 'dialog-form' },
      addCount,
      el('label', { class: 'dialog-field' }, el('span', { class: 'dialog-label' }, 'Segment'), el('span', { class: 'dialog-select' }, segmentSelect)),
    ),
    addError,
    el('div', { class: 'dialog-actions' }, addCancel, addConfirm),
  );
  let addFor: Taken | undefined;
  let addBusy = false;

  function setAddBusy(on: boolean): void {
    addBusy = on;
    addConfirm.disabled = on || segmentSelect.options.length === 0;
    addCancel.disabled = on;
    addForm.dialog.setAttribute('aria-busy', String(on));
  }

  function closeAddForm(): void {
    if (addBusy) return;
    addFor = undefined;
    addForm.close();
  }

  addToSegment.addEventListener('click', () => {
    const taken = take();
    if (taken === undefined || busy) return;
    addFor = taken;
    addError.hidden = true;
    setText(addCount, `The ${formatCustomerCount(taken.count)} selected join the segment you pick.`);
    segmentSelect.replaceChildren();
    setAddBusy(true);
    addForm.open(addToSegment, segmentSelect);
    void backend.segments('').then(
      (segments) => {
        if (addFor !== taken) return;
        segmentSelect.replaceChildren(...segments.map((s) => el('option', { value: s.id }, s.name)));
        setAddBusy(false);
        if (segments.length === 0) {
          addError.hidden = false;
          setText(addError, 'There is no segment yet: Create segment makes one of the selected customers.');
        }
        segmentSelect.focus();
      },
      (failure: unknown) => {
        setAddBusy(false);
        addError.hidden = false;
        setText(addError, refusalText(failure));
      },
    );
  });

  async function confirmAdd(): Promise<void> {
    const taken = addFor;
    const chosen = segmentSelect.value;
    if (taken === undefined || addBusy || chosen === '') return;
    setAddBusy(true);
    addError.hidden = true;
    try {
      const segment = await backend.addToSegment(chosen as SegmentView['id'], taken.selection);
      setAddBusy(false);
      closeAddForm();
      options.clearSelection();
      options.onSegmentMembersChanged(segment);
    } catch (failure) {
      setAddBusy(false);
      addError.hidden = false;
      setText(addError, refusalText(failure));
    }
  }
  addConfirm.addEventListener('click', () => void confirmAdd());
  addCancel.addEventListener('click', () => closeAddForm());

  // ---- Remove from segment: the segment the table shows loses the selected hand-picked members ----

  removeFromSegment.addEventListener('click', () => {
    void (async () => {
      const taken = take();
      const segment = options.filter().segment;
      if (taken === undefined || busy || segment === undefined) return;
      setBusy(true);
      error.hidden = true;
      try {
        const changed = await backend.removeFromSegment(segment, taken.selection);
        setBusy(false);
        options.clearSelection();
        options.onSegmentMembersChanged(changed);
      } catch (failure) {
        setBusy(false);
        showError(failure);
      }
    })();
  });

  // ---- Delete, once confirmed ----

  const question = el('p', { id: 'bulk-delete-question', class: 'dialog-text' });
  const deleteError = el('p', { id: 'bulk-delete-error', class: 'dialog-error', role: 'alert', hidden: true });
  const deleteConfirm = el('button', { type: 'button', id: 'bulk-delete-confirm', class: 'button-danger' }, 'Delete');
  const deleteCancel = el('button', { type: 'button', id: 'bulk-delete-cancel', class: 'button-secondary' }, 'Cancel');
  const deleteDialog = createModal(
    { id: 'bulk-delete-dialog', labelledBy: 'bulk-delete-question', role: 'alertdialog', closeOnBackdrop: true, onDismiss: () => closeDelete() },
    question,
    deleteError,
    el('div', { class: 'dialog-actions' }, deleteCancel, deleteConfirm),
  );
  let deleteFor: Taken | undefined;
  let deleteBusy = false;

  function closeDelete(): void {
    if (deleteBusy) return;
    deleteFor = undefined;
    deleteDialog.close();
  }

  remove.addEventListener('click', () => {
    const taken = take();
    if (taken === undefined || busy) return;
    deleteFor = taken;
    setText(question, deleteQuestion(taken.count));
    deleteError.hidden = true;
    deleteConfirm.disabled = false;
    deleteCancel.disabled = false;
    // The safe choice has the focus.
    deleteDialog.open(remove, deleteCancel);
  });

  deleteConfirm.addEventListener('click', () => {
    void (async () => {
      const taken = deleteFor;
      if (taken === undefined || deleteBusy) return;
      deleteBusy = true;
      deleteConfirm.disabled = true;
      deleteCancel.disabled = true;
      try {
        await backend.deleteProfiles(taken.selection);
        deleteBusy = false;
        closeDelete();
        options.clearSelection();
        options.onDeleted(taken.selection);
      } catch (failure) {
        deleteBusy = false;
        deleteConfirm.disabled = false;
        deleteCancel.disabled = false;
        deleteError.hidden = false;
        setText(deleteError, refusalText(failure));
      }
    })();
  });
  deleteCancel.addEventListener('click', () => closeDelete());

  update();

  return {
    element,
    dialogs: [segmentForm.element, addForm.element, deleteDialog.element],
    update,
    setMatching(next) {
      matching = next;
      if (next !== undefined) selection.setMatchingCount(next);
      update();
    },
    closeDialogs() {
      segmentBusy = false;
      addBusy = false;
      deleteBusy = false;
      closeSegmentForm();
      closeAddForm();
      closeDelete();
    },
  };
}
