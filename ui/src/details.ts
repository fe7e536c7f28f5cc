// The Details panel: one profile, over the right side of the window, with its contact fields
// editable one at a time. The core validates and normalises every change; the panel shows what it
// returns, and when it refuses a value the panel keeps the typed text open beside its reason.
// The circle beside the name is the customer's picture (or initials): clicking it opens the file
// dialog, and the core turns the picked file into the picture or says why it cannot. Its History
// (history.ts) lists every change to the customer, with Put back.

import { isApiError, refusalText, type Backend } from './api';
import type { Field } from './bindings/Field';
import type { ProfileDetails } from './bindings/ProfileDetails';
import type { ProfileId } from './bindings/ProfileId';
import type { ProfilePatch } from './bindings/ProfilePatch';
import type { SegmentRef } from './bindings/SegmentRef';
import { createDetailsSegments } from './detailsSegments';
import { createHistorySection } from './history';
import { clear, el, setText } from './dom';
import { FIELD_LABELS, STATUS_LABELS, capitalise, fieldErrorText, formatNumber, initials } from './format';
import { cameraIcon, chevronDownIcon, chevronUpIcon, closeIcon, pencilIcon } from './icons';
import { latestOnly, type Ticket } from './latest';
import { createNotesSection } from './notes';
import { MAX_PICTURE_BYTES, PICTURE_TYPES, oversizeReason } from './pictures';
import { createProfileProperties } from './profileProperties';
import { createRequestsSection } from './requests';
import { createSessionsSections } from './sessions';

export const EDITABLE_FIELDS: readonly Field[] = ['email', 'firstName', 'lastName', 'phone', 'location'];

const INPUT_HINTS: Readonly<Record<Field, { type: string; inputmode: string; autocomplete: string }>> = {
  email: { type: 'text', inputmode: 'email', autocomplete: 'off' },
  firstName: { type: 'text', inputmode: 'text', autocomplete: 'off' },
  lastName: { type: 'text', inputmode: 'text', autocomplete: 'off' },
  phone: { type: 'tel', inputmode: 'tel', autocomplete: 'off' },
  location: { type: 'text', inputmode: 'text', autocomplete: 'off' },
};

export interface DetailsOptions {
  readonly backend: Backend;
  /** A field or the picture was saved; `details` is the profile as the core now has it. */
  readonly onSaved: (details: ProfileDetails) => void;
  /** The Active option changed the profile's status: it may leave the table's current filter. */
  readonly onStatusChanged: (details: ProfileDetails) => void;
  /** A note was added, changed or deleted, or a data request queued: it waits to sync. */
  readonly onNotesChanged: () => void;
  /** A property value was set or removed (the customer's segments may have changed with it). */
  readonly onPropertyValueChanged: () => void;
  /** A property was created on the spot, from Add a property. */
  readonly onPropertyCreated: () => void;
  /** A segment of the Segments section was clicked. */
  readonly onOpenSegment: (segment: SegmentRef) => void;
  /** The customer was taken out of a segment from the Segments section. */
  readonly onSegmentMembersChanged: () => void;
  /** An error that is not about a field's value. */
  readonly onError: (error: unknown) => void;
  /** The panel closed; focus goes back to where it was opened from, if that is still there. */
  readonly onClose: (id: ProfileId, trigger: HTMLElement | undefined) => void;
  /**
   * The customer before (`-1`) or after (`1`) `id` in the table, as it is sorted and filtered;
   * `undefined` at either end (or not loaded yet). Without it there is no previous/next.
   */
  readonly neighbour?: (id: ProfileId, step: -1 | 1) => ProfileId | undefined;
  /** Previous/next moved the panel to `id`: the table marks its row. */
  readonly onMoved?: (id: ProfileId) => void;
}

/** Where an opening leads: `history` scrolls to the History and focuses its title once read. */
export interface OpenAt {
  readonly section?: 'history';
}

export interface DetailsPanel {
  readonly element: HTMLElement;
  open(id: ProfileId, trigger?: HTMLElement, at?: OpenAt): Promise<void>;
  close(): void;
  /** Fetches the open profile again (its times, after the time zone changed). */
  reload(): Promise<void>;
  /** Reads the open profile's History again (after a sync). */
  reloadHistory(): Promise<void>;
  isOpen(): boolean;
  /** Whether a field's editor (or a property's, or the Add a property form) is open. */
  isEditing(): boolean;
  currentId(): ProfileId | undefined;
}

interface FieldView {
  readonly field: Field;
  readonly element: HTMLDivElement;
  readonly content: HTMLElement;
  readonly value: HTMLSpanElement;
  readonly edit: HTMLButtonElement;
}

interface Editor {
  readonly view: FieldView;
  readonly element: HTMLDivElement;
  readonly input: HTMLInputElement;
  readonly save: HTMLButtonElement;
  readonly cancel: HTMLButtonElement;
  error: HTMLParagraphElement | undefined;
  saving: boolean;
}

function label(text: string): HTMLElement {
  return el('dt', { class: 'label' }, capitalise(text));
}

function showValue(node: HTMLElement, text: string): void {
  node.classList.toggle('is-empty', text === '');
  setText(node, text === '' ? '—' : text);
}

export function createDetailsPanel(options: DetailsOptions): DetailsPanel {
  const { backend } = options;

  // The picture: a button showing the picture or the initials, a camera over it on hover.
  const avatarContent = el('span', { class: 'avatar-content' });
  const avatar = el(
    'button',
    { type: 'button', id: 'details-picture', class: 'avatar picture-button', 'aria-label': 'Add a picture', title: 'Add a picture' },
    avatarContent,
    el('span', { class: 'picture-hint', 'aria-hidden': 'true' }, cameraIcon()),
  );
  const avatarImage = el('img', { class: 'avatar-image', alt: '', draggable: 'false' });
  // Opened by the circle; out of sight, yet not `hidden`, so end-to-end tests can still give it a file.
  const pictureFile = el('input', {
    type: 'file',
    id: 'picture-file',
    class: 'visually-hidden',
    accept: PICTURE_TYPES,
    tabindex: -1,
    'aria-hidden': 'true',
  });
  const pictureRemove = el(
    'button',
    { type: 'button', id: 'picture-remove', class: 'picture-remove', 'aria-label': 'Remove picture', title: 'Remove picture', hidden: true },
    'Remove',
  );
  const picturePending = el('span', { id: 'picture-pending', class: 'pending-mark', hidden: true }, 'Picture not synced yet');
  const pictureError = el('p', { id: 'picture-error', class: 'field-error picture-error', role: 'alert', hidden: true });
  /** The data URL shown, to skip re-setting an unchanged picture. */
  let shownPicture: string | undefined;
  let pictureBusy = false;
  /** A change of the picture under way, dropped when another profile opens or the panel closes:
   * its late answer then leaves the panel be. */
  const pictureChanges = latestOnly();
  const heading = el('h2', { id: 'details-name', class: 'details-name', tabindex: -1 });
  const status = el('span', { id: 'details-status', class: 'badge' });
  // The Active option: a switch; off archives the profile (it then shows only under Archived).
  const activeInput = el('input', { id: 'details-active', type: 'checkbox', role: 'switch', class: 'switch-input' });
  const activeOption = el('label', { class: 'active-option', for: 'details-active' }, activeInput, el('span', { class: 'switch-label' }, 'Active'));
  let statusSaving = false;
  // Previous and next customer, in the table's order, without closing the panel (Alt+↑, Alt+↓).
  const previousButton = el(
    'button',
    { type: 'button', id: 'details-previous', class: 'icon-button', 'aria-label': 'Previous customer', title: 'Previous customer (Alt+↑)' },
    chevronUpIcon(),
  );
  const nextButton = el(
    'button',
    { type: 'button', id: 'details-next', class: 'icon-button', 'aria-label': 'Next customer', title: 'Next customer (Alt+↓)' },
    chevronDownIcon(),
  );
  const moves = el('div', { class: 'details-moves', hidden: options.neighbour === undefined }, previousButton, nextButton);
  const closeButton = el(
    'button',
    { type: 'button', id: 'details-close', class: 'icon-button', 'aria-label': 'Close details', title: 'Close (Esc)' },
    closeIcon(),
  );

  const views = new Map<Field, FieldView>();
  const list = el('dl', { class: 'details-list' });
  for (const field of EDITABLE_FIELDS) {
    const value = el('span', { class: 'value' });
    const edit = el(
      'button',
      { type: 'button', class: 'edit icon-button', 'aria-label': `Edit ${FIELD_LABELS[field]}`, title: `Edit ${FIELD_LABELS[field]}` },
      pencilIcon(),
    );
    const content = el('dd', { class: 'content' }, value, edit);
    const element = el('div', { class: 'field', 'data-field': field }, label(FIELD_LABELS[field]), content);
    edit.addEventListener('click', () => startEditing(field));
    views.set(field, { field, element, content, value, edit });
    list.append(element);
  }

  function info(key: string, text: string, ...extra: Node[]): HTMLSpanElement {
    const value = el('span', { class: 'value' });
    list.append(el('div', { class: 'info', 'data-info': key }, label(text), el('dd', { class: 'content' }, value, ...extra)));
    return value;
  }
  const createdZone = el('span', { class: 'time-zone' });
  const lastSeenZone = el('span', { class: 'time-zone' });
  const created = info('created', 'created', createdZone);
  const lastSeen = info('lastSeen', 'last seen', lastSeenZone);
  const device = info('device', 'device');
  const sessions = info('sessions', 'sessions');
  const takeover = info('liveChatTakeover', 'live chat takeover');

  const notes = createNotesSection({ backend, onChanged: () => options.onNotesChanged(), onError: (error) => options.onError(error) });
  const records = createSessionsSections({ backend, onError: (error) => options.onError(error) });
  const requests = createRequestsSection({ backend, onQueued: () => options.onNotesChanged(), onError: (error) => options.onError(error) });
  const [goalsSection, sessionsSection, conversationSection] = records.elements;
  const segments = createDetailsSegments({
    backend,
    onOpen: (segment) => options.onOpenSegment(segment),
    onRemoved: () => options.onSegmentMembersChanged(),
    onError: (error) => options.onError(error),
  });
  const historySection = createHistorySection({
    backend,
    onPutBack: (updated, putBack) => {
      // A new edit like any other in Details: the table, the undo bar and the status bar follow.
      if (putBack.kind === 'active') options.onStatusChanged(updated);
      else options.onSaved(updated);
      if (shownId === updated.profile.id) render(updated);
    },
    onError: (error) => options.onError(error),
  });
  const properties = createProfileProperties({
    backend,
    onValueChanged: () => {
      options.onPropertyValueChanged();
      // A property rule may now hold, or no longer.
      if (shownId !== undefined) void segments.load(shownId);
    },
    onPropertyCreated: () => options.onPropertyCreated(),
    onEditStart: () => closeEditor(false),
    onError: (error) => options.onError(error),
  });

  const element = el(
    'section',
    { id: 'details', class: 'details', role: 'dialog', 'aria-modal': 'false', 'aria-labelledby': 'details-title details-name', hidden: true },
    el(
      'header',
      { class: 'details-header' },
      el('div', { class: 'details-picture' }, avatar, pictureRemove, pictureFile),
      el(
        'div',
        { class: 'details-heading' },
        // The window's name, as the help page calls it ("The Details window appears").
        el('p', { id: 'details-title', class: 'details-title' }, 'Details'),
        heading,
        el('div', { class: 'details-status' }, status, picturePending),
        activeOption,
      ),
      moves,
      closeButton,
    ),
    pictureError,
    el(
      'div',
      { class: 'details-body' },
      el('div', { class: 'section-heading' }, el('h3', { class: 'section-title' }, 'User Details'), properties.addButton),
      properties.adder,
      list,
      properties.list,
      goalsSection,
      notes.element,
      segments.element,
      sessionsSection,
      conversationSection,
      requests.element,
      historySection.element,
    ),
  );
  closeButton.addEventListener('click', () => close());

  /**
   * Opens the customer before or after the one shown; whether there was one. A button pressed
   * keeps the focus, for the next press.
   */
  function move(step: -1 | 1, from?: HTMLElement): boolean {
    const id = shownId;
    if (id === undefined || options.neighbour === undefined || editor?.saving === true) return false;
    const next = options.neighbour(id, step);
    if (next === undefined) return false;
    options.onMoved?.(next);
    void panel.open(next, trigger).then(() => {
      if (from !== undefined && shownId === next) from.focus();
    });
    return true;
  }
  previousButton.addEventListener('click', () => move(-1, previousButton));
  nextButton.addEventListener('click', () => move(1, nextButton));
  element.addEventListener('keydown', (event) => {
    if (!event.altKey || (event.key !== 'ArrowUp' && event.key !== 'ArrowDown')) return;
    if (move(event.key === 'ArrowUp' ? -1 : 1)) event.preventDefault();
  });

  let shownId: ProfileId | undefined;
  let details: ProfileDetails | undefined;
  let trigger: HTMLElement | undefined;
  /** Begun by every open; an answer for an earlier open is ignored. */
  const opens = latestOnly();
  /** The open shown: a reload answers for it, and is ignored too once another open began. */
  let openTicket: Ticket | undefined;
  let editor: Editor | undefined;
  // What a manager typed in a field and did not save, kept when Details closed or moved to
  // another customer (not when they chose Cancel): it comes back in the field at the next opening.
  const drafts = new Map<ProfileId, { field: Field; value: string }>();

  function render(d: ProfileDetails): void {
    details = d;
    setText(heading, d.username);
    showPicture(d);
    status.className = `badge badge-${d.profile.status}`;
    setText(status, STATUS_LABELS[d.profile.status]);
    activeInput.checked = d.profile.status === 'active';
    activeInput.disabled = statusSaving;
    for (const view of views.values()) showValue(view.value, d.profile[view.field]);
    showValue(created, d.created);
    showValue(lastSeen, d.lastSeen);
    setText(createdZone, d.timeZone);
    setText(lastSeenZone, d.timeZone);
    records.setTimeZone(d.timeZone);
    showValue(device, d.profile.device);
    setText(sessions, formatNumber(d.profile.sessions));
    setText(takeover, d.profile.liveChatTakeover ? 'Yes' : 'No');
  }

  /** The picture when there is one, else the initials; the labels say what a click will do. */
  function showPicture(d: ProfileDetails): void {
    const picture = d.picture;
    if (picture === undefined) {
      shownPicture = undefined;
      setText(avatarContent, initials(d.profile, d.username));
    } else {
      if (shownPicture !== picture.dataUrl) avatarImage.src = picture.dataUrl;
      shownPicture = picture.dataUrl;
      if (avatarContent.firstChild !== avatarImage) avatarContent.replaceChildren(avatarImage);
    }
    avatar.classList.toggle('has-picture', picture !== undefined);
    const label = picture === undefined ? 'Add a picture' : 'Change picture';
    avatar.setAttribute('aria-label', label);
    avatar.title = label;
    pictureRemove.hidden = picture === undefined;
    picturePending.hidden = picture?.pending !== true;
  }

  /** Clears the circle while another profile loads. */
  function resetPicture(): void {
    pictureChanges.drop();
    shownPicture = undefined;
    clear(avatarContent);
    avatar.classList.remove('has-picture');
    avatar.setAttribute('aria-label', 'Add a picture');
    avatar.title = 'Add a picture';
    pictureRemove.hidden = true;
    picturePending.hidden = true;
    showPictureError(undefined);
    setPictureBusy(false);
  }

  function showPictureError(text: string | undefined): void {
    pictureError.hidden = text === undefined;
    setText(pictureError, text ?? '');
    if (text === undefined) avatar.removeAttribute('aria-describedby');
    else avatar.setAttribute('aria-describedby', 'picture-error');
  }

  function setPictureBusy(busy: boolean): void {
    pictureBusy = busy;
    // The circle keeps focus while busy (a disabled button would drop it): clicks are ignored.
    avatar.setAttribute('aria-disabled', String(busy));
    avatar.classList.toggle('is-busy', busy);
    pictureRemove.disabled = busy;
    if (busy) avatar.setAttribute('aria-busy', 'true');
    else avatar.removeAttribute('aria-busy');
  }

  avatar.addEventListener('click', () => {
    if (details === undefined || pictureBusy) return;
    pictureFile.click();
  });

  pictureFile.addEventListener('change', () => {
    const file = pictureFile.files?.[0];
    // Emptied at once, so picking the same file again is a change too.
    pictureFile.value = '';
    if (file === undefined || details === undefined || pictureBusy) return;
    // The core would refuse it too, but only after the whole file had been read and sent.
    if (file.size > MAX_PICTURE_BYTES) {
      showPictureError(refusalText(oversizeReason(file.size)));
      return;
    }
    void changePicture(async () => new Uint8Array(await file.arrayBuffer()));
  });

  pictureRemove.addEventListener('click', () => {
    void changePicture(undefined);
  });

  /** Sets the picture from the file `read` gives, or (with no `read`) removes it. */
  async function changePicture(read: (() => Promise<Uint8Array>) | undefined): Promise<void> {
    const id = shownId;
    if (id === undefined || details === undefined || pictureBusy) return;
    const ticket = pictureChanges.begin();
    showPictureError(undefined);
    setPictureBusy(true);
    try {
      const updated = read === undefined ? await backend.removeProfilePicture(id) : await backend.setProfilePicture(id, await read());
      options.onSaved(updated);
      if (!ticket.isCurrent()) return;
      const focused = document.activeElement;
      render(updated);
      // The Remove button went with the picture: its focus moves to the circle.
      if (read === undefined && (focused === pictureRemove || focused === document.body || focused === null)) avatar.focus();
    } catch (error) {
      if (!ticket.isCurrent()) return;
      if (isApiError(error) && error.code === 'invalid_picture') showPictureError(refusalText(error));
      else options.onError(error);
    } finally {
      if (ticket.isCurrent()) setPictureBusy(false);
    }
  }

  /** Keeps the field being edited, if its text differs from the saved value, for the next opening. */
  function keepDraft(): void {
    const current = editor;
    if (current === undefined || current.saving || shownId === undefined || details === undefined) return;
    const field = current.view.field;
    if (current.input.value !== details.profile[field]) drafts.set(shownId, { field, value: current.input.value });
  }

  /** Opens the field a draft was kept for, holding the draft, once the customer is shown. */
  function restoreDraft(id: ProfileId): void {
    const draft = drafts.get(id);
    if (draft === undefined || editor !== undefined || shownId !== id) return;
    startEditing(draft.field);
    const current = editor as Editor | undefined;
    if (current === undefined) return;
    current.input.value = draft.value;
    current.element.append(el('p', { class: 'draft-note dialog-hint' }, 'Not saved yet: kept from when you left it.'));
  }

  function closeEditor(focusPencil: boolean): void {
    const current = editor;
    if (current === undefined) return;
    // Cancel, Escape or a save: the draft is done with.
    if (shownId !== undefined) drafts.delete(shownId);
    editor = undefined;
    current.element.remove();
    current.error?.remove();
    current.view.element.classList.remove('is-editing');
    current.view.value.hidden = false;
    current.view.edit.hidden = false;
    if (focusPencil) current.view.edit.focus();
  }

  /** Ends the edit without touching the draft [`keepDraft`] just kept. */
  function closeEditorKeepingDraft(): void {
    const id = shownId;
    const kept = id === undefined ? undefined : drafts.get(id);
    closeEditor(false);
    if (id !== undefined && kept !== undefined) drafts.set(id, kept);
  }

  function showFieldError(current: Editor, text: string): void {
    if (current.error === undefined) {
      const id = `field-error-${current.view.field}`;
      current.error = el('p', { id, class: 'field-error', role: 'alert', 'data-field': current.view.field });
      current.view.content.append(current.error);
      current.input.setAttribute('aria-describedby', id);
    }
    setText(current.error, text);
    current.input.setAttribute('aria-invalid', 'true');
  }

  function setSaving(current: Editor, saving: boolean): void {
    current.saving = saving;
    current.save.disabled = saving;
    current.cancel.disabled = saving;
    current.input.readOnly = saving;
    current.element.setAttribute('aria-busy', String(saving));
  }

  function startEditing(field: Field): void {
    if (details === undefined || editor?.saving === true) return;
    if (editor !== undefined) closeEditor(false);
    properties.cancel();
    const view = views.get(field);
    if (view === undefined) return;
    const hints = INPUT_HINTS[field];
    const input = el('input', {
      name: field,
      class: 'field-input',
      type: hints.type,
      inputmode: hints.inputmode,
      autocomplete: hints.autocomplete,
      spellcheck: 'false',
      'aria-label': capitalise(FIELD_LABELS[field]),
    });
    input.value = details.profile[field];
    const save = el('button', { type: 'button', class: 'save button-primary' }, 'Save');
    const cancel = el('button', { type: 'button', class: 'cancel button-secondary' }, 'Cancel');
    const editorElement = el('div', { class: 'editor' }, input, el('div', { class: 'editor-actions' }, save, cancel));
    const current: Editor = { view, element: editorElement, input, save, cancel, error: undefined, saving: false };
    editor = current;

    view.value.hidden = true;
    view.edit.hidden = true;
    view.element.classList.add('is-editing');
    view.content.prepend(editorElement);

    input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') {
        event.preventDefault();
        void saveEditor(current);
      } else if (event.key === 'Escape') {
        // The panel listens for Escape too (to close); here it only ends the edit.
        event.preventDefault();
        event.stopPropagation();
        if (!current.saving) closeEditor(true);
      }
    });
    save.addEventListener('click', () => void saveEditor(current));
    cancel.addEventListener('click', () => closeEditor(true));

    input.focus();
    input.select();
  }

  async function saveEditor(current: Editor): Promise<void> {
    const id = shownId;
    if (current.saving || id === undefined || details === undefined) return;
    const field = current.view.field;
    const value = current.input.value;
    if (value === details.profile[field]) {
      closeEditor(true);
      return;
    }
    const patch: ProfilePatch = {};
    patch[field] = value;
    setSaving(current, true);
    try {
      const updated = await backend.patchProfile(id, patch);
      options.onSaved(updated);
      if (shownId !== id) return;
      if (editor === current) closeEditor(true);
      render(updated);
      void historySection.load(id);
    } catch (error) {
      if (editor !== current) return;
      setSaving(current, false);
      if (isApiError(error) && error.code === 'validation' && error.fields.length > 0) {
        // One field was sent, so the reasons are about it; name the field anyway in case the core
        // ever reports another one.
        const text = error.fields
          .map((f) => (f.field === field ? fieldErrorText(field, f.reason) : fieldErrorText(f.field, f.reason)))
          .join(' ');
        showFieldError(current, text);
        current.input.focus();
      } else {
        options.onError(error);
        current.input.focus();
      }
    }
  }

  async function setActive(active: boolean): Promise<void> {
    const id = shownId;
    if (id === undefined || details === undefined || statusSaving) return;
    statusSaving = true;
    activeInput.disabled = true;
    activeOption.setAttribute('aria-busy', 'true');
    try {
      const updated = await backend.setProfileActive(id, active);
      options.onStatusChanged(updated);
      if (shownId === id) {
        render(updated);
        void historySection.load(id);
      }
    } catch (error) {
      options.onError(error);
      if (shownId === id && details !== undefined) activeInput.checked = details.profile.status === 'active';
    } finally {
      statusSaving = false;
      activeInput.disabled = details === undefined;
      activeOption.removeAttribute('aria-busy');
    }
  }
  activeInput.addEventListener('change', () => void setActive(activeInput.checked));

  async function load(id: ProfileId, ticket: Ticket, at?: OpenAt): Promise<void> {
    try {
      const loaded = await backend.profileDetails(id);
      if (!ticket.isCurrent()) return;
      element.removeAttribute('aria-busy');
      render(loaded);
      restoreDraft(id);
      await Promise.all([
        notes.load(id),
        records.load(id),
        requests.load(id),
        properties.load(id),
        segments.load(id),
        historySection.load(id),
      ]);
      // Every section is in place: the History stays where it is scrolled to.
      if (at?.section === 'history' && ticket.isCurrent()) historySection.reveal();
    } catch (error) {
      if (!ticket.isCurrent()) return;
      element.removeAttribute('aria-busy');
      options.onError(error);
      if (isApiError(error) && error.code === 'not_found') close();
    }
  }

  function close(): void {
    if (element.hidden) return;
    const id = shownId;
    keepDraft();
    closeEditorKeepingDraft();
    opens.drop();
    element.hidden = true;
    shownId = undefined;
    details = undefined;
    resetPicture();
    notes.reset();
    records.reset();
    requests.reset();
    properties.reset();
    segments.reset();
    historySection.reset();
    const returnTo = trigger;
    trigger = undefined;
    if (id !== undefined) options.onClose(id, returnTo);
  }

  const panel: DetailsPanel = {
    element,
    async open(id, from, at) {
      if (shownId !== id) {
        keepDraft();
        closeEditorKeepingDraft();
        details = undefined;
        setText(heading, 'Loading…');
        resetPicture();
        status.className = 'badge';
        setText(status, '');
        activeInput.checked = false;
        activeInput.disabled = true;
        for (const view of views.values()) showValue(view.value, '');
        for (const node of [created, lastSeen, device, sessions, takeover]) setText(node, '');
        notes.reset();
        records.reset();
        requests.reset();
        properties.reset();
        segments.reset();
        historySection.reset();
        setText(createdZone, '');
        setText(lastSeenZone, '');
      }
      shownId = id;
      trigger = from;
      const ticket = opens.begin();
      openTicket = ticket;
      element.setAttribute('aria-busy', 'true');
      element.hidden = false;
      heading.focus();
      await load(id, ticket, at);
    },
    close,
    async reload() {
      if (shownId === undefined || openTicket === undefined) return;
      await load(shownId, openTicket);
    },
    async reloadHistory() {
      if (shownId === undefined) return;
      await historySection.load(shownId);
    },
    isOpen: () => !element.hidden,
    isEditing: () => editor !== undefined || properties.isEditing(),
    currentId: () => shownId,
  };
  return panel;
}
