// The Properties tab: the workspace's property definitions (name, format, description), searched
// and sorted by the core; created, renamed, described and deleted here. A definition's format is
// fixed once it exists, since customers' values were checked against it.

import { refusalText, type Backend } from './api';
import type { PropertyDraft } from './bindings/PropertyDraft';
import type { PropertyFormat } from './bindings/PropertyFormat';
import type { PropertySort } from './bindings/PropertySort';
import type { PropertyView } from './bindings/PropertyView';
import type { SortDirection } from './bindings/SortDirection';
import { clear, el, setText } from './dom';
import { FORMAT_LABELS } from './format';
import { searchIcon } from './icons';
import { latestOnly } from './latest';
import { createModal } from './modal';
import { FORMATS, choicesOf } from './propertyValue';

export interface PropertiesOptions {
  readonly backend: Backend;
  /** A definition was created, changed or deleted. */
  readonly onChanged: () => void;
  /** An error loading the list (a refused form shows its reason in the form). */
  readonly onError: (error: unknown) => void;
}

export interface PropertiesPanel {
  readonly element: HTMLElement;
  /** Reads the list again, with the current search and sort. */
  load(): Promise<void>;
  /** Closes an open form or confirmation without saving. */
  closeDialogs(): void;
}

const SEARCH_DELAY_MS = 150;

const SORT_LABELS: Readonly<Record<PropertySort, string>> = { name: 'Name', format: 'Format' };

export function createPropertiesPanel(options: PropertiesOptions): PropertiesPanel {
  const { backend } = options;

  // ---- The list ----

  const search = el('input', {
    id: 'properties-search',
    type: 'search',
    placeholder: 'Search properties',
    'aria-label': 'Search properties by name',
    autocomplete: 'off',
    spellcheck: 'false',
  });
  const create = el('button', { type: 'button', id: 'property-create', class: 'button-primary' }, 'Create property');
  const sortHeaders = new Map<PropertySort, { header: HTMLElement; arrow: HTMLElement }>();
  const headRow = el('tr', {});
  for (const column of ['name', 'format'] as const) {
    const arrow = el('span', { class: 'sort-arrow', 'aria-hidden': 'true' });
    const button = el(
      'button',
      { type: 'button', class: 'sort', 'data-column': column },
      el('span', { class: 'sort-label' }, SORT_LABELS[column]),
      arrow,
    );
    button.addEventListener('click', () => sortBy(column));
    const header = el('th', { scope: 'col', class: `cell-${column}`, 'aria-sort': 'none' }, button);
    sortHeaders.set(column, { header, arrow });
    headRow.append(header);
  }
  headRow.append(
    el('th', { scope: 'col', class: 'cell-description' }, el('span', { class: 'head-label' }, 'Description')),
    el('th', { scope: 'col', class: 'cell-actions' }, el('span', { class: 'visually-hidden' }, 'Actions')),
  );
  const body = el('tbody', {});
  const table = el('table', { id: 'properties-table', class: 'list-table', 'aria-label': 'Properties' }, el('thead', {}, headRow), body);
  const empty = el('p', { id: 'properties-empty', class: 'list-empty', hidden: true });
  const element = el(
    'section',
    { id: 'properties-panel', class: 'list-panel', role: 'tabpanel', 'aria-labelledby': 'tab-properties', hidden: true },
    el('div', { class: 'list-toolbar' }, el('label', { class: 'search' }, searchIcon(), search), el('span', { class: 'toolbar-spacer' }), create),
    el('div', { class: 'list-area' }, table, empty),
  );

  let sort: PropertySort = 'name';
  let direction: SortDirection = 'asc';
  const reads = latestOnly();
  let searchTimer: ReturnType<typeof setTimeout> | undefined;

  function renderSort(): void {
    for (const [column, { header, arrow }] of sortHeaders) {
      const active = column === sort;
      header.setAttribute('aria-sort', active ? (direction === 'asc' ? 'ascending' : 'descending') : 'none');
      header.classList.toggle('is-sorted', active);
      setText(arrow, active ? (direction === 'asc' ? '▲' : '▼') : '');
    }
  }
  renderSort();

  function sortBy(column: PropertySort): void {
    direction = column === sort && direction === 'asc' ? 'desc' : 'asc';
    sort = column;
    renderSort();
    void load();
  }

  function render(list: readonly PropertyView[]): void {
    clear(body);
    for (const property of list) body.append(row(property));
    empty.hidden = list.length > 0;
    setText(empty, search.value.trim() === '' ? 'No properties yet: create one to keep more about your customers.' : 'No property matches this search.');
  }

  function row(property: PropertyView): HTMLTableRowElement {
    const edit = el('button', { type: 'button', class: 'button-secondary property-edit', 'aria-label': `Edit ${property.name}` }, 'Edit');
    const remove = el('button', { type: 'button', class: 'button-secondary property-delete', 'aria-label': `Delete ${property.name}` }, 'Delete');
    edit.addEventListener('click', () => openForm(property, edit));
    remove.addEventListener('click', () => askDelete(property, remove));
    const name = el('td', { class: 'cell-name' }, el('span', { class: 'property-name' }, property.name));
    if (property.pending) name.append(el('span', { class: 'pending-mark' }, 'Not synced yet'));
    const format = FORMAT_LABELS[property.format];
    return el(
      'tr',
      { class: 'property-row', 'data-property-id': property.id },
      name,
      el('td', { class: 'cell-format' }, property.format === 'choice' ? `${format} (${property.choices.length})` : format),
      el('td', { class: 'cell-description' }, property.description === '' ? el('span', { class: 'is-empty' }, '—') : property.description),
      el('td', { class: 'cell-actions' }, el('div', { class: 'row-actions' }, edit, remove)),
    );
  }

  async function load(): Promise<void> {
    const ticket = reads.begin();
    table.setAttribute('aria-busy', 'true');
    try {
      const list = await backend.properties(search.value.trim(), sort, direction);
      if (ticket.isCurrent()) render(list);
    } catch (error) {
      if (ticket.isCurrent()) options.onError(error);
    } finally {
      if (ticket.isCurrent()) table.removeAttribute('aria-busy');
    }
  }

  search.addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => void load(), SEARCH_DELAY_MS);
  });
  search.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      clearTimeout(searchTimer);
      void load();
    } else if (event.key === 'Escape' && search.value !== '') {
      event.preventDefault();
      search.value = '';
      clearTimeout(searchTimer);
      void load();
    }
  });

  // ---- The form: create, or rename and describe ----

  const title = el('h2', { id: 'property-dialog-title', class: 'dialog-title' });
  const nameInput = el('input', { id: 'property-name', name: 'name', type: 'text', autocomplete: 'off', maxlength: 500 });
  const descriptionInput = el('textarea', { id: 'property-description', name: 'description', class: 'dialog-textarea', rows: 2 });
  const formatSelect = el('select', { id: 'property-format', name: 'format' });
  for (const format of FORMATS) formatSelect.append(el('option', { value: format }, FORMAT_LABELS[format]));
  const formatHint = el('span', { class: 'dialog-hint', hidden: true }, 'A property keeps the format it was created with.');
  const choicesInput = el('textarea', { id: 'property-choices', name: 'choices', class: 'dialog-textarea', rows: 4 });
  const choicesField = el(
    'label',
    { class: 'dialog-field', hidden: true },
    el('span', { class: 'dialog-label' }, 'Choices'),
    choicesInput,
    el('span', { class: 'dialog-hint' }, 'One choice a line, in the order the menu offers them.'),
  );
  const formError = el('p', { id: 'property-error', class: 'dialog-error', role: 'alert', hidden: true });
  const save = el('button', { type: 'button', id: 'property-save', class: 'button-primary' }, 'Save');
  const cancel = el('button', { type: 'button', id: 'property-cancel', class: 'button-secondary' }, 'Cancel');
  const form = createModal(
    { id: 'property-dialog', labelledBy: 'property-dialog-title', onDismiss: () => closeForm() },
    title,
    el(
      'div',
      { class: 'dialog-form' },
      el('label', { class: 'dialog-field' }, el('span', { class: 'dialog-label' }, 'Name'), nameInput),
      el('label', { class: 'dialog-field' }, el('span', { class: 'dialog-label' }, 'Description'), descriptionInput),
      el('label', { class: 'dialog-field' }, el('span', { class: 'dialog-label' }, 'Format'), el('span', { class: 'dialog-select' }, formatSelect), formatHint),
      choicesField,
    ),
    formError,
    el('div', { class: 'dialog-actions' }, cancel, save),
  );

  let editing: PropertyView | undefined;
  let saving = false;

  function showFormError(text: string | undefined): void {
    formError.hidden = text === undefined;
    setText(formError, text ?? '');
  }

  function showChoices(): void {
    choicesField.hidden = formatSelect.value !== 'choice';
  }
  formatSelect.addEventListener('change', showChoices);

  function openForm(property: PropertyView | undefined, trigger: HTMLElement): void {
    editing = property;
    setText(title, property === undefined ? 'Create property' : `Edit property “${property.name}”`);
    nameInput.value = property?.name ?? '';
    descriptionInput.value = property?.description ?? '';
    formatSelect.value = property?.format ?? 'text';
    formatSelect.disabled = property !== undefined;
    formatHint.hidden = property === undefined;
    choicesInput.value = property?.choices.join('\n') ?? '';
    showChoices();
    showFormError(undefined);
    setSaving(false);
    form.open(trigger, nameInput);
  }

  function closeForm(): void {
    if (saving) return;
    editing = undefined;
    form.close();
  }

  function setSaving(on: boolean): void {
    saving = on;
    save.disabled = on;
    cancel.disabled = on;
    form.dialog.setAttribute('aria-busy', String(on));
  }

  function draft(): PropertyDraft {
    const format = formatSelect.value as PropertyFormat;
    return {
      name: nameInput.value,
      description: descriptionInput.value,
      format,
      choices: format === 'choice' ? choicesOf(choicesInput.value) : [],
    };
  }

  async function submit(): Promise<void> {
    if (saving) return;
    const current = editing;
    setSaving(true);
    showFormError(undefined);
    try {
      const saved = current === undefined ? await backend.createProperty(draft()) : await backend.updateProperty(current.id, draft());
      setSaving(false);
      closeForm();
      options.onChanged();
      await load();
      const savedRow = [...body.rows].find((tr) => tr.dataset['propertyId'] === saved.id);
      savedRow?.querySelector<HTMLElement>('.property-edit')?.focus();
    } catch (error) {
      setSaving(false);
      // The form stays open with what was typed, and the core's reason under it.
      showFormError(refusalText(error));
      nameInput.focus();
    }
  }

  save.addEventListener('click', () => void submit());
  cancel.addEventListener('click', () => closeForm());
  nameInput.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      void submit();
    }
  });
  create.addEventListener('click', () => openForm(undefined, create));

  // ---- Deleting, once confirmed ----

  const question = el('p', { id: 'property-delete-question', class: 'dialog-text' });
  const deleteError = el('p', { id: 'property-delete-error', class: 'dialog-error', role: 'alert', hidden: true });
  const confirmDelete = el('button', { type: 'button', id: 'property-delete-confirm', class: 'button-danger' }, 'Delete property');
  const keep = el('button', { type: 'button', id: 'property-delete-cancel', class: 'button-secondary' }, 'Cancel');
  const confirm = createModal(
    { id: 'property-delete-dialog', labelledBy: 'property-delete-question', role: 'alertdialog', closeOnBackdrop: true, onDismiss: () => closeConfirm() },
    question,
    deleteError,
    el('div', { class: 'dialog-actions' }, keep, confirmDelete),
  );
  let deleting: PropertyView | undefined;
  let deleteBusy = false;

  function askDelete(property: PropertyView, trigger: HTMLElement): void {
    deleting = property;
    setText(question, `Delete the property “${property.name}”? Every customer’s value of it is deleted too.`);
    deleteError.hidden = true;
    confirmDelete.disabled = false;
    confirm.open(trigger, keep);
  }

  function closeConfirm(): void {
    if (deleteBusy) return;
    deleting = undefined;
    confirm.close();
  }

  confirmDelete.addEventListener('click', () => {
    void (async () => {
      const property = deleting;
      if (property === undefined || deleteBusy) return;
      deleteBusy = true;
      confirmDelete.disabled = true;
      try {
        await backend.deleteProperty(property.id);
        deleteBusy = false;
        closeConfirm();
        options.onChanged();
        await load();
        if (!element.contains(document.activeElement) || document.activeElement === document.body) create.focus();
      } catch (error) {
        deleteBusy = false;
        confirmDelete.disabled = false;
        deleteError.hidden = false;
        setText(deleteError, refusalText(error));
      }
    })();
  });
  keep.addEventListener('click', () => closeConfirm());

  element.append(form.element, confirm.element);

  return {
    element,
    load,
    closeDialogs() {
      saving = false;
      deleteBusy = false;
      closeForm();
      closeConfirm();
    },
  };
}

