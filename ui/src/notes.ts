// The Details window's User notes: the "Add a note" box, then the customer's notes, newest
// first, each with its author and time, editable and deletable in place. A note written here
// and not yet on the server says so. The core keeps every change at once and syncs it later.

import { isApiError, type Backend } from './api';
import type { NoteView } from './bindings/NoteView';
import type { ProfileId } from './bindings/ProfileId';
import { clear, el, setText } from './dom';
import { pencilIcon } from './icons';
import { latestOnly } from './latest';

export interface NotesOptions {
  readonly backend: Backend;
  /** A note was added, changed or deleted: it now waits to sync. */
  readonly onChanged: () => void;
  /** An error that is not about the note's text. */
  readonly onError: (error: unknown) => void;
}

export interface NotesSection {
  readonly element: HTMLElement;
  /** Shows the notes of this profile. */
  load(profileId: ProfileId): Promise<void>;
  /** Empties the section while another profile loads. */
  reset(): void;
}

/** The reason the core gave for refusing a note's text. */
function reasonOf(error: unknown): string | undefined {
  if (!isApiError(error) || error.code !== 'invalid_request') return undefined;
  return error.message;
}

export function createNotesSection(options: NotesOptions): NotesSection {
  const { backend } = options;
  const input = el('textarea', {
    id: 'note-new',
    class: 'note-input',
    rows: 2,
    placeholder: 'Add a note',
    'aria-label': 'Add a note',
  });
  const add = el('button', { type: 'button', id: 'note-add', class: 'button-primary', disabled: true }, 'Add note');
  const addError = el('p', { id: 'note-add-error', class: 'field-error', role: 'alert', hidden: true });
  const list = el('ol', { id: 'notes', class: 'notes', 'aria-label': 'Notes' });
  const element = el(
    'section',
    { class: 'details-section', 'data-section': 'notes' },
    el('h3', { class: 'section-title' }, 'User notes'),
    el('div', { class: 'note-compose' }, input, el('div', { class: 'editor-actions' }, add)),
    addError,
    list,
  );

  let profileId: ProfileId | undefined;
  const reads = latestOnly();
  let busy = false;

  function showAddError(text: string | undefined): void {
    addError.hidden = text === undefined;
    setText(addError, text ?? '');
    if (text === undefined) input.removeAttribute('aria-invalid');
    else input.setAttribute('aria-invalid', 'true');
  }

  input.addEventListener('input', () => {
    add.disabled = busy || input.value.trim() === '';
    showAddError(undefined);
  });
  input.addEventListener('keydown', (event) => {
    // Ctrl+Enter (Cmd+Enter) adds; Enter alone starts a new line.
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void addNote();
    }
  });
  add.addEventListener('click', () => void addNote());

  async function addNote(): Promise<void> {
    const id = profileId;
    if (id === undefined || busy || input.value.trim() === '') return;
    busy = true;
    add.disabled = true;
    try {
      await backend.addNote(id, input.value);
      if (profileId !== id) return;
      input.value = '';
      showAddError(undefined);
      options.onChanged();
      await refresh(id);
    } catch (error) {
      const reason = reasonOf(error);
      if (reason !== undefined) showAddError(`The note was not saved. ${reason}.`);
      else options.onError(error);
    } finally {
      busy = false;
      add.disabled = input.value.trim() === '';
    }
  }

  function render(notes: readonly NoteView[]): void {
    clear(list);
    list.hidden = notes.length === 0;
    for (const note of notes) list.append(noteItem(note));
  }

  function noteItem(note: NoteView): HTMLLIElement {
    const body = el('p', { class: 'note-body' }, note.body);
    const meta = el('p', { class: 'note-meta' }, `${note.author} · ${note.created}`);
    if (note.edited !== undefined) meta.append(` · edited ${note.edited}`);
    if (note.pending) meta.append(' · ', el('span', { class: 'note-pending' }, 'Not synced yet'));
    const edit = el(
      'button',
      { type: 'button', class: 'icon-button note-edit', 'aria-label': 'Edit note', title: 'Edit note' },
      pencilIcon(),
    );
    const remove = el('button', { type: 'button', class: 'button-secondary note-delete' }, 'Delete');
    const actions = el('div', { class: 'note-actions' }, edit, remove);
    const item = el('li', { class: 'note', 'data-note': note.id }, body, meta, actions);
    edit.addEventListener('click', () => startEditing(item, note));
    remove.addEventListener('click', () => confirmDelete(note, actions));
    return item;
  }

  function startEditing(item: HTMLLIElement, note: NoteView): void {
    const editor = el('textarea', { class: 'note-input note-editor', rows: 3, 'aria-label': 'Note text' });
    editor.value = note.body;
    const save = el('button', { type: 'button', class: 'button-primary note-save' }, 'Save');
    const cancel = el('button', { type: 'button', class: 'button-secondary note-cancel' }, 'Cancel');
    const error = el('p', { class: 'field-error note-error', role: 'alert', hidden: true });
    const form = el('div', { class: 'note-form' }, editor, el('div', { class: 'editor-actions' }, save, cancel), error);
    item.replaceChildren(form);
    editor.focus();
    const id = profileId;
    cancel.addEventListener('click', () => {
      if (id !== undefined) void refresh(id);
    });
    editor.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') {
        // Only the edit ends, not the whole panel.
        event.preventDefault();
        event.stopPropagation();
        if (id !== undefined) void refresh(id);
      } else if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        save.click();
      }
    });
    save.addEventListener('click', () => {
      void (async () => {
        if (id === undefined) return;
        save.disabled = true;
        try {
          await backend.editNote(note.id, editor.value);
          options.onChanged();
          await refresh(id);
        } catch (caught) {
          save.disabled = false;
          const reason = reasonOf(caught);
          if (reason === undefined) {
            options.onError(caught);
            return;
          }
          error.hidden = false;
          setText(error, `The note was not saved. ${reason}.`);
          editor.setAttribute('aria-invalid', 'true');
          editor.focus();
        }
      })();
    });
  }

  function confirmDelete(note: NoteView, actions: HTMLElement): void {
    const yes = el('button', { type: 'button', class: 'button-danger note-confirm-delete' }, 'Delete note');
    const no = el('button', { type: 'button', class: 'button-secondary note-keep' }, 'Keep');
    const ask = el('div', { class: 'note-confirm', role: 'group', 'aria-label': 'Delete this note?' }, 'Delete this note?', yes, no);
    actions.replaceWith(ask);
    no.focus();
    no.addEventListener('click', () => ask.replaceWith(actions));
    yes.addEventListener('click', () => {
      void (async () => {
        const id = profileId;
        yes.disabled = true;
        try {
          await backend.deleteNote(note.id);
          options.onChanged();
          if (id !== undefined) await refresh(id);
        } catch (error) {
          options.onError(error);
          ask.replaceWith(actions);
        }
      })();
    });
  }

  async function refresh(id: ProfileId): Promise<void> {
    const ticket = reads.begin();
    try {
      const notes = await backend.notes(id);
      if (!ticket.isCurrent() || profileId !== id) return;
      render(notes);
    } catch (error) {
      if (ticket.isCurrent()) options.onError(error);
    }
  }

  return {
    element,
    async load(id) {
      if (profileId !== id) {
        input.value = '';
        add.disabled = true;
        showAddError(undefined);
        render([]);
      }
      profileId = id;
      await refresh(id);
    },
    reset() {
      profileId = undefined;
      reads.drop();
      render([]);
    },
  };
}
