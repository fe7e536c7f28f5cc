// The Details window's custom properties: the "Add a property" button beside the User Details
// label, its "Select a property" menu (the properties the customer has no value for yet, then
// "Create a new property"), and the customer's values listed under the fields, each editable and
// removable. The core checks every value against its property's format; a refused value stays
// typed beside the reason.

import { isApiError, refusalText, type Backend } from './api';
import type { ProfileId } from './bindings/ProfileId';
import type { ProfilePropertyView } from './bindings/ProfilePropertyView';
import type { PropertyDraft } from './bindings/PropertyDraft';
import type { PropertyFormat } from './bindings/PropertyFormat';
import type { PropertyId } from './bindings/PropertyId';
import type { PropertyView } from './bindings/PropertyView';
import { clear, el, setText } from './dom';
import { FORMAT_LABELS, propertyValueText } from './format';
import { closeIcon, pencilIcon, plusIcon } from './icons';
import { propertyId as toPropertyId } from './ids';
import { latestOnly } from './latest';
import { FORMATS, choicesOf, createValueControl, type ValueControl } from './propertyValue';

/** The value of the "Create a new property" option of the Select a property menu. */
export const NEW_PROPERTY = '__new__';

export interface ProfilePropertiesOptions {
  readonly backend: Backend;
  /** A value was set or removed: it waits to sync, and the customer's segments may change. */
  readonly onValueChanged: () => void;
  /** A property was created on the spot. */
  readonly onPropertyCreated: () => void;
  /** An editor is about to open here: the panel closes its own. */
  readonly onEditStart: () => void;
  /** An error that is not about the value or the definition typed. */
  readonly onError: (error: unknown) => void;
}

export interface ProfileProperties {
  /** The "Add a property" icon button, for beside the User Details label. */
  readonly addButton: HTMLButtonElement;
  /** The Select a property form (hidden until the button is clicked). */
  readonly adder: HTMLElement;
  /** The customer's properties, as label and value rows. */
  readonly list: HTMLElement;
  load(profileId: ProfileId): Promise<void>;
  reset(): void;
  /** Whether the add form or a value editor is open. */
  isEditing(): boolean;
  /** Closes the add form and any value editor without saving. */
  cancel(): void;
}

interface ValueEditor {
  readonly view: ProfilePropertyView;
  readonly row: HTMLElement;
  readonly element: HTMLElement;
  readonly control: ValueControl;
  readonly save: HTMLButtonElement;
  readonly cancel: HTMLButtonElement;
  error: HTMLParagraphElement | undefined;
  saving: boolean;
}

/** Whether the core refused what was typed (shown beside it) rather than failed otherwise. */
function isRefusal(error: unknown): boolean {
  return isApiError(error) && (error.code === 'validation' || error.code === 'invalid_request' || error.code === 'not_found');
}

function onKeys(node: HTMLElement, onEnter: () => void, onEscape: () => void): void {
  node.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      // Only the edit ends; the panel's own Escape (closing it) must not run too.
      event.preventDefault();
      event.stopPropagation();
      onEscape();
    } else if (event.key === 'Enter' && !(event.target instanceof HTMLTextAreaElement) && !(event.target instanceof HTMLButtonElement)) {
      // Enter in a box saves; on a button it presses that button.
      event.preventDefault();
      onEnter();
    }
  });
}

export function createProfileProperties(options: ProfilePropertiesOptions): ProfileProperties {
  const { backend } = options;

  const addButton = el(
    'button',
    {
      type: 'button',
      id: 'add-property',
      class: 'icon-button add-property-button',
      'aria-label': 'Add a property',
      title: 'Add a property',
      'aria-controls': 'add-property-form',
      'aria-expanded': 'false',
    },
    plusIcon(),
  );
  const list = el('dl', { id: 'profile-properties', class: 'details-list profile-properties', 'aria-label': 'Properties', hidden: true });

  // ---- The add form ----

  const select = el('select', { id: 'select-property', name: 'property', class: 'field-input', 'aria-label': 'Select a property' });
  const newName = el('input', { id: 'new-property-name', name: 'newPropertyName', type: 'text', class: 'field-input', autocomplete: 'off', maxlength: 500 });
  const newDescription = el('input', { id: 'new-property-description', name: 'newPropertyDescription', type: 'text', class: 'field-input', autocomplete: 'off' });
  const newFormat = el('select', { id: 'new-property-format', name: 'newPropertyFormat', class: 'field-input' });
  for (const format of FORMATS) newFormat.append(el('option', { value: format }, FORMAT_LABELS[format]));
  const newChoices = el('textarea', { id: 'new-property-choices', name: 'newPropertyChoices', class: 'note-input', rows: 3 });
  const choicesField = el(
    'label',
    { class: 'add-property-field', hidden: true },
    el('span', { class: 'label' }, 'Choices'),
    newChoices,
    el('span', { class: 'dialog-hint' }, 'One choice a line.'),
  );
  const newPart = el(
    'div',
    { class: 'new-property', hidden: true },
    el('label', { class: 'add-property-field' }, el('span', { class: 'label' }, 'Name'), newName),
    el('label', { class: 'add-property-field' }, el('span', { class: 'label' }, 'Description'), newDescription),
    el('label', { class: 'add-property-field' }, el('span', { class: 'label' }, 'Format'), newFormat),
    choicesField,
  );
  const valueSlot = el('span', { class: 'add-property-value' });
  const valuePart = el('label', { class: 'add-property-field', hidden: true }, el('span', { class: 'label' }, 'Value'), valueSlot);
  const addError = el('p', { id: 'add-property-error', class: 'field-error', role: 'alert', hidden: true });
  const addSave = el('button', { type: 'button', id: 'property-value-save', class: 'button-primary', disabled: true }, 'Save');
  const addCancel = el('button', { type: 'button', id: 'property-value-cancel', class: 'button-secondary' }, 'Cancel');
  const adder = el(
    'div',
    { id: 'add-property-form', class: 'add-property', role: 'group', 'aria-label': 'Add a property', hidden: true },
    select,
    newPart,
    valuePart,
    addError,
    el('div', { class: 'editor-actions' }, addSave, addCancel),
  );

  let profileId: ProfileId | undefined;
  let views: ProfilePropertyView[] = [];
  let definitions: PropertyView[] = [];
  let valueControl: ValueControl | undefined;
  const loads = latestOnly();
  /** The reads of the properties for the adder's menu, one per opening of the adder. */
  const adderReads = latestOnly();
  let adding = false;
  let editor: ValueEditor | undefined;

  function showAddError(text: string | undefined): void {
    addError.hidden = text === undefined;
    setText(addError, text ?? '');
    if (text === undefined) valueControl?.removeAttribute('aria-invalid');
  }

  /** Puts a value control for `format` in the form, keeping `value` if it still fits. */
  function setValueControl(format: PropertyFormat, choices: readonly string[], value: string): void {
    const fits = format !== 'choice' || choices.includes(value);
    const control = createValueControl(
      format,
      choices,
      { id: 'property-value', name: 'propertyValue', class: 'field-input', 'aria-label': 'Value', 'aria-describedby': 'add-property-error' },
      fits ? value : '',
    );
    clear(valueSlot);
    valueSlot.append(control);
    valueControl = control;
  }

  function newDraft(): PropertyDraft {
    const format = newFormat.value as PropertyFormat;
    return {
      name: newName.value,
      description: newDescription.value,
      format,
      choices: format === 'choice' ? choicesOf(newChoices.value) : [],
    };
  }

  function picked(): void {
    showAddError(undefined);
    const value = select.value;
    newPart.hidden = value !== NEW_PROPERTY;
    valuePart.hidden = value === '';
    addSave.disabled = value === '';
    if (value === NEW_PROPERTY) {
      newName.value = '';
      newDescription.value = '';
      newFormat.value = 'text';
      newChoices.value = '';
      choicesField.hidden = true;
      setValueControl('text', [], '');
      newName.focus();
      return;
    }
    const definition = definitions.find((d) => d.id === value);
    if (definition === undefined) {
      clear(valueSlot);
      valueControl = undefined;
      return;
    }
    setValueControl(definition.format, definition.choices, '');
    valueControl?.focus();
  }
  select.addEventListener('change', picked);
  newFormat.addEventListener('change', () => {
    choicesField.hidden = newFormat.value !== 'choice';
    const draft = newDraft();
    setValueControl(draft.format, draft.choices, '');
  });
  newChoices.addEventListener('input', () => {
    const draft = newDraft();
    setValueControl(draft.format, draft.choices, valueControl?.value ?? '');
  });

  function fillMenu(): void {
    const had = new Set(views.map((v) => v.propertyId));
    clear(select);
    select.append(el('option', { value: '' }, 'Select a property'));
    for (const definition of definitions) {
      if (!had.has(definition.id)) select.append(el('option', { value: definition.id }, definition.name));
    }
    select.append(el('option', { value: NEW_PROPERTY }, 'Create a new property'));
    select.value = '';
  }

  async function openAdder(): Promise<void> {
    const id = profileId;
    if (id === undefined) return;
    if (!adder.hidden) {
      select.focus();
      return;
    }
    options.onEditStart();
    closeEditor(false);
    const ticket = adderReads.begin();
    definitions = [];
    fillMenu();
    picked();
    adder.hidden = false;
    addButton.setAttribute('aria-expanded', 'true');
    select.focus();
    try {
      const list = await backend.properties('', 'name', 'asc');
      if (!ticket.isCurrent() || profileId !== id) return;
      definitions = list;
      const choice = select.value;
      fillMenu();
      // A pick made while the menu was loading ("Create a new property") stays.
      if (choice === NEW_PROPERTY) select.value = NEW_PROPERTY;
    } catch (error) {
      if (ticket.isCurrent()) options.onError(error);
    }
  }

  function closeAdder(focusButton: boolean): void {
    if (adder.hidden) return;
    adderReads.drop();
    adding = false;
    adder.hidden = true;
    addButton.setAttribute('aria-expanded', 'false');
    select.value = '';
    newPart.hidden = true;
    valuePart.hidden = true;
    clear(valueSlot);
    valueControl = undefined;
    showAddError(undefined);
    setAdding(false);
    if (focusButton) addButton.focus();
  }

  function setAdding(on: boolean): void {
    adding = on;
    addSave.disabled = on || select.value === '';
    addCancel.disabled = on;
    adder.setAttribute('aria-busy', String(on));
  }

  function refuseValue(text: string): void {
    showAddError(text);
    valueControl?.setAttribute('aria-invalid', 'true');
    valueControl?.focus();
  }

  async function saveAdder(): Promise<void> {
    const id = profileId;
    const control = valueControl;
    if (adding || id === undefined || select.value === '' || control === undefined) return;
    const value = control.value;
    showAddError(undefined);
    // A new choice property without choices has no value to pick: the core says why it is refused.
    const choicesMissing = select.value === NEW_PROPERTY && newFormat.value === 'choice' && choicesOf(newChoices.value).length === 0;
    if (value.trim() === '' && !choicesMissing) {
      refuseValue('Type a value for the property.');
      return;
    }
    setAdding(true);
    let propertyId: PropertyId;
    if (select.value === NEW_PROPERTY) {
      try {
        const created = await backend.createProperty(newDraft());
        if (profileId !== id || adder.hidden) return;
        options.onPropertyCreated();
        // From here on the form is about an existing property: a refused value keeps it.
        definitions = [...definitions, created];
        select.insertBefore(el('option', { value: created.id }, created.name), select.lastElementChild);
        select.value = created.id;
        newPart.hidden = true;
        propertyId = created.id;
      } catch (error) {
        if (profileId !== id || adder.hidden) return;
        setAdding(false);
        if (!isRefusal(error)) {
          options.onError(error);
          return;
        }
        showAddError(refusalText(error));
        newName.focus();
        return;
      }
    } else {
      propertyId = toPropertyId(select.value);
    }
    try {
      const after = await backend.setProfileProperty(id, propertyId, value);
      if (profileId !== id) return;
      render(after);
      setAdding(false);
      closeAdder(false);
      options.onValueChanged();
      rowOf(propertyId)?.querySelector<HTMLElement>('.edit')?.focus();
    } catch (error) {
      if (profileId !== id || adder.hidden) return;
      setAdding(false);
      if (!isRefusal(error)) {
        options.onError(error);
        return;
      }
      refuseValue(refusalText(error));
    }
  }

  addButton.addEventListener('click', () => void openAdder());
  addSave.addEventListener('click', () => void saveAdder());
  addCancel.addEventListener('click', () => closeAdder(true));
  onKeys(
    adder,
    () => void saveAdder(),
    () => {
      if (!adding) closeAdder(true);
    },
  );

  // ---- The customer's values ----

  function rowOf(propertyId: PropertyId): HTMLElement | undefined {
    return [...list.querySelectorAll<HTMLElement>('.profile-property')].find((row) => row.dataset['propertyId'] === propertyId);
  }

  function render(next: readonly ProfilePropertyView[]): void {
    closeEditor(false);
    views = [...next];
    clear(list);
    list.hidden = views.length === 0;
    for (const view of views) list.append(item(view));
  }

  function item(view: ProfilePropertyView): HTMLElement {
    const text = propertyValueText(view.format, view.value);
    const value = el('span', { class: `value${text === '' ? ' is-empty' : ''}` }, text === '' ? '—' : text);
    const pending = view.pending ? el('span', { class: 'pending-mark', title: 'Kept on this computer; it goes to the server at the next sync' }, 'Not synced yet') : null;
    const edit = el('button', { type: 'button', class: 'edit icon-button', 'aria-label': `Edit ${view.name}`, title: `Edit ${view.name}` }, pencilIcon());
    const remove = el(
      'button',
      { type: 'button', class: 'icon-button property-remove', 'aria-label': `Remove ${view.name}`, title: `Remove ${view.name}` },
      closeIcon(),
    );
    const content = el('dd', { class: 'content' }, value, pending, edit, remove);
    const row = el(
      'div',
      { class: 'profile-property', 'data-property-id': view.propertyId, 'data-format': view.format },
      el('dt', { class: 'label' }, view.name),
      content,
    );
    edit.addEventListener('click', () => startEditing(view, row, content));
    remove.addEventListener('click', () => confirmRemove(view, content, [edit, remove]));
    return row;
  }

  function startEditing(view: ProfilePropertyView, row: HTMLElement, content: HTMLElement): void {
    if (editor?.saving === true) return;
    options.onEditStart();
    closeAdder(false);
    closeEditor(false);
    const control = createValueControl(view.format, view.choices, { name: `property-${view.propertyId}`, class: 'field-input', 'aria-label': view.name }, view.value);
    const save = el('button', { type: 'button', class: 'save button-primary' }, 'Save');
    const cancel = el('button', { type: 'button', class: 'cancel button-secondary' }, 'Cancel');
    const element = el('div', { class: 'editor' }, control, el('div', { class: 'editor-actions' }, save, cancel));
    const current: ValueEditor = { view, row, element, control, save, cancel, error: undefined, saving: false };
    editor = current;
    for (const child of content.children) (child as HTMLElement).hidden = true;
    row.classList.add('is-editing');
    content.prepend(element);
    onKeys(
      element,
      () => void saveEditor(current),
      () => {
        if (!current.saving) closeEditor(true);
      },
    );
    save.addEventListener('click', () => void saveEditor(current));
    cancel.addEventListener('click', () => closeEditor(true));
    control.focus();
    if (control instanceof HTMLInputElement) control.select();
  }

  function closeEditor(focusPencil: boolean): void {
    const current = editor;
    if (current === undefined) return;
    editor = undefined;
    current.element.remove();
    current.error?.remove();
    current.row.classList.remove('is-editing');
    const content = current.row.querySelector('.content');
    for (const child of content?.children ?? []) (child as HTMLElement).hidden = false;
    if (focusPencil) current.row.querySelector<HTMLElement>('.edit')?.focus();
  }

  function setSaving(current: ValueEditor, on: boolean): void {
    current.saving = on;
    current.save.disabled = on;
    current.cancel.disabled = on;
    current.control.disabled = on;
    current.element.setAttribute('aria-busy', String(on));
  }

  async function saveEditor(current: ValueEditor): Promise<void> {
    const id = profileId;
    if (current.saving || id === undefined) return;
    const typed = current.control.value;
    if (typed === current.view.value) {
      closeEditor(true);
      return;
    }
    // Emptying a value removes it, as emptying a field clears it.
    const value = typed.trim() === '' ? null : typed;
    setSaving(current, true);
    try {
      const after = await backend.setProfileProperty(id, current.view.propertyId, value);
      if (profileId !== id) return;
      render(after);
      options.onValueChanged();
      rowOf(current.view.propertyId)?.querySelector<HTMLElement>('.edit')?.focus();
    } catch (error) {
      if (editor !== current) return;
      setSaving(current, false);
      if (!isRefusal(error)) {
        options.onError(error);
        current.control.focus();
        return;
      }
      if (current.error === undefined) {
        const errorId = `property-error-${current.view.propertyId}`;
        current.error = el('p', { id: errorId, class: 'field-error', role: 'alert', 'data-property-id': current.view.propertyId });
        current.row.querySelector('.content')?.append(current.error);
        current.control.setAttribute('aria-describedby', errorId);
      }
      setText(current.error, refusalText(error));
      current.control.setAttribute('aria-invalid', 'true');
      current.control.focus();
    }
  }

  function confirmRemove(view: ProfilePropertyView, content: HTMLElement, buttons: readonly HTMLElement[]): void {
    if (editor !== undefined) closeEditor(false);
    const yes = el('button', { type: 'button', class: 'button-danger property-remove-confirm' }, 'Remove');
    const no = el('button', { type: 'button', class: 'button-secondary property-keep' }, 'Keep');
    const question = `Remove ${view.name} from this user?`;
    const ask = el('div', { class: 'note-confirm property-confirm', role: 'group', 'aria-label': question }, question, yes, no);
    for (const button of buttons) button.hidden = true;
    content.append(ask);
    no.focus();
    const done = (): void => {
      ask.remove();
      for (const button of buttons) button.hidden = false;
    };
    onKeys(ask, () => undefined, () => {
      done();
      buttons[buttons.length - 1]?.focus();
    });
    no.addEventListener('click', () => {
      done();
      buttons[buttons.length - 1]?.focus();
    });
    yes.addEventListener('click', () => {
      void (async () => {
        const id = profileId;
        if (id === undefined) return;
        yes.disabled = true;
        try {
          const after = await backend.setProfileProperty(id, view.propertyId, null);
          if (profileId !== id) return;
          render(after);
          options.onValueChanged();
          addButton.focus();
        } catch (error) {
          done();
          options.onError(error);
        }
      })();
    });
  }

  return {
    addButton,
    adder,
    list,
    async load(id) {
      if (profileId !== id) {
        closeAdder(false);
        render([]);
      }
      profileId = id;
      const ticket = loads.begin();
      try {
        const next = await backend.profileProperties(id);
        if (!ticket.isCurrent() || profileId !== id) return;
        // An edit under way keeps its typed value: the list is redrawn only when none is open.
        if (editor === undefined) render(next);
        else views = [...next];
      } catch (error) {
        if (ticket.isCurrent()) options.onError(error);
      }
    },
    reset() {
      profileId = undefined;
      loads.drop();
      closeAdder(false);
      render([]);
    },
    isEditing: () => editor !== undefined || !adder.hidden,
    cancel() {
      closeEditor(false);
      closeAdder(false);
    },
  };
}
